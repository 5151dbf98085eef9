//! Where a build's time goes, for `handbook build --timings`.
//!
//! Two kinds of figures: the wall time of work one thread drives beside others (git, the
//! search index, the listings), and the time of small leaf work summed over every thread that
//! did it (markdown, highlighting, templates), which on 2 cores can exceed the wall time.
//! A leaf timed inside another (highlighting inside markdown) pauses the outer one, so nothing
//! is counted twice. The counters are process-wide and cost two clock reads per call.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A kind of work a build does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// Walking the handbook and reading its files.
    Load,
    /// The `git log` walk (a child process; its wall time).
    Git,
    /// Markdown to HTML, without syntax highlighting.
    Markdown,
    /// Syntax highlighting of fenced code.
    Highlight,
    /// Building template views and running the templates.
    Templates,
    /// Page keys for the render cache.
    Keys,
    /// Listings, feeds, tag pages, sitemap and `handbook.json`.
    Listings,
    /// The tantivy index.
    SearchIndex,
    /// The browser's static search files.
    SearchExport,
}

const ALL: [Activity; 9] = [
    Activity::Load,
    Activity::Git,
    Activity::Markdown,
    Activity::Highlight,
    Activity::Templates,
    Activity::Keys,
    Activity::Listings,
    Activity::SearchIndex,
    Activity::SearchExport,
];

impl Activity {
    /// The name `--timings` prints.
    pub fn name(self) -> &'static str {
        match self {
            Activity::Load => "load",
            Activity::Git => "git history",
            Activity::Markdown => "markdown",
            Activity::Highlight => "highlight",
            Activity::Templates => "templates",
            Activity::Keys => "page keys",
            Activity::Listings => "listings+feeds",
            Activity::SearchIndex => "search index",
            Activity::SearchExport => "search export",
        }
    }
}

static NANOS: [AtomicU64; ALL.len()] = [const { AtomicU64::new(0) }; ALL.len()];

thread_local! {
    /// The leaf activity this thread is in, and since when it was last counted.
    static CURRENT: Cell<Option<(Activity, Instant)>> = const { Cell::new(None) };
}

/// Runs `work` on this thread, adding its duration to `activity` (and pausing the activity
/// it runs inside).
pub fn time<T>(activity: Activity, work: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let outer = CURRENT.replace(Some((activity, started)));
    if let Some((outer, since)) = outer {
        add(outer, started - since);
    }
    let result = work();
    let ended = Instant::now();
    if let Some((_, since)) = CURRENT.get() {
        add(activity, ended - since);
    }
    CURRENT.set(outer.map(|(outer, _)| (outer, ended)));
    result
}

/// Adds `spent` to `activity`: for wall times measured by the caller.
pub fn add(activity: Activity, spent: Duration) {
    let nanos = u64::try_from(spent.as_nanos()).unwrap_or(u64::MAX);
    NANOS[activity as usize].fetch_add(nanos, Ordering::Relaxed);
}

/// Clears every counter (at the start of a build).
pub fn reset() {
    for counter in &NANOS {
        counter.store(0, Ordering::Relaxed);
    }
}

/// One activity's time since the last [`reset`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spent {
    /// [`Activity::name`].
    pub name: &'static str,
    /// How long.
    pub time: Duration,
    /// Summed over threads (leaf work), rather than the wall time of one thread.
    pub summed: bool,
}

/// The time per activity since the last [`reset`], in a fixed order, leaving out activities
/// that did not run.
pub fn snapshot() -> Vec<Spent> {
    ALL.iter()
        .map(|&activity| Spent {
            name: activity.name(),
            time: Duration::from_nanos(NANOS[activity as usize].load(Ordering::Relaxed)),
            summed: matches!(
                activity,
                Activity::Markdown | Activity::Highlight | Activity::Templates | Activity::Keys
            ),
        })
        .filter(|spent| !spent.time.is_zero())
        .collect()
}
