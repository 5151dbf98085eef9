//! Portable output: one build, with no base URL given, works opened from disk (`file://`),
//! served under a sub-path, and shows a working 404 page at any depth. Checked in Chromium.

use std::path::Path;

use serde_json::Value;

use crate::harness::{Fixture, chromium, copy_tree};

/// What a page reports about itself once loaded: its title, whether the theme's stylesheet
/// applies, its sidebar links as the browser resolves them, and the search results for a word.
const PROBE: &str = r#"<script>
window.addEventListener("load", async function () {
  const out = document.createElement("pre");
  out.id = "out";
  const report = {
    h1: (document.querySelector("main h1") || {}).textContent || "",
    styled: getComputedStyle(document.documentElement).getPropertyValue("--bg").trim() !== "",
    sidebar: [...document.querySelectorAll(".sidebar a[href]")].map(a => a.href),
    home: (document.querySelector("a.site-title, header a") || {}).href || "",
    search_form: (document.querySelector("form.site-search") || {}).action || "",
  };
  // The 404 page's suggestions arrive after its own search.
  const suggestions = document.querySelector(".not-found-suggestions");
  for (let i = 0; suggestions && suggestions.hidden && i < 100; i++) {
    await new Promise(r => setTimeout(r, 50));
  }
  report.suggestions = [...document.querySelectorAll(".not-found-suggestions li a")].map(a => a.textContent);
  report.suggest_search = (document.querySelector(".suggest-search") || {}).href || "";
  try {
    const result = await window.handbookSearch.search("vacation", {limit: 5});
    report.search = result.hits.map(h => h.title);
  } catch (e) { report.search = String(e); }
  out.textContent = JSON.stringify(report);
  document.body.appendChild(out);
});
</script>"#;

/// The strings of a JSON array in a probe's report.
fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Adds [`PROBE`] to the built page at `path` (in a copy of the site, never the real output).
fn probe(site: &Path, path: &str) {
    let file = site.join(path);
    let html = std::fs::read_to_string(&file).unwrap();
    let html = html.replacen("</body>", &format!("{PROBE}</body>"), 1);
    std::fs::write(file, html).unwrap();
}

/// Loads `url` in Chromium (no extra file permissions) and returns the probe's report.
fn report(browser: &Path, url: &str) -> Value {
    crate::harness::dumped_report(browser, &["--virtual-time-budget=20000".into()], url)
}

#[test]
fn a_build_opened_from_disk_has_styles_working_sidebar_links_and_search() {
    let Some(browser) = chromium() else { return };
    let fixture = Fixture::built_example();
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("unzipped");
    copy_tree(&fixture.output(), &site);
    probe(&site, "index.html");
    let home = report(&browser, &format!("file://{}/index.html", site.display()));
    assert_eq!(
        home["styled"], true,
        "the stylesheet loads from disk: {home}"
    );
    let links: Vec<&str> = strings(&home["sidebar"]);
    assert!(links.len() > 5, "{home}");
    for link in &links {
        let path = link
            .strip_prefix("file://")
            .unwrap_or_else(|| panic!("{link} stays on disk"));
        let path = path.split('#').next().unwrap();
        assert!(
            path.ends_with("/index.html") && Path::new(path).is_file(),
            "a sidebar click opens a page, not a folder listing: {link}"
        );
    }
    assert!(
        home["search"]
            .as_array()
            .is_some_and(|hits| !hits.is_empty()),
        "search works from disk: {home}"
    );
    assert!(
        home["search_form"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/search/index.html"),
        "the search box submits to a page, not a folder: {home}"
    );
    // Following a sidebar link: the page it opens is styled and has its own working links.
    let target = links
        .iter()
        .find(|link| link.contains("/how-we-work/") || link.contains("/engineering/"))
        .unwrap_or(&links[1]);
    let path = target
        .strip_prefix("file://")
        .unwrap()
        .split('#')
        .next()
        .unwrap();
    let rel = Path::new(path).strip_prefix(&site).unwrap();
    probe(&site, rel.to_str().unwrap());
    let page = report(&browser, &format!("file://{path}"));
    assert_eq!(page["styled"], true, "{page}");
    assert!(
        !page["h1"].as_str().unwrap_or_default().is_empty(),
        "{page}"
    );
    assert!(
        page["home"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/unzipped/index.html"),
        "the home link leads back to the site's first page: {page}"
    );
}

/// Serves `root` on 127.0.0.1 as static hosts do, answering a missing path with `not_found`
/// and status 404 (GitHub Pages, Netlify, Cloudflare Pages).
struct Host {
    child: std::process::Child,
    port: u16,
}

impl Host {
    fn start(root: &Path, not_found: &Path) -> Host {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let script = r#"
import functools, http.server, sys
root, missing, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def send_error(self, code, message=None, explain=None):
        if code != 404:
            return super().send_error(code, message, explain)
        body = open(missing, "rb").read()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=root)).serve_forever()
"#;
        let child = std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(root)
            .arg(not_found)
            .arg(port.to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3 serves the site");
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        Host { child, port }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

#[test]
fn a_build_without_a_base_url_works_under_a_sub_path_and_its_404_page_at_any_depth() {
    let Some(browser) = chromium() else { return };
    let fixture = Fixture::built_example();
    let dir = tempfile::tempdir().unwrap();
    // A project site: the host serves the build at /repo/, as GitHub Pages does.
    let site = dir.path().join("host/repo");
    copy_tree(&fixture.output(), &site);
    probe(&site, "index.html");
    probe(&site, "404.html");
    let host = Host::start(&dir.path().join("host"), &site.join("404.html"));

    let home = report(&browser, &host.url("/repo/"));
    assert_eq!(home["styled"], true, "{home}");
    let links: Vec<&str> = strings(&home["sidebar"]);
    assert!(links.len() > 5, "{home}");
    let prefix = host.url("/repo/");
    assert!(
        links.iter().all(|link| link.starts_with(&prefix)),
        "every sidebar link stays under the sub-path: {links:?}"
    );
    assert!(
        home["search"]
            .as_array()
            .is_some_and(|hits| !hits.is_empty()),
        "search works under the sub-path: {home}"
    );
    // Following a sidebar link opens a styled page whose home link leads back under /repo/.
    let target = links[links.len() / 2];
    let rel = target
        .strip_prefix(&prefix)
        .unwrap()
        .split('#')
        .next()
        .unwrap();
    probe(&site, &format!("{rel}index.html"));
    let page = report(&browser, target);
    assert_eq!(page["styled"], true, "{target}: {page}");
    assert!(
        !page["h1"].as_str().unwrap_or_default().is_empty(),
        "{page}"
    );
    assert_eq!(page["home"], prefix.as_str(), "{page}");

    // The host answers a deep missing path with the 404 page: styled, links to the site's home.
    // (`//repo/…`: a doubled slash must not make the page look for its root on another host.)
    for missing in [
        "//repo/deep/x/",
        "/repo/no/such/page/",
        "/repo/engineering/gone.html",
        "/repo/x",
    ] {
        let page = report(&browser, &host.url(missing));
        assert_eq!(page["styled"], true, "{missing}: {page}");
        assert_eq!(page["home"], prefix.as_str(), "{missing}: {page}");
        assert!(
            page["search"]
                .as_array()
                .is_some_and(|hits| !hits.is_empty()),
            "{missing}: search works on the 404 page: {page}"
        );
    }
    // It suggests the pages the address seems to mean, and a search for its words.
    let page = report(&browser, &host.url("/repo/engineering/oncall-runbook/"));
    let suggestions: Vec<&str> = strings(&page["suggestions"]);
    assert!(
        suggestions
            .iter()
            .any(|title| title.starts_with("On-call runbook")),
        "{page}"
    );
    assert!(
        page["suggest_search"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/repo/search/?q=engineering%20oncall%20runbook"),
        "{page}"
    );
}

#[test]
fn pages_link_relatively_and_the_404_page_uses_the_base_url_when_one_is_given() {
    let fixture = Fixture::with_files(&[
        ("handbook.yml", "title: Portable\n"),
        ("index.md", "# Home\n\nSee [the guide](guides/deploy.md).\n"),
        (
            "guides/deploy.md",
            "---\naliases: [old/deploy]\n---\n# Deploy\n\nBack [home](../index.md).\n",
        ),
    ]);
    fixture.build();
    let page = fixture.read("guides/deploy/index.html");
    assert!(page.contains("href=\"../../assets/"), "{page}");
    assert!(page.contains("<a href=\"../../\">home</a>"), "{page}");
    assert!(!page.contains("href=\"/"), "no root-absolute link: {page}");
    let alias = fixture.read("old/deploy/index.html");
    assert!(alias.contains("url=../../guides/deploy/"), "{alias}");
    let not_found = fixture.read("404.html");
    assert!(not_found.contains("XMLHttpRequest"), "{not_found}");
    assert!(not_found.contains("href=\"./assets/"), "{not_found}");

    // With a base URL the 404 page is root-absolute (no script needed); pages stay relative.
    fixture.edit(
        "handbook.yml",
        "title: Portable\nbase_url: https://example.org/docs/\n",
    );
    fixture.build();
    let not_found = fixture.read("404.html");
    assert!(!not_found.contains("XMLHttpRequest"), "{not_found}");
    assert!(not_found.contains("href=\"/docs/assets/"), "{not_found}");
    let page = fixture.read("guides/deploy/index.html");
    assert!(page.contains("href=\"../../assets/"), "{page}");
    assert!(
        page.contains("<link rel=\"canonical\" href=\"https://example.org/docs/guides/deploy/\">"),
        "what must be absolute stays absolute: {page}"
    );
}

#[test]
fn llms_txt_lists_sections_and_llms_full_txt_holds_every_published_page() {
    let fixture = Fixture::with_files(&[
        (
            "handbook.yml",
            "title: Acme\ndescription: How Acme works.\nexclude: [\"private/**\"]\n",
        ),
        (
            "index.md",
            "# Home\n\nStart with [deploys](guides/deploy.md).\n",
        ),
        ("guides/index.md", "# Guides\n\nAll the guides.\n"),
        (
            "guides/deploy.md",
            "---\ntitle: \"Deploy [fast]\\nnow\"\ndescription: Ship it safely.\n---\n\n\
             Body of the deploy guide. See [[Rollback]] and [the top](#steps).\n\n## Steps\n\nOne.\n",
        ),
        (
            "guides/rollback.md",
            "# Rollback\n\nUndo a deploy. Read [setup][s] and [home](../index.md).\n\n[s]: rollback.md\n",
        ),
        (
            "guides/wip.md",
            "---\ndraft: true\n---\n# Secret plan\n\nNot yet.\n",
        ),
        ("private/salaries.md", "# Salaries\n\nConfidential.\n"),
    ]);
    fixture.build();
    let index = fixture.read("llms.txt");
    assert!(
        index.starts_with("# Acme\n\n> How Acme works.\n"),
        "{index}"
    );
    assert!(index.contains("## Guides\n"), "{index}");
    assert!(
        index.contains("- [Deploy \\[fast\\] now](./guides/deploy/): Ship it safely.\n"),
        "titles stay on one line with brackets escaped: {index}"
    );
    assert!(index.contains("[llms-full.txt](llms-full.txt)"), "{index}");
    let full = fixture.read("llms-full.txt");
    assert!(
        full.contains("# Rollback\n\nURL: ./guides/rollback/\n"),
        "{full}"
    );
    assert!(
        full.contains("See [Rollback](./guides/rollback/) and [the top](./guides/deploy/#steps)."),
        "links point at published pages: {full}"
    );
    assert!(
        full.contains("Start with [deploys](./guides/deploy/)."),
        "{full}"
    );
    assert!(
        full.contains("Read [setup][s] and [home](./).\n\n[s]: ./guides/rollback/"),
        "reference links point at published pages, and inline links after them too: {full}"
    );
    assert_eq!(
        full.matches("# Rollback").count(),
        1,
        "the title once: {full}"
    );
    for secret in ["Secret plan", "Salaries", "Confidential", "Not yet"] {
        assert!(
            !index.contains(secret) && !full.contains(secret),
            "{secret} leaked"
        );
    }

    // With an absolute base URL the links are absolute; a handbook's own llms.txt wins.
    fixture.edit(
        "handbook.yml",
        "title: Acme\nbase_url: https://acme.example/hb/\nexclude: [\"private/**\"]\n",
    );
    fixture.edit("llms.txt", "# Our own\n");
    fixture.build();
    assert_eq!(fixture.read("llms.txt"), "# Our own\n");
    let full = fixture.read("llms-full.txt");
    assert!(
        full.contains("URL: https://acme.example/hb/guides/rollback/"),
        "{full}"
    );
}

#[test]
fn llms_full_txt_is_left_out_past_its_size_limit_and_llms_txt_says_nothing_of_it() {
    // Two pages of 600 KB: 1.2 MB of full text, over a limit of 1 MiB.
    let long = "Words about deploys and rollbacks. ".repeat(17_000);
    let fixture = Fixture::with_files(&[
        ("handbook.yml", "title: Acme\nllms:\n  full_max_mib: 1\n"),
        ("index.md", "# Home\n\nStart here.\n"),
        ("one.md", &format!("# One\n\n{long}\n")),
        ("two.md", &format!("# Two\n\n{long}\n")),
    ]);
    let run = fixture.run(&["build", "-v"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("llms-full.txt left out: the full text is over 1 MiB (`llms.full_max_mib`)"),
        "{}",
        run.stderr
    );
    assert!(!fixture.output().join("llms-full.txt").exists());
    let index = fixture.read("llms.txt");
    assert!(!index.contains("llms-full.txt"), "{index}");
    assert!(
        index.contains("- [One](./one/)") && index.contains("- [Two](./two/)"),
        "{index}"
    );

    // Under the limit it is written again (and an earlier build's copy never lingers).
    fixture.edit("handbook.yml", "title: Acme\nllms:\n  full_max_mib: 2\n");
    fixture.build();
    assert!(fixture.read("llms-full.txt").contains("# Two\n"));
    assert!(
        fixture
            .read("llms.txt")
            .contains("[llms-full.txt](llms-full.txt)")
    );
    fixture.edit("handbook.yml", "title: Acme\nllms:\n  full_max_mib: 0\n");
    fixture.build();
    assert!(!fixture.output().join("llms-full.txt").exists());
}

#[test]
fn a_relative_base_url_is_refused_with_what_to_do_instead() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n")]);
    let run = fixture.run(&["build", "--base-url", "./"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--base-url './' is a relative path"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("leave `base_url` out"),
        "{}",
        run.stderr
    );
    assert!(!fixture.output().exists(), "nothing was written");
    fixture.edit("handbook.yml", "base_url: https://example.org/a/../b/\n");
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("is a relative path"), "{}", run.stderr);
}
