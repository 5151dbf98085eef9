//! Site-wide files beside the pages: alias redirects, sitemap.xml, robots.txt, theme assets
//! with cache-busting URLs, the highlighting stylesheet, and the output-path collision check.

use std::collections::BTreeMap;

use super::Renderer;
use super::markdown;
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
        .or_insert_with(|| highlight_css().into_bytes());
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

/// Light and dark highlighting CSS from syntect's bundled themes. Dark applies when the reader
/// chose it with the toggle, or when the system is dark and no choice was made.
pub fn highlight_css() -> String {
    let themes = syntect::highlighting::ThemeSet::load_defaults();
    let css = |name: &str| {
        themes
            .themes
            .get(name)
            .and_then(|theme| {
                syntect::html::css_for_theme_with_class_style(
                    theme,
                    markdown::HIGHLIGHT_CLASS_STYLE,
                )
                .ok()
            })
            .unwrap_or_default()
    };
    // Token colours keep at least 4.5:1 against the theme's code background (WCAG AA):
    // InspiredGitHub's green, for one, is 2.75:1 on the light code background.
    let light = readable(&css("InspiredGitHub"), CODE_BACKGROUND_LIGHT);
    let dark = readable(&css("base16-ocean.dark"), CODE_BACKGROUND_DARK);
    // Each selector under `scope`, with `suffix` on the element itself.
    let scoped = |css: &str, scope: &str, suffix: &str| -> String {
        css.lines()
            .map(|line| {
                if line.starts_with('.') {
                    let (selectors, open) = match line.strip_suffix(" {") {
                        Some(selectors) => (selectors, " {"),
                        None => (line, ""),
                    };
                    let list = selectors
                        .split(", ")
                        .map(|selector| {
                            let selector = selector.trim_end_matches(',');
                            format!("{scope} {selector}{suffix}")
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    let comma = if selectors.ends_with(',') { "," } else { "" };
                    format!("{list}{comma}{open}")
                } else {
                    line.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    // The dark rules carry an id-level `:not(#hl)`, so each outranks every light rule whatever
    // their class counts (a five-class light rule kept dark text on the dark background).
    // In dark mode the light rules' backgrounds are cleared first, then the dark theme applies.
    let dark = format!("{}\n{dark}", clear_backgrounds(&light));
    format!(
        "/* Generated from syntect's InspiredGitHub (light) and base16-ocean.dark (dark). */\n{}\n{}\n@media (prefers-color-scheme: dark) {{\n{}\n}}\n",
        scoped(&light, ":root", ""),
        scoped(&dark, ":root[data-theme=\"dark\"]", ":not(#hl)"),
        scoped(&dark, ":root:not([data-theme=\"light\"])", ":not(#hl)"),
    )
}

/// The default theme's `--bg-code`, light and dark (`themes/default/static/style.css`).
const CODE_BACKGROUND_LIGHT: [u8; 3] = [0xf3, 0xf4, 0xf6];
const CODE_BACKGROUND_DARK: [u8; 3] = [0x1b, 0x22, 0x2c];

/// `css` with every `color: #rrggbb` moved towards black (on a light background) or white (on
/// a dark one) until it has a contrast ratio of at least 4.5:1 with `background`; hue kept. A
/// rule with its own `background-color` is left as its theme made it (its text is measured
/// against that colour, not the code background).
fn readable(css: &str, background: [u8; 3]) -> String {
    let dark_background = luminance(background) < 0.5;
    let mut out = String::with_capacity(css.len());
    for block in css.split_inclusive('}') {
        if block.contains("background-color") {
            out.push_str(block);
            continue;
        }
        let mut rest = block;
        while let Some(at) = rest.find(" color: #") {
            let start = at + " color: #".len();
            out.push_str(&rest[..start]);
            rest = &rest[start..];
            let Some(mut rgb) = parse_hex(rest.get(..6).unwrap_or("")) else {
                continue;
            };
            let target = if dark_background { 255.0 } else { 0.0 };
            for _ in 0..40 {
                if contrast(rgb, background) >= 4.5 {
                    break;
                }
                rgb = rgb.map(|c| (f64::from(c) + (target - f64::from(c)) * 0.1).round() as u8);
            }
            out.push_str(&format!("{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]));
            rest = &rest[6..];
        }
        out.push_str(rest);
    }
    out
}

/// For every rule of `css` that sets a `background-color`, the same selectors with a
/// transparent background: emitted in dark mode so a light theme's token background (a diff's
/// pale green) never sits under the dark theme's light text.
fn clear_backgrounds(css: &str) -> String {
    css.split_inclusive('}')
        .filter(|block| block.contains("background-color"))
        .filter_map(|block| block.split_once('{').map(|(selectors, _)| selectors.trim()))
        .filter(|selectors| selectors.starts_with('.'))
        .map(|selectors| format!("{selectors} {{\n background-color: transparent;\n}}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_hex(hex: &str) -> Option<[u8; 3]> {
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

/// WCAG relative luminance.
fn luminance(rgb: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2])
}

/// WCAG contrast ratio.
fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
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
    #[test]
    fn every_highlight_colour_reads_at_four_and_a_half_to_one_on_the_code_background() {
        let css = super::highlight_css();
        let (light, rest) = css.split_once(":root[data-theme=\"dark\"]").unwrap();
        for (part, background) in [
            (light, super::CODE_BACKGROUND_LIGHT),
            (rest, super::CODE_BACKGROUND_DARK),
        ] {
            for block in part.split_inclusive('}') {
                // A rule with its own background is measured against it.
                if block.contains("background-color") {
                    continue;
                }
                for piece in block.split(" color: #").skip(1) {
                    let rgb = super::parse_hex(&piece[..6]).unwrap();
                    let ratio = super::contrast(rgb, background);
                    assert!(ratio >= 4.5, "#{} is {ratio:.2}:1", &piece[..6]);
                }
            }
        }
        // The fix darkens the green InspiredGitHub uses for tags (#63a35c, 2.75:1).
        assert!(!light.contains("#63a35c"));
        // In dark mode a light token background (a diff's #eaffea) is cleared.
        assert!(light.contains("background-color: #eaffea"), "{light}");
        assert!(
            rest.contains(":not(#hl) {\n background-color: transparent;"),
            "{rest}"
        );
    }

    use super::*;

    #[test]
    fn redirects_escape_their_target() {
        let html = redirect_html("/a\"><script>/");
        assert!(!html.contains("<script>"));
    }
}
