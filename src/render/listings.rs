//! Generated pages beside the markdown ones: folder listings, tag pages, the search page and
//! the 404 page, through one `generated` helper.

use rayon::prelude::*;

use super::context::{LinkView, ListingItemView, PageView};
use crate::diagnostics::Diagnostic;
use crate::model::nav::NodeId;
use crate::model::page::Page;
use crate::output::OutputFile;

use super::{Renderer, relative};

impl<'a> Renderer<'a> {
    /// The generated listing pages of folders (see `Site::listings`), in URL order.
    pub(super) fn folder_listings(&self) -> Vec<Result<OutputFile, Diagnostic>> {
        let site = self.input.site;
        // The updates folder without a landing page gets the updates listing instead.
        let updates = (!site.updates.is_empty()).then(|| self.updates_folder());
        let mut listings: Vec<(&String, &NodeId)> = site
            .listings
            .iter()
            .filter(|(url, _)| updates.as_deref() != Some(url.as_str()))
            .collect();
        listings.sort();
        listings
            .into_par_iter()
            .map(|(url, &node)| self.folder_listing(url, node))
            .collect()
    }

    pub(super) fn folder_listing(&self, url: &str, node: NodeId) -> Result<OutputFile, Diagnostic> {
        let site = self.input.site;
        let folder = &site.nav.nodes[node];
        let listing = folder
            .children
            .iter()
            .map(|&child| {
                let entry = &site.nav.nodes[child];
                ListingItemView {
                    title: &entry.title,
                    url: entry
                        .page
                        .map(|p| self.page_urls[p].clone())
                        .or_else(|| self.folder_listing_url(child))
                        .unwrap_or_default(),
                    summary: entry.page.map_or("", |p| site.pages[p].summary.as_str()),
                    count: entry.is_section.then_some(entry.children.len()),
                }
            })
            .collect();
        let title = if node == 0 {
            "Home"
        } else {
            folder.title.as_str()
        };
        let mut view = self.generated_view(title, self.url(url), "folder", listing);
        view.breadcrumbs = self.breadcrumbs(Some(node));
        if folder.page.is_some() {
            // `all-pages/` beside a landing page: the folder itself is the last crumb.
            view.breadcrumbs.extend(folder.page.map(|p| self.link(p)));
        }
        let nav = self.sidebar(Some(node));
        let path = format!("{url}index.html");
        let html = self.render_template("list.html", &view, &nav).map_err(|message| {
            Diagnostic::error(&path, 0, 0, "template", message)
                .with_help("fix the template named above, or remove it from your theme to use the built-in one")
        })?;
        let html = self.finished(&path, html);
        Ok(OutputFile::bytes(path, html))
    }

    /// The view of a generated page; its title may be borrowed for less than the site.
    pub(crate) fn generated_view<'b>(
        &self,
        title: &'b str,
        url: String,
        kind: &'static str,
        listing: Vec<ListingItemView<'b>>,
    ) -> PageView<'b>
    where
        'a: 'b,
    {
        PageView {
            title,
            description: None,
            summary: "",
            permalink: self
                .absolute_base
                .as_deref()
                .map(|base| format!("{base}{}", url.trim_start_matches(self.base_path()))),
            url,
            path: None,
            kind,
            is_home: false,
            content: String::new(),
            title_html: None,
            toc: Vec::new(),
            tags: Vec::new(),
            date: None,
            updated: None,
            updated_by: None,
            git: None,
            edit_url: None,
            history_url: None,
            owner: None,
            owners: Vec::new(),
            owner_source: "none",
            review: None,
            reviews: None,
            update: None,
            updates: None,
            person: None,
            team: None,
            people: None,
            feed: None,
            digest: None,
            extra: &serde_json::Value::Null,
            breadcrumbs: self.home_crumb(),
            previous: None,
            next: None,
            backlinks: Vec::new(),
            listing,
            decision: None,
            log: None,
        }
    }

    pub(super) fn home_crumb(&self) -> Vec<LinkView<'a>> {
        vec![LinkView {
            title: "Home",
            url: self.base_path().to_string(),
        }]
    }

    pub(super) fn tag_index(&self) -> Result<OutputFile, Diagnostic> {
        let listing = self
            .input
            .site
            .tags
            .values()
            .map(|tag| ListingItemView {
                title: &tag.name,
                url: self.url(&format!("tags/{}/", tag.slug)),
                summary: "",
                count: Some(tag.pages.len()),
            })
            .collect();
        let view = self.generated_view("Tags", self.url("tags/"), "tags", listing);
        self.generated("tags/index.html", "list.html", &view)
    }

    pub(super) fn tag_page(&self, slug: &str) -> Result<OutputFile, Diagnostic> {
        let site = self.input.site;
        let tag = &site.tags[slug];
        let mut pages: Vec<&Page> = tag.pages.iter().map(|&p| &site.pages[p]).collect();
        pages.sort_by_key(|page| (page.title.to_lowercase(), &page.path));
        let listing = pages
            .into_iter()
            .map(|page| ListingItemView {
                title: &page.title,
                url: self.url(&page.url),
                summary: &page.summary,
                count: None,
            })
            .collect();
        let mut view = self.generated_view(
            &tag.name,
            self.url(&format!("tags/{slug}/")),
            "tag",
            listing,
        );
        view.breadcrumbs.push(LinkView {
            title: "Tags",
            url: self.url("tags/"),
        });
        self.generated(&format!("tags/{slug}/index.html"), "list.html", &view)
    }

    /// The built-in 404 page, or the handbook's own: a `404.md` at the root is rendered as
    /// `404.html`; a `404.html` file is copied as it is.
    pub(super) fn not_found(&self) -> Option<Result<OutputFile, Diagnostic>> {
        let site = self.input.site;
        if site.static_path_exists("404.html") {
            return None;
        }
        if let Some(id) = site.id_by_path("404.md") {
            return Some(self.page_at(id, "404.html".to_string()));
        }
        let view = self.generated_view("Page not found", self.url("404.html"), "404", Vec::new());
        Some(self.generated("404.html", "404.html", &view))
    }

    /// `search/index.html`: the page the header box submits to; `search.js` fills it in.
    pub(super) fn search_page(&self) -> Result<OutputFile, Diagnostic> {
        let view = self.generated_view("Search", self.url("search/"), "search", Vec::new());
        self.generated("search/index.html", "search.html", &view)
    }

    pub(crate) fn generated(
        &self,
        path: &str,
        template: &str,
        view: &PageView,
    ) -> Result<OutputFile, Diagnostic> {
        let nav = self.sidebar(None);
        let html = self.render_template(template, view, &nav).map_err(|message| {
            Diagnostic::error(path, 0, 0, "template", message)
                .with_help("fix the template named above, or remove it from your theme to use the built-in one")
        })?;
        let html = self.finished(path, html);
        Ok(OutputFile::bytes(path, html))
    }

    /// The 404 page's links. With a `base_url` set they stay root-absolute, which works at any
    /// depth. Without one, the site root is not known: links are written relative to the root,
    /// and a script at the top of `<head>` finds the root (the nearest folder above the missing
    /// path whose `404.html` the host serves) and sets `<base href>` before anything loads.
    pub(super) fn not_found_links(&self, html: String) -> String {
        if self.input.config.base_url_given() {
            return html;
        }
        let html = relative::relativize(&html, "404.html", self.base_path());
        match html.find("<head>") {
            Some(at) => {
                let at = at + "<head>".len();
                format!(
                    "{}{}{}",
                    &html[..at],
                    relative::FIND_ROOT_SCRIPT,
                    &html[at..]
                )
            }
            None => html,
        }
    }
}
