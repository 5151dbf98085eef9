//! Decision-record commands: `new decision` creates the next numbered record, and
//! `decision status` / `decision supersede` edit a record in place, changing only the lines they
//! must (front matter keys, or the `## Status` section of adr-tools records). Writes into the
//! source tree on explicit command only; never overwrites another file.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::config::Config;
use crate::model::decision::{Status, number_from_file_name};
use crate::model::page::{Date, slugify};
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

/// A record file found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFile {
    /// Record number from the file name.
    pub number: u32,
    /// Absolute path.
    pub path: PathBuf,
}

/// Lists numbered record files in every configured decisions folder, by number.
pub fn record_files(root: &Path, config: &Config) -> anyhow::Result<Vec<RecordFile>> {
    let mut files = Vec::new();
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
            if !name.ends_with(".md") {
                continue;
            }
            if let Some(number) = number_from_file_name(&name) {
                files.push(RecordFile {
                    number,
                    path: entry.path(),
                });
            }
        }
    }
    files.sort_by(|a, b| (a.number, &a.path).cmp(&(b.number, &b.path)));
    Ok(files)
}

/// Creates the next record (MADR 4 layout with front matter) in the first decisions folder and
/// returns its path.
pub fn new_decision(
    root: &Path,
    config: &Config,
    request: &NewDecision,
) -> anyhow::Result<PathBuf> {
    let title = request.title.trim();
    if title.is_empty() {
        bail!("the decision needs a title, like `handbook new decision \"Use PostgreSQL\"`");
    }
    let existing = record_files(root, config)?;
    let number = match request.number {
        Some(number) => {
            if let Some(taken) = existing.iter().find(|file| file.number == number) {
                bail!("number {number} is taken by {}", taken.path.display());
            }
            number
        }
        None => existing.iter().map(|file| file.number).max().unwrap_or(0) + 1,
    };
    for target in &request.supersedes {
        if !existing.iter().any(|file| file.number == *target) {
            bail!("there is no record {target} to supersede");
        }
    }
    let folder = config
        .folders
        .decisions
        .first()
        .map_or("decisions", String::as_str);
    let dir = root.join(folder);
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
    let team = request
        .team
        .as_deref()
        .map_or(String::new(), |team| format!("team: {team}\n"));
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

/// Finds the file of record `number`.
pub fn find_record(root: &Path, config: &Config, number: u32) -> anyhow::Result<PathBuf> {
    let files = record_files(root, config)?;
    let mut matching = files.into_iter().filter(|file| file.number == number);
    match (matching.next(), matching.next()) {
        (Some(file), None) => Ok(file.path),
        (Some(first), Some(second)) => bail!(
            "record number {number} is used twice ({} and {}); renumber one first",
            first.path.display(),
            second.path.display()
        ),
        (None, _) => bail!(
            "there is no decision record {number} in {}",
            config.folders.decisions.join(", ")
        ),
    }
}

/// Sets a record's status, editing only the status line.
pub fn set_status(
    root: &Path,
    config: &Config,
    number: u32,
    status: Status,
) -> anyhow::Result<PathBuf> {
    let path = find_record(root, config, number)?;
    let text = read(&path)?;
    let edited = with_status(&text, status);
    write(&path, &edited)?;
    Ok(path)
}

/// Marks `old` superseded by `new`: `old` gets `status: superseded`, `new` lists `old` in
/// `supersedes` (adr-tools records get the matching lines in their Status sections).
pub fn supersede(
    root: &Path,
    config: &Config,
    old: u32,
    new: u32,
) -> anyhow::Result<(PathBuf, PathBuf)> {
    if old == new {
        bail!("a record cannot supersede itself");
    }
    let old_path = find_record(root, config, old)?;
    let new_path = find_record(root, config, new)?;
    let old_text = read(&old_path)?;
    let new_text = read(&new_path)?;
    let file_name = |path: &Path| {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut old_edited = with_status(&old_text, Status::Superseded);
    if front_matter_end(&old_text).is_none() {
        old_edited = set_status_section(
            &old_text,
            &format!("Superseded by [{new}]({})", file_name(&new_path)),
        );
    }
    let new_edited = if front_matter_end(&new_text).is_some() {
        add_to_list(&new_text, "supersedes", old)
    } else {
        append_status_line(
            &new_text,
            &format!("Supersedes [{old}]({})", file_name(&old_path)),
        )
    };
    write(&old_path, &old_edited)?;
    write(&new_path, &new_edited)?;
    Ok((old_path, new_path))
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
        let is_key = line
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with(':'));
        if is_key && !replaced {
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

fn with_status(text: &str, status: Status) -> String {
    if front_matter_end(text).is_some() {
        return set_key(text, "status", status.as_str());
    }
    if text
        .lines()
        .any(|line| line.trim().to_lowercase().starts_with("* status:"))
    {
        return text
            .split_inclusive('\n')
            .map(|line| {
                if line.trim().to_lowercase().starts_with("* status:") {
                    let newline = if line.ends_with('\n') { "\n" } else { "" };
                    format!("* Status: {}{newline}", status.as_str())
                } else {
                    line.to_string()
                }
            })
            .collect();
    }
    set_status_section(text, &capitalize(status.as_str()))
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
    let current = text[..end].lines().find_map(|line| {
        line.strip_prefix(key)
            .and_then(|rest| rest.trim_start().strip_prefix(':'))
            .map(|value| value.split(" #").next().unwrap_or("").trim().to_string())
    });
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
            with_status(text, Status::Deprecated),
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
    fn madr2_bullets_are_edited_in_place() {
        let text = "# T\n\n* Status: proposed\n* Date: 2020-01-01\n";
        assert_eq!(
            with_status(text, Status::Accepted),
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
