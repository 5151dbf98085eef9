//! The JSON export: one document describing the whole handbook — pages, decision records,
//! updates, people and teams — for bots, dashboards and reminders. `handbook export` prints it
//! and every build publishes it as `handbook.json`. The schema is versioned and documented in
//! the README; fields are only ever added within a version. Typed views serialize straight to
//! JSON (no `Value` tree: at 10k pages that tree cost 180 MB).

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::config::Config;
use crate::model::Site;
use crate::model::check::own_keys;
use crate::model::decision::Decision;
use crate::model::links::encode_path;
use crate::model::page::{Page, PageKind};
use crate::yaml;

/// Schema version of the document.
pub const VERSION: u32 = 1;

/// The file every build writes at the root of the output.
pub const FILE: &str = "handbook.json";

/// `handbook.json` as an output file: the pipeline and the preview add it beside the rendered
/// site (the renderer does not know the export).
pub fn output_file(site: &Site, config: &Config) -> crate::output::OutputFile {
    let urls = site.page_urls(&config.base_path());
    // Room for the usual size (about 1.5 KB a page) and more: a buffer that grows by doubling
    // holds the old and the new copy at once (at 100k pages that was the build's peak), while
    // room never written costs no memory.
    let mut bytes = Vec::with_capacity((site.pages.len() + 64) * 4096);
    if serde_json::to_writer(&mut bytes, &document(site, config, &urls)).is_err() {
        bytes.clear();
    }
    crate::output::OutputFile::bytes(FILE, bytes)
}

/// The export document; borrows the site, serializes straight to JSON.
#[derive(Serialize)]
pub struct Document<'a> {
    version: u32,
    site: SiteInfo<'a>,
    pages: Vec<PageEntry<'a>>,
    decisions: Vec<Value>,
    updates: Vec<UpdateEntry<'a>>,
    people: Vec<Value>,
    teams: Vec<Value>,
}

#[derive(Serialize)]
struct SiteInfo<'a> {
    title: &'a str,
    description: &'a str,
    base_url: &'a str,
    language: &'a str,
}

#[derive(Serialize)]
struct PageEntry<'a> {
    path: &'a str,
    url: &'a str,
    kind: &'static str,
    title: &'a str,
    description: Option<&'a str>,
    summary: &'a str,
    owner: Option<&'a str>,
    owners: &'a [String],
    owner_source: &'static str,
    tags: &'a [String],
    date: Option<String>,
    updated: Option<String>,
    review_by: Option<String>,
    review_every: Option<String>,
    review: Option<ReviewEntry>,
    created: Option<String>,
    last_updated: Option<String>,
    last_author: Option<&'a str>,
    contributors: &'a [String],
    last_commit: Option<&'a str>,
    draft: bool,
    headings: Vec<HeadingEntry<'a>>,
    links: Vec<&'a str>,
}

/// A page's review schedule on the day of the build; shared with `handbook stale --json`.
#[derive(Serialize)]
pub struct ReviewEntry {
    /// ISO due date.
    pub due: String,
    /// `overdue`, `due-soon` or `current`.
    pub state: &'static str,
    /// Days from the build's date to `due`, negative when overdue.
    pub days_left: i32,
}

impl ReviewEntry {
    /// The entry for a page's schedule.
    pub fn new(review: &crate::model::review::Review) -> Self {
        ReviewEntry {
            due: review.due.to_string(),
            state: review.state.as_str(),
            days_left: review.days_left,
        }
    }
}

#[derive(Serialize)]
struct HeadingEntry<'a> {
    level: u8,
    text: &'a str,
    anchor: &'a str,
}

#[derive(Serialize)]
struct UpdateEntry<'a> {
    path: &'a str,
    url: &'a str,
    title: &'a str,
    date: String,
    author: Option<&'a str>,
    team: Option<&'a str>,
    tags: &'a [String],
    summary: &'a str,
}

/// Builds the export document. `urls` are the pages' URLs with the base path, by page id.
pub fn document<'a>(site: &'a Site, config: &'a Config, urls: &'a [String]) -> Document<'a> {
    let of_kind = |kind: PageKind| {
        site.pages
            .iter()
            .enumerate()
            .filter(move |(_, page)| page.kind.tag() == kind)
    };
    Document {
        version: VERSION,
        site: SiteInfo {
            title: &config.title,
            description: &config.description,
            base_url: &config.base_url,
            language: &config.language,
        },
        pages: site
            .pages
            .iter()
            .enumerate()
            .map(|(id, page)| PageEntry {
                path: &page.path,
                url: &urls[id],
                kind: page.kind.tag().as_str(),
                title: &page.title,
                description: page.description.as_deref(),
                summary: &page.summary,
                owner: page.owners.ids.first().map(String::as_str),
                owners: &page.owners.ids,
                owner_source: page.owners.source.as_str(),
                tags: &page.tags,
                date: page.date.map(|date| date.to_string()),
                updated: page.updated.map(|date| date.to_string()),
                review_by: page.review_by.map(|date| date.to_string()),
                review_every: page.review_every.map(|every| every.to_string()),
                review: page.review.as_ref().map(ReviewEntry::new),
                created: page.created().map(|date| date.to_string()),
                last_updated: page.last_updated().map(|date| date.to_string()),
                last_author: page.git.as_ref().map(|git| git.last_author.as_str()),
                contributors: page.git.as_ref().map_or(&[], |git| &git.contributors),
                last_commit: page.git.as_ref().map(|git| git.last_commit.as_str()),
                draft: page.is_draft,
                headings: page
                    .headings
                    .iter()
                    .map(|heading| HeadingEntry {
                        level: heading.level,
                        text: &heading.text,
                        anchor: &heading.anchor,
                    })
                    .collect(),
                links: site.links.outgoing[id]
                    .iter()
                    .map(|&to| urls[to].as_str())
                    .collect(),
            })
            .collect(),
        decisions: site
            .decisions
            .iter()
            .map(|d| decision(site, d, &urls[d.page]))
            .collect(),
        updates: site
            .updates
            .iter()
            .map(|update| {
                let page = &site.pages[update.page];
                UpdateEntry {
                    path: &page.path,
                    url: &urls[update.page],
                    title: &page.title,
                    date: update.date.to_string(),
                    author: update.author.as_deref(),
                    team: update.team.as_deref(),
                    tags: &page.tags,
                    summary: &page.summary,
                }
            })
            .collect(),
        people: of_kind(PageKind::Person)
            .map(|(id, page)| entity(site, id, page, &urls[id]))
            .collect(),
        teams: of_kind(PageKind::Team)
            .map(|(id, page)| entity(site, id, page, &urls[id]))
            .collect(),
    }
}

/// One decision record, as `handbook decision list --json` also prints it.
pub fn decision(site: &Site, d: &Decision, url: &str) -> Value {
    let page = &site.pages[d.page];
    json!({
        "number": d.number,
        "title": page.title,
        "status": d.status.as_str(),
        "status_text": d.status_text,
        "date": d.date.map(|date| date.to_string()),
        "path": page.path,
        "url": url,
        "team": d.team,
        "tags": page.tags,
        "deciders": d.deciders,
        "consulted": d.consulted,
        "informed": d.informed,
        "supersedes": d.supersedes,
        "superseded_by": d.superseded_by,
        "amends": d.amends,
        "amended_by": d.amended_by,
        "decide_by": d.decide_by.map(|date| date.to_string()),
        "overdue": d.is_overdue,
    })
}

/// A person or team: id (the file name), page, the front-matter keys of its kind, and the
/// pages it owns.
fn entity(site: &Site, id: usize, page: &Page, url: &str) -> Value {
    let key = crate::model::owners::entity_id(page);
    let mut entry = Map::new();
    entry.insert("id".into(), key.into());
    entry.insert("path".into(), page.path.clone().into());
    entry.insert("url".into(), url.into());
    entry.insert("title".into(), page.title.clone().into());
    let front_matter = front_matter(page);
    for name in own_keys(page.kind.tag()) {
        if let Some(value) = front_matter.get(name) {
            entry.insert(name.to_string(), value.clone());
        }
    }
    let relations = site.relations.get(&id).cloned().unwrap_or_default();
    let paths = |pages: &[usize]| -> Vec<&str> {
        pages.iter().map(|&p| site.pages[p].path.as_str()).collect()
    };
    entry.insert("owns".into(), json!(paths(&relations.owns)));
    // A team's members, or the teams a person belongs to, by id.
    let linked: Vec<&str> = relations
        .members
        .iter()
        .map(|&p| crate::model::owners::entity_id(&site.pages[p]))
        .collect();
    let linked_key = if page.kind.tag() == crate::model::page::PageKind::Team {
        "member_ids"
    } else {
        "team_ids"
    };
    entry.insert(linked_key.into(), json!(linked));
    let numbers = |indexes: &[usize]| -> Vec<u32> {
        indexes.iter().map(|&i| site.decisions[i].number).collect()
    };
    entry.insert("decided".into(), json!(numbers(&relations.decided)));
    entry.insert("consulted".into(), json!(numbers(&relations.consulted)));
    entry.insert("informed".into(), json!(numbers(&relations.informed)));
    if let Some(zone) = page.kind.profile().and_then(|p| p.timezone.as_ref()) {
        let today = site.today;
        entry.insert(
            "utc_offset_minutes".into(),
            zone.offset_minutes(today).into(),
        );
    }
    Value::Object(entry)
}

/// The page's front matter as JSON (empty when there is none; it parsed once already).
fn front_matter(page: &Page) -> Map<String, Value> {
    yaml::parse::<Map<String, Value>>(page.front_matter_text()).unwrap_or_default()
}

/// `handbook stale --json`: the pages overdue or due soon for review, grouped by owner, for
/// bots that remind owners. Versioned like the export.
#[derive(Serialize)]
pub struct StaleReport<'a> {
    /// Schema version.
    pub version: u32,
    /// The date the states are as of.
    pub today: Option<String>,
    /// Days before the due date that count as due soon.
    pub soon_days: u32,
    /// Pages overdue.
    pub overdue: usize,
    /// Pages due soon.
    pub due_soon: usize,
    /// One group per owner (by id), pages nobody owns last.
    pub owners: Vec<StaleGroup<'a>>,
}

/// The pages due for review under one owner.
#[derive(Serialize)]
pub struct StaleGroup<'a> {
    /// Owner id or CODEOWNERS handle; null for pages nobody owns.
    pub owner: Option<&'a str>,
    /// The person's or team's page title, when there is a page.
    pub name: Option<&'a str>,
    /// Their page, when there is one.
    pub url: Option<&'a str>,
    /// Overdue pages first (longest overdue first), then pages due soon.
    pub pages: Vec<StalePage<'a>>,
}

/// One page due for review.
#[derive(Serialize)]
pub struct StalePage<'a> {
    /// Source path.
    pub path: &'a str,
    /// URL with the base path.
    pub url: &'a str,
    /// Absolute URL when `base_url` is absolute, else null.
    pub permalink: Option<String>,
    /// Title.
    pub title: &'a str,
    /// Every owner of the page.
    pub owners: &'a [String],
    /// `front-matter`, `codeowners`, `folder` or `none`.
    pub owner_source: &'static str,
    /// Due date, state and days left.
    pub review: ReviewEntry,
    /// The interval counted from the last update (`6m`), or null for `review_by`.
    pub every: Option<String>,
    /// Date of the last change, or null.
    pub last_updated: Option<String>,
    /// Author of the last commit, or null.
    pub last_author: Option<&'a str>,
}

/// Builds the stale report; `only_owner` keeps one owner's group.
pub fn stale<'a>(
    site: &'a Site,
    config: &'a Config,
    urls: &'a [String],
    only_owner: Option<&str>,
) -> StaleReport<'a> {
    use crate::model::review::{State, count, report};
    let absolute = config.absolute_base();
    let owners = report(site)
        .into_iter()
        .filter(|group| only_owner.is_none_or(|wanted| group.owner == Some(wanted)))
        .map(|group| {
            let page_of = group.owner.and_then(|id| site.directory.resolve(id));
            StaleGroup {
                owner: group.owner,
                name: page_of.map(|id| site.pages[id].title.as_str()),
                url: page_of.map(|id| urls[id].as_str()),
                pages: group
                    .pages
                    .into_iter()
                    .filter_map(|id| {
                        let page = &site.pages[id];
                        let review = page.review.as_ref()?;
                        Some(StalePage {
                            path: &page.path,
                            url: &urls[id],
                            permalink: absolute
                                .as_ref()
                                .map(|base| format!("{base}{}", encode_path(&page.url))),
                            title: &page.title,
                            owners: &page.owners.ids,
                            owner_source: page.owners.source.as_str(),
                            review: ReviewEntry::new(review),
                            every: review.every().map(|every| every.to_string()),
                            last_updated: page.last_updated().map(|date| date.to_string()),
                            last_author: page.git.as_ref().map(|git| git.last_author.as_str()),
                        })
                    })
                    .collect(),
            }
        })
        .collect();
    StaleReport {
        version: VERSION,
        today: Some(site.today.to_string()),
        soon_days: config.review.soon_days,
        overdue: count(site, State::Overdue),
        due_soon: count(site, State::DueSoon),
        owners,
    }
}
