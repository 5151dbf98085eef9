//! Atom feeds (RFC 4287, written with atom_syndication): every update, each team's updates,
//! decision records, recently changed pages and the weekly "What changed" digest. Links are
//! absolute when `base_url` is an absolute address; otherwise they are relative to the feed's
//! own address (which readers resolve them against, so the feed works under any sub-path) and
//! ids are `tag:` URIs, which must be absolute. Dates are days, so the feeds are deterministic for a given history.

use atom_syndication::{
    Category, Content, Entry, Feed, FixedDateTime, Generator, Link, Person, Text,
};

use rayon::prelude::*;

use super::Renderer;
use super::context::FeedLinkView;
use super::digest::{week_summary, week_title};
use crate::config::Config;
use crate::model::Site;
use crate::model::decision::Decision;
use crate::model::digest;
use crate::model::page::{Date, PageId, slugify};
use crate::model::updates::Update;
use crate::output::OutputFile;

/// Where the feeds are, relative to the site root.
pub const UPDATES_FEED: &str = "feed.xml";
/// The decisions feed, beside the decision log.
pub const DECISIONS_FEED: &str = "decision-log/feed.xml";
/// The digest page.
pub const CHANGES_URL: &str = "changes/";
/// The digest feed: one entry per week.
pub const DIGEST_FEED: &str = "changes/feed.xml";
/// Recently changed pages: one entry per change.
pub const PAGES_FEED: &str = "changes/pages.xml";

/// An entry before it becomes XML.
pub(super) struct EntrySpec {
    /// Title as plain text.
    pub title: String,
    /// Site-relative URL of the page (`docs/setup/`, with a `#fragment` if any).
    pub url: String,
    /// Unique within the feed, site-relative; a change gives a new one.
    pub id: String,
    /// Last change.
    pub updated: Date,
    /// First publication, when known.
    pub published: Option<Date>,
    /// Author names; the site title when empty.
    pub authors: Vec<String>,
    /// Category terms.
    pub categories: Vec<String>,
    /// Plain-text summary.
    pub summary: String,
    /// Full HTML content, when the feed carries it.
    pub content: Option<String>,
}

/// The site's feeds for `<head>` and the footer: updates, decisions, changed pages, digest.
pub fn site_feeds(site: &Site, config: &Config) -> Vec<FeedLinkView> {
    let base = config.base_path();
    let title = &config.title;
    let mut feeds = Vec::new();
    if !site.updates.is_empty() {
        feeds.push(FeedLinkView {
            title: format!("{title} — updates"),
            url: format!("{base}{}", updates_feed(config)),
            page: format!("{base}{}/", config.folders.updates.trim_matches('/')),
        });
    }
    if !site.decisions.is_empty() {
        feeds.push(FeedLinkView {
            title: format!("{title} — decisions"),
            url: format!("{base}{DECISIONS_FEED}"),
            page: format!("{base}{}", folder_of(DECISIONS_FEED)),
        });
    }
    if config.feeds.digest_weeks > 0 {
        feeds.push(FeedLinkView {
            title: format!("{title} — what changed, weekly"),
            url: format!("{base}{DIGEST_FEED}"),
            page: format!("{base}{}", folder_of(DIGEST_FEED)),
        });
        feeds.push(FeedLinkView {
            title: format!("{title} — changed pages"),
            url: format!("{base}{PAGES_FEED}"),
            page: format!("{base}{}", folder_of(PAGES_FEED)),
        });
    }
    feeds
}

/// `changes/` for `changes/feed.xml`.
fn folder_of(feed: &str) -> &str {
    &feed[..feed.rfind('/').map_or(0, |slash| slash + 1)]
}

/// `updates/feed.xml`.
pub fn updates_feed(config: &Config) -> String {
    format!(
        "{}/{UPDATES_FEED}",
        config.folders.updates.trim_matches('/')
    )
}

fn time(date: Date) -> FixedDateTime {
    FixedDateTime::parse_from_rfc3339(&format!("{date}T00:00:00Z")).unwrap_or_default()
}

fn link(href: String, rel: &str) -> Link {
    let mut link = Link::default();
    link.set_href(href);
    link.set_rel(rel);
    if rel == "self" {
        link.set_mime_type(Some("application/atom+xml".to_string()));
    } else {
        link.set_mime_type(Some("text/html".to_string()));
    }
    link
}

fn person(name: &str) -> Person {
    let mut person = Person::default();
    person.set_name(name);
    person
}

impl<'a> Renderer<'a> {
    /// An absolute link when the base URL is absolute, else root-relative.
    fn feed_href(&self, site_relative: &str) -> String {
        let path = encode(site_relative);
        match &self.absolute_base {
            Some(base) => format!("{base}{path}"),
            None => format!("{}{path}", self.base_path()),
        }
    }

    /// An absolute IRI for an id: the absolute URL, else a `tag:` URI from the site title.
    fn feed_id(&self, site_relative: &str) -> String {
        match &self.absolute_base {
            Some(base) => format!("{base}{}", encode(site_relative)),
            None => {
                let authority = match slugify(&self.input.config.title).as_str() {
                    "" => "handbook".to_string(),
                    slug => slug.to_string(),
                };
                format!(
                    "tag:{authority},2000:{}{}",
                    self.base_path(),
                    encode(site_relative)
                )
            }
        }
    }

    /// Writes a feed. `path` and `alternate` are site-relative; entries come newest first and
    /// are cut to `feeds.entries`.
    pub(super) fn atom(
        &self,
        path: &str,
        title: String,
        alternate: &str,
        mut entries: Vec<EntrySpec>,
    ) -> OutputFile {
        let config = self.input.config;
        entries.truncate(config.feeds.entries.max(1));
        let site_title = &config.title;
        let mut feed = Feed::default();
        feed.set_title(Text::plain(title));
        feed.set_id(self.feed_id(path));
        feed.set_links(vec![
            link(self.feed_href(alternate), "alternate"),
            link(self.feed_href(path), "self"),
        ]);
        let newest = entries.iter().map(|entry| entry.updated).max();
        feed.set_updated(time(newest.unwrap_or(self.input.site.today)));
        feed.set_authors(vec![person(site_title)]);
        if !config.description.is_empty() {
            feed.set_subtitle(Some(Text::plain(config.description.clone())));
        }
        let mut generator = Generator::default();
        generator.set_value("handbook");
        generator.set_version(Some(env!("CARGO_PKG_VERSION").to_string()));
        feed.set_generator(Some(generator));
        feed.set_lang(Some(config.language.clone()));
        feed.set_entries(
            entries
                .into_iter()
                .map(|spec| {
                    let mut entry = Entry::default();
                    entry.set_title(Text::plain(spec.title));
                    entry.set_id(self.feed_id(&spec.id));
                    entry.set_links(vec![link(self.feed_href(&spec.url), "alternate")]);
                    entry.set_updated(time(spec.updated));
                    entry.set_published(spec.published.map(time));
                    let authors = if spec.authors.is_empty() {
                        vec![person(site_title)]
                    } else {
                        spec.authors.iter().map(|name| person(name)).collect()
                    };
                    entry.set_authors(authors);
                    entry.set_categories(
                        spec.categories
                            .iter()
                            .map(|term| {
                                let mut category = Category::default();
                                category.set_term(term.clone());
                                category
                            })
                            .collect::<Vec<_>>(),
                    );
                    if !spec.summary.is_empty() {
                        entry.set_summary(Some(Text::plain(spec.summary)));
                    }
                    if let Some(html) = spec.content {
                        let mut content = Content::default();
                        content.set_content_type(Some("html".to_string()));
                        content.set_value(Some(self.feed_relative(path, html)));
                        entry.set_content(Some(content));
                    }
                    entry
                })
                .collect::<Vec<_>>(),
        );
        OutputFile::bytes(path.to_string(), self.feed_relative(path, feed.to_string()))
    }

    /// Without an absolute base URL, the site paths in `text` (the feed's links, an entry's
    /// HTML) made relative to the feed at `path`.
    fn feed_relative(&self, path: &str, text: String) -> String {
        match self.absolute_base {
            Some(_) => text,
            None => super::relative::relativize(&text, path, self.base_path()),
        }
    }

    /// Every feed the site has.
    pub(super) fn feeds(&self) -> Vec<OutputFile> {
        let site = self.input.site;
        let mut files = Vec::new();
        if !site.updates.is_empty() {
            let groups = self.groups();
            files.push(self.updates_feed(None, &groups.all));
            let teams: Vec<_> = groups.teams.iter().collect();
            files.par_extend(
                teams
                    .into_par_iter()
                    .map(|(&team, updates)| self.updates_feed(Some(team), updates)),
            );
        }
        files.extend(self.decision_feed());
        if self.input.config.feeds.digest_weeks > 0 {
            files.push(self.pages_feed());
        }
        files
    }

    /// All updates, or one team's (beside its listing, `updates/team/<id>/feed.xml`), from
    /// the listings' groups.
    fn updates_feed(&self, team: Option<&str>, updates: &[&Update]) -> OutputFile {
        let site = self.input.site;
        let config = self.input.config;
        let entries = updates
            .iter()
            .take(config.feeds.entries.max(1))
            .map(|update| {
                let page = &site.pages[update.page];
                EntrySpec {
                    title: page.title.clone(),
                    url: page.url.clone(),
                    id: page.url.clone(),
                    updated: page.updated.unwrap_or(update.date).max(update.date),
                    published: Some(update.date),
                    authors: update
                        .author
                        .as_deref()
                        .map(|author| self.owner_view(author).name.to_string())
                        .into_iter()
                        .collect(),
                    categories: update.team.iter().cloned().collect(),
                    summary: page.summary.clone(),
                    content: Some(self.feed_content(update.page)),
                }
            })
            .collect();
        let (path, title, alternate) = match team {
            None => (
                updates_feed(config),
                format!("{} — updates", config.title),
                format!("{}/", config.folders.updates.trim_matches('/')),
            ),
            Some(team) => {
                let listing = self.updates_of_url(team, true);
                let listing = listing
                    .strip_prefix(self.base_path())
                    .unwrap_or(&listing)
                    .to_string();
                (
                    format!("{listing}{UPDATES_FEED}"),
                    format!("{} — {} updates", config.title, self.owner_view(team).name),
                    listing,
                )
            }
        };
        self.atom(&path, title, &alternate, entries)
    }

    /// A page's body as feed HTML: links absolute when the base URL is.
    fn feed_content(&self, id: PageId) -> String {
        let site = self.input.site;
        let base = self.absolute_base.as_deref().map(|base| {
            // The base path's links become absolute: `https://host/handbook/`.
            base.trim_end_matches('/')
                .strip_suffix(self.base_path().trim_end_matches('/'))
                .unwrap_or(base)
                .to_string()
        });
        let html = super::markdown::render(
            &site.pages[id],
            &super::markdown::MarkdownContext {
                config: &self.input.config.markdown,
                hrefs: &site.links.hrefs[id],
                base_path: self.base_path(),
                code: self.input.code,
            },
        )
        .html;
        match base {
            Some(origin) => ["href=\"", "src=\""]
                .into_iter()
                .fold(html, |html, attribute| {
                    absolutize(&html, &format!("{attribute}{}", self.base_path()), &origin)
                }),
            None => html,
        }
    }

    /// Decision records, newest first. An entry's id is the record URL plus its status, so a
    /// status change (proposed → accepted) reaches readers as a new entry even without git
    /// history; `updated` is the record's date (or its last change), so the feed is
    /// deterministic.
    fn decision_feed(&self) -> Option<OutputFile> {
        let site = self.input.site;
        if site.decisions.is_empty() {
            return None;
        }
        let mut records: Vec<&Decision> = site.decisions.iter().collect();
        records.sort_by_key(|d| std::cmp::Reverse((d.date, d.number)));
        let entries = records
            .into_iter()
            .map(|decision| {
                let page = &site.pages[decision.page];
                let updated = decision
                    .date
                    .or_else(|| page.last_updated())
                    .unwrap_or_default();
                EntrySpec {
                    title: format!(
                        "{}. {} ({})",
                        decision.number,
                        page.title,
                        decision.status.as_str()
                    ),
                    url: page.url.clone(),
                    id: format!("{}#status-{}", page.url, decision.status.as_str()),
                    updated,
                    published: decision.date,
                    authors: decision
                        .deciders
                        .iter()
                        .map(|id| self.owner_view(id).name.to_string())
                        .collect(),
                    categories: vec![decision.status.as_str().to_string()],
                    summary: page.summary.clone(),
                    content: None,
                }
            })
            .collect();
        Some(self.atom(
            DECISIONS_FEED,
            format!("{} — decisions", self.input.config.title),
            super::decisions::LOG_URL,
            entries,
        ))
    }

    /// Recently changed pages: one entry per page change (git history, else `updated`),
    /// newest first, with its author and commit subject.
    fn pages_feed(&self) -> OutputFile {
        let site = self.input.site;
        let mut changes: Vec<(Date, PageId, Option<&str>, Option<&str>)> = Vec::new();
        for (id, page) in site.pages.iter().enumerate() {
            match &page.git {
                Some(git) if !git.changes.is_empty() => {
                    changes.extend(git.changes.iter().map(|change| {
                        (
                            change.date,
                            id,
                            Some(change.author.as_str()),
                            Some(change.subject.as_str()),
                        )
                    }));
                }
                _ => changes.extend(page.last_updated().map(|date| (date, id, None, None))),
            }
        }
        changes.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then_with(|| site.pages[a.1].path.cmp(&site.pages[b.1].path))
        });
        let entries = changes
            .into_iter()
            .map(|(date, id, author, subject)| {
                let page = &site.pages[id];
                EntrySpec {
                    title: page.title.clone(),
                    url: page.url.clone(),
                    id: format!("{}#changed-{date}", page.url),
                    updated: date,
                    published: None,
                    authors: author.map(str::to_string).into_iter().collect(),
                    categories: vec![page.kind.tag().as_str().to_string()],
                    summary: match subject {
                        Some(subject) => format!("{subject} — {}", page.summary),
                        None => page.summary.clone(),
                    },
                    content: None,
                }
            })
            .collect();
        self.atom(
            PAGES_FEED,
            format!("{} — changed pages", self.input.config.title),
            CHANGES_URL,
            entries,
        )
    }

    /// The digest as a feed: one entry per week with changes, its content the week's list.
    pub(super) fn digest_feed(&self, weeks: &[digest::Week], html: &[String]) -> OutputFile {
        let entries = weeks
            .iter()
            .zip(html)
            .filter(|(week, _)| !week.items.is_empty())
            .map(|(week, html)| EntrySpec {
                title: format!("What changed: {}", week_title(week)),
                url: format!("{CHANGES_URL}#{}", week.id()),
                id: format!("{CHANGES_URL}#{}", week.id()),
                updated: week
                    .items
                    .iter()
                    .map(|item| item.date)
                    .max()
                    .unwrap_or(week.start),
                published: Some(week.start),
                authors: Vec::new(),
                categories: Vec::new(),
                summary: week_summary(week),
                content: Some(html.clone()),
            })
            .collect();
        self.atom(
            DIGEST_FEED,
            format!("{} — what changed, weekly", self.input.config.title),
            CHANGES_URL,
            entries,
        )
    }
}

/// Percent-encodes a site-relative URL, keeping its `#fragment` (already an anchor id).
fn encode(url: &str) -> String {
    match url.split_once('#') {
        Some((path, fragment)) => format!("{}#{fragment}", super::encode_path(path)),
        None => super::encode_path(url),
    }
}

/// Puts `origin` into every `prefix` (`href="/handbook/`) not followed by a second slash
/// (`href="//host/` is already absolute).
fn absolutize(html: &str, prefix: &str, origin: &str) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    while let Some(at) = rest.find(prefix) {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let cut = prefix.find('"').map_or(0, |quote| quote + 1);
        out.push_str(&from[..cut]);
        if !(prefix.ends_with('/') && from[prefix.len()..].starts_with('/')) {
            out.push_str(origin);
        }
        out.push_str(&from[cut..prefix.len()]);
        rest = &from[prefix.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_links_become_absolute_but_protocol_relative_ones_stay() {
        let html = r#"<a href="/docs/x/">x</a> <a href="//cdn.example/y">y</a> <img src="/a.png"> <a href="https://z/">z</a>"#;
        let out = absolutize(html, "href=\"/", "https://h.example");
        let out = absolutize(&out, "src=\"/", "https://h.example");
        assert_eq!(
            out,
            r#"<a href="https://h.example/docs/x/">x</a> <a href="//cdn.example/y">y</a> <img src="https://h.example/a.png"> <a href="https://z/">z</a>"#
        );
    }
}
