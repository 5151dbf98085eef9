//! Link graph: resolves relative `.md` links, site-absolute links, `[[wikilinks]]` and
//! `#anchors` between pages, maps them to built URLs, builds backlinks and reports broken
//! links. Part of `model`; no I/O.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::model::page::{Page, PageId, slugify};

/// Where each link of each page goes once built.
#[derive(Debug, Default, Clone)]
pub struct LinkGraph {
    /// Per page, per link (document order): what the link becomes in the output.
    pub hrefs: Vec<Vec<Href>>,
    /// Per page, the distinct pages it links to, sorted.
    pub outgoing: Vec<Vec<PageId>>,
    /// Per page, the distinct pages linking to it, sorted.
    pub backlinks: Vec<Vec<Backlink>>,
}

/// The reason given for a page left out because of its own errors (bad front matter): links
/// to it are not reported, its error is.
pub const HAS_ERRORS: &str = "it has errors, reported there";

/// What one link becomes in the output.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Href {
    /// Left as written (external links, and broken ones with nowhere better to point).
    AsWritten,
    /// The site-relative href, path already percent-encoded (`docs/a/#x`, `img/my%20logo.png`).
    To(String),
    /// Not a link at all: a `[[Word]]` that names no page, shown as written.
    Text,
}

/// A page that links to another, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backlink {
    /// The linking page.
    pub page: PageId,
    /// Index in the linking page's headings of the section holding its first such link.
    pub section: Option<usize>,
}

/// Lookups the resolver needs, built once per site.
pub struct LinkTargets<'a> {
    /// Source path → page.
    pub by_path: &'a HashMap<String, PageId>,
    /// Site-relative URL → page.
    pub by_url: &'a HashMap<String, PageId>,
    /// Static file paths.
    pub statics: &'a HashSet<String>,
    /// Folders holding copied files (`img/`), so a link to one without pages says so.
    pub static_folders: &'a HashSet<String>,
    /// URLs of generated folder listings.
    pub listings: &'a HashMap<String, usize>,
    /// Source paths of drafts left out of this build.
    pub drafts: &'a HashSet<String>,
    /// The base path (`/` or `/handbook/`), which site-absolute links may start with.
    pub base_path: &'a str,
    /// Pages by wikilink name.
    pub names: &'a WikiNames,
    /// `--strict`: also report anchors that differ only in case (they are linked right).
    pub strict: bool,
    /// Files that exist in the handbook but are not published, with the reason.
    pub unpublished: &'a HashMap<String, String>,
    /// `repo_url` and the handbook's folder in the repository (`docs/`): links to the
    /// handbook's own files on the forge are resolved as links inside it.
    pub repository: Option<(&'a str, &'a str)>,
    /// The forge URL of the handbook's folder (`https://github.com/o/r/blob/HEAD/docs/`), for
    /// the help of links to unpublished files.
    pub forge: Option<&'a str>,
}

/// Pages by the names a `[[wikilink]]` may use: the slug of the title and of the file name
/// (the folder name for a landing page). One name can belong to several pages.
#[derive(Debug, Default)]
pub struct WikiNames(HashMap<String, Vec<PageId>>);

impl WikiNames {
    /// Indexes the pages' titles and file names.
    pub fn new(pages: &[Page]) -> Self {
        let mut names: HashMap<String, Vec<PageId>> = HashMap::with_capacity(pages.len() * 2);
        for (id, page) in pages.iter().enumerate() {
            let mut stem = page.path.trim_end_matches(".md");
            if page.is_landing() {
                stem = stem.rsplit_once('/').map_or("", |(dir, _)| dir);
            }
            let stem = stem.rsplit('/').next().unwrap_or(stem);
            for name in [slugify(&page.title), slugify(stem)] {
                let ids = names.entry(name).or_default();
                if ids.last() != Some(&id) {
                    ids.push(id);
                }
            }
        }
        names.remove("");
        WikiNames(names)
    }

    fn get(&self, name: &str) -> &[PageId] {
        self.0.get(&slugify(name)).map_or(&[], Vec::as_slice)
    }

    /// A known name within a small edit distance of `name`, for "did you mean".
    fn closest(&self, name: &str) -> Option<&str> {
        let slug = slugify(name);
        if slug.chars().count() < 4 {
            return None;
        }
        crate::diagnostics::closest(&slug, self.0.keys().map(String::as_str))
    }
}

/// Codes of the diagnostics link resolution reports.
pub const CODES: [&str; 6] = [
    "broken-link",
    "broken-anchor",
    "missing-image",
    "draft-link",
    "ambiguous-link",
    "unpublished-link",
];

/// Resolves every link of every page.
pub fn resolve(pages: &[Page], targets: &LinkTargets) -> (LinkGraph, Vec<Diagnostic>) {
    let mut graph = LinkGraph {
        hrefs: Vec::with_capacity(pages.len()),
        outgoing: Vec::with_capacity(pages.len()),
        backlinks: vec![Vec::new(); pages.len()],
    };
    let mut diagnostics = Vec::new();
    // Pages resolve independently (in parallel); backlinks are gathered in page order.
    let resolved: Vec<PageLinks> = (0..pages.len())
        .into_par_iter()
        .map(|id| resolve_page(id, pages, targets))
        .collect();
    for (id, mut resolved) in resolved.into_iter().enumerate() {
        for (&target, &section) in &resolved.outgoing {
            graph.backlinks[target].push(Backlink { page: id, section });
        }
        graph.hrefs.push(resolved.hrefs);
        graph.outgoing.push(resolved.outgoing.into_keys().collect());
        diagnostics.append(&mut resolved.diagnostics);
    }
    (graph, diagnostics)
}

/// The links of one page, resolved.
pub struct PageLinks {
    /// Per link, in document order: see [`LinkGraph::hrefs`].
    pub hrefs: Vec<Href>,
    /// Distinct other pages linked to, with the section of the first link to each.
    pub outgoing: BTreeMap<PageId, Option<usize>>,
    /// Broken links and anchors.
    pub diagnostics: Vec<Diagnostic>,
}

/// Resolves the links of page `id`.
pub fn resolve_page(id: PageId, pages: &[Page], targets: &LinkTargets) -> PageLinks {
    let page = &pages[id];
    let mut diagnostics = Vec::new();
    let mut hrefs = Vec::with_capacity(page.links.len());
    let mut outgoing = BTreeMap::new();
    for link in &page.links {
        let resolution = if link.is_wiki {
            resolve_wiki(page, &link.destination, pages, targets)
        } else {
            resolve_one(page, &link.destination, pages, targets)
        };
        // A broken link may still have somewhere better to point than as written.
        let (resolution, fallback) = match resolution {
            Resolution::Broken {
                href,
                code,
                message,
                help,
            } => (
                Resolution::Problem {
                    code,
                    message,
                    help,
                },
                href,
            ),
            other => (other, None),
        };
        let href = match resolution {
            Resolution::Leave | Resolution::Broken { .. } => Href::AsWritten,
            Resolution::Text(problem) => {
                if let Some((message, help)) = problem {
                    diagnostics.push(
                        Diagnostic::warning(
                            &page.path,
                            link.line,
                            link.column,
                            "broken-link",
                            message,
                        )
                        .with_help(help),
                    );
                }
                Href::Text
            }
            Resolution::Page { page: target, href } => {
                if target != id {
                    outgoing.entry(target).or_insert(link.section);
                }
                Href::To(href)
            }
            Resolution::Static(href) => Href::To(href),
            Resolution::Problem {
                code,
                message,
                help,
            } => {
                let code = if link.is_image && code == "broken-link" {
                    "missing-image"
                } else {
                    code
                };
                diagnostics.push(
                    Diagnostic::warning(&page.path, link.line, link.column, code, message)
                        .with_help(help),
                );
                fallback.map_or(Href::AsWritten, Href::To)
            }
            Resolution::Ambiguous {
                page: target,
                href,
                message,
                help,
            } => {
                diagnostics.push(
                    Diagnostic::warning(
                        &page.path,
                        link.line,
                        link.column,
                        "ambiguous-link",
                        message,
                    )
                    .with_help(help),
                );
                if target != id {
                    outgoing.entry(target).or_insert(link.section);
                }
                Href::To(href)
            }
        };
        hrefs.push(href);
    }
    if crate::model::page::is_template_name(&page.path) {
        // A template's links are placeholders (`yyyymmdd-title.md`) until it is copied.
        diagnostics.clear();
    }
    PageLinks {
        hrefs,
        outgoing: outgoing.into_iter().collect(),
        diagnostics,
    }
}

enum Resolution {
    Leave,
    /// Shown as text, with the warning to give, if any.
    Text(Option<(String, String)>),
    /// Linked to the likeliest of several pages, with a warning naming them all.
    Ambiguous {
        page: PageId,
        href: String,
        message: String,
        help: String,
    },
    Page {
        page: PageId,
        href: String,
    },
    Static(String),
    Problem {
        code: &'static str,
        message: String,
        help: String,
    },
    /// A problem whose link is still written to `href` (site-relative) when there is one.
    Broken {
        href: Option<String>,
        code: &'static str,
        message: String,
        help: String,
    },
}

fn resolve_one(
    page: &Page,
    destination: &str,
    pages: &[Page],
    targets: &LinkTargets,
) -> Resolution {
    // `{ADR_SLUG}.md` in a scaffold is a placeholder, not a link.
    if destination.is_empty() || (destination.contains('{') && destination.contains('}')) {
        return Resolution::Leave;
    }
    if is_external(destination) {
        // `https://github.com/acme/handbook/blob/main/docs/setup.md`: a page of this handbook.
        return match targets
            .repository
            .and_then(|(repo, prefix)| own_file(destination, repo, prefix))
        {
            Some(path) => match resolve_one(page, &path, pages, targets) {
                found @ (Resolution::Page { .. } | Resolution::Static(_)) => found,
                _ => Resolution::Leave,
            },
            None => Resolution::Leave,
        };
    }
    let (path_part, fragment) = match destination.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (destination, None),
    };
    let path_part = path_part.split('?').next().unwrap_or(path_part);
    if path_part.is_empty() {
        return match fragment {
            Some(anchor) if !has_anchor(page, anchor) => match same_but_case(page, anchor) {
                // Works in the site as GitHub resolves it: linked right, reported with --strict.
                Some(real) if !targets.strict => {
                    Resolution::Static(format!("{}#{real}", encode_path(&page.url)))
                }
                _ => anchor_problem(page, anchor, true),
            },
            _ => Resolution::Leave,
        };
    }
    // Browsers read `\` as `/` in web addresses (`.\img\logo.png`), and so does GitHub's page.
    let decoded = percent_decode(path_part).replace('\\', "/");
    let Some(target) = join(&page.path, &decoded, targets.base_path) else {
        return Resolution::Problem {
            code: "broken-link",
            message: format!("link '{destination}' points outside the handbook"),
            help: match targets.forge {
                Some(_) => {
                    "link files outside the handbook by their full forge URL (https://…)".into()
                }
                None => "link to pages inside the handbook, relative to this file".into(),
            },
        };
    };
    // As GitHub resolves it (from the file's folder), else as a browser resolves it on the
    // built site (from the page's URL): a link that works in either place works in the output,
    // which is rewritten to the target found.
    if let Some(found) = find_target(&target, fragment, pages, targets) {
        return found;
    }
    if !decoded.starts_with('/')
        && let Some(from_url) = join(
            &format!("{}index.md", page.url),
            &decoded,
            targets.base_path,
        )
        && from_url != target
        && let Some(found) = find_target(&from_url, fragment, pages, targets)
    {
        return found;
    }
    if targets.drafts.contains(&target) {
        return Resolution::Problem {
            code: "draft-link",
            message: format!("'{target}' is a draft and is not published"),
            help: "publish the page (remove `draft: true`) or build with --drafts".into(),
        };
    }
    if let Some(reason) = unpublished(targets, &target) {
        if reason == HAS_ERRORS {
            return Resolution::Leave;
        }
        return Resolution::Problem {
            code: "unpublished-link",
            message: format!("'{target}' exists but is not published ({reason})"),
            help: match targets.forge {
                Some(forge) => format!(
                    "link it on the forge instead: {forge}{}",
                    encode_path(target.trim_end_matches('/'))
                ),
                None => "link it by its forge URL (https://…), or set `repo_url` in handbook.yml \
                         for a suggestion"
                    .into(),
            },
        };
    }
    let folder = format!("{}/", target.trim_end_matches('/'));
    if targets.static_folders.contains(&folder) {
        return Resolution::Problem {
            code: "broken-link",
            message: format!("'{folder}' is a folder without pages (linked as '{destination}')"),
            help: "link a file in it, or add an index.md that describes it".into(),
        };
    }
    let help = if destination.starts_with('/') {
        "site-absolute links start at the handbook root; check the spelling and that the file exists"
    } else {
        "links are relative to the linking file; check the spelling and that the file exists"
    };
    Resolution::Broken {
        // A site-absolute link is still written under the base path, so even a broken one
        // stays inside the site (`/a.md` under `/handbook/` is `/handbook/a.md`).
        href: destination.starts_with('/').then(|| match fragment {
            Some(fragment) => format!("{}#{fragment}", encode_path(&target)),
            None => encode_path(&target),
        }),
        code: "broken-link",
        message: format!("no page or file at '{target}' (linked as '{destination}')"),
        help: help.into(),
    }
}

/// The handbook path (`/docs/setup.md#x`) of a forge URL of one of its own files
/// (`{repo}/blob/<branch>/{prefix}docs/setup.md#x`, also `tree/` and GitLab's `-/blob/`).
fn own_file(destination: &str, repo: &str, prefix: &str) -> Option<String> {
    let rest = destination
        .strip_prefix(repo.trim_end_matches('/'))?
        .strip_prefix('/')?;
    let rest = ["blob/", "tree/", "-/blob/", "-/tree/"]
        .iter()
        .find_map(|kind| rest.strip_prefix(kind))?;
    let (_branch, path) = rest.split_once('/')?;
    let path = path.strip_prefix(prefix)?;
    Some(format!("/{path}"))
}

/// The page, static file or folder listing at a site-relative path, if any.
fn find_target(
    candidate: &str,
    fragment: Option<&str>,
    pages: &[Page],
    targets: &LinkTargets,
) -> Option<Resolution> {
    let to_static = |path: &str| {
        Resolution::Static(match fragment {
            Some(fragment) => format!("{}#{fragment}", encode_path(path)),
            None => encode_path(path),
        })
    };
    if let Some(&id) = targets.by_path.get(candidate) {
        return Some(to_page(id, fragment, pages, targets.strict));
    }
    if targets.statics.contains(candidate) {
        return Some(to_static(candidate));
    }
    let as_folder = as_url(candidate);
    if let Some(&id) = targets.by_url.get(&as_folder) {
        return Some(to_page(id, fragment, pages, targets.strict));
    }
    targets
        .listings
        .contains_key(&as_folder)
        .then(|| to_static(&as_folder))
}

/// Why an existing file (or folder) at `target` is not published, if it is one.
fn unpublished<'t>(targets: &'t LinkTargets, target: &str) -> Option<&'t str> {
    let target = target.trim_end_matches('/');
    if let Some(reason) = targets.unpublished.get(target) {
        return Some(reason);
    }
    // A folder: any file under it that is unpublished gives the reason.
    let mut folder = target;
    loop {
        if let Some(reason) = targets.unpublished.get(&format!("{folder}/")) {
            return Some(reason);
        }
        folder = folder.rsplit_once('/')?.0;
    }
}

/// A link to page `id`, checking the anchor.
fn to_page(id: PageId, fragment: Option<&str>, pages: &[Page], strict: bool) -> Resolution {
    let target_page = &pages[id];
    if let Some(anchor) = fragment
        && !has_anchor(target_page, anchor)
    {
        return match same_but_case(target_page, anchor) {
            Some(real) if !strict => Resolution::Page {
                page: id,
                href: format!("{}#{real}", encode_path(&target_page.url)),
            },
            _ => anchor_problem(target_page, anchor, false),
        };
    }
    let href = match fragment {
        Some(anchor) => format!("{}#{anchor}", encode_path(&target_page.url)),
        None => encode_path(&target_page.url),
    };
    Resolution::Page { page: id, href }
}

/// `[[Page title]]`, `[[file-name]]`, `[[path/to/page]]` (from the root, else from this
/// page's folder; `.md` optional), each with an optional `#anchor`. A name that matches no
/// page stays text (documentation writes `[[Prototype]]` for other things), with a warning
/// only when a page has a close name; a name several pages share links the nearest one and
/// warns, naming them all.
fn resolve_wiki(
    page: &Page,
    destination: &str,
    pages: &[Page],
    targets: &LinkTargets,
) -> Resolution {
    let (name, fragment) = match destination.split_once('#') {
        Some((name, fragment)) => (name.trim(), Some(fragment.trim())),
        None => (destination.trim(), None),
    };
    if name.is_empty() {
        return resolve_one(page, destination.trim(), pages, targets);
    }
    if name.contains('/') || name.ends_with(".md") {
        let bare = name.trim_start_matches('/').trim_end_matches('/');
        let stem = bare.strip_suffix(".md").unwrap_or(bare);
        let mut candidates = vec![stem.to_string()];
        if let Some((folder, _)) = page.path.rsplit_once('/')
            && !name.starts_with('/')
        {
            candidates.push(format!("{folder}/{stem}"));
        }
        // The file itself, else whatever publishes at that URL (a folder's landing page).
        for stem in candidates {
            if let Some(&id) = targets
                .by_path
                .get(&format!("{stem}.md"))
                .or_else(|| targets.by_url.get(&format!("{stem}/")))
            {
                return to_page(id, fragment, pages, targets.strict);
            }
        }
        return Resolution::Problem {
            code: "broken-link",
            message: format!("no page at '{name}' (wikilink [[{destination}]])"),
            help: "wikilink paths start at the handbook root (or this page's folder); check the spelling"
                .into(),
        };
    }
    match targets.names.get(name) {
        [id] => to_page(*id, fragment, pages, targets.strict),
        [] => Resolution::Text(targets.names.closest(name).map(|close| {
            (
                format!("[[{destination}]] names no page; it is shown as text"),
                format!("did you mean [[{close}]]?"),
            )
        })),
        several => {
            let nearest = nearest_page(page, several, pages);
            let chosen = match to_page(nearest, fragment, pages, targets.strict) {
                Resolution::Page { href, .. } => href,
                other => return other,
            };
            Resolution::Ambiguous {
                page: nearest,
                href: chosen,
                message: format!(
                    "[[{destination}]] could mean {}; linked to '{}', the nearest",
                    several
                        .iter()
                        .map(|&id| format!("'{}'", pages[id].path))
                        .collect::<Vec<_>>()
                        .join(", "),
                    pages[nearest].path
                ),
                help: format!(
                    "name the page by its path to choose, like [[{}|{name}]]",
                    pages[nearest].path.trim_end_matches(".md")
                ),
            }
        }
    }
}

/// Of several pages, the one whose folder shares the longest prefix with `page`'s (then the
/// first by path).
fn nearest_page(page: &Page, candidates: &[PageId], pages: &[Page]) -> PageId {
    let shared = |other: &Page| {
        page.path
            .split('/')
            .zip(other.path.split('/'))
            .take_while(|(a, b)| a == b)
            .count()
    };
    let mut best = candidates[0];
    for &candidate in &candidates[1..] {
        if shared(&pages[candidate]) > shared(&pages[best]) {
            best = candidate;
        }
    }
    best
}

/// A link to `page` whose `#anchor` is not there. It still opens the page (at the anchor that
/// differs only in case, when there is one, as GitHub resolves it), and is reported.
fn anchor_problem(page: &Page, anchor: &str, same_page: bool) -> Resolution {
    let place = if same_page {
        "this page".to_string()
    } else {
        format!("'{}'", page.path)
    };
    let (message, linked) = match same_but_case(page, anchor) {
        Some(real) => (
            format!(
                "{place} has no anchor '#{anchor}'; linked to '#{real}', which differs only in case"
            ),
            real.to_string(),
        ),
        None => (
            format!("{place} has no heading or anchor '#{anchor}'"),
            anchor.to_string(),
        ),
    };
    Resolution::Broken {
        href: Some(format!("{}#{linked}", encode_path(&page.url))),
        code: "broken-anchor",
        message,
        help: anchor_help(page, anchor),
    }
}

/// The anchor of `page` that `anchor` names but for case (`#Intro` → `intro`), as GitHub
/// resolves it.
fn same_but_case<'p>(page: &'p Page, anchor: &str) -> Option<&'p str> {
    let decoded = percent_decode(anchor);
    page.headings
        .iter()
        .map(|heading| heading.anchor.as_str())
        .chain(page.html_ids.iter().map(String::as_str))
        .find(|known| known.eq_ignore_ascii_case(&decoded))
}

fn has_anchor(page: &Page, anchor: &str) -> bool {
    let anchor = percent_decode(anchor);
    // `#_` and `#-` are placeholders, like `#`; browsers scroll to the top for `#top`.
    !anchor.chars().any(char::is_alphanumeric)
        || anchor.eq_ignore_ascii_case("top")
        || page.headings.iter().any(|heading| heading.anchor == anchor)
        || page.html_ids.contains(&anchor)
        // Footnote references and definitions (`#fn-1`, `#fnref-1` in GitHub's output).
        || anchor.starts_with("fn-")
        || anchor.starts_with("fnref-")
}

fn anchor_help(page: &Page, anchor: &str) -> String {
    let anchor = percent_decode(anchor);
    let all = || {
        page.headings
            .iter()
            .map(|h| h.anchor.as_str())
            .chain(page.html_ids.iter().map(String::as_str))
    };
    if let Some(same) = all().find(|known| known.eq_ignore_ascii_case(&anchor)) {
        return format!("did you mean '#{same}'? anchors are case-sensitive in browsers");
    }
    if let Some(same) = all().find(|known| **known == slugify(&anchor.replace('-', " "))) {
        return format!("did you mean '#{same}'?");
    }
    if let Some(close) = crate::diagnostics::closest(&anchor, all()) {
        return format!("did you mean '#{close}'?");
    }
    let anchors: Vec<&str> = all().take(8).collect();
    if anchors.is_empty() {
        "the page has no headings".into()
    } else {
        format!("anchors there: {}", anchors.join(", "))
    }
}

/// True for `https:`, `mailto:`, `//host` and other scheme links.
pub fn is_external(destination: &str) -> bool {
    if destination.starts_with("//") {
        return true;
    }
    match destination.find(':') {
        Some(colon) => {
            let scheme = &destination[..colon];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !destination[..colon].contains('/')
        }
        None => false,
    }
}

/// Resolves `destination` against the folder of `from` (or the root, for `/…` links), folding
/// `.` and `..`. `None` when it climbs above the root.
fn join(from: &str, destination: &str, base_path: &str) -> Option<String> {
    let mut segments: Vec<&str> = Vec::new();
    let relative = if let Some(absolute) = destination.strip_prefix('/') {
        let base = base_path.trim_matches('/');
        if base.is_empty() {
            absolute
        } else {
            absolute
                .strip_prefix(base)
                .map_or(absolute, |rest| rest.trim_start_matches('/'))
        }
    } else {
        if let Some((dir, _)) = from.rsplit_once('/') {
            segments.extend(dir.split('/'));
        }
        destination
    };
    for segment in relative.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop()?;
            }
            segment => segments.push(segment),
        }
    }
    let mut joined = segments.join("/");
    if relative.ends_with('/') && !joined.is_empty() {
        joined.push('/');
    }
    Some(joined)
}

fn as_url(target: &str) -> String {
    if target.is_empty() || target.ends_with('/') {
        target.to_string()
    } else {
        format!("{target}/")
    }
}

/// Percent-encodes what may not appear raw in a URL path: spaces, `%`, `#`, `?`, quotes, non-ASCII.
pub fn encode_path(path: &str) -> String {
    fn is_safe(byte: u8) -> bool {
        byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'_'
                    | b'.'
                    | b'~'
                    | b'/'
                    | b'='
                    | b'&'
                    | b'+'
                    | b','
                    | b':'
                    | b'@'
                    | b'!'
                    | b'$'
                    | b'('
                    | b')'
                    | b'*'
                    | b';'
            )
    }
    // Almost every path is plain ASCII: skip the per-byte rebuild.
    if path.bytes().all(is_safe) {
        return path.to_string();
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(path.len() + 16);
    for byte in path.bytes() {
        if is_safe(byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
    out
}

/// Decodes `%20`-style escapes; invalid escapes are kept as written.
pub fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_resolves_relative_and_absolute_paths() {
        assert_eq!(join("docs/a.md", "b.md", "/").as_deref(), Some("docs/b.md"));
        assert_eq!(
            join("docs/a.md", "../teams/x.md", "/").as_deref(),
            Some("teams/x.md")
        );
        assert_eq!(
            join("docs/a.md", "/teams/x.md", "/").as_deref(),
            Some("teams/x.md")
        );
        assert_eq!(
            join("docs/a.md", "/hb/teams/", "/hb/").as_deref(),
            Some("teams/")
        );
        assert_eq!(join("docs/a.md", "../../etc/passwd", "/"), None);
        assert_eq!(join("a.md", "./", "/").as_deref(), Some(""));
    }

    #[test]
    fn external_links_are_recognised() {
        for external in ["https://x.org", "mailto:a@b.c", "//cdn.example", "tel:+1"] {
            assert!(is_external(external), "{external}");
        }
        for internal in ["a.md", "../a.md#x", "dir/file:name.md", "#top"] {
            assert!(!is_external(internal), "{internal}");
        }
    }

    #[test]
    fn paths_are_percent_encoded_including_hash_and_question_mark() {
        assert_eq!(encode_path("my docs/ä b/"), "my%20docs/%C3%A4%20b/");
        assert_eq!(encode_path("faq#1?/"), "faq%231%3F/");
        assert_eq!(percent_decode(&encode_path("100% sure/")), "100% sure/");
    }

    #[test]
    fn percent_escapes_decode() {
        assert_eq!(percent_decode("my%20file.md"), "my file.md");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
