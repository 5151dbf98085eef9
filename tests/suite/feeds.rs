//! Atom feeds (parsed back and checked against RFC 4287's required elements) and the "What
//! changed" digest, from a temporary git repository and from front-matter dates.

use std::collections::HashSet;

use atom_syndication::Feed;

use crate::git::{commit_all, git};
use crate::harness::Fixture;

/// Parses a feed and checks what RFC 4287 requires: the feed and each entry have an absolute
/// IRI id (unique), a title and an updated date; each entry has an author (its own or the
/// feed's) and an alternate link.
pub fn parse_valid(xml: &str) -> Feed {
    let feed: Feed = xml
        .parse()
        .unwrap_or_else(|e| panic!("not Atom: {e}\n{xml}"));
    let absolute = |id: &str| {
        id.split_once(':').is_some_and(|(scheme, rest)| {
            !scheme.is_empty() && !rest.is_empty() && !scheme.contains('/')
        })
    };
    assert!(absolute(feed.id()), "feed id {}", feed.id());
    assert!(!feed.title().as_str().is_empty());
    assert!(feed.links().iter().any(|l| l.rel() == "self"));
    let mut ids = HashSet::new();
    for entry in feed.entries() {
        assert!(absolute(entry.id()), "entry id {}", entry.id());
        assert!(
            ids.insert(entry.id().to_string()),
            "duplicate id {}",
            entry.id()
        );
        assert!(!entry.title().as_str().is_empty());
        assert!(!entry.authors().is_empty() || !feed.authors().is_empty());
        assert!(entry.links().iter().any(|l| l.rel() == "alternate"));
    }
    feed
}

fn updates_handbook(base_url: &str) -> Fixture {
    Fixture::with_files(&[
        (
            "handbook.yml",
            &format!("title: Acme\nbase_url: {base_url}\n"),
        ),
        ("index.md", "# Home\n"),
        (
            "people/ana.md",
            "---\nname: Ana Lima\nteam: platform\n---\n",
        ),
        (
            "teams/platform.md",
            "---\nname: Platform\nmembers: [ana]\n---\n",
        ),
        ("teams/product.md", "---\nname: Product\n---\n"),
        ("docs/deploy.md", "# Deploy\n"),
        (
            "updates/2026-11-02-platform.md",
            "---\ntitle: Platform week 45\nauthor: ana\nteam: platform\n---\nWe shipped [the deploy guide](../docs/deploy.md).\n",
        ),
        (
            "updates/2026-11-09-product.md",
            "---\ntitle: Product <week> 46\nteam: product\nsummary: The <b>summary</b> stays text.\n---\nBody.\n",
        ),
        (
            "updates/2026-11-16-platform.md",
            "---\ntitle: Platform week 47\nauthor: ana\nteam: platform\n---\nQuiet week.\n",
        ),
    ])
}

#[test]
fn update_feeds_are_valid_atom_with_absolute_links_per_team_and_in_page_heads() {
    let fixture = updates_handbook("https://docs.example.org/hb/");
    fixture.build();
    let feed = parse_valid(&fixture.read("updates/feed.xml"));
    assert_eq!(feed.id(), "https://docs.example.org/hb/updates/feed.xml");
    let titles: Vec<&str> = feed.entries().iter().map(|e| e.title().as_str()).collect();
    assert_eq!(
        titles,
        ["Platform week 47", "Product <week> 46", "Platform week 45"],
        "newest first, titles as plain text"
    );
    let oldest = &feed.entries()[2];
    assert_eq!(
        oldest.links()[0].href(),
        "https://docs.example.org/hb/updates/2026-11-02-platform/"
    );
    assert_eq!(oldest.authors()[0].name(), "Ana Lima");
    assert_eq!(oldest.updated().to_rfc3339(), "2026-11-02T00:00:00+00:00");
    let content = oldest.content().and_then(|c| c.value()).unwrap();
    assert!(
        content.contains("href=\"https://docs.example.org/hb/docs/deploy/\""),
        "links in content are absolute: {content}"
    );
    let product = &feed.entries()[1];
    assert_eq!(
        product.summary().map(|s| s.as_str()),
        Some("The <b>summary</b> stays text.")
    );
    assert_eq!(product.authors()[0].name(), "Acme", "no author: the site");

    let team = parse_valid(&fixture.read("updates/team/platform/feed.xml"));
    let titles: Vec<&str> = team.entries().iter().map(|e| e.title().as_str()).collect();
    assert_eq!(titles, ["Platform week 47", "Platform week 45"]);

    let feeds = |url: &str| {
        fixture
            .html(url)
            .attrs("head link[type='application/atom+xml']", "href")
    };
    assert_eq!(
        feeds(""),
        [
            "/hb/updates/feed.xml",
            "/hb/changes/feed.xml",
            "/hb/changes/pages.xml"
        ]
    );
    assert!(feeds("teams/platform/").contains(&"/hb/updates/team/platform/feed.xml".to_string()));
    assert_eq!(
        fixture
            .html("teams/platform/")
            .attrs(".profile a[href$='feed.xml']", "href"),
        ["/hb/updates/team/platform/feed.xml"]
    );
    for path in ["changes/feed.xml", "changes/pages.xml"] {
        parse_valid(&fixture.read(path));
    }
}

#[test]
fn without_an_absolute_base_url_feeds_use_tag_ids_and_relative_links() {
    let fixture = updates_handbook("/");
    fixture.build();
    let feed = parse_valid(&fixture.read("updates/feed.xml"));
    assert_eq!(feed.id(), "tag:acme,2000:/updates/feed.xml");
    // Relative to the feed's own address (`/updates/feed.xml`), so it works under a sub-path.
    assert_eq!(
        feed.entries()[0].links()[0].href(),
        "./2026-11-16-platform/"
    );
    let content = feed.entries()[0]
        .content()
        .and_then(|content| content.value())
        .unwrap_or_default();
    assert!(
        !content.contains("href=\"/"),
        "entry HTML is relative too: {content}"
    );
}

/// A repository with four weeks of history (the build date, 2026-11-23, is a Monday).
fn history() -> Fixture {
    let fixture = Fixture::with_files(&[
        ("handbook.yml", "title: Acme\n"),
        (
            "index.md",
            "# Home\n\n[Deploy](docs/deploy.md), [Notes](docs/notes.md)\n",
        ),
        (
            "people/ana.md",
            "---\nname: Ana Lima\nteam: platform\n---\n",
        ),
        ("teams/platform.md", "---\nname: Platform\n---\n"),
        ("docs/deploy.md", "---\nowner: platform\n---\n# Deploy\n"),
        (
            "decisions/0001-use-x.md",
            "---\nstatus: proposed\nteam: platform\n---\n# Use X\n",
        ),
    ]);
    let repo = &fixture.root;
    git(repo, &["init", "-q"], "Ana", "2026-11-03T09:00:00Z");
    commit_all(repo, "Ana", "2026-11-03T09:00:00Z", "Start the handbook");
    fixture.edit(
        "docs/deploy.md",
        "---\nowner: platform\n---\n# Deploy\n\nTighter.\n",
    );
    fixture.edit(
        "decisions/0001-use-x.md",
        "---\nstatus: accepted\nteam: platform\n---\n# Use X\n",
    );
    commit_all(
        repo,
        "Ben",
        "2026-11-11T09:00:00Z",
        "Accept X & tighten <deploys>",
    );
    fixture.edit(
        "updates/2026-11-18-platform.md",
        "---\ntitle: Platform week 47\nauthor: ana\nteam: platform\n---\nShipped.\n",
    );
    fixture.edit("docs/notes.md", "# Notes\n");
    commit_all(repo, "Cy", "2026-11-18T09:00:00Z", "Add notes");
    fixture
}

#[test]
fn the_digest_lists_each_weeks_changes_by_team_from_git_history() {
    let fixture = history();
    fixture.build();
    let page = fixture.html("changes/");
    assert_eq!(
        page.texts(".digest-week h2"),
        [
            "Week 48: 23–29 Nov 2026 this week",
            "Week 47: 16–22 Nov 2026",
            "Week 46: 9–15 Nov 2026",
            "Week 45: 2–8 Nov 2026"
        ]
    );
    assert_eq!(
        page.texts(".digest-summary"),
        [
            "No changes",
            "1 update, 1 new page",
            "1 changed decision, 1 changed page",
            "1 new decision, 4 new pages"
        ]
    );
    // Week 47: the update under Platform; the unowned new page across teams.
    assert_eq!(
        page.texts("[id='2026-W47'] .digest-team h3"),
        ["Platform", "Across teams"]
    );
    assert_eq!(
        page.texts("[id='2026-W47'] .digest-update > a"),
        ["Platform week 47"]
    );
    // Week 46: who changed what, with the commit subject and the decision's status now.
    assert_eq!(
        page.texts("[id='2026-W46'] .digest-changed-decision .status"),
        ["accepted"]
    );
    let changed = page.texts("[id='2026-W46'] .digest-items li");
    assert!(
        changed
            .iter()
            .any(|t| t.starts_with("Deploy") && t.contains("Ben · “Accept X & tighten <deploys>”")),
        "{changed:?}"
    );
    assert_eq!(
        page.texts("[id='2026-W45'] .digest-new-decision > a"),
        ["1. Use X"]
    );
    assert_eq!(page.count(".site-header a[href='/changes/']"), 1);

    let feed = parse_valid(&fixture.read("changes/feed.xml"));
    let ids: Vec<&str> = feed.entries().iter().map(|e| e.id()).collect();
    assert_eq!(
        ids,
        [
            "tag:acme,2000:/changes/#2026-W47",
            "tag:acme,2000:/changes/#2026-W46",
            "tag:acme,2000:/changes/#2026-W45"
        ],
        "weeks without changes have no entry"
    );
    let week46 = feed.entries()[1].content().and_then(|c| c.value()).unwrap();
    assert!(
        week46.contains("Accept X &amp; tighten &lt;deploys&gt;"),
        "{week46}"
    );

    let pages = parse_valid(&fixture.read("changes/pages.xml"));
    let newest = &pages.entries()[0];
    assert_eq!(newest.authors()[0].name(), "Cy");
    assert_eq!(newest.updated().to_rfc3339(), "2026-11-18T00:00:00+00:00");
}

#[test]
fn without_git_the_digest_uses_front_matter_dates_and_can_be_turned_off() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n\n[Policy](policy.md)\n"),
        (
            "policy.md",
            "---\ndate: 2026-10-01\nupdated: 2026-11-17\n---\n# Policy\n",
        ),
    ]);
    fixture.build();
    let page = fixture.html("changes/");
    assert!(page.texts(".lead")[0].contains("without git history"));
    assert_eq!(
        page.texts("[id='2026-W47'] .digest-items li > a"),
        ["Policy"]
    );

    fixture.edit("handbook.yml", "feeds:\n  digest_weeks: 0\n");
    fixture.build();
    assert!(!fixture.output().join("changes").exists());
    assert_eq!(fixture.html("").count("a[href='/changes/']"), 0);
}
