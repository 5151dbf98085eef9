//! Command line: the clap definitions alone (commands, their arguments and help). What each
//! command does is in [`crate::commands`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::decision::Status;

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
    /// The preview's search export, run in a child process: a job on standard input, the
    /// files on standard output. Not for people.
    #[command(name = "__search-export", hide = true)]
    SearchExport,
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
