//! Hostile and broken input: the small cases live in `tests/fixtures/bad/`; huge, generated,
//! permission and platform-specific ones (case-only names, `?` in names, symlink loops) are made
//! here. Each gives a clear diagnostic at `file:line` or builds correctly, and every run has a
//! deadline and fails the test on a panic or a signal.

use std::time::Duration;

use crate::harness::{Fixture, Run, fixtures_dir};

/// Far above any case's time in a debug build; reaching it means a hang.
const LIMIT: Duration = Duration::from_secs(120);

/// A handbook of a home page and the named files from `tests/fixtures/bad/`, orphan warnings off.
fn handbook(cases: &[&str]) -> Fixture {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n"),
        ("handbook.yml", "check:\n  orphans: false\n"),
    ]);
    for case in cases {
        std::fs::copy(
            fixtures_dir().join("bad").join(case),
            fixture.root.join(case),
        )
        .unwrap();
    }
    fixture
}

fn build(fixture: &Fixture) -> Run {
    fixture.run_limited(&["build"], LIMIT)
}

/// The diagnostic lines of a run, in order, without help lines and the summary.
fn findings(run: &Run) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|line| line.contains(": error[") || line.contains(": warning["))
        .collect()
}

/// The help line printed under the diagnostic that starts with `finding`.
fn help_of<'r>(run: &'r Run, finding: &str) -> &'r str {
    let mut lines = run.stderr.lines();
    lines.find(|line| line.starts_with(finding));
    lines
        .next()
        .and_then(|line| line.strip_prefix("  help: "))
        .unwrap_or_else(|| panic!("no help under {finding}:\n{}", run.stderr))
}

/// Asserts a failed build with exactly these findings, and that nothing was published.
fn fails_with(fixture: &Fixture, expected: &[&str]) -> Run {
    let run = build(fixture);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(findings(&run), expected, "{}", run.stderr);
    assert!(!fixture.output().exists(), "a failed build writes nothing");
    run
}

#[test]
fn invalid_utf8_is_an_encoding_error_at_the_first_bad_line() {
    let fixture = handbook(&["invalid-utf8.md"]);
    let run = fails_with(
        &fixture,
        &["invalid-utf8.md:2: error[encoding]: file is not valid UTF-8"],
    );
    assert_eq!(help_of(&run, "invalid-utf8.md:2"), "save the file as UTF-8");
}

#[test]
fn a_byte_order_mark_and_crlf_line_endings_change_nothing() {
    let fixture = handbook(&["bom.md", "crlf.md"]);
    let run = build(&fixture);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        findings(&run),
        [
            "crlf.md:8:29: warning[broken-link]: no page or file at 'missing.md' (linked as 'missing.md')"
        ]
    );
    let bom = fixture.html("bom/");
    assert_eq!(bom.texts("main h1"), ["Saved with a BOM"]);
    let crlf = fixture.html("crlf/");
    assert_eq!(crlf.texts("main h1"), ["Line endings"]);
    assert_eq!(crlf.attrs("main h2", "id"), ["set-up"]);
    assert!(crlf.attrs("main a", "href").contains(&"/bom/".to_string()));
    for page in ["bom/index.html", "crlf/index.html"] {
        let html = fixture.read(page);
        assert!(!html.contains('\u{feff}') && !html.contains('\r'), "{page}");
    }
}

#[test]
fn empty_blank_and_front_matter_only_files_are_pages_named_after_the_file() {
    let fixture = handbook(&["empty.md", "blank.md", "only-front-matter.md"]);
    let run = build(&fixture);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(findings(&run), Vec::<&str>::new());
    assert_eq!(fixture.html("empty/").texts("main h1"), ["Empty"]);
    assert_eq!(fixture.html("blank/").texts("main h1"), ["Blank"]);
    assert_eq!(
        fixture.html("only-front-matter/").texts("main h1"),
        ["Only front matter"]
    );
}

#[test]
fn unterminated_front_matter_is_reported_where_it_opens() {
    let fixture = handbook(&["unterminated.md"]);
    let run = fails_with(
        &fixture,
        &[
            "unterminated.md:1:1: error[front-matter]: front matter is opened with `---` but never closed",
        ],
    );
    assert_eq!(
        help_of(&run, "unterminated.md:1:1"),
        "end the front matter with a line containing only `---`"
    );
}

#[test]
fn front_matter_that_is_a_list_or_a_sentence_is_not_a_mapping() {
    let fixture = handbook(&["list-front-matter.md", "text-front-matter.md"]);
    fails_with(
        &fixture,
        &[
            "list-front-matter.md:2:1: error[front-matter]: expected `key: value` lines, found a list",
            "text-front-matter.md:2:1: error[front-matter]: expected `key: value` lines, found the text \"just a sentence\"",
        ],
    );
}

#[test]
fn tabs_unquoted_colons_and_unclosed_quotes_get_a_hint_at_their_line() {
    let fixture = handbook(&["tabs.md", "unquoted-colon.md", "unclosed-quote.md"]);
    let run = fails_with(
        &fixture,
        &[
            "tabs.md:4:1: error[front-matter]: this line is indented with a tab",
            "unclosed-quote.md:2:8: error[front-matter]: a quoted value is never closed",
            "unquoted-colon.md:2:15: error[front-matter]: mapping values are not allowed in this context",
        ],
    );
    assert_eq!(
        help_of(&run, "tabs.md:4:1"),
        "indent with spaces: YAML does not allow tabs"
    );
    assert_eq!(
        help_of(&run, "unclosed-quote.md:2:8"),
        "end the value with the quote it starts with, on the same line"
    );
    assert_eq!(
        help_of(&run, "unquoted-colon.md:2:15"),
        "quote a value that contains `: `, like `title: \"Deploys: a guide\"`"
    );
}

#[test]
fn huge_front_matter_is_refused_without_parsing_it() {
    let fixture = handbook(&[]);
    let block = format!("title: Huge\ndescription: \"{}\"\n", "x".repeat(3 << 20));
    fixture.edit("huge.md", &format!("---\n{block}---\n"));
    let run = fails_with(
        &fixture,
        &[format!(
            "huge.md:2:1: error[front-matter]: YAML block is {} bytes; the limit is 1 MiB",
            block.len()
        )
        .as_str()],
    );
    assert_eq!(
        help_of(&run, "huge.md:2:1"),
        "move long text into the page body"
    );
}

#[test]
fn a_yaml_alias_bomb_is_refused_not_expanded() {
    let fixture = handbook(&["alias-bomb.md"]);
    fails_with(
        &fixture,
        &[
            "alias-bomb.md:1: error[front-matter]: YAML aliases (`*name`) repeat into too many values; write the values out",
        ],
    );
}

/// (folder, key, wrong value, message after `key: `, correct line shown as help).
const WRONG_TYPES: [(&str, &str, &str, &str, &str); 36] = [
    (
        "docs",
        "title",
        "[1, 2]",
        "expected text, found a list",
        "title: On-call handbook",
    ),
    (
        "docs",
        "description",
        "{a: 1}",
        "expected text, found a mapping",
        "description: How we run on-call",
    ),
    (
        "docs",
        "date",
        "[2026]",
        "expected a single value (text, a number or a date), found a list",
        "date: 2026-03-14",
    ),
    (
        "docs",
        "updated",
        "{at: 1}",
        "expected a single value (text, a number or a date), found a mapping",
        "date: 2026-03-14",
    ),
    (
        "docs",
        "tags",
        "{a: 1}",
        "expected a word or a list of words, like `[onboarding, remote]`, found a mapping",
        "tags: [onboarding, remote]",
    ),
    (
        "docs",
        "weight",
        "heavy",
        "expected a whole number, found the text \"heavy\"",
        "weight: 10",
    ),
    (
        "docs",
        "draft",
        "maybe",
        "expected true or false, found the text \"maybe\"",
        "draft: true",
    ),
    (
        "docs",
        "aliases",
        "{a: 1}",
        "expected a word or a list of words, like `[onboarding, remote]`, found a mapping",
        "aliases: [/old/path/]",
    ),
    (
        "docs",
        "slug",
        "[a]",
        "expected text, found a list",
        "slug: on-call",
    ),
    (
        "docs",
        "owner",
        "[ana, ben]",
        "expected text, found a list",
        "owner: platform",
    ),
    (
        "docs",
        "review_by",
        "[soon]",
        "expected a single value (text, a number or a date), found a list",
        "date: 2026-03-14",
    ),
    (
        "docs",
        "review_every",
        "{days: 3}",
        "expected a single value (text, a number or a date), found a mapping",
        "review_every: 6m",
    ),
    (
        "docs",
        "extra",
        "4",
        "expected `key: value` lines, found integer 4",
        "extra: {icon: rocket}",
    ),
    (
        "decisions",
        "status",
        "[a]",
        "expected text, found a list",
        "status: accepted",
    ),
    (
        "decisions",
        "number",
        "one",
        "expected a whole number, found the text \"one\"",
        "number: 12",
    ),
    (
        "decisions",
        "deciders",
        "{a: 1}",
        "expected a word or a list of words, like `[onboarding, remote]`, found a mapping",
        "deciders: [ana, ben]",
    ),
    (
        "decisions",
        "consulted",
        "{a: 1}",
        "expected a word or a list of words, like `[onboarding, remote]`, found a mapping",
        "deciders: [ana, ben]",
    ),
    (
        "decisions",
        "informed",
        "{a: 1}",
        "expected a word or a list of words, like `[onboarding, remote]`, found a mapping",
        "deciders: [ana, ben]",
    ),
    (
        "decisions",
        "team",
        "[a]",
        "expected text, found a list",
        "owner: platform",
    ),
    (
        "decisions",
        "supersedes",
        "{a: 1}",
        "expected a word or a list of words, like `[onboarding, remote]`, found a mapping",
        "supersedes: [3]",
    ),
    (
        "decisions",
        "amends",
        "{a: 1}",
        "expected a word or a list of words, like `[onboarding, remote]`, found a mapping",
        "supersedes: [3]",
    ),
    (
        "decisions",
        "decide_by",
        "[x]",
        "expected a single value (text, a number or a date), found a list",
        "date: 2026-03-14",
    ),
    (
        "updates",
        "author",
        "[a]",
        "expected text, found a list",
        "author: ana",
    ),
    (
        "updates",
        "summary",
        "{a: 1}",
        "expected text, found a mapping",
        "summary: Shipped the new deploy pipeline",
    ),
    (
        "people",
        "name",
        "[a]",
        "expected a single value (text, a number or a date), found a list",
        "name: Ana Lima",
    ),
    (
        "people",
        "role",
        "{a: 1}",
        "expected a single value (text, a number or a date), found a mapping",
        "role: Staff engineer",
    ),
    (
        "people",
        "timezone",
        "[UTC]",
        "expected a single value (text, a number or a date), found a list",
        "timezone: Europe/Berlin",
    ),
    (
        "people",
        "working_hours",
        "[9, 17]",
        "expected a single value (text, a number or a date), found a list",
        "working_hours: \"09:00-17:00\"",
    ),
    (
        "people",
        "channels",
        "{a: 1}",
        "expected a word or a list of words, like `[onboarding, remote]`, found a mapping",
        "channels: [\"#platform\"]",
    ),
    (
        "people",
        "response_time",
        "[1]",
        "expected a single value (text, a number or a date), found a list",
        "response_time: within a day",
    ),
    (
        "people",
        "avatar",
        "[a]",
        "expected a single value (text, a number or a date), found a list",
        "avatar: ana.jpg",
    ),
    (
        "people",
        "pronouns",
        "{a: 1}",
        "expected a single value (text, a number or a date), found a mapping",
        "pronouns: she/her",
    ),
    (
        "people",
        "location",
        "[a]",
        "expected a single value (text, a number or a date), found a list",
        "location: Lisbon",
    ),
    (
        "teams",
        "members",
        "{a: 1}",
        "expected a word or a list of words, like `[onboarding, remote]`, found a mapping",
        "deciders: [ana, ben]",
    ),
    (
        "teams",
        "lead",
        "{a: 1}",
        "expected a word or a list of words, like `[onboarding, remote]`, found a mapping",
        "author: ana",
    ),
    (
        "teams",
        "escalation_policy",
        "[a]",
        "expected a single value (text, a number or a date), found a list",
        "escalation_policy: page the on-call engineer",
    ),
];

#[test]
fn every_front_matter_key_with_a_wrong_type_names_the_key_and_a_correct_line() {
    let fixture = handbook(&[]);
    let mut expected = Vec::new();
    for (folder, key, value, message, example) in WRONG_TYPES {
        let file = if folder == "decisions" {
            format!("decisions/0001-{key}.md")
        } else {
            format!("{folder}/{key}.md")
        };
        fixture.edit(&file, &format!("---\n# wrong type\n{key}: {value}\n---\n"));
        let column = key.len() + 3;
        expected.push((
            format!("{file}:3:{column}: error[front-matter]: {key}: {message}"),
            format!("write it like `{example}`"),
        ));
    }
    // More than 20 findings of one code: human output shows 20 and a table, `-v` all of them.
    let capped = build(&fixture);
    assert_eq!(findings(&capped).len(), 20, "{}", capped.stderr);
    assert!(
        capped
            .stderr
            .contains("(the first 20 of each code; `--format json` lists all):"),
        "{}",
        capped.stderr
    );
    assert!(
        capped
            .stderr
            .contains(&format!("  {:>7} error   front-matter", expected.len())),
        "{}",
        capped.stderr
    );
    let run = fixture.run_limited(&["build", "-v"], LIMIT);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut found: Vec<String> = findings(&run).into_iter().map(str::to_string).collect();
    found.sort();
    expected.sort();
    let lines: Vec<&String> = expected.iter().map(|(line, _)| line).collect();
    assert_eq!(found.iter().collect::<Vec<_>>(), lines, "{}", run.stderr);
    for (line, help) in &expected {
        assert_eq!(help_of(&run, line), help);
    }
}

#[test]
fn dates_in_odd_formats_are_read_or_reported_with_the_format_to_use() {
    let good = [
        "2026-03-14",
        "\"2026-03-14\"",
        "2026-03-14T10:00:00Z",
        "2026-03-14 10:00",
        "2026-03-14T10:00:00.250+05:30",
        "2026-03-14 10:00:00 +0100",
    ];
    let bad = [
        "2026-13-45",
        "2026-02-30",
        "14/03/2026",
        "14.03.2026",
        "March 14, 2026",
        "2026-3-4",
        "20260314",
        "2026-03-14T25:00:00Z",
        "2026-03-14 10:00 CET",
        "1e9",
        "''",
    ];
    let fixture = handbook(&[]);
    for (index, date) in good.iter().enumerate() {
        fixture.edit(
            &format!("good/{index}.md"),
            &format!("---\ntitle: Good {index}\ndate: {date}\n---\n"),
        );
    }
    let run = build(&fixture);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (index, date) in good.iter().enumerate() {
        let page = fixture.html(&format!("good/{index}/"));
        assert_eq!(
            page.attrs("main time", "datetime")
                .first()
                .map(String::as_str),
            Some("2026-03-14"),
            "{date}"
        );
    }
    for (index, date) in bad.iter().enumerate() {
        fixture.edit(
            &format!("bad/{index}.md"),
            &format!("---\ntitle: Bad {index}\ndate: {date}\n---\n"),
        );
    }
    let run = build(&fixture);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = findings(&run);
    assert_eq!(found.len(), bad.len(), "{}", run.stderr);
    for (index, date) in bad.iter().enumerate() {
        let shown = match *date {
            "''" => String::new(),
            "1e9" => "1000000000".into(),
            _ => date.to_string(),
        };
        let line = format!(
            "bad/{index}.md:3:1: error[front-matter]: `date`: '{shown}' is not a date; write it as YYYY-MM-DD, like 2026-03-14"
        );
        assert!(found.contains(&line.as_str()), "{line}\n{}", run.stderr);
    }
}

#[test]
fn a_ten_megabyte_page_builds_and_is_searchable() {
    let fixture = handbook(&[]);
    let paragraph = "The quick brown fox jumps over the lazy dog near the river bank. ".repeat(16);
    let mut text = String::from("# Big\n\n");
    while text.len() < 10 << 20 {
        text.push_str(&paragraph);
        text.push_str("\n\n");
    }
    text.push_str("## Last\n\nxylophonic marker at the very end.\n");
    fixture.edit("big.md", &text);
    let run = build(&fixture);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = fixture.html("big/");
    assert_eq!(page.attrs("main h2", "id"), ["last"]);
    let search = fixture.run_limited(&["search", "xylophonic", "--json"], LIMIT);
    assert_eq!(search.code, 0, "{}", search.stderr);
    let hits: serde_json::Value = serde_json::from_str(&search.stdout).unwrap();
    assert_eq!(hits["hits"][0]["url"], "/big/#last", "{}", search.stdout);
}

#[test]
fn lists_and_quotes_nested_hundreds_deep_render() {
    let fixture = handbook(&[]);
    let lists: String = (0..500)
        .map(|depth| format!("{}- level {depth}\n", "  ".repeat(depth)))
        .collect();
    fixture.edit("lists.md", &format!("# Lists\n\n{lists}"));
    fixture.edit(
        "quotes.md",
        &format!("# Quotes\n\n{} deep\n", ">".repeat(500)),
    );
    fixture.edit(
        "abyss.md",
        &format!("# Abyss\n\n{} deeper\n", ">".repeat(100_000)),
    );
    let run = build(&fixture);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(fixture.html("lists/").count("main .content li"), 500);
    assert_eq!(
        fixture.html("quotes/").count("main .content blockquote"),
        500
    );
    assert!(fixture.read("abyss/index.html").contains("deeper"));
}

#[test]
fn very_long_lines_and_pathological_markdown_build() {
    let fixture = handbook(&[]);
    let cases = [
        (
            "one-word",
            format!("# One word\n\n{}\n", "a".repeat(2 << 20)),
        ),
        (
            "long-line",
            format!("# Long line\n\n{}\n", "word ".repeat(400_000)),
        ),
        (
            "brackets",
            format!("# Brackets\n\n{}\n", "[".repeat(100_000)),
        ),
        (
            "emphasis",
            format!("# Emphasis\n\n{}\n", "*a _b ".repeat(50_000)),
        ),
        (
            "backticks",
            format!("# Backticks\n\n{}\n", "`a".repeat(50_000)),
        ),
        (
            "open-tags",
            format!("# Open tags\n\n{}\n", "<div>".repeat(20_000)),
        ),
        (
            "wikilinks",
            format!("# Wikilinks\n\n{}\n", "[[".repeat(50_000)),
        ),
        (
            "headings",
            format!("# Headings\n\n{}", "## Same\n\ntext\n\n".repeat(20_000)),
        ),
        ("nul", "# N\u{0}ul\n\nbody \u{0} text\n".to_string()),
        (
            "entities",
            format!(
                "# Entities\n\n{}\n",
                "&#x10FFFF; &#0; &#xD800; &amp".repeat(5_000)
            ),
        ),
    ];
    for (name, text) in &cases {
        fixture.edit(&format!("{name}.md"), text);
    }
    let run = build(&fixture);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (name, _) in &cases {
        assert!(
            fixture.output().join(name).join("index.html").is_file(),
            "{name}"
        );
    }
    let headings = fixture.html("headings/");
    assert_eq!(headings.attrs("main h2", "id")[19_999], "same-19999");
    assert!(!fixture.read("nul/index.html").contains('\u{0}'));
}

/// Markup in every kind of front-matter text: a page, a person, a team, a decision and an
/// update, so it reaches page bodies, the navigation, listings, people tables, feeds and search.
const PAYLOAD: &str = "</script><script>alert(1)</script><img src=x onerror=alert(2)>";

#[test]
fn markup_in_front_matter_is_escaped_in_pages_navigation_feeds_and_search() {
    let quoted = format!("\"{}\"", PAYLOAD.replace('"', "\\\""));
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n\n[page](docs/page.md)\n"),
        (
            "handbook.yml",
            "title: \"Site <b>bold</b>\"\nbase_url: https://example.org/\ncheck:\n  orphans: false\n",
        ),
        (
            "docs/page.md",
            &format!(
                "---\ntitle: {quoted}\ndescription: {quoted}\ntags: [{quoted}]\nowner: mal\nupdated: 2026-11-18\n---\n\nBody.\n"
            ),
        ),
        (
            "people/mal.md",
            &format!(
                "---\nname: {quoted}\nrole: {quoted}\nlocation: {quoted}\npronouns: {quoted}\nchannels: [{quoted}]\nresponse_time: {quoted}\ntimezone: Europe/Berlin\nteam: evil\n---\n"
            ),
        ),
        (
            "teams/evil.md",
            &format!(
                "---\nname: {quoted}\nmembers: [mal]\nask_about: [{quoted}]\nescalation_policy: {quoted}\nchannels: [{quoted}]\n---\n"
            ),
        ),
        (
            "decisions/0001-use-x.md",
            &format!(
                "---\ntitle: {quoted}\nstatus: accepted\ndate: 2026-11-02\ndeciders: [mal]\nteam: evil\n---\n\n## Context\n\nX.\n"
            ),
        ),
        (
            "updates/2026-11-20-week.md",
            &format!(
                "---\ntitle: {quoted}\nsummary: {quoted}\nauthor: mal\nteam: evil\n---\n\nDone.\n"
            ),
        ),
    ]);
    let run = build(&fixture);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let mut checked = 0;
    for entry in walkdir::WalkDir::new(fixture.output()) {
        let entry = entry.unwrap();
        let path = entry.path();
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(extension, "html" | "xml") {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        for raw in ["<script>alert", "<img src=x", "<b>bold"] {
            assert!(!text.contains(raw), "{raw} unescaped in {}", path.display());
        }
        checked += 1;
    }
    assert!(checked > 15, "only {checked} files checked");

    // Escaped once, not twice: readers see the text as written.
    let page = fixture.html("docs/page/");
    assert_eq!(page.texts("main h1"), [PAYLOAD]);
    assert!(page.texts("nav a").iter().any(|text| text == PAYLOAD));
    assert_eq!(fixture.html("people/mal/").texts("main h1"), [PAYLOAD]);
    assert_eq!(fixture.html("teams/evil/").texts("main h1"), [PAYLOAD]);
    for feed in [
        "updates/feed.xml",
        "updates/team/evil/feed.xml",
        "decision-log/feed.xml",
        "changes/pages.xml",
        "changes/feed.xml",
    ] {
        let parsed: atom_syndication::Feed = fixture.read(feed).parse().unwrap();
        assert!(
            feed == "changes/feed.xml"
                || parsed
                    .entries()
                    .iter()
                    .any(|entry| entry.title().value.contains(PAYLOAD)),
            "{feed}: {}",
            fixture.read(feed)
        );
        for entry in parsed.entries() {
            let content = entry.content().and_then(|c| c.value()).unwrap_or("");
            assert!(!content.contains("<script>alert"), "{feed}: {content}");
        }
    }
    let search = fixture.run_limited(&["search", "alert", "--json"], LIMIT);
    let hits: serde_json::Value = serde_json::from_str(&search.stdout).unwrap();
    let titles: Vec<&str> = hits["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|hit| hit["title"].as_str())
        .collect();
    assert!(titles.contains(&PAYLOAD), "{}", search.stdout);
}

#[test]
fn file_names_with_spaces_unicode_and_url_characters_get_working_urls() {
    let fixture = handbook(&[]);
    let names = [
        ("file with spaces", "/file%20with%20spaces/"),
        ("ünïcödé", "/%C3%BCn%C3%AFc%C3%B6d%C3%A9/"),
        ("hash#name", "/hash%23name/"),
        ("q?name", "/q%3Fname/"),
        ("pct%20name", "/pct%2520name/"),
    ];
    let mut index = String::from("# Home\n\n");
    for (name, _) in names {
        fixture.edit(&format!("{name}.md"), &format!("# Page {name}\n"));
        let encoded: String = name
            .chars()
            .map(|c| match c {
                ' ' => "%20".to_string(),
                '#' => "%23".to_string(),
                '?' => "%3F".to_string(),
                '%' => "%25".to_string(),
                _ => c.to_string(),
            })
            .collect();
        index.push_str(&format!("- [{name}]({encoded}.md)\n"));
    }
    index.push_str("- [angle](<file with spaces.md>)\n");
    fixture.edit("index.md", &index);
    let run = build(&fixture);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(findings(&run), Vec::<&str>::new());
    let home = fixture.html("");
    let links = home.attrs("main .content a", "href");
    for (name, url) in names {
        assert!(links.contains(&url.to_string()), "{url} in {links:?}");
        let page = fixture.output().join(name).join("index.html");
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(html.contains(&format!("Page {name}")), "{name}");
    }
    assert_eq!(
        links
            .iter()
            .filter(|href| *href == "/file%20with%20spaces/")
            .count(),
        2
    );
}

#[test]
fn file_names_that_differ_only_in_case_are_a_clear_error() {
    let fixture = handbook(&[]);
    fixture.edit("Guide.md", "# Guide upper\n");
    fixture.edit("guide.md", "# Guide lower\n");
    let run = fails_with(
        &fixture,
        &[
            "guide.md: error[duplicate-output]: the page 'Guide.md' and the page 'guide.md' both publish to 'guide/index.html'",
        ],
    );
    assert!(
        help_of(&run, "guide.md:").contains("paths that differ only in case clash"),
        "{}",
        run.stderr
    );
}

#[test]
fn symlink_loops_are_skipped_with_a_warning() {
    let fixture = handbook(&[]);
    let root = &fixture.root;
    std::os::unix::fs::symlink("b.md", root.join("a.md")).unwrap();
    std::os::unix::fs::symlink("a.md", root.join("b.md")).unwrap();
    std::os::unix::fs::symlink("self.md", root.join("self.md")).unwrap();
    std::fs::create_dir(root.join("loop")).unwrap();
    std::os::unix::fs::symlink("..", root.join("loop/up")).unwrap();
    std::os::unix::fs::symlink("../loop", root.join("loop/again")).unwrap();
    fixture.edit("loop/inside.md", "# Inside\n");
    let run = build(&fixture);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        findings(&run),
        [
            "a.md: warning[symlink]: symlink is broken or loops; skipped",
            "b.md: warning[symlink]: symlink is broken or loops; skipped",
            "self.md: warning[symlink]: symlink is broken or loops; skipped",
        ]
    );
    assert_eq!(fixture.html("loop/inside/").texts("main h1"), ["Inside"]);
    assert!(!fixture.output().join("loop/up").exists());
    assert!(!fixture.output().join("loop/again").exists());
}

#[test]
fn named_pipes_are_skipped_not_read() {
    let fixture = handbook(&[]);
    let status = std::process::Command::new("mkfifo")
        .arg(fixture.root.join("pipe.md"))
        .arg(fixture.root.join("pipe.png"))
        .status()
        .unwrap();
    assert!(status.success());
    std::os::unix::fs::symlink("pipe.md", fixture.root.join("link.md")).unwrap();
    let run = build(&fixture);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        findings(&run),
        [
            "link.md: warning[special-file]: not a regular file (a pipe, socket or device); skipped",
            "pipe.md: warning[special-file]: not a regular file (a pipe, socket or device); skipped",
            "pipe.png: warning[special-file]: not a regular file (a pipe, socket or device); skipped",
        ]
    );
}

/// Runs `handbook check` as an unprivileged user when the tests run as root (root reads any
/// file, so permissions alone cannot make one unreadable).
fn check_as_unprivileged(fixture: &Fixture) -> Run {
    let running_as_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.starts_with(b"0\n"));
    let binary = env!("CARGO_BIN_EXE_handbook");
    let mut command = if running_as_root {
        use std::os::unix::fs::PermissionsExt as _;
        for dir in [fixture.parent(), fixture.root.as_path()] {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let mut command = std::process::Command::new("setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups", binary]);
        command
    } else {
        std::process::Command::new(binary)
    };
    let output = command
        .arg("check")
        .current_dir(&fixture.root)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1795392000")
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn unreadable_files_and_folders_are_errors_naming_them() {
    use std::os::unix::fs::PermissionsExt as _;
    let fixture = handbook(&[]);
    fixture.edit("secret.md", "# Secret\n");
    fixture.edit("private/notes.md", "# Notes\n");
    let no_access = std::fs::Permissions::from_mode(0o000);
    std::fs::set_permissions(fixture.root.join("secret.md"), no_access.clone()).unwrap();
    std::fs::set_permissions(fixture.root.join("private"), no_access).unwrap();
    let run = check_as_unprivileged(&fixture);
    std::fs::set_permissions(
        fixture.root.join("private"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = findings(&run);
    assert_eq!(found.len(), 2, "{}", run.stderr);
    assert!(
        found[0].starts_with("private: error[unreadable]: cannot read: ")
            && found[0].contains("Permission denied"),
        "{}",
        run.stderr
    );
    assert_eq!(
        found[1],
        "secret.md: error[unreadable]: cannot read: Permission denied (os error 13)"
    );
    assert_eq!(help_of(&run, "secret.md"), "check the file's permissions");
}

fn with_theme_template(template: &str) -> Fixture {
    let fixture = handbook(&[]);
    fixture.edit("themes/default/templates/page.html", template);
    fixture
}

#[test]
fn a_syntax_error_in_an_overridden_template_names_its_file_and_line() {
    let fixture = with_theme_template(
        "{% extends \"base.html\" %}\n{% block content %}\n{{ page.title | nosuchfilter }}\n{% endblock %}\n",
    );
    let run = build(&fixture);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(
            "error: themes/default/templates/page.html:3:17: Unknown filter `nosuchfilter`\n  |\n3 | {{ page.title | nosuchfilter }}\n"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "help: fix the template, or delete it from themes/default to use the built-in one"
        ),
        "{}",
        run.stderr
    );
    assert!(!fixture.output().exists());
}

#[test]
fn a_rendering_error_in_an_overridden_template_names_the_page_and_the_template_line() {
    let fixture = with_theme_template(
        "{% extends \"base.html\" %}\n{% block content %}\n{{ page.nosuch.field }}\n{% endblock %}\n",
    );
    let run = build(&fixture);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = findings(&run);
    assert_eq!(found.len(), 1, "{}", run.stderr);
    assert!(
        found[0].starts_with(
            "index.md: error[template]: template page.html failed: themes/default/templates/page.html:3:9: Field `nosuch` is not defined."
        ),
        "{}",
        run.stderr
    );
    assert!(!fixture.output().exists());
}
