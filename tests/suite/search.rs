//! Search: `handbook search` on built handbooks, and the browser client in headless Chromium
//! returning the same results from the static export.

use std::path::Path;

use serde_json::Value;

use crate::harness::{Fixture, StaticServer, chromium, chromium_run};

fn handbook() -> Fixture {
    Fixture::with_files(&[
        ("handbook.yml", "title: Acme\n"),
        (
            "guides/releases.md",
            "---\ntitle: Release guide\ntags: [shipping]\n---\n\nHow we ship.\n\n\
             ## Deployment\n\nEvery deployment goes through the canary first.\n\n\
             ## Rolling back\n\nA rollback takes two minutes. The on call engineer decides.\n",
        ),
        (
            "guides/on-call.md",
            "# On-call\n\nWho is on call this week is in the calendar.\n\n\
             ## Paging\n\nCall the primary, then the secondary.\n",
        ),
        (
            "guides/calls.md",
            "# Calls\n\nWe call on Mondays. A call on Friday is rare.\n",
        ),
        (
            "decisions/0001-canary-deploys.md",
            "---\nstatus: accepted\ndate: 2026-01-10\nteam: platform\nsupersedes: [2]\n---\n\
             # Canary deploys\n\n## Context\n\nDeploys broke production twice.\n\n\
             ## Decision\n\nWe deploy to a canary first.\n",
        ),
        (
            "decisions/0002-big-bang-deploys.md",
            "---\nstatus: superseded\ndate: 2025-01-10\nteam: platform\n---\n\
             # Big-bang deploys\n\n## Decision\n\nWe deploy everything at once.\n",
        ),
        (
            "notes/unsafe.md",
            "---\ntitle: \"Hostile <img src=x onerror=alert(1)> title\"\n---\n\n\
             The zanzibar <b>marker</b> &lt;script&gt;alert(1)&lt;/script&gt; text.\n",
        ),
    ])
}

fn search(fixture: &Fixture, args: &[&str]) -> Value {
    let mut all = vec!["search"];
    all.extend_from_slice(args);
    all.push("--json");
    let run = fixture.run(&all);
    assert_eq!(run.code, 0, "search failed: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// The hits' URLs without the base path `/` (the JSON gives site paths, as the human output).
fn urls(result: &Value) -> Vec<String> {
    result["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| {
            let url = hit["url"].as_str().unwrap();
            assert!(url.starts_with('/'), "{url} is a site path");
            url[1..].to_string()
        })
        .collect()
}

#[test]
fn search_finds_stemmed_words_and_deep_links_to_the_section() {
    let fixture = handbook();
    fixture.build();
    let result = search(&fixture, &["deploying"]);
    let found = urls(&result);
    assert!(
        found.contains(&"guides/releases/#deployment".to_string()),
        "{found:?}"
    );
    assert!(
        found[0].starts_with("decisions/0001-canary-deploys/"),
        "title matches rank first, and accepted above superseded: {found:?}"
    );
    let superseded = found
        .iter()
        .position(|u| u.starts_with("decisions/0002"))
        .expect("superseded record still found");
    assert!(superseded > 0);
    let hit = &result["hits"][0];
    assert_eq!(hit["kind"], "decision");
    assert_eq!(hit["status"], "accepted");
    assert_eq!(hit["team"], "platform");
}

#[test]
fn phrases_prefixes_filters_and_no_results() {
    let fixture = handbook();
    fixture.build();
    let phrase = urls(&search(&fixture, &["\"on call\""]));
    assert!(
        phrase.iter().any(|u| u.starts_with("guides/on-call/")),
        "{phrase:?}"
    );
    assert!(
        phrase.contains(&"guides/releases/#rolling-back".to_string()),
        "{phrase:?}"
    );
    assert!(
        !phrase.iter().any(|u| u.starts_with("guides/calls/")),
        "'call on' is not 'on call': {phrase:?}"
    );
    let prefix = urls(&search(&fixture, &["rollb*"]));
    assert_eq!(prefix, vec!["guides/releases/#rolling-back"]);
    let filtered = urls(&search(&fixture, &["deploy", "--kind", "decision"]));
    assert!(
        filtered.iter().all(|u| u.starts_with("decisions/")),
        "{filtered:?}"
    );
    assert_eq!(filtered.len(), 2);
    let inline = urls(&search(&fixture, &["deploy status:superseded"]));
    // The title holds the word: the page opens at the top.
    assert_eq!(inline, vec!["decisions/0002-big-bang-deploys/"]);
    let none = fixture.run(&["search", "xylophone"]);
    assert_eq!(none.code, 0);
    assert!(none.stdout.is_empty());
    assert!(
        none.stderr.contains("no results for \"xylophone\""),
        "{}",
        none.stderr
    );
}

#[test]
fn terminal_results_show_title_url_and_marked_snippet() {
    let fixture = handbook();
    fixture.build();
    let run = fixture.run(&["search", "canary", "-n", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(" 1. Canary deploys"), "{}", run.stdout);
    assert!(
        run.stdout.contains("/decisions/0001-canary-deploys/"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("[canary]"), "{}", run.stdout);
    assert!(run.stderr.contains("1 of 2 pages"), "{}", run.stderr);
}

#[test]
fn the_index_lives_in_the_cache_folder_and_is_never_trusted_when_stale() {
    let fixture = handbook();
    let before = fixture.run(&["search", "canary"]);
    assert!(
        before.stderr.contains("no up-to-date search index"),
        "{}",
        before.stderr
    );
    assert!(!fixture.output().exists(), "search never writes the output");
    assert!(!fixture.root.join(".handbook").exists(), "nor the cache");
    fixture.build();
    let meta = fixture.root.join(".handbook/search/handbook.json");
    assert!(meta.is_file());
    assert!(
        !fixture.output().join("search/index").exists(),
        "the index is not published"
    );
    let fresh = fixture.run(&["search", "canary"]);
    assert!(!fresh.stderr.contains("no up-to-date"), "{}", fresh.stderr);
    // A checkout that rewrites files without changing them: the index still matches.
    let text = std::fs::read_to_string(fixture.root.join("guides/releases.md")).unwrap();
    fixture.edit("guides/releases.md", &text);
    let touched = fixture.run(&["search", "canary"]);
    assert!(
        !touched.stderr.contains("no up-to-date"),
        "{}",
        touched.stderr
    );
    fixture.edit("guides/new.md", "# Walrus\n\nThe walrus page.\n");
    let stale = fixture.run(&["search", "walrus", "--json"]);
    assert!(
        stale.stderr.contains("no up-to-date search index"),
        "{}",
        stale.stderr
    );
    let result: Value = serde_json::from_str(&stale.stdout).unwrap();
    assert_eq!(urls(&result), vec!["guides/new/"]);
    // The next build brings the cache up to date.
    fixture.build();
    let again = fixture.run(&["search", "walrus"]);
    assert!(!again.stderr.contains("no up-to-date"), "{}", again.stderr);
}

#[test]
fn a_no_change_rebuild_keeps_the_index() {
    let fixture = handbook();
    fixture.build();
    let meta = fixture.root.join(".handbook/search/handbook.json");
    let first = std::fs::read(&meta).unwrap();
    let second_run = fixture.build();
    assert_eq!(std::fs::read(&meta).unwrap(), first);
    assert!(
        second_run.stderr.contains("0 written"),
        "{}",
        second_run.stderr
    );
}

#[test]
fn the_cache_folder_is_never_written_through_a_symlink() {
    let fixture = handbook();
    let outside = fixture.parent().join("elsewhere");
    std::fs::create_dir_all(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, fixture.root.join(".handbook")).unwrap();
    let run = fixture.build();
    assert!(
        run.stderr.contains("could not save the search index"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
    // Search still works, from the sources.
    let result = search(&fixture, &["canary"]);
    assert!(!urls(&result).is_empty());
}

#[test]
fn snippets_are_plain_text() {
    let fixture = handbook();
    fixture.build();
    let result = search(&fixture, &["zanzibar"]);
    let hit = &result["hits"][0];
    assert_eq!(hit["title"], "Hostile <img src=x onerror=alert(1)> title");
    let snippet = hit["snippet"].as_str().unwrap();
    assert!(snippet.contains("zanzibar"), "{snippet}");
    assert!(
        !snippet.contains("<b>"),
        "tags are not snippet markup: {snippet}"
    );
}

// ---- the browser client ----

/// Writes a page into the built site that runs `script` (with `handbookSearch` loaded from the
/// theme's assets) and puts its string result into `<pre id=out>`.
pub fn harness_page(output: &Path, name: &str, script: &str) {
    let asset = std::fs::read_dir(output.join("assets"))
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| e.file_name() == "search-engine.js");
    assert!(asset, "the build publishes assets/search-engine.js");
    std::fs::write(
        output.join(name),
        format!(
            "<!DOCTYPE html><html><head><meta charset=utf-8></head><body><pre id=out>pending</pre>\
             <script src=\"assets/search-engine.js\"></script><script>\
             function done(v){{document.getElementById('out').textContent=JSON.stringify(v);}}\
             (async function(){{try{{done(await (async function(){{ {script} }})());}}\
             catch(e){{done({{error:String(e)}});}}}})();</script></body></html>"
        ),
    )
    .unwrap();
}

pub fn run_in_chromium(browser: &Path, url: &str) -> Value {
    crate::harness::dumped_report(
        browser,
        &[
            "--virtual-time-budget=20000".into(),
            "--allow-file-access-from-files".into(),
        ],
        url,
    )
}

const PARITY_QUERIES: [&str; 12] = [
    "deploy",
    "deploying",
    "on-call rotation",
    "\"on call\"",
    "postgres*",
    "incident review",
    "kind:decision",
    "status:accepted deploy",
    "kind:page the",
    "the team",
    "handbook",
    "zzzzunknown",
];

/// Runs `queries` through the browser client (in Chromium, on the built site) and the terminal,
/// and describes every difference in the top ten: empty when they agree. Impacts are rounded to
/// 1/100 per word in the export, so scores may differ by that and near-ties may swap places.
pub fn compare_with_browser(browser: &Path, fixture: &Fixture, queries: &[String]) -> String {
    let list = serde_json::to_string(queries).unwrap();
    harness_page(
        &fixture.output(),
        "_parity.html",
        &format!(
            "var out = {{}}; for (const q of {list}) {{ const r = await handbookSearch.search(q, {{limit: 10}}); \
             out[q] = {{total: r.total, complete: r.complete, hits: r.hits.map(h => [h.url, h.score])}}; }} return out;"
        ),
    );
    let server = StaticServer::start(&fixture.output());
    let browser_results = run_in_chromium(browser, &server.url("_parity.html"));
    let mut problems = Vec::new();
    for query in queries {
        let terminal = search(fixture, &[query, "-n", "10"]);
        let cli: Vec<(String, f64)> = terminal["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["url"].as_str().unwrap().trim_start_matches('/').into(),
                    h["score"].as_f64().unwrap(),
                )
            })
            .collect();
        let Some(hits) = browser_results[query.as_str()]["hits"].as_array() else {
            problems.push(format!(
                "{query}: the browser said {}",
                browser_results[query.as_str()]
            ));
            continue;
        };
        let js: Vec<(String, f64)> = hits
            .iter()
            .map(|h| (h[0].as_str().unwrap().into(), h[1].as_f64().unwrap()))
            .collect();
        if cli.len() != js.len() {
            problems.push(format!("{query}: {cli:?} vs {js:?}"));
            continue;
        }
        let page = |url: &str| url.split('#').next().unwrap_or("").to_string();
        for (rank, (a, b)) in cli.iter().zip(&js).enumerate() {
            // Accepted differences, all within rounding: the same page deep-linked to another
            // of its sections, two results swapping places, or a different result at the
            // cut-off when the tenth and eleventh tie.
            let near_tie = page(&a.0) == page(&b.0)
                || match cli.iter().find(|c| page(&c.0) == page(&b.0)) {
                    Some(other) => (other.1 - a.1).abs() < 0.05,
                    None => cli.len() == 10 && (cli[9].1 - b.1).abs() < 0.05,
                };
            if (a.1 - b.1).abs() >= 0.05 || !near_tie {
                problems.push(format!(
                    "{query} #{rank}: {a:?} vs {b:?}\n  terminal {cli:?}\n  browser  {js:?}"
                ));
            }
        }
        if browser_results[query.as_str()]["complete"] == true
            && browser_results[query.as_str()]["total"].as_u64() != terminal["total"].as_u64()
        {
            problems.push(format!(
                "{query}: total {} vs {}",
                browser_results[query.as_str()]["total"],
                terminal["total"]
            ));
        }
    }
    problems.join("\n")
}

#[test]
fn browser_and_terminal_rank_the_same_top_ten() {
    let Some(browser) = chromium() else { return };
    let fixture = Fixture::built_example();
    assert!(
        fixture.output().join("search/t").is_dir(),
        "the example handbook is large enough to be sharded"
    );
    let queries: Vec<String> = PARITY_QUERIES.iter().map(|q| q.to_string()).collect();
    let report = compare_with_browser(&browser, &fixture, &queries);
    assert!(report.is_empty(), "{report}");
    let deploying = search(&fixture, &["deploying", "-n", "10"]);
    assert!(
        !deploying["hits"].as_array().unwrap().is_empty(),
        "stemming works (the browser matched the terminal above)"
    );
}

/// A handbook whose common words run past every tier of the export (128, then 1,024 more, then
/// 4,096 more sections) and whose prefix expansions (`kubernetes`, `kubectl` for `kube`)
/// hold more than a head's 128 sections, with scores spread by repetition and section length.
fn deep_tiers() -> Fixture {
    let fixture =
        Fixture::with_files(&[("handbook.yml", "title: Deep\n"), ("index.md", "# Home\n")]);
    let fillers = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
    ];
    for page in 0..340usize {
        if page % 10 == 5 {
            // Team pages where `kubernetes` is weak (one in a long section) and `kube` absent:
            // they sit in the expansion's deeper tiers for `kube`.
            let filler: Vec<&str> = (0..60).map(|i| fillers[i % fillers.len()]).collect();
            let text = format!(
                "---\ntitle: Core {page}\nteam: core\n---\n\n## Notes\n\n{} kubernetes {}.\n",
                filler.join(" "),
                filler.join(" ")
            );
            fixture.edit(&format!("docs/p{page:03}.md"), &text);
            continue;
        }
        let mut text = format!("# Page {page}\n\n");
        for section in 0..4usize {
            let n = page * 4 + section;
            text.push_str(&format!("## Part {section} of {page}\n\n"));
            let mut words: Vec<&str> = vec!["kube"; 1 + n * 7 % 5];
            if n % 2 == 0 {
                words.extend(std::iter::repeat_n("kubernetes", 1 + n % 3));
            }
            if n % 5 < 2 {
                words.push("kubectl");
            }
            if n % 3 == 0 {
                words.extend(std::iter::repeat_n("rollback", 1 + n % 4));
            }
            if n % 11 == 0 {
                words.push("canary");
            }
            words.extend((0..n * 13 % 40).map(|i| fillers[(i + n) % fillers.len()]));
            // Hundreds of words under one prefix split its shard key: `kub*` then reads the
            // prefix's completions from the shard that hosts them.
            let numbered = format!("kube{}", n % 400);
            words.push(&numbered);
            text.push_str(&words.join(" "));
            text.push_str(".\n\n");
        }
        fixture.edit(&format!("docs/p{page:03}.md"), &text);
    }
    fixture
}

#[test]
fn deep_tiers_and_prefix_expansions_rank_the_same_in_the_browser_and_the_terminal() {
    let Some(browser) = chromium() else { return };
    let fixture = deep_tiers();
    fixture.build();
    // The export holds tier packs past the first (else this test would not reach them).
    let packs: Vec<String> = std::fs::read_dir(fixture.output().join("search/t"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".2.js") || name.ends_with(".3.js"))
        .collect();
    assert!(!packs.is_empty(), "no deeper tier packs were exported");
    let manifest = fixture.read("search/manifest.js");
    assert!(
        manifest.contains("\"kube") || manifest.contains(" kube"),
        "`kub` was split into longer keys: {manifest}"
    );
    let queries: Vec<String> = [
        "kube",
        "kube rollback",
        "rollback kube canary",
        "+canary kube",
        "kub*",
        "kube*",
        "kubernetes",
        "\"kube rollback\"",
        "alpha kube",
        "team:core kube",
        "team:core kubernetes",
    ]
    .iter()
    .map(|q| q.to_string())
    .collect();
    let report = compare_with_browser(&browser, &fixture, &queries);
    assert!(report.is_empty(), "{report}");
    // While the handbook has the word itself, an expansion adds score but does not cover it:
    // `kube` does not find the team's pages, whose only match is `kubernetes`.
    assert_eq!(search(&fixture, &["team:core kube"])["total"], 0);
    assert_eq!(search(&fixture, &["team:core kubernetes"])["total"], 34);
}

#[test]
fn browser_snippets_are_windows_around_a_matched_word_or_nothing() {
    let Some(browser) = chromium() else { return };
    let fixture = handbook();
    let lead = "Words that set the scene before anything of interest happens in this text, \
                and then a few more words";
    fixture.edit(
        "notes/window.md",
        &format!("# Window\n\n{lead}, then the quetzal appears, and more words follow it here.\n"),
    );
    fixture.edit(
        "notes/deep.md",
        &format!(
            "# Deep\n\n{}the axolotl is here.\n",
            "Filler words at length. ".repeat(12)
        ),
    );
    fixture.build();
    harness_page(
        &fixture.output(),
        "_snippet.html",
        "const out = {}; for (const q of ['quetzal', 'axolotl']) { \
         const r = await handbookSearch.search(q, {limit: 10}); \
         out[q] = r.hits.map(h => handbookSearch.snippet(h, r)); } return out;",
    );
    let server = StaticServer::start(&fixture.output());
    let result = run_in_chromium(&browser, &server.url("_snippet.html"));
    let window = result["quetzal"][0].as_str().unwrap_or_default();
    assert!(window.starts_with('…'), "cut before the match: {result}");
    assert!(window.contains("quetzal"), "{result}");
    assert!(!window.contains("Words that set"), "{result}");
    // The match is past the stored opening of its section: no snippet without the word.
    assert_eq!(result["axolotl"][0], "", "{result}");
}

#[test]
fn typing_in_the_header_box_shows_results_and_enter_opens_the_first() {
    let Some(browser) = chromium() else { return };
    let fixture = handbook();
    fixture.build();
    harness_page(
        &fixture.output(),
        "_type.html",
        "const frame = document.createElement('iframe'); frame.src = 'guides/calls/'; \
         document.body.appendChild(frame); await new Promise(r => frame.onload = r); \
         const doc = frame.contentDocument; const input = doc.querySelector('form.site-search input'); \
         doc.dispatchEvent(new frame.contentWindow.KeyboardEvent('keydown', {key: '/', bubbles: true})); \
         const focused = doc.activeElement === input; \
         input.value = 'zanzib'; input.dispatchEvent(new Event('input', {bubbles: true})); \
         for (let i = 0; i < 100 && !doc.querySelector('.search-list a'); i++) await new Promise(r => setTimeout(r, 50)); \
         const items = [...doc.querySelectorAll('.search-list li')]; \
         const panel = doc.querySelector('.search-panel'); \
         const injected = doc.querySelectorAll('.search-list img, .search-list b').length; \
         const title = items.length ? items[0].querySelector('.search-hit-title').textContent : ''; \
         const marks = [...doc.querySelectorAll('.search-list mark')].map(m => m.textContent); \
         input.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowDown', bubbles: true})); \
         const selected = doc.querySelectorAll('.search-list [role=option][aria-selected=true]').length; \
         const next = new Promise(r => frame.onload = r); \
         input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true})); \
         await next; \
         return {focused, count: items.length, open: !panel.hidden, injected, title, marks, selected, \
                 landed: frame.contentWindow.location.pathname + frame.contentWindow.location.search, \
                 highlighted: [...frame.contentDocument.querySelectorAll('main mark')].map(m => m.textContent)};",
    );
    let server = StaticServer::start(&fixture.output());
    let result = run_in_chromium(&browser, &server.url("_type.html"));
    assert_eq!(result["focused"], true, "'/' focuses the box: {result}");
    assert_eq!(result["count"], 1, "{result}");
    assert_eq!(result["open"], true);
    assert_eq!(
        result["injected"], 0,
        "content never becomes markup: {result}"
    );
    assert_eq!(
        result["title"], "Hostile <img src=x onerror=alert(1)> title",
        "{result}"
    );
    assert_eq!(
        result["marks"][0], "zanzibar",
        "type-ahead matches the prefix: {result}"
    );
    assert_eq!(result["selected"], 1);
    assert_eq!(result["landed"], "/notes/unsafe/?hl=zanzib", "{result}");
    assert_eq!(result["highlighted"][0], "zanzibar", "{result}");
}

#[test]
fn small_sites_get_one_bundle_that_also_loads_from_file_urls() {
    let Some(browser) = chromium() else { return };
    let fixture = handbook();
    fixture.build();
    let search_dir = fixture.output().join("search");
    assert!(search_dir.join("bundle.js").is_file());
    assert!(
        !search_dir.join("t").exists(),
        "no shards beside the bundle"
    );
    harness_page(
        &fixture.output(),
        "_file.html",
        "const r = await handbookSearch.search('rollback'); return r.hits.map(h => h.url);",
    );
    let url = format!("file://{}", fixture.output().join("_file.html").display());
    let result = run_in_chromium(&browser, &url);
    assert_eq!(result, serde_json::json!(["guides/releases/#rolling-back"]));
}

#[test]
fn the_search_page_works_under_a_base_path() {
    let Some(browser) = chromium() else { return };
    let fixture = handbook();
    let out = fixture.parent().join("www/docs");
    let run = fixture.run(&["build", "--base-url", "/docs/", "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let server = StaticServer::start(&fixture.parent().join("www"));
    let run = chromium_run(
        &browser,
        &[
            "--virtual-time-budget=20000".into(),
            "--dump-dom".into(),
            server.url("docs/search/?q=deploy+kind%3Adecision"),
        ],
    );
    let dom = scraper::Html::parse_document(&run.stdout);
    let links: Vec<String> = dom
        .select(&scraper::Selector::parse(".search-page .search-list a.search-hit").unwrap())
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert_eq!(links.len(), 2, "{}", run.stdout);
    assert!(
        links[0].contains("/docs/decisions/0001-canary-deploys/?hl=deploy"),
        "{links:?}"
    );
    let status: String = dom
        .select(&scraper::Selector::parse(".search-page .search-status").unwrap())
        .flat_map(|e| e.text())
        .collect();
    assert!(status.contains("2 results"), "{status}");
}

#[test]
fn search_can_be_turned_off() {
    let fixture = handbook();
    fixture.edit("handbook.yml", "title: Acme\nsearch:\n  enabled: false\n");
    fixture.build();
    assert!(!fixture.output().join("search").exists());
    let page = fixture.html("guides/calls/");
    assert_eq!(page.count("form.site-search"), 0);
    assert!(
        !fixture
            .read("guides/calls/index.html")
            .contains("search.js")
    );
}

#[test]
fn result_links_stay_inside_the_site_whatever_the_search_data_says() {
    let Some(browser) = chromium() else { return };
    // Names that read like a scheme are never published (`file-name`); should one reach the
    // search data anyway, the client still resolves it below the site root, never as
    // `javascript:` (pressing Enter on the result would run it).
    let fixture = Fixture::with_files(&[
        ("handbook.yml", "markdown:\n  raw_html: false\n"),
        ("index.md", "# Home\n"),
        ("quokka.md", "# Quokka\n\nquokka facts\n"),
        ("javascript:alert(1).md", "# Quokka two\n\nquokka data\n"),
    ]);
    let run = fixture.build();
    assert!(
        run.stderr
            .contains("javascript:alert(1).md: warning[file-name]"),
        "{}",
        run.stderr
    );
    let bundle = fixture.output().join("search/bundle.js");
    let data = std::fs::read_to_string(&bundle).unwrap();
    assert!(
        data.contains("\"quokka/\""),
        "the test rewrites the page's URL"
    );
    std::fs::write(
        &bundle,
        data.replace("\"quokka/\"", "\"javascript:alert(document.domain)//\""),
    )
    .unwrap();
    harness_page(
        &fixture.output(),
        "_scheme.html",
        "const frame = document.createElement('iframe'); frame.src = './'; \
         document.body.appendChild(frame); await new Promise(r => frame.onload = r); \
         const doc = frame.contentDocument; const input = doc.querySelector('form.site-search input'); \
         input.value = 'quokka'; input.dispatchEvent(new Event('input', {bubbles: true})); \
         for (let i = 0; i < 100 && !doc.querySelector('.search-list a'); i++) await new Promise(r => setTimeout(r, 50)); \
         return [...doc.querySelectorAll('.search-list a')].map(a => a.href);",
    );
    let server = StaticServer::start(&fixture.output());
    let result = run_in_chromium(&browser, &server.url("_scheme.html"));
    let hrefs: Vec<&str> = result
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|href| href.as_str())
        .collect();
    assert_eq!(hrefs.len(), 1, "{result}");
    let root = server.url("");
    assert!(
        hrefs[0].starts_with(&root),
        "{} is not below {root}",
        hrefs[0]
    );
}

/// A CI build starts from a fresh checkout (every file time new) with the cache folder
/// `.handbook/` restored from an earlier build and an empty output folder. Its output must be
/// the cold build's, byte for byte, whether nothing or one page changed since.
#[test]
fn a_ci_build_with_a_restored_cache_folder_equals_a_cold_build() {
    let earlier = Fixture::built_example();
    let cache = earlier.root.join(".handbook");
    assert!(cache.join("search").is_dir(), "the build saved its index");
    let page = "engineering/on-call.md";
    let source = std::fs::read_to_string(earlier.root.join(page)).unwrap();
    // A new code block too: the others come from the restored highlight cache.
    let edited = format!(
        "{source}\nA new paragraph about quokka pagers.\n\n```rust\nfn quokka() -> u32 {{ 7 }}\n```\n"
    );
    for change in [None, Some(edited.as_str())] {
        let warm = Fixture::example();
        crate::harness::copy_tree(&cache, &warm.root.join(".handbook"));
        let cold = Fixture::example();
        if let Some(text) = change {
            warm.edit(page, text);
            cold.edit(page, text);
        }
        let run = warm.run(&["build", "--verbose"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        if change.is_none() {
            assert!(
                run.stderr.contains("(Fresh)"),
                "the restored index is used: {}",
                run.stderr
            );
        }
        let highlighted = if change.is_none() { 0 } else { 1 };
        assert!(
            run.stderr
                .contains(&format!("code blocks: {highlighted} highlighted, ")),
            "only new code blocks are highlighted: {}",
            run.stderr
        );
        cold.build();
        let (warm_files, cold_files) = (
            crate::harness::snapshot(&warm.output()),
            crate::harness::snapshot(&cold.output()),
        );
        assert_eq!(
            warm_files.keys().collect::<Vec<_>>(),
            cold_files.keys().collect::<Vec<_>>(),
            "the same files ({change:?})"
        );
        for (path, bytes) in &warm_files {
            assert!(
                *bytes == cold_files[path],
                "{path} differs from a cold build ({change:?})"
            );
        }
        if change.is_some() {
            let manifest = String::from_utf8_lossy(&warm_files["search/manifest.js"]).into_owned();
            assert!(
                warm_files
                    .iter()
                    .any(|(path, bytes)| path.starts_with("search/")
                        && String::from_utf8_lossy(bytes).contains("quokka")),
                "the new word is searchable: {manifest}"
            );
        }
    }
}
