//! Decision-record commands: `new decision` creates the next numbered record, and
//! `decision status` / `decision supersede` edit a record in place, changing only the lines they
//! must (front matter keys, or the `## Status` section of adr-tools records). Writes into the
//! source tree on explicit command only; never overwrites another file.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::config::Config;
use crate::model::Site;
use crate::model::decision::{Status, number_from_file_name};
use crate::model::page::{Date, is_key_line, slugify};
use crate::pipeline::{self, BuildOptions};
use crate::scaffold::create_new;

/// What `new decision` should create.
#[derive(Debug, Clone, Default)]
pub struct NewDecision {
    /// Record title.
    pub title: String,
    /// Records it supersedes.
    pub supersedes: Vec<u32>,
    /// Owning team id.
    pub team: Option<String>,
    /// Force a number (to resolve a collision between branches).
    pub number: Option<u32>,
    /// Date written into the record.
    pub today: Date,
}

/// A decision record as the build numbers it (file name, or `number:` in front matter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFile {
    /// Record number.
    pub number: u32,
    /// Absolute path.
    pub path: PathBuf,
    /// Source-relative path with `/` separators, for links between records.
    pub rel: String,
    /// Effective status, as the build derives it.
    pub status: Status,
}

/// Loads the handbook's configuration, its pages, and its decision records, numbered exactly
/// as a build numbers them, so commands and the site always agree on which record is which.
pub fn load(root: &Path) -> anyhow::Result<(Config, Site, Vec<RecordFile>)> {
    let options = BuildOptions {
        root: root.to_path_buf(),
        ..BuildOptions::default()
    };
    let config = pipeline::load_config(&options)?;
    let (site, _) = pipeline::load_site(&options, &config)?;
    let records = records_of(root, &site);
    Ok((config, site, records))
}

/// Whether an id given to `new` (`--team`, `--author`) names a team or person page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// `teams/<id>.md`.
    Team,
    /// `people/<id>.md`.
    Person,
}

/// Checks an id given on the command line against the handbook's team or person pages. An
/// unknown id close to a known one is a typo: refused, with "did you mean". An unknown id with
/// no near match is allowed (a team may live only in CODEOWNERS), with a warning to show; none
/// when the handbook has no such pages at all.
fn check_entity(site: &Site, entity: Entity, id: &str) -> anyhow::Result<Option<String>> {
    let (known, option, folder) = match entity {
        Entity::Team => (&site.directory.teams, "--team", "teams"),
        Entity::Person => (&site.directory.people, "--author", "people"),
    };
    let found = match entity {
        Entity::Team => site.directory.team(id),
        Entity::Person => site.directory.person(id),
    };
    if found.is_some() || known.is_empty() {
        return Ok(None);
    }
    let mut ids: Vec<&str> = known.keys().map(String::as_str).collect();
    ids.sort_unstable();
    if let Some(near) = crate::diagnostics::closest(id, ids.iter().copied()) {
        bail!(
            "{option} {id:?} names no page in {folder}/: did you mean `{near}`? Known: {}",
            list_ids(&ids)
        );
    }
    Ok(Some(format!(
        "warning: {option} {id:?} names no page in {folder}/ (known: {}); the record keeps the id as written",
        list_ids(&ids)
    )))
}

/// [`check_entity`] for each id given (a `None` is skipped); the warnings to show.
pub fn check_entities(
    site: &Site,
    ids: &[(Option<&String>, Entity)],
) -> anyhow::Result<Vec<String>> {
    let mut warnings = Vec::new();
    for &(id, entity) in ids {
        if let Some(id) = id {
            warnings.extend(check_entity(site, entity, id)?);
        }
    }
    Ok(warnings)
}

/// Up to ten ids, then how many more.
fn list_ids(ids: &[&str]) -> String {
    let mut text = ids.iter().take(10).copied().collect::<Vec<_>>().join(", ");
    if ids.len() > 10 {
        text.push_str(&format!(" and {} more", ids.len() - 10));
    }
    text
}

/// The warning for `decision supersede OLD --by NEW` when NEW is not accepted: the build counts
/// OLD superseded only once an accepted record replaces it.
pub fn successor_warning(records: &[RecordFile], old: u32, new: u32) -> Option<String> {
    let successor = records.iter().find(|file| file.number == new)?;
    (successor.status != Status::Accepted).then(|| {
        format!(
            "warning: record {new} is {}, not accepted: record {old} reads as superseded by a decision not taken. \
             Accept it with `handbook decision status {new} accepted` once it is decided",
            successor.status.as_str()
        )
    })
}

/// The records of a site, by number.
pub fn records_of(root: &Path, site: &Site) -> Vec<RecordFile> {
    site.decisions
        .iter()
        .map(|decision| {
            let rel = site.pages[decision.page].path.clone();
            RecordFile {
                number: decision.number,
                path: root.join(&rel),
                rel,
                status: decision.status,
            }
        })
        .collect()
}

/// Numbers in record file names on disk, including records the build rejects (bad front
/// matter), so a new record never takes the number of a broken one.
fn numbers_on_disk(root: &Path, config: &Config) -> anyhow::Result<Vec<u32>> {
    let mut numbers = Vec::new();
    for folder in &config.folders.decisions {
        let dir = root.join(folder);
        if !dir.is_dir() {
            continue;
        }
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
        {
            let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".md") {
                numbers.extend(number_from_file_name(&name));
            }
        }
    }
    Ok(numbers)
}

/// Creates the next record (MADR 4 layout with front matter) in the first decisions folder and
/// returns its path.
pub fn new_decision(
    root: &Path,
    config: &Config,
    records: &[RecordFile],
    request: &NewDecision,
) -> anyhow::Result<PathBuf> {
    let title = request.title.trim();
    if title.is_empty() {
        bail!("the decision needs a title, like `handbook new decision \"Use PostgreSQL\"`");
    }
    let on_disk = numbers_on_disk(root, config)?;
    let number = match request.number {
        Some(number) => {
            if let Some(taken) = records.iter().find(|file| file.number == number) {
                bail!("number {number} is taken by {}", taken.path.display());
            }
            if on_disk.contains(&number) {
                bail!("number {number} is taken by a record file named {number:04}-…");
            }
            number
        }
        None => {
            let numbered = records.iter().map(|file| file.number);
            numbered.chain(on_disk).max().unwrap_or(0) + 1
        }
    };
    for target in &request.supersedes {
        find_record(records, *target)?;
    }
    // The first decisions folder named, when it exists; else beside the newest record (a log
    // found in `docs/adr/`); else the first folder named, created.
    let first = root.join(
        config
            .folders
            .decisions
            .first()
            .map_or("decisions", String::as_str),
    );
    let newest = records
        .iter()
        .max_by_key(|file| file.number)
        .and_then(|file| file.path.parent().map(std::path::Path::to_path_buf));
    let dir = match newest {
        Some(folder) if !first.is_dir() => folder,
        _ => first,
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let slug = slugify(title);
    let slug: String = slug.chars().take(60).collect();
    let path = dir.join(format!("{number:04}-{}.md", slug.trim_matches('-')));
    let supersedes = if request.supersedes.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = request.supersedes.iter().map(u32::to_string).collect();
        format!("supersedes: [{}]\n", list.join(", "))
    };
    let team = request.team.as_deref().map_or(String::new(), |team| {
        format!("team: {}\n", yaml_string(team))
    });
    let text = format!(
        "---\ntitle: {}\nstatus: proposed\ndate: {}\ndeciders: []\nconsulted: []\ninformed: []\n{team}tags: []\n{supersedes}# decide_by: YYYY-MM-DD\n---\n\n\
## Context and Problem Statement\n\nWhat is the problem, and why does it need a decision now?\n\n\
## Decision Drivers\n\n* …\n\n## Considered Options\n\n* …\n\n\
## Decision Outcome\n\nChosen option: \"…\", because …\n\n### Consequences\n\n* Good, because …\n* Bad, because …\n\n\
## More Information\n\nLinks, follow-ups, and when to revisit this decision.\n",
        yaml_string(title),
        request.today,
    );
    if !create_new(&path, &text)? {
        bail!("{} already exists", path.display());
    }
    Ok(path)
}

/// What `handbook new update` writes.
#[derive(Debug, Clone)]
pub struct NewUpdate {
    /// Update title.
    pub title: String,
    /// Team id.
    pub team: Option<String>,
    /// Author (person id).
    pub author: Option<String>,
    /// The update's date (today).
    pub today: Date,
}

/// Creates `updates/YYYY/YYYY-MM-DD-slug.md` with the update template. Never overwrites: a
/// second update with the same title on the same day is refused.
pub fn new_update(root: &Path, config: &Config, request: &NewUpdate) -> anyhow::Result<PathBuf> {
    let title = request.title.trim();
    if title.is_empty() {
        bail!(
            "the update needs a title, like `handbook new update \"Platform weekly\" --team platform`"
        );
    }
    let dir = root
        .join(config.folders.updates.trim_matches('/'))
        .join(request.today.year().to_string());
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let slug: String = slugify(title).chars().take(60).collect();
    let path = dir.join(format!("{}-{}.md", request.today, slug.trim_matches('-')));
    let line = |key: &str, value: &Option<String>| {
        value.as_deref().map_or(format!("# {key}: id\n"), |value| {
            format!("{key}: {}\n", yaml_string(value))
        })
    };
    let text = format!(
        "---\ntitle: {}\ndate: {}\n{}{}tags: [weekly]\nsummary: One sentence for the listing and the feed.\n---\n\n\
## Shipped\n\n* …\n\n## In progress\n\n* …\n\n## Blocked\n\nNothing.\n\n## Asks\n\n* …\n",
        yaml_string(title),
        request.today,
        line("author", &request.author),
        line("team", &request.team),
    );
    if !create_new(&path, &text)? {
        bail!("{} already exists", path.display());
    }
    Ok(path)
}

/// Quotes a YAML string value when it could be misread.
fn yaml_string(text: &str) -> String {
    let plain = text
        .chars()
        .all(|c| c.is_alphanumeric() || " -_.,()/&'".contains(c))
        && !text.starts_with(['-', '\'', ' '])
        && !text.ends_with(' ');
    if plain {
        text.to_string()
    } else {
        format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// Finds record `number`.
fn find_record(records: &[RecordFile], number: u32) -> anyhow::Result<&RecordFile> {
    records
        .iter()
        .find(|file| file.number == number)
        .with_context(|| {
            format!("there is no decision record {number}; `handbook decision list` shows them")
        })
}

/// How a record file keeps its metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// YAML front matter (MADR 3/4 and handbook's own).
    FrontMatter,
    /// MADR 2 bullets: `* Status: …`.
    Bullets,
    /// adr-tools: a `## Status` section.
    StatusSection,
}

fn layout(text: &str) -> Layout {
    if front_matter_end(text).is_some() {
        Layout::FrontMatter
    } else if text.lines().any(is_status_bullet) {
        Layout::Bullets
    } else {
        Layout::StatusSection
    }
}

fn is_status_bullet(line: &str) -> bool {
    let lower = line.trim().to_lowercase();
    lower.starts_with("* status:") || lower.starts_with("- status:")
}

/// Sets a record's status, editing only the status line.
pub fn set_status(records: &[RecordFile], number: u32, status: Status) -> anyhow::Result<PathBuf> {
    let record = find_record(records, number)?;
    let text = read(&record.path)?;
    write(&record.path, &with_status(&text, status.as_str()))?;
    Ok(record.path.clone())
}

/// Marks `old` superseded by `new`. Front matter: `old` gets `status: superseded` and `new`
/// lists `old` in `supersedes`. MADR 2: `old`'s bullet reads "superseded by [M](link)" (the
/// relation is derived from it). adr-tools: "Superseded by" and "Supersedes" lines in the
/// Status sections.
pub fn supersede(records: &[RecordFile], old: u32, new: u32) -> anyhow::Result<(PathBuf, PathBuf)> {
    if old == new {
        bail!("a record cannot supersede itself");
    }
    let old_record = find_record(records, old)?;
    let new_record = find_record(records, new)?;
    let old_text = read(&old_record.path)?;
    let new_text = read(&new_record.path)?;
    let old_edited = match layout(&old_text) {
        Layout::FrontMatter => with_status(&old_text, Status::Superseded.as_str()),
        Layout::Bullets | Layout::StatusSection => with_status(
            &old_text,
            &format!(
                "superseded by [{new}]({})",
                relative_link(&old_record.rel, &new_record.rel)
            ),
        ),
    };
    let new_edited = match layout(&new_text) {
        Layout::FrontMatter => add_to_list(&new_text, "supersedes", old),
        Layout::Bullets => new_text.clone(),
        Layout::StatusSection => append_status_line(
            &new_text,
            &format!(
                "Supersedes [{old}]({})",
                relative_link(&new_record.rel, &old_record.rel)
            ),
        ),
    };
    write(&old_record.path, &old_edited)?;
    if new_edited != new_text {
        write(&new_record.path, &new_edited)?;
    }
    Ok((old_record.path.clone(), new_record.path.clone()))
}

/// A relative markdown link from one source file to another (`../platform/0003-x.md`).
fn relative_link(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from
        .split('/')
        .collect::<Vec<_>>()
        .split_last()
        .map_or(Vec::new(), |(_, dir)| dir.to_vec());
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<&str> = vec![".."; from_dir.len() - common];
    parts.extend(&to_parts[common..]);
    parts.join("/")
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// Byte offset of the line closing the front matter, when the text has front matter.
fn front_matter_end(text: &str) -> Option<usize> {
    if !(text.starts_with("---\n") || text.starts_with("---\r\n")) {
        return None;
    }
    let mut offset = text.find('\n')? + 1;
    for line in text[offset..].split_inclusive('\n') {
        if matches!(line.trim_end(), "---" | "...") {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// Replaces (or adds) `key: value` at the top level of the front matter; other lines untouched.
fn set_key(text: &str, key: &str, value: &str) -> String {
    let Some(end) = front_matter_end(text) else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len() + 32);
    let mut offset = 0;
    let mut replaced = false;
    for line in text[..end].split_inclusive('\n') {
        if is_key_line(line, key) && !replaced {
            let newline = if line.ends_with("\r\n") { "\r\n" } else { "\n" };
            let comment = line.find(" #").map_or("", |index| line[index..].trim_end());
            out.push_str(&format!(
                "{key}: {value}{}{newline}",
                if comment.is_empty() {
                    String::new()
                } else {
                    format!(" {}", comment.trim_start())
                }
            ));
            replaced = true;
        } else {
            out.push_str(line);
        }
        offset += line.len();
    }
    if !replaced {
        out.push_str(&format!("{key}: {value}\n"));
    }
    out.push_str(&text[offset.max(end)..]);
    out
}

/// Writes `status` (a lifecycle word, or "superseded by […](…)") where the record keeps it.
fn with_status(text: &str, status: &str) -> String {
    match layout(text) {
        Layout::FrontMatter => set_key(text, "status", status),
        Layout::Bullets => text
            .split_inclusive('\n')
            .map(|line| {
                if is_status_bullet(line) {
                    let newline = if line.ends_with('\n') { "\n" } else { "" };
                    format!("* Status: {status}{newline}")
                } else {
                    line.to_string()
                }
            })
            .collect(),
        Layout::StatusSection => set_status_section(text, &capitalize(status)),
    }
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// Replaces the first line of an adr-tools `## Status` section (adding the section if missing).
fn set_status_section(text: &str, status_line: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let Some(heading) = lines
        .iter()
        .position(|line| line.trim().eq_ignore_ascii_case("## status"))
    else {
        return format!("{}\n## Status\n\n{status_line}\n", text.trim_end());
    };
    let mut out: Vec<String> = lines.iter().map(|line| line.to_string()).collect();
    let first = (heading + 1..lines.len()).find(|&i| !lines[i].trim().is_empty());
    match first {
        Some(index) if !lines[index].trim_start().starts_with('#') => {
            out[index] = format!("{status_line}\n")
        }
        _ => out.insert(heading + 1, format!("\n{status_line}\n")),
    }
    out.concat()
}

/// Adds a line at the end of the `## Status` section of an adr-tools record.
fn append_status_line(text: &str, line_text: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let Some(heading) = lines
        .iter()
        .position(|line| line.trim().eq_ignore_ascii_case("## status"))
    else {
        return format!("{}\n## Status\n\n{line_text}\n", text.trim_end());
    };
    let end = (heading + 1..lines.len())
        .find(|&i| lines[i].starts_with('#'))
        .unwrap_or(lines.len());
    let mut out: Vec<String> = lines.iter().map(|line| line.to_string()).collect();
    let mut insert_at = end;
    while insert_at > heading + 1 && out[insert_at - 1].trim().is_empty() {
        insert_at -= 1;
    }
    out.insert(insert_at, format!("\n{line_text}\n"));
    out.concat()
}

/// Adds `number` to a flow list key (`supersedes: [1, 2]`), creating the key if needed.
fn add_to_list(text: &str, key: &str, number: u32) -> String {
    let Some(end) = front_matter_end(text) else {
        return text.to_string();
    };
    let current = text[..end]
        .lines()
        .find(|line| is_key_line(line, key))
        .and_then(|line| line.split_once(':'))
        .map(|(_, value)| value.split(" #").next().unwrap_or("").trim().to_string());
    let mut numbers: Vec<u32> = current
        .as_deref()
        .unwrap_or("")
        .trim_matches(['[', ']'])
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    if !numbers.contains(&number) {
        numbers.push(number);
    }
    numbers.sort_unstable();
    let list: Vec<String> = numbers.iter().map(u32::to_string).collect();
    set_key(text, key, &format!("[{}]", list.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_key_changes_one_line_and_keeps_the_rest_byte_for_byte() {
        let text = "---\ntitle: A\nstatus: proposed   # proposed | accepted\ntags: [x]\n---\n\nBody *kept*  \n";
        assert_eq!(
            set_key(text, "status", "accepted"),
            "---\ntitle: A\nstatus: accepted # proposed | accepted\ntags: [x]\n---\n\nBody *kept*  \n"
        );
        assert_eq!(
            set_key("---\ntitle: A\n---\nB", "status", "rejected"),
            "---\ntitle: A\nstatus: rejected\n---\nB"
        );
    }

    #[test]
    fn adr_tools_status_sections_are_edited_in_place() {
        let text = "# 2. Old\n\nDate: 2018-03-01\n\n## Status\n\nAccepted\n\n## Context\n\nX\n";
        assert_eq!(
            with_status(text, "deprecated"),
            "# 2. Old\n\nDate: 2018-03-01\n\n## Status\n\nDeprecated\n\n## Context\n\nX\n"
        );
        assert_eq!(
            append_status_line(
                "# 3. New\n\n## Status\n\nAccepted\n\n## Context\n",
                "Supersedes [2](0002-old.md)"
            ),
            "# 3. New\n\n## Status\n\nAccepted\n\nSupersedes [2](0002-old.md)\n\n## Context\n"
        );
    }

    #[test]
    fn links_between_records_are_relative() {
        assert_eq!(
            relative_link("decisions/0001-a.md", "decisions/0003-b.md"),
            "0003-b.md"
        );
        assert_eq!(
            relative_link("decisions/0001-a.md", "platform/adr/0003-b.md"),
            "../platform/adr/0003-b.md"
        );
    }

    #[test]
    fn madr2_bullets_are_edited_in_place() {
        let text = "# T\n\n* Status: proposed\n* Date: 2020-01-01\n";
        assert_eq!(
            with_status(text, "accepted"),
            "# T\n\n* Status: accepted\n* Date: 2020-01-01\n"
        );
    }

    #[test]
    fn supersedes_lists_grow_without_duplicates() {
        let text = "---\ntitle: B\nsupersedes: [3]\n---\n";
        assert_eq!(
            add_to_list(text, "supersedes", 1),
            "---\ntitle: B\nsupersedes: [1, 3]\n---\n"
        );
        assert_eq!(add_to_list(text, "supersedes", 3), text);
        assert_eq!(
            add_to_list("---\ntitle: B\n---\n", "supersedes", 2),
            "---\ntitle: B\nsupersedes: [2]\n---\n"
        );
    }

    #[test]
    fn titles_are_quoted_only_when_yaml_would_misread_them() {
        assert_eq!(yaml_string("Use PostgreSQL"), "Use PostgreSQL");
        assert_eq!(yaml_string("Yes: or no?"), "\"Yes: or no?\"");
        assert_eq!(yaml_string("- dash"), "\"- dash\"");
    }
}
