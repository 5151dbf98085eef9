//! `llms.txt` and `llms-full.txt` at the site root, for assistants and bots that read the
//! handbook without scraping HTML (the llms.txt convention): the first is the title, a one-line
//! summary and markdown lists of links per top-level section; the second holds the markdown of
//! every published page in reading order. Both come from the same site model as the pages, so
//! drafts and excluded files are never in them. A handbook's own `llms.txt` or
//! `llms-full.txt` (a static file at its root) is published instead of the generated one.

use super::Renderer;
use crate::model::links::encode_path;
use crate::model::page::PageId;
use crate::output::OutputFile;

/// The link index.
pub const INDEX: &str = "llms.txt";
/// The full text.
pub const FULL: &str = "llms-full.txt";

impl Renderer<'_> {
    pub(super) fn llms(&self) -> Vec<OutputFile> {
        let site = self.input.site;
        let mut files = Vec::new();
        // The full text first: the index says whether it is there.
        let limit = self.input.config.llms.full_max_mib.saturating_mul(1 << 20);
        let full = if site.static_path_exists(FULL) {
            Full::Static
        } else {
            match self.llms_full(limit) {
                Some(text) => Full::Written(text),
                None => {
                    log::info!(
                        "{FULL} left out: the full text is over {} MiB (`llms.full_max_mib`); {INDEX} lists every page",
                        self.input.config.llms.full_max_mib
                    );
                    Full::Omitted
                }
            }
        };
        if !site.static_path_exists(INDEX) {
            let index = self.llms_index(!matches!(full, Full::Omitted));
            files.push(OutputFile::bytes(INDEX, index));
        }
        if let Full::Written(text) = full {
            files.push(OutputFile::bytes(FULL, text));
        }
        files
    }

    /// Every published page once: in the sidebar's reading order, then any it does not reach.
    fn llms_order(&self) -> Vec<PageId> {
        let site = self.input.site;
        let mut listed = vec![false; site.pages.len()];
        site.nav
            .reading_order
            .iter()
            .copied()
            .chain(0..site.pages.len())
            .filter(|&id| !std::mem::replace(&mut listed[id], true))
            .collect()
    }

    /// A page's address in these files: absolute with an absolute `base_url`, else relative to
    /// the site root (where the files are).
    fn llms_url(&self, id: PageId) -> String {
        let url = encode_path(&self.input.site.pages[id].url);
        match &self.absolute_base {
            Some(base) => format!("{base}{url}"),
            // `./` first: a path is never read as a scheme.
            None => format!("./{url}"),
        }
    }

    /// The heading block both files open with.
    fn llms_head(&self, out: &mut String) {
        let config = self.input.config;
        out.push_str(&format!("# {}\n\n", one_line(&config.title)));
        let summary = match one_line(&config.description) {
            described if !described.is_empty() => described,
            _ => format!(
                "{} pages of {}, published from its repository.",
                self.input.site.pages.len(),
                one_line(&config.title)
            ),
        };
        out.push_str(&format!("> {summary}\n\n"));
    }

    fn llms_index(&self, with_full: bool) -> String {
        let site = self.input.site;
        let nav = &site.nav;
        let mut out = String::new();
        self.llms_head(&mut out);
        if with_full {
            out.push_str(&format!(
                "The full text of every page is in [{FULL}]({}).\n",
                match &self.absolute_base {
                    Some(base) => format!("{base}{FULL}"),
                    None => FULL.to_string(),
                }
            ));
        }
        // Pages at the top level first, then one section per top-level folder, each listing its
        // pages in reading order (its landing page first).
        let mut sections: Vec<(String, Vec<PageId>)> = vec![(String::from("Overview"), Vec::new())];
        let mut section_of = std::collections::HashMap::new();
        if let Some(root) = nav.nodes.first() {
            for &child in &root.children {
                let node = &nav.nodes[child];
                if node.is_section {
                    section_of.insert(child, sections.len());
                    sections.push((node.title.clone(), Vec::new()));
                }
            }
        }
        for id in self.llms_order() {
            // The top-level folder the page is in, if any.
            let mut node = nav.node_of_page.get(id).copied().flatten();
            let mut section = 0;
            while let Some(at) = node {
                if let Some(&found) = section_of.get(&at) {
                    section = found;
                    break;
                }
                node = nav.nodes[at].parent;
            }
            sections[section].1.push(id);
        }
        for (title, pages) in sections {
            if pages.is_empty() {
                continue;
            }
            out.push_str(&format!("\n## {}\n\n", one_line(&title)));
            for id in pages {
                let page = &site.pages[id];
                out.push_str(&format!(
                    "- [{}]({})",
                    link_text(&page.title),
                    self.llms_url(id)
                ));
                let summary = one_line(&page.summary);
                if !summary.is_empty() {
                    out.push_str(&format!(": {summary}"));
                }
                out.push('\n');
            }
        }
        out
    }

    /// The full text, or `None` once it grows past `limit` bytes.
    fn llms_full(&self, limit: usize) -> Option<String> {
        let site = self.input.site;
        let mut out = String::new();
        self.llms_head(&mut out);
        for id in self.llms_order() {
            if out.len() > limit {
                return None;
            }
            let page = &site.pages[id];
            out.push_str("\n---\n\n");
            let body = if page.has_title_heading {
                without_title(page.body())
            } else {
                page.body()
            };
            out.push_str(&format!("# {}\n\n", one_line(&page.title)));
            out.push_str(&format!("URL: {}\n", self.llms_url(id)));
            if let Some(date) = page.last_updated().or(page.date) {
                out.push_str(&format!("Updated: {date}\n"));
            }
            out.push('\n');
            out.push_str(self.llms_links(id, body).trim());
            out.push('\n');
        }
        (out.len() <= limit).then_some(out)
    }
}

/// What becomes of `llms-full.txt`.
enum Full {
    /// The handbook publishes its own.
    Static,
    Written(String),
    /// Over `llms.full_max_mib`.
    Omitted,
}

impl Renderer<'_> {
    /// `body` (page `id`'s markdown) with its links to pages and files of the site pointing at
    /// their published addresses (as in [`Renderer::llms_url`]) instead of source paths, and
    /// wikilinks written as markdown links. Links are found in document order, as the model
    /// listed them; one that cannot be found is left as written.
    fn llms_links(&self, id: PageId, body: &str) -> String {
        let site = self.input.site;
        let page = &site.pages[id];
        let hrefs = &site.links.hrefs[id];
        let mut out = String::with_capacity(body.len());
        let mut rest = body;
        let mut definitions: Vec<(String, String)> = Vec::new();
        for (link, href) in page.links.iter().zip(hrefs) {
            // A site address, or this page's own for an in-page `#anchor` (the full text
            // holds every page, so a bare anchor would be ambiguous).
            let target = match href {
                crate::model::links::Href::To(target) => target.clone(),
                crate::model::links::Href::AsWritten if link.destination.starts_with('#') => {
                    format!("{}{}", encode_path(&page.url), link.destination)
                }
                _ => continue,
            };
            let address = match &self.absolute_base {
                Some(base) => format!("{base}{target}"),
                None => format!("./{target}"),
            };
            if link.is_wiki {
                let written = format!("[[{}", link.destination);
                let Some(at) = rest.find(&written) else {
                    continue;
                };
                let Some(end) = rest[at..].find("]]").map(|end| at + end + 2) else {
                    continue;
                };
                let inner = &rest[at + 2..end - 2];
                let text = inner.split_once('|').map_or(inner, |(_, text)| text);
                out.push_str(&rest[..at]);
                out.push_str(&format!("[{}]({address})", link_text(text)));
                rest = &rest[end..];
                continue;
            }
            // An inline link's destination follows `](` or `](<`. A reference link's is in its
            // definition (`[label]: dest`), usually further down: rewritten at the end, so the
            // inline links in between are still found in order.
            let found = ["](", "](<"]
                .iter()
                .filter_map(|lead| {
                    rest.find(&format!("{lead}{}", link.destination))
                        .map(|at| at + lead.len())
                })
                .min();
            let Some(at) = found else {
                definitions.push((format!("]: {}", link.destination), format!("]: {address}")));
                continue;
            };
            out.push_str(&rest[..at]);
            out.push_str(&address);
            rest = &rest[at + link.destination.len()..];
        }
        out.push_str(rest);
        for (written, address) in definitions {
            out = out.replacen(&written, &address, 1);
        }
        out
    }
}

/// A body without the `# heading` that became the page's title (written above it instead).
fn without_title(body: &str) -> &str {
    let rest = body.trim_start();
    if rest.starts_with('#') {
        return rest.split_once('\n').map_or("", |(_, after)| after);
    }
    // A setext title: its text, then a line of `=`.
    match rest.split_once('\n') {
        Some((_, after)) if after.trim_start().starts_with('=') => {
            after.split_once('\n').map_or("", |(_, after)| after)
        }
        _ => body,
    }
}

/// `text` on one line: line breaks and runs of spaces become one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A title as markdown link text: on one line, brackets escaped.
fn link_text(title: &str) -> String {
    one_line(title)
        .replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
}
