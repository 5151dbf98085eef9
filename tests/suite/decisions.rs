//! Decision records: pages with status, metadata, relations and banners; lifecycle errors.

use crate::harness::{Fixture, assert_snapshot, outer_html};

#[test]
fn a_superseded_record_shows_a_banner_pointing_to_its_accepted_successor() {
    let fixture = Fixture::new("decisions");
    let run = fixture.build();
    assert!(
        run.stderr.contains("0 errors, 0 warnings"),
        "{}",
        run.stderr
    );
    let old = fixture.html("decisions/0002-one-cluster/");
    assert_eq!(
        old.texts(".banner-superseded a"),
        [
            "3. Run stateless services on Fargate",
            "4. Add a second region"
        ]
    );
    assert_eq!(
        old.texts(".decision-meta .status")
            .first()
            .map(String::as_str),
        Some("superseded")
    );
    let new = fixture.html("decisions/0003-fargate/");
    assert_eq!(new.count(".banner"), 0, "accepted records have no banner");
    assert_eq!(new.texts(".decision-meta dd .as-written"), ["(“Approved”)"]);
    assert_eq!(
        new.attrs(".decision-meta a", "href"),
        [
            "/decisions/0002-one-cluster/",
            "/decisions/0001-record-decisions/"
        ]
    );
    let proposed = fixture.html("decisions/0004-second-region/");
    assert!(
        proposed
            .texts(".banner-proposed")
            .join("")
            .contains("To be decided by 2026-12-15")
    );
}

#[test]
fn adr_tools_records_are_read_unchanged() {
    let fixture = Fixture::new("decisions");
    fixture.build();
    let first = fixture.html("decisions/0001-record-decisions/");
    assert_eq!(first.texts("main h1"), ["Record architecture decisions"]);
    assert_eq!(first.texts(".decision-meta time"), ["2018-02-01"]);
    assert_eq!(
        first.texts(".decision-meta dt"),
        ["Decision", "Date", "Amended by"]
    );
}

#[test]
fn decisions_list_in_number_order_in_the_sidebar() {
    let fixture = Fixture::new("decisions");
    fixture.build();
    let page = fixture.html("decisions/0003-fargate/");
    let entries = ".sidebar li.open > ul > li > a";
    assert_eq!(
        page.texts(&format!("{entries} .nav-number")),
        ["1", "2", "3", "4"]
    );
    // Each entry: number, title, effective status as a badge.
    assert_eq!(
        page.texts(entries),
        [
            "1 Record architecture decisions accepted",
            "2 Run everything on one cluster superseded",
            "3 Run stateless services on Fargate accepted",
            "4 Add a second region proposed"
        ]
    );
    assert_eq!(
        page.attrs(&format!("{entries} .nav-status"), "class"),
        [
            "status nav-status status-accepted",
            "status nav-status status-superseded",
            "status nav-status status-accepted",
            "status nav-status status-proposed"
        ]
    );
}

#[test]
fn lifecycle_errors_fail_the_build_with_file_and_line() {
    let fixture = Fixture::new("decisions");
    fixture.edit(
        "decisions/0005-typo.md",
        "---\ntitle: Typo\nstatus: acepted\n---\n",
    );
    fixture.edit(
        "decisions/0005-other-branch.md",
        "---\ntitle: Same number\nsupersedes: [9]\n---\n",
    );
    // Legacy logs build: lifecycle problems are warnings; `--strict` makes them errors.
    let lenient = fixture.run(&["build"]);
    assert_eq!(lenient.code, 0, "{}", lenient.stderr);
    assert!(
        lenient.stderr.contains(
            "decisions/0005-typo.md:3:1: warning[decision-status]: unknown status 'acepted'"
        ),
        "{}",
        lenient.stderr
    );
    let run = fixture.run(&["check", "--strict"]);
    assert_eq!(run.code, 1);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.contains(": error["))
        .collect();
    assert_eq!(
        errors,
        [
            "decisions/0005-other-branch.md:3:1: error[decision-link]: `supersedes` names record 9, which does not exist",
            "decisions/0005-typo.md: error[decision-number]: decision number 5 is also used by 'decisions/0005-other-branch.md'",
            "decisions/0005-typo.md:3:1: error[decision-status]: unknown status 'acepted'",
        ]
    );
    assert!(run.stderr.contains("help: did you mean `accepted`?"));
}

#[test]
fn the_decision_log_lists_records_newest_first_with_pages_per_status() {
    let fixture = Fixture::new("decisions");
    fixture.build();
    let log = fixture.html("decision-log/");
    assert_eq!(
        log.texts(".log-table tbody td:first-child"),
        ["4", "3", "2", "1"]
    );
    assert_eq!(
        log.texts(".log-table tbody .status"),
        ["proposed", "accepted", "superseded", "accepted"]
    );
    assert_eq!(log.texts(".log-timeline h3"), ["2024", "2018", "Undated"]);
    let accepted = fixture.html("decision-log/accepted/");
    assert_eq!(
        accepted.texts(".log-table tbody td:first-child"),
        ["3", "1"]
    );
    assert_eq!(
        accepted.texts(".log-filters [aria-current=page] .status"),
        ["accepted"]
    );
    assert_eq!(
        fixture.html("").attrs(".site-links a", "href")[0],
        "/decision-log/"
    );
}

#[test]
fn the_open_dashboard_puts_overdue_proposals_first() {
    let fixture = Fixture::new("decisions");
    fixture.edit(
        "decisions/0005-late.md",
        "---\ntitle: Late proposal\nstatus: proposed\ndecide_by: 2026-01-01\ndeciders: [ana, ben]\n---\n",
    );
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("decisions/0005-late.md:4:1: warning[decision-overdue]"),
        "{}",
        run.stderr
    );
    let open = fixture.html("decision-log/open/");
    assert_eq!(open.texts(".log-table tbody td:first-child"), ["5", "4"]);
    assert_eq!(
        open.texts(".log-table tr.overdue td:nth-child(3)"),
        ["ana, ben"]
    );
    // Deadlines in days from the build's today (2026-11-23 in tests).
    assert_eq!(
        open.texts(".log-table .overdue-label, .log-table .due-label"),
        ["overdue by 326 days", "due in 22 days"]
    );
}

#[test]
fn the_open_dashboard_links_deciders_and_teams_to_their_pages() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n"),
        ("people/ana.md", "---\ntitle: Ana Lima\n---\n"),
        ("teams/platform.md", "---\ntitle: Platform team\n---\n"),
        (
            "decisions/0001-x.md",
            "---\ntitle: Pick a queue\nstatus: proposed\ndecide_by: 2026-11-23\ndeciders: [ana, zoe]\nteam: platform\n---\n",
        ),
    ]);
    fixture.build();
    let open = fixture.html("decision-log/open/");
    assert_eq!(open.texts(".log-deciders"), ["Ana Lima, zoe"]);
    assert_eq!(
        open.attrs(".log-deciders a", "href"),
        ["/people/ana/"],
        "a decider without a page is named, not linked"
    );
    assert_eq!(open.attrs(".log-team a", "href"), ["/teams/platform/"]);
    assert_eq!(open.texts(".log-team"), ["Platform team"]);
    assert_eq!(open.texts(".due-label"), ["due today"]);
}

#[test]
fn the_decision_feed_is_atom_with_escaped_titles() {
    let fixture = Fixture::new("decisions");
    fixture.edit(
        "decisions/0005-x.md",
        "---\ntitle: Use <b> & friends\nstatus: accepted\ndate: 2025-01-01\n---\n",
    );
    fixture.build();
    let xml = fixture.read("decision-log/feed.xml");
    assert!(
        xml.contains("<title>5. Use &lt;b&gt; &amp; friends (accepted)</title>"),
        "{xml}"
    );
    let feed = crate::feeds::parse_valid(&xml);
    assert_eq!(feed.entries().len(), 5);
    let newest = &feed.entries()[0];
    assert_eq!(newest.title().as_str(), "5. Use <b> & friends (accepted)");
    assert_eq!(newest.updated().to_rfc3339(), "2025-01-01T00:00:00+00:00");
    // Without an absolute base_url ids are tag: URIs and links are relative to the feed
    // (`decision-log/feed.xml`).
    assert_eq!(
        newest.id(),
        "tag:handbook,2000:/decisions/0005-x/#status-accepted"
    );
    assert_eq!(newest.links()[0].href(), "../decisions/0005-x/");
}

#[test]
fn new_decision_takes_the_next_number_and_builds() {
    let fixture = Fixture::new("decisions");
    let run = fixture.run(&[
        "new",
        "decision",
        "Use PostgreSQL: for the ledger",
        "--supersedes",
        "3",
        "--team",
        "platform",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .trim()
            .ends_with("decisions/0005-use-postgresql-for-the-ledger.md"),
        "{}",
        run.stdout
    );
    let text = std::fs::read_to_string(
        fixture
            .root
            .join("decisions/0005-use-postgresql-for-the-ledger.md"),
    )
    .unwrap();
    assert!(
        text.starts_with(
            "---\ntitle: \"Use PostgreSQL: for the ledger\"\nstatus: proposed\ndate: 2026-11-23\n"
        ),
        "{text}"
    );
    assert!(text.contains("team: platform\n") && text.contains("supersedes: [3]\n"));
    let clash = fixture.run(&["new", "decision", "Other", "--number", "5"]);
    assert_eq!(clash.code, 2);
    assert!(
        clash.stderr.contains("number 5 is taken"),
        "{}",
        clash.stderr
    );
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn status_and_supersede_edit_only_the_lines_they_must() {
    let fixture = Fixture::new("decisions");
    let before =
        std::fs::read_to_string(fixture.root.join("decisions/0004-second-region.md")).unwrap();
    assert_eq!(
        fixture.run(&["decision", "status", "4", "accepted"]).code,
        0
    );
    let after =
        std::fs::read_to_string(fixture.root.join("decisions/0004-second-region.md")).unwrap();
    assert_eq!(
        after,
        before.replace("status: proposed", "status: accepted")
    );
    let run = fixture.run(&["decision", "supersede", "1", "--by", "4"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let nygard =
        std::fs::read_to_string(fixture.root.join("decisions/0001-record-decisions.md")).unwrap();
    assert!(
        nygard.contains("## Status\n\nSuperseded by [4](0004-second-region.md)\n\n## Context"),
        "{nygard}"
    );
    let newer =
        std::fs::read_to_string(fixture.root.join("decisions/0004-second-region.md")).unwrap();
    assert!(newer.contains("supersedes: [1, 2]\n"), "{newer}");
    fixture.build();
    let old = fixture.html("decisions/0001-record-decisions/");
    assert_eq!(
        old.texts(".banner-superseded a"),
        ["4. Add a second region"]
    );
    assert_eq!(
        fixture.run(&["decision", "status", "42", "accepted"]).code,
        2
    );
}

#[test]
fn superseding_by_a_record_not_yet_accepted_warns() {
    let fixture = Fixture::new("decisions");
    // Record 4 is proposed: the supersede is made, with a warning naming the way out.
    let run = fixture.run(&["decision", "supersede", "3", "--by", "4"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning: record 4 is proposed, not accepted: record 3 reads as superseded by a decision not taken. \
             Accept it with `handbook decision status 4 accepted` once it is decided"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(
        fixture.run(&["decision", "status", "4", "accepted"]).code,
        0
    );
    let run = fixture.run(&["decision", "supersede", "2", "--by", "4"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

#[test]
fn new_records_and_updates_refuse_a_misspelt_team_or_author() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n"),
        ("people/ana.md", "---\ntitle: Ana Lima\n---\n"),
        ("teams/platform.md", "---\ntitle: Platform\n---\n"),
        ("teams/payments.md", "---\ntitle: Payments\n---\n"),
    ]);
    let run = fixture.run(&["new", "decision", "Pick a queue", "--team", "platfrom"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "--team \"platfrom\" names no page in teams/: did you mean `platform`? Known: payments, platform"
        ),
        "{}",
        run.stderr
    );
    let run = fixture.run(&[
        "new", "update", "Weekly", "--team", "platform", "--author", "anna",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `ana`?"), "{}", run.stderr);
    assert!(
        !fixture.root.join("decisions").exists() && !fixture.root.join("updates").exists(),
        "nothing is written"
    );
    // Known ids, and names written as on the pages, pass quietly; an id far from any known one
    // (a team only in CODEOWNERS) is written with a warning.
    let run = fixture.run(&[
        "new", "update", "Weekly", "--team", "Platform", "--author", "ana",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let run = fixture.run(&["new", "decision", "Pick a queue", "--team", "@acme/sre"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning: --team \"@acme/sre\" names no page in teams/ (known: payments, platform)"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn decision_list_prints_a_table_or_json() {
    let fixture = Fixture::new("decisions");
    let run = fixture.run(&["decision", "list", "--status", "accepted"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_snapshot("decision-list-accepted", &run.stdout);
    let all = fixture.run(&["decision", "list"]);
    assert_snapshot("decision-list", &all.stdout);
    let json: serde_json::Value =
        serde_json::from_str(&fixture.run(&["decision", "list", "--json"]).stdout).unwrap();
    assert_snapshot(
        "decision-list-json",
        &format!("{}\n", serde_json::to_string_pretty(&json).unwrap()),
    );
}

#[test]
fn a_proposed_record_and_the_open_dashboard_render_as_their_snapshots() {
    let fixture = Fixture::new("decisions");
    fixture.build();
    let page = |url: &str| {
        crate::harness::Page(scraper::Html::parse_document(
            &fixture.read(&format!("{url}index.html")),
        ))
    };
    // The record: banner, metadata block, body; the dashboard: its table.
    assert_snapshot(
        "decision-proposed-page",
        &outer_html(&page("decisions/0004-second-region/"), "article.page"),
    );
    assert_snapshot(
        "decision-open-table",
        &outer_html(&page("decision-log/open/"), "table.log-table"),
    );
}

#[test]
fn records_in_several_folders_share_one_numbering_and_link_across_folders() {
    let fixture = Fixture::new("decisions");
    fixture.edit(
        "handbook.yml",
        "folders:\n  decisions: [decisions, platform/adr]\n",
    );
    fixture.edit(
        "platform/adr/use-nats.md",
        "---\ntitle: Use NATS\nnumber: 7\nstatus: proposed\n---\n",
    );
    fixture.edit(
        "platform/adr/0008-madr2.md",
        "# Keep MADR 2\n\n* Status: accepted\n* Date: 2020-01-01\n",
    );
    let run = fixture.run(&["decision", "status", "7", "accepted"]);
    assert_eq!(
        run.code, 0,
        "a record numbered in front matter is found: {}",
        run.stderr
    );
    assert!(
        std::fs::read_to_string(fixture.root.join("platform/adr/use-nats.md"))
            .unwrap()
            .contains("status: accepted\n")
    );
    let run = fixture.run(&["decision", "supersede", "8", "--by", "7"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let madr2 = std::fs::read_to_string(fixture.root.join("platform/adr/0008-madr2.md")).unwrap();
    assert_eq!(
        madr2,
        "# Keep MADR 2\n\n* Status: superseded by [7](use-nats.md)\n* Date: 2020-01-01\n"
    );
    let run = fixture.run(&["decision", "supersede", "1", "--by", "7"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let nygard =
        std::fs::read_to_string(fixture.root.join("decisions/0001-record-decisions.md")).unwrap();
    assert!(
        nygard.contains("Superseded by [7](../platform/adr/use-nats.md)"),
        "{nygard}"
    );
    let new = fixture.run(&["new", "decision", "Next one"]);
    assert!(
        new.stdout.trim().ends_with("decisions/0009-next-one.md"),
        "{}",
        new.stdout
    );
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let log = fixture.html("decision-log/");
    assert_eq!(
        log.texts(".log-table tbody td:first-child"),
        ["9", "8", "7", "4", "3", "2", "1"]
    );
    let madr2 = fixture.html("platform/adr/0008-madr2/");
    assert_eq!(madr2.texts(".banner-superseded a"), ["7. Use NATS"]);
    assert_eq!(
        fixture
            .html("decisions/0001-record-decisions/")
            .texts(".banner-superseded a"),
        ["7. Use NATS"]
    );
}
