//! The watch logic, kept pure: turning a batch of file-system events into a rebuild plan, and
//! the debounce that decides when a batch is complete. No file system, no clock: callers pass
//! paths and instants, so both are tested as plain functions.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::config::CONFIG_FILE;

/// What an event says about its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// A file was created, written or removed.
    File,
    /// A folder was created or removed: its contents must be walked again.
    Folder,
    /// A rename or an event that does not say (the path may be a file or a folder).
    Unknown,
}

/// One touched path, relative to the handbook root with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touch {
    /// Source-relative path.
    pub path: String,
    /// What the event said.
    pub entry: Entry,
}

impl Touch {
    /// A touched path.
    pub fn new(path: impl Into<String>, entry: Entry) -> Self {
        Touch {
            path: path.into(),
            entry,
        }
    }
}

/// What a batch of events requires, from the most to the least work.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    /// `handbook.yml` changed: everything is rebuilt.
    pub config: bool,
    /// A theme file changed: templates reload and every page is rendered again from the
    /// parsed model, without reading or parsing markdown.
    pub theme: bool,
    /// A folder appeared, vanished or was renamed: the tree is walked again (unchanged files
    /// keep their parsed pages).
    pub rescan: bool,
    /// Markdown files to read again (written, created, removed or renamed).
    pub markdown: BTreeSet<String>,
    /// Other paths to look at again: copied files, or renamed folders.
    pub other: BTreeSet<String>,
}

impl Plan {
    /// True when nothing needs doing.
    pub fn is_empty(&self) -> bool {
        !self.config
            && !self.theme
            && !self.rescan
            && self.markdown.is_empty()
            && self.other.is_empty()
    }
}

/// Paths the classifier ignores besides hidden ones.
#[derive(Debug, Default, Clone)]
pub struct Ignore {
    /// The output folder when it is inside the handbook (`public`), relative to the root.
    pub output: Option<String>,
}

/// Classifies a batch of touched paths into a plan. Hidden paths (`.git/`, editor swap files
/// like `.notes.md.swp`), the output folder, editor backups (`notes.md~`, `#notes.md#`) and
/// `_`/`node_modules` folders never trigger work; the theme folder and `handbook.yml` do.
pub fn classify(touches: &[Touch], ignore: &Ignore) -> Plan {
    let mut plan = Plan::default();
    for touch in touches {
        let path = touch.path.trim_matches('/');
        if path.is_empty() {
            plan.rescan = true;
            continue;
        }
        if ignored(path, ignore) {
            continue;
        }
        if path == CONFIG_FILE {
            plan.config = true;
        } else if path == "themes" || path.starts_with("themes/") {
            plan.theme = true;
        } else if touch.entry == Entry::Folder {
            plan.rescan = true;
        } else if crate::load::is_markdown(path) {
            plan.markdown.insert(path.to_string());
        } else {
            plan.other.insert(path.to_string());
        }
    }
    plan
}

fn ignored(path: &str, ignore: &Ignore) -> bool {
    if let Some(output) = &ignore.output {
        let output = output.trim_matches('/');
        if !output.is_empty()
            && path
                .strip_prefix(output)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        {
            return true;
        }
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    path.split('/')
        .any(|part| part.starts_with('.') || part == "node_modules")
        || name.ends_with('~')
        || name.starts_with('#')
}

/// Collects events until a batch is complete: `quiet` after the last event, but never longer
/// than `max_wait` after the first, so a steady stream of writes still gets rebuilt.
#[derive(Debug)]
pub struct Debouncer {
    quiet: Duration,
    max_wait: Duration,
    pending: Vec<Touch>,
    first: Option<Instant>,
    last: Option<Instant>,
}

impl Debouncer {
    /// A debouncer with the given quiet period and longest wait.
    pub fn new(quiet: Duration, max_wait: Duration) -> Self {
        Debouncer {
            quiet,
            max_wait,
            pending: Vec::new(),
            first: None,
            last: None,
        }
    }

    /// Adds the touches of one event received at `now`.
    pub fn push(&mut self, touches: impl IntoIterator<Item = Touch>, now: Instant) {
        let before = self.pending.len();
        self.pending.extend(touches);
        if self.pending.len() > before {
            self.first.get_or_insert(now);
            self.last = Some(now);
        }
    }

    /// When the current batch completes, if one is pending.
    pub fn deadline(&self) -> Option<Instant> {
        let (first, last) = (self.first?, self.last?);
        Some((last + self.quiet).min(first + self.max_wait))
    }

    /// The batch, if it is complete at `now`.
    pub fn take(&mut self, now: Instant) -> Option<Vec<Touch>> {
        if self.deadline()? > now {
            return None;
        }
        self.first = None;
        self.last = None;
        Some(std::mem::take(&mut self.pending))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(touches: &[(&str, Entry)]) -> Plan {
        let touches: Vec<Touch> = touches
            .iter()
            .map(|(path, entry)| Touch::new(*path, *entry))
            .collect();
        classify(
            &touches,
            &Ignore {
                output: Some("public".into()),
            },
        )
    }

    #[test]
    fn a_save_through_a_temp_file_and_rename_is_one_markdown_change() {
        // vim: write `.notes.md.swp`, create `4913`-style probes under a dot name, rename.
        let plan = plan(&[
            ("docs/.notes.md.swp", Entry::File),
            ("docs/notes.md~", Entry::File),
            ("docs/notes.md", Entry::Unknown),
            ("docs/notes.md", Entry::File),
            ("docs/#notes.md#", Entry::File),
        ]);
        assert_eq!(plan.markdown, BTreeSet::from(["docs/notes.md".to_string()]));
        assert!(!plan.rescan && !plan.theme && !plan.config && plan.other.is_empty());
    }

    #[test]
    fn config_theme_folders_and_statics_are_told_apart() {
        let plan = plan(&[
            ("handbook.yml", Entry::File),
            ("themes/custom/templates/page.html", Entry::File),
            ("docs/guides", Entry::Folder),
            ("img/logo.png", Entry::File),
            ("docs/old-name", Entry::Unknown),
        ]);
        assert!(plan.config && plan.theme && plan.rescan);
        assert!(plan.markdown.is_empty());
        assert_eq!(
            plan.other,
            BTreeSet::from(["docs/old-name".to_string(), "img/logo.png".to_string()])
        );
    }

    #[test]
    fn output_git_and_dependency_paths_are_ignored_but_underscore_folders_are_content() {
        let found = plan(&[
            ("public/index.html", Entry::File),
            ("public", Entry::Folder),
            (".git/index", Entry::File),
            ("_drafts/x.md", Entry::File),
            ("node_modules/a/readme.md", Entry::File),
            ("publication.md", Entry::File),
        ]);
        assert_eq!(
            found.markdown,
            BTreeSet::from(["_drafts/x.md".to_string(), "publication.md".to_string()])
        );
        assert!(!found.rescan);
        assert!(plan(&[(".git", Entry::Folder)]).is_empty());
    }

    #[test]
    fn the_root_itself_means_walk_again() {
        assert!(plan(&[("", Entry::Unknown)]).rescan);
    }

    #[test]
    fn a_batch_closes_after_the_quiet_period() {
        let start = Instant::now();
        let ms = Duration::from_millis;
        let mut debouncer = Debouncer::new(ms(20), ms(100));
        assert_eq!(debouncer.deadline(), None);
        assert_eq!(debouncer.take(start), None);
        debouncer.push([Touch::new("a.md", Entry::File)], start);
        debouncer.push([Touch::new("a.md", Entry::File)], start + ms(5));
        assert_eq!(debouncer.deadline(), Some(start + ms(25)));
        assert_eq!(debouncer.take(start + ms(24)), None);
        let batch = debouncer.take(start + ms(25)).expect("due");
        assert_eq!(batch.len(), 2);
        assert_eq!(debouncer.deadline(), None);
    }

    #[test]
    fn a_steady_stream_is_cut_at_the_longest_wait() {
        let start = Instant::now();
        let ms = Duration::from_millis;
        let mut debouncer = Debouncer::new(ms(20), ms(100));
        for step in 0..10 {
            debouncer.push([Touch::new("a.md", Entry::File)], start + ms(step * 15));
        }
        assert_eq!(debouncer.deadline(), Some(start + ms(100)));
        assert!(debouncer.take(start + ms(100)).is_some());
    }

    #[test]
    fn an_event_with_no_paths_starts_no_batch() {
        let mut debouncer = Debouncer::new(Duration::ZERO, Duration::ZERO);
        debouncer.push([], Instant::now());
        assert_eq!(debouncer.deadline(), None);
    }
}
