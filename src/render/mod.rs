//! Render: turns the `Site` into output files — pages through pulldown-cmark and tera (rayon over
//! pages), tag listings, alias redirects, 404, sitemap, robots.txt and theme assets. No I/O.

pub mod context;
mod decisions;
mod digest;
mod feeds;
mod files;
mod highlight;
mod keys;
mod listings;
mod llms;
pub mod markdown;
mod nav;
mod people;
mod relative;
mod reviews;
mod sidebar;
mod templates;
mod updates;

use rayon::prelude::*;

use crate::cache::RenderCache;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::model::Site;
use crate::model::decision::Decision;
use crate::model::links::{Backlink, encode_path};
use crate::model::page::{Page, PageId};
use crate::output::{Content, OutputFile};
use crate::theme::Theme;
use context::{
    BacklinkView, DecisionLinkView, DecisionView, GitView, LinkView, NavItemView, NavLinkView,
    PageView, SiteView, TocEntry,
};
use files::{assets, check_collisions};
use markdown::MarkdownContext;

/// Everything rendering reads.
pub struct RenderInput<'a> {
    /// The model.
    pub site: &'a Site,
    /// Configuration.
    pub config: &'a Config,
    /// Templates and assets.
    pub theme: &'a Theme,
    /// Highlighted code blocks of earlier builds ([`crate::code_cache::CodeCache::none`] to highlight every block).
    pub code: &'a crate::code_cache::CodeCache,
}

/// Renders every output file except search. Template failures become error diagnostics naming
/// the page and the template file.
pub fn render(input: &RenderInput) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let rendered = render_cached(input, &RenderCache::empty(), &|file| file);
    (rendered.files, rendered.diagnostics)
}

/// What [`render_cached`] made.
pub struct Rendered {
    /// Every output file except search (as the sink handed them back); pages the cache
    /// vouched for are [`Content::Kept`].
    pub files: Vec<OutputFile>,
    /// Pages the cache vouched for (not rendered).
    pub pages_kept: usize,
    /// Template errors and output clashes.
    pub diagnostics: Vec<Diagnostic>,
    /// The site-wide key ([`Renderer::site_key`]), for the next build's cache.
    pub site_key: u64,
    /// Each page's output path and key ([`Renderer::page_key`]), for the next build's cache.
    pub page_keys: Vec<(String, u64)>,
}

pub use crate::output::Sink;

/// [`render`], reusing from the previous output each page whose key `cache` holds, and passing
/// each file through `sink` as it is made.
pub fn render_cached(input: &RenderInput, cache: &RenderCache, sink: Sink) -> Rendered {
    let renderer = Renderer::new(input);
    let site_key = renderer.site_key();
    // The files beside the pages (listings, feeds, handbook.json) are mostly serial work: let
    // them run while the pages render.
    let (pages, (rest, mut problems)) = rayon::join(
        || {
            (0..input.site.pages.len())
                .into_par_iter()
                .map(|id| {
                    let (file, key) = renderer.page_cached(id, cache, site_key);
                    let kept =
                        matches!(&file, Ok(file) if matches!(file.content, Content::Kept(_)));
                    (file.map(sink), key, kept)
                })
                .collect::<Vec<_>>()
        },
        || {
            let started = std::time::Instant::now();
            let (files, problems) = renderer.rest();
            let files: Vec<OutputFile> = files.into_iter().map(sink).collect();
            crate::profile::add(crate::profile::Activity::Listings, started.elapsed());
            (files, problems)
        },
    );
    let mut files = Vec::with_capacity(pages.len() + rest.len());
    let mut diagnostics = Vec::new();
    let mut page_keys = Vec::with_capacity(pages.len());
    let pages_kept = pages.iter().filter(|(_, _, kept)| *kept).count();
    for (result, key, _) in pages {
        match result {
            Ok(file) => {
                page_keys.push((file.path.clone(), key));
                files.push(file);
            }
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }
    files.extend(rest);
    diagnostics.append(&mut problems);
    diagnostics.extend(check_collisions(
        &mut files,
        input.site,
        input.config.search.enabled,
    ));
    Rendered {
        files,
        pages_kept,
        diagnostics,
        site_key,
        page_keys,
    }
}

/// Renders parts of a site: every page or only some, and the files beside the pages. The
/// preview server uses it to re-render only what an edit changed.
pub struct Renderer<'a> {
    input: &'a RenderInput<'a>,
    absolute_base: Option<String>,
    site_view: SiteView<'a>,
    /// `site_view` converted to a template value once: every page shares it (the conversion
    /// per page was half of template time at 10k pages; tera values share their maps).
    site_value: tera::Value,
    asset_files: Vec<OutputFile>,
    /// Each page's URL with the base path, encoded once: nav, breadcrumbs and backlinks
    /// repeat them on every page.
    page_urls: Vec<String>,
    /// The updates folder's landing page, which shows the first page of updates.
    updates_landing: Option<PageId>,
    /// The people folder's landing page, which shows the people directory.
    people_landing: Option<PageId>,
    /// The template value of each nav node's closed sidebar entry, made on first use: most of
    /// every page's sidebar is closed entries, the same on every page that shows them.
    closed_entries: Vec<std::sync::OnceLock<tera::Value>>,
    /// The sidebar as HTML (`nav_html`), made natively while the theme's `NavTree` component
    /// is the built-in one; `None` when the theme has its own.
    sidebar_html: Option<sidebar::SidebarHtml>,
}

impl<'a> Renderer<'a> {
    /// Prepares what every page shares: URLs, asset hashes, the `site` view.
    pub fn new(input: &'a RenderInput<'a>) -> Self {
        let base_path = input.config.base_path();
        let absolute_base = input.config.absolute_base();
        let (asset_files, assets) = assets(input.theme, &base_path);
        let page_urls = input.site.page_urls(&input.config.base_path());
        if input.theme.native_sidebar {
            log::debug!("sidebar: made in Rust (the theme's nav.html is the built-in one)");
        } else {
            log::debug!("sidebar: the theme's NavTree component (its nav.html is its own)");
        }
        let site_view = SiteView {
            title: &input.config.title,
            description: &input.config.description,
            base_url: absolute_base.clone(),
            language: &input.config.language,
            repo_url: input.config.repo_url.as_deref(),
            links: input
                .config
                .nav
                .links
                .iter()
                .map(|link| NavLinkView::new(link, &base_path))
                .collect(),
            extra: &input.config.extra,
            assets,
            tags_url: format!("{base_path}tags/"),
            search_url: input
                .config
                .search
                .enabled
                .then(|| format!("{base_path}search/")),
            decision_log_url: (!input.site.decisions.is_empty())
                .then(|| format!("{base_path}{}", decisions::LOG_URL)),
            reviews_url: input
                .site
                .pages
                .iter()
                .any(|page| page.review.is_some())
                .then(|| format!("{base_path}{}", reviews::REVIEWS_URL)),
            changes_url: (input.config.feeds.digest_weeks > 0)
                .then(|| format!("{base_path}{}", feeds::CHANGES_URL)),
            feeds: feeds::site_feeds(input.site, input.config),
            base_path,
        };
        let site_value = tera::Value::from_serializable(&site_view);
        Renderer {
            input,
            absolute_base,
            site_view,
            site_value,
            asset_files,
            page_urls,
            updates_landing: folder_landing(input.site, &input.config.folders.updates),
            people_landing: folder_landing(input.site, &input.config.folders.people),
            closed_entries: (0..input.site.nav.nodes.len())
                .map(|_| std::sync::OnceLock::new())
                .collect(),
            sidebar_html: input
                .theme
                .native_sidebar
                .then(|| sidebar::SidebarHtml::new(input.site.nav.nodes.len())),
        }
    }

    /// Renders the given pages in parallel.
    pub fn pages(
        &self,
        ids: impl IntoParallelIterator<Item = PageId>,
    ) -> (Vec<OutputFile>, Vec<Diagnostic>) {
        let results: Vec<Result<OutputFile, Diagnostic>> =
            ids.into_par_iter().map(|id| self.page(id)).collect();
        let mut files = Vec::with_capacity(results.len());
        let mut diagnostics = Vec::new();
        for result in results {
            match result {
                Ok(file) => files.push(file),
                Err(diagnostic) => diagnostics.push(diagnostic),
            }
        }
        (files, diagnostics)
    }

    /// Everything but the pages: tag listings, 404, the search page, the decision log and
    /// feed, alias redirects, sitemap, robots.txt, theme assets and copied static files.
    pub fn rest(&self) -> (Vec<OutputFile>, Vec<Diagnostic>) {
        let input = self.input;
        let mut files = Vec::with_capacity(input.site.statics.len() + 16);
        let mut diagnostics = Vec::new();
        // The many listings (a page per tag, team and author) and feeds render in parallel.
        let slugs: Vec<&String> = input.site.tags.keys().collect();
        let (tag_pages, (update_pages, feeds)) = rayon::join(
            || {
                slugs
                    .into_par_iter()
                    .map(|slug| self.tag_page(slug))
                    .collect::<Vec<_>>()
            },
            || rayon::join(|| self.update_pages(), || self.feeds()),
        );
        let generated = [self.tag_index()]
            .into_iter()
            .chain(tag_pages)
            .chain(self.folder_listings())
            .chain(self.not_found())
            .chain(input.config.search.enabled.then(|| self.search_page()))
            .chain(self.decision_log_pages())
            .chain(self.reviews_page())
            .chain(update_pages)
            .chain(self.digest_files());
        for result in generated {
            match result {
                Ok(file) => files.push(file),
                Err(diagnostic) => diagnostics.push(diagnostic),
            }
        }
        files.extend(feeds);
        files.extend(self.redirects());
        files.extend(self.sitemap());
        files.push(self.robots());
        files.extend(self.llms());
        files.extend(self.asset_files.iter().cloned());
        files.extend(input.site.statics.iter().map(|file| OutputFile {
            path: file.path.clone(),
            content: crate::output::Content::Copy(file.absolute.clone()),
        }));
        (files, diagnostics)
    }

    pub(super) fn base_path(&self) -> &str {
        &self.site_view.base_path
    }
}

impl<'a> Renderer<'a> {
    pub(super) fn url(&self, site_relative: &str) -> String {
        format!("{}{}", self.base_path(), encode_path(site_relative))
    }

    pub(super) fn link(&self, id: PageId) -> LinkView<'a> {
        let page = &self.input.site.pages[id];
        LinkView {
            title: &page.title,
            url: self.page_urls[id].clone(),
        }
    }

    /// Fills `{path}` in an `edit_url`/`history_url` template with the page's path in the
    /// repository.
    pub(super) fn source_link(&self, template: Option<&str>, page: &Page) -> Option<String> {
        let path = format!("{}{}", self.input.site.repo_prefix, page.path);
        template.map(|template| template.replace("{path}", &encode_path(&path)))
    }

    pub(super) fn backlink(&self, backlink: &Backlink) -> BacklinkView<'a> {
        let page = &self.input.site.pages[backlink.page];
        // A link under the title heading is not in a section of its own.
        let heading = backlink
            .section
            .filter(|&index| !(index == 0 && page.has_title_heading))
            .and_then(|index| page.headings.get(index));
        BacklinkView {
            title: &page.title,
            url: self.page_urls[backlink.page].clone(),
            section: heading.map(|heading| heading.text.as_str()),
            section_url: heading
                .map(|heading| format!("{}#{}", self.page_urls[backlink.page], heading.anchor)),
        }
    }

    pub(super) fn page(&self, id: PageId) -> Result<OutputFile, Diagnostic> {
        let path = format!("{}index.html", self.input.site.pages[id].url);
        self.page_at(id, path)
    }

    /// Page `id` written at `path` (its own `…/index.html`, or `404.html` for a `404.md`).
    pub(super) fn page_at(&self, id: PageId, path: String) -> Result<OutputFile, Diagnostic> {
        let rendered = self.content(id);
        let (mut view, nav, template) = self.page_view(id, rendered.html);
        view.title_html = rendered.title_html;
        let html = self.render_template(&template, &view, &nav);
        self.page_file(id, path, html)
    }

    /// A page's finished HTML as written at `path`: site URLs relative to its folder (see
    /// [`relative`]), except on the 404 page, which hosts serve at any missing path.
    pub(super) fn finished(&self, path: &str, html: String) -> String {
        if path == "404.html" {
            return self.not_found_links(html);
        }
        relative::relativize(&html, path, self.base_path())
    }

    /// Page `id`'s markdown as HTML.
    pub(super) fn content(&self, id: PageId) -> markdown::Rendered {
        let site = self.input.site;
        markdown::render(
            &site.pages[id],
            &MarkdownContext {
                config: &self.input.config.markdown,
                hrefs: &site.links.hrefs[id],
                base_path: self.base_path(),
                code: self.input.code,
            },
        )
    }

    pub(super) fn page_file(
        &self,
        id: PageId,
        path: String,
        html: Result<String, String>,
    ) -> Result<OutputFile, Diagnostic> {
        let page = &self.input.site.pages[id];
        let html = html.map_err(|message| {
            Diagnostic::error(&page.path, 0, 0, "template", message)
                .with_help("fix the template named above, or remove it from your theme to use the built-in one")
        })?;
        let html = self.finished(&path, html);
        Ok(OutputFile::bytes(path, html))
    }

    /// What page `id`'s template sees, around the given rendered content, and the template.
    pub(super) fn page_view(
        &self,
        id: PageId,
        content: String,
    ) -> (PageView<'a>, Vec<NavItemView<'a>>, String) {
        let site = self.input.site;
        let page = &site.pages[id];
        let (previous, next) = site.nav.neighbours(id);
        let view = PageView {
            title: &page.title,
            description: page.description.as_deref(),
            summary: &page.summary,
            url: self.page_urls[id].clone(),
            permalink: self
                .absolute_base
                .as_deref()
                .map(|base| format!("{base}{}", encode_path(&page.url))),
            path: Some(&page.path),
            kind: page.kind.tag().as_str(),
            is_home: page.url.is_empty(),
            content,
            title_html: None,
            toc: toc(page),
            tags: page
                .tags
                .iter()
                .map(|tag| LinkView {
                    title: tag,
                    url: self.url(&format!("tags/{}/", crate::model::page::slugify(tag))),
                })
                .collect(),
            date: page.date.map(|date| date.to_string()),
            updated: page.last_updated().map(|date| date.to_string()),
            updated_by: page
                .updated
                .and(page.updated_by.as_deref())
                .map(|by| self.owner_view(by)),
            git: page.git.as_ref().map(|git| GitView {
                created: git.created.map(|date| date.to_string()),
                updated: git.updated.map(|date| date.to_string()),
                last_author: &git.last_author,
                contributors: &git.contributors,
                last_commit: &git.last_commit,
                last_commit_short: git.last_commit.get(..8).unwrap_or(&git.last_commit),
                last_subject: &git.last_subject,
            }),
            edit_url: self.source_link(self.input.config.edit_url.as_deref(), page),
            history_url: self.source_link(self.input.config.history_url.as_deref(), page),
            owner: page.owners.ids.first().map(String::as_str),
            owners: self.owner_views(page),
            owner_source: page.owners.source.as_str(),
            review: page.review.as_ref().map(|review| self.review_view(review)),
            reviews: None,
            update: self.update_meta(id),
            updates: self.landing_updates(id),
            person: self.person_view(id),
            team: self.team_view(id),
            people: self.directory_view(id),
            feed: self.team_feed(id),
            digest: None,
            extra: &page.extra,
            breadcrumbs: self.breadcrumbs(site.nav.node_of_page[id]),
            previous: previous.map(|p| self.link(p)),
            next: next.map(|p| self.link(p)),
            backlinks: site.links.backlinks[id]
                .iter()
                .map(|backlink| self.backlink(backlink))
                .collect(),
            listing: Vec::new(),
            decision: site
                .decision_of_page(id)
                .map(|decision| self.decision_view(decision)),
            log: None,
        };
        let nav = self.sidebar(site.nav.node_of_page[id]);
        let template = format!("{}.html", page.kind.tag().as_str());
        let template = if self.input.theme.tera.contains_template(&template) {
            template
        } else {
            "page.html".to_string()
        };
        (view, nav, template)
    }

    pub(super) fn decision_link(&self, decision: &Decision) -> DecisionLinkView<'a> {
        DecisionLinkView {
            number: decision.number,
            title: &self.input.site.pages[decision.page].title,
            url: self.page_urls[decision.page].clone(),
            status: decision.status.as_str(),
        }
    }

    pub(super) fn decision_view(&self, decision: &'a Decision) -> DecisionView<'a> {
        let links = |numbers: &[u32]| -> Vec<DecisionLinkView<'a>> {
            numbers
                .iter()
                .filter_map(|&number| self.input.site.decision(number))
                .map(|target| self.decision_link(target))
                .collect()
        };
        DecisionView {
            number: decision.number,
            status: decision.status.as_str(),
            status_text: &decision.status_text,
            date: decision.date.map(|date| date.to_string()),
            decide_by: decision.decide_by.map(|date| date.to_string()),
            deciders: &decision.deciders,
            consulted: &decision.consulted,
            informed: &decision.informed,
            team: decision.team.as_deref(),
            people: context::DecisionPeopleView {
                deciders: decision
                    .deciders
                    .iter()
                    .map(|id| self.owner_view(id))
                    .collect(),
                consulted: decision
                    .consulted
                    .iter()
                    .map(|id| self.owner_view(id))
                    .collect(),
                informed: decision
                    .informed
                    .iter()
                    .map(|id| self.owner_view(id))
                    .collect(),
                team: decision.team.as_deref().map(|id| self.team_link(id)),
            },
            supersedes: links(&decision.supersedes),
            amends: links(&decision.amends),
            superseded_by: links(&decision.superseded_by),
            amended_by: links(&decision.amended_by),
        }
    }
}

/// The landing page (`index.md`, `README.md`) of a folder named in handbook.yml.
pub(super) fn folder_landing(site: &Site, folder: &str) -> Option<PageId> {
    let folder = folder.trim_matches('/');
    ["index.md", "README.md", "readme.md"]
        .iter()
        .find_map(|name| site.id_by_path(&format!("{folder}/{name}")))
}

/// Text made safe inside HTML or XML.
pub(super) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).ok();
    out
}

pub(super) fn toc(page: &Page) -> Vec<TocEntry<'_>> {
    let skip = usize::from(page.has_title_heading);
    page.headings
        .iter()
        .skip(skip)
        .filter(|heading| heading.level == 2 || heading.level == 3)
        .map(|heading| TocEntry {
            level: heading.level,
            text: &heading.text,
            anchor: &heading.anchor,
        })
        .collect()
}
