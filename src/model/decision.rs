//! Decision records: the lifecycle status, the record number, and the metadata that older
//! formats keep in the body (adr-tools/Nygard `## Status` sections, MADR 2 bullet headers).
//! Pure functions over text; part of `model`, no I/O.
//!
//! `build` turns decision pages into `Decision`s, derives `superseded_by`/`amended_by`, and
//! validates the lifecycle: unique numbers, known statuses, existing targets, no cycles.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostics::{Diagnostic, closest};
use crate::model::page::{Date, Page, PageId, RecordFields, parse_date, split_numbered_title};

/// A decision record with its derived relations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The record's page.
    pub page: PageId,
    /// Record number, unique in the site.
    pub number: u32,
    /// Effective status: `Superseded` when an accepted record supersedes it, whatever it says.
    pub status: Status,
    /// The status as written, kept for display (`Approved`, `On hold`).
    pub status_text: String,
    /// Decision date (front matter, or `Date:` in the body).
    pub date: Option<Date>,
    /// Who decides.
    pub deciders: Vec<String>,
    /// Who was consulted.
    pub consulted: Vec<String>,
    /// Who was informed.
    pub informed: Vec<String>,
    /// Owning team.
    pub team: Option<String>,
    /// Records this one replaces.
    pub supersedes: Vec<u32>,
    /// Records this one changes in part.
    pub amends: Vec<u32>,
    /// Derived: records replacing this one.
    pub superseded_by: Vec<u32>,
    /// Derived: records amending this one.
    pub amended_by: Vec<u32>,
    /// Deadline for a proposed record.
    pub decide_by: Option<Date>,
    /// Derived: a proposed record whose `decide_by` has passed (warned about, and listed first
    /// on the open-decisions dashboard).
    pub is_overdue: bool,
}

/// Where a record is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Open for comments; not decided yet.
    Proposed,
    /// In force.
    Accepted,
    /// Considered and turned down.
    Rejected,
    /// No longer in force, with no single successor.
    Deprecated,
    /// Replaced by one or more later records.
    Superseded,
}

impl Status {
    /// Every status, in lifecycle order.
    pub const ALL: [Status; 5] = [
        Status::Proposed,
        Status::Accepted,
        Status::Rejected,
        Status::Deprecated,
        Status::Superseded,
    ];

    /// Lower-case name used in front matter, URLs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Proposed => "proposed",
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
            Status::Deprecated => "deprecated",
            Status::Superseded => "superseded",
        }
    }

    /// Reads the free-text statuses found in real repositories, case-insensitively: an empty
    /// status reads as accepted (as Log4brains does), `Approved` as accepted, `Pending`,
    /// `On hold` and `Draft` as proposed, `Superseded by …` as superseded. `None` for words
    /// that match nothing, so the caller can suggest the nearest status.
    pub fn parse(text: &str) -> Option<Status> {
        let lower = text.trim().to_lowercase();
        let first_line = lower.lines().next().unwrap_or("").trim();
        let phrase: String = first_line
            .trim_start_matches(['*', '-', '_', ' ', '`'])
            .chars()
            .take_while(|c| c.is_alphabetic() || *c == ' ')
            .collect();
        let phrase = phrase.trim();
        if phrase.is_empty() {
            return Some(Status::Accepted);
        }
        // Partly superseded or amended: still in force (the phrase is shown as written).
        if let Some(rest) = phrase
            .strip_prefix("partly ")
            .or_else(|| phrase.strip_prefix("partially "))
            && (rest.starts_with("superseded") || rest.starts_with("replaced"))
        {
            return Some(Status::Accepted);
        }
        let words: Vec<&str> = phrase.split_whitespace().collect();
        // The whole phrase, then its first two words, then its first: `Accepted by the board`.
        for candidate in [
            phrase.to_string(),
            words[..words.len().min(2)].join(" "),
            words[0].to_string(),
        ] {
            if let Some(status) = Status::from_words(&candidate) {
                return Some(status);
            }
        }
        None
    }

    fn from_words(word: &str) -> Option<Status> {
        let status = match word {
            w if w.starts_with("superseded") || w.starts_with("replaced") => Status::Superseded,
            "accepted" | "approved" | "adopted" | "agreed" | "decided" | "done" | "active"
            | "implemented" | "final" | "complete" | "completed" | "merged" | "in force" => {
                Status::Accepted
            }
            "proposed" | "proposal" | "pending" | "on hold" | "draft" | "open" | "in review"
            | "in progress" | "under review" | "under discussion" | "wip" | "postponed" => {
                Status::Proposed
            }
            "rejected" | "declined" | "denied" | "abandoned" | "withdrawn" | "closed" => {
                Status::Rejected
            }
            "deprecated" | "retired" | "obsolete" | "revoked" => Status::Deprecated,
            _ => return None,
        };
        Some(status)
    }
}

/// Builds and validates the decision records among `pages`. `today` enables the overdue
/// `decide_by` check (passed in, so builds and tests are reproducible).
pub fn build(
    pages: &[Page],
    today: Option<Date>,
    strict: bool,
) -> (Vec<Decision>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut records: Vec<Decision> = Vec::new();
    let mut unnumbered: Vec<Decision> = Vec::new();
    // Relations naming a date-named record by file: (page, relation, file name).
    let mut by_file: Vec<(PageId, Relation, String)> = Vec::new();
    let problem = Problem { strict };
    for (id, page) in pages.iter().enumerate() {
        let Some(record) = page.kind.record() else {
            continue;
        };
        let mut header = parse_body_header(page.body());
        by_file.extend(
            std::mem::take(&mut header.by_file)
                .into_iter()
                .map(|(relation, file)| (id, relation, file)),
        );
        let fields = record.completed_by(&header.fields);
        let file_name = record_file_name(&page.path);
        let number = fields.number.or_else(|| number_from_file_name(&file_name));
        let status_text = fields.status.clone().unwrap_or_default();
        let status = match Status::parse(&status_text) {
            Some(status) => status,
            None => {
                let word = status_text
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_lowercase();
                let names = Status::ALL.map(Status::as_str);
                let help = match closest(&word, names) {
                    Some(name) => format!("did you mean `{name}`? statuses: {}", names.join(", ")),
                    None => format!(
                        "it is shown as written and counted as proposed; use one of: {}",
                        names.join(", ")
                    ),
                };
                // At the status as written (a `## Status` section's value is lines below).
                let value = first_line(&status_text).to_lowercase();
                let line = match line_containing(page, &value) {
                    0 => line_of(page, "status"),
                    line => line,
                };
                diagnostics.push(
                    problem
                        .report(
                            &page.path,
                            line,
                            "decision-status",
                            format!("unknown status '{}'", first_line(&status_text)),
                        )
                        .with_help(help),
                );
                Status::Proposed
            }
        };
        let decision = Decision {
            page: id,
            number: number.unwrap_or(0),
            status,
            status_text: if status_text.is_empty() {
                "accepted".to_string()
            } else {
                first_line(&status_text)
            },
            date: page
                .date
                .or_else(|| header.date.as_deref().and_then(parse_date)),
            team: page.team.clone(),
            supersedes: sorted_unique(fields.supersedes),
            amends: sorted_unique(fields.amends),
            superseded_by: sorted_unique(header.superseded_by.clone()),
            amended_by: sorted_unique(header.amended_by.clone()),
            decide_by: fields.decide_by,
            deciders: fields.deciders,
            consulted: fields.consulted,
            informed: fields.informed,
            is_overdue: false,
        };
        match number {
            Some(_) => records.push(decision),
            None => unnumbered.push(decision),
        }
    }
    // Log4brains names records by date: number them after the numbered ones, oldest first.
    unnumbered.sort_by_key(|d| (d.date, d.page));
    let mut next = records.iter().map(|d| d.number).max().unwrap_or(0);
    for mut decision in unnumbered {
        next += 1;
        decision.number = next;
        records.push(decision);
    }
    records.sort_by_key(|d| (d.number, d.page));
    diagnostics.extend(resolve_by_file(pages, &mut records, by_file, problem));
    diagnostics.extend(check_numbers(pages, &records, problem));
    diagnostics.extend(derive_and_check(pages, &mut records, today, problem));
    (records, diagnostics)
}

/// Turns relations that name a record by its file (`superseded by 20240301-new-way`) into
/// numbers, now that date-named records have theirs.
fn resolve_by_file(
    pages: &[Page],
    records: &mut [Decision],
    by_file: Vec<(PageId, Relation, String)>,
    problem: Problem,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if by_file.is_empty() {
        return diagnostics;
    }
    let numbers: BTreeMap<String, u32> = records
        .iter()
        .map(|d| {
            let name = record_file_name(&pages[d.page].path).to_ascii_lowercase();
            (name.trim_end_matches(".md").to_string(), d.number)
        })
        .collect();
    for (page, relation, file) in by_file {
        let Some(record) = records.iter_mut().find(|d| d.page == page) else {
            continue;
        };
        let Some(&number) = numbers.get(&file) else {
            let path = &pages[page].path;
            diagnostics.push(
                problem
                    .report(
                        path,
                        line_containing(&pages[page], &file),
                        "decision-link",
                        format!("'{file}' names no decision record"),
                    )
                    .with_help("link the other record's file; check its name"),
            );
            continue;
        };
        let list = match relation {
            Relation::SupersededBy => &mut record.superseded_by,
            Relation::Supersedes => &mut record.supersedes,
            Relation::AmendedBy => &mut record.amended_by,
            Relation::Amends => &mut record.amends,
        };
        list.push(number);
        *list = sorted_unique(std::mem::take(list));
    }
    diagnostics
}

/// How serious a lifecycle problem is: a warning in logs as teams wrote them, an error with
/// `--strict`, so CI catches what a change introduces.
#[derive(Debug, Clone, Copy)]
struct Problem {
    strict: bool,
}

impl Problem {
    fn report(self, path: &str, line: usize, code: &'static str, message: String) -> Diagnostic {
        if self.strict {
            Diagnostic::error(path, line, 1, code, message)
        } else {
            Diagnostic::warning(path, line, 1, code, message)
        }
    }
}

/// The name a record is numbered by: its file name, or its folder's for `0007-x/index.md`.
fn record_file_name(path: &str) -> String {
    let mut parts = path.rsplit('/');
    let name = parts.next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if matches!(lower.as_str(), "index.md" | "readme.md" | "_index.md")
        && let Some(folder) = parts.next()
    {
        return format!("{folder}.md");
    }
    name.to_string()
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").trim().to_string()
}

fn sorted_unique(mut numbers: Vec<u32>) -> Vec<u32> {
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

/// Line of a front-matter key or body line mentioning `word`, for positioned diagnostics.
fn line_of(page: &Page, word: &str) -> usize {
    page.source_text
        .lines()
        .position(|line| {
            let lower = line.trim_start_matches(['*', '-', ' ', '#']).to_lowercase();
            lower.starts_with(word)
        })
        .map_or(0, |index| index + 1)
}

/// The first line of the file that mentions `phrase` (lower case), or 0.
fn line_containing(page: &Page, phrase: &str) -> usize {
    page.source_text
        .lines()
        .position(|line| line.to_lowercase().contains(phrase))
        .map_or(0, |index| index + 1)
}

/// A number used by two records names both files. Both records stay in the log: real
/// archives hold such clashes from long ago (a warning); `--strict` makes it an error.
fn check_numbers(pages: &[Page], records: &[Decision], problem: Problem) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let next_free = records
        .iter()
        .map(|d| d.number)
        .max()
        .unwrap_or(0)
        .saturating_add(1);
    let mut seen: BTreeMap<u32, PageId> = BTreeMap::new();
    for decision in records {
        match seen.get(&decision.number) {
            Some(&first) => {
                let page = &pages[decision.page];
                diagnostics.push(
                    problem.report(&page.path, 0, "decision-number", format!(
                        "decision number {} is also used by '{}'",
                        decision.number, pages[first].path
                    ))
                    .with_help(format!(
                        "two branches probably added a record each: rename this one to {next_free:04}-…, or set `number: {next_free}` in its front matter (`handbook new decision --number N` picks a number for a new record)"
                    )),
                );
            }
            None => {
                seen.insert(decision.number, decision.page);
            }
        }
    }
    diagnostics
}

fn derive_and_check(
    pages: &[Page],
    records: &mut [Decision],
    today: Option<Date>,
    problem: Problem,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    // The first record of a number stands for it in relations.
    let mut index: BTreeMap<u32, usize> = BTreeMap::new();
    for (i, decision) in records.iter().enumerate() {
        index.entry(decision.number).or_insert(i);
    }
    let mut superseded_by: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    // Relations stated only by the later side ("superseded by 3"): (phrase, stated target) →
    // the records stating it, to be added to the target's forward links.
    let mut stated_forward: BTreeMap<(&str, u32), BTreeSet<u32>> = BTreeMap::new();
    let mut amended_by: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    for decision in records.iter() {
        let page = &pages[decision.page];
        for (key, targets, derived) in [
            ("supersedes", &decision.supersedes, &mut superseded_by),
            ("amends", &decision.amends, &mut amended_by),
        ] {
            for &target in targets {
                if target == decision.number {
                    diagnostics.push(
                        problem
                            .report(
                                &page.path,
                                line_of(page, key),
                                "decision-link",
                                format!("record {target} {key} itself"),
                            )
                            .with_help(format!("remove {target} from `{key}`")),
                    );
                } else if !index.contains_key(&target) {
                    diagnostics.push(
                        problem
                            .report(
                                &page.path,
                                line_of(page, key),
                                "decision-link",
                                format!("`{key}` names record {target}, which does not exist"),
                            )
                            .with_help(
                                "check the number; records are numbered by their file names",
                            ),
                    );
                } else {
                    derived.entry(target).or_default().insert(decision.number);
                }
            }
        }
        // The backward links a record's body states ("Superseded by [ADR 3](…)").
        for (phrase, targets) in [
            ("superseded by", &decision.superseded_by),
            ("amended by", &decision.amended_by),
        ] {
            for &target in targets {
                let message = if target == decision.number {
                    format!("record {target} says it is {phrase} itself")
                } else if !index.contains_key(&target) {
                    format!("'{phrase}' names record {target}, which does not exist")
                } else {
                    // Stated on this side only: the other record gets the forward link.
                    stated_forward
                        .entry((phrase, target))
                        .or_default()
                        .insert(decision.number);
                    continue;
                };
                diagnostics.push(
                    problem.report(
                        &page.path,
                        line_containing(page, phrase),
                        "decision-link",
                        message,
                    )
                    .with_help("link the newer record by its number; records are numbered by their file names"),
                );
            }
        }
    }
    for decision in records.iter_mut() {
        for (phrase, forward) in [
            ("superseded by", &mut decision.supersedes),
            ("amended by", &mut decision.amends),
        ] {
            if let Some(numbers) = stated_forward.remove(&(phrase, decision.number)) {
                forward.extend(numbers);
                *forward = sorted_unique(std::mem::take(forward));
            }
        }
        let (number, known) = (decision.number, &index);
        let valid = |target: &u32| *target != number && known.contains_key(target);
        decision.superseded_by.retain(valid);
        decision.amended_by.retain(valid);
        decision
            .superseded_by
            .extend(superseded_by.remove(&decision.number).unwrap_or_default());
        decision.superseded_by = sorted_unique(std::mem::take(&mut decision.superseded_by));
        decision
            .amended_by
            .extend(amended_by.remove(&decision.number).unwrap_or_default());
        decision.amended_by = sorted_unique(std::mem::take(&mut decision.amended_by));
    }
    for key in ["supersedes", "amends"] {
        if let Some(cycle) = find_cycle(records, &index, key) {
            let first = &pages[records[index[&cycle[0]]].page];
            let names: Vec<String> = cycle
                .iter()
                .map(|n| format!("{} ({})", n, pages[records[index[n]].page].path))
                .collect();
            diagnostics.push(
                problem.report(&first.path, line_of(first, key), "decision-cycle", format!("`{key}` forms a cycle: {}", names.join(" → ")))
                    .with_help("a newer record replaces an older one; remove the link that points forward in time"),
            );
        }
    }
    let statuses: BTreeMap<u32, Status> = records.iter().map(|d| (d.number, d.status)).collect();
    for decision in records.iter_mut() {
        let page = &pages[decision.page];
        let accepted_successor = decision
            .superseded_by
            .iter()
            .any(|n| statuses.get(n) == Some(&Status::Accepted));
        if decision.status == Status::Superseded && decision.superseded_by.is_empty() {
            diagnostics.push(
                problem
                    .report(
                        &page.path,
                        line_of(page, "status"),
                        "decision-successor",
                        format!(
                            "record {} is superseded, but no record supersedes it",
                            decision.number
                        ),
                    )
                    .with_help("add `supersedes: [N]` to the newer record, or change this status"),
            );
        }
        if decision.status == Status::Accepted
            && !decision.superseded_by.is_empty()
            && !accepted_successor
        {
            let proposed: Vec<String> = decision.superseded_by.iter().map(u32::to_string).collect();
            diagnostics.push(
                Diagnostic::warning(
                    &page.path,
                    line_of(page, "status"),
                    1,
                    "decision-successor",
                    format!(
                        "accepted record {} is superseded by record {} that is not accepted yet",
                        decision.number,
                        proposed.join(", ")
                    ),
                )
                .with_help("it stays in force until its successor is accepted"),
            );
        }
        if accepted_successor {
            decision.status = Status::Superseded;
        }
        if decision.status == Status::Proposed
            && let (Some(deadline), Some(today)) = (decision.decide_by, today)
            && deadline < today
        {
            decision.is_overdue = true;
            diagnostics.push(
                Diagnostic::warning(
                    &page.path,
                    line_of(page, "decide_by"),
                    1,
                    "decision-overdue",
                    format!(
                        "proposed record {} was to be decided by {deadline}",
                        decision.number
                    ),
                )
                .with_help("decide it (accepted or rejected), or move `decide_by`"),
            );
        }
    }
    diagnostics
}

/// A cycle through `supersedes` or `amends` links, as record numbers, if any.
fn find_cycle(records: &[Decision], index: &BTreeMap<u32, usize>, key: &str) -> Option<Vec<u32>> {
    let edges = |decision: &Decision| -> Vec<u32> {
        let targets = if key == "supersedes" {
            &decision.supersedes
        } else {
            &decision.amends
        };
        targets
            .iter()
            .copied()
            .filter(|t| index.contains_key(t) && *t != decision.number)
            .collect()
    };
    // 0 = unvisited, 1 = on the current path, 2 = done.
    let mut state: BTreeMap<u32, u8> = BTreeMap::new();
    for start in records.iter().map(|d| d.number) {
        if state.get(&start).copied().unwrap_or(0) != 0 {
            continue;
        }
        let mut stack: Vec<(u32, Vec<u32>)> = vec![(start, edges(&records[index[&start]]))];
        let mut path = vec![start];
        state.insert(start, 1);
        while let Some((_, pending)) = stack.last_mut() {
            match pending.pop() {
                Some(next) => match state.get(&next).copied().unwrap_or(0) {
                    1 => {
                        let from = path.iter().position(|&n| n == next).unwrap_or(0);
                        let mut cycle = path[from..].to_vec();
                        cycle.push(next);
                        return Some(cycle);
                    }
                    0 => {
                        state.insert(next, 1);
                        path.push(next);
                        stack.push((next, edges(&records[index[&next]])));
                    }
                    _ => {}
                },
                None => {
                    if let Some((done, _)) = stack.pop() {
                        state.insert(done, 2);
                        path.pop();
                    }
                }
            }
        }
    }
    None
}

/// The record number from a file name: `0007-use-nats.md` → 7, `rfc-0042-x.md` → 42. Date-named
/// files (`20240131-foo.md` as Log4brains names them, `2024-01-31-foo.md`) have no number and
/// are numbered by date instead.
pub fn number_from_file_name(name: &str) -> Option<u32> {
    if date_prefix(name).is_some() {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    let name = ["adr-", "adr_", "rfc-", "rfc_", "dr-"]
        .iter()
        .find_map(|prefix| lower.strip_prefix(prefix))
        .unwrap_or(&lower);
    let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
    let rest = &name[digits.len()..];
    if digits.is_empty() || digits.len() > 6 || !(rest.starts_with(['-', '_', '.'])) {
        return None;
    }
    digits.parse().ok()
}

/// The date a file name starts with: `20201016-x.md` or `2020-10-16-x.md`.
pub fn date_prefix(name: &str) -> Option<Date> {
    let compact = name
        .get(..8)
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
    let (date, rest) = match compact {
        Some(d) => (format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..8]), &name[8..]),
        None => (name.get(..10)?.to_string(), name.get(10..)?),
    };
    if !rest.starts_with(['-', '_', '.']) {
        return None;
    }
    parse_date(&date)
}

/// Metadata read from a record's body, for formats without front matter.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BodyHeader {
    /// Title from the first `# ` heading, without a leading `12. ` number.
    pub title: Option<String>,
    /// The number in a `# 12. Title` heading.
    pub heading_number: Option<u32>,
    /// `Date:` line or `* Date:` bullet, as written.
    pub date: Option<String>,
    /// What the body says of the record's own fields, the same ones front matter can give:
    /// the status text as written (first line of `## Status` or `* Status:`), `* Deciders:`
    /// names split on commas, and the records it says it supersedes or amends (status text or
    /// `## Links`). [`RecordFields::completed_by`] merges them under the front matter's.
    pub fields: RecordFields,
    /// Records this one says supersede it.
    pub superseded_by: Vec<u32>,
    /// Records this one says amend it.
    pub amended_by: Vec<u32>,
    /// Relations to records named by a date file name (`20240301-new-way`), resolved to
    /// numbers once every record is numbered.
    pub by_file: Vec<(Relation, String)>,
}

impl BodyHeader {
    fn list(&mut self, relation: Relation) -> &mut Vec<u32> {
        match relation {
            Relation::SupersededBy => &mut self.superseded_by,
            Relation::Supersedes => &mut self.fields.supersedes,
            Relation::AmendedBy => &mut self.amended_by,
            Relation::Amends => &mut self.fields.amends,
        }
    }
}

/// Reads the metadata older formats keep in a record's body: the status as a section under
/// any heading level (`## Status`, `### Status`), as a plain or bulleted line before the first
/// section (`Status: Rejected`, `* Status: accepted`, `**Status:** Accepted`), MADR 2 bullets
/// (`* Deciders:`, `* Date:`), and relations in the status text or a `## Links` section
/// (`superseded by ADR-0057`, `Supersedes [x](0003-x.md)`, `Amends …`). Code blocks are skipped.
pub fn parse_body_header(body: &str) -> BodyHeader {
    let mut header = BodyHeader::default();
    let mut section: Option<String> = None;
    let mut status_lines: Vec<String> = Vec::new();
    let mut relation_lines: Vec<String> = Vec::new();
    let mut fence: Option<&str> = None;
    for line in body.lines() {
        let trimmed = line.trim();
        if let Some(open) = fence {
            if trimmed.starts_with(open) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            continue;
        }
        if let Some((level, text)) = atx_heading(trimmed) {
            if level == 1 && header.title.is_none() {
                let (number, title) = split_numbered_title(text);
                header.heading_number = number;
                header.title = Some(title.to_string());
                continue;
            }
            let name = plain(text).trim_end_matches(':').trim().to_lowercase();
            // A status heading that carries the value: `## Status: Accepted`.
            if let Some(value) = key_value(text, "status") {
                status_lines.push(value.to_string());
            }
            section = Some(name);
            continue;
        }
        match section.as_deref() {
            Some("status") => {
                if !trimmed.is_empty() {
                    status_lines.push(plain(trimmed.trim_start_matches(['*', '-', '+', ' '])));
                }
                continue;
            }
            Some("links" | "related decisions" | "related" | "relations") => {
                relation_lines.push(plain(trimmed.trim_start_matches(['*', '-', '+', ' '])));
                continue;
            }
            _ => {}
        }
        let in_preamble = matches!(
            section.as_deref(),
            None | Some("metadata" | "decision record" | "details" | "summary")
        );
        if !in_preamble {
            continue;
        }
        if let Some(value) = key_value(trimmed, "status") {
            status_lines.push(value.to_string());
        } else if let Some(value) = key_value(trimmed, "deciders") {
            header.fields.deciders = split_names(value);
        } else if let Some(value) = key_value(trimmed, "date") {
            header.date = Some(value.to_string());
        }
    }
    for line in status_lines.iter().chain(&relation_lines) {
        for (relation, named) in relations_in(line) {
            for record in named {
                match record {
                    RecordRef::Number(number) => header.list(relation).push(number),
                    RecordRef::File(file) => header.by_file.push((relation, file)),
                }
            }
        }
    }
    header.fields.status = status_lines
        .iter()
        .find(|line| {
            let lower = line.to_lowercase();
            !(lower.starts_with("supersedes")
                || lower.starts_with("amends")
                || lower.starts_with("amended by"))
        })
        .map(|line| line.to_string());
    header
}

/// `## Status` → (2, "Status"); `#hashtag` is not a heading.
fn atx_heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|&c| c == '#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = &line[level..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some((level, rest.trim().trim_end_matches('#').trim()))
}

/// Text without emphasis markers and backticks: `**Accepted**` → `Accepted`.
fn plain(text: &str) -> String {
    text.replace("**", "")
        .replace("__", "")
        .replace('`', "")
        .trim()
        .trim_end_matches('.')
        .to_string()
}

/// `Status: x`, `* Status: x`, `- **Status**: x`, `**Status:** x` → `x`.
fn key_value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line.trim_start_matches(['*', '-', '+', ' ', '_']);
    let (name, value) = rest.split_once(':')?;
    if !name
        .trim()
        .trim_matches(['*', '_'])
        .eq_ignore_ascii_case(key)
    {
        return None;
    }
    let value = value.trim().trim_start_matches(['*', '_']).trim();
    let value = value.trim_end_matches(['*', '_']).trim();
    (!value.is_empty()).then_some(value)
}

/// How a status or links line relates a record to others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// `superseded by …`: the named record replaces this one.
    SupersededBy,
    /// `supersedes …`: this record replaces the named one.
    Supersedes,
    /// `amended by …`.
    AmendedBy,
    /// `amends …`.
    Amends,
}

/// The relations a line states, clause by clause (`accepted; supersedes ADR-0045`), with the
/// record numbers each names: by link (`[x](0015-x.md)`) or in words (`ADR-0057`, `RFC 12`).
fn relations_in(line: &str) -> Vec<(Relation, Vec<RecordRef>)> {
    let mut found = Vec::new();
    for clause in line.split([';', ',']) {
        let clause = clause.trim().trim_start_matches(['*', '-', '+', ' ']);
        let lower = clause.to_lowercase();
        let lower = lower.trim_start_matches("status:").trim();
        let lower = lower
            .strip_prefix("partly ")
            .or_else(|| lower.strip_prefix("partially "))
            .unwrap_or(lower);
        let relation = if lower.starts_with("superseded by") || lower.starts_with("replaced by") {
            Relation::SupersededBy
        } else if lower.starts_with("supersedes") || lower.starts_with("replaces") {
            Relation::Supersedes
        } else if lower.starts_with("amended by") {
            Relation::AmendedBy
        } else if lower.starts_with("amends") {
            Relation::Amends
        } else {
            continue;
        };
        let mut named: Vec<RecordRef> = link_targets(clause)
            .iter()
            .filter_map(|target| record_ref(target))
            .collect();
        if named.is_empty() {
            named = numbers_in_words(clause)
                .into_iter()
                .map(RecordRef::Number)
                .collect();
        }
        if named.is_empty() {
            // Log4brains writes a bare name: `superseded by 20240301-new-way`.
            named = clause
                .split_whitespace()
                .filter_map(|word| {
                    let word = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
                    date_prefix(word).map(|_| RecordRef::File(word.to_ascii_lowercase()))
                })
                .collect();
        }
        found.push((relation, named));
    }
    found
}

/// A record named in a relation: by number, or by the file name (without `.md`) of a record
/// numbered by its date, whose number is known only once all records are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordRef {
    /// `0007-x.md`, `ADR-0007`.
    Number(u32),
    /// `20240301-new-way`, lower case.
    File(String),
}

/// The record a link target names: `0015-x.md`, `../adr/0007-x/`, `20240301-new-way.md`.
fn record_ref(target: &str) -> Option<RecordRef> {
    let name = target.split('#').next().unwrap_or(target);
    let name = name.trim_end_matches('/');
    let file = name.rsplit('/').next().unwrap_or(name);
    let lower = file.to_ascii_lowercase();
    // A folder-style record linked by its index file is named by its folder.
    let file = if matches!(lower.as_str(), "index.md" | "readme.md") {
        format!("{}.md", name.rsplit('/').nth(1).unwrap_or(""))
    } else if lower.ends_with(".md") {
        file.to_string()
    } else {
        format!("{file}.md")
    };
    if let Some(number) = number_from_file_name(&file) {
        return Some(RecordRef::Number(number));
    }
    date_prefix(&file).map(|_| {
        RecordRef::File(
            file.trim_end_matches(".md")
                .trim_end_matches(".MD")
                .to_ascii_lowercase(),
        )
    })
}

/// `ADR-0057`, `ADR 57`, `RFC #12`, `record 3`, `decision 0004` → the numbers.
fn numbers_in_words(text: &str) -> Vec<u32> {
    let lower = text.to_lowercase();
    let mut numbers = Vec::new();
    for word in ["adr", "rfc", "record", "decision"] {
        let mut from = 0;
        while let Some(at) = lower[from..].find(word) {
            let start = from + at + word.len();
            from = start;
            let rest = lower[start..].trim_start_matches([' ', '-', '#', '_']);
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(number) = digits.parse() {
                numbers.push(number);
            }
        }
    }
    numbers
}

fn split_names(value: &str) -> Vec<String> {
    value
        .split([',', ';'])
        .map(|name| name.trim().trim_end_matches('.').to_string())
        .filter(|name| !name.is_empty())
        .collect()
}

/// Destinations of markdown links `[text](target)` on a line.
fn link_targets(line: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find("](") {
        let after = &rest[start + 2..];
        match after.find(')') {
            Some(end) => {
                targets.push(after[..end].trim().to_string());
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    targets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MarkdownConfig;
    use crate::diagnostics::Severity;
    use crate::load::Source;
    use crate::model::page::parse_page;

    fn records(files: &[(&str, &str)], today: Option<&str>) -> (Vec<Decision>, Vec<Diagnostic>) {
        let pages: Vec<Page> = files
            .iter()
            .map(|(path, text)| {
                let (source, _) = Source::new(format!("decisions/{path}"), text.to_string());
                parse_page(
                    source,
                    crate::model::page::PageKind::Decision,
                    &MarkdownConfig::default(),
                )
                .unwrap()
            })
            .collect();
        build(&pages, today.and_then(parse_date), false)
    }

    fn codes(diagnostics: &[Diagnostic]) -> Vec<(&str, usize, &str)> {
        diagnostics
            .iter()
            .map(|d| (d.path.as_str(), d.line, d.code))
            .collect()
    }

    #[test]
    fn a_body_naming_itself_or_a_missing_record_as_successor_is_an_error() {
        // Found by fuzzing: record 2 said "Superseded by [ADR 2]" and listed itself.
        let (found_records, problems) = records(
            &[
                (
                    "0002-b.md",
                    "# B\n\n* Status: Superseded by [ADR 2](0002-b.md)\n",
                ),
                (
                    "0003-c.md",
                    "# C\n\n## Status\n\nAmended by [ADR 9](0009-x.md)\n",
                ),
            ],
            None,
        );
        assert!(
            found_records
                .iter()
                .all(|r| r.superseded_by.is_empty() && r.amended_by.is_empty())
        );
        let found: Vec<(&str, usize, &str)> = problems
            .iter()
            .filter(|p| p.code == "decision-link")
            .map(|p| (p.path.as_str(), p.line, p.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "decisions/0002-b.md",
                    3,
                    "record 2 says it is superseded by itself"
                ),
                (
                    "decisions/0003-c.md",
                    5,
                    "'amended by' names record 9, which does not exist"
                ),
            ]
        );
    }

    #[test]
    fn decision_superseded_by_two_records_lists_both_successors() {
        let (records, diagnostics) = records(
            &[
                ("0001-a.md", "---\nstatus: superseded\n---\n"),
                ("0002-b.md", "---\nstatus: accepted\nsupersedes: [1]\n---\n"),
                (
                    "0003-c.md",
                    "---\nstatus: accepted\nsupersedes: 1\namends: [2]\n---\n",
                ),
            ],
            None,
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(records[0].superseded_by, [2, 3]);
        assert_eq!(records[1].amended_by, [3]);
        assert_eq!(records[0].status, Status::Superseded);
    }

    #[test]
    fn an_accepted_successor_makes_the_old_record_superseded_whatever_it_says() {
        let (records, _) = records(
            &[
                ("0001-a.md", "---\nstatus: accepted\n---\n"),
                ("0002-b.md", "---\nstatus: accepted\nsupersedes: [1]\n---\n"),
            ],
            None,
        );
        assert_eq!(
            (records[0].status, records[0].status_text.as_str()),
            (Status::Superseded, "accepted")
        );
    }

    #[test]
    fn lifecycle_problems_are_reported_with_file_and_line() {
        let (_, diagnostics) = records(
            &[
                ("0001-a.md", "---\ntitle: A\nstatus: acepted\n---\n"),
                ("0002-b.md", "---\ntitle: B\nstatus: superseded\n---\n"),
                ("0003-c.md", "---\ntitle: C\nsupersedes: [3, 9]\n---\n"),
                ("0003-dup.md", "---\ntitle: D\n---\n"),
                ("0004-d.md", "---\ntitle: E\nstatus: accepted\n---\n"),
                (
                    "0005-e.md",
                    "---\ntitle: F\nstatus: proposed\nsupersedes: [4]\ndecide_by: 2026-01-01\n---\n",
                ),
            ],
            Some("2026-06-01"),
        );
        assert_eq!(
            codes(&diagnostics),
            [
                ("decisions/0001-a.md", 3, "decision-status"),
                ("decisions/0003-dup.md", 0, "decision-number"),
                ("decisions/0003-c.md", 3, "decision-link"),
                ("decisions/0003-c.md", 3, "decision-link"),
                ("decisions/0002-b.md", 3, "decision-successor"),
                ("decisions/0004-d.md", 3, "decision-successor"),
                ("decisions/0005-e.md", 5, "decision-overdue"),
            ]
        );
        assert_eq!(
            diagnostics[0].help.as_deref(),
            Some(
                "did you mean `accepted`? statuses: proposed, accepted, rejected, deprecated, superseded"
            )
        );
    }

    #[test]
    fn madr3_and_log4brains_records_are_read_unchanged() {
        let (records, diagnostics) = records(
            &[
                (
                    "0001-madr3.md",
                    "---\nstatus: accepted\ndate: 2022-05-01\ndecision-makers: [ana, ben]\n---\n# Use MADR\n",
                ),
                (
                    "20230115-use-log4brains.md",
                    "# Use Log4brains\n\n- Status: draft\n- Deciders: Ana, Ben\n- Date: 2023-01-15\n",
                ),
                (
                    "20220301-earlier.md",
                    "# Earlier\n\n- Status: accepted\n- Date: 2022-03-01\n",
                ),
            ],
            None,
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(records[0].deciders, ["ana", "ben"]);
        let numbers: Vec<(u32, Status, &str)> = records
            .iter()
            .map(|d| (d.number, d.status, d.status_text.as_str()))
            .collect();
        assert_eq!(
            numbers,
            [
                (1, Status::Accepted, "accepted"),
                (2, Status::Accepted, "accepted"),
                (3, Status::Proposed, "draft")
            ]
        );
        assert_eq!(records[2].deciders, ["Ana", "Ben"]);
    }

    #[test]
    fn supersede_cycles_are_errors() {
        let (_, diagnostics) = records(
            &[
                ("0001-a.md", "---\nsupersedes: [2]\n---\n"),
                ("0002-b.md", "---\nsupersedes: [1]\n---\n"),
            ],
            None,
        );
        let cycle: Vec<_> = diagnostics
            .iter()
            .filter(|d| d.code == "decision-cycle")
            .collect();
        assert_eq!(cycle.len(), 1, "{diagnostics:?}");
        assert!(
            cycle[0]
                .message
                .contains("1 (decisions/0001-a.md) → 2 (decisions/0002-b.md) → 1"),
            "{}",
            cycle[0].message
        );
    }

    #[test]
    fn nygard_records_without_front_matter_are_read_unchanged() {
        let (records, diagnostics) = records(
            &[
                (
                    "0001-record.md",
                    "# 1. Record architecture decisions\n\nDate: 2018-02-01\n\n## Status\n\nAccepted\n",
                ),
                (
                    "0002-old.md",
                    "# 2. Old\n\nDate: 2018-03-01\n\n## Status\n\nSuperseded by [3. New](0003-new.md)\n",
                ),
                (
                    "0003-new.md",
                    "# 3. New\n\nDate: 2018-04-01\n\n## Status\n\nAccepted\n\nSupersedes [2. Old](0002-old.md)\n",
                ),
            ],
            None,
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(records[1].status, Status::Superseded);
        assert_eq!(records[1].superseded_by, [3]);
        assert_eq!(records[2].supersedes, [2]);
        assert_eq!(records[0].date, parse_date("2018-02-01"));
    }

    #[test]
    fn statuses_in_the_wild_map_to_the_lifecycle() {
        let cases = [
            ("Accepted", Some(Status::Accepted)),
            ("", Some(Status::Accepted)),
            ("Approved", Some(Status::Accepted)),
            ("On hold", Some(Status::Proposed)),
            ("pending", Some(Status::Proposed)),
            ("Draft", Some(Status::Proposed)),
            (
                "Superseded by [3. Use X](0003-use-x.md)",
                Some(Status::Superseded),
            ),
            ("REJECTED", Some(Status::Rejected)),
            ("deprecated", Some(Status::Deprecated)),
            ("acepted", None),
        ];
        for (text, expected) in cases {
            assert_eq!(Status::parse(text), expected, "{text:?}");
        }
    }

    #[test]
    fn numbers_come_from_file_names_not_dates() {
        assert_eq!(number_from_file_name("0007-use-nats.md"), Some(7));
        assert_eq!(number_from_file_name("12_x.md"), Some(12));
        assert_eq!(number_from_file_name("20240131-date-named.md"), None);
        assert_eq!(number_from_file_name("readme.md"), None);
        assert_eq!(number_from_file_name("0007use.md"), None);
    }

    #[test]
    fn statuses_and_relations_are_read_as_real_logs_write_them() {
        for (body, status, superseded_by, supersedes) in [
            (
                "# A\n\nStatus: Rejected\n\n## Context\n",
                "Rejected",
                vec![],
                vec![],
            ),
            ("# A\n\n* Status: accepted\n", "accepted", vec![], vec![]),
            ("# A\n\n**Status:** Accepted\n", "Accepted", vec![], vec![]),
            (
                "# A\n\n- **Status**: proposed\n",
                "proposed",
                vec![],
                vec![],
            ),
            (
                "# A\n\n### Status\n\nDeprecated\n",
                "Deprecated",
                vec![],
                vec![],
            ),
            (
                "# A\n\n## Status\n\nsuperseded by ADR-0057\n",
                "superseded by ADR-0057",
                vec![57],
                vec![],
            ),
            (
                "# A\n\nStatus: accepted; supersedes ADR-0045\n",
                "accepted; supersedes ADR-0045",
                vec![],
                vec![45],
            ),
            (
                "# A\n\n## Status\n\nSuperseded by [DNS](20201016-dns.md)\n",
                "Superseded by [DNS](20201016-dns.md)",
                vec![],
                vec![],
            ),
            (
                "# A\n\n## Status\n\nAccepted\n\n## Links\n\n* Supersedes [B](0003-b.md)\n* Relates to [C](0004-c.md)\n",
                "Accepted",
                vec![],
                vec![3],
            ),
            (
                "# A\n\n```\nStatus: rejected\n```\n\n## Status\n\nAccepted\n",
                "Accepted",
                vec![],
                vec![],
            ),
        ] {
            let header = parse_body_header(body);
            assert_eq!(header.fields.status.as_deref(), Some(status), "{body}");
            assert_eq!(header.superseded_by, superseded_by, "{body}");
            assert_eq!(header.fields.supersedes, supersedes, "{body}");
        }
        assert_eq!(Status::parse("Partly superseded"), Some(Status::Accepted));
        assert_eq!(
            Status::parse("Accepted by the board"),
            Some(Status::Accepted)
        );
        assert_eq!(Status::parse("Gathering information"), None);
        assert_eq!(Status::parse("Rejected"), Some(Status::Rejected));
    }

    #[test]
    fn unknown_statuses_and_reused_numbers_warn_and_keep_both_records_unless_strict() {
        let files = [
            ("2071-a.md", "# A\n\nStatus: Gathering information\n"),
            ("2071-b.md", "# B\n\nStatus: accepted\n"),
        ];
        let pages: Vec<Page> = files
            .iter()
            .map(|(path, text)| {
                let (source, _) = Source::new(format!("rfcs/{path}"), text.to_string());
                parse_page(
                    source,
                    crate::model::page::PageKind::Decision,
                    &MarkdownConfig::default(),
                )
                .unwrap()
            })
            .collect();
        let (found, problems) = build(&pages, None, false);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].status_text, "Gathering information");
        let codes: Vec<(&str, Severity)> = problems.iter().map(|p| (p.code, p.severity)).collect();
        assert_eq!(
            codes,
            [
                ("decision-status", Severity::Warning),
                ("decision-number", Severity::Warning)
            ]
        );
        assert!(
            problems[1].message.contains("rfcs/2071-a.md"),
            "{:?}",
            problems[1]
        );
        let (_, strict) = build(&pages, None, true);
        assert!(strict.iter().all(|p| p.severity == Severity::Error));
    }

    #[test]
    fn nygard_records_keep_status_links_and_date_in_the_body() {
        let body = "# 2. Use a single cluster\n\nDate: 2019-03-04\n\n## Status\n\nSuperseded by [6. Run on Fargate](0006-run-on-fargate.md)\n\nSuperseded by [8. Second region](0008-second-region.md)\n\nAmends [1. Record decisions](0001-record-decisions.md)\n\n## Context\n\nText.\n";
        let header = parse_body_header(body);
        assert_eq!(header.title.as_deref(), Some("Use a single cluster"));
        assert_eq!(header.heading_number, Some(2));
        assert_eq!(header.date.as_deref(), Some("2019-03-04"));
        assert_eq!(
            header.fields.status.as_deref(),
            Some("Superseded by [6. Run on Fargate](0006-run-on-fargate.md)")
        );
        assert_eq!(header.superseded_by, [6, 8]);
        assert_eq!(header.fields.amends, [1]);
        assert_eq!(
            Status::parse(header.fields.status.as_deref().unwrap()),
            Some(Status::Superseded)
        );
    }

    #[test]
    fn madr2_bullet_headers_are_read() {
        let body = "# Use Markdown Architectural Decision Records\n\n* Status: accepted\n* Deciders: Oliver Kopp, Stefan Kapferer\n* Date: 2017-12-04\n\nTechnical Story: none\n\n## Context and Problem Statement\n\n* Status: not this one\n";
        let header = parse_body_header(body);
        assert_eq!(header.fields.status.as_deref(), Some("accepted"));
        assert_eq!(header.fields.deciders, ["Oliver Kopp", "Stefan Kapferer"]);
        assert_eq!(header.date.as_deref(), Some("2017-12-04"));
        assert_eq!(header.heading_number, None);
    }
}
