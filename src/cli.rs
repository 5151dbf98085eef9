//! Command line: clap definitions, the stderr logger, and `run`, which dispatches a command and
//! writes its results to the writers it is given (so tests capture them).

use std::io::{IsTerminal as _, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::diagnostics::{self, format_human};
use crate::model::decision::Status;
use crate::pipeline::{self, BuildOptions, BuildReport};
use crate::{export, records, scaffold, search, theme};

const EXAMPLES: &str = "\
Examples:
  handbook init my-handbook          create a new handbook
  handbook serve --open              preview ./ at http://127.0.0.1:4000/, reload on save
  handbook build                     build ./ into ./public
  handbook build docs -o site --base-url https://example.org/handbook/
  handbook check --strict            validate without writing (for CI)
  handbook check --format github     the same, as GitHub Actions annotations
  handbook check --external          also request every http(s) link
  handbook export --pretty           the handbook as one JSON document
  handbook stale --owner platform    pages overdue or due soon for review
  handbook theme eject               copy the default theme into themes/custom/
  handbook new decision \"Use PostgreSQL\" --team platform
  handbook new update \"Platform weekly\" --team platform --author priya
  handbook decision supersede 2 --by 7
  handbook decision list --status proposed
  handbook search \"deploy rollback\" --kind decision
  handbook search 'postgres* status:accepted' --json";

/// Turns a git repository of markdown into a fast, searchable static wiki.
#[derive(Debug, Parser)]
#[command(name = "handbook", version, about, after_help = EXAMPLES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print stage timings and details.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Colour in messages.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When stderr is a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new handbook (never overwrites existing files).
    Init(InitArgs),
    /// Build the site into the output folder; exits 1 on content errors.
    Build(BuildArgs),
    /// Run every check of a build without writing anything.
    Check(CheckArgs),
    /// Preview the handbook: serve it, rebuild on save and reload the browser.
    Serve(ServeArgs),
    /// Search the handbook from the terminal, ranked as in the browser.
    Search(SearchArgs),
    /// Print the whole handbook as one JSON document (pages, decisions, updates, people, teams).
    Export(ExportArgs),
    /// List pages overdue or due soon for review, grouped by owner.
    Stale(StaleArgs),
    /// Work with themes.
    #[command(subcommand)]
    Theme(ThemeCommand),
    /// Create a new record from a template.
    #[command(subcommand)]
    New(NewCommand),
    /// Change or list decision records.
    #[command(subcommand)]
    Decision(DecisionCommand),
}

/// `handbook new …`.
#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// Create today's update (`updates/YYYY/YYYY-MM-DD-title.md`) from a template; prints its path.
    Update {
        /// The update's title, e.g. "Platform weekly".
        title: String,
        /// Handbook folder.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// Team id.
        #[arg(long)]
        team: Option<String>,
        /// Author (person id).
        #[arg(long)]
        author: Option<String>,
    },
    /// Create the next numbered decision record (MADR 4 layout, status `proposed`); prints its path.
    Decision {
        /// The decision's title, e.g. "Use PostgreSQL for the ledger".
        title: String,
        /// Handbook folder.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// Number(s) of records this one replaces.
        #[arg(long, value_name = "N")]
        supersedes: Vec<u32>,
        /// Owning team id.
        #[arg(long)]
        team: Option<String>,
        /// Use this number instead of the next free one (resolves a clash between branches).
        #[arg(long)]
        number: Option<u32>,
    },
}

/// `handbook decision …`.
#[derive(Debug, Subcommand)]
pub enum DecisionCommand {
    /// Set a record's status, editing only its status line.
    Status {
        /// Record number.
        number: u32,
        /// New status.
        #[arg(value_enum)]
        status: StatusArg,
        /// Handbook folder.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// Mark record NUMBER as superseded by record --by.
    Supersede {
        /// The old record.
        number: u32,
        /// The record replacing it.
        #[arg(long, value_name = "M")]
        by: u32,
        /// Handbook folder.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// List records: number, status, date, title.
    List {
        /// Only this status.
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
        /// Handbook folder.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
}

/// A lifecycle status on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    /// Open for comments.
    Proposed,
    /// In force.
    Accepted,
    /// Turned down.
    Rejected,
    /// No longer in force.
    Deprecated,
    /// Replaced (prefer `decision supersede`, which links the successor).
    Superseded,
}

impl From<StatusArg> for Status {
    fn from(status: StatusArg) -> Status {
        match status {
            StatusArg::Proposed => Status::Proposed,
            StatusArg::Accepted => Status::Accepted,
            StatusArg::Rejected => Status::Rejected,
            StatusArg::Deprecated => Status::Deprecated,
            StatusArg::Superseded => Status::Superseded,
        }
    }
}

/// `handbook init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to create the handbook in.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

/// Flags shared by `build` and `check`.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// Handbook folder (the one with handbook.yml); defaults to the current folder.
    pub dir: Option<PathBuf>,
    /// Override `base_url`, e.g. https://example.org/handbook/.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Fail on warnings too (exit 1), and report front-matter keys handbook does not know.
    #[arg(long, visible_alias = "deny-warnings")]
    pub strict: bool,
    /// How to print findings: `human` lines on stderr, one `json` document on stdout, or
    /// `github` Actions annotations on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Print where the time went: each stage, and each kind of work (git, markdown,
    /// highlighting, templates, search index and export, writing).
    #[arg(long)]
    pub timings: bool,
}

/// `handbook build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// What to build.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Output folder (default: `output` from handbook.yml, i.e. DIR/public).
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

/// `handbook check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// What to check.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Also request every http(s) link (with a timeout, a concurrency limit and an optional
    /// cache; see `check.external` in handbook.yml).
    #[arg(long)]
    pub external: bool,
}

/// `handbook serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Handbook folder (the one with handbook.yml); defaults to the current folder.
    pub dir: Option<PathBuf>,
    /// Port to listen on; 0 picks a free one (the URL is printed).
    #[arg(short, long, default_value_t = 4000)]
    pub port: u16,
    /// Address to listen on. The default keeps the preview on this machine; 0.0.0.0 shares it
    /// with your network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Another host name the preview answers to (a DNS name of this machine; repeatable). IP
    /// addresses, `localhost` and the machine's own name always work; other names are refused,
    /// so a web page cannot reach the preview through DNS rebinding.
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_host: Vec<String>,
    /// Seconds a connection may take to send a request head, or sit idle between requests,
    /// before the preview closes it.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

/// `handbook export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Handbook folder; defaults to the current folder.
    pub dir: Option<PathBuf>,
    /// Indent the JSON for reading.
    #[arg(long)]
    pub pretty: bool,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

/// `handbook stale`.
#[derive(Debug, Args)]
pub struct StaleArgs {
    /// Handbook folder; defaults to the current folder.
    pub dir: Option<PathBuf>,
    /// Count pages due within this many days as due soon (default: `review.soon_days` from
    /// handbook.yml, 30).
    #[arg(long, value_name = "DAYS")]
    pub within: Option<u32>,
    /// Only pages of this owner (person or team id, or CODEOWNERS handle).
    #[arg(long, value_name = "ID")]
    pub owner: Option<String>,
    /// Print JSON for bots that remind owners.
    #[arg(long)]
    pub json: bool,
    /// Exit 1 when any listed page is overdue.
    #[arg(long)]
    pub fail: bool,
}

/// `handbook search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words (all must match), "a phrase", prefix* and kind:/status:/team: filters.
    pub query: String,
    /// Handbook folder; defaults to the current folder.
    pub dir: Option<PathBuf>,
    /// How many pages to show.
    #[arg(short = 'n', long, default_value_t = 10)]
    pub limit: usize,
    /// Only this kind: page, decision, update, person or team (repeatable).
    #[arg(long)]
    pub kind: Vec<String>,
    /// Only decision records with this status (repeatable).
    #[arg(long)]
    pub status: Vec<String>,
    /// Only pages of this team (repeatable).
    #[arg(long)]
    pub team: Vec<String>,
    /// Print results as JSON.
    #[arg(long)]
    pub json: bool,
    /// Output folder holding the index (default: `output` from handbook.yml).
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `path:line:col: error[code]: message` lines.
    Human,
    /// One JSON document on stdout.
    Json,
    /// GitHub Actions annotations (`::error file=…,line=…::…`) on stdout.
    Github,
}

/// `handbook theme …`.
#[derive(Debug, Subcommand)]
pub enum ThemeCommand {
    /// Copy the built-in theme into themes/<name>/ for customisation.
    Eject {
        /// Handbook folder.
        dir: Option<PathBuf>,
        /// Theme folder name; set `theme: <name>` in handbook.yml to use it.
        #[arg(long, default_value = "custom")]
        name: String,
    },
}

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
            let warning = match team {
                Some(team) => records::check_entity(&site, records::Entity::Team, team)?,
                None => None,
            };
            let request = records::NewDecision {
                title: title.clone(),
                supersedes: supersedes.clone(),
                team: team.clone(),
                number: *number,
                today: pipeline::today(),
            };
            let path = records::new_decision(dir, &config, &records, &request)?;
            if let Some(warning) = warning {
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
            let mut warnings = Vec::new();
            for (id, entity) in [
                (team, records::Entity::Team),
                (author, records::Entity::Person),
            ] {
                if let Some(id) = id {
                    warnings.extend(records::check_entity(&site, entity, id)?);
                }
            }
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

fn search(
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

/// `handbook stale`: pages overdue or due soon, grouped by owner.
fn stale(args: &StaleArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<Outcome> {
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

/// For commands that read the handbook without checking it: one line when it has errors.
fn report_errors(found: &[diagnostics::Diagnostic], err: &mut dyn Write) -> std::io::Result<()> {
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

/// A minimal stderr logger: plain sentences for `info`, noisy dependencies held to `warn`.
pub struct Logger {
    level: log::LevelFilter,
}

impl Logger {
    /// Installs the logger for the given verbosity.
    pub fn install(quiet: bool, verbose: bool) {
        let level = if quiet {
            log::LevelFilter::Error
        } else if verbose {
            log::LevelFilter::Debug
        } else {
            log::LevelFilter::Info
        };
        if log::set_boxed_logger(Box::new(Logger { level })).is_ok() {
            log::set_max_level(level);
        }
    }
}

impl log::Log for Logger {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        let ours = metadata.target().starts_with("handbook");
        metadata.level() <= self.level && (ours || metadata.level() <= log::Level::Warn)
    }

    fn log(&self, record: &log::Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let prefix = match record.level() {
            log::Level::Error => "error: ",
            log::Level::Warn => "warning: ",
            _ => "",
        };
        let line = format!(
            "{prefix}{}\n",
            diagnostics::shown_message(&record.args().to_string())
        );
        // Logging must never fail the build; a closed stderr loses only the message.
        std::io::stderr().write_all(line.as_bytes()).ok();
    }

    fn flush(&self) {}
}
