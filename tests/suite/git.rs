//! Git history on pages: real temporary repositories with commits at fixed dates and authors,
//! a rename, a handbook in a subfolder, a shallow clone, and no git at all.

use std::path::Path;
use std::process::Command;

use crate::harness::Fixture;

/// Runs git in `dir` with a fixed identity and dates, failing the test on error.
pub fn git(dir: &Path, args: &[&str], author: &str, date: &str) {
    let output = Command::new("git")
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "protocol.file.allow=always",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", author)
        .env(
            "GIT_AUTHOR_EMAIL",
            format!("{}@example.org", author.to_lowercase()),
        )
        .env("GIT_COMMITTER_NAME", author)
        .env("GIT_COMMITTER_EMAIL", "ci@example.org")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

pub fn commit_all(repo: &Path, author: &str, date: &str, message: &str) {
    git(repo, &["add", "-A"], author, date);
    git(repo, &["commit", "-q", "-m", message], author, date);
}

/// A repository whose handbook lives in `site/`: three commits by two people over three
/// months, with a rename in the last one.
fn repository() -> Fixture {
    let fixture = Fixture::with_files(&[]);
    let repo = fixture.root.clone();
    git(&repo, &["init", "-q"], "Ana", "2026-01-05T09:00:00Z");
    fixture.edit(
        "site/handbook.yml",
        "edit_url: https://git.example.org/org/repo/edit/main/{path}\nhistory_url: https://git.example.org/org/repo/commits/main/{path}\n",
    );
    fixture.edit(
        "site/index.md",
        "# Home\n\nSee [setup](docs/setup.md) and [pinned](pinned.md).\n",
    );
    fixture.edit("site/docs/install.md", "# Setup\n\nInstall it.\n");
    fixture.edit(
        "site/pinned.md",
        "---\nupdated: 2025-12-24\n---\n# Pinned\n",
    );
    fixture.edit("README.md", "The repository, outside the handbook.\n");
    commit_all(&repo, "Ana", "2026-01-05T09:00:00Z", "Start the handbook");
    fixture.edit(
        "site/docs/install.md",
        "# Setup\n\nInstall it, then configure it.\n",
    );
    commit_all(
        &repo,
        "Ben",
        "2026-02-10T15:30:00Z",
        "Explain configuration",
    );
    git(
        &repo,
        &["mv", "site/docs/install.md", "site/docs/setup.md"],
        "Ana",
        "2026-03-20T08:00:00Z",
    );
    fixture.edit(
        "site/pinned.md",
        "---\nupdated: 2025-12-24\n---\n# Pinned\n\nTypo fixed.\n",
    );
    commit_all(
        &repo,
        "Ana",
        "2026-03-20T08:00:00Z",
        "Rename install to setup",
    );
    fixture
}

#[test]
fn pages_show_git_dates_authors_and_links_following_renames_in_a_subfolder() {
    let fixture = repository();
    let site = fixture.root.join("site");
    let run = fixture.run(&["build", "site"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("shallow"), "{}", run.stderr);
    let read = |url: &str| {
        let path = site.join("public").join(url).join("index.html");
        scraper::Html::parse_document(&std::fs::read_to_string(path).unwrap())
    };
    let text = |html: &scraper::Html, selector: &str| -> Vec<String> {
        html.select(&scraper::Selector::parse(selector).unwrap())
            .map(|e| e.text().collect::<String>().trim().to_string())
            .collect()
    };
    let attr = |html: &scraper::Html, selector: &str, name: &str| -> Vec<String> {
        html.select(&scraper::Selector::parse(selector).unwrap())
            .filter_map(|e| e.value().attr(name).map(str::to_string))
            .collect()
    };
    let setup = read("docs/setup");
    assert_eq!(
        text(&setup, ".meta .updated"),
        ["Updated 2026-03-20 by Ana"]
    );
    assert_eq!(
        text(&setup, ".page-source .contributors"),
        ["Contributors: Ana, Ben"],
        "the rename keeps the history of install.md"
    );
    assert_eq!(
        attr(&setup, ".edit-link", "href"),
        ["https://git.example.org/org/repo/edit/main/site/docs/setup.md"],
        "paths in links are from the repository root"
    );
    assert_eq!(
        attr(&setup, ".history-link", "href"),
        ["https://git.example.org/org/repo/commits/main/site/docs/setup.md"]
    );
    let pinned = read("pinned");
    assert_eq!(
        text(&pinned, ".meta .updated"),
        ["Updated 2025-12-24"],
        "front matter overrides git, and names no author"
    );
    let export = fixture.run(&["export", "site"]);
    let json: serde_json::Value = serde_json::from_str(&export.stdout).unwrap();
    let page = crate::harness::exported_page(&json, "docs/setup.md");
    assert_eq!(page["created"], "2026-01-05");
    assert_eq!(page["last_updated"], "2026-03-20");
    assert_eq!(page["last_author"], "Ana");
    assert_eq!(page["contributors"], serde_json::json!(["Ana", "Ben"]));
    assert_eq!(page["last_commit"].as_str().unwrap().len(), 40);
}

#[test]
fn a_shallow_clone_warns_with_the_fix_and_shows_no_git_dates() {
    let origin = repository();
    let clone = origin.parent().join("clone");
    let url = format!("file://{}", origin.root.display());
    git(
        origin.parent(),
        &["clone", "-q", "--depth", "1", &url, clone.to_str().unwrap()],
        "Ana",
        "2026-03-21T00:00:00Z",
    );
    let run = origin.run_in(&clone, &["build", "site"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("shallow git clone")
            && run.stderr.contains("fetch-depth: 0")
            && run.stderr.contains("GIT_DEPTH: 0"),
        "{}",
        run.stderr
    );
    let html = std::fs::read_to_string(clone.join("site/public/docs/setup/index.html")).unwrap();
    assert!(!html.contains("class=\"updated\""), "no misleading date");
    assert!(
        html.contains("edit/main/site/docs/setup.md"),
        "edit links still work"
    );
}

#[test]
fn without_git_pages_build_with_front_matter_dates_only() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n\n[a](a.md)\n"),
        ("a.md", "---\nupdated: 2026-02-02\n---\n# A\n"),
    ]);
    // The temp dir is outside any repository.
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("git"), "{}", run.stderr);
    assert_eq!(
        fixture.html("a/").texts(".meta .updated"),
        ["Updated 2026-02-02"]
    );
    assert_eq!(fixture.html("").count(".page-source"), 0);
}

#[test]
fn a_long_history_read_in_two_halves_keeps_renames_and_first_dates() {
    // 4,100 commits: more than the build reads in one `git log`, so the walk is split.
    let fixture = Fixture::with_files(&[]);
    let repo = &fixture.root;
    git(repo, &["init", "-q"], "Ana", "2026-01-01T00:00:00Z");
    let mut stream = String::new();
    let data = |text: &str| format!("data {}\n{text}\n", text.len());
    for n in 0..4100u64 {
        let (author, path) = match n {
            0..=2049 => ("Ana", "old.md"),
            2050 => ("Ben", "new.md"),
            _ => ("Cy", "new.md"),
        };
        let when = 1_767_225_600 + n * 3600; // 2026-01-01, then hourly
        stream.push_str(&format!(
            "commit refs/heads/main\nauthor {author} <{author}@x> {when} +0000\ncommitter {author} <{author}@x> {when} +0000\n"
        ));
        stream.push_str(&data(&format!("change {n}")));
        if n == 2050 {
            stream.push_str("R old.md new.md\n");
        }
        stream.push_str(&format!("M 100644 inline {path}\n"));
        // Mostly the same text, so git sees the rename (similarity above 50%).
        stream.push_str(&data(&format!(
            "# Page\n\n{}\nVersion {n}.\n",
            "A steady line of text.\n".repeat(30)
        )));
        stream.push_str("M 100644 inline index.md\n");
        stream.push_str(&data("# Home\n\n[page](new.md)\n"));
    }
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(repo)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), stream.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    git(
        repo,
        &["checkout", "-q", "-f", "main"],
        "Ana",
        "2026-01-01T00:00:00Z",
    );
    let run = fixture.run(&["export"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let page = json["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|page| page["path"] == "new.md")
        .unwrap();
    assert_eq!(
        page["created"], "2026-01-01",
        "the first half's commits count"
    );
    assert_eq!(
        page["last_updated"], "2026-06-20",
        "commit 4099, 4099 hours later"
    );
    assert_eq!(page["last_author"], "Cy");
    assert_eq!(
        page["contributors"],
        serde_json::json!(["Cy", "Ben", "Ana"])
    );
}

#[test]
fn a_history_cache_reads_only_new_commits_and_matches_a_full_walk() {
    let fixture = repository();
    let repo = fixture.root.clone();
    let site = repo.join("site");
    let config = "edit_url: https://git.example.org/org/repo/edit/main/{path}\n";
    fixture.edit(
        "site/handbook.yml",
        &format!("{config}git:\n  cache: .handbook/git.json\n"),
    );
    commit_all(&repo, "Ana", "2026-03-21T08:00:00Z", "Cache the history");
    let run = fixture.run(&["build", "site"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let cache = site.join(".handbook/git.json");
    assert!(cache.exists());
    assert!(
        !site.join("public/cache").exists(),
        "the cache file is not content"
    );

    // A new commit, with a rename: read on top of the saved history.
    git(
        &repo,
        &["mv", "site/docs/setup.md", "site/docs/getting-started.md"],
        "Cy",
        "2026-04-02T12:00:00Z",
    );
    fixture.edit(
        "site/index.md",
        "# Home\n\nSee [setup](docs/getting-started.md) and [pinned](pinned.md).\n",
    );
    commit_all(&repo, "Cy", "2026-04-02T12:00:00Z", "Rename setup");
    let page =
        || std::fs::read_to_string(site.join("public/docs/getting-started/index.html")).unwrap();
    let run = fixture.run(&["build", "site"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let cached = page();
    assert!(cached.contains("Contributors: Cy, Ana, Ben"), "{cached}");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    assert_eq!(
        saved["files"]["docs/getting-started.md"]["created"],
        "2026-01-05"
    );

    // The same page from a full walk, byte for byte.
    fixture.edit("site/handbook.yml", config);
    assert_eq!(fixture.run(&["build", "site"]).code, 0);
    assert_eq!(page(), cached);

    // Rewritten history: the saved commit is gone, so the walk starts over.
    fixture.edit(
        "site/handbook.yml",
        &format!("{config}git:\n  cache: .handbook/git.json\n"),
    );
    assert_eq!(fixture.run(&["build", "site"]).code, 0);
    let amend = |message: &str, date: &str| {
        git(
            &repo,
            &["commit", "-q", "--amend", "--reset-author", "-m", message],
            "Dee",
            date,
        );
    };
    amend("Rename setup, reworded", "2026-04-03T12:00:00Z");
    // A broken cache file is read as no cache.
    std::fs::write(&cache, "not json").unwrap();
    assert_eq!(fixture.run(&["build", "site"]).code, 0);
    amend("Rename setup, again", "2026-04-04T12:00:00Z");
    assert_eq!(fixture.run(&["build", "site"]).code, 0);
    let html = page();
    assert!(
        html.contains("Updated <time datetime=\"2026-04-04\">2026-04-04</time> by Dee")
            && html.contains("Contributors: Dee, Ana, Ben"),
        "{html}"
    );
}

/// Runs git in `dir` and returns its output (the current commit, say).
fn git_output(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[test]
fn mailmap_ignored_revisions_and_bots_do_not_decide_authorship() {
    let fixture = Fixture::with_files(&[]);
    let repo = fixture.root.clone();
    git(&repo, &["init", "-q"], "Ana", "2026-01-05T09:00:00Z");
    // `.mailmap` and `.git-blame-ignore-revs` live at the repository's top; the handbook is in
    // `site/`.
    fixture.edit(".mailmap", "Ana Lima <ana@example.org>\n");
    fixture.edit("site/index.md", "# Home\n");
    fixture.edit("site/guide.md", "# Guide\n\nFirst words.\n");
    commit_all(&repo, "Ana", "2026-01-05T09:00:00Z", "Start the guide");
    fixture.edit("site/guide.md", "# Guide\n\nFirst words, then more.\n");
    commit_all(&repo, "Ben", "2026-02-10T09:00:00Z", "Explain more");
    fixture.edit("site/guide.md", "# Guide\n\nFirst  words,  then  more.\n");
    commit_all(
        &repo,
        "Carla",
        "2026-03-01T09:00:00Z",
        "Reformat everything",
    );
    let reformat = git_output(&repo, &["rev-parse", "HEAD"]);
    fixture.edit(
        ".git-blame-ignore-revs",
        &format!("# bulk reformatting\n{reformat}\n"),
    );
    commit_all(
        &repo,
        "Ana",
        "2026-03-02T09:00:00Z",
        "Ignore the reformat in blame",
    );
    fixture.edit(
        "site/guide.md",
        "# Guide\n\nFirst  words,  then  more. v2\n",
    );
    commit_all(&repo, "dependabot[bot]", "2026-03-15T09:00:00Z", "Bump");

    let export = fixture.run(&["export", "site"]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    let json: serde_json::Value = serde_json::from_str(&export.stdout).unwrap();
    let page = |path: &str| crate::harness::exported_page(&json, path);
    let guide = page("guide.md");
    assert_eq!(guide["last_author"], "Ben", "{guide}");
    assert_eq!(guide["last_updated"], "2026-02-10", "{guide}");
    assert_eq!(guide["created"], "2026-01-05");
    assert_eq!(
        guide["contributors"],
        serde_json::json!(["Ben", "Ana Lima"]),
        "the mailmap names Ana; the reformat and the bot are nobody's edit"
    );
    assert_eq!(page("index.md")["last_author"], "Ana Lima");

    // A handbook may ignore more authors; the default ignores bots only.
    fixture.edit(
        "site/handbook.yml",
        "authors:\n  ignore: [\"*[bot]\", Ben]\n",
    );
    let export = fixture.run(&["export", "site"]);
    let json: serde_json::Value = serde_json::from_str(&export.stdout).unwrap();
    let guide = crate::harness::exported_page(&json, "guide.md");
    assert_eq!(guide["last_author"], "Ana Lima", "{guide}");
    assert_eq!(guide["contributors"], serde_json::json!(["Ana Lima"]));
}

#[test]
fn with_git_history_off_front_matter_names_who_updated_a_page() {
    let fixture = Fixture::with_files(&[]);
    let repo = fixture.root.clone();
    git(&repo, &["init", "-q"], "Dev", "2026-11-01T09:00:00Z");
    fixture.edit("handbook.yml", "git:\n  history: false\n");
    fixture.edit("index.md", "# Home\n");
    fixture.edit(
        "people/ana.md",
        "---\ntitle: Ana Lima\nrole: Engineer\n---\n\nHi.\n",
    );
    fixture.edit(
        "guide.md",
        "---\nupdated: 2026-11-18\nupdated_by: ana\n---\n# Guide\n\nText.\n",
    );
    fixture.edit("other.md", "# Other\n\nNo dates.\n");
    commit_all(
        &repo,
        "Project Robot",
        "2026-11-01T09:00:00Z",
        "Vendor the docs",
    );
    let run = fixture.build();
    assert!(!run.stderr.contains("warning[git]"), "{}", run.stderr);
    let guide = fixture.html("guide/");
    assert_eq!(
        guide.texts(".meta .updated"),
        ["Updated 2026-11-18 by Ana Lima"]
    );
    assert_eq!(guide.attrs(".meta .updated a", "href"), ["/people/ana/"]);
    // The repository's commits are not the handbook's: no author or date from them anywhere.
    let other = fixture.read("other/index.html");
    assert!(
        !other.contains("Project Robot") && !other.contains("2026-11-01"),
        "{other}"
    );
    let changes = fixture.read("changes/index.html");
    assert!(!changes.contains("Project Robot"), "{changes}");
    assert!(changes.contains("Ana Lima"), "{changes}");
}
