//! Model: turns loaded sources into an immutable `Site` (pages, link graph, navigation, tags)
//! plus diagnostics. Parsing runs in parallel with rayon; nothing here does I/O.

pub mod check;
pub mod decision;
pub mod digest;
pub mod events;
pub mod facts;
pub mod keys;
pub mod kind;
pub mod links;
pub mod nav;
pub mod owners;
pub mod page;
pub mod people;
pub mod profile;
pub mod review;
pub mod updates;

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::git::History;
use crate::load::{Loaded, StaticFile};
use links::{LinkGraph, LinkTargets, WikiNames};
use nav::Nav;
use page::{Page, PageId, PageKind, parse_page, slugify};

/// A tag and the pages carrying it.
#[derive(Debug, Clone)]
pub struct Tag {
    /// The tag as first written.
    pub name: String,
    /// URL segment (`tags/<slug>/`).
    pub slug: String,
    /// Pages with the tag, in path order.
    pub pages: Vec<PageId>,
}

/// Everything the renderer and search need, built once per build and never mutated.
#[derive(Debug, Default)]
pub struct Site {
    /// Published pages, sorted by source path.
    pub pages: Vec<Page>,
    /// Files copied as they are.
    pub statics: Vec<StaticFile>,
    /// Resolved links and backlinks.
    pub links: LinkGraph,
    /// Section tree and reading order.
    pub nav: Nav,
    /// Tags by slug.
    pub tags: BTreeMap<String, Tag>,
    /// Decision records sorted by number, with derived relations.
    pub decisions: Vec<decision::Decision>,
    /// Updates, newest first.
    pub updates: Vec<updates::Update>,
    by_path: HashMap<String, PageId>,
    by_url: HashMap<String, PageId>,
    static_paths: HashSet<String>,
    static_folders: HashSet<String>,
    /// Generated folder listings by URL, with the folder's nav node: a folder without a landing
    /// page gets one at its own URL (`""` for a root without one), a folder whose sidebar list
    /// is cut short ("N more…") gets one at `<folder>/all-pages/`. No page is reachable only
    /// through search.
    pub listings: HashMap<String, nav::NodeId>,
    unpublished: HashMap<String, String>,
    /// Built with `--strict` (link checks report more).
    strict: bool,
    repository: Option<String>,
    forge: Option<String>,
    drafts: HashSet<String>,
    base_path: String,
    /// The handbook folder inside its git repository (`docs-site/`, or empty).
    pub repo_prefix: String,
    names: WikiNames,
    decision_of_page: HashMap<PageId, usize>,
    update_of_page: HashMap<PageId, usize>,
    /// Person and team pages by id.
    pub directory: owners::Directory,
    /// What each person and team page is linked to: owned pages, updates, decisions, teams.
    pub relations: HashMap<PageId, people::Relations>,
    /// The build's date, set once by the pipeline: review states, deadlines and time-zone
    /// offsets are as of it. No stage reads the clock.
    pub today: page::Date,
}

impl Site {
    /// Every page's URL under `base_path` (`/handbook/teams/platform/`), percent-encoded, by
    /// page id: what pages, feeds, search and the export all link to.
    pub fn page_urls(&self, base_path: &str) -> Vec<String> {
        self.pages
            .iter()
            .map(|page| format!("{base_path}{}", links::encode_path(&page.url)))
            .collect()
    }

    /// The decision record with this number.
    pub fn decision(&self, number: u32) -> Option<&decision::Decision> {
        self.decisions
            .binary_search_by_key(&number, |decision| decision.number)
            .ok()
            .map(|index| &self.decisions[index])
    }

    /// The decision record shown on a page.
    pub fn decision_of_page(&self, page: PageId) -> Option<&decision::Decision> {
        self.decision_of_page
            .get(&page)
            .map(|&index| &self.decisions[index])
    }

    /// True when a file at this site-relative path is copied as it is.
    pub fn static_path_exists(&self, path: &str) -> bool {
        self.static_paths.contains(path)
    }

    /// The page at a source path.
    pub fn page_by_path(&self, path: &str) -> Option<&Page> {
        self.by_path.get(path).map(|&id| &self.pages[id])
    }

    /// The id of the page built from a source path.
    pub fn id_by_path(&self, path: &str) -> Option<PageId> {
        self.by_path.get(path).copied()
    }

    /// The update shown on a page.
    pub fn update_of_page(&self, page: PageId) -> Option<&updates::Update> {
        self.update_of_page
            .get(&page)
            .map(|&index| &self.updates[index])
    }
}

/// Options that change what is published.
#[derive(Debug, Clone, Copy, Default)]
pub struct ModelOptions {
    /// Publish pages marked `draft: true`.
    pub drafts: bool,
    /// Today's date, for deadlines such as `decide_by` (`pipeline::today`, which honours
    /// `SOURCE_DATE_EPOCH`).
    pub today: page::Date,
    /// Also report front-matter keys handbook does not know (`--strict`).
    pub strict: bool,
}

/// Builds the site model from loaded sources and their git history.
pub fn build(
    config: &Config,
    loaded: Loaded,
    history: &History,
    options: ModelOptions,
) -> (Site, Vec<Diagnostic>) {
    let Loaded {
        sources,
        statics,
        diagnostics: mut found,
        unpublished,
        ..
    } = loaded;
    let parsed: Vec<Result<Page, Diagnostic>> = sources
        .into_par_iter()
        .map(|source| parse(config, source))
        .collect();
    let mut pages = Vec::with_capacity(parsed.len());
    let mut unpublished = unpublished;
    for result in parsed {
        match result {
            Ok(page) => pages.push(page),
            Err(diagnostic) => {
                // Its error is reported; links to it are not reported again.
                unpublished.insert(diagnostic.path.clone(), links::HAS_ERRORS.to_string());
                found.push(diagnostic);
            }
        }
    }
    let (site, mut more) = assemble(config, pages, statics, &unpublished, history, options);
    found.append(&mut more);
    found.extend(git_warning(history));
    (site, found)
}

/// One warning when pages get no dates or authors from git, saying why.
fn git_warning(history: &History) -> Option<Diagnostic> {
    if history.shallow {
        return Some(
            Diagnostic::warning(
                "",
                0,
                0,
                "git",
                "this is a shallow git clone, so every page would look updated on the day of the \
                 clone; dates and authors from git are left out"
                    .into(),
            )
            .with_help(
                "fetch the full history: `fetch-depth: 0` in actions/checkout (GitHub Actions), \
                 `GIT_DEPTH: 0` (GitLab CI), or `git fetch --unshallow`",
            ),
        );
    }
    let problem = history.problem.as_ref()?;
    Some(
        Diagnostic::warning(
            "",
            0,
            0,
            "git",
            format!("pages have no dates or authors from git: {problem}"),
        )
        .with_help("front-matter `date` and `updated` still apply"),
    )
}

/// Parses one source into a page of the kind its folder and name give it.
pub fn parse(config: &Config, source: crate::load::Source) -> Result<Page, Diagnostic> {
    let kind = kind_of(config, &source);
    parse_page(source, kind, &config.markdown)
}

/// Puts parsed pages (sorted by path) together into a site: leaves out drafts, attaches git
/// history, resolves links, and builds navigation, tags and the decision log.
pub fn assemble(
    config: &Config,
    pages: Vec<Page>,
    statics: Vec<StaticFile>,
    unpublished: &HashMap<String, String>,
    history: &History,
    options: ModelOptions,
) -> (Site, Vec<Diagnostic>) {
    let mut found = Vec::new();
    let mut drafts = HashSet::new();
    let mut by_url: HashMap<String, PageId> = HashMap::with_capacity(pages.len());
    let mut kept = Vec::with_capacity(pages.len());
    for mut page in pages {
        page.git = history.get(&page.path).cloned();
        if page.is_draft && !options.drafts {
            drafts.insert(page.path.clone());
            continue;
        }
        if let Some(&first) = by_url.get(&page.url)
            && let Some(moved) = landing_aside(&kept[first], &page)
        {
            // A folder's page keeps the folder's URL: `README.md` beside `index.md` is
            // published as `readme/`, GitBook's `x.md` beside `x/README.md` as `x/x/`.
            let mut aside = if moved == 0 {
                std::mem::replace(&mut kept[first], page)
            } else {
                page
            };
            let url = aside_url(&aside);
            if let std::collections::hash_map::Entry::Vacant(slot) = by_url.entry(url.clone()) {
                slot.insert(kept.len());
                aside.url = url;
                kept.push(aside);
                continue;
            }
            page = aside;
        }
        if let Some(&first) = by_url.get(&page.url) {
            let first: &Page = &kept[first];
            found.push(
                Diagnostic::error(
                    &page.path,
                    0,
                    0,
                    "duplicate-url",
                    format!(
                        "'{}' and '{}' both publish to /{}",
                        first.path, page.path, page.url
                    ),
                )
                .with_help("rename one of the files, or give one a different `slug`"),
            );
            continue;
        }
        by_url.insert(page.url.clone(), kept.len());
        kept.push(page);
    }
    let mut pages = kept;
    let directory = owners::Directory::new(&pages);
    let codeowners = history.codeowners.as_ref().map(|file| {
        let (rules, mut problems) = owners::CodeOwners::parse(file);
        found.append(&mut problems);
        rules
    });
    owners::assign(&mut pages, codeowners.as_ref(), &history.prefix, &directory);
    for page in &mut pages {
        page.review = review::schedule(page, config, Some(options.today));
    }
    let (updates, mut update_problems) = updates::build(&mut pages);
    found.append(&mut update_problems);
    let by_path: HashMap<String, PageId> = pages
        .iter()
        .enumerate()
        .map(|(id, page)| (page.path.clone(), id))
        .collect();
    let static_paths: HashSet<String> = statics.iter().map(|file| file.path.clone()).collect();
    let static_folders = folders_of(&static_paths);
    let base_path = config.base_path();
    let (names, nav) = rayon::join(|| WikiNames::new(&pages), || nav::build(&pages));
    let listings = folder_listings(&nav, &by_url, config.nav.max_siblings);
    let forge = config.forge_blob_url(&history.prefix);
    let targets = LinkTargets {
        by_path: &by_path,
        by_url: &by_url,
        statics: &static_paths,
        static_folders: &static_folders,
        listings: &listings,
        drafts: &drafts,
        base_path: &base_path,
        names: &names,
        strict: options.strict,
        unpublished,
        repository: config
            .repo_url
            .as_deref()
            .map(|repo| (repo, history.prefix.as_str())),
        forge: forge.as_deref(),
    };
    let (links, mut link_problems) = links::resolve(&pages, &targets);
    found.append(&mut link_problems);
    found.extend(check_aliases(&pages, &by_url));
    let tags = collect_tags(&pages);
    let (decisions, mut decision_problems) =
        decision::build(&pages, Some(options.today), options.strict);
    found.append(&mut decision_problems);
    let relations = people::relations(&pages, &directory, &updates, &decisions);
    let site = Site {
        pages,
        statics,
        links,
        nav,
        tags,
        decision_of_page: decisions
            .iter()
            .enumerate()
            .map(|(index, d)| (d.page, index))
            .collect(),
        decisions,
        update_of_page: updates
            .iter()
            .enumerate()
            .map(|(index, update)| (update.page, index))
            .collect(),
        updates,
        by_path,
        by_url,
        static_paths,
        static_folders,
        listings,
        unpublished: unpublished.clone(),
        strict: options.strict,
        repository: config.repo_url.clone(),
        forge,
        drafts,
        base_path,
        repo_prefix: history.prefix.clone(),
        names,
        directory,
        relations,
        today: options.today,
    };
    // The site-wide checks read the finished site, each on its own.
    let (site_problems, (review_problems, people_problems)) = rayon::join(
        || check::site(&site, config, options.strict),
        || rayon::join(|| review::check(&site, config), || people::check(&site)),
    );
    found.extend(site_problems);
    found.extend(review_problems);
    found.extend(people_problems);
    (site, found)
}

impl Site {
    /// Swaps in a new version of a published page when nothing outside its own output can
    /// differ: same front matter, title, summary, headings and link destinations, and for a
    /// decision record the same metadata in its body (status, date and relations feed the
    /// decision log). Returns the page's link diagnostics (their lines may have moved), or
    /// gives the page back when the site must be assembled again instead.
    pub fn replace_body(&mut self, page: Page) -> Result<(PageId, Vec<Diagnostic>), Box<Page>> {
        let Some(&id) = self.by_path.get(&page.path) else {
            return Err(Box::new(page));
        };
        let old = &self.pages[id];
        let record_changed = (page.kind.tag() == PageKind::Decision
            || old.kind.tag() == PageKind::Decision)
            && decision::parse_body_header(old.body()) != decision::parse_body_header(page.body());
        if record_changed || page::outline(old) != page::outline(&page) {
            return Err(Box::new(page));
        }
        let mut page = page;
        let old = &mut self.pages[id];
        // Same front matter and path: same owners and schedule; git history is per file.
        page.git = old.git.take();
        page.owners = std::mem::take(&mut old.owners);
        page.review = old.review.take();
        // An update dated by its file name got the date when the site was assembled.
        page.date = page.date.or(old.date);
        self.pages[id] = page;
        let targets = LinkTargets {
            by_path: &self.by_path,
            by_url: &self.by_url,
            statics: &self.static_paths,
            static_folders: &self.static_folders,
            listings: &self.listings,
            drafts: &self.drafts,
            base_path: &self.base_path,
            names: &self.names,
            strict: self.strict,
            unpublished: &self.unpublished,
            repository: self
                .repository
                .as_deref()
                .map(|repo| (repo, self.repo_prefix.as_str())),
            forge: self.forge.as_deref(),
        };
        let resolved = links::resolve_page(id, &self.pages, &targets);
        self.links.hrefs[id] = resolved.hrefs;
        Ok((id, resolved.diagnostics))
    }
}

/// When two pages publish to one URL and one of them is the folder's own page (`index.md`,
/// then `README.md`), the other moves aside: 0 when `a` (already kept) must move, 1 when `b`.
fn landing_aside(a: &Page, b: &Page) -> Option<usize> {
    let rank = |page: &Page| -> u8 {
        if !page.is_landing() {
            return 0;
        }
        let name = page.path.rsplit('/').next().unwrap_or(&page.path);
        if name.eq_ignore_ascii_case("readme.md") {
            1
        } else {
            2
        }
    };
    match rank(a).cmp(&rank(b)) {
        std::cmp::Ordering::Less => Some(0),
        std::cmp::Ordering::Greater => Some(1),
        std::cmp::Ordering::Equal => None,
    }
}

/// Where a page that gave way to a folder's own page is published: `readme/` for a README,
/// else its file name inside the folder's URL.
fn aside_url(page: &Page) -> String {
    let name = page.path.rsplit('/').next().unwrap_or(&page.path);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    format!("{}{}/", page.url, page::slugify(stem))
}

/// Every folder (`img/`, `img/icons/`) that holds one of `paths`.
fn folders_of(paths: &HashSet<String>) -> HashSet<String> {
    let mut folders = HashSet::new();
    for path in paths {
        let mut rest = path.as_str();
        while let Some((folder, _)) = rest.rsplit_once('/') {
            if !folders.insert(format!("{folder}/")) {
                break;
            }
            rest = folder;
        }
    }
    folders
}

/// The generated folder listings (see [`Site::listings`]).
fn folder_listings(
    nav: &nav::Nav,
    by_url: &HashMap<String, PageId>,
    max_siblings: usize,
) -> HashMap<String, nav::NodeId> {
    let mut listings = HashMap::new();
    for (id, node) in nav.nodes.iter().enumerate() {
        if !node.is_section {
            continue;
        }
        let folder = node.folder_url();
        let url = if node.page.is_none() {
            folder
        } else if node.children.len() > max_siblings.max(1) {
            format!("{folder}{ALL_PAGES}")
        } else {
            continue;
        };
        if !by_url.contains_key(&url) {
            listings.insert(url, id);
        }
    }
    listings
}

/// Where a folder's full listing is published when its landing page is an author's page.
pub const ALL_PAGES: &str = "all-pages/";

/// True when `folder` (as written in handbook.yml: `runbooks`, `/runbooks/`) holds `path`;
/// `/`, `.` and the empty folder hold every page.
pub fn holds(folder: &str, path: &str) -> bool {
    let folder = folder.trim_matches('/');
    folder.is_empty()
        || folder == "."
        || path
            .strip_prefix(folder)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Which kind of page a source is, from the configured folders and its name. In a decisions
/// folder only records are records: a file named with a number or a date (`0007-x.md`,
/// `20201016-x.md`), a folder-style record (`0007-x/index.md`), or a file whose front matter
/// declares a `status`. Templates, READMEs, translations and sub-pages there are plain pages.
fn kind_of(config: &Config, source: &crate::load::Source) -> PageKind {
    let path = source.path.as_str();
    // An empty folder setting means no folder of that kind, not every page.
    let in_folder =
        |folder: &str| !matches!(folder.trim_matches('/'), "" | ".") && holds(folder, path);
    if config
        .folders
        .decisions
        .iter()
        .any(|folder| in_decisions_folder(folder, path))
    {
        return if is_record(source) {
            PageKind::Decision
        } else {
            PageKind::Page
        };
    }
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if name == "index.md" || name == "readme.md" {
        PageKind::Page
    } else if in_folder(&config.folders.updates) {
        PageKind::Update
    } else if directly_in(&config.folders.people, path) {
        PageKind::Person
    } else if directly_in(&config.folders.teams, path) {
        PageKind::Team
    } else {
        PageKind::Page
    }
}

/// A decisions folder as configured: a path (`docs/adr`) holds what is under it; a bare name
/// (`adr`, the default `decisions`) is that folder wherever it is (`doc/architecture/adr`).
fn in_decisions_folder(folder: &str, path: &str) -> bool {
    let folder = folder.trim_matches('/');
    if matches!(folder, "" | ".") {
        return false;
    }
    if folder.contains('/') {
        return holds(folder, path);
    }
    let Some((dir, _)) = path.rsplit_once('/') else {
        return false;
    };
    dir.split('/').any(|part| part.eq_ignore_ascii_case(folder))
}

/// Whether a file in a decisions folder is a record (see [`kind_of`]).
fn is_record(source: &crate::load::Source) -> bool {
    let path = source.path.as_str();
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if page::is_template_name(path) {
        return false;
    }
    let declares_status = || {
        crate::yaml::top_level_keys(source.front_matter_text())
            .iter()
            .any(|key| key.name == "status")
    };
    let numbered = |name: &str| {
        decision::number_from_file_name(name).is_some() || decision::date_prefix(name).is_some()
    };
    if name == "index.md" || name == "readme.md" || name == "_index.md" {
        // `0007-use-nats/index.md`, or any folder's index that declares a status.
        let folder = path.rsplit('/').nth(1).unwrap_or("").to_ascii_lowercase();
        return (path.contains('/') && numbered(&format!("{folder}.md"))) || declares_status();
    }
    numbered(&name) || declares_status()
}

/// True for `folder/<name>.md`: person and team pages are the files directly in their folder
/// (the file name is the id); pages in subfolders (`people/benefits/leave.md`) are ordinary.
fn directly_in(folder: &str, path: &str) -> bool {
    let folder = folder.trim_matches('/');
    !matches!(folder, "" | ".")
        && path
            .strip_prefix(folder)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|name| !name.contains('/'))
}

fn check_aliases(pages: &[Page], by_url: &HashMap<String, PageId>) -> Vec<Diagnostic> {
    let mut claimed: HashMap<String, &str> = HashMap::new();
    let mut found = Vec::new();
    for page in pages {
        for alias in &page.aliases {
            let Some(url) = alias_url(alias) else {
                found.push(
                    Diagnostic::warning(
                        &page.path,
                        0,
                        0,
                        "alias",
                        format!("alias '{alias}' is not a path inside the site"),
                    )
                    .with_help("write aliases as site paths, like `/old/path/`"),
                );
                continue;
            };
            if let Some(&owner) = by_url.get(&url) {
                found.push(
                    Diagnostic::error(
                        &page.path,
                        0,
                        0,
                        "alias",
                        format!("alias '{alias}' is the URL of '{}'", pages[owner].path),
                    )
                    .with_help("remove the alias or move the other page"),
                );
            } else if let Some(other) = claimed.insert(url, &page.path) {
                found.push(
                    Diagnostic::error(
                        &page.path,
                        0,
                        0,
                        "alias",
                        format!("alias '{alias}' is also claimed by '{other}'"),
                    )
                    .with_help("an old URL can redirect to one page only"),
                );
            }
        }
    }
    found
}

/// `/old/path` → `old/path/`; `None` for URLs with a scheme, `..` or nothing left.
pub fn alias_url(alias: &str) -> Option<String> {
    if links::is_external(alias) || alias.contains(['\\', '?', '#', '\0']) {
        return None;
    }
    let segments: Vec<&str> = alias
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    if segments.is_empty() || segments.contains(&"..") {
        return None;
    }
    let mut url = segments.join("/");
    if url.ends_with(".html") {
        return Some(url);
    }
    url.push('/');
    Some(url)
}

fn collect_tags(pages: &[Page]) -> BTreeMap<String, Tag> {
    let mut tags: BTreeMap<String, Tag> = BTreeMap::new();
    for (id, page) in pages.iter().enumerate() {
        for name in &page.tags {
            let slug = slugify(name);
            if slug.is_empty() {
                continue;
            }
            let tag = tags.entry(slug.clone()).or_insert_with(|| Tag {
                name: name.trim().to_string(),
                slug,
                pages: Vec::new(),
            });
            if tag.pages.last() != Some(&id) {
                tag.pages.push(id);
            }
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_become_site_paths_and_unsafe_ones_are_refused() {
        assert_eq!(alias_url("/old/path").as_deref(), Some("old/path/"));
        assert_eq!(alias_url("old.html").as_deref(), Some("old.html"));
        assert_eq!(alias_url("/../etc"), None);
        assert_eq!(alias_url("https://x.org/a"), None);
        assert_eq!(alias_url("/"), None);
    }

    fn kind(config: &Config, path: &str, text: &str) -> PageKind {
        kind_of(
            config,
            &crate::load::Source::new(path.into(), text.into()).0,
        )
    }

    #[test]
    fn kinds_come_from_configured_folders() {
        let config = Config::default();
        assert_eq!(kind(&config, "decisions/0001-x.md", ""), PageKind::Decision);
        assert_eq!(kind(&config, "decisions/index.md", ""), PageKind::Page);
        assert_eq!(
            kind(&config, "updates/2026/2026-01-01-x.md", ""),
            PageKind::Update
        );
        assert_eq!(kind(&config, "decisionsx/a.md", ""), PageKind::Page);
    }

    #[test]
    fn only_records_in_a_decisions_folder_are_records() {
        let config = Config::default();
        for (path, text, expected) in [
            (
                "doc/architecture/decisions/0007-x.md",
                "",
                PageKind::Decision,
            ),
            ("docs/adr/20201016-x.md", "", PageKind::Decision),
            ("docs/adr/2020-10-16-x.md", "", PageKind::Decision),
            ("docs/adr/ADR-0003-x.md", "", PageKind::Decision),
            (
                "docs/adr/use-x.md",
                "---\nstatus: accepted\n---\n",
                PageKind::Decision,
            ),
            ("docs/adr/0007-x/index.md", "", PageKind::Decision),
            (
                "docs/adr/pick-db/index.md",
                "---\nstatus: proposed\n---\n",
                PageKind::Decision,
            ),
            (
                "docs/adr/template.md",
                "---\nstatus: accepted\n---\n",
                PageKind::Page,
            ),
            ("docs/adr/adr-template.md", "", PageKind::Page),
            ("docs/adr/0000-template.md", "", PageKind::Page),
            ("docs/adr/README.md", "", PageKind::Page),
            ("docs/adr/0007-x/diagram-notes.md", "", PageKind::Page),
            ("docs/adr/translations.md", "", PageKind::Page),
        ] {
            assert_eq!(kind(&config, path, text), expected, "{path}");
        }
    }
}
