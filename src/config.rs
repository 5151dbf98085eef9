//! `handbook.yml`: typed configuration with defaults for every key, plus command-line overrides.
//! Paths and the base URL are resolved once here so later stages never re-derive them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};

use crate::diagnostics::{Diagnostic, closest};
use crate::yaml;

/// The file name of the configuration, at the handbook root.
pub const CONFIG_FILE: &str = "handbook.yml";

/// Everything `handbook.yml` can say. Unknown keys are rejected so typos surface.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Site title, shown in the header and the browser tab.
    pub title: String,
    /// One-sentence description for the home page and search engines.
    pub description: String,
    /// Where the site is published: `https://example.org/handbook/` or a path like `/handbook/`.
    pub base_url: String,
    /// Language code for `<html lang>` and the search analyzer.
    pub language: String,
    /// Theme folder name under `themes/`; missing files fall back to the built-in theme.
    pub theme: String,
    /// Output folder, relative to the handbook root.
    pub output: String,
    /// Repository web address, linked from every page.
    pub repo_url: Option<String>,
    /// "Edit this page" link; `{path}` becomes the file's path in the repository.
    pub edit_url: Option<String>,
    /// "View history" link; `{path}` as for `edit_url`.
    pub history_url: Option<String>,
    /// Folders with special meaning.
    pub folders: Folders,
    /// Navigation options.
    pub nav: NavConfig,
    /// Markdown options.
    pub markdown: MarkdownConfig,
    /// Search options.
    pub search: SearchConfig,
    /// Site checks (`handbook check` and `build`).
    pub check: CheckConfig,
    /// What an overdue review is: `warn` (the default), `error` (fails check and build) or
    /// `off`.
    pub freshness: Freshness,
    /// Review schedules and ownership rules.
    pub review: ReviewConfig,
    /// Reading the git history.
    pub git: GitConfig,
    /// Whose commits count as edits.
    pub authors: AuthorsConfig,
    /// Update listings.
    pub updates: UpdatesConfig,
    /// The "What changed" digest and the Atom feeds.
    pub feeds: FeedsConfig,
    /// `llms.txt` and `llms-full.txt`.
    pub llms: LlmsConfig,
    /// Glob patterns (relative to the root) of files and folders that are not content.
    pub exclude: Vec<String>,
    /// Free-form values for themes, seen by templates as `site.extra`.
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Handbook".to_string(),
            description: String::new(),
            base_url: "/".to_string(),
            language: "en".to_string(),
            theme: "default".to_string(),
            output: "public".to_string(),
            repo_url: None,
            edit_url: None,
            history_url: None,
            folders: Folders::default(),
            nav: NavConfig::default(),
            markdown: MarkdownConfig::default(),
            search: SearchConfig::default(),
            check: CheckConfig::default(),
            freshness: Freshness::Warn,
            review: ReviewConfig::default(),
            git: GitConfig::default(),
            authors: AuthorsConfig::default(),
            updates: UpdatesConfig::default(),
            feeds: FeedsConfig::default(),
            llms: LlmsConfig::default(),
            exclude: Vec::new(),
            extra: BTreeMap::new(),
        }
    }
}

/// Search options.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// Build the search index, its browser export and the search box. On by default.
    pub enabled: bool,
    /// Words that find each other: `vacation: [leave, holiday, pto]` makes each of the four
    /// find pages with any of them, in the browser and in `handbook search`. One word each.
    pub synonyms: BTreeMap<String, Vec<String>>,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            enabled: true,
            synonyms: BTreeMap::new(),
        }
    }
}

/// Site checks.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckConfig {
    /// Accepted for older configurations and ignored: the sidebar and the generated folder
    /// listings reach every page, so no page is an orphan (`orphan-page` is no longer reported).
    pub orphans: bool,
    /// Front-matter keys required per folder: `policies: [owner, review_by]`. The folder `/`
    /// (or `.`) means every page.
    pub required: BTreeMap<String, Vec<String>>,
    /// `check --external` options.
    pub external: ExternalConfig,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            orphans: true,
            required: BTreeMap::new(),
            external: ExternalConfig::default(),
        }
    }
}

/// What an overdue review is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Freshness {
    /// A warning: shown, fails only `--strict`.
    Warn,
    /// An error: `check` and `build` fail.
    Error,
    /// Not reported (banners and the review report still show).
    Off,
}

/// Review schedules and ownership rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewConfig {
    /// Days before its due date a page counts as due soon (review report, `handbook stale`).
    pub soon_days: u32,
    /// Review interval per folder for pages that set neither `review_by` nor `review_every`:
    /// `runbooks: 6m`; the deepest folder wins and `/` means every page.
    pub every: BTreeMap<String, crate::dates::Interval>,
    /// Folders whose pages must have an owner (front matter, CODEOWNERS or folder).
    pub require_owner: Vec<String>,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig {
            soon_days: 30,
            every: BTreeMap::new(),
            require_owner: Vec::new(),
        }
    }
}

/// Update listings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdatesConfig {
    /// Updates per listing page (newest first; older ones on `page/2/`, …).
    pub per_page: usize,
}

impl Default for UpdatesConfig {
    fn default() -> Self {
        UpdatesConfig { per_page: 10 }
    }
}

/// The "What changed" digest and the Atom feeds.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedsConfig {
    /// Weeks the digest covers, the current one included; 0 turns the digest and its feeds
    /// off.
    pub digest_weeks: usize,
    /// Entries in each feed, newest first.
    pub entries: usize,
}

impl Default for FeedsConfig {
    fn default() -> Self {
        FeedsConfig {
            digest_weeks: 4,
            entries: 30,
        }
    }
}

/// The files for assistants.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmsConfig {
    /// `llms-full.txt` is written while it stays within this many MiB; a larger handbook's
    /// full text (more than any assistant reads at once) is left out, and `llms.txt` says so.
    /// 0 never writes it.
    pub full_max_mib: usize,
}

impl Default for LlmsConfig {
    fn default() -> Self {
        LlmsConfig { full_max_mib: 16 }
    }
}

/// Whether `url` can be a base URL (an absolute address or a path from the host's root): the
/// problem and what to do otherwise. `./` and other relative paths are refused: pages link
/// relatively already, and the base URL is only for what must be absolute.
pub fn check_base_url(url: &str) -> Result<(), (String, &'static str)> {
    if url.contains(['"', '<', '>', '\'', ' ', '\\']) {
        return Err((
            format!("'{url}' is not a URL"),
            "write it like `https://example.org/handbook/` or `/handbook/`",
        ));
    }
    let path = match url.find("://") {
        Some(at) => url[at + 3..]
            .find('/')
            .map_or("", |slash| &url[at + 3 + slash..]),
        None => url,
    };
    if path.split('/').any(|part| part == "." || part == "..") {
        return Err((
            format!("'{url}' is a relative path"),
            "leave `base_url` out: pages link relatively, so one build works in any folder, under any sub-path and from disk; give the site's address (`https://example.org/handbook/`) only for sitemap, feeds and canonical links",
        ));
    }
    Ok(())
}

/// Authorship from git.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthorsConfig {
    /// Author names (after `.mailmap`; `*` matches anything) whose commits never make anyone a
    /// page's last editor or contributor: bots.
    pub ignore: Vec<String>,
}

impl Default for AuthorsConfig {
    fn default() -> Self {
        AuthorsConfig {
            ignore: vec!["*[bot]".to_string()],
        }
    }
}

/// Reading the git history.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GitConfig {
    /// Whether pages take dates, authors and "What changed" from the repository's commits
    /// (default). Off for a handbook whose repository history is not its own (an example or
    /// vendored docs inside another project): front matter (`date`, `updated`, `updated_by`)
    /// is then the record.
    pub history: bool,
    /// File (relative to the handbook root) keeping the history as of the last build, so the
    /// next build reads only newer commits; none by default, as nothing is written outside the
    /// output folder unasked.
    pub cache: Option<String>,
}

impl Default for GitConfig {
    fn default() -> Self {
        GitConfig {
            history: true,
            cache: None,
        }
    }
}

/// How `handbook check --external` checks http(s) links.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExternalConfig {
    /// Seconds to wait for one response.
    pub timeout: u64,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// File (relative to the handbook root) remembering links that worked, so repeated checks
    /// skip them; none by default, as nothing is written outside the output folder unasked.
    pub cache: Option<String>,
    /// How long a remembered link is trusted, in hours.
    pub cache_hours: u64,
    /// URL prefixes never requested (intranets, sites that refuse robots).
    pub exclude: Vec<String>,
}

impl Default for ExternalConfig {
    fn default() -> Self {
        ExternalConfig {
            timeout: 10,
            concurrency: 8,
            cache: None,
            cache_hours: 24,
            exclude: Vec::new(),
        }
    }
}

/// Folders whose files are records rather than plain pages.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Folders {
    /// Decision-record folders (one or several).
    #[serde(deserialize_with = "one_or_many")]
    pub decisions: Vec<String>,
    /// Dated async updates.
    pub updates: String,
    /// One file per person.
    pub people: String,
    /// One file per team.
    pub teams: String,
}

impl Default for Folders {
    fn default() -> Self {
        Folders {
            decisions: [
                "decisions",
                "adr",
                "adrs",
                "architecture-decisions",
                "architecture-decision-records",
                "decision-records",
            ]
            .map(String::from)
            .to_vec(),
            updates: "updates".to_string(),
            people: "people".to_string(),
            teams: "teams".to_string(),
        }
    }
}

/// Navigation options.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NavConfig {
    /// Extra links in the header, in order.
    pub links: Vec<NavLink>,
    /// How many siblings the sidebar lists around the current page before it summarises the
    /// rest as "N more"; keeps huge folders (years of updates) from making every page huge.
    pub max_siblings: usize,
}

impl Default for NavConfig {
    fn default() -> Self {
        NavConfig {
            links: Vec::new(),
            max_siblings: 40,
        }
    }
}

/// A header link.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct NavLink {
    /// Link text.
    pub title: String,
    /// Absolute URL, or a path inside the site (base URL is prepended).
    pub url: String,
}

/// Markdown rendering options.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MarkdownConfig {
    /// Pass raw HTML in markdown through. Off: it is shown escaped, as text.
    pub raw_html: bool,
    /// Curly quotes and dashes. Off by default: code-like prose stays as typed.
    pub smart_punctuation: bool,
    /// Build-time syntax highlighting of fenced code.
    pub highlight: bool,
    /// `[[Page title]]` and `[[path/to/page|label]]` links, resolved by title, file name or path.
    pub wikilinks: bool,
    /// Fenced `mermaid` blocks drawn as inline SVG at build time. Off: shown as code.
    pub diagrams: bool,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig {
            raw_html: true,
            smart_punctuation: false,
            highlight: true,
            wikilinks: true,
            diagrams: true,
        }
    }
}

fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

/// The configuration file could not be used; the build cannot start (exit code 2).
#[derive(Debug)]
pub struct ConfigError(pub Diagnostic);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.0.location(), self.0.message)?;
        if let Some(help) = &self.0.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The forge URL under which files of the handbook folder are shown
    /// (`https://github.com/o/r/blob/HEAD/docs/`), when `repo_url` is set.
    pub fn forge_blob_url(&self, prefix: &str) -> Option<String> {
        let repo = self.repo_url.as_deref()?.trim_end_matches('/');
        if !(repo.starts_with("https://") || repo.starts_with("http://")) {
            return None;
        }
        let blob = if repo.contains("gitlab") {
            "/-/blob/HEAD/"
        } else {
            "/blob/HEAD/"
        };
        Some(format!("{repo}{blob}{prefix}"))
    }

    /// A hash of every setting (`handbook.yml` and the command-line overrides), for the render
    /// cache. In-process and same-binary use only: it hashes the Debug form.
    pub fn fingerprint(&self) -> u64 {
        xxhash_rust::xxh3::xxh3_64(format!("{self:?}").as_bytes())
    }

    /// Reads `handbook.yml` from `root`, or returns the defaults when there is none.
    pub fn load(root: &Path) -> anyhow::Result<Config> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Config::default());
            }
            Err(error) => {
                return Err(
                    anyhow::Error::new(error).context(format!("reading {}", path.display()))
                );
            }
        };
        Ok(Config::parse(&text)?)
    }

    /// Parses configuration text, turning YAML problems into a positioned diagnostic.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let config: Config = yaml::parse(text).map_err(|error| {
            let mut diagnostic = Diagnostic::error(
                CONFIG_FILE,
                error.line,
                error.column,
                "config",
                error.message.clone(),
            );
            if let Some(key) = unknown_field(&error.message) {
                diagnostic.message = format!("unknown key `{key}`");
                let known = known_list(&error.message);
                let help = match closest(key, known.iter().map(String::as_str)) {
                    Some(known) => format!("did you mean `{known}`?"),
                    None => format!("known keys here: {}", known.join(", ")),
                };
                diagnostic = diagnostic.with_help(help);
            } else {
                diagnostic = diagnostic.with_help("see the configuration reference in the README");
            }
            ConfigError(diagnostic)
        })?;
        config.validate(text)?;
        Ok(config)
    }

    fn validate(&self, text: &str) -> Result<(), ConfigError> {
        let invalid = |message: String, help: &str| {
            ConfigError(Diagnostic::error(CONFIG_FILE, 0, 0, "config", message).with_help(help))
        };
        let invalid_at = |key: &[&str], message: String, help: &str| {
            let line = line_of(text, key);
            ConfigError(
                Diagnostic::error(CONFIG_FILE, line, usize::from(line > 0), "config", message)
                    .with_help(help),
            )
        };
        let theme = self.theme.as_str();
        if theme.is_empty()
            || theme.starts_with('.')
            || theme.contains(['/', '\\', ':'])
            || theme.chars().any(char::is_control)
        {
            return Err(invalid_at(
                &["theme"],
                format!("`theme` '{}' is not a folder name", theme.escape_debug()),
                "name a folder under themes/, like `theme: house`; themes are read only from there",
            ));
        }
        for (key, value, limit) in [
            (&["feeds", "digest_weeks"][..], self.feeds.digest_weeks, 520),
            (&["feeds", "entries"], self.feeds.entries, 10_000),
            (&["updates", "per_page"], self.updates.per_page, 1_000),
            (&["llms", "full_max_mib"], self.llms.full_max_mib, 4_096),
            (&["nav", "max_siblings"], self.nav.max_siblings, 100_000),
            (
                &["review", "soon_days"],
                self.review.soon_days as usize,
                3_650,
            ),
            (
                &["check", "external", "timeout"],
                usize::try_from(self.check.external.timeout).unwrap_or(usize::MAX),
                600,
            ),
            (
                &["check", "external", "concurrency"],
                self.check.external.concurrency,
                256,
            ),
            (
                &["check", "external", "cache_hours"],
                usize::try_from(self.check.external.cache_hours).unwrap_or(usize::MAX),
                87_600,
            ),
        ] {
            if value > limit {
                return Err(invalid_at(
                    key,
                    format!(
                        "`{}` is {value}; the most it can be is {limit}",
                        key.join(".")
                    ),
                    "lower it; see the configuration reference in the README",
                ));
            }
        }
        for (key, value) in [
            (&["updates", "per_page"][..], self.updates.per_page),
            (
                &["check", "external", "concurrency"],
                self.check.external.concurrency,
            ),
        ] {
            if value == 0 {
                return Err(invalid_at(
                    key,
                    format!("`{}` is 0; it must be at least 1", key.join(".")),
                    "remove the line to use the default",
                ));
            }
        }
        for (key, value) in [
            (&["git", "cache"][..], &self.git.cache),
            (&["check", "external", "cache"], &self.check.external.cache),
        ] {
            if let Some(file) = value
                && let Err(problem) = cache_file_problem(file)
            {
                return Err(invalid_at(
                    key,
                    format!("`{}` '{}' {problem}", key.join("."), file.escape_debug()),
                    "name a file inside the handbook, like `.handbook-cache/git.json`",
                ));
            }
        }
        for (word, others) in &self.search.synonyms {
            for word in std::iter::once(word).chain(others) {
                if word.trim().is_empty() || !word.chars().all(char::is_alphanumeric) {
                    return Err(invalid_at(
                        &["search", "synonyms"],
                        format!(
                            "`search.synonyms`: '{}' is not one word",
                            word.escape_debug()
                        ),
                        "write single words, like `vacation: [leave, holiday, pto]`",
                    ));
                }
            }
        }
        let mut urls: Vec<(Vec<&str>, &str, bool)> = vec![
            (
                vec!["repo_url"],
                self.repo_url.as_deref().unwrap_or(""),
                false,
            ),
            (
                vec!["edit_url"],
                self.edit_url.as_deref().unwrap_or(""),
                false,
            ),
            (
                vec!["history_url"],
                self.history_url.as_deref().unwrap_or(""),
                false,
            ),
            (vec!["base_url"], self.base_url.as_str(), false),
        ];
        for link in &self.nav.links {
            urls.push((vec!["nav", "links"], link.url.as_str(), true));
        }
        for (key, url, mail) in urls {
            if let Err(problem) = url_problem(url, mail) {
                return Err(invalid_at(
                    &key,
                    format!("`{}` '{}' {problem}", key.join("."), url.escape_debug()),
                    "write an http(s) address or a path inside the site",
                ));
            }
        }
        if self.output.trim().is_empty() {
            return Err(invalid(
                "`output` is empty".into(),
                "name a folder, like `public`",
            ));
        }
        if let Err(problem) = inside_problem(&self.output) {
            // A pull request may edit handbook.yml: only `-o` on the command line, the
            // operator's choice, may put the site outside the handbook.
            return Err(invalid_at(
                &["output"],
                format!("`output` '{}' {problem}", self.output.escape_debug()),
                "name a folder inside the handbook, like `public`, or pass `-o PATH` to `handbook build`",
            ));
        }
        if let Err((problem, help)) = check_base_url(&self.base_url) {
            return Err(invalid(format!("`base_url` {problem}"), help));
        }
        for pattern in &self.exclude {
            if let Err(error) = globset::Glob::new(pattern) {
                return Err(invalid(
                    format!("`exclude` pattern '{pattern}' is invalid: {error}"),
                    "use glob syntax like `drafts/**` or `*.tmp.md`",
                ));
            }
        }
        Ok(())
    }

    /// Whether `base_url` says where the site lives (anything but the default `/`): then the
    /// 404 page, served at any missing path, can use root-absolute links.
    pub fn base_url_given(&self) -> bool {
        self.base_url.trim() != "/"
    }

    /// The path every internal URL starts with: `/` or `/handbook/`.
    pub fn base_path(&self) -> String {
        let without_origin = match self.base_url.find("://") {
            Some(index) => {
                let rest = &self.base_url[index + 3..];
                rest.find('/').map_or("/", |slash| &rest[slash..])
            }
            None => self.base_url.as_str(),
        };
        let trimmed = without_origin.trim_matches('/');
        if trimmed.is_empty() {
            "/".to_string()
        } else {
            format!("/{trimmed}/")
        }
    }

    /// The absolute site address ending in `/`, when `base_url` has a scheme and host.
    /// Sitemaps and feeds need it; without it they are skipped or use paths.
    pub fn absolute_base(&self) -> Option<String> {
        let index = self.base_url.find("://")?;
        let rest = &self.base_url[index + 3..];
        let host_end = rest.find('/').unwrap_or(rest.len());
        if host_end == 0 {
            return None;
        }
        Some(format!(
            "{}{}",
            &self.base_url[..index + 3 + host_end],
            self.base_path()
        ))
    }

    /// Cache files the user configured (relative to the root): never content.
    pub fn cache_files(&self) -> impl Iterator<Item = &str> {
        [&self.git.cache, &self.check.external.cache]
            .into_iter()
            .flatten()
            .map(String::as_str)
    }

    /// The output folder for a handbook rooted at `root`.
    pub fn output_dir(&self, root: &Path) -> PathBuf {
        root.join(&self.output)
    }
}

/// Why a configured cache file cannot be used: it must stay inside the handbook and outside
/// `.git`, which holds the repository's configuration and hooks.
fn cache_file_problem(file: &str) -> Result<(), &'static str> {
    let path = file.trim_start_matches("./");
    if path.is_empty() || path.ends_with('/') {
        return Err("is not a file name");
    }
    inside_problem(path)?;
    // Caches overwrite whatever is at their path: only in handbook's own cache folders, never
    // over a page, handbook.yml or a CI workflow.
    if !path
        .split('/')
        .next()
        .is_some_and(|first| first.starts_with(".handbook"))
    {
        return Err("must be in a cache folder of handbook's, `.handbook/` or `.handbook-cache/`");
    }
    Ok(())
}

/// Why `path` (from handbook.yml) is not a relative path inside the handbook, outside `.git`.
fn inside_problem(path: &str) -> Result<(), &'static str> {
    let path = path.trim_start_matches("./");
    if path.starts_with('/') || path.contains(['\\', ':']) || path.chars().any(char::is_control) {
        return Err("must be a path relative to the handbook folder");
    }
    let parts: Vec<&str> = path.split('/').collect();
    if parts.contains(&"..") {
        return Err("climbs out of the handbook folder");
    }
    if parts.iter().any(|part| part.eq_ignore_ascii_case(".git")) {
        return Err("is inside .git");
    }
    Ok(())
}

/// Why a configured URL cannot be linked: only http(s) addresses, `mailto:` for header links,
/// and paths inside the site. A `javascript:` or `data:` URL would run script on the site.
fn url_problem(url: &str, mail: bool) -> Result<(), &'static str> {
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("holds spaces or control characters");
    }
    let scheme_end = url.find([':', '/', '?', '#']);
    let Some(end) = scheme_end.filter(|&end| url[end..].starts_with(':')) else {
        return Ok(());
    };
    match url[..end].to_ascii_lowercase().as_str() {
        "http" | "https" => Ok(()),
        "mailto" if mail => Ok(()),
        _ => Err("is not an http(s) address or a path"),
    }
}

/// The line (1-based) where the nested key `path` is written in configuration `text`, or 0.
fn line_of(text: &str, path: &[&str]) -> usize {
    // Indentation of each key of `path` found so far, outermost first.
    let mut indents: Vec<usize> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let Some((key, _)) = trimmed.trim_start_matches("- ").split_once(':') else {
            continue;
        };
        if trimmed.starts_with('#') {
            continue;
        }
        while indents.last().is_some_and(|&outer| indent <= outer) {
            indents.pop();
        }
        if key.trim().trim_matches(['"', '\'']) == path[indents.len()] {
            indents.push(indent);
            if indents.len() == path.len() {
                return index + 1;
            }
        }
    }
    0
}

fn unknown_field(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once("unknown field `")?;
    rest.split('`').next()
}

/// The keys serde lists after "expected one of" (or "expected"), without backticks.
fn known_list(message: &str) -> Vec<String> {
    let list = message
        .split_once("expected one of ")
        .or_else(|| message.split_once("expected "))
        .map_or("", |(_, list)| list);
    list.split(", ")
        .map(|key| key.trim().trim_matches('`').to_string())
        .filter(|key| !key.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_out_of_range_or_unsafe_name_their_line() {
        let error = |text: &str| {
            let error = Config::parse(text).unwrap_err().0;
            (error.line, error.message)
        };
        let (line, message) = error("title: A\nfeeds:\n  entries: 5\n  digest_weeks: 1000001\n");
        assert_eq!(line, 4);
        assert!(message.contains("`feeds.digest_weeks` is 1000001; the most it can be is 520"));
        let (line, message) =
            error("check:\n  required: {}\n  external:\n    timeout: 5\n    cache: ../../x.json\n");
        assert_eq!(line, 5);
        assert!(message.contains("climbs out"), "{message}");
        for bad in ["/tmp/x.json", ".git/config", "a/../../b", "C:\\x"] {
            assert!(
                Config::parse(&format!("git:\n  cache: '{bad}'\n")).is_err(),
                "{bad}"
            );
        }
        assert!(Config::parse("git:\n  cache: .handbook-cache/git.json\n").is_ok());
        assert_eq!(error("updates:\n  per_page: 0\n").0, 2);
        for theme in ["../../etc", "/etc", ".git", "a/b", ""] {
            let (line, message) = error(&format!("theme: '{theme}'\n"));
            assert_eq!(line, 1, "{theme}");
            assert!(message.contains("not a folder name"), "{message}");
        }
        for (key, url) in [
            ("repo_url", "javascript:alert(1)"),
            ("edit_url", "JavaScript:alert(1)//{path}"),
            ("history_url", "data:text/html,x"),
            ("base_url", "vbscript:x"),
            ("repo_url", "java\tscript:alert(1)"),
        ] {
            let (line, message) = error(&format!("title: A\n{key}: \"{url}\"\n"));
            assert_eq!(line, 2, "{key}: {url}");
            assert!(message.contains(key), "{message}");
        }
        let (line, _) =
            error("nav:\n  links:\n    - title: X\n      url: \"javascript:alert(1)\"\n");
        assert_eq!(line, 2);
        let fine = Config::parse(
            "repo_url: https://github.com/o/r\nnav:\n  links:\n    - title: Mail\n      url: mailto:a@b.c\n    - title: Local\n      url: /x/?a=b:c\n",
        );
        assert!(fine.is_ok(), "{:?}", fine.err());
    }

    #[test]
    fn missing_keys_take_defaults() {
        let config = Config::parse("title: Ops\n").unwrap();
        assert_eq!(config.title, "Ops");
        assert_eq!(config.folders.decisions[0], "decisions");
        assert!(config.markdown.raw_html);
    }

    #[test]
    fn unknown_key_names_line_and_suggests_the_right_one() {
        let error = Config::parse("title: A\ntitel: B\n").unwrap_err().0;
        assert_eq!(
            (error.line, error.message.as_str()),
            (2, "unknown key `titel`")
        );
        assert_eq!(error.help.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn nested_unknown_key_lists_known_ones() {
        let error = Config::parse("markdown:\n  rawhtml: false\n")
            .unwrap_err()
            .0;
        assert_eq!(error.line, 2);
        assert!(error.help.unwrap().contains("raw_html"));
    }

    #[test]
    fn base_path_and_absolute_base_come_from_base_url() {
        let mut config = Config::default();
        assert_eq!(
            (config.base_path(), config.absolute_base()),
            ("/".to_string(), None)
        );
        config.base_url = "https://example.org/handbook".into();
        assert_eq!(config.base_path(), "/handbook/");
        assert_eq!(
            config.absolute_base().as_deref(),
            Some("https://example.org/handbook/")
        );
        config.base_url = "https://example.org".into();
        assert_eq!(
            config.absolute_base().as_deref(),
            Some("https://example.org/")
        );
        config.base_url = "docs".into();
        assert_eq!(config.base_path(), "/docs/");
    }

    #[test]
    fn decisions_folder_may_be_one_name_or_a_list() {
        let config = Config::parse("folders:\n  decisions: adr\n").unwrap();
        assert_eq!(config.folders.decisions, vec!["adr"]);
    }
}
