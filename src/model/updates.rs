//! Async updates: dated posts in the updates folder, newest first, with their author and team.
//! The date comes from front matter, else from the file name (`2026-11-20-platform-weekly.md`).
//! Part of `model`; no I/O.

use crate::diagnostics::Diagnostic;
use crate::model::page::{Date, Page, PageId, PageKind, parse_date};

/// One update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// Its page.
    pub page: PageId,
    /// Front-matter `date`, else the date the file name starts with.
    pub date: Date,
    /// Person id from `author`.
    pub author: Option<String>,
    /// Team id from `team`.
    pub team: Option<String>,
}

/// Codes of the findings made here.
pub const CODES: [&str; 1] = ["update-date"];

/// The updates, newest first (then by path). A date taken from the file name is also set as
/// the page's date. An update without a date is reported and left out of listings.
pub fn build(pages: &mut [Page]) -> (Vec<Update>, Vec<Diagnostic>) {
    let mut updates = Vec::new();
    let mut found = Vec::new();
    for (id, page) in pages.iter_mut().enumerate() {
        if page.kind.tag() != PageKind::Update {
            continue;
        }
        let Some(date) = page.date.or_else(|| date_in_name(&page.path)) else {
            found.push(
                Diagnostic::error(
                    &page.path,
                    1,
                    1,
                    "update-date",
                    format!("the update '{}' has no date", page.title),
                )
                .with_help(
                    "set `date: YYYY-MM-DD` in the front matter, or start the file name with the date (2026-11-20-platform-weekly.md)",
                ),
            );
            continue;
        };
        page.date = Some(date);
        updates.push(Update {
            page: id,
            date,
            author: page.kind.author().map(str::to_string),
            team: page.team.clone(),
        });
    }
    updates.sort_by(|a, b| {
        b.date
            .cmp(&a.date)
            .then_with(|| pages[a.page].path.cmp(&pages[b.page].path))
    });
    (updates, found)
}

/// `updates/2026/2026-11-20-weekly.md` → 2026-11-20.
fn date_in_name(path: &str) -> Option<Date> {
    let name = path.rsplit('/').next()?;
    let date = name.get(..10)?;
    let rest = &name[10..];
    (rest.starts_with(['-', '_', '.'])).then(|| parse_date(date))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_come_from_file_names() {
        assert_eq!(
            date_in_name("updates/2026/2026-11-20-platform-weekly.md"),
            "2026-11-20".parse().ok()
        );
        assert_eq!(
            date_in_name("updates/2026-02-03.md"),
            "2026-02-03".parse().ok()
        );
        assert_eq!(date_in_name("updates/weekly.md"), None);
        assert_eq!(date_in_name("updates/2026-13-01-x.md"), None);
        assert_eq!(date_in_name("updates/20261120-x.md"), None);
    }
}
