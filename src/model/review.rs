//! Freshness: when each page is due for review (`review_by`, or `review_every` after its last
//! update, or a folder default from handbook.yml), whether it is overdue or due soon, and the
//! report grouped by owner that the `due-for-review/` page, `handbook stale` and the export share.
//! Part of `model`; no I/O.

use std::collections::BTreeMap;

use crate::config::{Config, Freshness};
use crate::diagnostics::Diagnostic;
use crate::model::page::{Date, Page, PageId};
use crate::model::{Site, holds};

/// Codes of the findings made here.
pub const CODES: [&str; 2] = ["review-overdue", "missing-owner"];

pub use crate::dates::{Interval, Unit};
pub use crate::model::facts::{Basis, Review, State};

/// Works out a page's review: `review_by` first; else `review_every` (or the longest folder
/// default in `review.every`) after the page's last update. `None` when the page has no
/// schedule, when an interval has no last update to count from, or when there is no date.
pub fn schedule(page: &Page, config: &Config, today: Option<Date>) -> Option<Review> {
    let today = today?;
    let (due, basis) = match page.review_by {
        Some(due) => (due, Basis::ReviewBy),
        None => {
            let every = page
                .review_every
                .or_else(|| folder_default(&config.review.every, &page.path))?;
            (every.after(page.last_updated()?)?, Basis::Every(every))
        }
    };
    // Civil-date spans count whole days by default; the difference always fits.
    let days_left = today.until(due).map_or(0, |span| span.get_days());
    let soon = i32::try_from(config.review.soon_days).unwrap_or(i32::MAX);
    let state = if days_left < 0 {
        State::Overdue
    } else if days_left <= soon {
        State::DueSoon
    } else {
        State::Current
    };
    Some(Review {
        due,
        basis,
        state,
        days_left,
    })
}

/// The interval of the deepest folder in `every` that holds `path` (`/` for every page).
fn folder_default(every: &BTreeMap<String, Interval>, path: &str) -> Option<Interval> {
    every
        .iter()
        .filter(|(folder, _)| holds(folder, path))
        .map(|(folder, interval)| (folder.trim_matches('/').len(), *interval))
        .max_by_key(|(depth, _)| *depth)
        .map(|(_, interval)| interval)
}

/// True when `path` is under one of `folders` (`/` means everywhere).
pub fn under_any(folders: &[String], path: &str) -> bool {
    folders.iter().any(|folder| holds(folder, path))
}

/// Overdue reviews (at the severity `freshness` sets) and pages without the owner
/// `review.require_owner` asks for.
pub fn check(site: &Site, config: &Config) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for page in &site.pages {
        if let Some(review) = &page.review
            && review.state == State::Overdue
            && config.freshness != Freshness::Off
        {
            let line = match review.basis {
                Basis::ReviewBy => page.key_line("review_by"),
                Basis::Every(_) => page.key_line("review_every"),
            }
            .unwrap_or(1);
            let owner = match page.owners.ids.as_slice() {
                [] => "no owner".to_string(),
                ids => format!("owner: {}", ids.join(", ")),
            };
            let message = format!(
                "review was due on {} ({} ago; {owner})",
                review.due,
                days(-review.days_left)
            );
            let help = match review.basis {
                Basis::ReviewBy => {
                    "check the page is still true, fix what is not, and move `review_by` forward"
                }
                Basis::Every(_) => {
                    "check the page is still true and commit a change (or set `updated:`): the next review counts from the last update"
                }
            };
            let diagnostic = if config.freshness == Freshness::Error {
                Diagnostic::error(&page.path, line, 1, "review-overdue", message)
            } else {
                Diagnostic::warning(&page.path, line, 1, "review-overdue", message)
            };
            found.push(diagnostic.with_help(help));
        }
        if page.owners.ids.is_empty() && under_any(&config.review.require_owner, &page.path) {
            found.push(
                Diagnostic::error(
                    &page.path,
                    1,
                    1,
                    "missing-owner",
                    format!("'{}' has no owner", page.title),
                )
                .with_help(
                    "add `owner: <person or team id>` to the front matter, a CODEOWNERS rule, or an owner on the folder's index.md (rule `review.require_owner` in handbook.yml)",
                ),
            );
        }
    }
    found
}

/// "1 day", "12 days".
pub fn days(count: i32) -> String {
    if count == 1 {
        "1 day".to_string()
    } else {
        format!("{count} days")
    }
}

/// How many pages are in `state`.
pub fn count(site: &Site, state: State) -> usize {
    site.pages
        .iter()
        .filter(|page| {
            page.review
                .as_ref()
                .is_some_and(|review| review.state == state)
        })
        .count()
}

/// Pages due for review (overdue or due soon) under one owner.
#[derive(Debug)]
pub struct OwnerGroup<'a> {
    /// The owner id, or `None` for pages nobody owns.
    pub owner: Option<&'a str>,
    /// Overdue pages, longest overdue first, then pages due soon, soonest first.
    pub pages: Vec<PageId>,
}

/// The pages due for review, grouped by owner: a page with several owners is listed under
/// each. Owners sort by id; pages without an owner come last.
pub fn report(site: &Site) -> Vec<OwnerGroup<'_>> {
    let mut groups: BTreeMap<Option<&str>, Vec<PageId>> = BTreeMap::new();
    for (id, page) in site.pages.iter().enumerate() {
        let Some(review) = &page.review else { continue };
        if review.state == State::Current {
            continue;
        }
        if page.owners.ids.is_empty() {
            groups.entry(None).or_default().push(id);
        }
        for owner in &page.owners.ids {
            groups.entry(Some(owner.as_str())).or_default().push(id);
        }
    }
    let mut groups: Vec<OwnerGroup> = groups
        .into_iter()
        .map(|(owner, mut pages)| {
            pages.sort_by_key(|&id| {
                let review = site.pages[id].review.as_ref();
                (review.map(|r| r.due), site.pages[id].path.as_str())
            });
            OwnerGroup { owner, pages }
        })
        .collect();
    // BTreeMap puts `None` first; nobody's pages go last.
    let unowned = usize::from(groups.first().is_some_and(|group| group.owner.is_none()));
    groups.rotate_left(unowned);
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn intervals_parse_in_short_and_long_forms() {
        for (text, shown) in [
            ("90d", "90d"),
            ("12 w", "12w"),
            ("6m", "6m"),
            ("6 months", "6m"),
            ("1y", "1y"),
            ("2 Years", "2y"),
        ] {
            assert_eq!(Interval::parse(text).unwrap().to_string(), shown, "{text}");
        }
        for bad in ["", "m", "0d", "6", "six months", "3q", "-1d", "99999999d"] {
            assert!(Interval::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn months_clamp_to_the_end_of_shorter_months() {
        let every = Interval::parse("1m").unwrap();
        assert_eq!(every.after(date("2026-01-31")), Some(date("2026-02-28")));
        assert_eq!(
            Interval::parse("1y").unwrap().after(date("2024-02-29")),
            Some(date("2025-02-28"))
        );
        assert_eq!(
            Interval::parse("2w").unwrap().after(date("2026-12-25")),
            Some(date("2027-01-08"))
        );
    }

    #[test]
    fn the_deepest_folder_default_wins() {
        let every: BTreeMap<String, Interval> = [
            ("/".to_string(), Interval::parse("1y").unwrap()),
            ("runbooks".to_string(), Interval::parse("3m").unwrap()),
            ("runbooks/db".to_string(), Interval::parse("1m").unwrap()),
        ]
        .into();
        let pick = |path| folder_default(&every, path).map(|i| i.to_string());
        assert_eq!(pick("runbooks/db/restore.md").as_deref(), Some("1m"));
        assert_eq!(pick("runbooks/deploy.md").as_deref(), Some("3m"));
        assert_eq!(pick("runbooksx/a.md").as_deref(), Some("1y"));
        assert!(under_any(&["policies/".into()], "policies/a.md"));
        assert!(!under_any(&["policies".into()], "policies.md"));
    }
}
