//! A pull request as an attacker would write it (issue 27): it must not publish the CI
//! machine's files or the repository's secrets, run script on the site, stall CI, drive the
//! terminal or the CI log, or write outside the handbook. Each test fails on the code before
//! the fix; the attacks that already held are kept beside them.

use std::os::unix::fs::symlink;
use std::time::Duration;

use crate::harness::{Fixture, Run};

/// Every file of the output, read as (lossy) text.
fn published(fixture: &Fixture) -> Vec<(String, String)> {
    crate::harness::snapshot(&fixture.output())
        .into_iter()
        .map(|(path, bytes)| (path, String::from_utf8_lossy(&bytes).into_owned()))
        .collect()
}

/// The diagnostic lines of a run (without the summary), for comparing `check` with `build`.
fn findings(run: &Run) -> Vec<String> {
    run.stderr
        .lines()
        .filter(|line| !line.starts_with("built ") && !line.starts_with("checked "))
        .map(str::to_string)
        .collect()
}

#[test]
fn theme_folders_never_publish_files_from_outside_the_handbook() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n")]);
    let outside = fixture.parent().join("etc");
    std::fs::create_dir_all(outside.join("templates")).unwrap();
    std::fs::write(outside.join("passwd"), "root:x:0:0:SECRET-PASSWD").unwrap();
    std::fs::write(
        outside.join("templates/page.html"),
        "SECRET-TEMPLATE {{ page.title }}",
    )
    .unwrap();
    let theme = fixture.root.join("themes/default");
    std::fs::create_dir_all(&theme).unwrap();

    let refused = |what: &str, expected: &str| {
        let run = fixture.run(&["build"]);
        assert_eq!(run.code, 2, "{what}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{what}: {}", run.stderr);
        assert!(
            !fixture.output().exists(),
            "{what}: something was published"
        );
    };
    // A symlinked static or templates folder (walkdir follows the root it is given).
    symlink(&outside, theme.join("static")).unwrap();
    refused("static -> outside", "themes/default/static is a symlink to");
    std::fs::remove_file(theme.join("static")).unwrap();
    symlink(outside.join("templates"), theme.join("templates")).unwrap();
    refused(
        "templates -> outside",
        "themes/default/templates is a symlink to",
    );
    std::fs::remove_file(theme.join("templates")).unwrap();
    // One file linked out of the theme.
    std::fs::create_dir_all(theme.join("static")).unwrap();
    symlink(outside.join("passwd"), theme.join("static/passwd.css")).unwrap();
    refused(
        "static file -> outside",
        "themes/default/static/passwd.css is a symlink that does not lead to a file of the theme",
    );
    std::fs::remove_file(theme.join("static/passwd.css")).unwrap();
    // The theme folder itself, or `themes/`, linked out.
    std::fs::remove_dir_all(fixture.root.join("themes")).unwrap();
    std::fs::create_dir_all(fixture.root.join("themes")).unwrap();
    symlink(&outside, fixture.root.join("themes/default")).unwrap();
    refused("theme -> outside", "themes/default is a symlink to");
    std::fs::remove_file(fixture.root.join("themes/default")).unwrap();
    // A theme folder that is a dot folder of the handbook (`.git`).
    std::fs::create_dir_all(fixture.root.join(".git-like")).unwrap();
    symlink(
        fixture.root.join(".git-like"),
        fixture.root.join("themes/default"),
    )
    .unwrap();
    refused(
        "theme -> dot folder",
        "outside the handbook's published files",
    );
    std::fs::remove_file(fixture.root.join("themes/default")).unwrap();
    // Theme names that climb out, or name an absolute folder.
    for theme in ["../etc", "../../etc", "/etc", ".git", "a/../../etc"] {
        fixture.edit("handbook.yml", &format!("theme: '{theme}'\n"));
        refused(theme, "handbook.yml:1:1: `theme`");
    }
    // What held: a symlink inside the theme to another file of the theme is fine.
    fixture.edit("handbook.yml", "title: T\n");
    fixture.edit("themes/default/static/brand.css", "body { color: teal }");
    symlink("brand.css", theme.join("static/alias.css")).unwrap();
    fixture.build();
    assert_eq!(fixture.read("assets/alias.css"), "body { color: teal }");
    for (path, text) in published(&fixture) {
        assert!(!text.contains("SECRET"), "{path} holds a file from outside");
    }
}

#[test]
fn symlinks_into_parts_never_published_are_not_followed() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n\n[config](leak.txt)\n"),
        ("handbook.yml", "exclude: ['drafts/**']\n"),
        ("drafts/plan.md", "# Plan\n\nSECRET-DRAFT\n"),
        (".env", "TOKEN=SECRET-ENV\n"),
        ("themes/default/templates/note.txt", "SECRET-THEME\n"),
        ("docs/real.md", "# Real\n\nvisible words\n"),
    ]);
    let git_config = fixture.parent().join(".git/config");
    let mut config = std::fs::read_to_string(&git_config).unwrap();
    config.push_str("[http]\n\textraheader = AUTHORIZATION: basic SECRET-TOKEN\n");
    std::fs::write(&git_config, config).unwrap();
    std::fs::create_dir_all(fixture.root.join(".git")).unwrap();
    std::fs::write(fixture.root.join(".git/config"), "SECRET-TOKEN").unwrap();
    for (link, target) in [
        ("leak.txt", ".git/config"),
        ("leak.md", ".git/config"),
        ("env.txt", ".env"),
        ("docs/draft.md", "../drafts/plan.md"),
        ("docs/theme.txt", "../themes/default/templates/note.txt"),
        ("docs/repo-config.txt", "../../.git/config"),
        ("git", ".git"),
    ] {
        symlink(target, fixture.root.join(link)).unwrap();
    }
    // A link to a page that is published is fine (one page, under its real name).
    symlink("real.md", fixture.root.join("docs/alias.md")).unwrap();
    let build = fixture.run(&["build"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    for expected in [
        "leak.txt: warning[symlink]: symlink points to '.git/config', which is not published (dot folder)",
        "env.txt: warning[symlink]: symlink points to '.env', which is not published (dot file)",
        "docs/draft.md: warning[symlink]: symlink points to 'drafts/plan.md', which is not published",
        "docs/theme.txt: warning[symlink]: symlink points to 'themes/default/templates/note.txt'",
        "docs/repo-config.txt: warning[symlink]: symlink points outside the handbook",
    ] {
        assert!(
            build.stderr.contains(expected),
            "{expected}\n{}",
            build.stderr
        );
    }
    let files = published(&fixture);
    for (path, text) in &files {
        assert!(!text.contains("SECRET"), "{path} publishes a secret");
    }
    assert!(files.iter().any(|(path, _)| path == "docs/real/index.html"));
    assert!(!files.iter().any(|(path, _)| path.starts_with("git/")));
    // The search index and the export are part of the output checked above; the preview
    // serves the same rules.
    let check = fixture.run(&["check"]);
    assert_eq!(findings(&check), findings(&build));
    let preview = crate::serve::Preview::start(&fixture, &[]);
    for path in [
        "/leak.txt",
        "/env.txt",
        "/docs/theme.txt",
        "/git/config",
        "/.git/config",
    ] {
        let response = preview.get(path);
        assert_eq!(response.status, 404, "{path}");
        assert!(!response.body.contains("SECRET"), "{path}");
    }
    assert_eq!(preview.get("/docs/real/").status, 200);
}

#[test]
fn a_slug_or_file_name_cannot_make_a_script_url() {
    let fixture = Fixture::with_files(&[
        ("handbook.yml", "markdown:\n  raw_html: false\n"),
        (
            "index.md",
            "---\ntitle: Home\nslug: \"javascript:alert(document.domain)<!--\"\n---\nzebra words\n",
        ),
        (
            "docs/b.md",
            "---\nslug: \"https://evil.example/x\"\n---\n# B\n",
        ),
    ]);
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for expected in [
        "index.md:3:1: error[front-matter]: `slug`: 'javascript:alert(document.domain)<!--' cannot be the last part of a URL",
        "docs/b.md:2:1: error[front-matter]: `slug`: 'https://evil.example/x' cannot be the last part of a URL",
    ] {
        assert!(run.stderr.contains(expected), "{expected}\n{}", run.stderr);
    }
    assert!(!fixture.output().exists());
    assert_eq!(findings(&fixture.run(&["check"])), findings(&run));
    // A file whose name reads like a scheme is not published; one in a folder is a site path.
    fixture.edit("index.md", "# Home\n");
    fixture.edit("docs/b.md", "# B\n");
    fixture.edit("javascript:alert(1).md", "# Zebra\n\nzebra words\n");
    fixture.edit("docs/javascript:x.md", "# Zebra two\n\nzebra words\n");
    let run = fixture.build();
    assert!(
        run.stderr
            .contains("javascript:alert(1).md: warning[file-name]"),
        "{}",
        run.stderr
    );
    let hits = fixture.run(&["search", "zebra", "--json"]);
    assert!(
        hits.stdout.contains("\"url\": \"/docs/javascript:x/\""),
        "{}",
        hits.stdout
    );
    assert!(
        !hits.stdout.contains("\"url\": \"javascript"),
        "{}",
        hits.stdout
    );
}

#[test]
fn deeply_nested_yaml_is_refused_before_parsing() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n"),
        (
            "docs/deep.md",
            &format!("---\ntitle: Deep\nextra:\n  x: {deep}\n---\n# Deep\n"),
        ),
        (
            "docs/mapping.md",
            &format!("---\nx: {}\n---\n", "{a: ".repeat(50_000)),
        ),
    ]);
    let limit = Duration::from_secs(20);
    let run = fixture.run_limited(&["check"], limit);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "docs/deep.md:4:68: error[front-matter]: YAML nests more than 64 levels deep here"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("docs/mapping.md:2:"), "{}", run.stderr);
    let build = fixture.run_limited(&["build"], limit);
    assert_eq!(findings(&build), findings(&run));
    fixture.edit("handbook.yml", &format!("title: {deep}\n"));
    let run = fixture.run_limited(&["check"], limit);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("handbook.yml:1:71: YAML nests more than 64 levels deep"),
        "{}",
        run.stderr
    );
    // What held: nesting a real file uses is read.
    fixture.edit("handbook.yml", "title: T\n");
    fixture.edit(
        "docs/deep.md",
        &format!(
            "---\nextra:\n  x: {}1{}\n---\n",
            "[".repeat(40),
            "]".repeat(40)
        ),
    );
    std::fs::remove_file(fixture.root.join("docs/mapping.md")).unwrap();
    fixture.build();
}

#[test]
fn static_files_cannot_replace_generated_ones() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n"),
        ("search/manifest.js", "alert(document.domain)"),
        ("search/t/0.js", "alert(1)"),
        ("Search/Bundle.js", "alert(2)"),
        ("search/notes.txt", "fine"),
        ("robots.txt", "User-agent: *"),
    ]);
    let build = fixture.run(&["build"]);
    assert_eq!(build.code, 1, "{}", build.stderr);
    for path in ["search/manifest.js", "search/t/0.js", "Search/Bundle.js"] {
        assert!(
            build.stderr.contains(&format!(
                "{path}: error[duplicate-output]: this file would replace the search index's '{path}'"
            )),
            "{path}\n{}",
            build.stderr
        );
    }
    assert!(
        build.stderr.contains("robots.txt: error[duplicate-output]"),
        "{}",
        build.stderr
    );
    assert!(
        !build.stderr.contains("search/notes.txt"),
        "{}",
        build.stderr
    );
    assert!(!fixture.output().exists());
    let check = fixture.run(&["check"]);
    assert_eq!(findings(&check), findings(&build));
    // Without search the folder is the handbook's.
    fixture.edit("handbook.yml", "search:\n  enabled: false\n");
    std::fs::remove_file(fixture.root.join("robots.txt")).unwrap();
    fixture.build();
    assert_eq!(fixture.read("search/manifest.js"), "alert(document.domain)");
}

#[test]
fn printed_values_cannot_drive_the_terminal_or_the_ci_log() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n"),
        ("people/ana.md", "---\nname: Ana\n---\n"),
        (
            "docs/a.md",
            "---\ntitle: \"Clear\\e[2J\\e]0;owned\\a title\"\nowner: \"nobody\\n::error file=x::injected\\n##vso[task.complete]\"\nreview_by: 2020-01-01\n---\nzebra text\n",
        ),
        (
            "decisions/0001-x.md",
            "---\ntitle: \"Record\\e[8m hidden\"\nstatus: accepted\ndate: 2026-01-01\n---\n# X\n",
        ),
    ]);
    let starts_a_command = |line: &str| {
        let line = line.trim_start();
        line.starts_with("::") || line.starts_with("##")
    };
    let clean = |what: &str, run: &Run| {
        for text in [&run.stdout, &run.stderr] {
            assert!(
                !text.contains('\x1b') && !text.contains('\x07'),
                "{what}: {text:?}"
            );
        }
        for line in run.stderr.lines() {
            assert!(!starts_a_command(line), "{what}: {line}");
        }
    };
    let build = fixture.run(&["build"]);
    clean("build", &build);
    assert!(
        build
            .stderr
            .contains("owner: nobody\n  | \\::error file=x::injected\n  | \\##vso"),
        "{}",
        build.stderr
    );
    let check = fixture.run(&["check", "--format", "github"]);
    assert!(!check.stdout.contains('\x1b'), "{:?}", check.stdout);
    for line in check.stdout.lines() {
        assert!(
            line.starts_with("::error file=") || line.starts_with("::warning file="),
            "{line}"
        );
    }
    let search = fixture.run(&["search", "zebra"]);
    clean("search", &search);
    assert!(search.stdout.contains("\\u{1b}[2J"), "{}", search.stdout);
    clean("stale", &fixture.run(&["stale"]));
    let list = fixture.run(&["decision", "list"]);
    clean("decision list", &list);
    assert!(
        list.stdout.contains("Record\\u{1b}[8m hidden"),
        "{}",
        list.stdout
    );
    // A YAML key in handbook.yml is printed in the error that stops the build.
    fixture.edit("handbook.yml", "\"titel\\n::error::injected\\e[2J\": x\n");
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 2);
    clean("config error", &run);
}

#[test]
fn cache_settings_cannot_write_outside_the_handbook() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n")]);
    for (key, value) in [
        ("git:\n  cache", "../../outside.json"),
        ("git:\n  cache", "/tmp/handbook-attack.json"),
        ("git:\n  cache", ".git/hooks/post-checkout"),
        ("check:\n  external:\n    cache", "../x.json"),
    ] {
        fixture.edit("handbook.yml", &format!("{key}: '{value}'\n"));
        let run = fixture.run(&["build"]);
        assert_eq!(run.code, 2, "{value}: {}", run.stderr);
        assert!(run.stderr.contains("handbook.yml:"), "{}", run.stderr);
        assert!(run.stderr.contains(value), "{}", run.stderr);
    }
    assert!(
        !fixture
            .parent()
            .parent()
            .unwrap()
            .join("outside.json")
            .exists()
    );
    // A symlink committed where the cache goes is not written through.
    crate::git::commit_all(fixture.parent(), "Ana", "2026-01-05T10:00:00Z", "start");
    let outside = fixture.parent().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    symlink(&outside, fixture.root.join(".handbook-cache")).unwrap();
    std::fs::write(outside.join("target"), "keep").unwrap();
    std::fs::create_dir_all(fixture.root.join(".handbook")).unwrap();
    symlink(
        outside.join("target"),
        fixture.root.join(".handbook/git.json"),
    )
    .unwrap();
    for cache in [".handbook-cache/git.json", ".handbook/git.json"] {
        fixture.edit("handbook.yml", &format!("git:\n  cache: {cache}\n"));
        let run = fixture.build();
        assert!(
            run.stderr.contains("could not write the git cache"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 1);
    assert_eq!(
        std::fs::read_to_string(outside.join("target")).unwrap(),
        "keep"
    );
    // What held: a cache inside the handbook is written.
    fixture.edit("handbook.yml", "git:\n  cache: .handbook/history.json\n");
    fixture.build();
    assert!(fixture.root.join(".handbook/history.json").is_file());
}

#[test]
fn the_highlight_cache_is_never_read_or_written_through_a_symlink() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n\n```rust\nfn main() {}\n```\n")]);
    let outside = fixture.parent().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("target"), "keep").unwrap();
    std::fs::create_dir_all(fixture.root.join(".handbook")).unwrap();
    symlink(
        outside.join("target"),
        fixture.root.join(".handbook/highlight.bin"),
    )
    .unwrap();
    let run = fixture.run(&["build", "--verbose"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("could not save highlighted code in .handbook/highlight.bin"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(outside.join("target")).unwrap(),
        "keep"
    );
    // The whole cache folder linked out of the handbook: nothing is written there either.
    std::fs::remove_dir_all(fixture.root.join(".handbook")).unwrap();
    symlink(&outside, fixture.root.join(".handbook")).unwrap();
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut names: Vec<String> = std::fs::read_dir(&outside)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["target"]);
}

#[test]
fn numeric_settings_out_of_range_are_errors_not_panics() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n")]);
    for (text, expected) in [
        (
            "feeds:\n  digest_weeks: 1000001\n",
            "handbook.yml:2:1: `feeds.digest_weeks` is 1000001; the most it can be is 520",
        ),
        ("feeds:\n  entries: 99999999\n", "`feeds.entries`"),
        ("updates:\n  per_page: 0\n", "`updates.per_page` is 0"),
        ("review:\n  soon_days: 4000000000\n", "`review.soon_days`"),
        (
            "check:\n  external:\n    timeout: 99999999999\n",
            "handbook.yml:3:1",
        ),
    ] {
        fixture.edit("handbook.yml", text);
        let run = fixture.run(&["check"]);
        assert_eq!(run.code, 2, "{text}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{expected}\n{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}

#[test]
fn configured_urls_cannot_run_script() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n")]);
    for text in [
        "repo_url: \"javascript:alert(document.domain)\"\n",
        "edit_url: \"JAVASCRIPT:alert(1)//{path}\"\n",
        "history_url: \"data:text/html,<script>alert(1)</script>\"\n",
        "nav:\n  links:\n    - title: Help\n      url: \" javascript:alert(1)\"\n",
    ] {
        fixture.edit("handbook.yml", text);
        let run = fixture.run(&["build"]);
        assert_eq!(run.code, 2, "{text}: {}", run.stderr);
        assert!(
            run.stderr.contains("is not an http(s) address or a path")
                || run.stderr.contains("spaces or control"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn with_raw_html_off_contributors_cannot_publish_files_that_run_script() {
    let plain_svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><defs><linearGradient id=\"g\"/></defs><rect width=\"10\" height=\"10\" fill=\"url(#g)\"/><use href=\"#g\"/><text>based on = data</text></svg>";
    let files: Vec<(&str, &str)> = vec![
        (
            "index.md",
            "# Home\n\n![d](plain.svg) [page](page.html) [s](script.svg)\n",
        ),
        ("page.html", "<script>alert(document.cookie)</script>"),
        (
            "data.xml",
            "<html xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script></html>",
        ),
        (
            "script.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
        ),
        (
            "handler.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
        ),
        (
            "link.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><a href=\"javascript:alert(1)\"><text>x</text></a></svg>",
        ),
        (
            "entity.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><a xlink:href=\"&#106;avascript:alert(1)\">x</a></svg>",
        ),
        (
            "html.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><foreignObject><body xmlns=\"http://www.w3.org/1999/xhtml\"><iframe src=\"x\"/></body></foreignObject></svg>",
        ),
        (
            "animate.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><a><set attributeName=\"href\" to=\"javascript:alert(1)\"/><text>x</text></a></svg>",
        ),
        ("plain.svg", plain_svg),
        ("app.js", "console.log(1)"),
    ];
    let untrusted = Fixture::with_files(&files);
    untrusted.edit("handbook.yml", "markdown:\n  raw_html: false\n");
    let run = untrusted.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for path in [
        "page.html",
        "data.xml",
        "script.svg",
        "handler.svg",
        "link.svg",
        "entity.svg",
        "html.svg",
        "animate.svg",
    ] {
        assert!(
            run.stderr
                .contains(&format!("{path}: warning[active-file]: not published")),
            "{path}\n{}",
            run.stderr
        );
        assert!(!untrusted.output().join(path).exists(), "{path}");
    }
    assert!(
        run.stderr.contains("index.md:3:") && run.stderr.contains("warning[unpublished-link]"),
        "{}",
        run.stderr
    );
    assert_eq!(untrusted.read("plain.svg"), plain_svg);
    assert!(untrusted.output().join("app.js").is_file());
    let check = untrusted.run(&["check"]);
    assert_eq!(findings(&check), findings(&run));
    // Trusted contributors (the default) publish every file as it is.
    let trusted = Fixture::with_files(&files);
    let run = trusted.run(&["build"]);
    assert!(!run.stderr.contains("active-file"), "{}", run.stderr);
    assert!(trusted.output().join("page.html").is_file());
    assert!(trusted.output().join("script.svg").is_file());
}

#[test]
fn the_preview_checks_host_names_on_every_address() {
    use crate::serve::{Preview, http};
    let fixture = Fixture::with_files(&[("index.md", "# Home\n")]);
    let preview = Preview::start(
        &fixture,
        &["--bind", "0.0.0.0", "--allow-host", "Docs.Internal"],
    );
    let port = preview.port;
    let status = |host: &str| http(port, "GET", "/", host).status;
    // DNS rebinding: a name the attacker controls, resolving to this machine.
    assert_eq!(status(&format!("attacker.example:{port}")), 403);
    assert_eq!(status("rebind.127.0.0.1.nip.io"), 403);
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "app.localhost".to_string(),
        "[::1]".to_string(),
        "192.168.1.20:4000".to_string(),
        format!("docs.internal:{port}"),
    ] {
        assert_eq!(status(&host), 200, "{host}");
    }
    let refused = http(port, "GET", "/", "attacker.example");
    assert!(refused.body.contains("--allow-host"), "{}", refused.body);
}

#[test]
fn the_preview_closes_connections_that_send_nothing_or_stall() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    let fixture = Fixture::with_files(&[("index.md", "# Home\n")]);
    let preview = crate::serve::Preview::start(&fixture, &["--timeout", "1"]);
    let connect = || {
        let stream = TcpStream::connect(("127.0.0.1", preview.port)).unwrap();
        // Far longer than the preview's timeout: a read that returns means it closed.
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream
    };
    // Reads until the preview closes the connection; what it sent before.
    let until_closed = |stream: &mut TcpStream| {
        let mut received = Vec::new();
        let mut chunk = [0; 4096];
        loop {
            match stream.read(&mut chunk) {
                Ok(0) => return String::from_utf8_lossy(&received).into_owned(),
                Ok(read) => received.extend_from_slice(&chunk[..read]),
                Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => {
                    return String::from_utf8_lossy(&received).into_owned();
                }
                Err(error) => panic!("the preview kept the connection open: {error}"),
            }
        }
    };
    // Sends nothing at all.
    let mut silent = connect();
    until_closed(&mut silent);
    // Sends half a request head.
    let mut half = connect();
    half.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .unwrap();
    let answer = until_closed(&mut half);
    assert!(!answer.contains("200 OK"), "{answer}");
    // Sits idle after a response on a kept-alive connection.
    let mut idle = connect();
    idle.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let answer = until_closed(&mut idle);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // The preview still answers.
    assert_eq!(preview.get("/").status, 200);
}

#[test]
fn the_output_setting_cannot_leave_the_handbook() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n"), ("config", "[core]\n")]);
    let victim = fixture.parent().join("victim/.config/git");
    for output in [
        victim.to_str().unwrap(),
        "../victim",
        "docs/../../victim",
        ".git/hooks",
    ] {
        fixture.edit("handbook.yml", &format!("output: '{output}'\n"));
        let run = fixture.run(&["build"]);
        assert_eq!(run.code, 2, "{output}: {}", run.stderr);
        assert!(
            run.stderr.contains("handbook.yml:1:1: `output`"),
            "{}",
            run.stderr
        );
    }
    assert!(!fixture.parent().join("victim").exists());
    // The operator may put it anywhere on the command line.
    fixture.edit("handbook.yml", "title: T\n");
    let elsewhere = fixture.parent().join("site");
    let run = fixture.run(&["build", "-o", elsewhere.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(elsewhere.join("index.html").is_file());
}

#[test]
fn a_theme_folder_linked_to_the_handbook_itself_is_refused() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n"),
        (".env", "SECRET-ENV"),
        ("handbook.yml", "theme: evil\n"),
    ]);
    std::fs::create_dir_all(fixture.root.join("themes")).unwrap();
    std::fs::create_dir_all(fixture.root.join("static")).unwrap();
    symlink("..", fixture.root.join("themes/evil")).unwrap();
    symlink("../.env", fixture.root.join("static/env.txt")).unwrap();
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("themes/evil is a symlink"),
        "{}",
        run.stderr
    );
    assert!(!fixture.output().exists());
}

#[test]
fn svg_and_xml_tricks_are_not_published_with_raw_html_off() {
    let mut utf16 = vec![0xff, 0xfe];
    let script = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
    for unit in script.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n"),
        ("handbook.yml", "markdown:\n  raw_html: false\n"),
        (
            "prefixed.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:svg=\"http://www.w3.org/2000/svg\"><svg:script>alert(1)</svg:script></svg>",
        ),
        (
            "xhtml.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><h:script xmlns:h=\"http://www.w3.org/1999/xhtml\">alert(1)</h:script></svg>",
        ),
        (
            "handler.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect x:onclick=\"alert(1)\"/></svg>",
        ),
        (
            "page.xhtm",
            "<html xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script></html>",
        ),
        (
            "schema.xsd",
            "<x><h:script xmlns:h=\"http://www.w3.org/1999/xhtml\">alert(1)</h:script></x>",
        ),
        ("feed.rss", "<rss/>"),
        ("notes.txt", "fine"),
    ]);
    std::fs::write(fixture.root.join("utf16.svg"), utf16).unwrap();
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for path in [
        "prefixed.svg",
        "xhtml.svg",
        "handler.svg",
        "utf16.svg",
        "page.xhtm",
        "schema.xsd",
        "feed.rss",
    ] {
        assert!(
            run.stderr
                .contains(&format!("{path}: warning[active-file]")),
            "{path}\n{}",
            run.stderr
        );
        assert!(!fixture.output().join(path).exists(), "{path}");
    }
    assert!(fixture.output().join("notes.txt").is_file());
}

#[test]
fn a_quote_inside_a_plain_value_cannot_hide_nesting() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n"),
        (
            "docs/a.md",
            &format!("---\nt: [a:'x, {deep}, y']\n---\n# A\n"),
        ),
    ]);
    let run = fixture.run_limited(&["check"], Duration::from_secs(20));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("docs/a.md:2:") && run.stderr.contains("nests more than 64"),
        "{}",
        run.stderr
    );
}

#[test]
fn values_that_read_as_ci_commands_are_escaped_in_every_command() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n"),
        (
            "docs/a.md",
            "---\nowner: \"::error::owner\"\nreview_by: 2020-01-01\n---\n::warning title=PWN::zebra text\n",
        ),
        (
            "decisions/0001-x.md",
            "---\nnumber: 4294967295\nstatus: accepted\n---\n# ::error::record\n",
        ),
        (".gitbook/assets/.env", "SECRET-ENV"),
        (".gitbook/assets/logo.txt", "logo"),
    ]);
    let build = fixture.run(&["build"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert!(fixture.output().join(".gitbook/assets/logo.txt").is_file());
    assert!(!fixture.output().join(".gitbook/assets/.env").exists());
    for args in [
        vec!["stale"],
        vec!["search", "zebra"],
        vec!["decision", "list"],
        vec!["build"],
        vec!["check"],
    ] {
        let run = fixture.run(&args);
        assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
        for line in run.stdout.lines().chain(run.stderr.lines()) {
            let start = line.trim_start();
            assert!(
                !start.starts_with("::") && !start.starts_with("##"),
                "{args:?}: {line}"
            );
        }
    }
    // Caches stay in handbook's cache folders, never over a page or the configuration.
    for cache in [
        "index.md",
        "handbook.yml",
        ".github/workflows/ci.yml",
        ".GIT/config",
    ] {
        fixture.edit("handbook.yml", &format!("git:\n  cache: '{cache}'\n"));
        let run = fixture.run(&["build"]);
        assert_eq!(run.code, 2, "{cache}: {}", run.stderr);
    }
}
