//! The JSON export: one document describing the whole handbook — pages, decision records,
//! updates, people and teams — for bots, dashboards and reminders. `handbook export` prints it
//! and every build publishes it as `handbook.json`. The schema is versioned and documented in
//! the README; fields are only ever added within a version.

use serde_json::{Map, Value, json};

use crate::config::Config;
use crate::model::Site;
use crate::model::check::known_keys;
use crate::model::decision::Decision;
use crate::model::links::encode_path;
use crate::model::page::{Page, PageId, PageKind};
use crate::yaml;

/// Schema version of the document.
pub const VERSION: u32 = 1;

/// The file every build writes at the root of the output.
pub const FILE: &str = "handbook.json";

/// Builds the export document.
pub fn document(site: &Site, config: &Config) -> Value {
    let base_path = config.base_path();
    let url = |id: PageId| format!("{base_path}{}", encode_path(&site.pages[id].url));
    let of_kind = |kind: PageKind| {
        site.pages
            .iter()
            .enumerate()
            .filter(move |(_, page)| page.kind == kind)
    };
    let mut updates: Vec<(PageId, &Page)> = of_kind(PageKind::Update).collect();
    updates.sort_by(|(_, a), (_, b)| b.date.cmp(&a.date).then_with(|| a.path.cmp(&b.path)));
    json!({
        "version": VERSION,
        "site": {
            "title": config.title,
            "description": config.description,
            "base_url": config.base_url,
            "language": config.language,
        },
        "pages": site.pages.iter().enumerate().map(|(id, page)| json!({
            "path": page.path,
            "url": url(id),
            "kind": page.kind.as_str(),
            "title": page.title,
            "description": page.description,
            "summary": page.summary,
            "owner": page.owner,
            "tags": page.tags,
            "date": page.date.map(|date| date.to_string()),
            "updated": page.updated.map(|date| date.to_string()),
            "draft": page.is_draft,
            "headings": page.headings.iter().map(|heading| json!({
                "level": heading.level,
                "text": heading.text,
                "anchor": heading.anchor,
            })).collect::<Vec<_>>(),
            "links": site.links.outgoing[id].iter().map(|&to| url(to)).collect::<Vec<_>>(),
            "backlinks": site.links.backlinks[id].iter().map(|b| url(b.page)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "decisions": site.decisions.iter().map(|d| decision(site, d, &url(d.page))).collect::<Vec<_>>(),
        "updates": updates.iter().map(|&(id, page)| json!({
            "path": page.path,
            "url": url(id),
            "title": page.title,
            "date": page.date.map(|date| date.to_string()),
            "author": field(page, "author"),
            "team": page.record.team,
            "tags": page.tags,
            "summary": match field(page, "summary") {
                Value::String(summary) if !summary.trim().is_empty() => summary,
                _ => page.summary.clone(),
            },
        })).collect::<Vec<_>>(),
        "people": of_kind(PageKind::Person).map(|(id, page)| entity(site, page, &url(id))).collect::<Vec<_>>(),
        "teams": of_kind(PageKind::Team).map(|(id, page)| entity(site, page, &url(id))).collect::<Vec<_>>(),
    })
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
fn entity(site: &Site, page: &Page, url: &str) -> Value {
    let key = page
        .path
        .rsplit('/')
        .next()
        .unwrap_or(&page.path)
        .trim_end_matches(".md");
    let mut entry = Map::new();
    entry.insert("id".into(), key.into());
    entry.insert("path".into(), page.path.clone().into());
    entry.insert("url".into(), url.into());
    entry.insert("title".into(), page.title.clone().into());
    let front_matter = front_matter(page);
    for name in known_keys(page.kind) {
        if let Some(value) = front_matter.get(name)
            && !is_common(name)
        {
            entry.insert(name.to_string(), value.clone());
        }
    }
    let owned: Vec<&str> = site
        .pages
        .iter()
        .filter(|other| other.owner.as_deref() == Some(key))
        .map(|other| other.path.as_str())
        .collect();
    entry.insert("owns".into(), json!(owned));
    Value::Object(entry)
}

fn is_common(name: &str) -> bool {
    known_keys(PageKind::Page).any(|common| common == name)
}

/// One front-matter value that the typed model does not keep.
fn field(page: &Page, name: &str) -> Value {
    front_matter(page).remove(name).unwrap_or(Value::Null)
}

/// The page's front matter as JSON (empty when there is none; it parsed once already).
fn front_matter(page: &Page) -> Map<String, Value> {
    yaml::parse::<Map<String, Value>>(page.front_matter_text()).unwrap_or_default()
}
