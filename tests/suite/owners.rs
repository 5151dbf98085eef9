//! Ownership and freshness: owners from front matter, CODEOWNERS and folders; review schedules
//! counted from git dates; banners, the review report, `handbook stale`, and the policies in
//! handbook.yml. The date is fixed at 2026-11-23 by the harness.

use crate::git::{commit_all, git};
use crate::harness::Fixture;

/// A repository whose handbook lives in `handbook/`, with the CODEOWNERS file at the
/// repository root and every page committed on 2026-06-01.
fn repository() -> Fixture {
    let fixture = Fixture::with_files(&[
        (
            "handbook.yml",
            "base_url: https://example.org/hb/\n\
             review:\n  every:\n    runbooks: 3m\n  require_owner: [policies]\n",
        ),
        (
            "index.md",
            "# Home\n\n[Deploy](runbooks/deploy.md), [Restore](runbooks/restore.md), \
             [Policies](policies/index.md), [Leave](policies/leave.md), [Terms](legal/terms.md), \
             [Dana](people/dana.md), [Platform](teams/platform.md).\n",
        ),
        ("runbooks/deploy.md", "# Deploy\n\nShip it.\n"),
        (
            "runbooks/restore.md",
            "---\ntitle: Restore\nreview_every: 6m\n---\nRestore from backup.\n",
        ),
        (
            "policies/index.md",
            "---\nowner: dana\nreview_by: 2027-06-01\n---\n# Policies\n",
        ),
        (
            "policies/leave.md",
            "---\ntitle: Leave\nreview_by: 2026-11-01\n---\nTake it.\n",
        ),
        (
            "legal/terms.md",
            "---\nreview_by: 2026-12-10\n---\n# Terms <em>&</em> conditions\n",
        ),
        ("people/dana.md", "# Dana Scott\n"),
        ("teams/platform.md", "# Platform team\n"),
    ]);
    let repo = fixture.parent().to_path_buf();
    std::fs::create_dir_all(repo.join(".github")).unwrap();
    std::fs::write(
        repo.join(".github/CODEOWNERS"),
        "# Owners\n\
         /handbook/runbooks/ @acme/platform\n\
         /handbook/legal/*   legal@example.org\n\
         \n\
         !/handbook/people/ @nobody\n",
    )
    .unwrap();
    git(&repo, &["init", "-q"], "Ana", "2026-06-01T09:00:00Z");
    commit_all(&repo, "Ana", "2026-06-01T09:00:00Z", "Start the handbook");
    fixture
}

#[test]
fn owners_come_from_front_matter_codeowners_and_folders_and_reviews_from_git_dates() {
    let fixture = repository();
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for line in [
        "runbooks/deploy.md:1:1: warning[review-overdue]: review was due on 2026-09-01 (83 days ago; owner: platform)",
        "policies/leave.md:3:1: warning[review-overdue]: review was due on 2026-11-01 (22 days ago; owner: dana)",
        "../.github/CODEOWNERS:5:1: warning[codeowners]: `!/handbook/people/`: CODEOWNERS has no negated patterns",
    ] {
        assert!(
            run.stderr.contains(line),
            "missing {line:?} in\n{}",
            run.stderr
        );
    }
    assert!(
        run.stderr.contains("0 errors, 3 warnings"),
        "{}",
        run.stderr
    );

    // CODEOWNERS names the team's handle; the team page has the id, so the owner links there.
    let deploy = fixture.html("runbooks/deploy/");
    assert_eq!(deploy.texts(".meta .owners"), ["Owner: Platform team"]);
    assert_eq!(deploy.attrs(".meta .owners", "title"), ["From CODEOWNERS"]);
    assert_eq!(
        deploy.attrs(".meta .owner", "href"),
        ["/hb/teams/platform/"]
    );
    let banner = deploy.texts(".banner-review");
    assert_eq!(banner.len(), 1);
    assert!(
        banner[0].starts_with(
            "Review overdue. This page was due for review on 2026-09-01 (83 days ago); owner: Platform team."
        ),
        "{banner:?}"
    );
    assert_eq!(
        deploy.attrs(".banner-review a:last-child", "href"),
        ["/hb/due-for-review/"]
    );
    assert_eq!(
        deploy.texts(".next-review"),
        ["Review was due: 2026-09-01 (every 3m after the last update)"],
        "the folder default counts from the last commit"
    );

    let restore = fixture.html("runbooks/restore/");
    assert_eq!(restore.count(".banner-review"), 0);
    assert_eq!(restore.texts(".review-due"), ["Review due 2026-12-01"]);

    let leave = fixture.html("policies/leave/");
    assert_eq!(leave.texts(".meta .owners"), ["Owner: Dana Scott"]);
    assert_eq!(
        leave.attrs(".meta .owners", "title"),
        ["Owner of this section"]
    );
    // A handle no person or team page has stays as written.
    assert_eq!(
        fixture.html("legal/terms/").texts(".meta .owners"),
        ["Owner: legal@example.org"]
    );
    assert_eq!(
        fixture
            .html("policies/")
            .count(".review-due, .banner-review"),
        0
    );

    // The report: owners by id, nobody's pages last; overdue first within a group.
    let report = fixture.html("due-for-review/");
    assert_eq!(
        report.texts(".page-header .lead"),
        [
            "As of 2026-11-23: 2 overdue and 2 due in the next 30 days, of 5 pages with a review schedule."
        ]
    );
    assert_eq!(
        report.texts(".review-group h2"),
        ["Dana Scott 1", "legal@example.org 1", "Platform team 2"]
    );
    assert_eq!(
        report.texts(".review-group td:first-child a"),
        ["Leave", "Terms & conditions", "Deploy", "Restore"]
    );
    assert_eq!(
        report.texts(".review-group .status"),
        [
            "22 days overdue",
            "due in 17 days",
            "83 days overdue",
            "due in 8 days"
        ]
    );
    assert_eq!(
        fixture
            .html("")
            .attrs(".site-footer a:not(.feed-link)", "href"),
        ["/hb/due-for-review/"]
    );

    // The export carries the same facts.
    let export: serde_json::Value = serde_json::from_str(&fixture.read("handbook.json")).unwrap();
    let page = |path: &str| crate::harness::exported_page(&export, path);
    let deploy = page("runbooks/deploy.md");
    assert_eq!(deploy["owner"], "platform");
    assert_eq!(deploy["owner_source"], "codeowners");
    assert_eq!(
        deploy["review"],
        serde_json::json!({"due": "2026-09-01", "state": "overdue", "days_left": -83})
    );
    assert_eq!(page("runbooks/restore.md")["review_every"], "6m");
    assert_eq!(page("policies/leave.md")["owner_source"], "folder");
    let dana = export["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|person| person["id"] == "dana")
        .unwrap();
    assert_eq!(
        dana["owns"],
        serde_json::json!(["policies/index.md", "policies/leave.md"])
    );

    // Warnings fail only strict checks.
    assert_eq!(fixture.run(&["check"]).code, 0);
    assert_eq!(fixture.run(&["check", "--strict"]).code, 1);
}

#[test]
fn stale_lists_due_pages_by_owner_for_people_and_bots() {
    let fixture = repository();
    let run = fixture.run(&["stale"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "2 overdue, 2 due within 30 days (as of 2026-11-23)\n\
         \n\
         Dana Scott (dana)\n\
         \x20 overdue 22 days     2026-11-01  policies/leave.md  Leave\n\
         \n\
         legal@example.org\n\
         \x20 due in 17 days      2026-12-10  legal/terms.md  Terms & conditions\n\
         \n\
         Platform team (platform)\n\
         \x20 overdue 83 days     2026-09-01  runbooks/deploy.md  Deploy\n\
         \x20 due in 8 days       2026-12-01  runbooks/restore.md  Restore\n"
    );

    let run = fixture.run(&["stale", "--json", "--owner", "platform", "--within", "5"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["version"], 1);
    assert_eq!(report["soon_days"], 5);
    assert_eq!(
        (report["overdue"].clone(), report["due_soon"].clone()),
        (2.into(), 0.into())
    );
    let groups = report["owners"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["owner"], "platform");
    assert_eq!(groups[0]["name"], "Platform team");
    assert_eq!(groups[0]["url"], "/hb/teams/platform/");
    let pages = groups[0]["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 1, "restore is not due within 5 days");
    assert_eq!(
        pages[0]["permalink"],
        "https://example.org/hb/runbooks/deploy/"
    );
    assert_eq!(pages[0]["every"], "3m");
    assert_eq!(pages[0]["last_updated"], "2026-06-01");
    assert_eq!(pages[0]["last_author"], "Ana");

    assert_eq!(fixture.run(&["stale", "--fail"]).code, 1);
    assert_eq!(
        fixture
            .run(&["stale", "--fail", "--owner", "legal@example.org"])
            .code,
        0,
        "nothing of theirs is overdue"
    );
}

#[test]
fn policies_turn_overdue_reviews_and_missing_owners_into_errors() {
    let fixture = repository();
    fixture.build();
    fixture.edit(
        "handbook.yml",
        "freshness: error\nreview:\n  require_owner: [policies, notes/]\n",
    );
    fixture.edit("notes/todo.md", "# Todo\n\n[home](../index.md)\n");
    fixture.edit(
        "notes/weekly.md",
        "---\ntitle: Weekly\nreview_every: fortnightly\n---\n",
    );
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for line in [
        "policies/leave.md:3:1: error[review-overdue]: review was due on 2026-11-01",
        "notes/todo.md:1:1: error[missing-owner]: 'Todo' has no owner",
        "notes/weekly.md:3:1: error[front-matter]: `review_every`: 'fortnightly' is not a review interval",
    ] {
        assert!(
            run.stderr.contains(line),
            "missing {line:?} in\n{}",
            run.stderr
        );
    }
    assert!(
        run.stderr.contains("add `owner: <person or team id>`"),
        "{}",
        run.stderr
    );
    assert!(
        fixture.output().join("due-for-review/index.html").exists(),
        "a failed build leaves the previous output"
    );
    fixture.edit("handbook.yml", "freshness: off\n");
    fixture.edit(
        "notes/weekly.md",
        "---\ntitle: Weekly\nreview_every: 2w\n---\n",
    );
    let run = fixture.run(&["check", "--strict"]);
    assert!(!run.stderr.contains("review-overdue"), "{}", run.stderr);
}

#[test]
fn codeowners_beside_a_handbook_outside_git_is_used_and_never_published() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n\n[Guide](guide/a.md)\n"),
        ("guide/a.md", "# A\n"),
        ("CODEOWNERS", "/guide/ @writers\n"),
        ("people/writers.md", "# The writers\n"),
    ]);
    std::fs::remove_dir_all(fixture.parent().join(".git")).unwrap();
    fixture.build();
    assert_eq!(
        fixture.html("guide/a/").texts(".meta .owners"),
        ["Owner: The writers"]
    );
    assert!(!fixture.output().join("CODEOWNERS").exists());
}
