//! The binary's contract: exit codes, exact diagnostics, summaries, init and eject.

use crate::harness::Fixture;

#[test]
fn content_errors_print_file_line_col_and_exit_1() {
    let fixture = Fixture::new("broken");
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| !line.starts_with("  help"))
        .collect();
    assert_eq!(
        lines[..lines.len() - 1],
        [
            "docs/bad-front-matter.md:3:7: error[front-matter]: a list opened with `[` is never closed with `]`",
            "docs/links.md:5:3: warning[broken-link]: no page or file at 'docs/nope.md' (linked as 'nope.md')",
            "docs/links.md:5:33: warning[broken-anchor]: 'index.md' has no heading or anchor '#nowhere'",
            "docs/links.md:7:1: warning[missing-image]: no page or file at 'docs/missing.png' (linked as 'missing.png')",
        ]
    );
    assert!(
        run.stderr
            .contains("  help: links are relative to the linking file")
    );
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("built 4 pages, 1 error, 3 warnings"),
        "{}",
        run.stderr
    );
    assert!(
        !fixture.output().exists(),
        "a build with errors writes nothing"
    );
}

#[test]
fn warnings_pass_unless_denied() {
    let fixture = Fixture::new("broken");
    fixture.edit("docs/a/index.md", "---\nslug: x\n---\n");
    std::fs::remove_file(fixture.root.join("docs/a/index.md")).unwrap();
    std::fs::remove_file(fixture.root.join("docs/bad-front-matter.md")).unwrap();
    assert_eq!(fixture.run(&["build"]).code, 0);
    assert_eq!(fixture.run(&["build", "--deny-warnings"]).code, 1);
    assert_eq!(fixture.run(&["check", "--deny-warnings"]).code, 1);
}

#[test]
fn unknown_config_key_is_a_usage_error_with_a_hint() {
    let fixture = Fixture::with_files(&[
        ("handbook.yml", "title: X\nbase_ulr: /x/\n"),
        ("index.md", "# Home"),
    ]);
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: handbook.yml:2:1: unknown key `base_ulr`\n  help: did you mean `base_url`?\n"
    );
}

#[test]
fn check_reports_json_and_writes_nothing() {
    let fixture = Fixture::new("broken");
    let run = fixture.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["errors"], 1);
    assert_eq!(json["warnings"], 3);
    assert_eq!(json["findings"][0]["code"], "front-matter");
    assert_eq!(json["findings"][0]["line"], 3);
    assert!(!fixture.output().exists());
}

#[test]
fn bad_usage_exits_2() {
    let fixture = Fixture::with_files(&[("index.md", "# Home")]);
    assert_eq!(fixture.run(&["build", "--no-such-flag"]).code, 2);
    assert_eq!(fixture.run(&["build", "no-such-dir"]).code, 2);
}

#[test]
fn init_scaffolds_a_handbook_that_builds_and_never_overwrites() {
    let fixture = Fixture::with_files(&[]);
    let run = fixture.run(&["init", "new"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let root = fixture.root.join("new");
    for file in [
        "handbook.yml",
        "index.md",
        ".gitignore",
        ".github/workflows/handbook.yml",
        ".gitlab-ci.yml",
        "decisions/index.md",
        "people/index.md",
        "teams/index.md",
        "updates/index.md",
    ] {
        assert!(root.join(file).is_file(), "{file}");
    }
    std::fs::write(root.join("index.md"), "# Mine").unwrap();
    let again = fixture.run(&["init", "new"]);
    assert_eq!(again.code, 0);
    assert!(again.stderr.contains("kept existing"));
    assert_eq!(
        std::fs::read_to_string(root.join("index.md")).unwrap(),
        "# Mine"
    );
    let check = fixture.run(&["check", "new", "--strict"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    let build = fixture.run(&["build", "new", "--strict"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    // The CI examples are valid YAML with the steps where CI looks for them.
    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    let github: serde_json::Value =
        handbook::yaml::parse(&read(".github/workflows/handbook.yml")).unwrap();
    let steps: Vec<String> = github["jobs"]["build"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| {
            step["run"]
                .as_str()
                .or(step["uses"].as_str())
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(
        steps.contains(&"handbook check --strict --format github".to_string()),
        "{steps:?}"
    );
    assert_eq!(
        github["jobs"]["build"]["steps"][0]["with"]["fetch-depth"],
        0
    );
    let gitlab: serde_json::Value = handbook::yaml::parse(&read(".gitlab-ci.yml")).unwrap();
    assert_eq!(gitlab["pages"]["script"][1], "handbook check --strict");
    assert_eq!(gitlab["pages"]["artifacts"]["paths"][0], "public");
}

#[test]
fn theme_eject_copies_the_default_theme_once() {
    let fixture = Fixture::with_files(&[("index.md", "# Home")]);
    let run = fixture.run(&["theme", "eject"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        fixture
            .root
            .join("themes/custom/templates/page.html")
            .is_file()
    );
    assert!(
        fixture
            .root
            .join("themes/custom/static/style.css")
            .is_file()
    );
    fixture.edit(
        "themes/custom/templates/page.html",
        "{% extends \"base.html\" %}{% block content %}custom{% endblock content %}",
    );
    fixture.run(&["theme", "eject"]);
    assert!(
        std::fs::read_to_string(fixture.root.join("themes/custom/templates/page.html"))
            .unwrap()
            .contains("custom")
    );
    fixture.edit("handbook.yml", "theme: custom\n");
    fixture.build();
    assert!(fixture.read("index.html").contains("custom"));
}

#[test]
fn template_errors_name_the_page_and_the_theme_file() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home"),
        (
            "themes/default/templates/page.html",
            "{% extends \"base.html\" %}{% block content %}{{ page.nope.deeper }}{% endblock content %}",
        ),
    ]);
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("index.md: error[template]"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("themes/default/templates/page.html"),
        "{}",
        run.stderr
    );
}

#[test]
fn version_and_help_work() {
    let fixture = Fixture::with_files(&[]);
    let version = fixture.run(&["--version"]);
    assert_eq!(
        version.stdout.trim(),
        format!("handbook {}", env!("CARGO_PKG_VERSION"))
    );
    let help = fixture.run(&["build", "--help"]);
    assert!(help.stdout.contains("--base-url"));
    assert!(fixture.run(&["--help"]).stdout.contains("Examples:"));
}

#[test]
fn timings_show_each_stage_and_the_work_inside_it() {
    let fixture = Fixture::new("basic");
    let run = fixture.run(&["build", "--timings"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let row = |name: &str| {
        run.stderr
            .lines()
            .find(|line| line.trim_start().starts_with(name))
            .and_then(|line| line.trim().strip_suffix(" ms"))
            .and_then(|line| line.rsplit(' ').next())
            .and_then(|number| number.parse::<f64>().ok())
            .unwrap_or_else(|| panic!("no '{name}' row in\n{}", run.stderr))
    };
    for stage in ["load+git", "model", "render+search", "write", "total"] {
        assert!(row(stage) >= 0.0);
    }
    for work in [
        "markdown",
        "highlight",
        "templates",
        "search index",
        "search export",
    ] {
        assert!(row(work) > 0.0, "{work} took no time in\n{}", run.stderr);
    }
    assert!(row("total") >= row("render+search"));
    assert!(
        run.stderr.contains("pages: 6 rendered, 0 kept"),
        "{}",
        run.stderr
    );
    // Nothing changed: every page and the search files are kept, nothing is indexed.
    let again = fixture.run(&["build", "--timings"]);
    assert!(
        again.stderr.contains("pages: 0 rendered, 6 kept"),
        "{}",
        again.stderr
    );
    assert!(!again.stderr.contains("search index"), "{}", again.stderr);
}
