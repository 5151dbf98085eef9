//! Repositories as teams already have them: markdown as GitHub renders it, files where
//! repositories keep them, navigation that reaches every page, decision logs in mixed formats,
//! and output a person can read. Fixtures are written here, in our own words.

use crate::harness::Fixture;

/// Finding lines (`path:line:col: severity[code]: message`) of a run, without help lines.
fn findings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| line.contains("warning[") || line.contains("error["))
        .collect()
}

#[test]
fn markdown_is_read_as_github_renders_it() {
    let fixture = Fixture::with_files(&[
        (
            "handbook.yml",
            "repo_url: https://github.com/acme/handbook\n",
        ),
        (
            "index.md",
            "# Home with [a](docs/a.md) and `code`\n\n\
             Euclidean[[1]](https://example.org/cite) distance, [[Prototype]] slots, \
             [[Deploy guide]] and [b](docs/b.md).\n\n\
             [legacy](docs/a.md#legacy) [intro](docs/a.md#Intro) [folder](docs/) [same](#home-with-a-and-code)\n\n\
             `[[Call]]` stays code. [own](https://github.com/acme/handbook/blob/main/handbook/docs/b.md) \
             [tests](tests/)\n",
        ),
        (
            "docs/a.md",
            "# A\n\n## Intro\n\n<a name=\"legacy\"></a>Old anchor. <span id=\"Mixed\">x</span>\n\n\
             [sibling](../b/) [workflow](../.github/workflows/ci.yml) [mixed](#Mixed)\n",
        ),
        ("docs/b.md", "---\ntitle: Deploy guide\n---\nBody.\n"),
        ("docs/c.md", "# Use `serde` *now*\n"),
        (".github/workflows/ci.yml", "on: push\n"),
        ("tests/run.sh", "echo ok\n"),
        ("notes.md", "# <!-- generated, do not edit -->\n\nText.\n"),
    ]);
    let run = fixture.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        findings(&run.stderr),
        [
            "docs/a.md:7:18: warning[unpublished-link]: '.github/workflows/ci.yml' exists but is not published (dot folder)",
            "index.md:7:93: warning[broken-link]: 'tests/' is a folder without pages (linked as 'tests/')",
        ],
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "help: link it on the forge instead: https://github.com/acme/handbook/blob/HEAD/handbook/.github/workflows/ci.yml"
        ),
        "{}",
        run.stderr
    );
    // `#Intro` works (linked to `#intro`, as GitHub resolves it): reported only with --strict.
    let strict = fixture.run(&["check", "--strict"]);
    assert!(
        strict.stderr.contains(
            "index.md:5:28: warning[broken-anchor]: 'docs/a.md' has no anchor '#Intro'; \
             linked to '#intro', which differs only in case\n  \
             help: did you mean '#intro'? anchors are case-sensitive in browsers"
        ),
        "{}",
        strict.stderr
    );

    fixture.build();
    let home = fixture.html("");
    // The citation keeps its link; the text around it is untouched.
    assert_eq!(
        home.attrs("main a[href='https://example.org/cite']", "href")
            .len(),
        1
    );
    assert_eq!(
        home.texts("main a[href='https://example.org/cite']"),
        ["[1]"]
    );
    let text = home.texts("main p").join(" ");
    assert!(text.contains("[[Prototype]] slots"), "{text}");
    assert!(text.contains("[[Call]] stays code"), "{text}");
    assert_eq!(home.texts("main a[href='/docs/']"), ["folder"]);
    // A wrong-case anchor opens the anchor GitHub would; the forge URL of an own file opens it here.
    assert_eq!(home.texts("main a[href='/docs/a/#intro']"), ["intro"]);
    assert_eq!(
        home.texts("main a[href='/docs/b/']"),
        ["Deploy guide", "b", "own"]
    );
    // An HTML comment is not a title.
    assert_eq!(fixture.html("notes/").texts("main h1")[0], "Notes");
    // Markdown in the title is rendered on the page and plain elsewhere.
    let html = fixture.read_resolved("index.html");
    assert!(
        html.contains("<h1>Home with <a href=\"/docs/a/\">a</a> and <code>code</code></h1>"),
        "{html}"
    );
    let c = fixture.read("docs/c/index.html");
    assert!(c.contains("<title>Use serde now"), "{c}");
    assert!(
        c.contains("<h1>Use <code>serde</code> <em>now</em></h1>"),
        "{c}"
    );
    assert_eq!(
        fixture
            .html("docs/c/")
            .texts(".sidebar [aria-current='page']"),
        ["Use serde now"]
    );
    let a = fixture.html("docs/a/");
    // `../b/` works from the page's URL on the built site: rewritten to its target.
    assert_eq!(
        a.attrs("main p a", "href"),
        // (the link out of the site stays as written, `../.github/…`, read here from the page)
        ["/docs/b/", "/docs/.github/workflows/ci.yml", "#Mixed"]
    );
}

#[test]
fn links_in_raw_html_are_checked_and_rewritten_like_markdown_links() {
    let fixture = Fixture::with_files(&[
        (
            "index.md",
            "# Home\n\n<div class=\"tiles\">\n<a href=\"team/index.md\" class=\"tile\">Team</a>\n\
             <a href=\"team/nope.md\">Nope</a> <img src=\"team/logo.png\" alt=\"\">\n\
             <!-- <a href=\"old.md\">old</a> -->\n</div>\n",
        ),
        ("team/index.md", "# Team\n"),
    ]);
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        findings(&run.stderr),
        [
            "index.md:5:10: warning[broken-link]: no page or file at 'team/nope.md' (linked as 'team/nope.md')",
            "index.md:5:43: warning[missing-image]: no page or file at 'team/logo.png' (linked as 'team/logo.png')",
        ]
    );
    let home = fixture.html("");
    assert_eq!(home.attrs("main a.tile", "href"), ["/team/"]);
    assert_eq!(
        fixture.html("team/").texts(".backlinks a"),
        ["Home"],
        "a raw HTML link is a backlink too"
    );
}

#[test]
fn what_browsers_forgive_is_not_reported() {
    let fixture = Fixture::with_files(&[
        (
            "index.md",
            "# Home\n\n[top](#top) ![logo](.\\graphics\\logo.png) [next]({ADR_SLUG}.md) \
             [loop](docs/a.md#loop--tie)\n",
        ),
        ("graphics/logo.png", "png"),
        ("docs/a.md", "# A\n\n## Loop tie\n"),
    ]);
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        findings(&run.stderr),
        [
            "index.md:3:64: warning[broken-anchor]: 'docs/a.md' has no heading or anchor '#loop--tie'"
        ],
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("  help: did you mean '#loop-tie'?\n"),
        "not a case problem: {}",
        run.stderr
    );
    assert_eq!(
        fixture.html("").attrs("main img", "src"),
        ["/graphics/logo.png"],
        "a backslash path is read as a browser reads it"
    );
}

#[test]
fn template_code_of_other_generators_is_reported_once_per_file() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n\n[a](a.md) [b](b.md) [c](c.md)\n"),
        (
            "a.md",
            "# A\n\nIntro.\n\n{% include note.html %} and {{ site.title }}\n\n{% raw %}\n",
        ),
        (
            "b.md",
            "# B\n\n`{% include x %}` in code.\n\n```\n{{ site.title }}\n```\n",
        ),
        ("c.md", "import Tabs from '@theme/Tabs';\n\n# C\n\nText.\n"),
        ("d.md", "# D\n\n::: tip\nRead this.\n:::\n"),
    ]);
    let run = fixture.run(&["check"]);
    assert_eq!(
        findings(&run.stderr),
        [
            "a.md:5:1: warning[template-syntax]: `{% include note.html %}` is template code of another generator (Liquid, Jinja, Hugo, MDX, VitePress); handbook publishes it as text",
            "c.md:1:1: warning[template-syntax]: `import Tabs from '@theme/Tabs';` is template code of another generator (Liquid, Jinja, Hugo, MDX, VitePress); handbook publishes it as text",
            "d.md:3:1: warning[template-syntax]: `::: tip` is template code of another generator (Liquid, Jinja, Hugo, MDX, VitePress); handbook publishes it as text",
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn titles_leave_out_badges_and_sections_and_records_drop_their_number() {
    let fixture = Fixture::with_files(&[
        (
            "badges.md",
            "[![CI](https://ci.example.org/badge.svg)](https://ci.example.org)\n\n# Project *name* ![v](https://img.example.org/v.svg)\n\nText.\n",
        ),
        (
            "rfcs/0002-process.md",
            "- Start: 2014\n\n# Summary\n\nText.\n",
        ),
        (
            "decisions/0007-use-nats.md",
            "Status: accepted\n\nNo heading here.\n",
        ),
        ("decisions/0008-pick-db/index.md", "Status: proposed\n"),
        ("braces.md", "# {Title placeholder}\n\nText.\n"),
    ]);
    fixture.build();
    let badges = fixture.html("badges/");
    assert_eq!(badges.texts("main h1"), ["Project name"]);
    assert_eq!(badges.count("main h1 img"), 0);
    assert_eq!(badges.count("main h1 em"), 1);
    // A `# Summary` after the opening list is a section, not the title.
    assert_eq!(
        fixture.html("rfcs/0002-process/").texts("main h1"),
        ["0002 process", "Summary\u{a0}#"]
    );
    assert_eq!(
        fixture.html("decisions/0007-use-nats/").texts("main h1"),
        ["Use nats"]
    );
    assert_eq!(
        fixture.html("decisions/0008-pick-db/").texts("main h1"),
        ["Pick db"]
    );
    assert_eq!(
        fixture.html("braces/").texts("main h1"),
        ["Title placeholder"]
    );
}

#[test]
fn files_are_published_where_repositories_keep_them() {
    let fixture = Fixture::with_files(&[
        ("handbook.yml", "exclude: [\"drafts/**\"]\n"),
        (
            "index.md",
            "# Home\n\n![logo](.gitbook/assets/logo.png) [guide](guide/)\n",
        ),
        ("guide/index.md", "# Guide\n"),
        ("guide/README.md", "# Guide readme\n"),
        ("reference/_colon_x/page.md", "# Colon page\n"),
        (".gitbook/assets/logo.png", "png"),
        (".gitbook/notes.md", "# Not published\n"),
        (".github/contributing.md", "# Contributing\n"),
        ("drafts/idea.md", "# Idea\n"),
        ("404.md", "# Lost?\n\nTry the search.\n"),
    ]);
    let run = fixture.run(&["build", "-v"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(findings(&run.stderr).is_empty(), "{}", run.stderr);
    for line in [
        "  skipped .github/ (dot folder): 1 markdown file",
        "  skipped .gitbook/notes.md (in a dot folder): 1 markdown file",
        "  skipped drafts/ (matches an `exclude:` pattern): 1 markdown file",
    ] {
        assert!(run.stderr.contains(line), "{line}\n{}", run.stderr);
    }
    assert!(
        run.stderr.contains("3 markdown files skipped in"),
        "{}",
        run.stderr
    );
    let quiet = fixture.run(&["check"]);
    assert!(
        quiet
            .stderr
            .contains("3 markdown files skipped (-v lists them)"),
        "{}",
        quiet.stderr
    );
    assert_eq!(fixture.read(".gitbook/assets/logo.png"), "png");
    assert!(!fixture.output().join(".gitbook/notes.md").exists());
    assert_eq!(fixture.html("guide/").texts("main h1"), ["Guide"]);
    assert_eq!(
        fixture.html("guide/readme/").texts("main h1"),
        ["Guide readme"]
    );
    assert_eq!(
        fixture.html("reference/_colon_x/page/").texts("main h1"),
        ["Colon page"]
    );
    let not_found = fixture.html("404.html");
    assert_eq!(not_found.texts("main h1"), ["Lost?"]);
    assert_eq!(
        fixture.html("").count(".sidebar a[href='/404/']"),
        0,
        "the 404 page is not in navigation"
    );
}

#[cfg(unix)]
#[test]
fn a_readme_symlinked_to_index_is_one_page() {
    let fixture = Fixture::with_files(&[("docs/index.md", "# Docs\n"), ("index.md", "# Home\n")]);
    std::os::unix::fs::symlink("index.md", fixture.root.join("docs/README.md")).unwrap();
    let run = fixture.run(&["build", "-v"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(findings(&run.stderr).is_empty(), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("  skipped docs/README.md (symlink to docs/index.md, which is published)"),
        "{}",
        run.stderr
    );
    assert!(!fixture.output().join("docs/readme").exists());
}

#[test]
fn a_static_404_file_replaces_the_built_in_page() {
    let fixture =
        Fixture::with_files(&[("index.md", "# Home\n"), ("404.html", "<h1>Our own</h1>")]);
    fixture.build();
    assert_eq!(fixture.read("404.html"), "<h1>Our own</h1>");
}

#[test]
fn names_that_cannot_become_urls_are_the_same_warning_in_check_and_build() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n"),
        ("a\\b.md", "# Backslash\n"),
        ("c\u{1}d.md", "# Control\n"),
    ]);
    let expected = [
        "a\\\\b.md: warning[file-name]: the file name has a backslash, a control character or (at the top) a `:`, so it cannot become a URL; the file is not published",
        "c\\u{1}d.md: warning[file-name]: the file name has a backslash, a control character or (at the top) a `:`, so it cannot become a URL; the file is not published",
    ];
    let check = fixture.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert_eq!(findings(&check.stderr), expected);
    let build = fixture.run(&["build"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert_eq!(findings(&build.stderr), expected);
    assert!(!build.stderr.contains("internal error"), "{}", build.stderr);
}

#[test]
fn the_sidebar_and_folder_listings_reach_every_page() {
    let mut files = vec![("index.md".to_string(), "# Home\n".to_string())];
    files.push(("big/index.md".into(), "# Big\n".into()));
    for n in 0..45 {
        files.push((format!("big/p{n:02}.md"), format!("# Page {n:02}\n")));
    }
    files.push(("bare/deep/leaf.md".into(), "# Leaf\n".into()));
    files.push(("guide.md".into(), "# Guide\n".into()));
    files.push(("guide/one.md".into(), "# Part one\n".into()));
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    let fixture = Fixture::with_files(&borrowed);
    let run = fixture.run(&["check", "--strict"]);
    assert_eq!(run.code, 0, "no orphans: {}", run.stderr);
    fixture.build();
    let page = fixture.html("big/p00/");
    assert_eq!(page.texts(".sidebar .nav-more"), ["5 more…"]);
    assert_eq!(
        page.attrs(".sidebar a.nav-more", "href"),
        ["/big/all-pages/"]
    );
    let all = fixture.html("big/all-pages/");
    assert_eq!(all.count("main .cards a"), 45);
    assert_eq!(all.texts(".breadcrumbs a"), ["Home", "Big"]);
    let bare = fixture.html("bare/");
    assert_eq!(bare.texts("main .cards a"), ["Deep"]);
    assert_eq!(fixture.html("bare/deep/").texts("main .cards a"), ["Leaf"]);
    assert_eq!(
        fixture.html("bare/deep/leaf/").texts(".breadcrumbs a"),
        ["Home", "Bare", "Deep"],
        "folders without a landing page are crumbs too, linking their listings"
    );
    assert_eq!(
        fixture.html("").attrs(".sidebar a[href='/bare/']", "href"),
        ["/bare/"]
    );
    // `guide.md` beside `guide/` is that folder's page: one entry, holding the folder's pages.
    let one = fixture.html("guide/one/");
    assert_eq!(one.count(".sidebar a[href='/guide/']"), 1);
    assert_eq!(
        one.texts(".sidebar li.section.open > ul > li > a"),
        ["Part one"]
    );
    assert_eq!(one.texts(".breadcrumbs a"), ["Home", "Guide"]);
}

#[test]
fn decision_logs_in_mixed_formats_build_and_strict_catches_their_problems() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n"),
        (
            "docs/adr/0001-use-a.md",
            "# 1. Use A\n\nDate: 2020-01-01\n\n## Status\n\nRejected\n",
        ),
        (
            "docs/adr/0002-use-b.md",
            "# 2. Use B\n\n* Status: superseded by ADR-0003\n",
        ),
        (
            "docs/adr/0003-use-c.md",
            "# Use C\n\n**Status:** Accepted\n",
        ),
        (
            "docs/adr/0004-use-d.md",
            "---\nstatus: Partly superseded\n---\n# Use D\n",
        ),
        (
            "docs/adr/0005-use-e.md",
            "# Use E\n\n### Status\n\nGathering information\n",
        ),
        ("docs/adr/0005-use-f.md", "# Use F\n\nStatus: accepted\n"),
        (
            "docs/adr/0006-use-g/index.md",
            "# Use G\n\nStatus: proposed\n",
        ),
        ("docs/adr/0006-use-g/notes.md", "# Notes on G\n"),
        (
            "docs/adr/template.md",
            "---\ndate: {YYYY-MM-DD}\n---\n# Title\n\n## Status\n\nWhat is the status?\n\n\
             See [the previous one](yyyymmdd-title.md).\n",
        ),
        (
            "docs/adr/20240110-old-way.md",
            "# Old way\n\n- Status: superseded by [new way](20240301-new-way.md)\n",
        ),
        (
            "docs/adr/20240301-new-way.md",
            "# New way\n\n- Status: accepted\n",
        ),
        ("docs/adr/README.md", "# Decisions\n"),
    ]);
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        findings(&run.stderr),
        [
            "docs/adr/0005-use-e.md:5:1: warning[decision-status]: unknown status 'Gathering information'",
            "docs/adr/0005-use-f.md: warning[decision-number]: decision number 5 is also used by 'docs/adr/0005-use-e.md'",
        ],
        "{}",
        run.stderr
    );
    let log = fixture.html("decision-log/");
    assert_eq!(
        log.texts(".log-table tbody td:first-child"),
        ["8", "7", "6", "5", "5", "4", "3", "2", "1"]
    );
    assert_eq!(
        log.texts(".log-table tbody .status"),
        [
            "accepted",
            "superseded",
            "proposed",
            "accepted",
            "proposed",
            "accepted",
            "accepted",
            "superseded",
            "rejected"
        ]
    );
    // Date-named records link each other by file name, both ways.
    let new_way = fixture.read_resolved("docs/adr/20240301-new-way/index.html");
    assert!(
        new_way.contains("href=\"/docs/adr/20240110-old-way/\""),
        "{new_way}"
    );
    // Stated on one side, linked both ways.
    let c = fixture.read_resolved("docs/adr/0003-use-c/index.html");
    assert!(c.contains("href=\"/docs/adr/0002-use-b/\""), "{c}");
    let d = fixture.read("docs/adr/0004-use-d/index.html");
    assert!(d.contains("Partly superseded"), "{d}");
    let strict = fixture.run(&["check", "--strict"]);
    assert_eq!(strict.code, 1);
    assert!(
        strict
            .stderr
            .contains("docs/adr/0005-use-e.md:5:1: error[decision-status]"),
        "{}",
        strict.stderr
    );
}

#[test]
fn links_to_a_page_with_bad_front_matter_report_only_its_error() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n\n[a](a.md) [again](a.md#x)\n"),
        ("a.md", "---\ntags: [unclosed\n---\n# A\n"),
    ]);
    let run = fixture.run(&["check"]);
    assert_eq!(run.code, 1);
    let found = findings(&run.stderr);
    assert_eq!(found.len(), 1, "{}", run.stderr);
    assert!(found[0].starts_with("a.md:2:"), "{}", run.stderr);
}

#[test]
fn git_problems_are_one_warning_that_counts_in_the_summary() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n")]);
    std::fs::remove_dir_all(fixture.parent().join(".git")).unwrap();
    let run = fixture.run(&["check"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        findings(&run.stderr),
        [
            "warning[git]: pages have no dates or authors from git: the handbook is not in a git repository"
        ]
    );
    assert!(
        run.stderr.contains("1 page, 0 errors, 1 warning"),
        "{}",
        run.stderr
    );
}

#[test]
fn without_git_on_the_path_the_warning_says_so() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n")]);
    let empty = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_handbook"))
        .args(["check"])
        .current_dir(&fixture.root)
        .env("PATH", empty.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "warning[git]: pages have no dates or authors from git: git is not installed (no `git` on PATH)"
        ),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn a_repository_owned_by_someone_else_is_named_as_the_reason() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n")]);
    let git_dir = fixture.parent().join(".git");
    // Only root can give the repository away; elsewhere the case cannot be made.
    if std::os::unix::fs::chown(&git_dir, Some(4242), Some(4242)).is_err()
        || std::os::unix::fs::chown(fixture.parent(), Some(4242), Some(4242)).is_err()
    {
        eprintln!("skipped: changing a folder's owner needs root");
        return;
    }
    let run = fixture.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning[git]: pages have no dates or authors from git: git refuses the repository because another user owns it (\"dubious ownership\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("safe.directory"), "{}", run.stderr);
}
