//! People and teams: a person's profile, teams, hours and what they own, wrote and decided; a
//! team's members with their hours and where those overlap; the people directory (everyone,
//! west to east) on the people folder's landing page and the list of teams on the teams
//! folder's. Times on the UTC axis are as of the build date; the theme's script shows each
//! person's local time now in the reader's browser.

use super::Renderer;
use super::context::{
    BarView, DecisionLinkView, DirectoryView, LinkView, MemberView, OverlapView, PersonView,
    TeamView, TimeView,
};
use crate::model::owners::entity_id;
use crate::model::page::{Date, Page, PageId, PageKind};
use crate::model::people::{self, Hours, Profile, Relations, SLOTS};

/// Updates shown on a person or team page; the rest are one link away.
pub const RECENT_UPDATES: usize = 5;

impl<'a> Renderer<'a> {
    /// The date UTC offsets are computed for: the build's date.
    fn as_of(&self) -> Date {
        self.input.site.today
    }

    fn relations(&self, id: PageId) -> Option<&'a Relations> {
        self.input.site.relations.get(&id)
    }

    /// A person's or team's page as an owner link.
    fn entity(&self, id: PageId) -> super::context::OwnerView<'a> {
        let page = &self.input.site.pages[id];
        super::context::OwnerView {
            id: entity_id(page),
            name: &page.title,
            url: Some(self.page_urls[id].clone()),
        }
    }

    /// A team id as an owner link, with a name even when the id is shared by a person.
    pub(super) fn team_link(&self, team: &'a str) -> super::context::OwnerView<'a> {
        let site = self.input.site;
        match site.directory.team(team) {
            Some(page) => super::context::OwnerView {
                id: team,
                name: &site.pages[page].title,
                url: Some(self.page_urls[page].clone()),
            },
            None => self.owner_view(team),
        }
    }

    fn decision_links(&self, indexes: &[usize]) -> Vec<DecisionLinkView<'a>> {
        let site = self.input.site;
        let mut decisions: Vec<_> = indexes.iter().map(|&i| &site.decisions[i]).collect();
        decisions.sort_by_key(|d| std::cmp::Reverse(d.number));
        decisions
            .into_iter()
            .map(|decision| self.decision_link(decision))
            .collect()
    }

    fn owned_links(&self, pages: &[PageId]) -> Vec<LinkView<'a>> {
        pages.iter().map(|&page| self.link(page)).collect()
    }

    /// Where and when someone works, when their profile has a time zone.
    fn time_view(&self, profile: &Profile) -> Option<TimeView> {
        let zone = profile.timezone.as_ref()?;
        let offset = zone.offset_minutes(self.as_of());
        let hours = profile.hours;
        Some(TimeView {
            timezone: zone.name.clone(),
            offset: people::utc_offset(offset),
            offset_minutes: offset,
            hours: hours.map(|hours| hours.to_string()),
            hours_utc: hours.map(|hours| hours.in_utc(offset).to_string()),
            start_minutes: hours.map(|hours| hours.start),
            end_minutes: hours.map(|hours| hours.end),
            bars: hours
                .map(|hours| bars(&people::spans(hours.utc_slots(offset))))
                .unwrap_or_default(),
        })
    }

    /// `page.person` on a person page.
    pub(crate) fn person_view(&self, id: PageId) -> Option<PersonView<'a>> {
        let page = &self.input.site.pages[id];
        if page.kind.tag() != PageKind::Person {
            return None;
        }
        let profile = page.kind.profile()?;
        let relations = self.relations(id)?;
        let person_id = entity_id(page);
        Some(PersonView {
            id: person_id,
            role: profile.role.as_deref(),
            pronouns: profile.pronouns.as_deref(),
            location: profile.location.as_deref(),
            response_time: profile.response_time.as_deref(),
            avatar: profile
                .avatar
                .as_deref()
                .and_then(|a| self.avatar_url(page, a)),
            channels: &profile.channels,
            teams: relations.members.iter().map(|&t| self.entity(t)).collect(),
            time: self.time_view(profile),
            owns: self.owned_links(&relations.owns),
            updates: self.recent_updates(relations),
            update_count: relations.updates.len(),
            updates_url: self.updates_listing(relations, false),
            decided: self.decision_links(&relations.decided),
            consulted: self.decision_links(&relations.consulted),
            informed: self.decision_links(&relations.informed),
        })
    }

    /// `page.team` on a team page.
    pub(crate) fn team_view(&self, id: PageId) -> Option<TeamView<'a>> {
        let site = self.input.site;
        let page = &site.pages[id];
        if page.kind.tag() != PageKind::Team {
            return None;
        }
        let profile = page.kind.profile()?;
        let relations = self.relations(id)?;
        let date = self.as_of();
        let mut members = relations.members.clone();
        people::sort_west_to_east(&site.pages, &mut members, date);
        let slots: Vec<u128> = members
            .iter()
            .filter_map(|&member| site.pages[member].kind.profile()?.utc_slots(date))
            .collect();
        let mut involved = relations.consulted.clone();
        for index in &relations.informed {
            if !involved.contains(index) {
                involved.push(*index);
            }
        }
        Some(TeamView {
            id: entity_id(page),
            lead: profile
                .lead
                .iter()
                .map(|lead| match site.directory.person(lead) {
                    Some(person) => self.entity(person),
                    None => self.owner_view(lead),
                })
                .collect(),
            channels: &profile.channels,
            ask_about: &profile.ask_about,
            escalation_policy: profile.escalation_policy.as_deref(),
            members: members
                .iter()
                .map(|&m| self.member_view(m, false))
                .collect(),
            overlap: overlap(&slots),
            as_of: Some(date.to_string()),
            owns: self.owned_links(&relations.owns),
            updates: self.recent_updates(relations),
            update_count: relations.updates.len(),
            updates_url: self.updates_listing(relations, true),
            feed_url: self.team_feed_url(relations),
            decided: self.decision_links(&relations.decided),
            involved: self.decision_links(&involved),
        })
    }

    /// The newest updates of a person or team.
    fn recent_updates(&self, relations: &Relations) -> Vec<super::context::UpdateItemView<'a>> {
        let updates = &self.input.site.updates;
        relations
            .updates
            .iter()
            .take(RECENT_UPDATES)
            .map(|&index| self.update_item(&updates[index]))
            .collect()
    }

    /// The listing of a person's or team's updates (under the id the updates use).
    fn updates_listing(&self, relations: &Relations, by_team: bool) -> Option<String> {
        let update = &self.input.site.updates[*relations.updates.first()?];
        let id = if by_team {
            &update.team
        } else {
            &update.author
        };
        Some(self.updates_of_url(id.as_deref()?, by_team))
    }

    /// A team's updates feed.
    fn team_feed_url(&self, relations: &Relations) -> Option<String> {
        self.updates_listing(relations, true)
            .map(|listing| format!("{listing}{}", super::feeds::UPDATES_FEED))
    }

    /// `page.feed` on a team page: the team's updates feed, for `<head>`.
    pub(crate) fn team_feed(&self, id: PageId) -> Option<super::context::FeedLinkView> {
        let page = &self.input.site.pages[id];
        if page.kind.tag() != PageKind::Team {
            return None;
        }
        Some(super::context::FeedLinkView {
            title: format!("{} — {} updates", self.input.config.title, page.title),
            url: self.team_feed_url(self.relations(id)?)?,
            page: self.page_urls[id].clone(),
        })
    }

    fn member_view(&self, id: PageId, with_teams: bool) -> MemberView<'a> {
        let page = &self.input.site.pages[id];
        let profile = page.kind.profile();
        MemberView {
            person: self.entity(id),
            role: profile.and_then(|p| p.role.as_deref()),
            teams: if with_teams {
                self.relations(id)
                    .map(|r| r.members.iter().map(|&t| self.entity(t)).collect())
                    .unwrap_or_default()
            } else {
                Vec::new()
            },
            time: profile.and_then(|p| self.time_view(p)),
        }
    }

    /// `page.people` on the people folder's landing page.
    pub(crate) fn directory_view(&self, id: PageId) -> Option<DirectoryView<'a>> {
        let site = self.input.site;
        if Some(id) != self.people_landing || site.directory.people.is_empty() {
            return None;
        }
        let date = self.as_of();
        let mut people: Vec<PageId> = site.directory.people.values().copied().collect();
        people::sort_west_to_east(&site.pages, &mut people, date);
        Some(DirectoryView {
            people: people.iter().map(|&p| self.member_view(p, true)).collect(),
            as_of: Some(date.to_string()),
        })
    }

    /// An avatar's URL: `http(s)` addresses as written; paths from the site root (`/img/a.png`)
    /// or the page's folder (`ana.jpg`). Other schemes (`javascript:`) are dropped.
    fn avatar_url(&self, page: &Page, avatar: &str) -> Option<String> {
        let avatar = avatar.trim();
        if avatar.starts_with("https://") || avatar.starts_with("http://") {
            return Some(avatar.to_string());
        }
        if avatar.contains(':') || avatar.starts_with("//") {
            return None;
        }
        let path = match avatar.strip_prefix('/') {
            Some(rooted) => rooted.to_string(),
            None => {
                let folder = page.path.rsplit_once('/').map_or("", |(dir, _)| dir);
                let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
                for part in avatar.split('/') {
                    match part {
                        "." | "" => {}
                        ".." => {
                            parts.pop()?;
                        }
                        part => parts.push(part),
                    }
                }
                parts.join("/")
            }
        };
        Some(self.url(&path))
    }
}

/// Spans on the UTC clock as bars on a 0–24 h axis (a span through midnight is two bars).
fn bars(spans: &[Hours]) -> Vec<BarView> {
    let percent = |minutes: u16| (f64::from(minutes) * 10_000.0 / 1440.0).round() / 100.0;
    let mut found = Vec::new();
    for span in spans {
        let label = format!("{span} UTC");
        let pieces = if span.end > span.start {
            vec![(span.start, span.end)]
        } else {
            vec![(span.start, 1440), (0, span.end)]
        };
        for (start, end) in pieces.into_iter().filter(|(start, end)| end > start) {
            found.push(BarView {
                left: percent(start),
                width: percent(end - start),
                label: label.clone(),
            });
        }
    }
    found
}

/// Where the working hours of people (as UTC quarter-hour masks) overlap; null for fewer
/// than two.
fn overlap(slots: &[u128]) -> Option<OverlapView> {
    if slots.len() < 2 {
        return None;
    }
    let counts: Vec<usize> = (0..SLOTS)
        .map(|slot| slots.iter().filter(|mask| *mask & (1 << slot) != 0).count())
        .collect();
    let mask_of = |wanted: usize| {
        (0..SLOTS)
            .filter(|&slot| counts[slot] >= wanted)
            .fold(0u128, |mask, slot| mask | 1 << slot)
    };
    let label = |spans: &[Hours]| -> Vec<String> {
        spans.iter().map(|span| format!("{span} UTC")).collect()
    };
    let all = people::spans(mask_of(slots.len()));
    let best_count = counts.iter().copied().max().unwrap_or(0);
    let best = if all.is_empty() && best_count > 0 {
        people::spans(mask_of(best_count))
    } else {
        Vec::new()
    };
    Some(OverlapView {
        members: slots.len(),
        all: label(&all),
        best_count,
        best: label(&best),
        bars: bars(if all.is_empty() { &best } else { &all }),
        hours: (0..24)
            .map(|hour| {
                counts[hour * 4..hour * 4 + 4]
                    .iter()
                    .copied()
                    .min()
                    .unwrap_or(0)
            })
            .collect(),
    })
}
