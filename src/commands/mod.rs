//! The commands: `run` dispatches a parsed [`Cli`] and writes results to the writers it is given
//! (so tests capture them); `search` and `stale` print reports; `Logger` is the stderr logger.

use std::io::{IsTerminal as _, Write};
use std::path::PathBuf;

use crate::cli::{
    Cli, ColorChoice, Command, DecisionCommand, Format, NewCommand, SiteArgs, ThemeCommand,
};
use crate::diagnostics::{self, format_human};
use crate::model::decision::Status;
use crate::pipeline::{self, BuildOptions, BuildReport};
use crate::{export, records, scaffold, theme};

mod logger;
mod search;
mod stale;

pub use logger::Logger;
use search::search;
use stale::stale;

/// How a successful run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything fine (exit 0).
    Success,
    /// Content has errors, or warnings with `--deny-warnings` (exit 1).
    ContentErrors,
}

/// Whether to colour a stream; `terminal` says whether that stream is a terminal.
pub fn use_color(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none() && terminal,
    }
}

/// Runs a command. Results go to `out`, diagnostics and summaries to `err`. Errors returned
/// here are usage, config or environment problems (exit 2).
pub fn run(cli: &Cli, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<Outcome> {
    let color = use_color(cli.color, std::io::stderr().is_terminal());
    match &cli.command {
        Command::Init(args) => {
            let report = scaffold::init(&args.dir)?;
            for path in &report.created {
                writeln!(out, "created {}", path.display())?;
            }
            for path in &report.skipped {
                writeln!(err, "kept existing {}", path.display())?;
            }
            writeln!(err, "next: cd {} && handbook build", args.dir.display())?;
            Ok(Outcome::Success)
        }
        Command::Build(args) => {
            let options = build_options(&args.site, args.output.clone());
            let report = pipeline::build(&options)?;
            finish(cli, &args.site, &report, color, out, err, "built")
        }
        Command::Check(args) => {
            let mut options = build_options(&args.site, None);
            options.external = args.external;
            let report = pipeline::check(&options)?;
            finish(cli, &args.site, &report, color, out, err, "checked")
        }
        Command::Search(args) => search(cli, args, out, err),
        Command::Export(args) => {
            let options = BuildOptions {
                root: pipeline::resolve_root(args.dir.as_deref()),
                drafts: args.drafts,
                ..BuildOptions::default()
            };
            let config = pipeline::load_config(&options)?;
            let (site, diagnostics) = pipeline::load_site(&options, &config)?;
            let urls = site.page_urls(&config.base_path());
            let document = export::document(&site, &config, &urls);
            let text = if args.pretty {
                serde_json::to_string_pretty(&document)?
            } else {
                serde_json::to_string(&document)?
            };
            writeln!(out, "{text}")?;
            report_errors(&diagnostics, err)?;
            Ok(Outcome::Success)
        }
        Command::Stale(args) => stale(args, out, err),
        Command::SearchExport => {
            crate::search::job::run_from(std::io::stdin().lock(), out)?;
            Ok(Outcome::Success)
        }
        Command::Serve(args) => {
            crate::serve::run(crate::serve::ServeOptions {
                build: BuildOptions {
                    root: pipeline::resolve_root(args.dir.as_deref()),
                    drafts: args.drafts,
                    ..BuildOptions::default()
                },
                bind: args.bind,
                allow_hosts: args.allow_host.clone(),
                timeout: std::time::Duration::from_secs(args.timeout),
                port: args.port,
                open: args.open,
                color,
            })?;
            Ok(Outcome::Success)
        }
        Command::New(NewCommand::Decision {
            title,
            dir,
            supersedes,
            team,
            number,
        }) => {
            let (config, site, records) = records::load(dir)?;
            let warnings =
                records::check_entities(&site, &[(team.as_ref(), records::Entity::Team)])?;
            let request = records::NewDecision {
                title: title.clone(),
                supersedes: supersedes.clone(),
                team: team.clone(),
                number: *number,
                today: pipeline::today(),
            };
            let path = records::new_decision(dir, &config, &records, &request)?;
            for warning in warnings {
                writeln!(err, "{}", diagnostics::shown(&warning))?;
            }
            writeln!(out, "{}", path.display())?;
            Ok(Outcome::Success)
        }
        Command::New(NewCommand::Update {
            title,
            dir,
            team,
            author,
        }) => {
            let (config, site, _) = records::load(dir)?;
            let warnings = records::check_entities(
                &site,
                &[
                    (team.as_ref(), records::Entity::Team),
                    (author.as_ref(), records::Entity::Person),
                ],
            )?;
            let request = records::NewUpdate {
                title: title.clone(),
                team: team.clone(),
                author: author.clone(),
                today: pipeline::today(),
            };
            let path = records::new_update(dir, &config, &request)?;
            for warning in warnings {
                writeln!(err, "{}", diagnostics::shown(&warning))?;
            }
            writeln!(out, "{}", path.display())?;
            Ok(Outcome::Success)
        }
        Command::Decision(DecisionCommand::Status {
            number,
            status,
            dir,
        }) => {
            let (_, _, records) = records::load(dir)?;
            let path = records::set_status(&records, *number, (*status).into())?;
            writeln!(
                err,
                "{}: status is now {}",
                path.display(),
                Status::from(*status).as_str()
            )?;
            Ok(Outcome::Success)
        }
        Command::Decision(DecisionCommand::Supersede { number, by, dir }) => {
            let (_, _, records) = records::load(dir)?;
            let (old, new) = records::supersede(&records, *number, *by)?;
            writeln!(err, "{} is superseded by {}", old.display(), new.display())?;
            if let Some(warning) = records::successor_warning(&records, *number, *by) {
                writeln!(err, "{}", diagnostics::shown(&warning))?;
            }
            Ok(Outcome::Success)
        }
        Command::Decision(DecisionCommand::List { status, json, dir }) => {
            let options = BuildOptions {
                root: dir.clone(),
                ..BuildOptions::default()
            };
            let config = pipeline::load_config(&options)?;
            let (site, diagnostics) = pipeline::load_site(&options, &config)?;
            let wanted = status.map(Status::from);
            let rows: Vec<_> = site
                .decisions
                .iter()
                .filter(|decision| wanted.is_none_or(|status| decision.status == status))
                .collect();
            if *json {
                let urls = site.page_urls(&config.base_path());
                let records: Vec<serde_json::Value> = rows
                    .iter()
                    .map(|d| export::decision(&site, d, &urls[d.page]))
                    .collect();
                writeln!(out, "{}", serde_json::to_string_pretty(&records)?)?;
            } else {
                for d in rows {
                    let date = d
                        .date
                        .map_or_else(|| "          ".to_string(), |date| date.to_string());
                    writeln!(
                        out,
                        "{:04}  {:<10}  {date}  {}",
                        d.number,
                        d.status.as_str(),
                        diagnostics::shown(&site.pages[d.page].title)
                    )?;
                }
            }
            report_errors(&diagnostics, err)?;
            Ok(Outcome::Success)
        }
        Command::Theme(ThemeCommand::Eject { dir, name }) => {
            let root = pipeline::resolve_root(dir.as_deref());
            let (written, skipped) = theme::eject(&root, name)?;
            for path in &written {
                writeln!(out, "created {}", path.display())?;
            }
            for path in &skipped {
                writeln!(err, "kept existing {}", path.display())?;
            }
            writeln!(err, "set `theme: {name}` in handbook.yml to use it")?;
            Ok(Outcome::Success)
        }
    }
}

/// For commands that read the handbook without checking it: one line when it has errors.
pub(super) fn report_errors(
    found: &[diagnostics::Diagnostic],
    err: &mut dyn Write,
) -> std::io::Result<()> {
    let (errors, _) = diagnostics::count(found);
    if errors > 0 {
        writeln!(
            err,
            "{errors} errors in the handbook; run `handbook check` for details"
        )?;
    }
    Ok(())
}

/// The handbook folder as annotations must name it, relative to the current folder (the
/// repository root in CI): `""` for `.`, `docs-site/` for `docs-site`.
fn repository_prefix(root: &std::path::Path) -> String {
    let relative = if root.is_absolute() {
        std::env::current_dir()
            .ok()
            .and_then(|cwd| {
                root.strip_prefix(cwd)
                    .ok()
                    .map(std::path::Path::to_path_buf)
            })
            .unwrap_or_else(|| root.to_path_buf())
    } else {
        root.to_path_buf()
    };
    let mut prefix = String::new();
    for component in relative.components() {
        if let std::path::Component::Normal(part) = component {
            prefix.push_str(&part.to_string_lossy());
            prefix.push('/');
        } else if component == std::path::Component::ParentDir {
            prefix.push_str("../");
        } else if component == std::path::Component::RootDir {
            prefix.push('/');
        }
    }
    prefix
}

fn build_options(site: &SiteArgs, output: Option<PathBuf>) -> BuildOptions {
    BuildOptions {
        root: pipeline::resolve_root(site.dir.as_deref()),
        output,
        base_url: site.base_url.clone(),
        drafts: site.drafts,
        strict: site.strict,
        external: false,
    }
}

fn outcome(site: &SiteArgs, report: &BuildReport) -> Outcome {
    let (errors, warnings) = diagnostics::count(&report.diagnostics);
    if errors > 0 || (site.strict && warnings > 0) {
        Outcome::ContentErrors
    } else {
        Outcome::Success
    }
}

/// Prints the findings in the chosen format, then (except for JSON) the summary line.
fn finish(
    cli: &Cli,
    site: &SiteArgs,
    report: &BuildReport,
    color: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
    verb: &str,
) -> anyhow::Result<Outcome> {
    let result = outcome(site, report);
    if site.format == Format::Json {
        let json = diagnostics::to_json(&report.diagnostics, report.pages);
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
        return Ok(result);
    }
    let shown: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| !cli.quiet || d.severity == diagnostics::Severity::Error)
        .cloned()
        .collect();
    if site.format == Format::Github {
        let prefix = repository_prefix(&pipeline::resolve_root(site.dir.as_deref()));
        out.write_all(diagnostics::format_github(&shown, &prefix).as_bytes())?;
    } else if cli.verbose {
        err.write_all(format_human(&shown, color).as_bytes())?;
    } else {
        err.write_all(diagnostics::format_human_capped(&shown, color, HUMAN_PER_CODE).as_bytes())?;
    }
    if cli.verbose {
        for skipped in &report.skipped {
            let markdown = match skipped.markdown {
                0 => String::new(),
                count => format!(": {}", diagnostics::plural(count, "markdown file")),
            };
            writeln!(
                err,
                "  skipped {} ({}){markdown}",
                diagnostics::shown(&skipped.path),
                diagnostics::shown(&skipped.reason)
            )?;
        }
    }
    if site.timings {
        err.write_all(format_timings(report).as_bytes())?;
    } else if cli.verbose {
        if report.write.is_some() {
            writeln!(
                err,
                "  rendered {} pages, kept {} unchanged from the last build",
                report.pages - report.pages_kept,
                report.pages_kept
            )?;
        }
        for (stage, duration) in &report.timings {
            writeln!(
                err,
                "  {stage:<8} {:>8.1} ms",
                duration.as_secs_f64() * 1000.0
            )?;
        }
    }
    if !cli.quiet || result != Outcome::Success {
        let skipped = match report.skipped_markdown() {
            0 => String::new(),
            count => format!(
                ", {} skipped{}",
                diagnostics::plural(count, "markdown file"),
                if cli.verbose { "" } else { " (-v lists them)" }
            ),
        };
        let mut line = format!(
            "{verb} {}{skipped} in {:.2} s",
            diagnostics::tally(report.pages, &report.diagnostics),
            report.elapsed().as_secs_f64()
        );
        if let Some(write) = report.write {
            line.push_str(&format!(
                " → {} ({} written, {} unchanged, {} removed)",
                diagnostics::shown(&report.output.display().to_string()),
                write.written,
                write.kept,
                write.removed
            ));
        } else if verb == "built" {
            line.push_str(&format!(
                "; nothing written, {} left as it was",
                diagnostics::shown(&report.output.display().to_string())
            ));
        }
        writeln!(err, "{line}")?;
    }
    Ok(result)
}

/// How many findings of one code human output shows before summarising the rest.
const HUMAN_PER_CODE: usize = 20;

/// `--timings`: the stages one after another, then the work inside them.
fn format_timings(report: &BuildReport) -> String {
    let ms = |duration: std::time::Duration| duration.as_secs_f64() * 1000.0;
    let mut text = String::from("timings (wall time of each stage, one after another):\n");
    for (stage, duration) in &report.timings {
        text.push_str(&format!("  {stage:<16} {:>9.1} ms\n", ms(*duration)));
    }
    text.push_str(&format!(
        "  {:<16} {:>9.1} ms\n",
        "total",
        ms(report.elapsed())
    ));
    for (heading, summed) in [
        ("inside them (wall time, beside other work):", false),
        ("inside them (summed over all threads):", true),
    ] {
        let rows: Vec<_> = report
            .profile
            .iter()
            .filter(|spent| spent.summed == summed)
            .collect();
        if rows.is_empty() {
            continue;
        }
        text.push_str(heading);
        text.push('\n');
        for spent in rows {
            text.push_str(&format!(
                "  {:<16} {:>9.1} ms\n",
                spent.name,
                ms(spent.time)
            ));
        }
    }
    if report.write.is_some() {
        text.push_str(&format!(
            "pages: {} rendered, {} kept from the last build\n",
            report.pages - report.pages_kept,
            report.pages_kept
        ));
    }
    text
}
