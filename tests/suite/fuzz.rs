//! Property-based fuzzing (proptest, so it runs on stable Rust in CI): front-matter parsing,
//! decision records in every format, link rewriting through a whole build, and the search
//! export against the browser client. Each target runs a few dozen cases here; set
//! `HANDBOOK_FUZZ_CASES=5000` to run longer locally. Inputs are built from tokens that matter
//! to each parser (YAML punctuation, anchors, tabs, section names, path pieces), so random
//! cases reach deep instead of failing at the first byte.

use std::path::Path;

use handbook::config::MarkdownConfig;
use handbook::load::Source;
use handbook::model::decision;
use handbook::model::page::{PageKind, parse_page};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::harness::{Fixture, chromium};

/// Cases per target: `HANDBOOK_FUZZ_CASES`, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("HANDBOOK_FUZZ_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn runner(default: u32) -> TestRunner {
    TestRunner::new(Config {
        cases: cases(default),
        // Failures are kept as named regression tests, not as files written into the tree.
        failure_persistence: None,
        ..Config::default()
    })
}

/// Text made of `tokens`, `0..max` of them.
fn joined(tokens: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(tokens), 0..max).prop_map(|parts| parts.concat())
}

const YAML: &[&str] = &[
    "title",
    "tags",
    "date",
    "weight",
    "draft",
    "owner",
    "extra",
    "status",
    "deciders",
    "x",
    "ü",
    ": ",
    ":",
    "\n",
    "\r\n",
    "  ",
    "\t",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "!!str ",
    "!!binary ",
    "? ",
    "|",
    ">",
    "#",
    "'",
    "\"",
    "\\",
    "---",
    "...",
    "~",
    "null",
    "true",
    "2026-03-14",
    "2026-13-45",
    "10:00",
    "-1",
    "99999999999999999999",
    "1e999",
    ".nan",
    "🚀",
    "\u{0}",
    "\u{feff}",
    "%YAML 1.2",
    "<script>",
];

#[test]
fn front_matter_parsing_never_panics_and_points_inside_the_file() {
    let markdown = MarkdownConfig::default();
    let kinds = [
        PageKind::Page,
        PageKind::Decision,
        PageKind::Update,
        PageKind::Person,
        PageKind::Team,
    ];
    runner(256)
        .run(
            &(joined(YAML, 60), joined(YAML, 10), 0..kinds.len()),
            |(front, body, kind)| {
                let text = format!("---\n{front}\n---\n{body}");
                let lines = text.lines().count().max(1);
                let (source, problem) = Source::new("docs/fuzzed.md".into(), text.clone());
                if let Some(problem) = problem {
                    prop_assert!(problem.line <= lines + 1, "{problem:?}");
                }
                if let Err(error) = parse_page(source, kinds[kind], &markdown) {
                    prop_assert!(
                        error.line >= 1 && error.line <= lines + 1,
                        "line {} of {lines}: {}",
                        error.line,
                        error.message
                    );
                    prop_assert!(!error.message.is_empty());
                    for jargon in ["struct FrontMatter", "expected i64", "expected u32"] {
                        prop_assert!(!error.message.contains(jargon), "{}", error.message);
                    }
                }
                Ok(())
            },
        )
        .unwrap();
}

const RECORD: &[&str] = &[
    "# ",
    "## Status",
    "## Context",
    "## Decision",
    "## Consequences",
    "Accepted",
    "Proposed",
    "Superseded by ",
    "Supersedes ",
    "Amends ",
    "Amended by ",
    "Deprecated",
    "Rejected",
    "[ADR 2](0002-b.md)",
    "[3](0003-c.md)",
    "[x](../elsewhere.md)",
    "0001-a.md",
    "* Status: ",
    "* Deciders: ",
    "* Date: ",
    "ana, ben",
    "2026-03-14",
    "12. ",
    "\n",
    "\n\n",
    " ",
    "-",
    "#",
    "Status: accepted",
    "status: superseded",
    "Ä",
];

const RECORD_KEYS: &[&str] = &[
    "status: accepted\n",
    "status: Superseded by 2\n",
    "status: [x]\n",
    "status: deprecated\n",
    "number: 7\n",
    "number: 0\n",
    "supersedes: [2, 3]\n",
    "supersedes: ADR-0002\n",
    "amends: 1\n",
    "deciders: [ana]\n",
    "decide_by: 2026-01-01\n",
    "date: 2026-03-14\n",
    "title: X\n",
];

#[test]
fn decision_records_in_every_format_never_panic() {
    let markdown = MarkdownConfig::default();
    let today = "2026-11-23".parse().ok();
    let record = (joined(RECORD_KEYS, 5), joined(RECORD, 40));
    runner(128)
        .run(&prop::collection::vec((record, 1u32..5), 1..5), |records| {
            let mut pages = Vec::new();
            for (index, ((keys, body), number)) in records.iter().enumerate() {
                let text = if keys.is_empty() {
                    body.clone()
                } else {
                    format!("---\n{keys}---\n{body}")
                };
                let path = format!("decisions/{number:04}-r{index}.md");
                let (source, _) = Source::new(path, text);
                if let Ok(page) = parse_page(source, PageKind::Decision, &markdown) {
                    pages.push(page);
                }
            }
            let (decisions, problems) = decision::build(&pages, today, false);
            prop_assert!(decisions.len() <= pages.len());
            for problem in problems {
                prop_assert!(!problem.path.is_empty(), "{problem:?}");
            }
            for found in decisions {
                prop_assert!(found.page < pages.len());
                prop_assert!(!found.superseded_by.contains(&found.number));
            }
            Ok(())
        })
        .unwrap();
}

const PATH_PIECES: &[&str] = &[
    "..",
    ".",
    "/",
    "a.md",
    "b",
    "docs",
    "index.md",
    "README.md",
    "#",
    "#x",
    "#Top",
    "?q=1",
    "%2e",
    "%2F",
    "%20",
    " ",
    "ü",
    "%",
    "\\",
    "mailto:x@y.z",
    "https://ex.org/",
    "javascript:",
    "JaVaScRiPt:",
    "data:",
    "//evil.example",
    "img.png",
    "C:",
    "~",
    "&",
    "\"",
    "'",
    "<",
    ">",
    "(",
    ")",
];

/// Builds the handbook in-process with `body` as `docs/a.md`. Returns each link and image of
/// the page as (text or alt, href or src), and each finding on the page as (line, message).
/// (label, href) of each rendered link; (line, message) of each finding.
type Built = (Vec<(String, String)>, Vec<(usize, String)>);

fn build_links(fixture: &Fixture, body: &str) -> Built {
    fixture.edit("docs/a.md", body);
    let options = handbook::BuildOptions {
        root: fixture.root.clone(),
        output: None,
        base_url: Some("/sub/".into()),
        drafts: false,
        strict: false,
        external: false,
    };
    let report = handbook::build(&options).expect("a content problem is a finding, not an error");
    let findings = report
        .diagnostics
        .iter()
        .filter(|d| d.path == "docs/a.md")
        .map(|d| (d.line, d.message.clone()))
        .collect();
    let html = std::fs::read_to_string(fixture.output().join("docs/a/index.html"))
        .expect("the page is written");
    let document = scraper::Html::parse_document(&html);
    let selector = scraper::Selector::parse("main .content a, main .content img").unwrap();
    let links = document
        .select(&selector)
        .filter_map(|element| {
            let value = element.value();
            let label = value
                .attr("alt")
                .map(str::to_string)
                .unwrap_or_else(|| element.text().collect());
            let url = value.attr("href").or(value.attr("src"))?;
            Some((label, url.to_string()))
        })
        .collect();
    (links, findings)
}

#[test]
fn rewritten_links_stay_inside_the_site_and_resolve() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n"),
        // Untrusted contributors: raw HTML off, so no link may run script either.
        (
            "handbook.yml",
            "check:\n  orphans: false\nsearch:\n  enabled: false\nmarkdown:\n  raw_html: false\n",
        ),
        ("docs/b.md", "# B\n\n## Top\n"),
        ("docs/index.md", "# Docs\n"),
        ("docs/img.png", "png"),
        ("docs/sub/README.md", "# Sub\n"),
    ]);
    let link = (joined(PATH_PIECES, 8), any::<bool>(), any::<bool>());
    runner(48)
        .run(&prop::collection::vec(link, 1..6), |links| {
            // Link i sits alone on line 3 + 4i, its wikilink on line 5 + 4i, labelled so the
            // rendered href can be matched back to it.
            let mut body = String::from("# A\n\n");
            for (index, (target, image, angle)) in links.iter().enumerate() {
                let target = if *angle {
                    format!("<{}>", target.replace(['<', '>', '\n'], ""))
                } else {
                    target.replace([' ', '(', ')', '\n'], "")
                };
                let wiki = target.replace(['[', ']', '|', '\n'], "");
                let bang = if *image { "!" } else { "" };
                body.push_str(&format!(
                    "{bang}[t{index}]({target})\n\n[[{wiki}|w{index}]]\n\n"
                ));
            }
            let (rendered, findings) = build_links(&fixture, &body);
            for (label, href) in &rendered {
                let Some(index) = label.get(1..).and_then(|n| n.parse::<usize>().ok()) else {
                    continue;
                };
                let line = if label.starts_with('t') {
                    3 + 4 * index
                } else {
                    5 + 4 * index
                };
                let reported = findings.iter().any(|(at, _)| *at == line);
                let lower = href.to_ascii_lowercase();
                for scheme in ["javascript:", "data:", "vbscript:"] {
                    prop_assert!(!lower.trim_start().starts_with(scheme), "{href} in {body}");
                }
                if !href.starts_with('/') || href.starts_with("//") {
                    continue;
                }
                // Every site-absolute link is under the base path and never climbs out.
                let path = href.split(['#', '?']).next().unwrap_or("");
                let climbs = path.split('/').any(|segment| segment == "..");
                prop_assert!(
                    (href.starts_with("/sub/") && !climbs) || reported,
                    "{href} (line {line}) in {body}"
                );
                // A link not reported as broken points at a page or file that exists.
                let decoded = percent_decode(path.trim_start_matches("/sub/"));
                let file = fixture.output().join(&decoded);
                let exists = file.is_file() || file.join("index.html").is_file();
                prop_assert!(exists || reported, "{href} (line {line}) in {body}");
            }
            Ok(())
        })
        .unwrap();
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%'
            && let Some(value) = text
                .get(index + 1..index + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(value);
            index += 3;
            continue;
        }
        out.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---- search: export and browser client against the terminal ----

/// A tiny deterministic generator (xorshift), so a failing corpus is reproduced by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "deploy",
    "deploying",
    "deployment",
    "deploys",
    "rollback",
    "database",
    "postgres",
    "incident",
    "review",
    "reviews",
    "on-call",
    "rotation",
    "team",
    "teams",
    "the",
    "a",
    "of",
    "handbook",
    "latency",
    "budget",
    "queue",
    "queues",
    "kafka",
    "NATS",
    "über",
    "café",
    "naïve",
    "API",
    "api",
    "v2",
    "2026",
    "release",
    "releasing",
    "runbook",
    "alert",
    "alerts",
    "pager",
    "owner",
    "policy",
    "policies",
    "remote",
    "onboarding",
    "search",
    "index",
    "shard",
    "zebra",
    "x",
];

const QUERY_EXTRAS: &[&str] = &["kind:decision", "kind:page", "status:accepted", "team:core"];

/// A random handbook: pages, decisions with statuses, sections under `##` headings.
fn corpus(fixture: &Fixture, rng: &mut Rng) {
    // Every third corpus is large enough that common words have postings past the first tier
    // (128), so the browser must load tiers until it can prove its top ten.
    let pages = if rng.below(3) == 0 {
        150 + rng.below(250)
    } else {
        5 + rng.below(60)
    };
    // `superseded` needs a successor record, which random picks would not name.
    let statuses = ["accepted", "proposed", "rejected", "deprecated"];
    for page in 0..pages {
        let decision = rng.below(4) == 0;
        let path = if decision {
            format!("decisions/{:04}-d{page}.md", page + 1)
        } else {
            format!("docs/p{page}.md")
        };
        let mut text = String::from("---\n");
        text.push_str(&format!("title: {} {}\n", rng.pick(WORDS), rng.pick(WORDS)));
        if decision {
            text.push_str(&format!("status: {}\n", rng.pick(&statuses)));
        }
        if rng.below(3) == 0 {
            text.push_str("team: core\n");
        }
        text.push_str("---\n\n");
        for _ in 0..1 + rng.below(4) {
            text.push_str(&format!("## {} {}\n\n", rng.pick(WORDS), rng.pick(WORDS)));
            let words = 3 + rng.below(80);
            let sentence: Vec<&str> = (0..words).map(|_| rng.pick(WORDS)).collect();
            text.push_str(&sentence.join(" "));
            text.push_str(".\n\n");
        }
        fixture.edit(&path, &text);
    }
}

fn query(rng: &mut Rng) -> String {
    match rng.below(9) {
        5 => format!(
            "{} {} {}",
            rng.pick(WORDS),
            rng.pick(WORDS),
            rng.pick(WORDS)
        ),
        6 => {
            // A typo: two neighbouring letters swapped.
            let mut chars: Vec<char> = rng.pick(WORDS).chars().collect();
            if chars.len() > 4 {
                let at = 2 + rng.below(chars.len() - 3);
                chars.swap(at, at - 1);
            }
            chars.into_iter().collect()
        }
        7 => format!("+{} {}", rng.pick(WORDS), rng.pick(WORDS)),
        8 => format!("the {} of {}", rng.pick(WORDS), rng.pick(WORDS)),
        0 => format!("\"{} {}\"", rng.pick(WORDS), rng.pick(WORDS)),
        1 => {
            let word = rng.pick(WORDS);
            let length = 2 + rng.below(3);
            format!("{}*", word.chars().take(length).collect::<String>())
        }
        2 => format!("{} {}", rng.pick(QUERY_EXTRAS), rng.pick(WORDS)),
        3 => format!("{} {}", rng.pick(WORDS), rng.pick(WORDS)),
        _ => rng.pick(WORDS).to_string(),
    }
}

#[test]
fn random_corpora_rank_the_same_in_the_browser_and_the_terminal() {
    let Some(browser) = chromium() else { return };
    // `HANDBOOK_FUZZ_SEED=15` reruns the one corpus a failure names.
    let seeds: Vec<u64> = match std::env::var("HANDBOOK_FUZZ_SEED") {
        Ok(seed) => vec![seed.parse().expect("a number")],
        Err(_) => (1..=u64::from(cases(3))).collect(),
    };
    for seed in seeds {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
        let fixture = Fixture::with_files(&[
            ("index.md", "# Home\n"),
            ("handbook.yml", "check:\n  orphans: false\n"),
        ]);
        corpus(&fixture, &mut rng);
        fixture.build();
        let queries: Vec<String> = (0..12).map(|_| query(&mut rng)).collect();
        let report = crate::search::compare_with_browser(&browser, &fixture, &queries);
        assert!(report.is_empty(), "seed {seed}: {report}");
    }
}

/// Openers of flow collections, nested at random.
const OPENERS: &[(&str, &str)] = &[("[", "]"), ("{k: ", "}"), ("[x, ", "]"), ("{", ": v}")];

#[test]
fn nested_front_matter_is_refused_past_the_limit_and_read_below_it() {
    let markdown = MarkdownConfig::default();
    runner(128)
        .run(
            &(
                prop::collection::vec(0..OPENERS.len(), 0..300),
                joined(YAML, 12),
                0..30usize,
                any::<bool>(),
            ),
            |(openers, noise, block_depth, closed)| {
                // `block_depth` levels of block mappings, then a flow value nested `openers`
                // deep, with random YAML before it.
                let mut front = format!("title: t\n{noise}\nextra:\n");
                for depth in 0..block_depth {
                    front.push_str(&format!("{}k{depth}:\n", "  ".repeat(depth + 1)));
                }
                front.push_str(&"  ".repeat(block_depth + 1));
                front.push_str("v: ");
                for &opener in &openers {
                    front.push_str(OPENERS[opener].0);
                }
                front.push('1');
                if closed {
                    for &opener in openers.iter().rev() {
                        front.push_str(OPENERS[opener].1);
                    }
                }
                let text = format!("---\n{front}\n---\n# T\n");
                let (source, _) = Source::new("docs/nested.md".into(), text.clone());
                let result = parse_page(source, PageKind::Page, &markdown);
                let depth = 2 + block_depth + openers.len();
                let refused = result
                    .as_ref()
                    .err()
                    .is_some_and(|error| error.message.contains("nests more than 64"));
                // The scan may count a level more or less than YAML; far from the limit it
                // must agree with it.
                // Random YAML before the value may quote or comment it away.
                let structural = noise.contains([
                    '\'', '"', '[', '{', '|', '>', '#', '\\', '\t', '&', '*', '!', '%', '?', '-',
                    '.', '\0',
                ]);
                if structural {
                    return Ok(());
                }
                if depth > 70 {
                    prop_assert!(refused, "depth {depth} was parsed: {:?}", result.err());
                } else if depth < 60 {
                    prop_assert!(!refused, "depth {depth} was refused");
                }
                Ok(())
            },
        )
        .unwrap();
}

/// Where a fuzzed symlink is placed, and where it may point (relative to the handbook; `@`
/// stands for the temp folder beside it, outside the handbook).
const LINK_PLACES: &[&str] = &[
    "a.txt",
    "b.md",
    "docs/c.txt",
    "docs/d.md",
    "docs/sub",
    "img",
    "themes/default/static/x.css",
    "themes/default/static/dir",
    "themes/default/templates/page.html",
    "themes/default/templates",
    "search/manifest.js",
];
const LINK_TARGETS: &[&str] = &[
    "@/secret.txt",
    "@",
    "@/../..",
    ".git/config",
    ".git",
    ".env",
    "drafts/plan.md",
    "drafts",
    "public/index.html",
    "themes/default/static/brand.css",
    "docs/real.md",
    "docs",
    "a.txt",
    "b.md",
    "missing.md",
    ".",
];

#[test]
fn symlink_layouts_never_publish_secrets_and_check_agrees_with_build() {
    let mut runner = runner(24);
    runner
        .run(
            &prop::collection::vec((0..LINK_PLACES.len(), 0..LINK_TARGETS.len()), 1..6),
            |links| {
                let fixture = Fixture::with_files(&[
                    (
                        "index.md",
                        "# Home\n\n[a](a.txt) [b](b.md) [c](docs/c.txt)\n",
                    ),
                    ("handbook.yml", "exclude: ['drafts/**']\n"),
                    ("docs/real.md", "# Real\n"),
                    ("drafts/plan.md", "# Plan SECRET-DRAFT\n"),
                    (".env", "SECRET-ENV"),
                    (".git/config", "SECRET-GIT"),
                    ("themes/default/static/brand.css", "b {}"),
                ]);
                std::fs::write(fixture.parent().join("secret.txt"), "SECRET-OUTSIDE").unwrap();
                for &(place, target) in &links {
                    let link = fixture.root.join(LINK_PLACES[place]);
                    // One link per place, and none inside a folder that is itself a link.
                    let through_link = link
                        .ancestors()
                        .skip(1)
                        .take_while(|dir| dir.starts_with(&fixture.root) && *dir != fixture.root)
                        .any(Path::is_symlink);
                    if std::fs::symlink_metadata(&link).is_ok()
                        || through_link
                        || std::fs::create_dir_all(link.parent().unwrap()).is_err()
                    {
                        continue;
                    }
                    let target = match LINK_TARGETS[target].strip_prefix('@') {
                        Some(rest) => format!("{}{rest}", fixture.parent().display()),
                        None => fixture
                            .root
                            .join(LINK_TARGETS[target])
                            .display()
                            .to_string(),
                    };
                    std::os::unix::fs::symlink(target, link).unwrap();
                }
                let options = handbook::BuildOptions {
                    root: fixture.root.clone(),
                    output: None,
                    base_url: None,
                    drafts: false,
                    strict: false,
                    external: false,
                };
                // `check` first: a link into the output folder reads differently once it exists.
                let checked = handbook::check(&options);
                let built = handbook::build(&options);
                match (&built, &checked) {
                    (Ok(built), Ok(checked)) => {
                        prop_assert_eq!(&built.diagnostics, &checked.diagnostics);
                    }
                    (Err(built), Err(checked)) => {
                        prop_assert_eq!(built.to_string(), checked.to_string());
                    }
                    _ => prop_assert!(
                        false,
                        "build and check disagree: {:?} / {:?}",
                        built.as_ref().map(|r| r.diagnostics.len()),
                        checked.as_ref().map(|r| r.diagnostics.len())
                    ),
                }
                if fixture.output().exists() {
                    for (path, bytes) in crate::harness::snapshot(&fixture.output()) {
                        prop_assert!(
                            !String::from_utf8_lossy(&bytes).contains("SECRET"),
                            "{} publishes a secret with links {:?}",
                            path,
                            links
                        );
                    }
                }
                Ok(())
            },
        )
        .unwrap();
}
