//! The template contract: borrowed, serializable views. Templates see these fields and nothing
//! else, so adding or renaming a field here is a deliberate change to the theme API.
//! Optional values serialize as `null` (tera 2 errors on missing fields; write `x or ""`).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::NavLink;

/// `site` in every template.
#[derive(Serialize)]
pub struct SiteView<'a> {
    /// Site title.
    pub title: &'a str,
    /// Site description.
    pub description: &'a str,
    /// Path prefix of every internal URL (`/` or `/handbook/`).
    pub base_path: String,
    /// Absolute site address when configured, else null.
    pub base_url: Option<String>,
    /// `<html lang>`.
    pub language: &'a str,
    /// Repository address, or null.
    pub repo_url: Option<&'a str>,
    /// Header links.
    pub links: Vec<NavLinkView>,
    /// Config `extra`.
    pub extra: &'a BTreeMap<String, serde_json::Value>,
    /// Asset URLs with cache-busting hashes, by file name (`style.css`).
    pub assets: BTreeMap<String, String>,
    /// URL of the tag index.
    pub tags_url: String,
    /// URL of the search page (`/search/?q=`), or null when search is off.
    pub search_url: Option<String>,
    /// URL of the decision log, or null when the handbook has no decision records.
    pub decision_log_url: Option<String>,
    /// URL of the review report (pages overdue or due soon), when any page has a review
    /// schedule; else null.
    pub reviews_url: Option<String>,
    /// URL of the "What changed" digest, or null when it is turned off.
    pub changes_url: Option<String>,
    /// The site's Atom feeds (updates, decisions, changed pages, the weekly digest).
    pub feeds: Vec<FeedLinkView>,
}

/// An Atom feed to link in `<head>`.
#[derive(Serialize, Clone)]
pub struct FeedLinkView {
    /// `Driftwood Labs — updates`.
    pub title: String,
    /// URL with the base path.
    pub url: String,
    /// URL (with the base path) of the page whose entries the feed follows: its `<head>`
    /// announces the feed, as the home page's does.
    pub page: String,
}

/// A header link with its URL resolved.
#[derive(Serialize)]
pub struct NavLinkView {
    /// Text.
    pub title: String,
    /// Resolved URL.
    pub url: String,
}

impl NavLinkView {
    /// Resolves a configured link against the base path.
    pub fn new(link: &NavLink, base_path: &str) -> Self {
        let url = if crate::model::links::is_external(&link.url) {
            link.url.clone()
        } else {
            format!("{base_path}{}", link.url.trim_start_matches('/'))
        };
        NavLinkView {
            title: link.title.clone(),
            url,
        }
    }
}

/// A link to a page: title and URL.
#[derive(Serialize, Clone)]
pub struct LinkView<'a> {
    /// Link text.
    pub title: &'a str,
    /// URL including the base path.
    pub url: String,
}

/// A page linking to the current one, and the section the link is in.
#[derive(Serialize, Clone)]
pub struct BacklinkView<'a> {
    /// Title of the linking page.
    pub title: &'a str,
    /// URL of the linking page.
    pub url: String,
    /// Heading of the section holding the link, or null above the first heading.
    pub section: Option<&'a str>,
    /// URL of that section (`…/#anchor`), or null.
    pub section_url: Option<String>,
}

/// What git knows about a page.
#[derive(Serialize)]
pub struct GitView<'a> {
    /// ISO date of the first commit.
    pub created: Option<String>,
    /// ISO date of the last commit.
    pub updated: Option<String>,
    /// Author of the last commit.
    pub last_author: &'a str,
    /// Every author, most recent first.
    pub contributors: &'a [String],
    /// Full hash of the last commit.
    pub last_commit: &'a str,
    /// Short hash of the last commit.
    pub last_commit_short: &'a str,
    /// Subject line of the last commit.
    pub last_subject: &'a str,
}

/// A table-of-contents entry.
#[derive(Serialize)]
pub struct TocEntry<'a> {
    /// 2 or 3.
    pub level: u8,
    /// Heading text.
    pub text: &'a str,
    /// Anchor without `#`.
    pub anchor: &'a str,
}

/// A sidebar entry; only the current page's branch is expanded.
#[derive(Serialize)]
pub struct NavItemView<'a> {
    /// The nav tree node (not a template field): closed entries' template values are made once
    /// per node.
    #[serde(skip)]
    pub node: crate::model::nav::NodeId,
    /// Shown text.
    pub title: &'a str,
    /// URL, or null for a folder without a landing page.
    pub url: Option<String>,
    /// The page being rendered.
    pub is_current: bool,
    /// On the path from the root to the current page.
    pub is_open: bool,
    /// A folder.
    pub is_section: bool,
    /// Expanded children (empty when collapsed). Added to the template value by the renderer,
    /// which shares collapsed entries' values between pages.
    #[serde(skip_serializing)]
    pub children: Vec<NavItemView<'a>>,
    /// Entries left out of a long list, shown as "N more".
    pub more: usize,
    /// The folder's full listing, which "N more" links to (null when nothing is left out).
    pub more_url: Option<String>,
    /// A decision record's number and effective status, shown beside its title; else null.
    pub record: Option<RecordBadgeView>,
}

/// `item.record` on a sidebar entry.
#[derive(Serialize, Hash, Clone, Copy)]
pub struct RecordBadgeView {
    /// Record number.
    pub number: u32,
    /// Effective status (`accepted`).
    pub status: &'static str,
}

/// Every template field, so page keys cover what the sidebar shows (not which node it came
/// from: node numbers shift when pages are added).
impl std::hash::Hash for NavItemView<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.title.hash(state);
        self.url.hash(state);
        self.is_current.hash(state);
        self.is_open.hash(state);
        self.is_section.hash(state);
        self.children.hash(state);
        self.more.hash(state);
        self.more_url.hash(state);
        self.record.hash(state);
    }
}

impl NavItemView<'_> {
    /// True when the entry's template value depends on its node alone: not on the path to the
    /// current page, nor on the window of siblings.
    pub fn is_closed(&self) -> bool {
        !self.is_current && !self.is_open && self.children.is_empty() && self.more == 0
    }

    /// For a closed entry, its value in `cells` (one per nav node), made by `make` on first
    /// use; `None` for an entry that is not closed, whose value is made per page.
    pub fn shared<'c, T, E>(
        &self,
        cells: &'c [std::sync::OnceLock<T>],
        make: impl FnOnce() -> Result<T, E>,
    ) -> Result<Option<&'c T>, E> {
        let Some(cell) = cells.get(self.node).filter(|_| self.is_closed()) else {
            return Ok(None);
        };
        if let Some(value) = cell.get() {
            return Ok(Some(value));
        }
        // Another thread may have made it meanwhile: the same value.
        let _ = cell.set(make()?);
        Ok(cell.get())
    }
}

/// `page` in page templates.
#[derive(Serialize)]
pub struct PageView<'a> {
    /// Title.
    pub title: &'a str,
    /// Description, or null.
    pub description: Option<&'a str>,
    /// Plain-text summary.
    pub summary: &'a str,
    /// URL including the base path.
    pub url: String,
    /// Absolute URL when the base URL is absolute, else null.
    pub permalink: Option<String>,
    /// Source path, or null for generated pages.
    pub path: Option<&'a str>,
    /// `page`, `decision`, `update`, `person`, `team`, or `tags`/`tag` for generated listings.
    pub kind: &'static str,
    /// True for the home page.
    pub is_home: bool,
    /// Rendered body HTML (mark it `safe`).
    pub content: String,
    /// The title as HTML when its heading holds markup (`code`, emphasis, links), else null;
    /// `title` is always the plain text (mark it `safe`).
    pub title_html: Option<String>,
    /// Level 2–3 headings.
    pub toc: Vec<TocEntry<'a>>,
    /// Tags with their listing URLs.
    pub tags: Vec<LinkView<'a>>,
    /// ISO date or null.
    pub date: Option<String>,
    /// ISO date of the last change (front-matter `updated`, else the last commit) or null.
    pub updated: Option<String>,
    /// Who made that change, from front-matter `updated_by` (a person, linked when the
    /// handbook has their page), when front matter dates it; else null (see `git`).
    pub updated_by: Option<OwnerView<'a>>,
    /// Page history from git; null for generated pages and outside a repository.
    pub git: Option<GitView<'a>>,
    /// "Edit this page" URL from `edit_url` in handbook.yml, or null.
    pub edit_url: Option<String>,
    /// "View history" URL from `history_url` in handbook.yml, or null.
    pub history_url: Option<String>,
    /// The first owner's id, or null (kept for themes written before `owners`).
    pub owner: Option<&'a str>,
    /// Owners with their person or team pages.
    pub owners: Vec<OwnerView<'a>>,
    /// Where the owners come from: `front-matter`, `codeowners`, `folder` or `none`.
    pub owner_source: &'static str,
    /// The page's review schedule, or null.
    pub review: Option<ReviewView>,
    /// The review report on the generated `due-for-review/` page, else null.
    pub reviews: Option<ReviewReportView<'a>>,
    /// On an update: its date, author and team; else null.
    pub update: Option<UpdateMetaView<'a>>,
    /// A page of the updates listing (the updates folder's landing page and the generated
    /// listing pages); else null.
    pub updates: Option<UpdateListView<'a>>,
    /// On a person page: profile, teams, hours and what they own, wrote and decided.
    pub person: Option<PersonView<'a>>,
    /// On a team page: members with their hours, overlap, owned pages, updates, decisions.
    pub team: Option<TeamView<'a>>,
    /// On the people folder's landing page: the people directory.
    pub people: Option<DirectoryView<'a>>,
    /// A feed about this page (a team's updates), or null.
    pub feed: Option<FeedLinkView>,
    /// The "What changed" digest on its generated page, else null.
    pub digest: Option<DigestView<'a>>,
    /// Front-matter `extra`, or null.
    pub extra: &'a serde_json::Value,
    /// From the home page down to the parent folder.
    pub breadcrumbs: Vec<LinkView<'a>>,
    /// Previous page in reading order.
    pub previous: Option<LinkView<'a>>,
    /// Next page in reading order.
    pub next: Option<LinkView<'a>>,
    /// Pages linking here.
    pub backlinks: Vec<BacklinkView<'a>>,
    /// Items of a generated listing (tag pages), empty otherwise.
    pub listing: Vec<ListingItemView<'a>>,
    /// Decision-record data for decision pages, else null.
    pub decision: Option<DecisionView<'a>>,
    /// The decision log on generated log pages, else null.
    pub log: Option<DecisionLogView<'a>>,
}

/// An owner: a person or team id, or a CODEOWNERS handle.
#[derive(Serialize, Clone)]
pub struct OwnerView<'a> {
    /// The id or handle as resolved (`platform`, `@acme/ops`).
    pub id: &'a str,
    /// The person's or team's page title, else the id.
    pub name: &'a str,
    /// Their page, or null when the handbook has none.
    pub url: Option<String>,
}

/// `page.update` on an update.
#[derive(Serialize)]
pub struct UpdateMetaView<'a> {
    /// ISO date.
    pub date: String,
    /// The author, or null.
    pub author: Option<OwnerView<'a>>,
    /// The team, or null.
    pub team: Option<OwnerView<'a>>,
    /// The author's updates listing, or null.
    pub author_updates_url: Option<String>,
    /// The team's updates listing, or null.
    pub team_updates_url: Option<String>,
}

/// One page of an updates listing.
#[derive(Serialize)]
pub struct UpdateListView<'a> {
    /// "All updates", "Platform team", "Dana Scott".
    pub heading: String,
    /// Updates on this page, newest first.
    pub items: Vec<UpdateItemView<'a>>,
    /// 1-based page number.
    pub page: usize,
    /// Number of pages.
    pub pages: usize,
    /// Newer updates, or null on the first page.
    pub newer_url: Option<String>,
    /// Older updates, or null on the last page.
    pub older_url: Option<String>,
    /// Every team with updates (count, listing URL, whether it is this listing); with more
    /// than [`INLINE_FILTERS`](super::updates::INLINE_FILTERS) teams, only the current one, and
    /// `teams_index` links to the page that lists them all.
    pub teams: Vec<ListingFilterView<'a>>,
    /// Every author with updates, or only the current one (see `teams`).
    pub authors: Vec<ListingFilterView<'a>>,
    /// The page listing every team's updates (`updates/team/`), when `teams` does not.
    pub teams_index: Option<String>,
    /// The page listing every author's updates (`updates/author/`), when `authors` does not.
    pub authors_index: Option<String>,
    /// Teams with updates.
    pub team_count: usize,
    /// Authors with updates.
    pub author_count: usize,
    /// The listing of all updates.
    pub all_url: String,
    /// True on the listing of all updates.
    pub is_all: bool,
}

/// A team or author to filter a listing by.
#[derive(Serialize)]
pub struct ListingFilterView<'a> {
    /// Display name.
    pub name: &'a str,
    /// Updates.
    pub count: usize,
    /// Listing URL.
    pub url: String,
    /// True on this filter's own listing.
    pub is_current: bool,
}

/// An update in a listing.
#[derive(Serialize)]
pub struct UpdateItemView<'a> {
    /// Title.
    pub title: &'a str,
    /// URL with the base path.
    pub url: String,
    /// ISO date.
    pub date: String,
    /// Front-matter summary, else the text before `<!-- more -->`, else the first paragraph.
    pub summary: &'a str,
    /// The author, or null.
    pub author: Option<OwnerView<'a>>,
    /// The team, or null.
    pub team: Option<OwnerView<'a>>,
}

/// `page.review`: when the page is due for review.
#[derive(Serialize)]
pub struct ReviewView {
    /// ISO due date.
    pub due: String,
    /// `overdue`, `due-soon` or `current`.
    pub state: &'static str,
    /// Days from the build's date to the due date, negative when overdue.
    pub days_left: i32,
    /// Days overdue or left, without sign, as words (`1 day`, `12 days`).
    pub distance: String,
    /// The interval (`6m`) when the due date counts from the last update; null for
    /// `review_by`.
    pub every: Option<String>,
    /// The review report.
    pub report_url: String,
}

/// `page.reviews` on the review report.
#[derive(Serialize)]
pub struct ReviewReportView<'a> {
    /// The build's date, which the report is as of.
    pub today: String,
    /// Pages past their due date.
    pub overdue: usize,
    /// Pages due within `soon_days`.
    pub due_soon: usize,
    /// Pages with any review schedule.
    pub scheduled: usize,
    /// `review.soon_days` from handbook.yml.
    pub soon_days: u32,
    /// One group per owner, owners by id, pages nobody owns last.
    pub groups: Vec<ReviewGroupView<'a>>,
}

/// The pages due for review under one owner.
#[derive(Serialize)]
pub struct ReviewGroupView<'a> {
    /// The owner, or null for pages nobody owns.
    pub owner: Option<OwnerView<'a>>,
    /// Overdue pages first (longest overdue first), then pages due soon.
    pub rows: Vec<ReviewRowView<'a>>,
}

/// One page in the review report.
#[derive(Serialize)]
pub struct ReviewRowView<'a> {
    /// Title.
    pub title: &'a str,
    /// URL including the base path.
    pub url: String,
    /// Source path.
    pub path: &'a str,
    /// The schedule.
    pub review: ReviewView,
    /// ISO date of the last change, or null.
    pub updated: Option<String>,
}

/// `page.log` on the decision log, its per-status pages and the open-decisions dashboard.
#[derive(Serialize)]
pub struct DecisionLogView<'a> {
    /// Records shown, newest number first (the dashboard: overdue first, then by deadline).
    pub rows: Vec<DecisionRowView<'a>>,
    /// One entry per status, with counts and the URL of its pre-rendered page.
    pub statuses: Vec<FilterView>,
    /// Teams present, sorted, for the client-side filter.
    pub teams: Vec<&'a str>,
    /// Tags present, sorted, for the client-side filter.
    pub tags: Vec<&'a str>,
    /// Records grouped by year of their date, newest year first.
    pub timeline: Vec<TimelineYearView<'a>>,
    /// URL of the whole log.
    pub all_url: String,
    /// URL of the open-decisions dashboard.
    pub open_url: String,
    /// URL of the Atom feed of decisions.
    pub feed_url: String,
}

/// One record in the log.
#[derive(Serialize, Clone)]
pub struct DecisionRowView<'a> {
    /// Record number.
    pub number: u32,
    /// Title.
    pub title: &'a str,
    /// URL including the base path.
    pub url: String,
    /// Effective status.
    pub status: &'static str,
    /// ISO date or null.
    pub date: Option<String>,
    /// Team id or null.
    pub team: Option<&'a str>,
    /// Tags.
    pub tags: &'a [String],
    /// Person ids.
    pub deciders: &'a [String],
    /// The deciders, linked to their pages when the handbook has them.
    pub decider_links: Vec<OwnerView<'a>>,
    /// The team, linked to its page when the handbook has one; else null.
    pub team_link: Option<OwnerView<'a>>,
    /// ISO deadline or null.
    pub decide_by: Option<String>,
    /// A proposed record past its deadline.
    pub is_overdue: bool,
    /// For a proposed record with a deadline: "due in 3 days", "due today", "overdue by
    /// 2 days"; else null.
    pub due: Option<String>,
}

/// A filter choice with its pre-rendered page (works without JavaScript).
#[derive(Serialize)]
pub struct FilterView {
    /// Value (`accepted`).
    pub name: &'static str,
    /// Records with it.
    pub count: usize,
    /// Its page.
    pub url: String,
    /// The page being rendered is this filter's page.
    pub is_current: bool,
}

/// A year of the timeline.
#[derive(Serialize)]
pub struct TimelineYearView<'a> {
    /// The year, or "Undated".
    pub year: String,
    /// Records of that year, newest first.
    pub rows: Vec<DecisionRowView<'a>>,
}

/// `page.decision` on a decision record.
#[derive(Serialize)]
pub struct DecisionView<'a> {
    /// Record number.
    pub number: u32,
    /// Effective status: `proposed`, `accepted`, `rejected`, `deprecated` or `superseded`.
    pub status: &'static str,
    /// The status as the record words it.
    pub status_text: &'a str,
    /// ISO date or null.
    pub date: Option<String>,
    /// ISO deadline of a proposed record, or null.
    pub decide_by: Option<String>,
    /// Person ids.
    pub deciders: &'a [String],
    /// Person or team ids.
    pub consulted: &'a [String],
    /// Person or team ids.
    pub informed: &'a [String],
    /// Team id or null.
    pub team: Option<&'a str>,
    /// Deciders, consulted, informed and team with their person or team pages, for links.
    pub people: DecisionPeopleView<'a>,
    /// Records this one replaces.
    pub supersedes: Vec<DecisionLinkView<'a>>,
    /// Records this one amends.
    pub amends: Vec<DecisionLinkView<'a>>,
    /// Records replacing this one (derived).
    pub superseded_by: Vec<DecisionLinkView<'a>>,
    /// Records amending this one (derived).
    pub amended_by: Vec<DecisionLinkView<'a>>,
}

/// A link to another decision record.
#[derive(Serialize)]
pub struct DecisionLinkView<'a> {
    /// Record number.
    pub number: u32,
    /// Title.
    pub title: &'a str,
    /// URL including the base path.
    pub url: String,
    /// Effective status.
    pub status: &'static str,
}

/// One entry of a generated listing.
#[derive(Serialize)]
pub struct ListingItemView<'a> {
    /// Title.
    pub title: &'a str,
    /// URL including the base path.
    pub url: String,
    /// Plain-text summary.
    pub summary: &'a str,
    /// A count (pages per tag) or null.
    pub count: Option<usize>,
}

/// Where and when someone works, on their clock and on the UTC day (as of the build date).
#[derive(Serialize)]
pub struct TimeView {
    /// IANA name (`Asia/Kolkata`).
    pub timezone: String,
    /// `UTC+05:30` on the build date.
    pub offset: String,
    /// The same in minutes east of UTC.
    pub offset_minutes: i32,
    /// Working hours on their clock (`10:30–18:30`), or null.
    pub hours: Option<String>,
    /// Working hours on the UTC clock (`05:00–13:00`), or null.
    pub hours_utc: Option<String>,
    /// Start and end of the working hours in minutes after local midnight (for scripts that
    /// tell whether someone is working now), or null.
    pub start_minutes: Option<u16>,
    /// See `start_minutes`.
    pub end_minutes: Option<u16>,
    /// The working hours as bars on a 24-hour UTC axis.
    pub bars: Vec<BarView>,
}

/// A stretch of a 24-hour UTC axis, in percent of the day.
#[derive(Serialize)]
pub struct BarView {
    /// Start, 0–100, to two decimals.
    pub left: f64,
    /// Length, 0–100, to two decimals.
    pub width: f64,
    /// `09:00–11:00 UTC`.
    pub label: String,
}

/// `page.person` on a person page.
#[derive(Serialize)]
pub struct PersonView<'a> {
    /// The person id (file name).
    pub id: &'a str,
    /// Role, pronouns, location, response time: as written, or null.
    pub role: Option<&'a str>,
    /// See `role`.
    pub pronouns: Option<&'a str>,
    /// See `role`.
    pub location: Option<&'a str>,
    /// See `role`.
    pub response_time: Option<&'a str>,
    /// Picture URL (http(s), or a path resolved against the page's folder), or null.
    pub avatar: Option<String>,
    /// Preferred channels, in order.
    pub channels: &'a [String],
    /// Teams they belong to.
    pub teams: Vec<OwnerView<'a>>,
    /// Time zone and hours, or null when no time zone is given.
    pub time: Option<TimeView>,
    /// Pages they own.
    pub owns: Vec<LinkView<'a>>,
    /// Their newest updates (at most `RECENT_UPDATES`).
    pub updates: Vec<UpdateItemView<'a>>,
    /// How many updates they wrote.
    pub update_count: usize,
    /// Their updates listing, or null.
    pub updates_url: Option<String>,
    /// Records they decided.
    pub decided: Vec<DecisionLinkView<'a>>,
    /// Records they were consulted on.
    pub consulted: Vec<DecisionLinkView<'a>>,
    /// Records they were informed of.
    pub informed: Vec<DecisionLinkView<'a>>,
}

/// `page.team` on a team page.
#[derive(Serialize)]
pub struct TeamView<'a> {
    /// The team id (file name).
    pub id: &'a str,
    /// Leads.
    pub lead: Vec<OwnerView<'a>>,
    /// Channels, as written.
    pub channels: &'a [String],
    /// What to ask them about.
    pub ask_about: &'a [String],
    /// How to escalate, or null.
    pub escalation_policy: Option<&'a str>,
    /// Members, west to east.
    pub members: Vec<MemberView<'a>>,
    /// Where the members' working hours overlap, when at least two have hours and a time
    /// zone; else null.
    pub overlap: Option<OverlapView>,
    /// The build date the UTC times are computed for (daylight saving moves them).
    pub as_of: Option<String>,
    /// Pages the team owns.
    pub owns: Vec<LinkView<'a>>,
    /// The team's newest updates (at most `RECENT_UPDATES`).
    pub updates: Vec<UpdateItemView<'a>>,
    /// How many updates the team posted.
    pub update_count: usize,
    /// The team's updates listing, or null.
    pub updates_url: Option<String>,
    /// The team's updates feed, or null.
    pub feed_url: Option<String>,
    /// Records the team owns or decided.
    pub decided: Vec<DecisionLinkView<'a>>,
    /// Records the team was consulted on or informed of.
    pub involved: Vec<DecisionLinkView<'a>>,
}

/// A person in a team or the people directory.
#[derive(Serialize)]
pub struct MemberView<'a> {
    /// Name and page.
    pub person: OwnerView<'a>,
    /// Role, or null.
    pub role: Option<&'a str>,
    /// Their teams (in the directory).
    pub teams: Vec<OwnerView<'a>>,
    /// Time zone and hours, or null.
    pub time: Option<TimeView>,
}

/// Where a team's working hours overlap, on the UTC clock.
#[derive(Serialize)]
pub struct OverlapView {
    /// Members with a time zone and working hours.
    pub members: usize,
    /// Spans when all of them work (`09:00–11:00 UTC`); empty when there is none.
    pub all: Vec<String>,
    /// When there is no common hour: the most members working at once.
    pub best_count: usize,
    /// When there is no common hour: the spans with `best_count` members working.
    pub best: Vec<String>,
    /// Bars for `all` (or `best` when `all` is empty).
    pub bars: Vec<BarView>,
    /// Members working in each hour of the UTC day (0–23), for a heat strip.
    pub hours: Vec<usize>,
}

/// `page.people` on the people folder's landing page: everyone, west to east.
#[derive(Serialize)]
pub struct DirectoryView<'a> {
    /// Everyone with a person page.
    pub people: Vec<MemberView<'a>>,
    /// The build date the UTC times are computed for.
    pub as_of: Option<String>,
}

/// `page.digest` on the generated "What changed" page.
#[derive(Serialize)]
pub struct DigestView<'a> {
    /// Recent weeks, newest first (weeks without changes included).
    pub weeks: Vec<DigestWeekView<'a>>,
    /// `git` when changes come from the history, `dates` when from front matter only.
    pub source: &'static str,
    /// The digest feed (one entry per week).
    pub feed_url: String,
    /// The changed-pages feed (one entry per change).
    pub pages_feed_url: String,
}

/// A week of the digest.
#[derive(Serialize)]
pub struct DigestWeekView<'a> {
    /// `2026-W47`, also the anchor.
    pub id: String,
    /// `Week 47: 16–22 Nov 2026`.
    pub title: String,
    /// ISO dates of its Monday and Sunday.
    pub start: String,
    /// See `start`.
    pub end: String,
    /// True for the week holding the build date.
    pub is_current: bool,
    /// `2 updates, 1 new decision, 3 changed pages`, or `No changes`.
    pub summary: String,
    /// Changes by team (teams by name; changes without a team last).
    pub teams: Vec<DigestTeamView<'a>>,
}

/// A team's changes in a week.
#[derive(Serialize)]
pub struct DigestTeamView<'a> {
    /// The team, or null for changes that belong to no team.
    pub team: Option<OwnerView<'a>>,
    /// New decisions, then changed decisions.
    pub decisions: Vec<DigestItemView<'a>>,
    /// Updates posted.
    pub updates: Vec<DigestItemView<'a>>,
    /// New pages, grouped by the change (author and commit subject) that made them.
    pub new_pages: Vec<DigestGroupView<'a>>,
    /// Changed pages, grouped the same way.
    pub changed_pages: Vec<DigestGroupView<'a>>,
}

/// Pages one change touched (same author and commit subject within a week).
#[derive(Serialize)]
pub struct DigestGroupView<'a> {
    /// ISO date of the newest of them.
    pub date: String,
    /// The author, or null.
    pub who: Option<String>,
    /// The commit subject, or null.
    pub note: Option<String>,
    /// The pages.
    pub pages: Vec<DigestItemView<'a>>,
}

/// One change in the digest.
#[derive(Serialize)]
pub struct DigestItemView<'a> {
    /// `new-decision`, `changed-decision`, `update`, `new-page` or `changed-page`.
    pub kind: &'static str,
    /// Page title.
    pub title: &'a str,
    /// URL with the base path.
    pub url: String,
    /// ISO date of the change.
    pub date: String,
    /// Who made it (commit author or update author), or null.
    pub who: Option<String>,
    /// The commit subject, or null.
    pub note: Option<String>,
    /// A decision's number and current status, else null.
    pub decision: Option<DecisionLinkView<'a>>,
    /// An update's summary, else null.
    pub summary: Option<&'a str>,
}

/// `page.decision.people`: who decides, was consulted and informed, and the team, each
/// linked to their page when the handbook has one.
#[derive(Serialize)]
pub struct DecisionPeopleView<'a> {
    /// Deciders.
    pub deciders: Vec<OwnerView<'a>>,
    /// Consulted.
    pub consulted: Vec<OwnerView<'a>>,
    /// Informed.
    pub informed: Vec<OwnerView<'a>>,
    /// The team, or null.
    pub team: Option<OwnerView<'a>>,
}
