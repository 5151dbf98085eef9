//! `handbook search`: the site's query language and ranking in the terminal.

use std::io::{IsTerminal as _, Write};

use super::{Outcome, use_color};
use crate::cli::{Cli, SearchArgs};
use crate::diagnostics;
use crate::pipeline::{self, BuildOptions};
use crate::search;

pub(super) fn search(
    cli: &Cli,
    args: &SearchArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let options = BuildOptions {
        root: pipeline::resolve_root(args.dir.as_deref()),
        output: args.output.clone(),
        base_url: None,
        drafts: args.drafts,
        strict: false,
        external: false,
    };
    let mut query = search::Query::parse(&args.query);
    for (key, values) in [
        ("kind", &args.kind),
        ("status", &args.status),
        ("team", &args.team),
    ] {
        for value in values {
            query.add_filter(key, value);
        }
    }
    let (results, freshness) = pipeline::search(&options, &query, args.limit)?;
    if freshness == search::Freshness::Rebuilt && !cli.quiet {
        writeln!(
            err,
            "note: no up-to-date search index in .handbook/; searched the current sources \
             (`handbook build` writes one)"
        )?;
    }
    let base = pipeline::load_config(&options)?.base_path();
    if args.json {
        // Site paths, with the base path, as the human output and the export give them.
        let hits: Vec<search::Hit> = results
            .hits
            .iter()
            .cloned()
            .map(|mut hit| {
                hit.url = format!("{base}{}", hit.url);
                for section in &mut hit.sections {
                    section.url = format!("{base}{}", section.url);
                }
                hit
            })
            .collect();
        let corrected: Vec<serde_json::Value> = results
            .corrected
            .iter()
            .map(|(word, instead)| serde_json::json!({"word": word, "instead": instead}))
            .collect();
        let json = serde_json::json!({
            "query": args.query,
            "total": results.total,
            "corrected": corrected,
            "hits": hits,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
        return Ok(Outcome::Success);
    }
    let color = use_color(cli.color, std::io::stdout().is_terminal());
    if !results.corrected.is_empty() && !cli.quiet {
        let words: Vec<String> = results
            .corrected
            .iter()
            .map(|(word, instead)| {
                format!(
                    "'{}' (not found) as '{}'",
                    diagnostics::shown(word),
                    diagnostics::shown(instead)
                )
            })
            .collect();
        writeln!(err, "showing results for {}", words.join(", "))?;
    }
    for (rank, hit) in results.hits.iter().enumerate() {
        let mut title = diagnostics::shown(&hit.title).into_owned();
        if let Some(section) = &hit.section {
            title = format!("{title} › {}", diagnostics::shown(section));
        }
        let mut facets = vec![hit.kind.as_str()];
        facets.extend([hit.status.as_str(), hit.team.as_str(), hit.date.as_str()]);
        let facets: Vec<_> = facets
            .into_iter()
            .filter(|f| !f.is_empty())
            .map(diagnostics::shown)
            .collect();
        if color {
            writeln!(
                out,
                "{:>2}. \x1b[1m{title}\x1b[0m  ({})",
                rank + 1,
                facets.join(", ")
            )?;
        } else {
            writeln!(out, "{:>2}. {title}  ({})", rank + 1, facets.join(", "))?;
        }
        writeln!(out, "    {base}{}", diagnostics::shown(&hit.url))?;
        writeln!(
            out,
            "    {}",
            highlight(&hit.snippet, &hit.highlights, color)
        )?;
        if !hit.sections.is_empty() {
            let also: Vec<String> = hit
                .sections
                .iter()
                .map(|section| diagnostics::shown(&section.heading).into_owned())
                .collect();
            writeln!(out, "    also: {}", also.join(" · "))?;
        }
    }
    if !cli.quiet {
        match results.total {
            0 => writeln!(err, "no results for {:?}", args.query)?,
            total if total > results.hits.len() => writeln!(
                err,
                "{} of {total} pages (--limit to see more)",
                results.hits.len()
            )?,
            total => writeln!(err, "{total} pages")?,
        }
    }
    Ok(Outcome::Success)
}

/// Marks the highlighted byte ranges: bold yellow in a terminal, `[…]` otherwise.
fn highlight(text: &str, ranges: &[(usize, usize)], color: bool) -> String {
    let (open, close) = if color {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("[", "]")
    };
    let mut out = String::with_capacity(text.len() + ranges.len() * 8);
    let mut at = 0;
    for &(start, end) in ranges {
        let (Some(before), Some(word)) = (text.get(at..start), text.get(start..end)) else {
            continue;
        };
        out.push_str(&diagnostics::shown(before));
        out.push_str(open);
        out.push_str(&diagnostics::shown(word));
        out.push_str(close);
        at = end;
    }
    out.push_str(&diagnostics::shown(text.get(at..).unwrap_or("")));
    out
}
