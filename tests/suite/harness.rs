//! `Fixture`: a handbook copied into a temp dir, built with the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use scraper::{Html, Selector};

pub struct Fixture {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

/// The result of running the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl Fixture {
    /// Copies `tests/fixtures/<case>` into a fresh temp dir.
    pub fn new(case: &str) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("handbook");
        copy_tree(&fixtures_dir().join(case), &root);
        git_init(dir.path());
        Fixture { _dir: dir, root }
    }

    /// A handbook made of the given files.
    pub fn with_files(files: &[(&str, &str)]) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("handbook");
        std::fs::create_dir_all(&root).unwrap();
        git_init(dir.path());
        let fixture = Fixture { _dir: dir, root };
        for (path, text) in files {
            fixture.edit(path, text);
        }
        fixture
    }

    /// Writes a file (creating folders).
    pub fn edit(&self, path: &str, text: &str) {
        let path = self.root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// The temp dir holding the handbook (for outputs beside it).
    pub fn parent(&self) -> &Path {
        self.root.parent().unwrap()
    }

    /// Runs the binary with `args`, in the handbook folder.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(&self.root, args)
    }

    /// Runs the binary with `args` in another folder (the repository root, say).
    pub fn run_in(&self, folder: &Path, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_handbook"))
            .args(args)
            .current_dir(folder)
            .env("NO_COLOR", "1")
            // 2026-11-23: deadlines in fixtures and the example handbook never expire.
            .env("SOURCE_DATE_EPOCH", "1795392000")
            .output()
            .unwrap();
        Run::from(output)
    }

    /// Runs the binary like [`Fixture::run`], failing the test if it takes longer than
    /// `limit` (a hang) or dies of a panic or a signal.
    pub fn run_limited(&self, args: &[&str], limit: std::time::Duration) -> Run {
        let mut child = Command::new(env!("CARGO_BIN_EXE_handbook"))
            .args(args)
            .current_dir(&self.root)
            .env("NO_COLOR", "1")
            .env("SOURCE_DATE_EPOCH", "1795392000")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Drain both pipes while waiting, so a chatty run cannot block on a full pipe.
        let mut stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let out = std::thread::spawn(move || {
            let mut text = Vec::new();
            std::io::Read::read_to_end(&mut stdout, &mut text).ok();
            text
        });
        let err = std::thread::spawn(move || {
            let mut text = Vec::new();
            std::io::Read::read_to_end(&mut stderr, &mut text).ok();
            text
        });
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > limit {
                child.kill().ok();
                child.wait().ok();
                panic!("handbook {args:?} still running after {limit:?}: a hang");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let run = Run::from(Output {
            status,
            stdout: out.join().unwrap(),
            stderr: err.join().unwrap(),
        });
        assert!(
            run.code == 0 || run.code == 1 || run.code == 2,
            "handbook {args:?} exited with {:?}:\n{}",
            status,
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        run
    }

    /// `handbook build`, asserting success.
    pub fn build(&self) -> Run {
        let run = self.run(&["build"]);
        assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
        run
    }

    pub fn output(&self) -> PathBuf {
        self.root.join("public")
    }

    /// Reads a built file as text.
    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.output().join(path))
            .unwrap_or_else(|error| panic!("reading {path}: {error}"))
    }

    /// Parses the built page at a site-relative URL (`guide/first-steps/`), with its relative
    /// links resolved as a browser at the page's address would (`../../x/` on `/handbook/a/b/`
    /// reads `/handbook/x/`), so assertions name the page a link reaches. `read` gives the HTML
    /// as written.
    pub fn html(&self, url: &str) -> Page {
        let path = if url.is_empty() || url.ends_with('/') {
            format!("{url}index.html")
        } else {
            url.to_string()
        };
        let folder = &path[..path.rfind('/').map_or(0, |at| at + 1)];
        let location = format!("{}{folder}", self.base_path());
        Page(Html::parse_document(&resolve_links(
            &self.read(&path),
            &location,
        )))
    }

    /// A built page as text with its relative links resolved (see [`Fixture::html`]).
    pub fn read_resolved(&self, path: &str) -> String {
        let folder = &path[..path.rfind('/').map_or(0, |at| at + 1)];
        resolve_links(&self.read(path), &format!("{}{folder}", self.base_path()))
    }

    /// The base path the last build used (`/` or `/handbook/`), from its `handbook.json`.
    pub fn base_path(&self) -> String {
        let export: serde_json::Value =
            serde_json::from_str(&self.read("handbook.json")).unwrap_or_default();
        let base = export["site"]["base_url"].as_str().unwrap_or("/");
        let path = match base.find("://") {
            Some(at) => base[at + 3..]
                .find('/')
                .map_or("/", |slash| &base[at + 3 + slash..]),
            None => base,
        };
        let trimmed = path.trim_matches('/');
        if trimmed.is_empty() {
            "/".to_string()
        } else {
            format!("/{trimmed}/")
        }
    }
}

/// `html` with every relative URL in `href`, `src`, `action`, `poster` and `srcset` resolved
/// against the folder address `location` (`/handbook/a/`), as a browser resolves them.
pub fn resolve_links(html: &str, location: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("=\"") {
        let (before, after) = rest.split_at(at + 2);
        out.push_str(before);
        rest = after;
        let name_start = before[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .map_or(0, |i| i + 1);
        let name = before[name_start..at].to_ascii_lowercase();
        let end = rest.find('"').unwrap_or(rest.len());
        let value = &rest[..end];
        match name.as_str() {
            "href" | "src" | "action" | "poster" => out.push_str(&resolve(value, location)),
            "srcset" => {
                let parts: Vec<String> = value
                    .split(',')
                    .map(|candidate| {
                        let trimmed = candidate.trim();
                        let (url, descriptor) = trimmed.split_once(' ').unwrap_or((trimmed, ""));
                        let space = if descriptor.is_empty() { "" } else { " " };
                        format!("{}{space}{descriptor}", resolve(url, location))
                    })
                    .collect();
                out.push_str(&parts.join(", "));
            }
            _ => out.push_str(value),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// One URL resolved against the folder address `location`; absolute ones, fragments and other
/// schemes unchanged.
fn resolve(value: &str, location: &str) -> String {
    let scheme = value
        .find(':')
        .is_some_and(|colon| !value[..colon].contains(['/', '?', '#']));
    if value.is_empty() || value.starts_with(['/', '#']) || scheme {
        return value.to_string();
    }
    let cut = value.find(['?', '#']).unwrap_or(value.len());
    let (path, suffix) = value.split_at(cut);
    let mut parts: Vec<&str> = location.split('/').filter(|p| !p.is_empty()).collect();
    let pieces: Vec<&str> = path.split('/').collect();
    // (`"".split('/')` is `[""]`: a bare query or fragment stays on this folder.)
    for piece in &pieces {
        match *piece {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    // A folder keeps its trailing slash: `x/`, `./`, `../`, or nothing but a query.
    let folder = matches!(pieces.last(), Some(&("" | "." | "..")));
    let mut resolved = format!("/{}", parts.join("/"));
    if folder && resolved != "/" {
        resolved.push('/');
    }
    format!("{resolved}{suffix}")
}

/// A parsed HTML page with selector helpers.
pub struct Page(pub Html);

impl Page {
    /// Text of every element matching `selector`, whitespace-trimmed.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let selector = Selector::parse(selector).unwrap();
        self.0
            .select(&selector)
            .map(|element| element.text().collect::<String>().trim().to_string())
            .collect()
    }

    /// The `attribute` of every element matching `selector`.
    pub fn attrs(&self, selector: &str, attribute: &str) -> Vec<String> {
        let selector = Selector::parse(selector).unwrap();
        self.0
            .select(&selector)
            .filter_map(|element| element.value().attr(attribute).map(str::to_string))
            .collect()
    }

    /// Number of elements matching `selector`.
    pub fn count(&self, selector: &str) -> usize {
        self.0.select(&Selector::parse(selector).unwrap()).count()
    }
}

impl Fixture {
    /// Wraps an existing folder inside `dir` (kept alive by the fixture).
    pub fn from_root(dir: tempfile::TempDir, root: PathBuf) -> Fixture {
        Fixture { _dir: dir, root }
    }

    /// The shipped `example-handbook/`, copied without its output.
    pub fn example() -> Fixture {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-handbook");
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("example");
        copy_tree(&source, &root);
        std::fs::remove_dir_all(root.join("public")).ok();
        git_init(dir.path());
        Fixture::from_root(dir, root)
    }

    /// The shipped `example-handbook/`, copied without its output and built.
    pub fn built_example() -> Fixture {
        let fixture = Fixture::example();
        fixture.build();
        fixture
    }
}

/// Makes `dir` an empty git repository, as a team's handbook is: builds then read no history
/// and give no `git` warning (a folder outside git gets one).
pub fn git_init(dir: &Path) {
    let status = Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "git init in {}", dir.display());
}

/// Every file below `dir`, by relative path.
pub fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        // The render cache is saved after the swap and is not part of the site.
        .filter(|entry| entry.file_type().is_file() && entry.file_name() != ".handbook-cache")
        .map(|entry| {
            let rel = entry.path().strip_prefix(dir).unwrap();
            (
                rel.to_string_lossy().into_owned(),
                std::fs::read(entry.path()).unwrap(),
            )
        })
        .collect()
}

/// Whether the slow tests (soaks, load, many killed builds) run: only when
/// `HANDBOOK_SLOW_TESTS=1` (set by `.ci/run`). Otherwise prints one loud skip line naming the test.
pub fn slow_tests(name: &str) -> bool {
    let on = std::env::var("HANDBOOK_SLOW_TESTS").as_deref() == Ok("1");
    if !on {
        visible(&format!(
            "SKIPPED slow test {name}: set HANDBOOK_SLOW_TESTS=1 to run it (.ci/run does)"
        ));
    }
    on
}

/// Prints a line the test runner does not capture (it captures `eprintln!` of passing tests),
/// so a skip is seen in a plain `cargo test`.
fn visible(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Chromium for browser tests, or `None` after printing one loud skip line. With
/// `HANDBOOK_REQUIRE_BROWSER=1` (set by CI) a missing browser fails the test instead.
pub fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join(name))
                    .find(|path| path.is_file())
            })
        });
    if found.is_none() {
        assert!(
            std::env::var("HANDBOOK_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "HANDBOOK_REQUIRE_BROWSER=1 but chromium is not installed"
        );
        // One line for the whole run, however many browser tests skip.
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            visible(
                "SKIPPED browser tests: chromium not found (install Debian's `chromium`; CI sets HANDBOOK_REQUIRE_BROWSER=1)",
            )
        });
    }
    found
}

/// Headless Chromium flags this machine needs (no network, no sandbox as root); add a fresh
/// `--user-data-dir`.
pub const CHROMIUM_FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--hide-scrollbars",
];

/// Runs headless Chromium with the flags this machine needs and a fresh profile.
pub fn chromium_run(browser: &Path, args: &[String]) -> Run {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(browser)
        .args(CHROMIUM_FLAGS)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .output()
        .unwrap();
    Run::from(output)
}

/// Runs Chromium with `args` and `--dump-dom` on `url`, and returns the JSON a page's script
/// wrote into `<pre id=out>` (the browser tests' probes and harness pages); panics with what
/// the page said and Chromium's log when there is none.
pub fn dumped_report(browser: &Path, args: &[String], url: &str) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend(["--dump-dom".to_string(), url.to_string()]);
    let run = chromium_run(browser, &all);
    let dom = Html::parse_document(&run.stdout);
    let out = Selector::parse("pre#out").unwrap();
    let text: String = dom
        .select(&out)
        .next()
        .map(|e| e.text().collect())
        .unwrap_or_default();
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{e}: {url} said {text:?}\n{}", run.stderr))
}

/// The page with source `path` in a `handbook.json` export.
pub fn exported_page(export: &serde_json::Value, path: &str) -> serde_json::Value {
    export["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|page| page["path"] == path)
        .unwrap_or_else(|| panic!("{path} is not in the export"))
        .clone()
}

/// Serves a folder over HTTP on 127.0.0.1 (Python's standard library server) until dropped.
pub struct StaticServer {
    child: std::process::Child,
    pub port: u16,
}

impl StaticServer {
    pub fn start(dir: &Path) -> StaticServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                &port.to_string(),
                "--directory",
            ])
            .arg(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3 serves the built site for browser tests");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        StaticServer { child, port }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Compares `actual` with the snapshot `tests/snapshots/<name>.snap`. With `UPDATE_SNAPSHOTS=1`
/// the snapshot is (re)written instead, so a deliberate change is one run and a reviewed diff.
/// A missing snapshot fails: CI never creates one.
pub fn assert_snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.snap"));
    if std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}: run with UPDATE_SNAPSHOTS=1 to write it, then review it",
            path.display()
        )
    });
    if expected == actual {
        return;
    }
    // The first lines that differ, with their numbers.
    let mut report = String::new();
    let (old, new): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut shown = 0;
    for n in 0..old.len().max(new.len()) {
        let (a, b) = (old.get(n), new.get(n));
        if a != b && shown < 12 {
            report.push_str(&format!(
                "line {}:\n  - {}\n  + {}\n",
                n + 1,
                a.unwrap_or(&"(none)"),
                b.unwrap_or(&"(none)")
            ));
            shown += 1;
        }
    }
    panic!(
        "{} differs from the output ({} vs {} lines); if the change is meant, run with \
         UPDATE_SNAPSHOTS=1 and review the diff:\n{report}",
        path.display(),
        old.len(),
        new.len()
    );
}

/// The outer HTML of the first element matching `selector`, one tag per line where the source
/// breaks lines (as rendered), for snapshots.
pub fn outer_html(page: &Page, selector: &str) -> String {
    let selector = Selector::parse(selector).unwrap();
    let mut html = page
        .0
        .select(&selector)
        .next()
        .unwrap_or_else(|| panic!("nothing matches the selector"))
        .html();
    html.push('\n');
    html
}
