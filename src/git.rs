//! Git history: one `git log` walk per build gives every file's created and last-updated dates,
//! last author, contributors and last commit, following renames. The only module that spawns a
//! process. No git, or a folder outside any repository, gives an empty history, never an error.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::model::page::{Date, parse_date};

/// What git knows about one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileHistory {
    /// Date of the oldest commit touching the file (under any earlier name).
    pub created: Option<Date>,
    /// Date of the newest commit touching it.
    pub updated: Option<Date>,
    /// Author of the newest commit.
    pub last_author: String,
    /// Every author, most recent first.
    pub contributors: Vec<String>,
    /// Full hash of the newest commit.
    pub last_commit: String,
    /// Subject line of the newest commit.
    pub last_subject: String,
}

/// The history of a handbook folder.
#[derive(Debug, Default, Clone)]
pub struct History {
    /// Per path relative to the handbook root (`docs/setup.md`).
    pub files: HashMap<String, FileHistory>,
    /// The handbook folder relative to the repository root (`docs-site/`, or empty), for edit
    /// and history links.
    pub prefix: String,
    /// The clone is shallow: git dates would be wrong, so `files` is left empty.
    pub shallow: bool,
    /// The repository's CODEOWNERS file, when it has one (read beside the log).
    pub codeowners: Option<crate::load::CodeOwnersFile>,
}

impl History {
    /// The history of a file, by path relative to the handbook root.
    pub fn get(&self, path: &str) -> Option<&FileHistory> {
        self.files.get(path)
    }
}

/// Field and record separators in the log format: never in names, emails or subjects.
const RECORD: char = '\u{1e}';
const FIELD: char = '\u{1f}';

/// Reads the history of everything under `root`. Missing git, no repository or a failing
/// command give an empty history (logged at debug level).
pub fn read(root: &Path) -> History {
    // One call: the prefix line (empty at the top), then "true" or "false".
    let Some(answer) = git(
        root,
        &["rev-parse", "--show-prefix", "--is-shallow-repository"],
    ) else {
        log::debug!(
            "no git repository at {}: pages get no git dates",
            root.display()
        );
        return History::default();
    };
    let mut lines = answer.lines();
    let mut history = History {
        prefix: lines.next().unwrap_or("").trim().to_string(),
        ..History::default()
    };
    if lines.next().is_some_and(|shallow| shallow.trim() == "true") {
        history.shallow = true;
        return history;
    }
    match log(root, history.prefix.is_empty()) {
        Ok(files) => history.files = files,
        Err(error) => log::warn!("could not read git history: {error}"),
    }
    history
}

/// Runs a git command in `root`; its stdout when it succeeds.
fn git(root: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Below this many commits one `git log` is quick enough; above it the walk is split in two
/// halves run at once (git's diffing is single-threaded).
const SPLIT_AT: usize = 4000;

/// The history of the handbook folder, streamed from `git log` and folded into per-file
/// histories. A long history is read by two processes at once: the commits after a midpoint,
/// then the midpoint and its ancestors, folded in that order (every commit of the first part is
/// newer, by ancestry, than every commit of the second). At the repository root the pathspec is
/// left out: limiting to `.` costs git half as much again.
fn log(root: &Path, at_top: bool) -> std::io::Result<HashMap<String, FileHistory>> {
    let commits = git(root, &["rev-list", "--no-merges", "HEAD"]).unwrap_or_default();
    let commits: Vec<&str> = commits.lines().collect();
    if commits.is_empty() {
        // A repository without commits yet.
        return Ok(HashMap::new());
    }
    let ranges: Vec<Vec<String>> = if commits.len() > SPLIT_AT {
        let middle = commits[commits.len() / 2];
        vec![
            vec!["HEAD".into(), format!("^{middle}")],
            vec![middle.to_string()],
        ]
    } else {
        vec![vec!["HEAD".into()]]
    };
    let outputs: Vec<std::io::Result<Vec<u8>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = ranges
            .iter()
            .map(|range| scope.spawn(move || log_range(root, at_top, range)))
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err(std::io::ErrorKind::Other.into()))
            })
            .collect()
    });
    let mut folder = Folder::default();
    for output in outputs {
        for chunk in output?.split(|&byte| byte == 0) {
            folder.push(&String::from_utf8_lossy(chunk));
        }
    }
    Ok(folder.files)
}

/// `git log` over one range of commits, as raw `-z` output.
fn log_range(root: &Path, at_top: bool, range: &[String]) -> std::io::Result<Vec<u8>> {
    let format = format!("--format={RECORD}%H{FIELD}%aI{FIELD}%an{FIELD}%s");
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(root)
        .args([
            "-c",
            "core.quotePath=false",
            "log",
            "--no-merges",
            "--name-status",
            "-M",
            "-z",
        ])
        .arg(&format)
        .args(range);
    if !at_top {
        command.args(["--relative", "--", "."]);
    } else {
        command.arg("--");
    }
    let output = command
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(std::io::Error::other("git log failed"))
    }
}

/// Folds `git log -z --name-status` output, newest commit first, into per-file histories.
///
/// With `-z`, each commit's header (`RS hash FS date FS author FS subject`) is one
/// NUL-separated chunk; then statuses and paths follow one per chunk (`\nR100`, old, new,
/// `M`, path, …). Older gits put the first status in the header's chunk after a newline; both
/// shapes are read.
#[derive(Default)]
struct Folder {
    files: HashMap<String, FileHistory>,
    /// Earlier name → the file's current name, learnt from renames seen so far.
    renamed: HashMap<String, String>,
    commit: Commit,
    /// The status letter waiting for its paths, and the old path of a rename.
    pending: Option<(char, Option<String>)>,
}

#[derive(Default, Clone)]
struct Commit {
    hash: String,
    date: Option<Date>,
    author: String,
    subject: String,
}

impl Folder {
    fn push(&mut self, chunk: &str) {
        let chunk = chunk.trim_start_matches('\n');
        if let Some(header) = chunk.strip_prefix(RECORD) {
            // "hash FS date FS author FS subject \n\n STATUS" (the status may be absent).
            let (header, status) = header.split_once('\n').unwrap_or((header, ""));
            let mut fields = header.split(FIELD);
            self.commit = Commit {
                hash: fields.next().unwrap_or("").to_string(),
                date: fields.next().and_then(parse_date),
                author: fields.next().unwrap_or("").to_string(),
                subject: fields.next().unwrap_or("").to_string(),
            };
            self.pending = None;
            let status = status.trim();
            if let Some(letter) = status.chars().next() {
                self.pending = Some((letter, None));
            }
            return;
        }
        match self.pending.take() {
            None => {
                if let Some(letter) = chunk.chars().next() {
                    self.pending = Some((letter, None));
                }
            }
            Some((letter @ ('R' | 'C'), None)) => self.pending = Some((letter, Some(chunk.into()))),
            Some(('R', Some(old))) => {
                let current = self.current(chunk);
                self.touch(&current);
                self.renamed.insert(old, current);
            }
            Some((_, _)) => {
                let current = self.current(chunk);
                self.touch(&current);
            }
        }
    }

    fn current(&self, path: &str) -> String {
        self.renamed
            .get(path)
            .cloned()
            .unwrap_or_else(|| path.to_string())
    }

    /// Records the commit being read against `path`; commits arrive newest first.
    fn touch(&mut self, path: &str) {
        let commit = &self.commit;
        let entry = self
            .files
            .entry(path.to_string())
            .or_insert_with(|| FileHistory {
                updated: commit.date,
                last_author: commit.author.clone(),
                last_commit: commit.hash.clone(),
                last_subject: commit.subject.clone(),
                ..FileHistory::default()
            });
        entry.created = commit.date.or(entry.created);
        if !entry.contributors.contains(&commit.author) {
            entry.contributors.push(commit.author.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(log: &str) -> HashMap<String, FileHistory> {
        let mut folder = Folder::default();
        for chunk in log.split('\0') {
            folder.push(chunk);
        }
        folder.files
    }

    #[test]
    fn renames_are_followed_and_dates_span_the_whole_history() {
        // As `git log -z --name-status` prints it (git 2.47).
        let log = [
            "\u{1e}c3\u{1f}2026-03-01T10:00:00+01:00\u{1f}Ana\u{1f}Rename",
            "\nR100",
            "docs/old.md",
            "docs/new.md",
            "M",
            "index.md",
            "\u{1e}c2\u{1f}2026-02-01T10:00:00Z\u{1f}Ben\u{1f}Edit",
            "\nM",
            "docs/old.md",
            "\u{1e}c1\u{1f}2026-01-01T10:00:00Z\u{1f}Ana\u{1f}Start",
            "\nA",
            "docs/old.md",
            "A",
            "index.md",
            "",
        ]
        .join("\0");
        let files = fold(&log);
        let new = &files["docs/new.md"];
        assert_eq!(new.created, "2026-01-01".parse().ok());
        assert_eq!(new.updated, "2026-03-01".parse().ok());
        assert_eq!(new.last_author, "Ana");
        assert_eq!(new.last_commit, "c3");
        assert_eq!(new.last_subject, "Rename");
        assert_eq!(new.contributors, ["Ana", "Ben"]);
        assert!(!files.contains_key("docs/old.md"));
        assert_eq!(files["index.md"].created, "2026-01-01".parse().ok());
    }
}
