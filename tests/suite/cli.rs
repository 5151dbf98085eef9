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
    check_ci_files(&root);
}

/// The CI files `init` writes: valid YAML whose jobs check pull requests and deploy the main
/// branch, installing handbook from its git repository (never an unpublished package name).
fn check_ci_files(root: &std::path::Path) {
    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    let github: serde_json::Value =
        handbook::yaml::parse(&read(".github/workflows/handbook.yml")).unwrap();
    let jobs = &github["jobs"];
    let runs = |job: &str| -> Vec<String> {
        jobs[job]["steps"]
            .as_array()
            .unwrap_or_else(|| panic!("job {job} has steps: {github}"))
            .iter()
            .map(|step| {
                step["run"]
                    .as_str()
                    .or(step["uses"].as_str())
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert!(github["on"]["pull_request"].is_null() && github["on"].get("pull_request").is_some());
    assert_eq!(github["on"]["push"]["branches"][0], "main");
    assert!(
        github["env"]["HANDBOOK_GIT"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    // Pull requests: check, annotated.
    assert_eq!(jobs["check"]["if"], "github.event_name == 'pull_request'");
    let check = runs("check");
    assert!(
        check.contains(&"handbook check --strict --format github".to_string()),
        "{check:?}"
    );
    assert_eq!(jobs["check"]["steps"][0]["with"]["fetch-depth"], 0);
    // Main: build with the Pages base URL, upload, deploy with the Pages permissions.
    assert_eq!(jobs["build"]["if"], "github.event_name != 'pull_request'");
    let build = runs("build");
    assert!(
        build.contains(&"actions/configure-pages@v5".to_string()),
        "{build:?}"
    );
    assert!(
        build.contains(
            &"handbook build --base-url \"${{ steps.pages.outputs.base_url }}/\"".to_string()
        ),
        "{build:?}"
    );
    let upload = jobs["build"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|step| step["uses"] == "actions/upload-pages-artifact@v3")
        .expect("the site is uploaded as a Pages artifact");
    assert_eq!(upload["with"]["path"], "public");
    let cached: Vec<&str> = jobs["build"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|step| step["uses"] == "actions/cache@v4")
        .filter_map(|step| step["with"]["path"].as_str())
        .collect();
    assert!(
        cached.contains(&".handbook"),
        "the cache folder is kept: {cached:?}"
    );
    assert!(
        cached.contains(&"~/.cargo/bin/handbook"),
        "the binary is kept: {cached:?}"
    );
    assert_eq!(jobs["deploy"]["needs"], "build");
    assert_eq!(jobs["deploy"]["permissions"]["pages"], "write");
    assert_eq!(jobs["deploy"]["permissions"]["id-token"], "write");
    assert_eq!(jobs["deploy"]["environment"]["name"], "github-pages");
    assert_eq!(runs("deploy"), ["actions/deploy-pages@v4"]);
    for job in ["check", "build"] {
        let install = runs(job)
            .into_iter()
            .find(|run| run.contains("cargo install"))
            .unwrap();
        assert!(
            install.contains("cargo install --locked --git \"$HANDBOOK_GIT\""),
            "{install}"
        );
        assert!(
            install.starts_with("command -v handbook ||"),
            "cached: {install}"
        );
    }

    let gitlab: serde_json::Value = handbook::yaml::parse(&read(".gitlab-ci.yml")).unwrap();
    let install = gitlab["default"]["before_script"][1].as_str().unwrap();
    assert!(
        install.contains("cargo install --locked --git \"$HANDBOOK_GIT\""),
        "{install}"
    );
    assert!(
        gitlab["variables"]["HANDBOOK_GIT"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert_eq!(gitlab["variables"]["GIT_DEPTH"], 0);
    let caches: Vec<&str> = gitlab["default"]["cache"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|cache| cache["paths"][0].as_str())
        .collect();
    assert_eq!(caches, [".cargo/bin/", ".handbook/"]);
    assert_eq!(
        gitlab["check"]["rules"][0]["if"],
        "$CI_PIPELINE_SOURCE == \"merge_request_event\""
    );
    assert_eq!(gitlab["check"]["script"][0], "handbook check --strict");
    assert_eq!(
        gitlab["pages"]["rules"][0]["if"],
        "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"
    );
    assert_eq!(
        gitlab["pages"]["script"],
        serde_json::json!([
            "handbook check --strict",
            "handbook build --base-url \"$CI_PAGES_URL/\""
        ])
    );
    assert_eq!(gitlab["pages"]["artifacts"]["paths"][0], "public");
    // Nothing installs a package by a name no registry publishes.
    for file in [".github/workflows/handbook.yml", ".gitlab-ci.yml"] {
        assert!(!read(file).contains("cargo install handbook"), "{file}");
    }
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
