//! Load: walks the handbook with walkdir, reads markdown sources and lists static files.
//! It splits off front matter and records where the body starts, but interprets nothing.

use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::{CONFIG_FILE, Config};
use crate::diagnostics::Diagnostic;

/// Files about the handbook rather than of it: never published.
fn is_metadata(rel: &str) -> bool {
    rel == CONFIG_FILE || rel.rsplit('/').next() == Some(CODEOWNERS)
}

/// The name of the file that maps paths to owners.
const CODEOWNERS: &str = "CODEOWNERS";

/// Where GitHub and GitLab look for CODEOWNERS, relative to the repository root, in their
/// order; the first one found is used.
const CODEOWNERS_PLACES: [&str; 4] = [
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
];

/// A CODEOWNERS file as read from disk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeOwnersFile {
    /// Its path relative to the handbook root (`.github/CODEOWNERS`, `../CODEOWNERS`), for
    /// diagnostics.
    pub path: String,
    /// Its text.
    pub text: String,
}

/// Reads the repository's CODEOWNERS. `prefix` is the handbook folder inside the repository
/// (`docs-site/`, or empty, also when there is no repository). Symlinks and files over 1 MiB
/// are left alone; an unreadable file is logged and skipped.
pub fn read_codeowners(root: &Path, prefix: &str) -> Option<CodeOwnersFile> {
    let depth = prefix.split('/').filter(|part| !part.is_empty()).count();
    let up = "../".repeat(depth);
    let mut repository = root.canonicalize().ok()?;
    for _ in 0..depth {
        repository = repository.parent()?.to_path_buf();
    }
    for place in CODEOWNERS_PLACES {
        let path = repository.join(place);
        let Ok(metadata) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !metadata.is_file() || metadata.len() > 1 << 20 {
            log::warn!(
                "{} is a symlink, not a file, or over 1 MiB: owners from it are not used",
                path.display()
            );
            return None;
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                return Some(CodeOwnersFile {
                    path: format!("{up}{place}"),
                    text,
                });
            }
            Err(error) => {
                log::warn!("could not read {}: {error}", path.display());
                return None;
            }
        }
    }
    None
}

/// One markdown file as read from disk.
#[derive(Debug, Clone)]
pub struct Source {
    /// Source-relative path with `/` separators.
    pub path: String,
    /// The whole file, BOM removed.
    pub text: String,
    /// Byte range of the YAML between the `---` fences, if the file has front matter.
    pub front_matter: Option<Range<usize>>,
    /// 1-based line of the first YAML line (the line after the opening fence).
    pub front_matter_line: usize,
    /// Byte offset where the markdown body starts.
    pub body_start: usize,
}

impl Source {
    /// Builds a source from text, splitting the front matter. Returns a diagnostic (and a source
    /// whose body is the whole text) when the front matter is opened but never closed.
    pub fn new(path: String, text: String) -> (Source, Option<Diagnostic>) {
        let text = match text.strip_prefix('\u{feff}') {
            Some(stripped) => stripped.to_string(),
            None => text,
        };
        let mut source = Source {
            path,
            text,
            front_matter: None,
            front_matter_line: 2,
            body_start: 0,
        };
        let Some(first_line_end) = opening_fence_end(&source.text) else {
            return (source, None);
        };
        let mut offset = first_line_end;
        while offset < source.text.len() {
            let line_end = source.text[offset..]
                .find('\n')
                .map_or(source.text.len(), |i| offset + i + 1);
            let line = source.text[offset..line_end].trim_end_matches(['\n', '\r']);
            if line == "---" || line == "..." {
                source.front_matter = Some(first_line_end..offset);
                source.body_start = line_end;
                return (source, None);
            }
            offset = line_end;
        }
        let diagnostic = Diagnostic::error(
            &source.path,
            1,
            1,
            "front-matter",
            "front matter is opened with `---` but never closed".into(),
        )
        .with_help("end the front matter with a line containing only `---`");
        (source, Some(diagnostic))
    }

    /// The YAML text between the fences ("" when there is none).
    pub fn front_matter_text(&self) -> &str {
        self.front_matter
            .as_ref()
            .map_or("", |range| &self.text[range.clone()])
    }

    /// The markdown body after the front matter.
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }
}

fn opening_fence_end(text: &str) -> Option<usize> {
    for fence in ["---\n", "---\r\n"] {
        if text.starts_with(fence) {
            return Some(fence.len());
        }
    }
    None
}

/// A non-markdown file copied to the output as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticFile {
    /// Source-relative path with `/` separators; also its path in the output.
    pub path: String,
    /// Where to read it from.
    pub absolute: PathBuf,
}

/// Everything read from the source tree.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Markdown files, sorted by path.
    pub sources: Vec<Source>,
    /// Other files, sorted by path.
    pub statics: Vec<StaticFile>,
    /// Unreadable files, invalid UTF-8, skipped symlinks, unclosed front matter.
    pub diagnostics: Vec<Diagnostic>,
    /// What the walk left out by its rules, sorted by path (for `--verbose` and the summary).
    pub skipped: Vec<Skipped>,
    /// Files that exist but are not published, with the reason: every file under a skipped
    /// folder (but `.git` and `node_modules`, which are not walked: those appear as `dir/`).
    pub unpublished: std::collections::HashMap<String, String>,
}

/// A file or folder the walk left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Source-relative path; folders end with `/`.
    pub path: String,
    /// Why, in words (`dot folder`, `matches exclude pattern 'drafts/**'`).
    pub reason: String,
    /// Markdown files left out with it.
    pub markdown: usize,
}

/// The reason given for what an `exclude:` pattern leaves out (listed even without markdown).
const EXCLUDED: &str = "matches an `exclude:` pattern";

/// The reason given for the output folder and earlier builds (never walked, never listed).
const BUILD_OUTPUT: &str = "build output";

/// What the walk should leave out besides its fixed rules.
pub struct LoadOptions<'a> {
    /// Canonical output folder, never read as content.
    pub output: Option<&'a Path>,
}

enum Entry {
    Markdown(String, PathBuf),
    Static(StaticFile),
}

/// Walks `root` and reads every markdown file (in parallel).
pub fn load(root: &Path, config: &Config, options: &LoadOptions) -> anyhow::Result<Loaded> {
    let root = root
        .canonicalize()
        .with_context(|| format!("reading handbook folder {}", root.display()))?;
    let excluded = exclude_set(config)?;
    let mut diagnostics = Vec::new();
    let mut entries = Vec::new();
    let skipped_here = std::cell::RefCell::new(Vec::new());
    let walker = WalkDir::new(&root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            if entry.depth() == 0 {
                return true;
            }
            match skip_reason(entry, &root, &excluded, options) {
                Some(reason) => {
                    skipped_here.borrow_mut().push((
                        entry.path().to_path_buf(),
                        entry.file_type().is_dir(),
                        reason,
                    ));
                    false
                }
                None => true,
            }
        });
    let mut aliases = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let path = error
                    .path()
                    .map_or_else(String::new, |path| relative(&root, path));
                diagnostics.push(
                    Diagnostic::error(&path, 0, 0, "unreadable", format!("cannot read: {error}"))
                        .with_help("check the file's permissions"),
                );
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let rel = relative(&root, entry.path());
        let absolute = if entry.path_is_symlink() {
            match resolve_symlink(entry.path(), &root, &excluded, options) {
                Ok(Some(target)) => target,
                Ok(None) => continue,
                Err(diagnostic) => {
                    diagnostics.push(diagnostic.reposition(&rel));
                    continue;
                }
            }
        } else if entry.file_type().is_file() {
            entry.path().to_path_buf()
        } else {
            if !entry.file_type().is_dir() {
                diagnostics.push(special_file(&rel));
            }
            continue;
        };
        if is_metadata(&rel) {
            continue;
        }
        if !is_publishable_name(&rel) {
            diagnostics.push(unpublishable(&rel));
            continue;
        }
        if is_markdown(&rel) {
            if entry.path_is_symlink() && is_markdown(&relative(&root, &absolute)) {
                // `README.md -> index.md`: one page, published under its real name.
                aliases.push((rel, relative(&root, &absolute)));
                continue;
            }
            entries.push(Entry::Markdown(rel, absolute));
        } else {
            entries.push(Entry::Static(StaticFile {
                path: rel,
                absolute,
            }));
        }
    }
    let (skipped, unpublished) = describe_skipped(&root, skipped_here.into_inner(), aliases);

    let mut statics = Vec::new();
    let mut to_read = Vec::new();
    for entry in entries {
        match entry {
            Entry::Markdown(rel, absolute) => to_read.push((rel, absolute)),
            Entry::Static(file) => statics.push(file),
        }
    }
    let read: Vec<(Option<Source>, Vec<Diagnostic>)> = to_read
        .into_par_iter()
        .map(|(rel, absolute)| read_source(rel, &absolute))
        .collect();
    let mut sources = Vec::with_capacity(read.len());
    for (source, mut found) in read {
        sources.extend(source);
        diagnostics.append(&mut found);
    }
    sources.sort_by(|a, b| a.path.cmp(&b.path));
    statics.sort_by(|a, b| a.path.cmp(&b.path));
    let mut unpublished = unpublished;
    if !config.markdown.raw_html {
        statics.retain(|file| match active_content(&file.path, &file.absolute) {
            None => true,
            Some(reason) => {
                diagnostics.push(active_file(&file.path, reason));
                unpublished.insert(file.path.clone(), format!("it {reason}"));
                false
            }
        });
    }
    Ok(Loaded {
        sources,
        statics,
        diagnostics,
        skipped,
        unpublished,
    })
}

/// Extensions of files a browser may open as a document that can run script: the HTML family,
/// XML and its many dialects (an XHTML element in any XML file runs), stylesheets for XML, web
/// archives. Others are caught by their MIME type ([`runs_script_as`]).
const ACTIVE_EXTENSIONS: [&str; 30] = [
    "html", "htm", "xhtml", "xhtm", "xht", "shtml", "shtm", "phtml", "xml", "xsl", "xslt", "xsd",
    "wsdl", "dtd", "rng", "rss", "atom", "rdf", "mml", "mathml", "xaml", "kml", "gpx", "owl",
    "xbl", "mht", "mhtml", "svgz", "hta", "xul",
];

/// Whether a static host would serve files with this extension as a type that runs script:
/// HTML, XHTML, or any XML (`text/xml`, `application/*+xml`).
fn runs_script_as(extension: &str) -> bool {
    mime_guess::from_ext(extension).iter().any(|mime| {
        let subtype = mime.subtype().as_str();
        subtype == "html"
            || subtype == "xml"
            || mime.suffix().is_some_and(|suffix| suffix.as_str() == "xml")
    })
}

/// Elements of SVG (and anything namespaced into it) that run script, load a document or can
/// change a link or attribute at run time.
const ACTIVE_ELEMENTS: [&str; 13] = [
    "animatecolor",
    "script",
    "foreignobject",
    "iframe",
    "embed",
    "object",
    "set",
    "animate",
    "animatemotion",
    "animatetransform",
    "handler",
    "listener",
    "discard",
];

/// Why a static file could run script on the site's origin when opened, if it could: the
/// files `markdown.raw_html: false` leaves out, since untrusted contributors could add them.
/// An SVG is published when it holds nothing active: no element that runs or loads anything
/// (whatever its namespace prefix), no event handler, no XHTML, entity, stylesheet
/// instruction or link other than a `#fragment`; text that is not UTF-8 (UTF-16 hides tags
/// from a byte scan) counts as active. The check is strict, so a diagram drawn with HTML labels
/// is left out too.
pub fn active_content(rel: &str, absolute: &Path) -> Option<&'static str> {
    let extension = rel
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase())?;
    if extension != "svg"
        && (ACTIVE_EXTENSIONS.contains(&extension.as_str()) || runs_script_as(&extension))
    {
        return Some("is a kind of file that can run script when opened");
    }
    if extension != "svg" {
        return None;
    }
    let active =
        Some("is an SVG file with active content (script, event handlers, embedded HTML or links)");
    let Ok(bytes) = std::fs::read(absolute) else {
        return Some("is an SVG file that could not be read to check it");
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return active;
    };
    let text = text.to_ascii_lowercase();
    let markers = [
        "<!entity",
        "<!doctype",
        "<?xml-stylesheet",
        "&#",
        "javascript:",
        "vbscript:",
        "data:",
        "1999/xhtml",
        "\0",
    ];
    if markers.iter().any(|marker| text.contains(marker)) {
        return active;
    }
    // Element names after `<`, without a namespace prefix (`<svg:script>` is a script).
    let tags = text.match_indices('<').any(|(at, _)| {
        let name: String = text[at + 1..]
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, '/' | '>'))
            .collect();
        let local = name.rsplit(':').next().unwrap_or("");
        ACTIVE_ELEMENTS.contains(&local)
    });
    let handler = text.match_indices("on").any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let name_end = text[at + 2..]
            .find(|c: char| !c.is_ascii_alphabetic())
            .map_or(text.len(), |end| at + 2 + end);
        before.is_some_and(|c| c.is_whitespace() || matches!(c, '/' | '"' | '\'' | ':'))
            && name_end > at + 2
            && text[name_end..].trim_start().starts_with('=')
    });
    let foreign_link = text.match_indices("href").any(|(at, _)| {
        let rest = text[at + 4..].trim_start();
        rest.strip_prefix('=').is_some_and(|value| {
            let value = value.trim_start().trim_start_matches(['"', '\'']);
            !value.starts_with('#')
        })
    });
    (tags || handler || foreign_link).then_some(active?)
}

/// The warning for a static file left out because raw HTML is off.
fn active_file(rel: &str, reason: &str) -> Diagnostic {
    Diagnostic::warning(
        rel,
        0,
        0,
        "active-file",
        format!("not published: it {reason}, and `markdown.raw_html` is off"),
    )
    .with_help(
        "with raw HTML off, contributors cannot publish files that run script; export the image as PNG or a plain SVG, or set `markdown.raw_html: true` if every contributor is trusted",
    )
}

/// A stamp of the sources search reads, without reading them: the path, size and modification
/// time of every markdown file [`load`] would read (symlinks by their targets) and of the
/// handbook's CODEOWNERS. Equal stamps mean the same sources as far as a cheap look can tell
/// (a checkout that rewrites every file changes it; an edit always does), so `handbook search`
/// can trust an index saved with the same stamp without loading the site.
pub fn stamp(root: &Path, config: &Config, options: &LoadOptions) -> anyhow::Result<u64> {
    let root = root
        .canonicalize()
        .with_context(|| format!("reading handbook folder {}", root.display()))?;
    let excluded = exclude_set(config)?;
    // The walk only lists the markdown files; they are sorted once by path (walkdir's per-folder
    // sort re-parses paths on every comparison) and stat'ed in parallel (at 15,000 pages the
    // stat calls were a third of a `handbook search`).
    let walker = WalkDir::new(&root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0 || skip_reason(entry, &root, &excluded, options).is_none()
        });
    let mut files: Vec<(String, PathBuf)> = walker
        .flatten()
        .filter(|entry| entry.depth() > 0 && !entry.file_type().is_dir())
        .filter_map(|entry| {
            let rel = relative(&root, entry.path());
            is_markdown(&rel).then(|| (rel, entry.into_path()))
        })
        .collect();
    files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    files.extend(
        CODEOWNERS_PLACES
            .iter()
            .map(|place| (place.to_string(), root.join(place))),
    );
    // (size, modification time in nanoseconds) of each, or `None` when it cannot be read.
    let facts: Vec<Option<(u64, u128)>> = files
        .par_iter()
        .map(|(_, path)| {
            let metadata = std::fs::metadata(path).ok()?;
            let modified = metadata
                .modified()
                .ok()
                .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |since| since.as_nanos());
            Some((metadata.len(), modified))
        })
        .collect();
    let mut hash = xxhash_rust::xxh3::Xxh3::new();
    for ((rel, _), facts) in files.iter().zip(facts) {
        let Some((len, modified)) = facts else {
            continue;
        };
        hash.update(rel.as_bytes());
        hash.update(&[0xff]);
        hash.update(&len.to_le_bytes());
        hash.update(&modified.to_le_bytes());
    }
    Ok(hash.digest())
}

/// Lists what the walk left out: each skipped file, and each skipped folder with the markdown
/// files in it (walked to count them and to know its files, but `.git` and `node_modules`).
fn describe_skipped(
    root: &Path,
    found: Vec<(PathBuf, bool, String)>,
    aliases: Vec<(String, String)>,
) -> (Vec<Skipped>, std::collections::HashMap<String, String>) {
    let mut skipped = Vec::new();
    let mut unpublished = std::collections::HashMap::new();
    for (path, is_dir, reason) in found {
        let rel = relative(root, &path);
        if !is_dir {
            if is_markdown(&rel) || reason == EXCLUDED {
                skipped.push(Skipped {
                    markdown: usize::from(is_markdown(&rel)),
                    path: rel.clone(),
                    reason: reason.clone(),
                });
            }
            unpublished.insert(rel, reason);
            continue;
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if matches!(name.as_deref(), Some(".git" | "node_modules")) || reason == BUILD_OUTPUT {
            unpublished.insert(format!("{rel}/"), reason);
            continue;
        }
        let mut markdown = 0;
        for entry in WalkDir::new(&path)
            .follow_links(false)
            .into_iter()
            .filter_entry(|entry| {
                entry.file_name() != ".git" && entry.file_name() != "node_modules"
            })
            .flatten()
        {
            if entry.file_type().is_dir() {
                continue;
            }
            let file = relative(root, entry.path());
            markdown += usize::from(is_markdown(&file));
            unpublished.insert(file, reason.clone());
        }
        if markdown > 0 || reason == EXCLUDED {
            skipped.push(Skipped {
                path: format!("{rel}/"),
                reason,
                markdown,
            });
        }
    }
    for (alias, target) in aliases {
        skipped.push(Skipped {
            path: alias,
            reason: format!("symlink to {target}, which is published"),
            markdown: 0,
        });
    }
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    (skipped, unpublished)
}

fn read_source(rel: String, absolute: &Path) -> (Option<Source>, Vec<Diagnostic>) {
    let bytes = match std::fs::read(absolute) {
        Ok(bytes) => bytes,
        Err(error) => {
            let diagnostic =
                Diagnostic::error(&rel, 0, 0, "unreadable", format!("cannot read: {error}"))
                    .with_help("check the file's permissions");
            return (None, vec![diagnostic]);
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let diagnostic =
                Diagnostic::error(&rel, line, 0, "encoding", "file is not valid UTF-8".into())
                    .with_help("save the file as UTF-8");
            return (None, vec![diagnostic]);
        }
    };
    // CommonMark replaces NUL with U+FFFD; doing it here covers titles and front matter too,
    // which never reach the markdown parser.
    let text = if text.contains('\0') {
        text.replace('\0', "\u{fffd}")
    } else {
        text
    };
    let (source, diagnostic) = Source::new(rel, text);
    (Some(source), diagnostic.into_iter().collect())
}

/// Symlinks are followed only when they resolve inside the handbook, to a file the walk would
/// publish itself: never outside (a pull request can add a link to `/etc`), never into parts
/// that are not published (`.git/config` holds CI tokens; dot files, `exclude:`, `themes/`,
/// the output).
fn resolve_symlink(
    link: &Path,
    root: &Path,
    excluded: &GlobSet,
    options: &LoadOptions,
) -> Result<Option<PathBuf>, Diagnostic> {
    let target = link.canonicalize().map_err(|_| {
        Diagnostic::warning(
            "",
            0,
            0,
            "symlink",
            "symlink is broken or loops; skipped".into(),
        )
    })?;
    if !target.starts_with(root) {
        return Err(Diagnostic::warning(
            "",
            0,
            0,
            "symlink",
            "symlink points outside the handbook; not followed".into(),
        )
        .with_help("copy the file into the handbook instead"));
    }
    let rel = relative(root, &target);
    if let Some(reason) = hidden_reason(root, excluded, options.output, &rel, target.is_dir()) {
        return Err(Diagnostic::warning(
            "",
            0,
            0,
            "symlink",
            format!("symlink points to '{rel}', which is not published ({reason}); not followed"),
        )
        .with_help("link to a published file, or copy what should be published"));
    }
    if target.is_file() {
        Ok(Some(target))
    } else if target.is_dir() {
        // A folder symlink inside the handbook would publish the same pages twice.
        Ok(None)
    } else {
        Err(special_file(""))
    }
}

/// Why the walk would leave out `rel` (or one of the folders it is in), if it would.
fn hidden_reason(
    root: &Path,
    excluded: &GlobSet,
    output: Option<&Path>,
    rel: &str,
    is_dir: bool,
) -> Option<String> {
    if !is_publishable_name(rel) {
        return Some("its name cannot become a URL".into());
    }
    let parts: Vec<&str> = rel.split('/').collect();
    for depth in 1..=parts.len() {
        let part_is_dir = depth < parts.len() || is_dir;
        let prefix = parts[..depth].join("/");
        if is_metadata(rel) {
            return Some("handbook metadata".into());
        }
        match gitbook_assets(&prefix, part_is_dir) {
            Some(true) => continue,
            Some(false) => return Some("dot folder".into()),
            None => {}
        }
        if let Some(reason) = name_reason(parts[depth - 1], depth, part_is_dir) {
            return Some(reason.into());
        }
        if output.is_some_and(|output| root.join(&prefix) == output)
            || (part_is_dir && is_built_site(&root.join(&prefix)))
        {
            return Some(BUILD_OUTPUT.into());
        }
        if let Some(reason) = excluded_reason(excluded, &prefix, part_is_dir) {
            return Some(reason);
        }
    }
    None
}

/// False for a path with a backslash or a control character (no URL and no host's file
/// system can carry it the same way), or with a `:` in its first part, which would read as a
/// URL scheme (`javascript:…`) wherever the path is used as a relative URL. Such files are left
/// out (with [`unpublishable`]).
fn is_publishable_name(rel: &str) -> bool {
    !rel.chars().any(|c| c == '\\' || c.is_control())
        && !rel.split('/').next().unwrap_or("").contains(':')
}

/// The warning for a file whose name cannot become a URL; the same in `check` and `build`.
fn unpublishable(rel: &str) -> Diagnostic {
    let shown: String = rel.escape_debug().collect();
    Diagnostic::warning(
        &shown,
        0,
        0,
        "file-name",
        "the file name has a backslash, a control character or (at the top) a `:`, so it \
         cannot become a URL; the file is not published"
            .into(),
    )
    .with_help("rename the file (letters, digits, `-`, `_`, `.` and spaces work everywhere)")
}

/// A named pipe, socket or device: reading one could block the build forever.
fn special_file(path: &str) -> Diagnostic {
    Diagnostic::warning(
        path,
        0,
        0,
        "special-file",
        "not a regular file (a pipe, socket or device); skipped".into(),
    )
}

impl Diagnostic {
    fn reposition(mut self, path: &str) -> Diagnostic {
        self.path = path.to_string();
        self
    }
}

/// Why the walk leaves out `entry`, if it does.
fn skip_reason(
    entry: &walkdir::DirEntry,
    root: &Path,
    excluded: &GlobSet,
    options: &LoadOptions,
) -> Option<String> {
    let name = entry.file_name().to_string_lossy();
    let is_dir = entry.file_type().is_dir();
    let rel = relative(root, entry.path());
    if let Some(published) = gitbook_assets(&rel, is_dir) {
        let reason = if is_dir {
            "dot folder"
        } else {
            "in a dot folder"
        };
        return (!published).then(|| reason.to_string());
    }
    if let Some(reason) = name_reason(&name, entry.depth(), is_dir) {
        return Some(reason.into());
    }
    if (is_dir && is_built_site(entry.path()))
        || options.output.is_some_and(|output| entry.path() == output)
    {
        return Some(BUILD_OUTPUT.into());
    }
    excluded_reason(excluded, &rel, is_dir)
}

/// GitBook keeps a handbook's images in `.gitbook/assets/`: that one dot folder is published
/// (and walked into), nothing else under `.gitbook`. `None` for paths elsewhere.
fn gitbook_assets(rel: &str, is_dir: bool) -> Option<bool> {
    if rel == ".gitbook" {
        return Some(is_dir);
    }
    let rest = rel.strip_prefix(".gitbook/")?;
    // Only the assets themselves: a dot file or folder inside is never published.
    let hidden_inside = rest.split('/').skip(1).any(|part| part.starts_with('.'));
    Some((rest == "assets" || rest.starts_with("assets/")) && !hidden_inside)
}

fn excluded_reason(excluded: &GlobSet, rel: &str, is_dir: bool) -> Option<String> {
    (excluded.is_match(rel) || (is_dir && excluded.is_match(format!("{rel}/"))))
        .then(|| EXCLUDED.to_string())
}

/// A folder a build wrote (it holds the output marker): the default `public/` while building
/// with `-o` elsewhere, or an earlier `-o` inside the handbook. Never content.
fn is_built_site(dir: &Path) -> bool {
    dir.join(crate::output::MARKER).is_file()
}

/// The fixed rules: dot names, `node_modules`, the top-level `themes` folder, and editor
/// backups (`notes.md~`, Emacs `#notes.md#`), which come and go while writing. Folders
/// starting with `_` are content (a documentation set writes `:` as `_colon_`).
fn name_reason(name: &str, depth: usize, is_dir: bool) -> Option<&'static str> {
    if name.starts_with('.') {
        Some(if is_dir { "dot folder" } else { "dot file" })
    } else if name == "node_modules" {
        Some("dependencies (node_modules)")
    } else if depth == 1 && name == "themes" && is_dir {
        Some("theme folder")
    } else if !is_dir && (name.ends_with('~') || name.starts_with('#')) {
        Some("editor backup")
    } else {
        None
    }
}

/// What one path of the handbook is now, by the same rules as [`load`].
#[derive(Debug)]
pub enum Probe {
    /// A markdown file, read (or `None` with the reason in the diagnostics).
    Markdown(Option<Source>, Vec<Diagnostic>),
    /// A file copied as it is.
    Static(StaticFile),
    /// A folder: what is in it must be walked.
    Folder,
    /// Nothing there, or left out of the site (excluded, hidden, the output, outside).
    Absent,
}

/// [`load`]'s rules prepared once (canonical root, `exclude:` patterns, output folder), to look
/// at single paths: for the preview server, which re-reads only the files an edit touched.
pub struct Rules {
    root: PathBuf,
    excluded: GlobSet,
    output: Option<PathBuf>,
    raw_html: bool,
}

impl Rules {
    /// Prepares the rules of `config` for the handbook at `root`.
    pub fn new(root: &Path, config: &Config, options: &LoadOptions) -> anyhow::Result<Rules> {
        Ok(Rules {
            root: root
                .canonicalize()
                .with_context(|| format!("reading handbook folder {}", root.display()))?,
            excluded: exclude_set(config)?,
            output: options.output.map(Path::to_path_buf),
            raw_html: config.markdown.raw_html,
        })
    }

    /// Looks at one source-relative path the way [`load`] would see it.
    pub fn probe(&self, rel: &str) -> Probe {
        match probe(&self.root, &self.excluded, self.output.as_deref(), rel) {
            Probe::Static(file)
                if !self.raw_html && active_content(&file.path, &file.absolute).is_some() =>
            {
                Probe::Absent
            }
            probe => probe,
        }
    }
}

fn probe(root: &Path, excluded: &GlobSet, output: Option<&Path>, rel: &str) -> Probe {
    let path = root.join(rel);
    let Ok(metadata) = std::fs::symlink_metadata(&path) else {
        return Probe::Absent;
    };
    if rel.split('/').any(|part| part.is_empty() || part == "..")
        || hidden_reason(root, excluded, output, rel, metadata.is_dir()).is_some()
    {
        return Probe::Absent;
    }
    let absolute = if metadata.file_type().is_symlink() {
        let options = LoadOptions { output };
        match resolve_symlink(&path, root, excluded, &options) {
            Ok(Some(target)) if !(is_markdown(rel) && is_markdown(&relative(root, &target))) => {
                target
            }
            _ => return Probe::Absent,
        }
    } else if metadata.is_dir() {
        return Probe::Folder;
    } else if metadata.is_file() {
        path
    } else {
        // A pipe or device would block the preview's reader.
        return Probe::Absent;
    };
    if is_markdown(rel) {
        let (source, diagnostics) = read_source(rel.to_string(), &absolute);
        Probe::Markdown(source, diagnostics)
    } else {
        Probe::Static(StaticFile {
            path: rel.to_string(),
            absolute,
        })
    }
}

/// `exclude:` patterns, plus the cache files the configuration names.
fn exclude_set(config: &Config) -> anyhow::Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for file in config.cache_files() {
        builder.add(Glob::new(&globset::escape(file.trim_start_matches("./")))?);
    }
    for pattern in &config.exclude {
        let pattern = pattern.trim_start_matches('/');
        builder.add(Glob::new(pattern).with_context(|| format!("exclude pattern '{pattern}'"))?);
        if !pattern.ends_with("/**") {
            builder.add(Glob::new(&format!("{}/**", pattern.trim_end_matches('/')))?);
        }
    }
    Ok(builder.build()?)
}

/// True for files read as pages.
pub fn is_markdown(path: &str) -> bool {
    path.rsplit_once('.').is_some_and(|(_, extension)| {
        extension.eq_ignore_ascii_case("md") || extension.eq_ignore_ascii_case("markdown")
    })
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|component| component.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_split_with_body_offset() {
        let (source, problem) = Source::new("a.md".into(), "---\ntitle: A\n---\n# Body\n".into());
        assert!(problem.is_none());
        assert_eq!(source.front_matter_text(), "title: A\n");
        assert_eq!(source.body(), "# Body\n");
        assert_eq!(source.front_matter_line, 2);
    }

    #[test]
    fn crlf_and_bom_front_matter_is_recognised() {
        let (source, _) = Source::new(
            "a.md".into(),
            "\u{feff}---\r\ntitle: A\r\n---\r\nbody".into(),
        );
        assert_eq!(source.front_matter_text(), "title: A\r\n");
        assert_eq!(source.body(), "body");
    }

    #[test]
    fn unclosed_front_matter_is_reported_at_line_one() {
        let (source, problem) = Source::new("a.md".into(), "---\ntitle: A\n# Body\n".into());
        assert_eq!(problem.unwrap().line, 1);
        assert!(source.front_matter.is_none());
    }

    #[test]
    fn a_thematic_break_later_is_not_front_matter() {
        let (source, _) = Source::new("a.md".into(), "text\n---\nmore".into());
        assert!(source.front_matter.is_none());
    }
}
