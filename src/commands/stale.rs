//! `handbook stale`: pages due for review, by owner.

use std::io::Write;

use super::{Outcome, report_errors};
use crate::cli::StaleArgs;
use crate::pipeline::{self, BuildOptions};
use crate::{diagnostics, export};

/// `handbook stale`: pages overdue or due soon, grouped by owner.
pub(super) fn stale(
    args: &StaleArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let options = BuildOptions {
        root: pipeline::resolve_root(args.dir.as_deref()),
        ..BuildOptions::default()
    };
    let mut config = pipeline::load_config(&options)?;
    if let Some(days) = args.within {
        config.review.soon_days = days;
    }
    let (site, diagnostics) = pipeline::load_site(&options, &config)?;
    let urls = site.page_urls(&config.base_path());
    let report = export::stale(&site, &config, &urls, args.owner.as_deref());
    let overdue = report
        .owners
        .iter()
        .flat_map(|group| &group.pages)
        .any(|page| page.review.state == "overdue");
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        let today = report.today.as_deref().unwrap_or("today");
        writeln!(
            out,
            "{} overdue, {} due within {} days (as of {today})",
            report.overdue, report.due_soon, report.soon_days
        )?;
        for group in &report.owners {
            let owner = match (group.owner, group.name) {
                (Some(id), Some(name)) if name != id => {
                    format!("{} ({})", diagnostics::shown(name), diagnostics::shown(id))
                }
                (Some(id), _) => diagnostics::shown(id).into_owned(),
                (None, _) => "No owner".to_string(),
            };
            writeln!(out, "\n{owner}")?;
            for page in &group.pages {
                let days = page.review.days_left.saturating_abs();
                let state = if page.review.state == "overdue" {
                    format!("overdue {}", crate::model::review::days(days))
                } else {
                    format!("due in {}", crate::model::review::days(days))
                };
                writeln!(
                    out,
                    "  {:<18}  {}  {}  {}",
                    state,
                    page.review.due,
                    diagnostics::shown(page.path),
                    diagnostics::shown(page.title)
                )?;
            }
        }
    }
    report_errors(&diagnostics, err)?;
    Ok(if args.fail && overdue {
        Outcome::ContentErrors
    } else {
        Outcome::Success
    })
}
