//! `handbook check`: every kind of defect with its code and position in each format, strict
//! mode, wikilinks and backlinks, the JSON export, and `--external` against a local server.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::harness::Fixture;

/// Every finding of the `defects` fixture in strict mode, as `location severity[code]`.
const DEFECTS: [&str; 11] = [
    "decisions/0001-use-x.md:2:1 error[decision-status]",
    "docs/b.md:1 warning[duplicate-title]",
    "docs/setup.md:3:1 warning[unknown-key]",
    "docs/typed.md:3:9 error[front-matter]",
    "index.md:7:1 warning[broken-link]",
    "index.md:7:26 warning[broken-anchor]",
    "index.md:7:59 warning[missing-image]",
    "index.md:8:1 warning[draft-link]",
    "index.md:8:28 warning[broken-link]",
    "index.md:8:58 warning[ambiguous-link]",
    "policies/leave.md:1 error[missing-field]",
];

fn finding_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|line| !line.starts_with("  help") && !line.starts_with("checked "))
        .map(|line| {
            let (location, rest) = line.split_once(": ").unwrap();
            let (kind, _) = rest.split_once(": ").unwrap();
            format!("{location} {kind}")
        })
        .collect()
}

#[test]
fn check_reports_every_defect_with_code_and_location() {
    let fixture = Fixture::new("defects");
    let run = fixture.run(&["check", "--strict"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(finding_lines(&run.stderr), DEFECTS);
    assert!(
        run.stderr
            .contains("index.md:8:58: warning[ambiguous-link]: [[Dup]] could mean 'docs/a.md', 'docs/b.md'; linked to 'docs/a.md', the nearest\n  help: name the page by its path to choose, like [[docs/a|Dup]]"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(
        "docs/setup.md:3:1: warning[unknown-key]: unknown front-matter key `tittle`\n  help: did you mean `title`?"
    ));
    assert!(run.stderr.contains(
        "policies/leave.md:1: error[missing-field]: `owner` is required for pages under policies/"
    ));
    assert!(
        run.stderr
            .contains("\nchecked 8 pages, 3 errors, 8 warnings in "),
        "{}",
        run.stderr
    );
    assert!(!fixture.output().exists(), "check writes nothing");
}

#[test]
fn unknown_keys_are_reported_only_in_strict_mode_and_strict_fails_on_warnings() {
    let fixture = Fixture::new("defects");
    let run = fixture.run(&["check"]);
    assert!(!run.stderr.contains("unknown-key"), "{}", run.stderr);
    assert!(
        run.stderr.contains("2 errors, 8 warnings"),
        "{}",
        run.stderr
    );

    let clean = Fixture::with_files(&[
        ("index.md", "# Home\n\nSee [[Only warning]].\n"),
        ("only.md", "---\ntitle: Only warning\ncolour: red\n---\n"),
    ]);
    assert_eq!(clean.run(&["check"]).code, 0);
    let strict = clean.run(&["check", "--strict"]);
    assert_eq!(strict.code, 1, "{}", strict.stderr);
    assert!(strict.stderr.contains("only.md:3:1: warning[unknown-key]"));
    assert_eq!(clean.run(&["build", "--strict"]).code, 1);
    assert_eq!(clean.run(&["build"]).code, 0);
}

#[test]
fn check_json_is_a_versioned_document_with_every_finding() {
    let fixture = Fixture::new("defects");
    let run = fixture.run(&["check", "--strict", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.is_empty(),
        "JSON mode prints no summary: {}",
        run.stderr
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["pages"], 8);
    assert_eq!(json["errors"], 3);
    assert_eq!(json["warnings"], 8);
    let findings = json["findings"].as_array().unwrap();
    let described: Vec<String> = findings
        .iter()
        .map(|f| {
            let location = match (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap()) {
                (0, _) => f["path"].as_str().unwrap().to_string(),
                (line, 0) => format!("{}:{line}", f["path"].as_str().unwrap()),
                (line, column) => format!("{}:{line}:{column}", f["path"].as_str().unwrap()),
            };
            format!(
                "{location} {}[{}]",
                f["severity"].as_str().unwrap(),
                f["code"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(described, DEFECTS);
    let anchor = &findings[5];
    assert_eq!(
        anchor["message"],
        "'docs/setup.md' has no heading or anchor '#nope'"
    );
    assert_eq!(anchor["help"], "anchors there: setup, install");
}

/// `check handbook --format github` on the `defects` fixture, run from the folder above it.
const GITHUB_ANNOTATIONS: [&str; 10] = [
    "::warning file=handbook/decisions/0001-use-x.md,line=2,col=1,title=decision-status::unknown status 'banana'%0Ahelp: it is shown as written and counted as proposed; use one of: proposed, accepted, rejected, deprecated, superseded",
    "::warning file=handbook/docs/b.md,line=1,title=duplicate-title::'Dup' is also the title of 'docs/a.md' in the same folder%0Ahelp: readers, search results and [[wikilinks]] cannot tell them apart; give one a distinct title",
    "::error file=handbook/docs/typed.md,line=3,col=9,title=front-matter::weight: expected a whole number, found the text \"heavy\"%0Ahelp: write it like `weight: 10`",
    "::warning file=handbook/index.md,line=7,col=1,title=broken-link::no page or file at 'docs/gone.md' (linked as 'docs/gone.md')%0Ahelp: links are relative to the linking file; check the spelling and that the file exists",
    "::warning file=handbook/index.md,line=7,col=26,title=broken-anchor::'docs/setup.md' has no heading or anchor '#nope'%0Ahelp: anchors there: setup, install",
    "::warning file=handbook/index.md,line=7,col=59,title=missing-image::no page or file at 'img/missing.png' (linked as 'img/missing.png')%0Ahelp: links are relative to the linking file; check the spelling and that the file exists",
    "::warning file=handbook/index.md,line=8,col=1,title=draft-link::'docs/draft.md' is a draft and is not published%0Ahelp: publish the page (remove `draft: true`) or build with --drafts",
    "::warning file=handbook/index.md,line=8,col=28,title=broken-link::no page or file at 'docs/absent/' (linked as '/docs/absent/')%0Ahelp: site-absolute links start at the handbook root; check the spelling and that the file exists",
    "::warning file=handbook/index.md,line=8,col=58,title=ambiguous-link::[[Dup]] could mean 'docs/a.md', 'docs/b.md'; linked to 'docs/a.md', the nearest%0Ahelp: name the page by its path to choose, like [[docs/a|Dup]]",
    "::error file=handbook/policies/leave.md,line=1,title=missing-field::`owner` is required for pages under policies/%0Ahelp: add `owner: …` to the front matter (rule `check.required` in handbook.yml)",
];

#[test]
fn github_format_prints_exact_annotations_from_the_repository_root() {
    let fixture = Fixture::new("defects");
    let run = fixture.run_in(
        fixture.parent(),
        &["check", "handbook", "--format", "github"],
    );
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines, GITHUB_ANNOTATIONS);
    assert!(
        run.stderr.contains("checked 8 pages, 2 errors, 8 warnings"),
        "{}",
        run.stderr
    );
    // Run inside the handbook, paths need no prefix.
    let inside = fixture.run(&["check", "--format", "github"]);
    assert!(
        inside
            .stdout
            .starts_with("::warning file=decisions/0001-use-x.md,line=2,col=1,"),
        "{}",
        inside.stdout
    );
}

#[test]
fn pages_reached_only_through_navigation_are_not_orphans() {
    let fixture = Fixture::with_files(&[
        (
            "handbook.yml",
            "nav:\n  links:\n    - { title: Status, url: /status }\n",
        ),
        ("index.md", "# Home\n"),
        ("status.md", "# Status\n"),
        ("lonely.md", "---\nteam: core\n---\n# Lonely\n"),
        ("docs/deep/page.md", "# Deep page\n"),
    ]);
    let run = fixture.run(&["check", "--strict"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("orphan-page"), "{}", run.stderr);
    // Nothing links to them, but the sidebar and the generated folder listings reach them.
    fixture.build();
    assert_eq!(
        fixture.html("").texts(".sidebar a[href='/lonely/']"),
        ["Lonely"]
    );
    assert_eq!(
        fixture.html("docs/").texts("main .cards a"),
        ["Deep"],
        "a folder without a landing page lists its subfolder"
    );
    assert_eq!(
        fixture.html("docs/deep/").texts("main .cards a"),
        ["Deep page"]
    );
}

#[test]
fn check_exits_2_when_it_cannot_run() {
    let fixture = Fixture::with_files(&[("handbook.yml", "title: [unclosed\n")]);
    let run = fixture.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("handbook.yml:"), "{}", run.stderr);
    assert_eq!(fixture.run(&["check", "no-such-folder"]).code, 2);
}

#[test]
fn build_runs_the_same_checks_and_a_clean_handbook_passes() {
    let fixture = Fixture::new("defects");
    let build = fixture.run(&["build"]);
    assert_eq!(build.code, 1);
    assert!(
        build.stderr.contains("2 errors, 8 warnings"),
        "{}",
        build.stderr
    );
    let clean = Fixture::new("basic");
    let run = clean.run(&["check", "--strict", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["findings"], serde_json::json!([]));
}

#[test]
fn wikilinks_resolve_by_title_name_and_path_and_backlinks_name_the_section() {
    let fixture = Fixture::with_files(&[
        (
            "index.md",
            "# Home\n\nStart at [[On-call rotation]].\n\n## Deploying\n\nRead [[docs/setup#install|the install steps]] and [[setup]].\n",
        ),
        ("docs/setup.md", "# Setup guide\n\n## Install\n"),
        (
            "docs/on-call.md",
            "---\ntitle: On-call rotation\n---\nBack [[Home]].\n",
        ),
    ]);
    fixture.build();
    let home = fixture.html("");
    let links: Vec<(String, String)> = home
        .attrs(".content a", "href")
        .into_iter()
        .zip(home.texts(".content a"))
        .filter(|(href, _)| !href.starts_with('#'))
        .collect();
    assert_eq!(
        links,
        [
            ("/docs/on-call/".to_string(), "On-call rotation".to_string()),
            ("/docs/setup/#install".into(), "the install steps".into()),
            ("/docs/setup/".into(), "setup".into()),
        ]
    );
    let setup = fixture.html("docs/setup/");
    assert_eq!(setup.texts(".backlinks li"), ["Home § Deploying"]);
    assert_eq!(
        setup.attrs(".backlinks a", "href"),
        ["/", "/#deploying"],
        "the page, then the section holding the link"
    );
    let on_call = fixture.html("docs/on-call/");
    assert_eq!(on_call.texts(".backlinks li"), ["Home"]);
}

#[test]
fn decision_records_show_and_give_backlinks() {
    let fixture = Fixture::with_files(&[
        (
            "index.md",
            "# Home\n\nWe chose [X](decisions/0001-use-x.md).\n",
        ),
        (
            "decisions/0001-use-x.md",
            "---\nstatus: accepted\n---\n# Use X\n\n## Consequences\n\nUpdate the [runbook](../runbook.md).\n",
        ),
        ("runbook.md", "# Runbook\n"),
    ]);
    fixture.build();
    assert_eq!(
        fixture.html("decisions/0001-use-x/").texts(".backlinks li"),
        ["Home"]
    );
    assert_eq!(
        fixture.html("runbook/").texts(".backlinks li"),
        ["Use X § Consequences"]
    );
}

#[test]
fn export_describes_pages_records_people_and_matches_the_published_file() {
    let fixture = Fixture::with_files(&[
        ("handbook.yml", "title: Export\nbase_url: /hb/\n"),
        (
            "index.md",
            "# Home\n\n[Setup](docs/setup.md) is owned by [Ada](people/ada.md).\n",
        ),
        (
            "docs/setup.md",
            "---\ntitle: Setup\nowner: ada\ntags: [ops]\nupdated: 2026-10-01\nreview_by: 2027-01-31\nreview_every: 6m\n---\n## Install & run\n",
        ),
        (
            "people/ada.md",
            "---\nname: Ada Lovelace\nrole: Engineer\ntimezone: Europe/London\n---\n# Ada\n",
        ),
        (
            "teams/core.md",
            "---\nname: Core\nmembers: [ada]\n---\n# Core\n",
        ),
        (
            "updates/2026-11-20-weekly.md",
            "---\ntitle: Weekly\ndate: 2026-11-20\nauthor: ada\nteam: core\nsummary: Shipped it.\n---\nText.\n",
        ),
        (
            "decisions/0001-use-x.md",
            "---\nstatus: accepted\ndeciders: [ada]\ndate: 2026-01-02\n---\n# Use X\n",
        ),
    ]);
    let run = fixture.run(&["export", "--pretty"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("\n  \""), "--pretty indents");
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["site"]["title"], "Export");
    let pages: BTreeMap<&str, &serde_json::Value> = json["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|page| (page["path"].as_str().unwrap(), page))
        .collect();
    let setup = pages["docs/setup.md"];
    assert_eq!(setup["url"], "/hb/docs/setup/");
    assert_eq!(setup["owner"], "ada");
    assert_eq!(setup["tags"], serde_json::json!(["ops"]));
    assert_eq!(setup["updated"], "2026-10-01");
    assert_eq!(setup["review_by"], "2027-01-31");
    assert_eq!(setup["review_every"], "6m");
    assert_eq!(setup["headings"][0]["text"], "Install & run");
    assert_eq!(setup["headings"][0]["anchor"], "install--run");
    assert_eq!(setup["kind"], "page");
    assert_eq!(
        pages["index.md"]["links"],
        serde_json::json!(["/hb/docs/setup/", "/hb/people/ada/"])
    );
    let decision = &json["decisions"][0];
    assert_eq!(decision["number"], 1);
    assert_eq!(decision["status"], "accepted");
    assert_eq!(decision["deciders"], serde_json::json!(["ada"]));
    assert_eq!(decision["url"], "/hb/decisions/0001-use-x/");
    let update = &json["updates"][0];
    assert_eq!(update["author"], "ada");
    assert_eq!(update["team"], "core");
    assert_eq!(update["date"], "2026-11-20");
    assert_eq!(update["summary"], "Shipped it.");
    let person = &json["people"][0];
    assert_eq!(person["id"], "ada");
    assert_eq!(person["name"], "Ada Lovelace");
    assert_eq!(person["timezone"], "Europe/London");
    assert_eq!(person["owns"], serde_json::json!(["docs/setup.md"]));
    assert_eq!(json["teams"][0]["members"], serde_json::json!(["ada"]));

    fixture.build();
    let published: serde_json::Value =
        serde_json::from_str(&fixture.read("handbook.json")).unwrap();
    assert_eq!(published, json, "handbook.json is the export");
}

/// A local web server for `--external`: `/ok…` 200, `/gone` 404, `/no-head` refuses HEAD,
/// `/slow` answers after 3 s, `/moved` redirects. Records requests and the most `/ok…`
/// requests in flight at once.
struct LinkServer {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
    most_in_flight: Arc<AtomicUsize>,
}

impl LinkServer {
    fn start() -> LinkServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let most_in_flight = Arc::new(AtomicUsize::new(0));
        let (log, now, most) = (requests.clone(), in_flight, most_in_flight.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (log, now, most) = (log.clone(), now.clone(), most.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut request_line = String::new();
                    reader.read_line(&mut request_line).ok();
                    loop {
                        let mut header = String::new();
                        if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                            break;
                        }
                    }
                    let mut parts = request_line.split_whitespace();
                    let method = parts.next().unwrap_or("").to_string();
                    let path = parts.next().unwrap_or("").to_string();
                    log.lock().unwrap().push(format!("{method} {path}"));
                    // Only the quick /ok requests are counted: a request the client abandoned
                    // (a timeout) may linger here without being in flight for the client.
                    let counted = path.starts_with("/ok");
                    if counted {
                        let current = now.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(current, Ordering::SeqCst);
                    }
                    // Hold the connection a moment so concurrent requests overlap.
                    std::thread::sleep(Duration::from_millis(50));
                    let status = match (method.as_str(), path.as_str()) {
                        (_, p) if p.starts_with("/ok") => "200 OK".to_string(),
                        ("HEAD", "/no-head") => "405 Method Not Allowed".into(),
                        ("GET", "/no-head") => "200 OK".into(),
                        (_, "/slow") => {
                            // Answer after 3 s, unless the client gives up first: then the
                            // request is no longer in flight.
                            stream.set_nonblocking(true).ok();
                            for _ in 0..60 {
                                std::thread::sleep(Duration::from_millis(50));
                                if matches!(stream.peek(&mut [0u8; 1]), Ok(0)) {
                                    break;
                                }
                            }
                            stream.set_nonblocking(false).ok();
                            "200 OK".into()
                        }
                        (_, "/moved") => "301 Moved Permanently\r\nLocation: /ok-target".into(),
                        _ => "404 Not Found".into(),
                    };
                    let response = format!(
                        "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                    // Out of flight before the client can see the answer: counting after the
                    // write raced with the client's next request on a loaded machine.
                    if counted {
                        now.fetch_sub(1, Ordering::SeqCst);
                    }
                    stream.write_all(response.as_bytes()).ok();
                });
            }
        });
        LinkServer {
            port,
            requests,
            most_in_flight,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

#[test]
fn external_links_are_checked_with_a_timeout_a_concurrency_limit_and_a_cache() {
    let server = LinkServer::start();
    let mut body = String::from("# Links\n\n");
    for i in 0..8 {
        body.push_str(&format!(
            "[ok {i}]({}) ",
            server.url(&format!("/ok{i}#part"))
        ));
    }
    body.push_str(&format!(
        "\n\n[gone]({}) [no head]({}) [slow]({}) [moved]({}) [skip]({}) [again]({})\n",
        server.url("/gone"),
        server.url("/no-head"),
        server.url("/slow"),
        server.url("/moved"),
        server.url("/private/x"),
        server.url("/ok0"),
    ));
    let config = format!(
        "check:\n  external:\n    timeout: 1\n    concurrency: 2\n    cache: .handbook/links.json\n    exclude: ['{}']\n",
        server.url("/private/")
    );
    let fixture = Fixture::with_files(&[("handbook.yml", &config), ("index.md", &body)]);
    assert_eq!(
        fixture.run(&["check"]).code,
        0,
        "no requests without --external"
    );
    assert!(server.requests.lock().unwrap().is_empty());

    let run = fixture.run(&["check", "--external"]);
    assert_eq!(
        run.code, 0,
        "broken external links are warnings: {}",
        run.stderr
    );
    let findings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.contains("external-link"))
        .collect();
    assert_eq!(
        findings,
        [
            format!(
                "index.md:5:1: warning[external-link]: {}: answered 404 Not Found",
                server.url("/gone")
            ),
            format!(
                "index.md:5:{}: warning[external-link]: {}: no answer within 1 s",
                35 + 2 * server.url("").len(),
                server.url("/slow")
            ),
        ],
        "{}",
        run.stderr
    );
    let requests = server.requests.lock().unwrap().clone();
    assert!(
        !requests.iter().any(|r| r.contains("/private/")),
        "excluded"
    );
    assert_eq!(
        requests.iter().filter(|r| r.ends_with(" /ok0")).count(),
        1,
        "one request per distinct URL, fragments dropped: {requests:?}"
    );
    assert!(
        requests.contains(&"GET /no-head".to_string()),
        "HEAD refused, GET tried"
    );
    assert!(
        requests.contains(&"HEAD /ok-target".to_string()),
        "redirect followed"
    );
    assert!(
        server.most_in_flight.load(Ordering::SeqCst) <= 2,
        "concurrency limit: {} in flight",
        server.most_in_flight.load(Ordering::SeqCst)
    );
    let cache: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture.root.join(".handbook/links.json")).unwrap(),
    )
    .unwrap();
    assert!(cache["working"][server.url("/ok3")].is_i64(), "{cache}");
    assert!(cache["working"].get(server.url("/gone")).is_none());

    server.requests.lock().unwrap().clear();
    let again = fixture.run(&["check", "--external", "--strict"]);
    assert_eq!(again.code, 1, "--strict fails on broken external links");
    let requests = server.requests.lock().unwrap().clone();
    assert!(
        requests
            .iter()
            .all(|r| r.contains("/gone") || r.contains("/slow")),
        "links that worked are remembered: {requests:?}"
    );
}
