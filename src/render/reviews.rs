//! Ownership and freshness in pages: owner links, review schedules, and the `due-for-review/` report
//! of pages overdue or due soon, grouped by owner.

use super::Renderer;
use super::context::{OwnerView, ReviewGroupView, ReviewReportView, ReviewRowView, ReviewView};
use crate::diagnostics::Diagnostic;
use crate::model::page::Page;
use crate::model::review::{self, Review, State};
use crate::output::OutputFile;

/// Where the report lives, below the base path.
pub(crate) const REVIEWS_URL: &str = "due-for-review/";

impl<'a> Renderer<'a> {
    /// An owner id with its person or team page, when there is one.
    pub(crate) fn owner_view(&self, id: &'a str) -> OwnerView<'a> {
        let site = self.input.site;
        let page = site.directory.resolve(id);
        OwnerView {
            id,
            name: page.map_or(id, |page| site.pages[page].title.as_str()),
            url: page.map(|page| self.page_urls[page].clone()),
        }
    }

    /// A page's owners.
    pub(crate) fn owner_views(&self, page: &'a Page) -> Vec<OwnerView<'a>> {
        page.owners
            .ids
            .iter()
            .map(|id| self.owner_view(id))
            .collect()
    }

    /// A page's schedule for templates.
    pub(crate) fn review_view(&self, review: &Review) -> ReviewView {
        ReviewView {
            due: review.due.to_string(),
            state: review.state.as_str(),
            days_left: review.days_left,
            distance: review::days(review.days_left.saturating_abs()),
            every: review.every().map(|every| every.to_string()),
            report_url: self.url(REVIEWS_URL),
        }
    }

    /// The review report, when any page has a review schedule.
    pub(crate) fn reviews_page(&self) -> Option<Result<OutputFile, Diagnostic>> {
        let site = self.input.site;
        let scheduled = site.pages.iter().filter(|p| p.review.is_some()).count();
        if scheduled == 0 {
            return None;
        }
        let groups = review::report(site)
            .into_iter()
            .map(|group| ReviewGroupView {
                owner: group.owner.map(|id| self.owner_view(id)),
                rows: group
                    .pages
                    .into_iter()
                    .filter_map(|id| {
                        let page = &site.pages[id];
                        Some(ReviewRowView {
                            title: &page.title,
                            url: self.page_urls[id].clone(),
                            path: &page.path,
                            review: self.review_view(page.review.as_ref()?),
                            updated: page.last_updated().map(|date| date.to_string()),
                        })
                    })
                    .collect(),
            })
            .collect();
        let mut view = self.generated_view(
            "Pages due for review",
            self.url(REVIEWS_URL),
            "reviews",
            Vec::new(),
        );
        view.reviews = Some(ReviewReportView {
            today: site.today.to_string(),
            overdue: review::count(site, State::Overdue),
            due_soon: review::count(site, State::DueSoon),
            scheduled,
            soon_days: self.input.config.review.soon_days,
            groups,
        });
        Some(self.generated(&format!("{REVIEWS_URL}index.html"), "reviews.html", &view))
    }
}
