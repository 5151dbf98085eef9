//! Decision records: the lifecycle status, the record number, and the metadata that older
//! formats keep in the body (adr-tools/Nygard `## Status` sections, MADR 2 bullet headers).
//! Pure functions over text; part of `model`, no I/O.
//!
//! Not wired into the build yet (issue 11): these are the parsing rules the decision log will
//! use, pinned by tests first.

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
        let word: String = first_line
            .trim_start_matches(['*', '-', '_', ' '])
            .chars()
            .take_while(|c| c.is_alphabetic() || *c == ' ')
            .collect();
        let word = word.trim();
        let status = match word {
            "" => Status::Accepted,
            w if w.starts_with("superseded") || w.starts_with("replaced") => Status::Superseded,
            "accepted" | "approved" | "adopted" | "agreed" | "decided" | "done" | "active" => {
                Status::Accepted
            }
            "proposed" | "pending" | "on hold" | "draft" | "open" | "in review" | "in progress"
            | "under review" | "wip" => Status::Proposed,
            "rejected" | "declined" | "denied" | "abandoned" | "withdrawn" => Status::Rejected,
            "deprecated" | "retired" | "obsolete" | "revoked" => Status::Deprecated,
            _ => return None,
        };
        Some(status)
    }
}

/// The record number from a file name: `0007-use-nats.md` → 7. Date-named files
/// (`20240131-foo.md`, Log4brains) have no number and are numbered by date instead.
pub fn number_from_file_name(name: &str) -> Option<u32> {
    let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
    let rest = &name[digits.len()..];
    if digits.is_empty() || digits.len() > 6 || !(rest.starts_with(['-', '_', '.'])) {
        return None;
    }
    digits.parse().ok()
}

/// Metadata read from a record's body, for formats without front matter.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BodyHeader {
    /// Title from the first `# ` heading, without a leading `12. ` number.
    pub title: Option<String>,
    /// The number in a `# 12. Title` heading.
    pub heading_number: Option<u32>,
    /// Status text as written (first line of `## Status` or `* Status:`).
    pub status: Option<String>,
    /// `Date:` line or `* Date:` bullet, as written.
    pub date: Option<String>,
    /// `* Deciders:` names, split on commas.
    pub deciders: Vec<String>,
    /// Link targets after "Supersedes" in the status section.
    pub supersedes: Vec<String>,
    /// Link targets after "Superseded by".
    pub superseded_by: Vec<String>,
    /// Link targets after "Amends".
    pub amends: Vec<String>,
    /// Link targets after "Amended by".
    pub amended_by: Vec<String>,
}

/// Reads adr-tools/Nygard and MADR 2 metadata from a record body.
pub fn parse_body_header(body: &str) -> BodyHeader {
    let mut header = BodyHeader::default();
    let mut section: Option<String> = None;
    let mut status_lines: Vec<&str> = Vec::new();
    for line in body.lines() {
        let trimmed = line.trim();
        if let Some(title) = trimmed.strip_prefix("# ") {
            if header.title.is_none() {
                let (number, title) = split_numbered_title(title.trim());
                header.heading_number = number;
                header.title = Some(title.to_string());
            }
            continue;
        }
        if let Some(name) = trimmed.strip_prefix("## ") {
            section = Some(name.trim().to_lowercase());
            continue;
        }
        if section.as_deref() == Some("status") {
            if !trimmed.is_empty() {
                status_lines.push(trimmed);
            }
            continue;
        }
        if section.is_none() {
            if let Some(value) = bullet_value(trimmed, "status") {
                status_lines.push(value);
            } else if let Some(value) = bullet_value(trimmed, "deciders") {
                header.deciders = split_names(value);
            } else if let Some(value) = bullet_value(trimmed, "date")
                .or_else(|| trimmed.strip_prefix("Date:").map(str::trim))
            {
                header.date = Some(value.to_string());
            }
        }
    }
    for line in &status_lines {
        let lower = line.to_lowercase();
        let targets = link_targets(line);
        if lower.starts_with("superseded by") {
            header.superseded_by.extend(targets);
        } else if lower.starts_with("supersedes") {
            header.supersedes.extend(targets);
        } else if lower.starts_with("amended by") {
            header.amended_by.extend(targets);
        } else if lower.starts_with("amends") {
            header.amends.extend(targets);
        }
    }
    header.status = status_lines
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

/// `12. Use NATS` → (Some(12), "Use NATS").
fn split_numbered_title(title: &str) -> (Option<u32>, &str) {
    let digits: String = title.chars().take_while(char::is_ascii_digit).collect();
    match title[digits.len()..].strip_prefix(". ") {
        Some(rest) if !digits.is_empty() => (digits.parse().ok(), rest.trim()),
        _ => (None, title),
    }
}

/// `* Status: accepted` → `accepted` (also `- ` bullets, any case of the key).
fn bullet_value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line
        .strip_prefix("* ")
        .or_else(|| line.strip_prefix("- "))?;
    let (name, value) = rest.split_once(':')?;
    name.trim().eq_ignore_ascii_case(key).then(|| value.trim())
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
    fn nygard_records_keep_status_links_and_date_in_the_body() {
        let body = "# 2. Use a single cluster\n\nDate: 2019-03-04\n\n## Status\n\nSuperseded by [6. Run on Fargate](0006-run-on-fargate.md)\n\nSuperseded by [8. Second region](0008-second-region.md)\n\nAmends [1. Record decisions](0001-record-decisions.md)\n\n## Context\n\nText.\n";
        let header = parse_body_header(body);
        assert_eq!(header.title.as_deref(), Some("Use a single cluster"));
        assert_eq!(header.heading_number, Some(2));
        assert_eq!(header.date.as_deref(), Some("2019-03-04"));
        assert_eq!(
            header.status.as_deref(),
            Some("Superseded by [6. Run on Fargate](0006-run-on-fargate.md)")
        );
        assert_eq!(
            header.superseded_by,
            ["0006-run-on-fargate.md", "0008-second-region.md"]
        );
        assert_eq!(header.amends, ["0001-record-decisions.md"]);
        assert_eq!(
            Status::parse(header.status.as_deref().unwrap()),
            Some(Status::Superseded)
        );
    }

    #[test]
    fn madr2_bullet_headers_are_read() {
        let body = "# Use Markdown Architectural Decision Records\n\n* Status: accepted\n* Deciders: Oliver Kopp, Stefan Kapferer\n* Date: 2017-12-04\n\nTechnical Story: none\n\n## Context and Problem Statement\n\n* Status: not this one\n";
        let header = parse_body_header(body);
        assert_eq!(header.status.as_deref(), Some("accepted"));
        assert_eq!(header.deciders, ["Oliver Kopp", "Stefan Kapferer"]);
        assert_eq!(header.date.as_deref(), Some("2017-12-04"));
        assert_eq!(header.heading_number, None);
    }
}
