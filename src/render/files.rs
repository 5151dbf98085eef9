//! Site-wide files beside the pages: alias redirects, sitemap.xml, robots.txt, theme assets
//! with cache-busting URLs, the highlighting stylesheet, and the output-path collision check.

use std::collections::BTreeMap;

use super::Renderer;
use crate::diagnostics::Diagnostic;
use crate::model::links::encode_path;
use crate::model::page::Page;
use crate::model::{Site, alias_url};
use crate::output::OutputFile;
use crate::theme::Theme;

impl Renderer<'_> {
    pub(super) fn redirects(&self) -> Vec<OutputFile> {
        let mut files = Vec::new();
        for page in &self.input.site.pages {
            for alias in &page.aliases {
                let Some(url) = alias_url(alias) else {
                    continue;
                };
                let path = if url.ends_with(".html") {
                    url
                } else {
                    format!("{url}index.html")
                };
                let target =
                    super::relative::relative_to(&self.url(&page.url), &path, self.base_path());
                files.push(OutputFile::bytes(path, redirect_html(&target)));
            }
        }
        files
    }

    pub(super) fn sitemap(&self) -> Option<OutputFile> {
        let base = self.absolute_base.as_deref()?;
        let mut urls: Vec<&Page> = self.input.site.pages.iter().collect();
        urls.sort_by(|a, b| a.url.cmp(&b.url));
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for page in urls {
            xml.push_str("  <url><loc>");
            pulldown_cmark_escape::escape_html(
                &mut xml,
                &format!("{base}{}", encode_path(&page.url)),
            )
            .ok();
            xml.push_str("</loc>");
            if let Some(date) = page.last_updated().or(page.date) {
                xml.push_str(&format!("<lastmod>{date}</lastmod>"));
            }
            xml.push_str("</url>\n");
        }
        xml.push_str("</urlset>\n");
        Some(OutputFile::bytes("sitemap.xml", xml))
    }

    pub(super) fn robots(&self) -> OutputFile {
        let mut text = String::from("User-agent: *\nAllow: /\n");
        if let Some(base) = &self.absolute_base {
            text.push_str(&format!("Sitemap: {base}sitemap.xml\n"));
        }
        OutputFile::bytes("robots.txt", text)
    }
}

fn redirect_html(target: &str) -> String {
    let escaped = super::escape_html(target);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Redirecting…</title>\
         <link rel=\"canonical\" href=\"{escaped}\"><meta name=\"robots\" content=\"noindex\">\
         <meta http-equiv=\"refresh\" content=\"0; url={escaped}\"></head>\
         <body><p>This page has moved to <a href=\"{escaped}\">{escaped}</a>.</p></body></html>\n"
    )
}

/// Theme assets under `assets/`, plus the generated highlighting stylesheet. Returns the files
/// and their URLs with a content hash, so browsers never use a stale copy after a deploy.
pub(super) fn assets(
    theme: &Theme,
    base_path: &str,
) -> (Vec<OutputFile>, BTreeMap<String, String>) {
    let mut files = Vec::new();
    let mut urls = BTreeMap::new();
    let mut all: BTreeMap<String, Vec<u8>> = theme.assets.clone();
    all.entry("highlight.css".to_string())
        .or_insert_with(|| super::highlight::css().into_bytes());
    // The search engine comes from the binary, never the theme (see `search::ENGINE_JS`).
    all.insert(
        crate::search::ENGINE_ASSET.to_string(),
        crate::search::ENGINE_JS.as_bytes().to_vec(),
    );
    for (name, bytes) in all {
        urls.insert(
            name.clone(),
            format!(
                "{base_path}assets/{}?v={:08x}",
                encode_path(&name),
                short_hash(&bytes)
            ),
        );
        files.push(OutputFile::bytes(format!("assets/{name}"), bytes));
    }
    (files, urls)
}

/// FNV-1a, folded to 32 bits: enough to bust caches, stable across runs and platforms.
fn short_hash(bytes: &[u8]) -> u32 {
    let mut hash = crate::output::Fnv::default();
    hash.write(bytes);
    (hash.0 ^ (hash.0 >> 32)) as u32
}

/// Two files publishing to one output path (a static file beside a page's `index.html`, an
/// alias over a generated page) are reported, naming where each comes from; the first one
/// wins.
pub(super) fn check_collisions(
    files: &mut Vec<OutputFile>,
    site: &Site,
    search: bool,
) -> Vec<Diagnostic> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut diagnostics = Vec::new();
    let mut keep = vec![true; files.len()];
    // The search files are made beside rendering, so they are not in `files`: a static file
    // where they go would silently replace the search script or the index.
    for (index, file) in files.iter().enumerate() {
        if let crate::output::Content::Copy(_) = &file.content
            && search
            && crate::search::generates(&file.path.to_lowercase())
        {
            keep[index] = false;
            diagnostics.push(
                Diagnostic::error(
                    &file.path,
                    0,
                    0,
                    "duplicate-output",
                    format!("this file would replace the search index's '{}'", file.path),
                )
                .with_help("move or rename the file: search/ holds the search index's files"),
            );
        }
    }
    let page_file = |file: &OutputFile| {
        site.pages
            .iter()
            .find(|page| format!("{}index.html", page.url) == file.path)
    };
    let alias_file = |file: &OutputFile| {
        site.pages.iter().find_map(|page| {
            page.aliases
                .iter()
                .find(|alias| {
                    alias_url(alias).is_some_and(|url| {
                        url == file.path || format!("{url}index.html") == file.path
                    })
                })
                .map(|alias| (page, alias))
        })
    };
    for (index, file) in files.iter().enumerate() {
        if !keep[index] {
            continue;
        }
        let key = file.path.to_lowercase();
        let Some(&first) = seen.get(&key) else {
            seen.insert(key, index);
            continue;
        };
        keep[index] = false;
        // Pages render before everything else, and alias redirects after them, so a page
        // clashes with a page (`Case.md` and `case.md`), a file or an alias.
        let alias = alias_file(file);
        let second_page = page_file(file);
        let generated = || "a page handbook generates".to_string();
        let describe = |file: &OutputFile, name: Option<String>| match &file.content {
            crate::output::Content::Copy(from) => format!("the file {}", from.display()),
            crate::output::Content::Bytes(_)
            | crate::output::Content::Kept(_)
            | crate::output::Content::Staged(_) => name.unwrap_or_else(generated),
        };
        let first_name = page_file(&files[first]).map(|page| format!("the page '{}'", page.path));
        let second_name = match (second_page, alias) {
            (Some(page), _) => Some(format!("the page '{}'", page.path)),
            (None, Some((page, alias))) => Some(format!("the alias '{alias}' of '{}'", page.path)),
            (None, None) => None,
        };
        // Report where the author can fix it: at the alias, or at the second page.
        let (path, line) = match (second_page, alias) {
            (Some(page), _) => (page.path.as_str(), 0),
            (None, Some((page, _))) => (page.path.as_str(), page.key_line("aliases").unwrap_or(0)),
            (None, None) => (file.path.as_str(), 0),
        };
        diagnostics.push(
            Diagnostic::error(
                path,
                line,
                0,
                "duplicate-output",
                format!(
                    "{} and {} both publish to '{}'",
                    describe(&files[first], first_name),
                    describe(file, second_name),
                    file.path
                ),
            )
            .with_help(
                "rename one of them or drop the alias; paths that differ only in case clash on many file systems",
            ),
        );
    }
    let mut index = 0;
    files.retain(|_| {
        index += 1;
        keep[index - 1]
    });
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_escape_their_target() {
        let html = redirect_html("/a\"><script>/");
        assert!(!html.contains("<script>"));
    }
}
