//! Site-wide checks beyond links and records: duplicate titles in a folder, template code of other
//! generators, and the front-matter schema (keys required per folder; unknown keys in strict mode). Part of
//! `model`; no I/O.

use std::collections::HashMap;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, closest};
use crate::model::page::{Page, PageKind};
use crate::model::{Site, holds};

/// Codes of the findings made here.
pub const CODES: [&str; 5] = [
    "duplicate-title",
    "missing-field",
    "unknown-key",
    "template-syntax",
    "diagram",
];

/// The front-matter keys only pages of `kind` understand (see [`super::keys`]).
pub fn own_keys(kind: PageKind) -> impl Iterator<Item = &'static str> {
    super::keys::own(kind)
}

/// The front-matter keys a page of `kind` understands (see [`super::keys`]).
pub fn known_keys(kind: PageKind) -> impl Iterator<Item = &'static str> {
    super::keys::known(kind)
}

/// Runs the site-wide checks. `strict` adds unknown front-matter keys.
pub fn site(site: &Site, config: &Config, strict: bool) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    duplicate_titles(&site.pages, &mut found);
    for page in &site.pages {
        if let Some((line, column, code)) = &page.template_code {
            found.push(
                Diagnostic::warning(
                    &page.path,
                    *line,
                    *column,
                    "template-syntax",
                    format!(
                        "`{code}` is template code of another generator (Liquid, Jinja, Hugo, MDX, VitePress); \
                         handbook publishes it as text"
                    ),
                )
                .with_help(
                    "put it in backticks if it is an example, or replace it with markdown; \
                     only the first such place in a file is reported",
                ),
            );
        }
        for (line, message) in &page.diagram_errors {
            found.push(
                Diagnostic::warning(
                    &page.path,
                    *line,
                    1,
                    "diagram",
                    format!("this mermaid diagram cannot be drawn: {message}"),
                )
                .with_help(
                    "the page shows the diagram's source instead; fix the diagram (mermaid.js.org \
                     has the syntax), or fence it as ```text to show it as code",
                ),
            );
        }
        required_keys(page, config, &mut found);
        if strict {
            unknown_keys(page, &mut found);
        }
    }
    found
}

/// The handbook's own 404 page, published as `404.html` and never listed in navigation.
pub const NOT_FOUND_PAGE: &str = "404.md";

/// Two pages in one folder with the same title (case-insensitive).
fn duplicate_titles(pages: &[Page], found: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<(&str, String), &Page> = HashMap::new();
    for page in pages {
        let folder = page.path.rsplit_once('/').map_or("", |(dir, _)| dir);
        let key = (folder, page.title.trim().to_lowercase());
        if let Some(first) = seen.get(&key) {
            let line = page
                .key_line("title")
                .or_else(|| page.headings.first().map(|heading| heading.line))
                .unwrap_or(0);
            found.push(
                Diagnostic::warning(
                    &page.path,
                    line,
                    0,
                    "duplicate-title",
                    format!(
                        "'{}' is also the title of '{}' in the same folder",
                        page.title, first.path
                    ),
                )
                .with_help(
                    "readers, search results and [[wikilinks]] cannot tell them apart; give one a distinct title",
                ),
            );
        } else {
            seen.insert(key, page);
        }
    }
}

/// `check.required` in handbook.yml: keys each page under a folder must set.
fn required_keys(page: &Page, config: &Config, found: &mut Vec<Diagnostic>) {
    for (folder, keys) in &config.check.required {
        if !holds(folder, &page.path) {
            continue;
        }
        let folder = folder.trim_matches('/');
        for key in keys {
            if page.keys.iter().any(|k| &k.name == key && k.has_value) {
                continue;
            }
            let place = if folder.is_empty() || folder == "." {
                "every page".to_string()
            } else {
                format!("pages under {folder}/")
            };
            found.push(
                Diagnostic::error(
                    &page.path,
                    page.key_line(key).unwrap_or(1),
                    0,
                    "missing-field",
                    format!("`{key}` is required for {place}"),
                )
                .with_help(format!(
                    "add `{key}: …` to the front matter (rule `check.required` in handbook.yml)"
                )),
            );
        }
    }
}

/// Keys handbook does not read: usually a typo (`tittle`, `onwer`).
fn unknown_keys(page: &Page, found: &mut Vec<Diagnostic>) {
    for key in &page.keys {
        if known_keys(page.kind.tag()).any(|known| known == key.name) {
            continue;
        }
        let help = match closest(&key.name, known_keys(page.kind.tag())) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!(
                "{} pages understand: {}; put values for themes under `extra:`",
                page.kind.tag().as_str(),
                known_keys(page.kind.tag()).collect::<Vec<_>>().join(", ")
            ),
        };
        found.push(
            Diagnostic::warning(
                &page.path,
                key.line,
                1,
                "unknown-key",
                format!("unknown front-matter key `{}`", key.name),
            )
            .with_help(help),
        );
    }
}
