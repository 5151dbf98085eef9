//! Pages in headless Chromium: scripts run without errors, and screenshots at phone and desktop
//! widths, light and dark, land in `target/screenshots/` for people to look at.

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
fn screenshots_at_phone_and_desktop_widths_light_and_dark() {
    let Some(browser) = chromium() else { return };
    let fixture = Fixture::built_example();
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let server = StaticServer::start(&fixture.output());
    let pages = [
        ("home", ""),
        ("guide", "engineering/on-call/"),
        ("decision-log", "decision-log/"),
        (
            "decision-superseded",
            "decisions/0002-single-kubernetes-cluster-in-eu-west-1/",
        ),
        ("decisions-open", "decision-log/open/"),
        ("search", "search/?q=deploy+roll"),
        ("people", "people/"),
        ("team", "teams/platform/"),
        ("digest", "changes/"),
        ("folder-listing", "updates/2026/"),
    ];
    for (name, path) in pages {
        let url = server.url(path);
        for (width, height, size) in [(1366, 900, "desktop"), (390, 844, "phone")] {
            for dark in [false, true] {
                let file = shots.join(format!(
                    "{name}-{size}-{}.png",
                    if dark { "dark" } else { "light" }
                ));
                let mut args = vec![
                    "--virtual-time-budget=5000".to_string(),
                    format!("--window-size={width},{height}"),
                    format!("--screenshot={}", file.display()),
                ];
                if dark {
                    args.push("--force-dark-mode".into());
                    args.push("--blink-settings=preferredColorScheme=0".into());
                }
                args.push(url.clone());
                let run = chromium_run(&browser, &args);
                let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
                assert!(
                    bytes > 10_000,
                    "screenshot {} is empty: {}",
                    file.display(),
                    run.stderr
                );
            }
        }
    }
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
             await new Promise(r => frame.onload = r); await new Promise(r => setTimeout(r, 200)); \
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

/// axe-core's script: `HANDBOOK_AXE`, else where `.ci/run` installs it
/// (`target/axe/node_modules/axe-core/axe.min.js`). `None` after one loud skip line; CI
/// (`HANDBOOK_REQUIRE_BROWSER=1`) fails instead.
fn axe_script() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("HANDBOOK_AXE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/axe/node_modules/axe-core/axe.min.js")
        });
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var("HANDBOOK_REQUIRE_BROWSER").as_deref() != Ok("1"),
        "HANDBOOK_REQUIRE_BROWSER=1 but axe-core is missing at {}",
        path.display()
    );
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED axe test: axe-core not found (npm install --prefix target/axe axe-core@4, as .ci/run does)"
    );
    None
}

/// Runs axe on the page after it loads, light and then dark, and writes the critical and
/// serious violations into `<pre id=out>`.
const AXE_PROBE: &str = r#"<script src="/_axe.js"></script><script>
window.addEventListener("load", async function () {
  await new Promise(r => setTimeout(r, 300));
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
    // Every page type: home, a long docs page, the decision log, a decision, open decisions,
    // updates, an update, a person, a team, what changed, due for review, tags, search results.
    let pages = [
        "",
        "engineering/on-call/",
        "decision-log/",
        "decisions/0003-use-postgresql-for-the-shipment-ledger/",
        "decision-log/open/",
        "updates/",
        "people/lena-hoffmann/",
        "teams/platform/",
        "changes/",
        "due-for-review/",
        "tags/",
        "search/",
    ];
    let update = std::fs::read_dir(site.join("updates/2026"))
        .unwrap()
        .filter_map(|entry| entry.ok())
        .find(|entry| entry.path().join("index.html").is_file())
        .map(|entry| format!("updates/2026/{}/", entry.file_name().to_string_lossy()));
    let mut paths: Vec<String> = pages.iter().map(|p| p.to_string()).collect();
    paths.extend(update);
    paths.push("404.html".into());
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
