//! `handbook serve`: a local preview that rebuilds on save and reloads the browser.
//!
//! ```text
//!  notify ─► watcher thread ─► Touch batches ─┐
//!                                             ▼
//!   rebuild thread: Debouncer ─► classify ─► Engine::apply ─► publish (last good site)
//!        ▲   search export built on its own thread │                 │
//!        └────────────────────────────────────────┘     watch + broadcast
//!                                                                    ▼
//!                              axum on tokio: files from memory, /__handbook/events (SSE)
//! ```
//!
//! Nothing is written: the site lives in memory and the `build` output folder is never read
//! or touched.

pub mod engine;
pub mod server;
pub mod watch;

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use notify::Watcher as _;
use tokio::sync::{broadcast, watch as channel};

use crate::diagnostics::{self, Diagnostic, Severity};
use crate::output::OutputFile;
use crate::pipeline::BuildOptions;
use crate::search::job::ExportJob;
use engine::{Body, Engine, Rebuild};
use server::{Notice, Shared};
use watch::{Debouncer, Entry, Ignore, Touch};

/// A batch closes this long after its last event…
pub const QUIET: Duration = Duration::from_millis(20);
/// …and at most this long after its first.
pub const MAX_WAIT: Duration = Duration::from_millis(100);

/// What to serve and where.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Handbook folder and drafts; `output` and `base_url` are ignored.
    pub build: BuildOptions,
    /// Address to listen on.
    pub bind: IpAddr,
    /// Host names answered besides IP addresses, `localhost` and the machine's name.
    pub allow_hosts: Vec<String>,
    /// How long a connection may take to send a request head or sit idle.
    pub timeout: Duration,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Open the site in the default browser once it is up.
    pub open: bool,
    /// Colour in terminal messages.
    pub color: bool,
}

enum Message {
    Touches(Vec<Touch>),
    Search(anyhow::Result<Vec<OutputFile>>, Duration),
    Stop,
}

/// Builds, serves and watches until Ctrl-C. Terminal messages go to stderr.
pub fn run(options: ServeOptions) -> anyhow::Result<()> {
    let listener = bind(options.bind, options.port)?;
    let address = listener.local_addr()?;
    let url = site_url(address);
    let root = options
        .build
        .root
        .canonicalize()
        .with_context(|| format!("reading handbook folder {}", options.build.root.display()))?;
    let mut build = options.build.clone();
    build.root = root.clone();
    build.base_url = Some(url.clone());
    build.output = None;

    // The watcher starts before the first build reads anything, so an edit made while it
    // builds (or right after "serving" is printed) queues a rebuild instead of being lost.
    let (tx, rx) = mpsc::channel();
    // Touch messages sent and not yet taken, so a settle step can give way to a save.
    let waiting = Arc::new(AtomicUsize::new(0));
    let watcher = start_watcher(&root, tx.clone(), Arc::clone(&waiting))?;
    let started = Instant::now();
    let mut engine = Engine::new(build)?;
    let mut console = Console {
        color: options.color,
        shown: BTreeSet::new(),
    };
    let found = engine.diagnostics();
    console.show(&found);
    say(&format!(
        "built {} in {:.2} s",
        diagnostics::tally(engine.pages(), &found),
        started.elapsed().as_secs_f64()
    ));
    if !address.ip().is_loopback() {
        say("warning: listening on a public address: anyone on your network can read the handbook");
    }
    say(&format!("serving {url} (Ctrl-C stops)"));

    let (site_tx, site_rx) = channel::channel(Arc::new(engine.snapshot()));
    // Later publishes apply what changed since this snapshot.
    engine.take_changes();
    let (problems_tx, problems_rx) = channel::channel(Arc::new(error_lines(&found)));
    let (notices, _) = broadcast::channel(64);
    let (stop_tx, stop_rx) = channel::channel(false);
    let ignore = Ignore {
        output: engine.output_inside_root(),
    };
    let publisher = Publisher {
        site: site_tx,
        problems: problems_tx,
        notices: notices.clone(),
    };
    let rebuilds = {
        let tx = tx.clone();
        std::thread::Builder::new()
            .name("handbook-rebuild".into())
            .spawn(move || rebuild_loop(engine, rx, tx, waiting, ignore, publisher, console))?
    };
    if options.open {
        let url = url.clone();
        std::thread::spawn(move || {
            if let Err(error) = open::that(&url) {
                say(&format!("warning: could not open a browser: {error}"));
            }
        });
    }

    let shared = Shared {
        site: site_rx,
        problems: problems_rx,
        notices,
        stopping: stop_rx,
        root,
        hosts: server::allowed_hosts(address.ip(), &options.allow_hosts),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let timeout = options.timeout;
    let served = runtime.block_on(async move {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let server = tokio::spawn(accept_loop(
            listener,
            server::router(shared),
            timeout,
            stop_tx.subscribe(),
        ));
        shutdown_signal().await;
        stop_tx.send_replace(true);
        // Open connections get a moment to finish; then the process ends regardless.
        tokio::time::timeout(Duration::from_secs(3), server)
            .await
            .ok();
        anyhow::Ok(())
    });
    drop(watcher);
    tx.send(Message::Stop).ok();
    rebuilds.join().ok();
    runtime.shutdown_timeout(Duration::from_millis(200));
    say("stopped");
    served
}

/// Accepts connections until `stopping` turns true, serving each on its own task. A connection
/// must send a whole request head within `timeout` of opening, and again within `timeout` of
/// each response (hyper's header read timeout, which starts as soon as the connection is idle),
/// so clients that send nothing, send slowly or hold connections open cannot use up the
/// preview's connections or file descriptors. Event streams are responses in progress and are
/// not cut.
async fn accept_loop(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    timeout: Duration,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) {
    let service = hyper_util::service::TowerToHyperService::new(app);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = async { stopping.wait_for(|stop| *stop).await.is_ok() } => return,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Out of file descriptors, most likely: connections close within `timeout`.
                log::debug!("accept failed: {error}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = service.clone();
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(timeout)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = async { stopping.wait_for(|stop| *stop).await.is_ok() } => {
                    connection.as_mut().graceful_shutdown();
                    connection.await.ok();
                }
            }
        });
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    tokio::signal::ctrl_c().await.ok();
}

fn bind(address: IpAddr, port: u16) -> anyhow::Result<TcpListener> {
    match TcpListener::bind(SocketAddr::new(address, port)) {
        Ok(listener) => Ok(listener),
        Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => bail!(
            "port {port} on {address} is already in use\n  help: stop the other server, or pick another port: `handbook serve --port {}` (or `--port 0` for any free port)",
            port.wrapping_add(1).max(1024)
        ),
        Err(error) => Err(error).with_context(|| format!("listening on {address}:{port}")),
    }
}

/// The address to print and to use as the site's base URL.
fn site_url(address: SocketAddr) -> String {
    let host = match address.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    format!("http://{host}:{}/", address.port())
}

/// Watches the handbook recursively and forwards root-relative touched paths.
fn start_watcher(
    root: &Path,
    tx: mpsc::Sender<Message>,
    waiting: Arc<AtomicUsize>,
) -> anyhow::Result<notify::RecommendedWatcher> {
    let prefix: PathBuf = root.to_path_buf();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let touches = match event {
            Ok(event) => touches(&prefix, &event),
            // Lost events (a queue overflow): walk everything again.
            Err(_) => vec![Touch::new("", Entry::Unknown)],
        };
        if !touches.is_empty() {
            waiting.fetch_add(1, Ordering::SeqCst);
            tx.send(Message::Touches(touches)).ok();
        }
    })
    .context("starting the file watcher")?;
    watcher
        .watch(root, notify::RecursiveMode::Recursive)
        .with_context(|| format!("watching {}", root.display()))?;
    Ok(watcher)
}

/// The paths of one notify event, relative to the root, with what the event says they are.
fn touches(root: &Path, event: &notify::Event) -> Vec<Touch> {
    use notify::EventKind;
    use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RemoveKind};
    let entry = match event.kind {
        EventKind::Create(CreateKind::Folder) | EventKind::Remove(RemoveKind::Folder) => {
            Entry::Folder
        }
        EventKind::Create(CreateKind::File)
        | EventKind::Remove(RemoveKind::File)
        | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Metadata(_))
        | EventKind::Access(AccessKind::Close(AccessMode::Write)) => Entry::File,
        EventKind::Access(_) => return Vec::new(),
        _ => Entry::Unknown,
    };
    event
        .paths
        .iter()
        .filter_map(|path| path.strip_prefix(root).ok())
        .map(|rel| {
            let rel = rel
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            Touch::new(rel, entry)
        })
        .collect()
}

struct Publisher {
    site: channel::Sender<Arc<HashMap<String, Body>>>,
    problems: channel::Sender<Arc<Vec<String>>>,
    notices: broadcast::Sender<Notice>,
}

impl Publisher {
    /// Shows the engine's state: its errors always, its files only when there are none, so
    /// the browser keeps the last good build while the overlay names the problem.
    fn publish(&self, engine: &mut Engine, found: &[Diagnostic], touched: &[String]) {
        let lines = error_lines(found);
        if **self.problems.borrow() != lines {
            self.problems.send_replace(Arc::new(lines.clone()));
            self.notices.send(Notice::Problems(lines.clone())).ok();
        }
        if !lines.is_empty() {
            return;
        }
        let mut changed: BTreeSet<String> = touched.iter().cloned().collect();
        // Only what the engine changed is looked at, and the served map is changed in place
        // (copied only while a request still holds it), not rebuilt for every file.
        self.site.send_modify(|site| {
            let site = Arc::make_mut(site);
            for (path, body) in engine.take_changes() {
                match body {
                    Some(body) => {
                        if site.get(&path).is_none_or(|old| !old.same_as(&body)) {
                            site.insert(path.clone(), body);
                            changed.insert(path);
                        }
                    }
                    None => {
                        if site.remove(&path).is_some() {
                            changed.insert(path);
                        }
                    }
                }
            }
        });
        if changed.is_empty() {
            return;
        }
        // Pages reload themselves; a stylesheet, script, image or font may be on any page.
        // Data files (handbook.json, feeds, the sitemap) are on none: they are served new,
        // and no page is told.
        let all = changed
            .iter()
            .any(|path| is_embedded(path) && !path.starts_with("search/"));
        let only_search = changed.iter().all(|path| path.starts_with("search/"));
        let shown = |path: &String| {
            is_embedded(path) || path.ends_with(".html") || path.starts_with("search/")
        };
        if !changed.iter().any(shown) {
            return;
        }
        let notice = Notice::Reload {
            changed: changed.iter().map(|path| format!("/{path}")).collect(),
            all,
        };
        self.notices
            .send(if only_search { Notice::Search } else { notice })
            .ok();
    }
}

/// True for files a page embeds rather than links to.
fn is_embedded(path: &str) -> bool {
    const EMBEDDED: [&str; 13] = [
        "css", "js", "mjs", "svg", "png", "jpg", "jpeg", "gif", "webp", "avif", "ico", "woff",
        "woff2",
    ];
    path.rsplit_once('.')
        .is_some_and(|(_, extension)| EMBEDDED.contains(&extension.to_ascii_lowercase().as_str()))
}

/// Error diagnostics as the overlay shows them.
fn error_lines(found: &[Diagnostic]) -> Vec<String> {
    let errors: Vec<Diagnostic> = found
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    diagnostics::format_human(&errors, false)
        .lines()
        .map(str::to_string)
        .collect()
}

struct Console {
    color: bool,
    /// Warnings already printed, so each rebuild shows only new ones.
    shown: BTreeSet<String>,
}

impl Console {
    fn show(&mut self, found: &[Diagnostic]) {
        let fresh: Vec<Diagnostic> = found
            .iter()
            .filter(|d| d.severity == Severity::Error || !self.shown.contains(&key(d)))
            .cloned()
            .collect();
        self.shown = found
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .map(key)
            .collect();
        if !fresh.is_empty() {
            std::io::stderr()
                .write_all(diagnostics::format_human(&fresh, self.color).as_bytes())
                .ok();
        }
    }
}

fn key(diagnostic: &Diagnostic) -> String {
    format!(
        "{}:{}:{}:{}",
        diagnostic.location(),
        diagnostic.code,
        diagnostic.message,
        diagnostic.severity.as_str()
    )
}

fn say(line: &str) {
    std::io::stderr()
        .write_all(format!("{line}\n").as_bytes())
        .ok();
}

fn rebuild_loop(
    mut engine: Engine,
    rx: mpsc::Receiver<Message>,
    tx: mpsc::Sender<Message>,
    waiting: Arc<AtomicUsize>,
    ignore: Ignore,
    publisher: Publisher,
    mut console: Console,
) {
    let mut debouncer = Debouncer::new(QUIET, MAX_WAIT);
    let mut search = SearchJob::default();
    search.request(&engine, &tx);
    loop {
        let message = match debouncer.deadline() {
            Some(deadline) => {
                match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                    Ok(message) => Some(message),
                    Err(mpsc::RecvTimeoutError::Timeout) => None,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
            }
            // A save is on its way (counted, not yet in the channel): wait for it.
            None if engine.owes() && waiting.load(Ordering::SeqCst) > 0 => match rx.recv() {
                Ok(message) => Some(message),
                Err(_) => return,
            },
            // The last edit's page is out; the rest of the site follows while nothing waits.
            None if engine.owes() => match rx.try_recv() {
                Ok(message) => Some(message),
                Err(mpsc::TryRecvError::Empty) => {
                    let started = Instant::now();
                    let rendered = engine.settle_step(&|| waiting.load(Ordering::SeqCst) > 0);
                    let errors = engine.errors();
                    publisher.publish(&mut engine, &errors, &[]);
                    console.show(&engine.diagnostics());
                    log::debug!(
                        "settle step: {} in {} ms",
                        diagnostics::plural(rendered, "page"),
                        started.elapsed().as_millis()
                    );
                    continue;
                }
                Err(mpsc::TryRecvError::Disconnected) => return,
            },
            None => match rx.recv() {
                Ok(message) => Some(message),
                Err(_) => return,
            },
        };
        match message {
            Some(Message::Touches(touches)) => {
                waiting.fetch_sub(1, Ordering::SeqCst);
                debouncer.push(touches, Instant::now());
            }
            Some(Message::Search(result, elapsed)) => {
                search.running = false;
                match result {
                    Ok(files) => {
                        engine.set_search(files);
                        log::debug!("search index rebuilt in {} ms", elapsed.as_millis());
                        let errors = engine.errors();
                        publisher.publish(&mut engine, &errors, &[]);
                    }
                    Err(error) => say(&format!("warning: search index: {error:#}")),
                }
                if search.wanted {
                    search.request(&engine, &tx);
                }
            }
            Some(Message::Stop) => return,
            None => {}
        }
        let Some(batch) = debouncer.take(Instant::now()) else {
            continue;
        };
        let plan = watch::classify(&batch, &ignore);
        if plan.is_empty() {
            continue;
        }
        let rebuild = engine.apply(&plan);
        if !rebuild.changed {
            continue;
        }
        let publishing = Instant::now();
        // The page goes out first; the terminal's report (all findings) after.
        let errors = engine.errors();
        publisher.publish(&mut engine, &errors, &rebuild.touched);
        log::debug!("published in {:?}", publishing.elapsed());
        let found = engine.diagnostics();
        console.show(&found);
        report(&plan, &rebuild, &found);
        search.request(&engine, &tx);
    }
}

fn report(plan: &watch::Plan, rebuild: &Rebuild, found: &[Diagnostic]) {
    let mut paths: Vec<&str> = plan
        .markdown
        .iter()
        .chain(&plan.other)
        .map(String::as_str)
        .collect();
    if plan.config {
        paths.insert(0, crate::config::CONFIG_FILE);
    }
    if plan.theme {
        paths.insert(0, "themes/");
    }
    // File names come from whoever wrote them: escaped like every value printed.
    let mut what = paths
        .iter()
        .take(3)
        .map(|path| diagnostics::shown(path).into_owned())
        .collect::<Vec<_>>()
        .join(", ");
    if paths.len() > 3 {
        what.push_str(&format!(" and {} more", paths.len() - 3));
    }
    let (errors, _) = diagnostics::count(found);
    let outcome = if errors > 0 {
        format!(
            "{}; still serving the last good build",
            diagnostics::plural(errors, "error")
        )
    } else {
        format!(
            "rendered {} ({}) in {} ms",
            diagnostics::plural(rebuild.rendered, "page"),
            rebuild.how,
            rebuild.elapsed.as_millis()
        )
    };
    say(&format!("{what}: {outcome}"));
}

/// At most one search export runs at a time; a change during one asks for another after it.
#[derive(Default)]
struct SearchJob {
    running: bool,
    wanted: bool,
}

impl SearchJob {
    fn request(&mut self, engine: &Engine, tx: &mpsc::Sender<Message>) {
        if self.running {
            self.wanted = true;
            return;
        }
        self.wanted = false;
        let Some(job) = engine.search_job() else {
            return;
        };
        let tx = tx.clone();
        self.running = true;
        let spawned = std::thread::Builder::new()
            .name("handbook-search".into())
            .spawn(move || {
                let started = Instant::now();
                let result = export_in_child(&job).or_else(|error| {
                    log::debug!(
                        "search export in a child process failed ({error:#}); exporting in this one"
                    );
                    job.run()
                });
                tx.send(Message::Search(result, started.elapsed())).ok();
            });
        if spawned.is_err() {
            self.running = false;
        }
    }
}

/// Runs a search export in a child `handbook __search-export` (see [`crate::search::job`]):
/// the memory it works in is the child's, and goes back to the system when it ends.
fn export_in_child(job: &ExportJob<'_>) -> anyhow::Result<Vec<crate::output::OutputFile>> {
    use anyhow::Context as _;
    let mut child = std::process::Command::new(std::env::current_exe()?)
        .arg("__search-export")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let stdin = child
        .stdin
        .take()
        .context("the child has no standard input")?;
    // The child reads the whole job before it writes anything: send it, close, then read.
    let sent = job.write_to(stdin);
    let output = child.wait_with_output()?;
    if !output.status.success() {
        anyhow::bail!("{}", String::from_utf8_lossy(&output.stderr).trim());
    }
    sent?;
    crate::search::job::read_files(&output.stdout)
}
