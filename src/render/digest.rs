//! The "What changed" page (`changes/`): for each recent week, what each team decided,
//! posted, added and changed — what a weekly status meeting exists for — and the same weeks
//! as an Atom feed.

use super::Renderer;
use super::context::{DigestGroupView, DigestItemView, DigestTeamView, DigestView, DigestWeekView};
use super::feeds::{CHANGES_URL, DIGEST_FEED, PAGES_FEED};
use crate::diagnostics::Diagnostic;
use crate::model::digest::{self, Item, Kind, Week};
use crate::model::page::Date;
use crate::output::OutputFile;

impl<'a> Renderer<'a> {
    /// The digest page and its feed, unless `feeds.digest_weeks` is 0.
    pub(super) fn digest_files(&self) -> Vec<Result<OutputFile, Diagnostic>> {
        let site = self.input.site;
        let weeks = self.input.config.feeds.digest_weeks;
        if weeks == 0 {
            return Vec::new();
        }
        let today = site.today;
        let weeks = digest::build(site, weeks, today);
        let views: Vec<DigestWeekView<'a>> = weeks
            .iter()
            .map(|week| self.week_view(week, today))
            .collect();
        let html: Vec<String> = views.iter().map(|week| self.week_html(week)).collect();
        let feed = self.digest_feed(&weeks, &html);
        let mut view =
            self.generated_view("What changed", self.url(CHANGES_URL), "digest", Vec::new());
        view.summary = "What each team decided, posted, added and changed, week by week.";
        view.digest = Some(DigestView {
            weeks: views,
            source: if site.pages.iter().any(|page| page.git.is_some()) {
                "git"
            } else {
                "dates"
            },
            feed_url: self.url(DIGEST_FEED),
            pages_feed_url: self.url(PAGES_FEED),
        });
        vec![
            self.generated(&format!("{CHANGES_URL}index.html"), "changes.html", &view),
            Ok(feed),
        ]
    }

    fn week_view(&self, week: &Week<'a>, today: crate::model::page::Date) -> DigestWeekView<'a> {
        let mut teams: Vec<DigestTeamView<'a>> = Vec::new();
        let mut current: Option<Option<&str>> = None;
        for item in &week.items {
            if current != Some(item.team) {
                current = Some(item.team);
                teams.push(DigestTeamView {
                    team: item.team.map(|team| self.team_link(team)),
                    decisions: Vec::new(),
                    updates: Vec::new(),
                    new_pages: Vec::new(),
                    changed_pages: Vec::new(),
                });
            }
            let Some(group) = teams.last_mut() else {
                continue;
            };
            let view = self.digest_item(item);
            match item.kind {
                Kind::NewDecision | Kind::ChangedDecision => group.decisions.push(view),
                Kind::Update => group.updates.push(view),
                Kind::NewPage => add_to_group(&mut group.new_pages, view),
                Kind::ChangedPage => add_to_group(&mut group.changed_pages, view),
            }
        }
        DigestWeekView {
            id: week.id(),
            title: week_title(week),
            start: week.start.to_string(),
            end: week.end().to_string(),
            is_current: digest::monday(today) == week.start,
            summary: week_summary(week),
            teams,
        }
    }

    fn digest_item(&self, item: &Item<'a>) -> DigestItemView<'a> {
        let site = self.input.site;
        let page = &site.pages[item.page];
        DigestItemView {
            kind: item.kind.as_str(),
            title: &page.title,
            url: self.page_urls[item.page].clone(),
            date: item.date.to_string(),
            who: item.who.clone(),
            note: item.note.clone(),
            decision: site
                .decision_of_page(item.page)
                .map(|decision| self.decision_link(decision)),
            summary: (item.kind == Kind::Update).then_some(page.summary.as_str()),
        }
    }

    /// A week as feed HTML: headed lists by team, every text escaped.
    fn week_html(&self, week: &DigestWeekView) -> String {
        let absolute = |url: &str| match &self.absolute_base {
            Some(base) => format!(
                "{base}{}",
                url.strip_prefix(self.base_path()).unwrap_or(url)
            ),
            None => url.to_string(),
        };
        let mut html = String::new();
        for team in &week.teams {
            let name = team.team.as_ref().map_or("Across teams", |team| team.name);
            html.push_str(&format!("<h3>{}</h3>\n", super::escape_html(name)));
            let link = |item: &DigestItemView| {
                format!(
                    "<a href=\"{}\">{}</a>",
                    super::escape_html(&absolute(&item.url)),
                    super::escape_html(item.title)
                )
            };
            let by = |who: &Option<String>, note: &Option<String>| {
                let mut text = String::new();
                if let Some(who) = who {
                    text.push_str(&format!(" — {}", super::escape_html(who)));
                }
                if let Some(note) = note {
                    text.push_str(&format!(": “{}”", super::escape_html(note)));
                }
                text
            };
            for (label, items) in [("Decisions", &team.decisions), ("Updates", &team.updates)] {
                if items.is_empty() {
                    continue;
                }
                html.push_str(&format!("<p><strong>{label}</strong></p>\n<ul>\n"));
                for item in items {
                    html.push_str(&format!("<li>{}", link(item)));
                    if let Some(decision) = &item.decision {
                        let what = if item.kind == "new-decision" {
                            "new"
                        } else {
                            "changed"
                        };
                        html.push_str(&format!(" ({what}, now {})", decision.status));
                    }
                    html.push_str(&by(&item.who, &item.note));
                    html.push_str("</li>\n");
                }
                html.push_str("</ul>\n");
            }
            for (label, groups) in [
                ("New pages", &team.new_pages),
                ("Changed pages", &team.changed_pages),
            ] {
                if groups.is_empty() {
                    continue;
                }
                html.push_str(&format!("<p><strong>{label}</strong></p>\n<ul>\n"));
                for group in groups {
                    let links: Vec<String> = group.pages.iter().map(link).collect();
                    html.push_str(&format!(
                        "<li>{}{}</li>\n",
                        links.join(", "),
                        by(&group.who, &group.note)
                    ));
                }
                html.push_str("</ul>\n");
            }
        }
        html
    }
}

/// Adds a page to the group of its change (same author and subject), or starts one.
fn add_to_group<'a>(groups: &mut Vec<DigestGroupView<'a>>, item: DigestItemView<'a>) {
    match groups
        .iter_mut()
        .find(|group| group.who == item.who && group.note == item.note)
    {
        Some(group) => group.pages.push(item),
        None => groups.push(DigestGroupView {
            date: item.date.clone(),
            who: item.who.clone(),
            note: item.note.clone(),
            pages: vec![item],
        }),
    }
}

/// `Week 47: 16–22 Nov 2026`.
pub fn week_title(week: &digest::Week) -> String {
    let end = week.end();
    let number = week.start.iso_week_date().week();
    let month = |date: Date| date.strftime("%b").to_string();
    if week.start.month() == end.month() {
        format!(
            "Week {number}: {}–{} {} {}",
            week.start.day(),
            end.day(),
            month(end),
            end.year()
        )
    } else {
        format!(
            "Week {number}: {} {} – {} {} {}",
            week.start.day(),
            month(week.start),
            end.day(),
            month(end),
            end.year()
        )
    }
}

/// `2 updates, 1 new decision, 3 changed pages`.
pub fn week_summary(week: &digest::Week) -> String {
    use digest::Kind;
    let parts: Vec<String> = [
        (Kind::Update, "update", "updates"),
        (Kind::NewDecision, "new decision", "new decisions"),
        (
            Kind::ChangedDecision,
            "changed decision",
            "changed decisions",
        ),
        (Kind::NewPage, "new page", "new pages"),
        (Kind::ChangedPage, "changed page", "changed pages"),
    ]
    .into_iter()
    .filter_map(|(kind, one, many)| match week.count(kind) {
        0 => None,
        1 => Some(format!("1 {one}")),
        n => Some(format!("{n} {many}")),
    })
    .collect();
    if parts.is_empty() {
        "No changes".to_string()
    } else {
        parts.join(", ")
    }
}
