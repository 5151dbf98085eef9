//! People and teams: profiles from the front matter of `people/<id>.md` and `teams/<id>.md`
//! (role, time zone, working hours, channels; members, channels, what to ask), who belongs to
//! which team, what each person and team owns, wrote and decided, working hours in UTC and
//! where a team's hours overlap, and ids in front matter that name nobody. Part of `model`;
//! no I/O. Time zones come from the IANA database bundled in the binary.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, closest};
use crate::model::Site;
use crate::model::decision::Decision;
use crate::model::owners::Directory;
use crate::model::page::{Date, Page, PageId, PageKind};
pub use crate::model::profile::{
    Hours, Profile, SLOT_MINUTES, SLOTS, Zone, clock, spans, utc_offset,
};
use crate::model::updates::Update;

/// What a person or team page is linked to across the handbook.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relations {
    /// Pages they own (front matter, CODEOWNERS or folder), in path order.
    pub owns: Vec<PageId>,
    /// Updates they wrote (person) or posted as the team, as indexes into `Site::updates`.
    pub updates: Vec<usize>,
    /// Decision records they decided (person) or that belong to the team, as indexes into
    /// `Site::decisions`.
    pub decided: Vec<usize>,
    /// Records they were consulted on.
    pub consulted: Vec<usize>,
    /// Records they were informed of.
    pub informed: Vec<usize>,
    /// A team's members, or the teams a person belongs to (pages, in path order).
    pub members: Vec<PageId>,
}

/// Links every person and team page to what names it: owned pages, updates, decisions and
/// team membership (`members:` on the team or `team:` on the person).
pub fn relations(
    pages: &[Page],
    directory: &Directory,
    updates: &[Update],
    decisions: &[Decision],
) -> HashMap<PageId, Relations> {
    let mut found: HashMap<PageId, Relations> = directory
        .people
        .values()
        .chain(directory.teams.values())
        .map(|&id| (id, Relations::default()))
        .collect();
    // Each link once, even when a list names someone twice. Values arrive in increasing
    // order (pages, updates and records are walked in order), so a repeat is the last one.
    let mut add = |id: &str, pick: fn(&mut Relations) -> &mut Vec<usize>, value: usize| {
        if let Some(relations) = directory.resolve(id).and_then(|page| found.get_mut(&page)) {
            let list = pick(relations);
            if list.last() != Some(&value) {
                list.push(value);
            }
        }
    };
    for (id, page) in pages.iter().enumerate() {
        for owner in &page.owners.ids {
            add(owner, |r| &mut r.owns, id);
        }
    }
    for (index, update) in updates.iter().enumerate() {
        for id in update.author.iter().chain(&update.team) {
            add(id, |r| &mut r.updates, index);
        }
    }
    for (index, decision) in decisions.iter().enumerate() {
        for id in decision.deciders.iter().chain(&decision.team) {
            add(id, |r| &mut r.decided, index);
        }
        for id in &decision.consulted {
            add(id, |r| &mut r.consulted, index);
        }
        for id in &decision.informed {
            add(id, |r| &mut r.informed, index);
        }
    }
    let mut memberships: Vec<(PageId, PageId)> = Vec::new();
    for (id, page) in pages.iter().enumerate() {
        match page.kind.tag() {
            PageKind::Team => {
                let members = page.kind.profile().into_iter().flat_map(|p| &p.members);
                for member in members {
                    if let Some(person) = directory.person(member) {
                        memberships.push((id, person));
                    }
                }
            }
            PageKind::Person => {
                if let Some(team) = page.team.as_deref().and_then(|t| directory.team(t)) {
                    memberships.push((team, id));
                }
            }
            _ => {}
        }
    }
    memberships.sort_unstable();
    memberships.dedup();
    for (team, person) in memberships {
        if let Some(relations) = found.get_mut(&team) {
            relations.members.push(person);
        }
        if let Some(relations) = found.get_mut(&person) {
            relations.members.push(team);
        }
    }
    for relations in found.values_mut() {
        relations.members.sort_unstable();
    }
    found
}

/// What an id in front matter must name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Expect {
    Person,
    Team,
    Either,
}

/// Codes of the findings made here.
pub const CODES: [&str; 1] = ["unknown-id"];

/// Ids in front matter (`owner`, `author`, `team`, `deciders`, `consulted`, `informed`,
/// `members`, `lead`) that name no person or team page. Only checked when the handbook has
/// pages of the kind the key names, and only for id-like values: `consulted: [Legal team]`
/// is free text.
pub fn check(site: &Site) -> Vec<Diagnostic> {
    let directory = &site.directory;
    fn ids(map: &HashMap<String, PageId>) -> Vec<&str> {
        let mut ids: Vec<&str> = map.keys().map(String::as_str).collect();
        ids.sort_unstable();
        ids
    }
    let known = Known {
        people: ids(&directory.people),
        teams: ids(&directory.teams),
        suggestions: std::cell::RefCell::default(),
    };
    let mut found = Vec::new();
    for page in &site.pages {
        let mut references: Vec<(&str, Expect, &str)> = Vec::new();
        if let Some(owner) = &page.owner {
            references.push(("owner", Expect::Either, owner));
        }
        if let Some(author) = page.kind.author() {
            references.push(("author", Expect::Person, author));
        }
        if let Some(team) = &page.team {
            references.push(("team", Expect::Team, team));
        }
        if let Some(record) = page.kind.record() {
            let deciders_key = if page.key_line("deciders").is_some() {
                "deciders"
            } else {
                "decision-makers"
            };
            for (key, values) in [
                (deciders_key, &record.deciders),
                ("consulted", &record.consulted),
                ("informed", &record.informed),
            ] {
                references.extend(values.iter().map(|v| (key, Expect::Either, v.as_str())));
            }
        }
        if let Some(profile) = page.kind.profile() {
            for (key, values) in [("members", &profile.members), ("lead", &profile.lead)] {
                references.extend(values.iter().map(|v| (key, Expect::Person, v.as_str())));
            }
        }
        for (key, expect, value) in references {
            if let Some(diagnostic) = unknown(page, directory, &known, key, expect, value) {
                found.push(diagnostic);
            }
        }
    }
    found
}

/// Person and team ids, sorted (so suggestions do not depend on hashing).
struct Known<'a> {
    people: Vec<&'a str>,
    teams: Vec<&'a str>,
    /// The suggestion for each unknown id met so far: the same wrong id is usually on many
    /// pages, and comparing it with every id again made this check grow with pages × ids.
    suggestions: std::cell::RefCell<HashMap<(Expect, String), Option<&'a str>>>,
}

fn unknown<'a>(
    page: &Page,
    directory: &Directory,
    known: &Known<'a>,
    key: &str,
    expect: Expect,
    value: &str,
) -> Option<Diagnostic> {
    let value = value.trim();
    let (resolved, candidates, what): (_, [&[&'a str]; 2], _) = match expect {
        Expect::Person => (directory.person(value), [&known.people, &[]], "person"),
        Expect::Team => (directory.team(value), [&known.teams, &[]], "team"),
        Expect::Either => (
            directory.resolve(value),
            [&known.people, &known.teams],
            "person or team",
        ),
    };
    if candidates.iter().all(|ids| ids.is_empty())
        || resolved.is_some()
        || value.is_empty()
        || value.contains(char::is_whitespace)
    {
        return None;
    }
    let (line, column) = value_position(page, key, value);
    let folder = match expect {
        Expect::Team => "teams/",
        _ => "people/",
    };
    let near = *known
        .suggestions
        .borrow_mut()
        .entry((expect, value.to_string()))
        .or_insert_with(|| {
            closest(
                value.trim_start_matches('@'),
                candidates.iter().flat_map(|ids| ids.iter().copied()),
            )
        });
    let help = match near {
        Some(near) => format!("did you mean `{near}`? ids are the file names of {what} pages"),
        None => format!(
            "ids are the file names of {what} pages (`{folder}{value}.md` would be `{value}`); fix the id or add the page"
        ),
    };
    Some(
        Diagnostic::warning(
            &page.path,
            line,
            column,
            "unknown-id",
            format!("`{key}`: no {what} page has the id '{value}'"),
        )
        .with_help(help),
    )
}

/// The file line and column of `value` under front-matter `key` (the key's line when the
/// value cannot be found, as in flow lists spread oddly).
fn value_position(page: &Page, key: &str, value: &str) -> (usize, usize) {
    let Some(key_line) = page.key_line(key) else {
        return (1, 1);
    };
    for (index, line) in page.source_text.lines().enumerate().skip(key_line - 1) {
        let is_other_key =
            index + 1 > key_line && !line.starts_with([' ', '\t', '-']) && !line.trim().is_empty();
        if is_other_key || line.trim() == "---" && index + 1 > key_line {
            break;
        }
        let search_from = if index + 1 == key_line {
            line.find(':').map_or(0, |colon| colon + 1)
        } else {
            0
        };
        if let Some(at) = line[search_from..].find(value) {
            let column = line[..search_from + at].chars().count() + 1;
            return (index + 1, column);
        }
    }
    (key_line, 1)
}

/// Sorts person pages west to east by UTC offset on `date` (people without a time zone
/// last), then by name.
pub fn sort_west_to_east(pages: &[Page], people: &mut [PageId], date: Date) {
    let offset = |id: PageId| {
        pages[id]
            .kind
            .profile()
            .and_then(|profile| profile.timezone.as_ref())
            .map_or(i32::MAX, |zone| zone.offset_minutes(date))
    };
    // The page id breaks ties (two people with one name and zone): callers may pass people in
    // hash order, and the output must be the same bytes every build.
    people.sort_by_cached_key(|&id| (offset(id), pages[id].title.clone(), id));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().expect("date")
    }

    #[test]
    fn namesakes_in_one_zone_sort_the_same_whatever_order_they_come_in() {
        let pages: Vec<Page> = ["people/ana.md", "people/ana-2.md", "people/bo.md"]
            .iter()
            .map(|path| {
                let text = if path.ends_with("bo.md") {
                    "# Bo"
                } else {
                    "# Ana"
                };
                let (source, _) = crate::load::Source::new((*path).into(), text.into());
                crate::model::page::parse_page(
                    source,
                    crate::model::page::PageKind::Person,
                    &crate::config::MarkdownConfig::default(),
                )
                .unwrap()
            })
            .collect();
        let today = date("2026-11-23");
        let mut forward = vec![0, 1, 2];
        let mut backward = vec![2, 1, 0];
        sort_west_to_east(&pages, &mut forward, today);
        sort_west_to_east(&pages, &mut backward, today);
        assert_eq!(forward, [0, 1, 2]);
        assert_eq!(backward, forward);
    }

    #[test]
    fn parses_working_hours_in_many_spellings() {
        for text in ["09:30-18:00", "9:30–18:00", "09:30 - 18:00", "9:30 to 18"] {
            assert_eq!(
                Hours::parse(text),
                Ok(Hours {
                    start: 570,
                    end: 1080
                }),
                "{text}"
            );
        }
        assert_eq!(Hours::parse("22:00-06:00").map(Hours::length), Ok(480));
        assert_eq!(Hours::parse("0-24").map(Hours::length), Ok(1440));
        for bad in ["nine to five", "09:00", "25:00-26:00", "09:61-10:00", "9-9"] {
            assert!(Hours::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Hours::parse("9-17").map(|h| h.to_string()),
            Ok("09:00–17:00".into())
        );
    }

    #[test]
    fn time_zones_follow_daylight_saving_and_suggest_names() {
        let berlin = Zone::parse("europe/berlin").expect("zone");
        assert_eq!(berlin.name, "Europe/Berlin");
        assert_eq!(berlin.offset_minutes(date("2026-11-23")), 60);
        assert_eq!(berlin.offset_minutes(date("2026-07-01")), 120);
        let kolkata = Zone::parse("Asia/Kolkata").expect("zone");
        assert_eq!(
            utc_offset(kolkata.offset_minutes(date("2026-11-23"))),
            "UTC+05:30"
        );
        let sao_paulo = Zone::parse("America/Sao_Paulo").expect("zone");
        assert_eq!(
            utc_offset(sao_paulo.offset_minutes(date("2026-11-23"))),
            "UTC−03:00"
        );
        let error = Zone::parse("Europe/Berln").expect_err("typo");
        assert!(error.contains("did you mean `Europe/Berlin`?"), "{error}");
        assert!(Zone::parse("IST").is_err());
    }

    #[test]
    fn working_hours_become_utc_quarter_hours_and_spans() {
        let hours = Hours::parse("10:30-18:30").expect("hours");
        // Kolkata, UTC+05:30: 05:00-13:00 UTC.
        let mask = hours.utc_slots(330);
        assert_eq!(mask.count_ones(), 32);
        assert_eq!(
            spans(mask),
            vec![Hours {
                start: 300,
                end: 780
            }]
        );
        assert_eq!(hours.in_utc(330).to_string(), "05:00–13:00");
        // Auckland in summer, UTC+13: 08:00-16:30 local is 19:00-03:30 UTC, one span through
        // midnight.
        let auckland = Hours::parse("08:00-16:30").expect("hours").utc_slots(780);
        assert_eq!(
            spans(auckland),
            vec![Hours {
                start: 1140,
                end: 210
            }]
        );
        assert_eq!(spans(auckland & mask), Vec::new());
        assert_eq!(
            spans(u128::MAX >> 32),
            vec![Hours {
                start: 0,
                end: 1440
            }]
        );
    }
}
