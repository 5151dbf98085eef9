//! The "What changed" digest: for each recent week (Monday to Sunday), new and changed pages,
//! new decisions and changes to decisions, and updates, each with the team it belongs to.
//! Changes come from the git history (one per page per day, with author and subject); without
//! git, from front-matter `date` and `updated`. Part of `model`; no I/O.

use crate::model::Site;
use crate::model::page::{Date, Page, PageId, PageKind};

/// What happened to a page in a week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A decision record was added.
    NewDecision,
    /// An existing decision record changed (its status, most often).
    ChangedDecision,
    /// An update was posted.
    Update,
    /// A page was added.
    NewPage,
    /// An existing page changed.
    ChangedPage,
}

impl Kind {
    /// `new-decision`, `changed-decision`, `update`, `new-page`, `changed-page`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::NewDecision => "new-decision",
            Kind::ChangedDecision => "changed-decision",
            Kind::Update => "update",
            Kind::NewPage => "new-page",
            Kind::ChangedPage => "changed-page",
        }
    }
}

/// One line of the digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item<'s> {
    /// The page.
    pub page: PageId,
    /// What happened.
    pub kind: Kind,
    /// When (the newest change of the week).
    pub date: Date,
    /// Who, when git knows (author of that change) or the update says.
    pub who: Option<String>,
    /// The commit subject of that change, when git knows.
    pub note: Option<String>,
    /// The team id the page belongs to, if any.
    pub team: Option<&'s str>,
}

/// A week of changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Week<'s> {
    /// Its Monday.
    pub start: Date,
    /// Changes, grouped by team (teams by name, no team last), then by kind, newest first.
    pub items: Vec<Item<'s>>,
}

impl Week<'_> {
    /// Its Sunday.
    pub fn end(&self) -> Date {
        self.start
            .checked_add(jiff::Span::new().days(6))
            .unwrap_or(self.start)
    }

    /// ISO week id, `2026-W47`.
    pub fn id(&self) -> String {
        let week = self.start.iso_week_date();
        format!("{}-W{:02}", week.year(), week.week())
    }

    /// Items of a kind.
    pub fn count(&self, kind: Kind) -> usize {
        self.items.iter().filter(|item| item.kind == kind).count()
    }
}

/// The Monday of the week holding `date`.
pub fn monday(date: Date) -> Date {
    let back = i64::from(date.weekday().to_monday_zero_offset());
    date.checked_sub(jiff::Span::new().days(back))
        .unwrap_or(date)
}

/// The last `weeks` weeks up to the one holding `today`, newest first. Weeks without changes
/// are kept, so readers see that nothing happened.
pub fn build(site: &Site, weeks: usize, today: Date) -> Vec<Week<'_>> {
    if weeks == 0 {
        return Vec::new();
    }
    let newest = monday(today);
    let oldest = newest
        .checked_sub(jiff::Span::new().weeks(weeks as i64 - 1))
        .unwrap_or(newest);
    let mut found: Vec<Week> = (0..weeks)
        .filter_map(|back| {
            newest
                .checked_sub(jiff::Span::new().weeks(back as i64))
                .ok()
        })
        .map(|start| Week {
            start,
            items: Vec::new(),
        })
        .collect();
    let week_of = |date: Date| -> Option<usize> {
        if date < oldest || date > today {
            return None;
        }
        let days = (newest - monday(date)).get_days();
        usize::try_from(days / 7).ok()
    };
    for (id, page) in site.pages.iter().enumerate() {
        for item in page_items(site, id, page) {
            if let Some(index) = week_of(item.date) {
                found[index].items.push(item);
            }
        }
    }
    let team_name = |team: Option<&str>| {
        team.map(|id| {
            site.directory
                .team(id)
                .map_or_else(|| id.to_string(), |page| site.pages[page].title.clone())
        })
    };
    for week in &mut found {
        week.items.sort_by_cached_key(|item| {
            (
                item.team.is_none(),
                team_name(item.team),
                item.kind,
                std::cmp::Reverse(item.date),
                site.pages[item.page].title.clone(),
            )
        });
    }
    found
}

/// One dated change of a page: date, author, commit subject.
type Dated = (Date, Option<String>, Option<String>);

/// What a page contributes: its creation, and at most one change per week after that (the
/// newest that week), or its update.
fn page_items<'s>(site: &'s Site, id: PageId, page: &'s Page) -> Vec<Item<'s>> {
    let team = team_of(site, id, page);
    let item = |kind, (date, who, note): Dated| Item {
        page: id,
        kind,
        date,
        who,
        note,
        team,
    };
    if let Some(update) = site.update_of_page(id) {
        let who = update
            .author
            .as_deref()
            .map(|author| display_name(site, author));
        return vec![item(Kind::Update, (update.date, who, None))];
    }
    if page.kind.tag() == PageKind::Update {
        return Vec::new();
    }
    let is_decision = site.decision_of_page(id).is_some();
    let (new, changed) = if is_decision {
        (Kind::NewDecision, Kind::ChangedDecision)
    } else {
        (Kind::NewPage, Kind::ChangedPage)
    };
    let mut changes: Vec<Dated> = match &page.git {
        Some(git) => git
            .changes
            .iter()
            .map(|c| (c.date, Some(c.author.clone()), Some(c.subject.clone())))
            .collect(),
        None => Vec::new(),
    };
    if let Some(updated) = page.updated
        && changes.iter().all(|(date, _, _)| *date < updated)
    {
        let who = page.updated_by.as_deref().map(|by| display_name(site, by));
        changes.insert(0, (updated, who, None));
    }
    let created = site
        .decision_of_page(id)
        .and_then(|decision| decision.date)
        .or_else(|| page.created());
    // A file dated before its first commit was imported: that commit is not a change.
    if let Some(first_commit) = page.git.as_ref().and_then(|git| git.created)
        && created.is_some_and(|created| created < first_commit)
    {
        changes.retain(|(date, _, _)| *date != first_commit);
    }
    let mut items = Vec::new();
    let mut weeks_seen = Vec::new();
    if let Some(created) = created {
        let first = changes
            .iter()
            .rev()
            .find(|(date, _, _)| monday(*date) == monday(created))
            .cloned();
        let (who, note) = first.map_or((None, None), |(_, who, note)| (who, note));
        items.push(item(new, (created, who, note)));
        weeks_seen.push(monday(created));
    }
    // Newest first: the first change seen in a week is that week's newest.
    for change in changes {
        let week = monday(change.0);
        if !weeks_seen.contains(&week) {
            weeks_seen.push(week);
            items.push(item(changed, change));
        }
    }
    items
}

/// The team a page belongs to: its `team`, else its owner when that is a team, else the team
/// of its owner or author when that is a person.
fn team_of<'s>(site: &'s Site, id: PageId, page: &'s Page) -> Option<&'s str> {
    let directory = &site.directory;
    let team_id = |team: PageId| crate::model::owners::entity_id(&site.pages[team]);
    let team_of_person = |person: &str| -> Option<&'s str> {
        let person = directory.person(person)?;
        site.relations
            .get(&person)
            .and_then(|relations| relations.members.first())
            .map(|&team| team_id(team))
    };
    if let Some(team) = site.decision_of_page(id).and_then(|d| d.team.as_ref()) {
        return Some(directory.team(team).map_or(team.as_str(), team_id));
    }
    if let Some(team) = &page.team {
        return Some(directory.team(team).map_or(team.as_str(), team_id));
    }
    if page.kind.tag() == PageKind::Team {
        return Some(crate::model::owners::entity_id(page));
    }
    for owner in &page.owners.ids {
        if let Some(team) = directory.team(owner) {
            return Some(team_id(team));
        }
        if let Some(team) = team_of_person(owner) {
            return Some(team);
        }
    }
    page.kind.author().and_then(team_of_person)
}

/// A person's name from their page, else the id.
fn display_name(site: &Site, id: &str) -> String {
    site.directory
        .person(id)
        .map_or_else(|| id.to_string(), |page| site.pages[page].title.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday_and_have_iso_ids() {
        let sunday: Date = "2026-11-22".parse().expect("date");
        assert_eq!(monday(sunday).to_string(), "2026-11-16");
        let week = Week {
            start: monday(sunday),
            items: Vec::new(),
        };
        assert_eq!(week.id(), "2026-W47");
        assert_eq!(week.end().to_string(), "2026-11-22");
        let new_year: Date = "2027-01-01".parse().expect("date");
        let week = Week {
            start: monday(new_year),
            items: Vec::new(),
        };
        assert_eq!(week.id(), "2026-W53");
    }
}
