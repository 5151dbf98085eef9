//! Git history: one `git log` walk per build gives every file's created and last-updated dates,
//! last author, contributors and last commit, following renames. The only module that spawns a
//! process. No git, or a folder outside any repository, gives an empty history, never an error.
//!
//! Authorship reflects people: names go through the repository's `.mailmap` (`%aN`), and a
//! commit listed in `.git-blame-ignore-revs` (bulk reformatting) or made by an author matching
//! `authors.ignore` (bots) counts only for a file's creation date, never as its last update,
//! its last author, a contributor or a change in "What changed".

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::dates::{Date, parse_date};

/// What git knows about one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// The newest commits touching the file, at most one per day and `RECENT_CHANGES` in all,
    /// newest first (the "What changed" digest).
    #[serde(default)]
    pub changes: Vec<Change>,
}

/// One commit to a file, as the digest shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    /// Commit date.
    pub date: Date,
    /// Author name.
    pub author: String,
    /// Subject line.
    pub subject: String,
}

/// How many days of changes a file keeps (enough for a digest of recent weeks).
pub const RECENT_CHANGES: usize = 16;

impl FileHistory {
    /// Adds an older commit's change unless the day is already there or the list is full.
    fn remember(&mut self, change: impl FnOnce() -> Option<Change>, date: Option<Date>) {
        if self.changes.len() >= RECENT_CHANGES
            || date.is_none()
            || self.changes.last().map(|last| last.date) == date
        {
            return;
        }
        self.changes.extend(change());
    }
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
    /// Why there is no history when git could not give one (no git, not a repository,
    /// dubious ownership, a failing log), for one warning.
    pub problem: Option<String>,
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

/// The history saved by the last build (`git.cache` in handbook.yml): every file's history as
/// of commit `head`.
#[derive(serde::Serialize, serde::Deserialize)]
struct Saved {
    version: u32,
    head: String,
    prefix: String,
    /// What decided authorship ([`Authorship::key`]): another `.mailmap`, ignore-revs file or
    /// ignore list means reading the history again.
    #[serde(default)]
    authorship: String,
    files: HashMap<String, FileHistory>,
}

const SAVED_VERSION: u32 = 3;

/// Commits and authors that do not count as anyone's edit.
#[derive(Debug, Clone, Default)]
pub struct Authorship {
    /// Commit hashes (or their prefixes of 7 characters or more) from `.git-blame-ignore-revs`.
    ignored_commits: Vec<String>,
    /// Author name patterns (`*` matches any run of characters), compared after `.mailmap`.
    ignored_authors: Vec<String>,
    /// The `.mailmap` text, for the cache key.
    mailmap: String,
}

impl Authorship {
    /// Reads `.git-blame-ignore-revs` and `.mailmap` at the top of the repository (`top`), with
    /// the configured author patterns.
    pub fn read(top: &Path, ignored_authors: &[String]) -> Authorship {
        let revs = std::fs::read_to_string(top.join(".git-blame-ignore-revs")).unwrap_or_default();
        let ignored_commits = revs
            .lines()
            .map(|line| {
                line.split('#')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .filter(|hash| hash.len() >= 7 && hash.chars().all(|c| c.is_ascii_hexdigit()))
            .collect();
        Authorship {
            ignored_commits,
            ignored_authors: ignored_authors.to_vec(),
            mailmap: std::fs::read_to_string(top.join(".mailmap")).unwrap_or_default(),
        }
    }

    /// Whether a commit counts as its author's edit.
    fn counts(&self, hash: &str, author: &str) -> bool {
        !self
            .ignored_commits
            .iter()
            .any(|ignored| hash.starts_with(ignored.as_str()))
            && !self
                .ignored_authors
                .iter()
                .any(|pattern| matches_pattern(pattern, author))
    }

    /// A fingerprint of everything above.
    fn key(&self) -> String {
        let mut hash = xxhash_rust::xxh3::Xxh3::new();
        for part in self.ignored_commits.iter().chain(&self.ignored_authors) {
            hash.update(part.as_bytes());
            hash.update(&[0]);
        }
        hash.update(self.mailmap.as_bytes());
        format!("{:016x}", hash.digest())
    }
}

/// `text` against `pattern`, where `*` matches any run of characters (case-insensitive).
pub fn matches_pattern(pattern: &str, text: &str) -> bool {
    let pattern = pattern.to_lowercase();
    let text = text.to_lowercase();
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Reads the history of everything under `root`. Missing git, no repository or a failing
/// command give an empty history (logged at debug level). With a `cache` file, only commits
/// newer than the saved ones are read, and the file is brought up to date.
///
/// With `walk` false (`git.history: false`), only where the handbook sits in the repository is
/// read (for edit links and CODEOWNERS), not its commits.
pub fn read(root: &Path, cache: Option<&Path>, ignored_authors: &[String], walk: bool) -> History {
    // One call: the prefix line (empty at the top), then "true" or "false".
    let answer = match git_checked(
        root,
        &["rev-parse", "--show-prefix", "--is-shallow-repository"],
    ) {
        Ok(answer) => answer,
        Err(problem) => {
            // Without the walk, no repository is nothing to warn about.
            return History {
                problem: walk.then_some(problem),
                ..History::default()
            };
        }
    };
    let mut lines = answer.lines();
    let mut history = History {
        prefix: lines.next().unwrap_or("").trim().to_string(),
        ..History::default()
    };
    if !walk {
        return history;
    }
    if lines.next().is_some_and(|shallow| shallow.trim() == "true") {
        history.shallow = true;
        return history;
    }
    let at_top = history.prefix.is_empty();
    // The repository's top: as many folders up as the prefix is deep.
    let top = history
        .prefix
        .split('/')
        .filter(|part| !part.is_empty())
        .fold(root.to_path_buf(), |path, _| path.join(".."));
    let authorship = Authorship::read(&top, ignored_authors);
    // A repository without commits yet has no history to read, and nothing is wrong.
    let Some(head) = git(root, &["rev-parse", "--verify", "-q", "HEAD"]) else {
        return history;
    };
    let Some(cache) = cache else {
        match log(root, at_top, None, &authorship) {
            Ok(folder) => history.files = folder.files,
            Err(error) => history.problem = Some(format!("`git log` failed: {error}")),
        }
        return history;
    };
    let head = head.trim().to_string();
    let saved = crate::output::read_cache(root, cache)
        .and_then(|bytes| serde_json::from_slice::<Saved>(&bytes).ok())
        .filter(|saved| {
            saved.version == SAVED_VERSION
                && saved.prefix == history.prefix
                && saved.authorship == authorship.key()
        })
        // A rebase or a force-push leaves the saved commit off the history: start over.
        .filter(|saved| saved.head == head || is_ancestor(root, &saved.head, &head));
    let result = match saved {
        Some(saved) if saved.head == head => Ok(saved.files),
        Some(saved) => log(root, at_top, Some(&saved.head), &authorship).map(|mut folder| {
            folder.absorb(saved.files);
            folder.files
        }),
        None => log(root, at_top, None, &authorship).map(|folder| folder.files),
    };
    match result {
        Ok(files) => {
            let saved = Saved {
                version: SAVED_VERSION,
                head,
                prefix: history.prefix.clone(),
                authorship: authorship.key(),
                files,
            };
            if let Err(error) = crate::output::save_json(root, cache, &saved) {
                log::warn!("could not write the git cache {}: {error}", cache.display());
            }
            history.files = saved.files;
        }
        Err(error) => history.problem = Some(format!("`git log` failed: {error}")),
    }
    history
}

/// Runs a git command in `root`: its stdout, or why git could not answer, in words.
fn git_checked(root: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => "git is not installed (no `git` on PATH)".to_string(),
            _ => format!("git could not be started: {error}"),
        })?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lower = stderr.to_lowercase();
    Err(if lower.contains("dubious ownership") {
        format!(
            "git refuses the repository because another user owns it (\"dubious ownership\", common \
             in CI containers); run `git config --global --add safe.directory {}`",
            root.display()
        )
    } else if lower.contains("not a git repository") {
        "the handbook is not in a git repository".to_string()
    } else {
        let first = stderr
            .lines()
            .find(|line| !line.trim().is_empty())
            .unwrap_or("")
            .trim();
        format!("git failed: {first}")
    })
}

/// True when commit `old` is an ancestor of (or is) `new`.
fn is_ancestor(root: &Path, old: &str, new: &str) -> bool {
    old.bytes().all(|byte| byte.is_ascii_hexdigit())
        && Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["merge-base", "--is-ancestor", old, new])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
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

/// The history of the handbook folder (commits after `since` only, when given), streamed from
/// `git log` and folded into per-file histories. A long history is read by two processes at
/// once: the commits after a midpoint, then the midpoint and its ancestors, folded in that
/// order (every commit of the first part is newer, by ancestry, than every commit of the
/// second). At the repository root the pathspec is left out: limiting to `.` costs git half as
/// much again.
fn log(
    root: &Path,
    at_top: bool,
    since: Option<&str>,
    authorship: &Authorship,
) -> std::io::Result<Folder> {
    let exclude = since.map(|since| format!("^{since}"));
    let mut range = vec!["HEAD".to_string()];
    range.extend(exclude.clone());
    let mut list = vec!["rev-list", "--no-merges"];
    list.extend(range.iter().map(String::as_str));
    let commits = git(root, &list).unwrap_or_default();
    let commits: Vec<&str> = commits.lines().collect();
    if commits.is_empty() {
        // A repository without commits yet, or nothing new.
        return Ok(Folder::default());
    }
    let ranges: Vec<Vec<String>> = if commits.len() > SPLIT_AT {
        let middle = commits[commits.len() / 2];
        let mut older = vec![middle.to_string()];
        older.extend(exclude);
        vec![vec!["HEAD".into(), format!("^{middle}")], older]
    } else {
        vec![range]
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
    let mut folder = Folder {
        authorship: authorship.clone(),
        ..Folder::default()
    };
    for output in outputs {
        for chunk in output?.split(|&byte| byte == 0) {
            folder.push(&String::from_utf8_lossy(chunk));
        }
    }
    Ok(folder)
}

/// `git log` over one range of commits, as raw `-z` output.
fn log_range(root: &Path, at_top: bool, range: &[String]) -> std::io::Result<Vec<u8>> {
    // `%aN`: the author's name as `.mailmap` maps it.
    let format = format!("--format={RECORD}%H{FIELD}%aI{FIELD}%aN{FIELD}%s");
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
    // git flushes after every commit when its output is a pipe: 50k small writes, each waking
    // this process. GIT_FLUSH=0 lets it fill its buffer (10–25% faster on long histories).
    let output = command
        .env("GIT_FLUSH", "0")
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
    /// Which commits count as edits.
    authorship: Authorship,
}

#[derive(Default, Clone)]
struct Commit {
    /// False for an ignored revision or author: it dates the file's creation, nothing else.
    counts: bool,
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
            let hash = fields.next().unwrap_or("").to_string();
            let date = fields.next().and_then(parse_date);
            let author = fields.next().unwrap_or("").to_string();
            self.commit = Commit {
                counts: self.authorship.counts(&hash, &author),
                hash,
                date,
                author,
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

    /// Folds in the histories of older commits (a saved history), named as they were before
    /// the commits read so far.
    fn absorb(&mut self, older: HashMap<String, FileHistory>) {
        for (path, old) in older {
            let current = self.current(&path);
            match self.files.get_mut(&current) {
                None => {
                    self.files.insert(current, old);
                }
                Some(entry) => {
                    entry.created = old.created.or(entry.created);
                    // The newer commits did not count (ignored revisions or authors): the
                    // last update is the saved one.
                    if entry.last_commit.is_empty() {
                        entry.updated = old.updated;
                        entry.last_author = old.last_author;
                        entry.last_commit = old.last_commit;
                        entry.last_subject = old.last_subject;
                    }
                    for change in old.changes {
                        let date = Some(change.date);
                        entry.remember(|| Some(change), date);
                    }
                    for author in old.contributors {
                        if !entry.contributors.contains(&author) {
                            entry.contributors.push(author);
                        }
                    }
                }
            }
        }
    }

    /// Records the commit being read against `path`; commits arrive newest first.
    fn touch(&mut self, path: &str) {
        let commit = &self.commit;
        let entry = self.files.entry(path.to_string()).or_default();
        entry.created = commit.date.or(entry.created);
        if !commit.counts {
            return;
        }
        // The newest commit that counts is the file's last update.
        if entry.last_commit.is_empty() {
            entry.updated = commit.date;
            entry.last_author = commit.author.clone();
            entry.last_commit = commit.hash.clone();
            entry.last_subject = commit.subject.clone();
        }
        entry.remember(
            || {
                Some(Change {
                    date: commit.date?,
                    author: commit.author.clone(),
                    subject: commit.subject.clone(),
                })
            },
            commit.date,
        );
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
        let days: Vec<(String, &str)> = new
            .changes
            .iter()
            .map(|c| (c.date.to_string(), c.subject.as_str()))
            .collect();
        assert_eq!(
            days,
            [
                ("2026-03-01".into(), "Rename"),
                ("2026-02-01".into(), "Edit"),
                ("2026-01-01".into(), "Start")
            ]
        );
        assert!(!files.contains_key("docs/old.md"));
        assert_eq!(files["index.md"].created, "2026-01-01".parse().ok());
    }

    #[test]
    fn a_saved_history_folds_in_under_the_names_newer_commits_gave() {
        let newer = [
            "\u{1e}c5\u{1f}2026-05-01T10:00:00Z\u{1f}Cy\u{1f}Rename",
            "\nR090",
            "a.md",
            "b.md",
            "",
        ]
        .join("\0");
        let mut folder = Folder::default();
        for chunk in newer.split('\0') {
            folder.push(chunk);
        }
        let saved = |created: &str, author: &str| FileHistory {
            created: created.parse().ok(),
            updated: "2026-04-01".parse().ok(),
            last_author: author.into(),
            contributors: vec![author.into(), "Cy".into()],
            last_commit: "c4".into(),
            last_subject: "Old".into(),
            changes: vec![Change {
                date: "2026-04-01".parse().expect("date"),
                author: author.into(),
                subject: "Old".into(),
            }],
        };
        folder.absorb(HashMap::from([
            ("a.md".to_string(), saved("2026-01-01", "Ana")),
            ("c.md".to_string(), saved("2026-02-01", "Ben")),
        ]));
        let b = &folder.files["b.md"];
        assert_eq!(
            b.created,
            "2026-01-01".parse().ok(),
            "created under its old name"
        );
        assert_eq!(b.updated, "2026-05-01".parse().ok());
        assert_eq!(
            (b.last_commit.as_str(), b.last_author.as_str()),
            ("c5", "Cy")
        );
        assert_eq!(b.contributors, ["Cy", "Ana"]);
        let days: Vec<String> = b.changes.iter().map(|c| c.date.to_string()).collect();
        assert_eq!(
            days,
            ["2026-05-01", "2026-04-01"],
            "saved changes follow newer ones"
        );
        assert_eq!(
            folder.files["c.md"],
            saved("2026-02-01", "Ben"),
            "untouched files keep theirs"
        );
        assert!(!folder.files.contains_key("a.md"));
    }
}
