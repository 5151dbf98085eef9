//! Pages in headless Chromium: scripts run without errors, every page type lays out and reads well
//! at phone and desktop sizes (full-page screenshots land in `target/screenshots/full/` for people
//! to look at), and axe-core finds no critical or serious violation.

use std::path::Path;

use crate::harness::{Fixture, StaticServer, chromium, chromium_run};

#[test]
fn theme_scripts_run_in_chromium_and_reveal_the_toggles() {
    let Some(browser) = chromium() else { return };
    let fixture = Fixture::built_example();
    let server = StaticServer::start(&fixture.output());
    let run = chromium_run(
        &browser,
        &["--dump-dom".into(), server.url("communication/")],
    );
    let dom = scraper::Html::parse_document(&run.stdout);
    let toggle = scraper::Selector::parse("button.theme-toggle").unwrap();
    let button = dom.select(&toggle).next().expect("theme toggle in the DOM");
    assert!(
        button.value().attr("hidden").is_none(),
        "theme.js ran and showed the toggle:\n{}",
        run.stderr
    );
}

#[test]
fn people_pages_show_each_persons_local_time_now_in_chromium() {
    let Some(browser) = chromium() else { return };
    let fixture = Fixture::built_example();
    let server = StaticServer::start(&fixture.output());
    let run = chromium_run(&browser, &["--dump-dom".into(), server.url("people/")]);
    let dom = scraper::Html::parse_document(&run.stdout);
    let clocks = scraper::Selector::parse(".directory .local-time").unwrap();
    let texts: Vec<String> = dom.select(&clocks).map(|e| e.text().collect()).collect();
    assert_eq!(texts.len(), 11, "{}", run.stderr);
    for text in &texts {
        // "Mon 13:32 · working" or "Tue 00:02 · off hours": the script replaced the offset.
        let (day, rest) = text.split_once(' ').unwrap_or_default();
        assert!(
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].contains(&day)
                && rest.len() >= 5
                && rest.as_bytes()[2] == b':'
                && (rest.ends_with(" · working") || rest.ends_with(" · off hours")),
            "{text:?}"
        );
    }
    let now = scraper::Selector::parse(".directory .timeline .timeline-now").unwrap();
    assert_eq!(
        dom.select(&now).count(),
        11,
        "a line for now on every timeline"
    );
}

#[test]
fn a_page_opens_at_the_top_with_its_sidebar_entry_in_view() {
    let Some(browser) = chromium() else { return };
    let fixture = Fixture::built_example();
    // The last update of a long folder: its sidebar entry is far down the sidebar.
    let page = "updates/2026/2026-11-12-platform-weekly/";
    crate::search::harness_page(
        &fixture.output(),
        "_scroll.html",
        &format!(
            "const frame = document.createElement('iframe'); frame.style.width = '1280px'; \
             frame.style.height = '700px'; frame.src = '{page}'; document.body.appendChild(frame); \
             await new Promise(r => frame.onload = r); \
             const doc = frame.contentDocument; const sidebar = doc.querySelector('#sidebar'); \
             const current = sidebar.querySelector('[aria-current=page]'); \
             const box = sidebar.getBoundingClientRect(), item = current.getBoundingClientRect(); \
             return {{windowY: frame.contentWindow.scrollY, scrolls: sidebar.scrollHeight > sidebar.clientHeight, \
                      inView: item.top >= box.top && item.bottom <= box.bottom}};"
        ),
    );
    let server = StaticServer::start(&fixture.output());
    let result = crate::search::run_in_chromium(&browser, &server.url("_scroll.html"));
    assert_eq!(
        result["windowY"], 0,
        "the page opens at its title: {result}"
    );
    assert_eq!(
        result["scrolls"], true,
        "the sidebar is long enough to test: {result}"
    );
    assert_eq!(result["inView"], true, "{result}");
}

#[test]
fn the_decision_log_timeline_takes_its_room_and_the_footer_stays_below_it() {
    let Some(browser) = chromium() else { return };
    let fixture = Fixture::built_example();
    crate::search::harness_page(
        &fixture.output(),
        "_timeline.html",
        "const frame = document.createElement('iframe'); frame.style.width = '1280px'; \
         frame.style.height = '900px'; frame.src = 'decision-log/'; document.body.appendChild(frame); \
         await new Promise(r => frame.onload = r); \
         const doc = frame.contentDocument; const timeline = doc.querySelector('.log-timeline'); \
         const last = [...timeline.querySelectorAll('li')].pop(); \
         const footer = doc.querySelector('footer'); \
         const y = el => el.getBoundingClientRect(); \
         return {height: y(timeline).height, entries: timeline.querySelectorAll('li').length, \
                 lastBottom: y(last).bottom, footerTop: y(footer).top};",
    );
    let server = StaticServer::start(&fixture.output());
    let result = crate::search::run_in_chromium(&browser, &server.url("_timeline.html"));
    let entries = result["entries"]
        .as_f64()
        .unwrap_or_else(|| panic!("{result}"));
    assert!(entries >= 10.0, "{result}");
    assert!(
        result["height"].as_f64().unwrap() > entries * 15.0,
        "the timeline holds its entries: {result}"
    );
    assert!(
        result["footerTop"].as_f64().unwrap() >= result["lastBottom"].as_f64().unwrap(),
        "the footer is below the last entry: {result}"
    );
}

/// Every page type of the built example, named: home, a long docs page, the decision log, a
/// decision, open decisions, updates, an update, a person, a team, what changed, due for review,
/// tags, search results and the 404 page.
fn page_types(site: &Path) -> Vec<(&'static str, String)> {
    let mut pages: Vec<(&'static str, String)> = [
        ("home", ""),
        ("guide", "engineering/on-call/"),
        ("decision-log", "decision-log/"),
        (
            "decision",
            "decisions/0003-use-postgresql-for-the-shipment-ledger/",
        ),
        ("decisions-open", "decision-log/open/"),
        ("updates", "updates/"),
        ("person", "people/lena-hoffmann/"),
        ("team", "teams/platform/"),
        ("changes", "changes/"),
        ("due-for-review", "due-for-review/"),
        ("tags", "tags/"),
        ("search", "search/"),
    ]
    .into_iter()
    .map(|(name, path)| (name, path.to_string()))
    .collect();
    let update = std::fs::read_dir(site.join("updates/2026"))
        .unwrap()
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().join("index.html").is_file())
        .map(|entry| format!("updates/2026/{}/", entry.file_name().to_string_lossy()))
        .min()
        .expect("an update in the example");
    pages.push(("update", update));
    pages.push(("404", "404.html".to_string()));
    pages
}

#[test]
fn every_page_type_reads_well_at_phone_and_desktop_sizes_light_and_dark() {
    let Some(browser) = chromium() else { return };
    let Some(modules) = node_module("playwright-core") else {
        return;
    };
    let fixture = Fixture::built_example();
    let site = fixture.output();
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots/full");
    std::fs::create_dir_all(&shots).unwrap();
    let pages: Vec<(&str, String)> = page_types(&site)
        .into_iter()
        .map(|(name, path)| {
            let query = if name == "search" { "?q=deploy" } else { "" };
            (name, format!("{path}{query}"))
        })
        .collect();
    let server = StaticServer::start(&site);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/reader.mjs");
    let run = std::process::Command::new("node")
        .arg(&script)
        .arg(server.url(""))
        .arg(&shots)
        .arg(serde_json::to_string(&pages).unwrap())
        .env("HANDBOOK_NODE_MODULES", &modules)
        .env("CHROMIUM", &browser)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|error| {
        panic!(
            "{error}: reader.mjs said {stdout}\n{}",
            String::from_utf8_lossy(&run.stderr)
        )
    });
    let problems: Vec<&str> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Every check ran: each page at both sizes in both themes, the drawer on every phone page,
    // search on both phone themes, and the desktop reading aids.
    let n = pages.len() as u64;
    assert_eq!(report["visited"], n * 4, "{report}");
    assert_eq!(report["drawers"], n * 2, "{report}");
    assert_eq!(report["searches"], 2, "{report}");
    for check in ["copied", "followed", "folded", "icons"] {
        assert_eq!(report[check], 1, "{check}: {report}");
    }
    for shot in report["shots"].as_array().unwrap() {
        let file = shot.as_str().unwrap();
        let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        assert!(bytes > 10_000, "full-page screenshot {file} is empty");
    }
}

/// axe-core's script: `HANDBOOK_AXE`, else where `.ci/run` installs it
/// (`target/axe/node_modules/axe-core/axe.min.js`). `None` after one loud skip line; CI
/// (`HANDBOOK_REQUIRE_BROWSER=1`) fails instead.
fn axe_script() -> Option<std::path::PathBuf> {
    if let Some(path) = std::env::var_os("HANDBOOK_AXE") {
        return Some(path.into());
    }
    node_module("axe-core").map(|dir| dir.join("axe-core/axe.min.js"))
}

/// The `node_modules` folder holding npm package `name`, where `.ci/run` installs the browser
/// test tools (`target/axe/node_modules`). `None` after one loud skip line; CI
/// (`HANDBOOK_REQUIRE_BROWSER=1`) fails instead.
fn node_module(name: &str) -> Option<std::path::PathBuf> {
    let modules = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/axe/node_modules");
    let found = modules.join(name).join("package.json").is_file()
        && std::process::Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|out| out.status.success());
    if found {
        return Some(modules);
    }
    assert!(
        std::env::var("HANDBOOK_REQUIRE_BROWSER").as_deref() != Ok("1"),
        "HANDBOOK_REQUIRE_BROWSER=1 but {name} or node is missing in {}",
        modules.display()
    );
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED browser test: {name} not found (npm install --prefix target/axe {name}, as .ci/run does)"
    );
    None
}

/// Runs axe on the page after it loads, light and then dark, and writes the critical and
/// serious violations into `<pre id=out>`.
const AXE_PROBE: &str = r#"<script src="/_axe.js"></script><script>
window.addEventListener("load", async function () {
  // The page's deferred scripts ran before `load`; its fonts are what remains to settle.
  await document.fonts.ready;
  // `?box`: type into the header's search box and select a result, so axe sees the open popup.
  const box = document.querySelector("form.site-search input");
  if (location.search.includes("box") && box) {
    box.value = "deploy";
    box.dispatchEvent(new Event("input", {bubbles: true}));
    for (let i = 0; i < 60 && !document.querySelector(".search-list li"); i++) {
      await new Promise(r => setTimeout(r, 50));
    }
    box.dispatchEvent(new KeyboardEvent("keydown", {key: "ArrowDown", bubbles: true}));
  }
  for (let i = 0; i < 60 && location.search.includes("q=") && !document.querySelector(".search-list li"); i++) {
    await new Promise(r => setTimeout(r, 50));
  }
  const shown = document.querySelectorAll(".search-list li").length;
  const selected = document.querySelectorAll(".search-list [role=option][aria-selected=true]").length;
  const found = [];
  for (const theme of ["light", "dark"]) {
    document.documentElement.dataset.theme = theme;
    const result = await axe.run(document, {resultTypes: ["violations"]});
    for (const v of result.violations) {
      if (v.impact === "critical" || v.impact === "serious") {
        found.push(theme + " " + v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
      }
    }
  }
  const out = document.createElement("pre");
  out.id = "out";
  out.textContent = JSON.stringify({found, shown, selected});
  document.body.appendChild(out);
});
</script>"#;

#[test]
fn every_page_type_has_no_critical_or_serious_axe_violation_at_phone_and_desktop_sizes() {
    let Some(browser) = chromium() else { return };
    let Some(axe) = axe_script() else { return };
    let fixture = Fixture::built_example();
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    crate::harness::copy_tree(&fixture.output(), &site);
    std::fs::copy(&axe, site.join("_axe.js")).unwrap();
    let paths: Vec<String> = page_types(&site)
        .into_iter()
        .map(|(_, path)| path)
        .collect();
    for path in &paths {
        let file = if path.ends_with(".html") {
            site.join(path)
        } else {
            site.join(path).join("index.html")
        };
        let html = std::fs::read_to_string(&file).unwrap();
        std::fs::write(
            &file,
            html.replacen("</body>", &format!("{AXE_PROBE}</body>"), 1),
        )
        .unwrap();
    }
    let server = StaticServer::start(&site);
    let mut problems = Vec::new();
    for (width, height) in [(1366, 900), (390, 844)] {
        for path in &paths {
            let query = match path.as_str() {
                "search/" => "?q=deploy",
                // The home page with the header box open on results.
                "" => "?box",
                _ => "",
            };
            let report = crate::harness::dumped_report(
                &browser,
                &[
                    format!("--window-size={width},{height}"),
                    "--virtual-time-budget=15000".into(),
                ],
                &server.url(&format!("{path}{query}")),
            );
            if !query.is_empty() {
                // The results axe looked at were there (and one was selected in the popup).
                assert!(
                    report["shown"].as_u64() > Some(0),
                    "/{path}{query}: {report}"
                );
                if query.contains("box") {
                    assert_eq!(report["selected"], 1, "/{path}{query}: {report}");
                }
            }
            for violation in report["found"].as_array().unwrap() {
                problems.push(format!("/{path}{query} at {width}px: {violation}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
