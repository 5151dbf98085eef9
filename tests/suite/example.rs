//! The shipped `example-handbook/` builds cleanly: zero errors and zero warnings.

use crate::harness::Fixture;

#[test]
fn example_handbook_builds_with_no_diagnostics() {
    let fixture = Fixture::example();
    let check = fixture.run(&["check", "--strict", "--format", "json"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    let report: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    assert_eq!(
        report["findings"],
        serde_json::json!([]),
        "check --strict is clean"
    );
    let run = fixture.run(&["build", "--strict"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(" 0 errors, 0 warnings"),
        "{}",
        run.stderr
    );
    let count = |folder: &str, landing: bool| {
        walkdir::WalkDir::new(fixture.root.join(folder))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
            .filter(|e| landing || e.file_name() != "index.md")
            .count()
    };
    assert!(
        count("decisions", false) >= 12,
        "at least 12 decision records"
    );
    assert!(count("updates", false) >= 12, "at least 12 updates");
    let records: usize = ["decisions", "updates", "people", "teams"]
        .map(|folder| count(folder, true))
        .iter()
        .sum();
    let pages = count(".", true) - records;
    assert!(pages >= 30, "at least 30 plain pages, found {pages}");
    let home = fixture.html("");
    assert!(home.count(".sidebar a") >= 5);
    // Owners link to their people pages; review schedules feed the report.
    let on_call = fixture.html("engineering/on-call/");
    assert_eq!(
        on_call.attrs(".meta .owner", "href"),
        ["/people/tane-parata/"]
    );
    assert_eq!(on_call.texts(".review-due"), ["Review due 2026-12-10"]);
    assert_eq!(
        fixture
            .html("due-for-review/")
            .texts(".review-group td:first-child a"),
        ["On-call runbook"]
    );
    // People: the generated directory, west to east; teams with overlaps; three teams post
    // updates, each with its feed.
    let people = fixture.html("people/");
    let names = people.texts(".directory .people-table tbody td:first-child > a");
    assert_eq!(names.len(), 11);
    assert_eq!(
        (names[0].as_str(), names[10].as_str()),
        ("Chloe Tremblay", "Tane Parata"),
        "Toronto first, Auckland last"
    );
    let platform = fixture.html("teams/platform/");
    assert_eq!(
        platform.texts(".overlap strong"),
        ["There is no hour when all 3 work; at most 2 overlap, 08:30–13:00 UTC."]
    );
    assert!(platform.count(".related .update-title") > 0);
    for team in ["platform", "product", "customer-success"] {
        let feed: atom_syndication::Feed = fixture
            .read(&format!("updates/team/{team}/feed.xml"))
            .parse()
            .unwrap();
        assert!(
            feed.entries().len() >= 4,
            "{team}: {}",
            feed.entries().len()
        );
    }
    assert_eq!(fixture.html("changes/").count(".digest-week"), 4);
}
