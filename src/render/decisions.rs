//! The decision log: a table of every record (newest first) with per-status pages that work
//! without JavaScript, a timeline by year, the open-decisions dashboard, and an Atom feed.

use std::collections::{BTreeMap, BTreeSet};

use super::Renderer;
use super::context::{DecisionLogView, DecisionRowView, FilterView, TimelineYearView};
use crate::diagnostics::Diagnostic;
use crate::model::decision::{Decision, Status};
use crate::model::page::Date;
use crate::output::OutputFile;

/// Where the log lives, below the base path.
pub(crate) const LOG_URL: &str = "decision-log/";

/// What every log page shows the same: counts per status, and the teams and tags to filter by.
/// Computed once per build, not once per log page.
struct Facets<'a> {
    counts: [usize; 5],
    teams: Vec<&'a str>,
    tags: Vec<&'a str>,
}

impl<'a> Facets<'a> {
    fn new(site: &'a crate::model::Site) -> Self {
        let counts =
            Status::ALL.map(|status| site.decisions.iter().filter(|d| d.status == status).count());
        let teams: BTreeSet<&str> = site
            .decisions
            .iter()
            .filter_map(|d| d.team.as_deref())
            .collect();
        let tags: BTreeSet<&str> = site
            .decisions
            .iter()
            .flat_map(|d| site.pages[d.page].tags.iter().map(String::as_str))
            .collect();
        Facets {
            counts,
            teams: teams.into_iter().collect(),
            tags: tags.into_iter().collect(),
        }
    }
}

impl<'a> Renderer<'a> {
    fn decision_row(&self, decision: &'a Decision) -> DecisionRowView<'a> {
        let page = &self.input.site.pages[decision.page];
        DecisionRowView {
            number: decision.number,
            title: &page.title,
            url: self.page_urls[decision.page].clone(),
            status: decision.status.as_str(),
            date: decision.date.map(|date| date.to_string()),
            team: decision.team.as_deref(),
            tags: &page.tags,
            deciders: &decision.deciders,
            decider_links: decision
                .deciders
                .iter()
                .map(|id| self.owner_view(id))
                .collect(),
            team_link: decision.team.as_deref().map(|id| self.owner_view(id)),
            decide_by: decision.decide_by.map(|date| date.to_string()),
            is_overdue: decision.is_overdue,
            due: match (decision.status, decision.decide_by) {
                (Status::Proposed, Some(deadline)) => {
                    Some(due_text(self.input.site.today, deadline))
                }
                _ => None,
            },
        }
    }

    fn log_view(
        &self,
        rows: Vec<DecisionRowView<'a>>,
        current: Option<Status>,
        facets: &Facets<'a>,
    ) -> DecisionLogView<'a> {
        let statuses = Status::ALL
            .iter()
            .zip(facets.counts)
            .map(|(&status, count)| FilterView {
                name: status.as_str(),
                count,
                url: self.url(&format!("{LOG_URL}{}/", status.as_str())),
                is_current: current == Some(status),
            })
            .collect();
        let mut years: BTreeMap<String, Vec<DecisionRowView<'a>>> = BTreeMap::new();
        for row in &rows {
            let year = row
                .date
                .as_deref()
                .map_or("Undated", |date| &date[..4])
                .to_string();
            years.entry(year).or_default().push(row.clone());
        }
        let undated = years.remove("Undated");
        let mut timeline: Vec<TimelineYearView> = years
            .into_iter()
            .rev()
            .map(|(year, rows)| TimelineYearView { year, rows })
            .collect();
        timeline.extend(undated.map(|rows| TimelineYearView {
            year: "Undated".to_string(),
            rows,
        }));
        DecisionLogView {
            timeline,
            rows,
            statuses,
            teams: facets.teams.clone(),
            tags: facets.tags.clone(),
            all_url: self.url(LOG_URL),
            open_url: self.url(&format!("{LOG_URL}open/")),
            feed_url: self.url(super::feeds::DECISIONS_FEED),
        }
    }

    /// The log, one page per status, and the open-decisions dashboard; nothing without records.
    pub(super) fn decision_log_pages(&self) -> Vec<Result<OutputFile, Diagnostic>> {
        let site = self.input.site;
        if site.decisions.is_empty() {
            return Vec::new();
        }
        let newest_first = |filter: &dyn Fn(&Decision) -> bool| -> Vec<DecisionRowView<'a>> {
            site.decisions
                .iter()
                .rev()
                .filter(|d| filter(d))
                .map(|d| self.decision_row(d))
                .collect()
        };
        let mut pages = Vec::new();
        let facets = Facets::new(site);
        let log = self.log_view(newest_first(&|_| true), None, &facets);
        pages.push(self.log_page("Decision log", LOG_URL, "decision-log", log));
        for status in Status::ALL {
            let view = self.log_view(newest_first(&|d| d.status == status), Some(status), &facets);
            let title = match status {
                Status::Proposed => "Proposed decisions",
                Status::Accepted => "Accepted decisions",
                Status::Rejected => "Rejected decisions",
                Status::Deprecated => "Deprecated decisions",
                Status::Superseded => "Superseded decisions",
            };
            pages.push(self.log_page(
                title,
                &format!("{LOG_URL}{}/", status.as_str()),
                "decision-status",
                view,
            ));
        }
        // Open decisions: overdue first, then by deadline (records without one last).
        let mut open: Vec<DecisionRowView<'a>> = newest_first(&|d| d.status == Status::Proposed);
        open.sort_by(|a, b| {
            (!a.is_overdue, a.decide_by.is_none(), &a.decide_by, a.number).cmp(&(
                !b.is_overdue,
                b.decide_by.is_none(),
                &b.decide_by,
                b.number,
            ))
        });
        let view = self.log_view(open, Some(Status::Proposed), &facets);
        pages.push(self.log_page(
            "Open decisions",
            &format!("{LOG_URL}open/"),
            "decision-open",
            view,
        ));
        pages
    }

    fn log_page(
        &self,
        title: &'a str,
        url: &str,
        kind: &'static str,
        log: DecisionLogView<'a>,
    ) -> Result<OutputFile, Diagnostic> {
        let mut view = self.generated_view(title, self.url(url), kind, Vec::new());
        if kind != "decision-log" {
            view.breadcrumbs.push(super::context::LinkView {
                title: "Decision log",
                url: self.url(LOG_URL),
            });
        }
        view.log = Some(log);
        self.generated(&format!("{url}index.html"), "decision-log.html", &view)
    }
}

/// How far a deadline is from today, in words: "due in 3 days", "due tomorrow", "due today",
/// "overdue by 1 day".
fn due_text(today: Date, deadline: Date) -> String {
    let days = crate::model::review::days;
    match today.until(deadline).map_or(0, |span| span.get_days()) {
        0 => "due today".to_string(),
        1 => "due tomorrow".to_string(),
        d if d > 0 => format!("due in {}", days(d)),
        d => format!("overdue by {}", days(-d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_read_in_days_from_today() {
        let today = jiff::civil::date(2026, 3, 10);
        let say = |y, m, d| due_text(today, jiff::civil::date(y, m, d));
        assert_eq!(say(2026, 3, 10), "due today");
        assert_eq!(say(2026, 3, 11), "due tomorrow");
        assert_eq!(say(2026, 4, 9), "due in 30 days");
        assert_eq!(say(2026, 3, 9), "overdue by 1 day");
        assert_eq!(say(2025, 3, 10), "overdue by 365 days");
    }
}
