//! Async updates: dates from front matter or file names, summaries, listings newest first with
//! pagination, per team and per author, and `handbook new update`.

use crate::harness::Fixture;

/// Seven updates by two teams; three per listing page.
fn handbook() -> Fixture {
    let mut files: Vec<(String, String)> = vec![
        ("handbook.yml".into(), "updates:\n  per_page: 3\n".into()),
        ("index.md".into(), "# Home\n".into()),
        (
            "updates/index.md".into(),
            "# Weekly updates\n\nEvery team writes one a week.\n".into(),
        ),
        ("people/ana.md".into(), "# Ana Lima\n".into()),
        ("teams/platform.md".into(), "# Platform team\n".into()),
    ];
    for day in 1..=5 {
        let (team, author) = if day % 2 == 1 {
            ("platform", "ana")
        } else {
            ("product", "ben")
        };
        files.push((
            format!("updates/2026/2026-11-0{day}-weekly.md"),
            format!(
                "---\ntitle: Weekly {day}\nauthor: {author}\nteam: {team}\n---\nFirst paragraph of {day}.\n\nMore.\n"
            ),
        ));
    }
    files.push((
        "updates/2026/late.md".into(),
        "---\ntitle: Late note\ndate: 2026-11-20\nauthor: ana\nteam: platform\nsummary: The <b>summary</b> from front matter.\n---\nBody.\n".into(),
    ));
    files.push((
        "updates/2026/2026-10-30-teaser.md".into(),
        "---\nteam: product\n---\n# Teaser\n\nThe teaser is\nthis part.\n\n<!-- more -->\n\nThe rest is not.\n".into(),
    ));
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    Fixture::with_files(&files)
}

#[test]
fn updates_are_listed_newest_first_with_pages_teams_and_authors() {
    let fixture = handbook();
    fixture.build();
    let landing = fixture.html("updates/");
    assert_eq!(
        landing.texts(".content p"),
        ["Every team writes one a week."],
        "the landing page keeps its own text"
    );
    assert_eq!(
        landing.texts(".update-list .update-title"),
        ["Late note", "Weekly 5", "Weekly 4"]
    );
    assert_eq!(
        landing.texts(".update-list .update-summary"),
        [
            "The <b>summary</b> from front matter.",
            "First paragraph of 5.",
            "First paragraph of 4."
        ],
        "summaries are text, never markup"
    );
    assert_eq!(
        landing.attrs(".update-list .pager .next", "href"),
        ["/updates/page/2/"]
    );
    let last = fixture.html("updates/page/3/");
    assert_eq!(last.texts(".update-list .update-title"), ["Teaser"]);
    assert_eq!(
        last.texts(".update-list .update-summary"),
        ["The teaser is this part."],
        "the text before <!-- more --> is the summary"
    );
    assert_eq!(last.attrs(".pager .previous", "href"), ["/updates/page/2/"]);
    assert_eq!(last.count(".pager .next"), 0);
    assert!(!fixture.output().join("updates/page/4").exists());
    assert!(!fixture.output().join("updates/page/1").exists());

    let team = fixture.html("updates/team/platform/");
    assert_eq!(team.texts("h1"), ["Updates: Platform team"]);
    assert_eq!(
        team.texts(".update-title"),
        ["Late note", "Weekly 5", "Weekly 3"]
    );
    assert_eq!(
        team.texts(".log-filters a[aria-current=page]"),
        ["Platform team 4"]
    );
    assert_eq!(
        fixture
            .html("updates/team/platform/page/2/")
            .texts(".update-title"),
        ["Weekly 1"]
    );
    // A team without a page is listed by its id.
    assert_eq!(
        fixture.html("updates/team/product/").texts(".update-title"),
        ["Weekly 4", "Weekly 2", "Teaser"]
    );
    assert_eq!(
        fixture.html("updates/author/ben/").texts(".update-title"),
        ["Weekly 4", "Weekly 2"]
    );

    // An update's own page: the date from its file name, author and team linked.
    let update = fixture.html("updates/2026/2026-11-03-weekly/");
    assert_eq!(update.texts(".update-meta time"), ["2026-11-03"]);
    assert_eq!(
        update.attrs(".update-meta .owner", "href"),
        ["/people/ana/", "/teams/platform/"]
    );
    assert_eq!(
        update.attrs(".update-meta .more-by", "href"),
        ["/updates/author/ana/", "/updates/team/platform/"]
    );
    let export: serde_json::Value = serde_json::from_str(&fixture.read("handbook.json")).unwrap();
    assert_eq!(export["updates"][0]["title"], "Late note");
    assert_eq!(export["updates"][6]["date"], "2026-10-30");
}

#[test]
fn without_a_landing_page_the_listing_is_generated_and_undated_updates_are_errors() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n"),
        ("updates/2026-01-02-a.md", "# A\n\nFirst.\n"),
    ]);
    fixture.build();
    assert_eq!(fixture.html("updates/").texts(".update-title"), ["A"]);
    fixture.edit("updates/someday.md", "# Someday\n");
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "updates/someday.md:1:1: error[update-date]: the update 'Someday' has no date"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn new_update_writes_todays_file_from_the_template_once() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n")]);
    let run = fixture.run(&[
        "new",
        "update",
        "Platform weekly",
        "--team",
        "platform",
        "--author",
        "ana",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let path = fixture
        .root
        .join("updates/2026/2026-11-23-platform-weekly.md");
    assert_eq!(
        run.stdout.trim(),
        "./updates/2026/2026-11-23-platform-weekly.md"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with(
            "---\ntitle: Platform weekly\ndate: 2026-11-23\nauthor: ana\nteam: platform\n"
        ),
        "{text}"
    );
    fixture.build();
    assert_eq!(
        fixture.html("updates/").texts(".update-title"),
        ["Platform weekly"]
    );
    let again = fixture.run(&["new", "update", "Platform weekly"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
}

/// Past 30 authors, listings stop linking every author (each listing would carry them all, and
/// output would grow with listings × authors): they link to `updates/author/`, which lists them
/// all. Teams stay inline while there are few of them.
#[test]
fn many_authors_are_listed_on_one_page_instead_of_on_every_listing() {
    let mut files: Vec<(String, String)> = vec![
        ("handbook.yml".into(), "updates:\n  per_page: 5\n".into()),
        ("updates/index.md".into(), "# Updates\n".into()),
    ];
    for n in 1..=31 {
        files.push((
            format!("updates/2026/2026-10-{:02}-note-{n}.md", n % 28 + 1),
            format!("---\ntitle: Note {n}\nauthor: writer-{n:02}\nteam: platform\n---\nText.\n"),
        ));
    }
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    let fixture = Fixture::with_files(&borrowed);
    let run = fixture.build();
    assert_eq!(run.code, 0, "{}", run.stderr);

    let listing = fixture.html("updates/page/2/");
    assert_eq!(
        listing.count(".update-authors a"),
        1,
        "only the link to all authors"
    );
    assert_eq!(
        listing.attrs(".update-authors a.filter-index", "href"),
        ["/updates/author/"]
    );
    assert_eq!(listing.texts(".update-authors a"), ["all 31 authors"]);
    // One team: still linked inline, and no page of all teams.
    assert_eq!(listing.texts(".log-filters a"), ["All", "platform 31"]);
    assert!(!fixture.output().join("updates/team/index.html").exists());

    let one = fixture.html("updates/author/writer-07/");
    assert_eq!(
        one.texts(".update-authors a"),
        ["writer-07", "all 31 authors"],
        "an author's listing names its author"
    );
    assert_eq!(
        one.attrs(".update-authors a[aria-current=page]", "href"),
        ["/updates/author/writer-07/"]
    );

    let index = fixture.html("updates/author/");
    assert_eq!(index.texts("h1"), ["Updates by author"]);
    assert_eq!(index.count(".update-authors a"), 31);
    assert_eq!(index.count(".update-authors a.filter-index"), 0);
    assert_eq!(
        index.count(".updates li"),
        0,
        "the index lists authors, not updates"
    );
    assert_eq!(
        index
            .attrs(".breadcrumbs a", "href")
            .last()
            .map(String::as_str),
        Some("/updates/")
    );
}
