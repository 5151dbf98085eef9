//! Pipeline: the stage order — config → theme → load → model → render → write — and the
//! [`Builder`] whose steps both `build`/`check` ([`run`]) and the preview's engine
//! (`serve::engine`) call, so the two cannot drift apart.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::cache::RenderCache;
use crate::config::Config;
use crate::diagnostics::{self, Diagnostic, Severity};
use crate::load::{self, LoadOptions};
use crate::model::{self, ModelOptions};
use crate::output::OutputFile;
use crate::render::{self, RenderInput};
use crate::theme::{self, Theme};
use crate::write::{self, WriteReport};

/// What to build and where.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The handbook folder (with `handbook.yml`, or just markdown).
    pub root: PathBuf,
    /// Output folder; defaults to the config's `output` under the root.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` from the config.
    pub base_url: Option<String>,
    /// Publish drafts.
    pub drafts: bool,
    /// Strict checks: also report unknown front-matter keys.
    pub strict: bool,
    /// `check` only: request every http(s) link.
    pub external: bool,
}

/// What a build or check did.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Every finding, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// Published pages.
    pub pages: usize,
    /// Output files produced (pages, listings, assets, copies).
    pub files: usize,
    /// Pages kept from the previous build by the render cache instead of rendered.
    pub pages_kept: usize,
    /// What was written; `None` for `check` or when errors stopped the write.
    pub write: Option<WriteReport>,
    /// Wall time per stage, in order.
    pub timings: Vec<(&'static str, Duration)>,
    /// Time per activity ([`crate::profile`]), for `--timings`.
    pub profile: Vec<crate::profile::Spent>,
    /// The output folder.
    pub output: PathBuf,
    /// What the walk left out by its rules (dot folders, `exclude:`, …), for `--verbose`.
    pub skipped: Vec<load::Skipped>,
}

impl BuildReport {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// Markdown files the walk's rules left out.
    pub fn skipped_markdown(&self) -> usize {
        self.skipped.iter().map(|skipped| skipped.markdown).sum()
    }

    /// Total wall time.
    pub fn elapsed(&self) -> Duration {
        self.timings.iter().map(|(_, duration)| *duration).sum()
    }
}

/// Reads the configuration and applies command-line overrides.
pub fn load_config(options: &BuildOptions) -> anyhow::Result<Config> {
    let mut config = Config::load(&options.root)?;
    if let Some(base_url) = &options.base_url {
        if let Err((problem, help)) = crate::config::check_base_url(base_url) {
            anyhow::bail!("--base-url {problem}\n  help: {help}");
        }
        config.base_url = base_url.clone();
    }
    Ok(config)
}

/// What every step of a build shares, loaded once: the options, the configuration (with the
/// command line's overrides), the theme, today's date and the git history. `build` and `check`
/// make one per run; the preview keeps one for its whole session and reloads its parts when
/// `handbook.yml` or the theme changes.
pub struct Builder {
    /// What to build and where.
    pub options: BuildOptions,
    /// The configuration.
    pub config: Config,
    /// The theme's templates and files.
    pub theme: Theme,
    /// The date deadlines and reviews are measured against ([`today`]), set once per build.
    pub today: jiff::civil::Date,
    /// Git history and CODEOWNERS; empty until [`Builder::read`].
    pub history: crate::git::History,
    /// Highlighted code blocks of earlier builds: none until `build` loads them from the
    /// cache folder (`check` and the preview highlight every block).
    pub code: crate::code_cache::CodeCache,
}

impl Builder {
    /// Loads the configuration and the theme.
    pub fn new(options: BuildOptions) -> anyhow::Result<Builder> {
        let config = load_config(&options)?;
        let theme = theme::load(&options.root, &config)?;
        Ok(Builder {
            options,
            config,
            theme,
            today: today(),
            history: crate::git::History::default(),
            code: crate::code_cache::CodeCache::none(),
        })
    }

    /// Loads the configuration and its theme again. On an error nothing changes.
    pub fn reload_config(&mut self) -> anyhow::Result<()> {
        let config = load_config(&self.options)?;
        self.theme = theme::load(&self.options.root, &config)?;
        self.config = config;
        Ok(())
    }

    /// Loads the theme again. On an error nothing changes.
    pub fn reload_theme(&mut self) -> anyhow::Result<()> {
        self.theme = theme::load(&self.options.root, &self.config)?;
        Ok(())
    }

    /// The output folder: `-o`, else the config's `output` under the root.
    pub fn output(&self) -> PathBuf {
        output_dir(&self.options, &self.config)
    }

    /// Reads the sources and, at the same time, their git history, which the builder keeps.
    pub fn read(&mut self, output: &Path) -> anyhow::Result<load::Loaded> {
        let (loaded, history) = load_with_history(&self.options, &self.config, output)?;
        self.history = history;
        Ok(loaded)
    }

    /// Reads the git history alone (the preview reads it once; edits are not commits).
    pub fn read_history(&mut self) {
        self.history = read_history(&self.options.root, &self.config);
    }

    /// Walks the sources alone, leaving out `output` (canonical) when given.
    pub fn load(&self, output: Option<&Path>) -> anyhow::Result<load::Loaded> {
        load::load(&self.options.root, &self.config, &LoadOptions { output })
    }

    /// What the model needs to know of this build.
    pub fn model_options(&self) -> ModelOptions {
        model_options(&self.options, self.today)
    }

    /// Parses what was read and assembles the site.
    pub fn model(&self, loaded: load::Loaded) -> (model::Site, Vec<Diagnostic>) {
        model::build(&self.config, loaded, &self.history, self.model_options())
    }

    /// Assembles the site from pages already parsed (the preview reuses unchanged ones).
    pub fn assemble(
        &self,
        pages: Vec<model::page::Page>,
        statics: Vec<load::StaticFile>,
        unpublished: &std::collections::HashMap<String, String>,
    ) -> (model::Site, Vec<Diagnostic>) {
        model::assemble(
            &self.config,
            pages,
            statics,
            unpublished,
            &self.history,
            self.model_options(),
        )
    }

    /// What the renderer reads for `site`.
    pub fn render_input<'a>(&'a self, site: &'a model::Site) -> RenderInput<'a> {
        RenderInput {
            site,
            config: &self.config,
            theme: &self.theme,
            code: &self.code,
        }
    }
}

/// Builds the site and, when it has no errors, writes it to the output folder.
pub fn build(options: &BuildOptions) -> anyhow::Result<BuildReport> {
    run(options, true)
}

/// Runs every stage of a build, including rendering, but writes nothing.
pub fn check(options: &BuildOptions) -> anyhow::Result<BuildReport> {
    run(options, false)
}

fn run(options: &BuildOptions, write_output: bool) -> anyhow::Result<BuildReport> {
    crate::profile::reset();
    let mut timer = Timer::new();
    let mut builder = Builder::new(options.clone())?;
    let output = builder.output();
    let output = if write_output {
        let output = write::guard_output(&options.root, &output)?;
        write::recover(&output);
        output
    } else {
        output
    };
    let stamp = if write_output && builder.config.search.enabled {
        Some(source_stamp(options, &builder.config)?)
    } else {
        None
    };
    timer.lap("config+theme");

    let mut loaded = builder.read(&output)?;
    let skipped = std::mem::take(&mut loaded.skipped);
    let large = loaded.sources.len() >= 1000;
    if large {
        log::info!("loaded {} markdown files", loaded.sources.len());
    }
    timer.lap("load+git");

    let (site, mut found) = builder.model(loaded);
    timer.lap("model");
    let config = &builder.config;

    if large {
        log::info!("rendering {} pages", site.pages.len());
    }
    // Search indexes the model, not the HTML, so it runs beside rendering. A build reuses the
    // index in the handbook's cache folder when the sections are the same, and saves a new one
    // there with the sources' stamp (taken before they were read) for `handbook search`.
    // Pages whose inputs did not change since the last build are kept, not rendered.
    let previous_files = if write_output {
        write::previous_files(&output)
    } else {
        None
    };
    let cache = RenderCache::load(&output, previous_files.as_deref());
    if write_output {
        builder.code = crate::code_cache::CodeCache::load(&options.root);
    }
    // Each file goes to disk (or is found unchanged) as soon as it is made, instead of the
    // whole site waiting in memory for the write stage.
    let streamer = write_output.then(|| write::Streamer::new(&output, previous_files.is_some()));
    // `check` writes nothing: a rendered file's bytes are dropped as soon as it is made (only
    // its path is kept, for the summary), so checking never holds the whole site in memory.
    let sink = |file: OutputFile| match &streamer {
        Some(streamer) => streamer.put(file),
        None => match file.content {
            crate::output::Content::Bytes(_) => OutputFile {
                path: file.path,
                content: crate::output::Content::Bytes(Vec::new()),
            },
            _ => file,
        },
    };
    let (rendered, search_files) = rayon::join(
        || render::render_cached(&builder.render_input(&site), &cache, &sink),
        || {
            // `check` writes nothing, and search has nothing to report: skip the index.
            if config.search.enabled && write_output {
                let keep = stamp.map(|stamp| (options.root.as_path(), stamp));
                crate::search::build(&site, config, keep, &cache, &sink)
                    .map(|(files, group)| (files, vec![group]))
            } else {
                Ok((Vec::new(), Vec::new()))
            }
        },
    );
    let render::Rendered {
        mut files,
        pages_kept,
        diagnostics: mut render_problems,
        site_key,
        page_keys,
    } = rendered;
    let (search_files, groups) = search_files?;
    files.extend(search_files);
    files.push(sink(crate::export::output_file(&site, config)));
    found.append(&mut render_problems);
    timer.lap("render+search");
    if options.external && !write_output {
        let now = jiff::Timestamp::now().as_second();
        let (mut broken, _) =
            crate::external::check(&site, &config.check.external, &options.root, now);
        found.append(&mut broken);
        timer.lap("external");
    }

    diagnostics::sort(&mut found);
    let mut report = BuildReport {
        pages: site.pages.len(),
        files: files.len(),
        pages_kept,
        output: output.clone(),
        skipped,
        ..BuildReport::default()
    };
    report.diagnostics = found;
    // With errors the streamer is dropped, and with it the stage: the output stays as it was.
    if let Some(streamer) = streamer.filter(|_| !report.has_errors()) {
        if large {
            log::info!("writing {} files", files.len());
        }
        report.write = Some(streamer.finish(&files, previous_files)?);
        cache.save(&output, site_key, &page_keys, &groups);
        builder.code.save();
        timer.lap("write");
    }
    report.timings = timer.laps;
    report.profile = crate::profile::snapshot();
    Ok(report)
}

struct Timer {
    laps: Vec<(&'static str, Duration)>,
    last: Instant,
}

impl Timer {
    fn new() -> Self {
        Timer {
            laps: Vec::new(),
            last: Instant::now(),
        }
    }

    fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.laps.push((stage, now - self.last));
        self.last = now;
    }
}

/// Loads and models the handbook without rendering: for commands that only read records.
pub fn load_site(
    options: &BuildOptions,
    config: &Config,
) -> anyhow::Result<(crate::model::Site, Vec<Diagnostic>)> {
    let (loaded, history) = load_with_history(options, config, &output_dir(options, config))?;
    let (site, mut found) = model::build(config, loaded, &history, model_options(options, today()));
    diagnostics::sort(&mut found);
    Ok((site, found))
}

/// Reads the sources and, at the same time (git log runs in its own process), their history.
fn load_with_history(
    options: &BuildOptions,
    config: &Config,
    output: &Path,
) -> anyhow::Result<(load::Loaded, crate::git::History)> {
    use crate::profile::{Activity, add};
    let (loaded, history) = rayon::join(
        || {
            let started = Instant::now();
            let loaded = load_sources(options, config, output);
            add(Activity::Load, started.elapsed());
            loaded
        },
        || {
            let started = Instant::now();
            let history = read_history(&options.root, config);
            add(Activity::Git, started.elapsed());
            history
        },
    );
    Ok((loaded?, history))
}

/// Reads the git history of the handbook and its CODEOWNERS (problems become one `git`
/// warning in the model).
pub fn read_history(root: &Path, config: &Config) -> crate::git::History {
    let cache = config.git.cache.as_ref().map(|file| root.join(file));
    let mut history = crate::git::read(
        root,
        cache.as_deref(),
        &config.authors.ignore,
        config.git.history,
    );
    history.codeowners = load::read_codeowners(root, &history.prefix);
    history
}

/// The output folder: `-o`, else the config's `output` under the root.
fn output_dir(options: &BuildOptions, config: &Config) -> PathBuf {
    options
        .output
        .clone()
        .unwrap_or_else(|| config.output_dir(&options.root))
}

/// Reads the sources, leaving out the output folder (compared canonically when it exists).
fn load_sources(
    options: &BuildOptions,
    config: &Config,
    output: &Path,
) -> anyhow::Result<load::Loaded> {
    let canonical_output = output.canonicalize().ok();
    load::load(
        &options.root,
        config,
        &LoadOptions {
            output: canonical_output.as_deref().or(Some(output)),
        },
    )
}

fn model_options(options: &BuildOptions, today: jiff::civil::Date) -> ModelOptions {
    ModelOptions {
        drafts: options.drafts,
        today,
        strict: options.strict,
    }
}

/// Today's date in UTC, or the date of `SOURCE_DATE_EPOCH` (seconds) when set, so a build can
/// be reproduced later and tests do not depend on the calendar.
pub fn today() -> jiff::civil::Date {
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|seconds| seconds.trim().parse::<i64>().ok())
        .unwrap_or_else(|| jiff::Timestamp::now().as_second());
    let epoch = jiff::civil::date(1970, 1, 1);
    // try_days: an absurd SOURCE_DATE_EPOCH must not panic; it falls back to the epoch.
    jiff::Span::new()
        .try_days(seconds.div_euclid(86_400))
        .ok()
        .and_then(|span| epoch.checked_add(span).ok())
        .unwrap_or(epoch)
}

/// Resolves the handbook folder: the given one, else the current folder.
pub fn resolve_root(dir: Option<&Path>) -> PathBuf {
    dir.map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Searches the handbook with the index in its cache folder: at once when the index was saved
/// from sources with the same stamp, else after loading the site, with the cached index when it
/// still matches or one built in memory (nothing is written either way).
pub fn search(
    options: &BuildOptions,
    query: &crate::search::Query,
    limit: usize,
) -> anyhow::Result<(crate::search::Results, crate::search::Freshness)> {
    let config = load_config(options)?;
    let synonyms = crate::search::synonym_table(&config, crate::search::language_of(&config));
    let dir = options.root.join(crate::search::CACHE_DIR);
    let stamp = source_stamp(options, &config)?;
    if let Ok(Some(index)) = crate::search::SearchIndex::open_stamped(&dir, stamp) {
        return Ok((
            index.search(query, limit, &synonyms)?,
            crate::search::Freshness::Fresh,
        ));
    }
    let (site, _) = load_site(options, &config)?;
    let (index, freshness) = crate::search::open_or_build(&site, &config, Some(&dir))?;
    Ok((index.search(query, limit, &synonyms)?, freshness))
}

/// A stamp of everything the search index is made from, read without reading the sources
/// ([`load::stamp`]): the markdown files, this binary, the configuration and the drafts flag.
fn source_stamp(options: &BuildOptions, config: &Config) -> anyhow::Result<u64> {
    let output = output_dir(options, config);
    let canonical_output = output.canonicalize().ok();
    let files = load::stamp(
        &options.root,
        config,
        &LoadOptions {
            output: canonical_output.as_deref().or(Some(&output)),
        },
    )?;
    let mut hash = xxhash_rust::xxh3::Xxh3::new();
    hash.update(&files.to_le_bytes());
    hash.update(env!("CARGO_PKG_VERSION").as_bytes());
    hash.update(&config.fingerprint().to_le_bytes());
    hash.update(&[u8::from(options.drafts)]);
    Ok(hash.digest())
}
