//! Output safety: failed builds keep the old output; dangerous output folders are refused;
//! nothing outside the output is written; symlinks out of the handbook are not followed.

use crate::harness::{Fixture, snapshot};

#[test]
fn a_failed_build_keeps_the_previous_output() {
    let fixture = Fixture::new("basic");
    fixture.build();
    let before = fixture.read("guide/first-steps/index.html");
    fixture.edit("guide/first-steps.md", "---\ntitle: [broken\n---\n");
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(fixture.read("guide/first-steps/index.html"), before);
    assert!(run.stderr.contains("left as it was"), "{}", run.stderr);
    let leftovers: Vec<_> = std::fs::read_dir(&fixture.root)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("handbook-stage"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_first_build_that_fails_leaves_no_output_and_no_stage() {
    // With no previous output, pages are written into the stage while they render; the
    // errors come out after that, and the stage must go with them.
    let fixture = Fixture::new("basic");
    fixture.edit("guide/first-steps.md", "---\ntitle: [broken\n---\n");
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!fixture.output().exists(), "no output from a failed build");
    let beside = leftovers(&fixture.root);
    assert!(beside.is_empty(), "{beside:?}");
    fixture.edit("guide/first-steps.md", "# First steps\n");
    fixture.build();
    assert_eq!(
        fixture.html("guide/first-steps/").texts("main h1"),
        ["First steps"]
    );
}

#[test]
fn output_at_the_source_root_or_above_is_refused() {
    let fixture = Fixture::new("basic");
    for out in [".", "..", "/"] {
        let run = fixture.run(&["build", "-o", out]);
        assert_eq!(run.code, 2, "-o {out}: {}", run.stderr);
        assert!(run.stderr.contains("refusing"), "{}", run.stderr);
    }
    assert!(fixture.root.join("index.md").is_file());
}

#[test]
fn a_foreign_non_empty_folder_is_not_replaced() {
    let fixture = Fixture::new("basic");
    let out = fixture.parent().join("precious");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("thesis.txt"), "years of work").unwrap();
    let run = fixture.run(&["build", "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("was not made by handbook"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(out.join("thesis.txt")).unwrap(),
        "years of work"
    );
}

#[test]
fn output_inside_git_or_through_a_symlink_is_refused() {
    let fixture = Fixture::new("basic");
    std::fs::create_dir_all(fixture.root.join(".git")).unwrap();
    assert_eq!(fixture.run(&["build", "-o", ".git/site"]).code, 2);
    let real = fixture.parent().join("real");
    std::fs::create_dir_all(&real).unwrap();
    #[cfg(unix)]
    {
        let link = fixture.parent().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let run = fixture.run(&["build", "-o", link.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("symlink"));
    }
}

#[test]
fn a_rebuild_removes_files_of_deleted_pages_only_inside_the_output() {
    let fixture = Fixture::new("basic");
    let out = fixture.parent().join("site");
    let out_arg = out.to_str().unwrap().to_string();
    assert_eq!(fixture.run(&["build", "-o", &out_arg]).code, 0);
    assert!(out.join("guide/alpha/index.html").is_file());
    std::fs::remove_file(fixture.root.join("guide/alpha.md")).unwrap();
    let run = fixture.run(&["build", "-o", &out_arg]);
    assert!(run.stderr.contains("removed"), "{}", run.stderr);
    assert!(!out.join("guide/alpha").exists());
    let siblings: Vec<String> = std::fs::read_dir(fixture.parent())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != ".git")
        .collect();
    let mut siblings = siblings;
    siblings.sort();
    assert_eq!(siblings, ["handbook", "site"]);
}

#[cfg(unix)]
#[test]
fn symlinks_pointing_outside_the_handbook_are_not_published() {
    let fixture = Fixture::new("basic");
    let secret = fixture.parent().join("secret.txt");
    std::fs::write(&secret, "ssh key").unwrap();
    std::os::unix::fs::symlink(&secret, fixture.root.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(&secret, fixture.root.join("leak.md")).unwrap();
    std::os::unix::fs::symlink(fixture.parent(), fixture.root.join("parent")).unwrap();
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("leak.txt: warning[symlink]: symlink points outside the handbook"),
        "{}",
        run.stderr
    );
    assert!(!fixture.output().join("leak.txt").exists());
    assert!(!fixture.output().join("leak").exists());
    assert!(!fixture.output().join("parent").exists());
}

#[test]
fn a_link_climbing_out_of_the_handbook_is_reported_not_followed() {
    let fixture = Fixture::with_files(&[("docs/a.md", "[pw](../../etc/passwd)")]);
    let run = fixture.run(&["build"]);
    assert!(run.stderr.contains("docs/a.md:1:1: warning[broken-link]: link '../../etc/passwd' points outside the handbook"), "{}", run.stderr);
}

#[test]
fn a_broken_site_absolute_link_stays_under_the_base_path() {
    // Regression found by the link fuzzer: `/a.md` under `/sub/` was written as `/a.md`.
    let fixture = Fixture::with_files(&[("docs/b.md", "[gone](/a.md) and [deep](/x/y.md#top)")]);
    let run = fixture.run(&["build", "--base-url", "/sub/"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("docs/b.md:1:1: warning[broken-link]: no page or file at 'a.md'"),
        "{}",
        run.stderr
    );
    assert_eq!(
        fixture.html("docs/b/").attrs("main p a", "href"),
        ["/sub/a.md", "/sub/x/y.md#top"]
    );
}

#[test]
fn a_rebuild_touches_only_changed_files_and_keeps_mtimes() {
    let fixture = Fixture::new("basic");
    fixture.build();
    let unchanged = fixture.output().join("teams/platform/index.html");
    let before = std::fs::metadata(&unchanged).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    fixture.edit("guide/alpha.md", "# Alpha without front matter\n\nEdited.");
    let run = fixture.build();
    assert!(run.stderr.contains("removed)"), "{}", run.stderr);
    assert_eq!(
        std::fs::metadata(&unchanged).unwrap().modified().unwrap(),
        before
    );
    assert!(fixture.read("guide/alpha/index.html").contains("Edited."));
}

/// The rendered pages and kept pages `build -v` reports.
fn render_counts(run: &crate::harness::Run) -> (usize, usize) {
    let line = run
        .stderr
        .lines()
        .find_map(|line| line.trim().strip_prefix("rendered "))
        .unwrap_or_else(|| panic!("no render counts in {}", run.stderr));
    let numbers: Vec<usize> = line
        .split(' ')
        .filter_map(|word| word.parse().ok())
        .collect();
    (numbers[0], numbers[1])
}

#[test]
fn the_render_cache_gives_the_site_a_clean_build_gives() {
    let fixture = Fixture::new("basic");
    let clean = |step: &str| {
        let out = fixture.parent().join(format!("clean-{step}"));
        let run = fixture.run(&["build", "-o", out.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let site = |dir: &std::path::Path| snapshot(dir);
        let (built, clean) = (site(&fixture.output()), site(&out));
        let differing: Vec<&String> = built
            .keys()
            .chain(clean.keys())
            .filter(|path| built.get(*path) != clean.get(*path))
            .collect();
        assert!(
            differing.is_empty(),
            "{step}: the incremental build differs from a clean one in {differing:?}"
        );
    };
    let build = || {
        let run = fixture.run(&["build", "-v"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        render_counts(&run)
    };
    let (rendered, kept) = build();
    let pages = rendered;
    assert!(
        pages >= 5 && kept == 0,
        "first build: {rendered} rendered, {kept} kept"
    );
    assert_eq!(build(), (0, pages), "nothing changed: every page kept");
    clean("no change");

    let page = std::fs::read_to_string(fixture.root.join("guide/zz-last.md")).unwrap();
    fixture.edit(
        "guide/zz-last.md",
        &format!("{page}\nA new sentence in the body.\n"),
    );
    let (rendered, _) = build();
    assert!(
        rendered >= 1 && rendered < pages,
        "a body edit: {rendered} of {pages} rendered"
    );
    assert!(
        fixture
            .read("guide/zz-last/index.html")
            .contains("A new sentence")
    );
    clean("body edit");

    // A new title is in every page's navigation.
    fixture.edit("guide/alpha.md", "# Alpha renamed\n\nEdited.");
    let (rendered, _) = build();
    assert!(
        rendered > 2,
        "a title is in the sidebars: {rendered} of {pages} rendered"
    );
    clean("title edit");

    // The theme and the configuration are in every page.
    fixture.edit("themes/default/static/extra.css", "body { color: teal; }");
    assert_eq!(build(), (pages, 0), "a theme change renders every page");
    clean("theme edit");
    let config = std::fs::read_to_string(fixture.root.join("handbook.yml")).unwrap();
    fixture.edit(
        "handbook.yml",
        &config.replace("Fixture Handbook", "Renamed Handbook"),
    );
    assert_eq!(
        build().0,
        pages,
        "a configuration change renders every page"
    );
    clean("config edit");

    // A page changed or deleted in the output by hand is rendered again.
    let tampered = fixture.output().join("teams/platform/index.html");
    std::fs::write(&tampered, "defaced").unwrap();
    std::fs::remove_file(fixture.output().join("guide/first-steps/index.html")).unwrap();
    assert_eq!(
        build().0,
        2,
        "the defaced and the deleted page render again"
    );
    assert!(fixture.read("teams/platform/index.html").contains("<html"));
    clean("output edited by hand");
    // Search files are kept all together or made again.
    std::fs::remove_file(fixture.output().join("search/manifest.js")).unwrap();
    assert_eq!(build(), (0, pages));
    assert!(fixture.output().join("search/manifest.js").is_file());
    clean("search file deleted");

    // A damaged cache renders everything, and a good one is written again.
    std::fs::write(fixture.output().join(".handbook-cache"), "{damaged").unwrap();
    assert_eq!(build(), (pages, 0));
    assert_eq!(build(), (0, pages));
    clean("damaged cache");
}

#[test]
fn a_page_replaced_by_a_folder_and_back_rebuilds_cleanly() {
    let fixture = Fixture::with_files(&[("index.md", "# Home"), ("a.md", "# A page")]);
    fixture.build();
    std::fs::remove_file(fixture.root.join("a.md")).unwrap();
    fixture.edit("a", "a static file where a page folder was");
    fixture.build();
    assert_eq!(fixture.read("a"), "a static file where a page folder was");
    std::fs::remove_file(fixture.root.join("a")).unwrap();
    fixture.edit("a.md", "# A page again");
    fixture.build();
    assert_eq!(fixture.html("a/").texts("main h1"), ["A page again"]);
}

#[cfg(unix)]
#[test]
fn a_symlink_planted_in_the_output_is_never_written_through() {
    let fixture = Fixture::new("basic");
    fixture.build();
    let elsewhere = fixture.parent().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::remove_dir_all(fixture.output().join("guide")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, fixture.output().join("guide")).unwrap();
    fixture.build();
    assert_eq!(
        std::fs::read_dir(&elsewhere).unwrap().count(),
        0,
        "nothing written through the link"
    );
    assert!(fixture.output().join("guide/index.html").is_file());
    assert!(!fixture.output().join("guide").is_symlink());
}

/// The names beside the output that a build made (stages, old sites, trash).
fn leftovers(root: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(root)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("handbook-"))
        .collect()
}

/// The basic fixture built, with a copy of its output under `name` beside it (what a killed
/// build leaves), and the output's snapshot.
fn built_with_a_copy_beside(name: &str) -> (Fixture, std::collections::BTreeMap<String, Vec<u8>>) {
    let fixture = Fixture::new("basic");
    fixture.build();
    let before = snapshot(&fixture.output());
    crate::harness::copy_tree(&fixture.output(), &fixture.root.join(name));
    (fixture, before)
}

#[test]
fn a_build_killed_at_any_moment_leaves_the_old_or_the_new_site_whole() {
    if !crate::harness::slow_tests("a_build_killed_at_any_moment") {
        return;
    }
    let fixture = Fixture::with_files(&[
        ("handbook.yml", "title: Site A\n"),
        ("index.md", "# Home\n"),
    ]);
    for page in 0..300 {
        fixture.edit(
            &format!("docs/page-{page:03}.md"),
            &format!("# Page {page}\n\n{}\n", "Some words to index. ".repeat(100)),
        );
    }
    fixture.build();
    let site_a = snapshot(&fixture.output());
    fixture.edit("handbook.yml", "title: Site B\n");
    let started = std::time::Instant::now();
    fixture.build();
    let full = started.elapsed();
    let site_b = snapshot(&fixture.output());
    assert_ne!(site_a, site_b, "the title is on every page");

    let binary = env!("CARGO_BIN_EXE_handbook");
    let mut showing_b = true;
    let mut seen = Vec::new();
    for step in 0..24u32 {
        // Switch the title, start a build that rewrites every page, and kill it part way.
        let title = if showing_b { "Site A" } else { "Site B" };
        fixture.edit("handbook.yml", &format!("title: {title}\n"));
        let mut child = std::process::Command::new(binary)
            .arg("build")
            .current_dir(&fixture.root)
            // The same day as the fixture's builds: "What changed" is dated.
            .env("SOURCE_DATE_EPOCH", "1795392000")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(f64::from(step) / 20.0));
        child.kill().ok();
        child.wait().unwrap();

        let output = fixture.output();
        let state = if output.exists() {
            snapshot(&output)
        } else {
            // Killed between the two renames: the previous build waits beside the output.
            let old: Vec<_> = std::fs::read_dir(fixture.root.as_path())
                .unwrap()
                .map(|entry| entry.unwrap().path())
                .filter(|path| path.to_string_lossy().contains(".public.handbook-old-"))
                .collect();
            assert_eq!(
                old.len(),
                1,
                "step {step}: output missing and no previous build"
            );
            snapshot(&old[0])
        };
        showing_b = if state == site_b {
            true
        } else if state == site_a {
            false
        } else {
            let differing: Vec<&String> = state
                .keys()
                .chain(site_b.keys())
                .filter(|key| {
                    state.get(*key) != site_b.get(*key) && state.get(*key) != site_a.get(*key)
                })
                .collect();
            panic!("step {step}: the output is a mix of two builds: {differing:?}");
        };
        seen.push(if output.exists() { "whole" } else { "aside" });
        if !output.exists() {
            fixture.build();
            showing_b = title == "Site B";
        }
    }
    // The next build cleans up whatever the kills left and publishes the current title.
    fixture.build();
    let left = leftovers(&fixture.root);
    assert!(left.is_empty(), "{left:?} after {seen:?}");
}

#[test]
fn a_build_that_changes_nothing_still_clears_what_a_killed_build_left() {
    // A build killed while deleting the previous site (after the new one was swapped in)
    // leaves that old site beside the output; the next build changes nothing, yet removes it.
    let (fixture, before) = built_with_a_copy_beside(".public.handbook-old-424242");
    let aside = fixture.root.join(".public.handbook-old-424242");
    let run = fixture.build();
    assert!(run.stderr.contains("0 written"), "{}", run.stderr);
    assert!(!aside.exists(), "the old site was left beside the output");
    assert_eq!(snapshot(&fixture.output()), before);
}

#[test]
fn a_deletion_cut_short_is_finished_and_never_restored() {
    // Old sites and stages are renamed to a trash name before they are deleted, so a kill
    // mid-deletion leaves a partial folder that no build mistakes for a previous site.
    let (fixture, before) = built_with_a_copy_beside(".public.handbook-trash-77777-0");
    let trash = fixture.root.join(".public.handbook-trash-77777-0");
    std::fs::remove_file(trash.join("guide/first-steps/index.html")).unwrap();
    // And a kill between the two renames of the swap: the output is missing.
    let aside = fixture.root.join(".public.handbook-old-88888");
    std::fs::rename(fixture.output(), &aside).unwrap();
    let run = fixture.build();
    assert!(
        run.stderr.contains("restored the previous build"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(&fixture.output()), before);
    let beside = leftovers(&fixture.root);
    assert!(beside.is_empty(), "{beside:?}");
}

#[test]
fn a_previous_build_left_beside_a_missing_output_is_put_back_even_if_the_next_build_fails() {
    let fixture = Fixture::new("basic");
    fixture.build();
    let before = snapshot(&fixture.output());
    // What a kill between "move the old build aside" and "move the new one in" leaves.
    let aside = fixture.root.join(".public.handbook-old-99999");
    std::fs::rename(fixture.output(), &aside).unwrap();
    fixture.edit("guide/first-steps.md", "---\ntitle: [broken\n---\n");
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("restored the previous build"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(&fixture.output()), before);
    assert!(!aside.exists());
}
