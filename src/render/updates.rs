//! Updates: the listing of every update, newest first and paginated (page one on the updates
//! folder's landing page, or generated there when the folder has none), the same per team and
//! per author, and each update's date, author and team on its own page.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::Renderer;
use super::context::{LinkView, ListingFilterView, UpdateItemView, UpdateListView, UpdateMetaView};
use crate::diagnostics::Diagnostic;
use crate::model::page::{PageId, slugify};
use crate::model::updates::Update;
use crate::output::OutputFile;

/// Above this many teams (or authors) a listing no longer links every one of them: each
/// listing would carry them all, and output would grow with listings × filters (at 100k
/// synthetic pages, 384 teams and 1,040 authors made 10k listings of ~100 KB each). The
/// listings then link to one page per kind, `updates/team/` and `updates/author/`.
pub(crate) const INLINE_FILTERS: usize = 30;

/// Which updates a listing shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Filter<'a> {
    All,
    Team(&'a str),
    Author(&'a str),
}

/// The updates of every listing (and feed), newest first.
#[derive(Default)]
pub(super) struct Groups<'a> {
    pub(super) all: Vec<&'a Update>,
    pub(super) teams: BTreeMap<&'a str, Vec<&'a Update>>,
    authors: BTreeMap<&'a str, Vec<&'a Update>>,
    /// The link to each team's and each author's listing, in name order.
    team_filters: Vec<(&'a str, ListingFilterView<'a>)>,
    author_filters: Vec<(&'a str, ListingFilterView<'a>)>,
}

impl<'a> Groups<'a> {
    /// The updates a listing shows.
    fn of(&self, filter: Filter) -> &[&'a Update] {
        let list = match filter {
            Filter::All => Some(&self.all),
            Filter::Team(team) => self.teams.get(team),
            Filter::Author(author) => self.authors.get(author),
        };
        list.map_or(&[], Vec::as_slice)
    }
}

impl<'a> Renderer<'a> {
    /// The updates folder as a URL prefix (`updates/`).
    pub(crate) fn updates_folder(&self) -> String {
        format!("{}/", self.input.config.folders.updates.trim_matches('/'))
    }

    /// The site-relative URL of page `number` (1-based) of a listing.
    fn listing_url(&self, filter: Filter, number: usize) -> String {
        let mut url = self.updates_folder();
        match filter {
            Filter::All => {}
            Filter::Team(team) => url.push_str(&format!("team/{}/", slugify(team))),
            Filter::Author(author) => url.push_str(&format!("author/{}/", slugify(author))),
        }
        if number > 1 {
            url.push_str(&format!("page/{number}/"));
        }
        url
    }

    /// `page.update` for an update's own page.
    pub(crate) fn update_meta(&self, id: PageId) -> Option<UpdateMetaView<'a>> {
        let site = self.input.site;
        let update = site.update_of_page(id)?;
        Some(UpdateMetaView {
            date: update.date.to_string(),
            author: update.author.as_deref().map(|id| self.owner_view(id)),
            team: update.team.as_deref().map(|id| self.owner_view(id)),
            author_updates_url: update
                .author
                .as_deref()
                .map(|author| self.url(&self.listing_url(Filter::Author(author), 1))),
            team_updates_url: update
                .team
                .as_deref()
                .map(|team| self.url(&self.listing_url(Filter::Team(team), 1))),
        })
    }

    /// An update as a listing shows it.
    pub(crate) fn update_item(&self, update: &'a Update) -> UpdateItemView<'a> {
        let page = &self.input.site.pages[update.page];
        UpdateItemView {
            title: &page.title,
            url: self.page_urls[update.page].clone(),
            date: update.date.to_string(),
            summary: &page.summary,
            author: update.author.as_deref().map(|id| self.owner_view(id)),
            team: update.team.as_deref().map(|id| self.owner_view(id)),
        }
    }

    /// The URL of a team's (`by_team`) or an author's updates listing.
    pub(crate) fn updates_of_url(&self, id: &str, by_team: bool) -> String {
        let filter = if by_team {
            Filter::Team(id)
        } else {
            Filter::Author(id)
        };
        self.url(&self.listing_url(filter, 1))
    }

    /// Every update, and the updates of each team and each author, in one pass.
    pub(super) fn groups(&self) -> Groups<'a> {
        let mut groups = Groups::default();
        for update in &self.input.site.updates {
            groups.all.push(update);
            if let Some(team) = update.team.as_deref() {
                groups.teams.entry(team).or_default().push(update);
            }
            if let Some(author) = update.author.as_deref() {
                groups.authors.entry(author).or_default().push(update);
            }
        }
        let filters = |of_kind: &BTreeMap<&'a str, Vec<&'a Update>>,
                       this: fn(&'a str) -> Filter<'a>| {
            of_kind
                .iter()
                .map(|(&id, updates)| {
                    let view = ListingFilterView {
                        name: self.owner_view(id).name,
                        count: updates.len(),
                        url: self.url(&self.listing_url(this(id), 1)),
                        is_current: false,
                    };
                    (id, view)
                })
                .collect()
        };
        groups.team_filters = filters(&groups.teams, Filter::Team);
        groups.author_filters = filters(&groups.authors, Filter::Author);
        groups
    }

    /// Page `number` of a listing.
    fn update_list(
        &self,
        filter: Filter<'a>,
        number: usize,
        groups: &Groups<'a>,
    ) -> UpdateListView<'a> {
        let all = groups.of(filter);
        let per_page = self.input.config.updates.per_page.max(1);
        let pages = all.len().div_ceil(per_page).max(1);
        let items = all
            .iter()
            .skip((number - 1) * per_page)
            .take(per_page)
            .map(|update| self.update_item(update))
            .collect();
        let heading = match filter {
            Filter::All => "All updates".to_string(),
            Filter::Team(id) | Filter::Author(id) => self.owner_view(id).name.to_string(),
        };
        UpdateListView {
            heading,
            items,
            page: number,
            pages,
            newer_url: (number > 1).then(|| self.url(&self.listing_url(filter, number - 1))),
            older_url: (number < pages).then(|| self.url(&self.listing_url(filter, number + 1))),
            ..self.filter_links(filter, groups, None)
        }
    }

    /// A listing's links to the other listings, without updates: every team and every author,
    /// or, past [`INLINE_FILTERS`], the current one and a link to the page of them all. With
    /// `index`, the whole list of teams (true) or authors (false), for that page.
    fn filter_links(
        &self,
        filter: Filter<'a>,
        groups: &Groups<'a>,
        index: Option<bool>,
    ) -> UpdateListView<'a> {
        // The links are the same on every listing but for the current one: made once per
        // build (a listing per team and author makes this quadratic otherwise).
        let links = |by_team: bool| {
            let (all, this): (_, fn(&'a str) -> Filter<'a>) = if by_team {
                (&groups.team_filters, Filter::Team)
            } else {
                (&groups.author_filters, Filter::Author)
            };
            let every = match index {
                Some(teams) => teams == by_team,
                None => all.len() <= INLINE_FILTERS,
            };
            let shown: Vec<ListingFilterView> = all
                .iter()
                .filter(|(id, _)| every || filter == this(id))
                .map(|(id, view)| ListingFilterView {
                    url: view.url.clone(),
                    is_current: filter == this(id),
                    ..*view
                })
                .collect();
            let linked = (all.len() > INLINE_FILTERS && index != Some(by_team))
                .then(|| self.url(&self.filter_index_url(by_team)));
            (shown, linked)
        };
        let (teams, teams_index) = links(true);
        let (authors, authors_index) = links(false);
        UpdateListView {
            heading: String::new(),
            items: Vec::new(),
            page: 1,
            pages: 1,
            newer_url: None,
            older_url: None,
            teams,
            authors,
            teams_index,
            authors_index,
            team_count: groups.team_filters.len(),
            author_count: groups.author_filters.len(),
            all_url: self.url(&self.listing_url(Filter::All, 1)),
            is_all: filter == Filter::All,
        }
    }

    /// The page of every team's (`by_team`) or every author's listing: `updates/team/`.
    fn filter_index_url(&self, by_team: bool) -> String {
        let kind = if by_team { "team" } else { "author" };
        format!("{}{kind}/", self.updates_folder())
    }

    /// `updates/team/` and `updates/author/`, each the list of every team's (author's)
    /// listing, for the kinds with more than [`INLINE_FILTERS`].
    fn filter_indexes(&self, groups: &Groups<'a>) -> Vec<Result<OutputFile, Diagnostic>> {
        [
            (true, "Updates by team", &groups.team_filters),
            (false, "Updates by author", &groups.author_filters),
        ]
        .into_iter()
        .filter(|(_, _, all)| all.len() > INLINE_FILTERS)
        .map(|(by_team, title, _)| {
            let url = self.filter_index_url(by_team);
            let mut view = self.generated_view(title, self.url(&url), "updates", Vec::new());
            view.breadcrumbs.push(LinkView {
                title: "Updates",
                url: self.url(&self.updates_folder()),
            });
            let mut list = self.filter_links(Filter::All, groups, Some(by_team));
            list.heading = title.to_string();
            list.is_all = false;
            view.updates = Some(list);
            self.generated(&format!("{url}index.html"), "updates.html", &view)
        })
        .collect()
    }

    /// Page one of all updates, for the updates folder's landing page.
    pub(crate) fn landing_updates(&self, id: PageId) -> Option<UpdateListView<'a>> {
        (Some(id) == self.updates_landing && !self.input.site.updates.is_empty())
            .then(|| self.update_list(Filter::All, 1, &self.groups()))
    }

    /// Every generated listing page: all updates from page two (page one too when the folder
    /// has no landing page), and every page of each team's and each author's listing.
    pub(crate) fn update_pages(&self) -> Vec<Result<OutputFile, Diagnostic>> {
        let site = self.input.site;
        if site.updates.is_empty() {
            return Vec::new();
        }
        let groups = self.groups();
        let mut filters = vec![Filter::All];
        filters.extend(groups.teams.keys().map(|&team| Filter::Team(team)));
        filters.extend(groups.authors.keys().map(|&author| Filter::Author(author)));
        let landing = self.updates_landing;
        let per_page = self.input.config.updates.per_page.max(1);
        let listings: Vec<(Filter, usize)> = filters
            .into_iter()
            .flat_map(|filter| {
                let pages = groups.of(filter).len().div_ceil(per_page).max(1);
                (1..=pages).map(move |number| (filter, number))
            })
            .filter(|&(filter, number)| {
                !(filter == Filter::All && number == 1 && landing.is_some())
            })
            .collect();
        let mut files = self.filter_indexes(&groups);
        files.par_extend(listings.into_par_iter().map(|(filter, number)| {
            let list = self.update_list(filter, number, &groups);
            let url = self.listing_url(filter, number);
            let title = match (filter, number) {
                (Filter::All, 1) => "Updates".to_string(),
                (Filter::All, n) => format!("Updates, page {n}"),
                (_, 1) => format!("Updates: {}", list.heading),
                (_, n) => format!("Updates: {}, page {n}", list.heading),
            };
            let mut view = self.generated_view(&title, self.url(&url), "updates", Vec::new());
            if filter != Filter::All || number > 1 {
                view.breadcrumbs.push(LinkView {
                    title: "Updates",
                    url: self.url(&self.updates_folder()),
                });
            }
            view.updates = Some(list);
            self.generated(&format!("{url}index.html"), "updates.html", &view)
        }));
        files
    }
}
