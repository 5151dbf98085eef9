//! People and teams: profiles, what each owns, wrote and decided, members' hours and their
//! overlap, the people directory, and ids in front matter that name nobody.

use crate::harness::Fixture;

fn handbook() -> Fixture {
    Fixture::with_files(&[
        (
            "index.md",
            "# Home\n\n[Deploy](docs/deploy.md) [Runbook](docs/runbook.md)\n",
        ),
        ("people/index.md", "# People\n\nWho we are.\n"),
        (
            "people/ana.md",
            "---\nname: Ana Lima\nrole: Staff <b>Engineer</b>\nteam: platform\ntimezone: Europe/Berlin\nworking_hours: \"09:00-17:00\"\nchannels: [chat, docs]\nresponse_time: within a day\n---\nHello.\n",
        ),
        (
            "people/ben.md",
            "---\nname: Ben Okoro\nteam: platform\ntimezone: Asia/Kolkata\nworking_hours: 10:30–18:30\n---\n",
        ),
        ("people/cy.md", "---\nname: Cy Park\n---\n"),
        (
            "people/benefits/leave.md",
            "# Leave\n\nAn HR page in a subfolder, not a person.\n",
        ),
        (
            "teams/platform.md",
            "---\nname: Platform\nmembers: [ana, ben]\nlead: ana\nchannels: [\"#platform\"]\nask_about: [deploys, on-call]\n---\nWe run things.\n",
        ),
        ("docs/deploy.md", "---\nowner: platform\n---\n# Deploy\n"),
        ("docs/runbook.md", "---\nowner: ana\n---\n# Runbook\n"),
        (
            "decisions/0001-use-x.md",
            "---\nstatus: accepted\ndeciders: [ana]\nconsulted: [ben, platform]\ninformed: [cy]\nteam: platform\n---\n# Use X\n",
        ),
        (
            "updates/2026-11-20-platform.md",
            "---\ntitle: Platform week 47\nauthor: ana\nteam: platform\n---\nShipped.\n",
        ),
    ])
}

#[test]
fn a_person_page_shows_profile_hours_and_what_they_own_wrote_and_decided() {
    let fixture = handbook();
    let run = fixture.build();
    assert!(!run.stderr.contains("unknown-id"), "{}", run.stderr);
    let ana = fixture.html("people/ana/");
    assert_eq!(ana.texts("h1"), ["Ana Lima"], "title from `name`");
    let facts: Vec<String> = ana.texts(".profile-facts dt");
    assert_eq!(
        facts,
        [
            "Role",
            "Team",
            "Time zone",
            "Local time",
            "Working hours",
            "Reach me on",
            "Replies"
        ]
    );
    let values = ana.texts(".profile-facts dd");
    assert_eq!(
        values[0], "Staff <b>Engineer</b>",
        "front matter is text, not markup"
    );
    assert_eq!(values[1], "Platform");
    assert_eq!(
        values[2], "Europe/Berlin UTC+01:00",
        "November: winter time"
    );
    assert_eq!(values[3], "UTC+01:00", "without JavaScript, the offset");
    assert!(
        values[4].starts_with("09:00–17:00 local (08:00–16:00 UTC)"),
        "{}",
        values[4]
    );
    assert_eq!(ana.attrs(".local-time", "data-tz"), ["Europe/Berlin"]);
    assert_eq!(ana.attrs(".local-time", "data-start"), ["540"]);
    assert_eq!(ana.texts("#owns-heading + ul a"), ["Runbook"]);
    assert_eq!(ana.texts(".related .update-title"), ["Platform week 47"]);
    assert_eq!(ana.texts(".decision-links a"), ["1. Use X"]);
    assert_eq!(ana.texts(".related h3"), ["Decided"]);

    let ben = fixture.html("people/ben/");
    assert_eq!(ben.texts(".related h3"), ["Consulted"]);
    let cy = fixture.html("people/cy/");
    assert_eq!(cy.texts(".related h3"), ["Informed"]);
    assert_eq!(cy.count(".local-time"), 0, "no time zone, no clock");

    // The decision links its people.
    let decision = fixture.html("decisions/0001-use-x/");
    assert_eq!(
        decision.attrs(".decision-meta a.owner", "href"),
        [
            "/people/ana/",
            "/people/ben/",
            "/teams/platform/",
            "/people/cy/",
            "/teams/platform/"
        ]
    );
}

#[test]
fn a_team_page_lists_members_west_to_east_with_their_overlap() {
    let fixture = handbook();
    fixture.build();
    let team = fixture.html("teams/platform/");
    assert_eq!(
        team.texts(".people-table tbody td:first-child > a"),
        ["Ana Lima", "Ben Okoro"]
    );
    // Berlin 09:00–17:00 is 08:00–16:00 UTC; Kolkata 10:30–18:30 is 05:00–13:00 UTC.
    assert_eq!(
        team.texts(".people-table tbody td:nth-child(3) .role"),
        ["08:00–16:00 UTC", "05:00–13:00 UTC"]
    );
    assert_eq!(
        team.texts(".overlap strong"),
        ["All 2 work at the same time 08:00–13:00 UTC."]
    );
    let heat = team.texts(".heat span");
    assert_eq!(heat.len(), 24);
    assert_eq!(
        (heat[4].as_str(), heat[8].as_str(), heat[13].as_str()),
        ("0", "2", "1")
    );
    assert_eq!(
        team.attrs(".timeline-bar", "style")[0],
        "left:33.33%;width:33.33%"
    );
    assert_eq!(team.texts("#owns-heading + ul a"), ["Deploy"]);
    assert_eq!(team.texts(".related .update-title"), ["Platform week 47"]);
    assert_eq!(
        team.texts(".related h3"),
        ["The team's decisions", "Consulted or informed"]
    );
    let facts = team.texts(".profile-facts dd");
    assert_eq!(facts[0], "Ana Lima", "lead");
    assert_eq!(facts[3], "deploys, on-call");

    // Berlin and Auckland in November: 08:00–16:00 and 19:00–03:30 UTC never meet.
    fixture.edit(
        "people/ben.md",
        "---
name: Ben Okoro
team: platform
timezone: Pacific/Auckland
working_hours: 08:00-16:30
---
",
    );
    fixture.build();
    assert_eq!(
        fixture.html("teams/platform/").texts(".overlap strong"),
        ["No two of the 2 have overlapping working hours."]
    );
}

#[test]
fn the_people_page_lists_everyone_west_to_east() {
    let fixture = handbook();
    fixture.build();
    let people = fixture.html("people/");
    assert_eq!(
        people.texts(".directory .people-table tbody td:first-child > a"),
        ["Ana Lima", "Ben Okoro", "Cy Park"],
        "people without a time zone last"
    );
    assert_eq!(people.texts(".content p"), ["Who we are."]);
    let leave = fixture.html("people/benefits/leave/");
    assert_eq!(
        leave.count(".profile"),
        0,
        "pages in subfolders are ordinary pages"
    );
}

#[test]
fn unknown_ids_are_reported_where_they_are_written_with_a_suggestion() {
    let fixture = handbook();
    fixture.edit("docs/deploy.md", "---\nowner: platfrom\n---\n# Deploy\n");
    fixture.edit(
        "decisions/0001-use-x.md",
        "---\nstatus: accepted\ndeciders:\n  - ana\n  - bne\nconsulted: [Legal team]\nteam: platform\n---\n# Use X\n",
    );
    fixture.edit(
        "updates/2026-11-20-platform.md",
        "---\ntitle: Platform week 47\nauthor: anna\nteam: platform\n---\nShipped.\n",
    );
    fixture.edit(
        "teams/platform.md",
        "---\nname: Platform\nmembers: [ana, ben, zed]\n---\n",
    );
    let run = fixture.run(&["check"]);
    assert_eq!(run.code, 0, "warnings only: {}", run.stderr);
    for expected in [
        "docs/deploy.md:2:8: warning[unknown-id]: `owner`: no person or team page has the id 'platfrom'",
        "did you mean `platform`?",
        "decisions/0001-use-x.md:5:5: warning[unknown-id]: `deciders`: no person or team page has the id 'bne'",
        "did you mean `ben`?",
        "updates/2026-11-20-platform.md:3:9: warning[unknown-id]: `author`: no person page has the id 'anna'",
        "did you mean `ana`?",
        "teams/platform.md:3:21: warning[unknown-id]: `members`: no person page has the id 'zed'",
    ] {
        assert!(
            run.stderr.contains(expected),
            "missing {expected:?} in\n{}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("Legal team"), "free text is not an id");
    assert_eq!(
        run.stderr.matches("unknown-id").count(),
        4,
        "{}",
        run.stderr
    );
}

#[test]
fn a_bad_time_zone_or_working_hours_fail_with_the_line_and_a_suggestion() {
    let fixture = handbook();
    fixture.edit(
        "people/cy.md",
        "---\nname: Cy Park\ntimezone: Europe/Berln\n---\n",
    );
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("people/cy.md:3:1: error[front-matter]: `timezone`: 'Europe/Berln' is not an IANA time zone name"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `Europe/Berlin`?"),
        "{}",
        run.stderr
    );
    fixture.edit(
        "people/cy.md",
        "---\nname: Cy Park\nworking_hours: nine to five\n---\n",
    );
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("people/cy.md:3:1: error[front-matter]: `working_hours`: 'nine to five' is not a span of working hours"),
        "{}",
        run.stderr
    );
}

#[test]
fn avatars_resolve_beside_the_page_unknown_teams_warn_and_odd_schemes_are_dropped() {
    let fixture = handbook();
    fixture.edit(
        "people/ana.md",
        "---\nname: Ana Lima\nteam: platfrom\navatar: ana.jpg\n---\n",
    );
    fixture.edit("people/ana.jpg", "not really a picture");
    fixture.edit(
        "people/cy.md",
        "---\nname: Cy Park\navatar: \"javascript:alert(1)\"\n---\n",
    );
    let run = fixture.build();
    assert!(
        run.stderr.contains(
            "people/ana.md:3:7: warning[unknown-id]: `team`: no team page has the id 'platfrom'"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(
        fixture
            .html("people/ana/")
            .attrs(".profile img.avatar", "src"),
        ["/people/ana.jpg"]
    );
    assert!(fixture.output().join("people/ana.jpg").exists());
    assert_eq!(fixture.html("people/cy/").count(".profile img"), 0);
}
