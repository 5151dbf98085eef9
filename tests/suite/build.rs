//! `handbook build` on fixtures: pages, navigation, links, anchors, markdown features, base URL.

use crate::harness::Fixture;

#[test]
fn pages_get_pretty_urls_under_the_base_path() {
    let fixture = Fixture::new("basic");
    fixture.build();
    for path in [
        "index.html",
        "guide/index.html",
        "guide/first-steps/index.html",
        "teams/platform/index.html",
    ] {
        assert!(fixture.output().join(path).is_file(), "{path} missing");
    }
    let page = fixture.html("guide/first-steps/");
    assert_eq!(page.texts("main h1"), ["First steps"]);
    assert_eq!(page.texts("title"), ["First steps · Fixture Handbook"]);
    assert!(
        page.attrs("link[rel=stylesheet]", "href")
            .iter()
            .all(|href| href.starts_with("/handbook/assets/"))
    );
    assert_eq!(
        page.attrs("link[rel=canonical]", "href"),
        ["https://example.org/handbook/guide/first-steps/"]
    );
}

#[test]
fn relative_markdown_links_become_site_urls_with_anchors() {
    let fixture = Fixture::new("basic");
    fixture.build();
    let home = fixture.html("");
    let links = home.attrs("main .content a", "href");
    assert_eq!(
        links,
        ["/handbook/guide/", "/handbook/teams/platform/#on-call"]
    );
    let last = fixture.html("guide/zz-last/");
    assert_eq!(
        last.attrs("main .content a", "href"),
        [
            "/handbook/guide/first-steps/#step-2-roll-back",
            "/handbook/"
        ]
    );
    let first = fixture.html("guide/first-steps/");
    assert_eq!(
        first.attrs("main .content img", "src"),
        ["/handbook/img/team.svg"]
    );
    assert!(
        fixture.output().join("img/team.svg").is_file(),
        "images are copied"
    );
}

#[test]
fn headings_have_unique_github_style_anchors_and_a_toc() {
    let fixture = Fixture::new("basic");
    fixture.build();
    let page = fixture.html("guide/first-steps/");
    assert_eq!(
        page.attrs(".content h2", "id"),
        ["step-1-accounts", "step-2-roll-back", "step-1-accounts-1"]
    );
    assert_eq!(
        page.attrs(".toc a", "href"),
        [
            "#step-1-accounts",
            "#step-2-roll-back",
            "#step-1-accounts-1"
        ]
    );
}

#[test]
fn a_leading_heading_that_is_the_title_is_not_shown_twice() {
    let fixture = Fixture::new("basic");
    fixture.build();
    let alpha = fixture.html("guide/alpha/");
    assert_eq!(alpha.texts("main h1"), ["Alpha without front matter"]);
    let guide = fixture.html("guide/");
    assert_eq!(
        guide.count("main h1"),
        1,
        "front-matter title equals the body's # heading"
    );
}

#[test]
fn markdown_features_render_alerts_code_tables_tasks_footnotes() {
    let fixture = Fixture::new("basic");
    fixture.build();
    let page = fixture.html("guide/first-steps/");
    assert_eq!(
        page.texts(".admonition-warning .admonition-title"),
        ["Warning"]
    );
    assert!(
        page.count("pre.code[data-lang=rust] span[class^=l]") > 0,
        "highlighted with classes"
    );
    // Every class a block uses has its rule in the stylesheet.
    let css = fixture.read("assets/highlight.css");
    for class in page.attrs("pre.code span", "class") {
        for class in class.split(' ') {
            assert!(
                css.contains(&format!(" .{class} {{")),
                "no rule for {class}"
            );
        }
    }
    assert_eq!(page.texts(".content table td"), ["chat", "4 hours"]);
    assert_eq!(page.count(".content input[type=checkbox]"), 2);
    assert_eq!(page.count(".content del"), 1);
    assert_eq!(page.count(".footnote-definition"), 1);
}

#[test]
fn a_theme_components_file_from_before_nav_html_still_builds_with_its_navtree() {
    // Themes ejected before nav.html existed define NavTree in components.html.
    let components = include_str!("../../themes/default/templates/components.html");
    let nav = include_str!("../../themes/default/templates/nav.html");
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n"),
        ("guide/a.md", "# A\n"),
        (
            "themes/default/templates/components.html",
            &format!("{components}\n{nav}"),
        ),
    ]);
    let run = fixture.run(&["build", "-v"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("sidebar: the theme's NavTree component"),
        "{}",
        run.stderr
    );
    assert!(fixture.html("guide/a/").count(".sidebar a") >= 2);
}

#[test]
fn emoji_shortcodes_render_as_github_shows_them_outside_code() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n"),
        (
            "notes.md",
            "# Notes\n\nReleased :tada: and reviewed :+1:. Keep `:tada:` and std::x::y as written.\n\n```\n:tada:\n```\n",
        ),
    ]);
    fixture.build();
    let page = fixture.html("notes/");
    assert_eq!(
        page.texts(".content p"),
        ["Released 🎉 and reviewed 👍. Keep :tada: and std::x::y as written."]
    );
    assert_eq!(page.texts(".content pre"), [":tada:"]);
}

#[test]
fn mermaid_blocks_become_inline_svg_and_a_broken_one_shows_its_source_with_a_warning() {
    let page = "# Flow\n\n```mermaid\nflowchart TD\n  A[Write it down] --> B{Agreed?}\n  B -->|yes| C[Ship]\n  \
                click C \"javascript:alert(1)\"\n```\n\nText.\n\n```mermaid\nsequenceDiagram\n  A->>B: hi\n```\n\n\
                ```mermaid\nflowchart TD\n  A --> B\n  C -->\n```\n";
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n"),
        ("flow.md", page),
        ("handbook.yml", "markdown:\n  raw_html: false\n"),
    ]);
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The broken diagram is reported at its failing line (fence on line 17, third line of the
    // diagram), by build and check alike.
    assert!(
        run.stderr.contains(
            "flow.md:20:1: warning[diagram]: this mermaid diagram cannot be drawn: expected node identifier"
        ),
        "{}",
        run.stderr
    );
    let check = fixture.run(&["check"]);
    assert!(
        check.stderr.contains("flow.md:20:1: warning[diagram]"),
        "{}",
        check.stderr
    );
    let html = fixture.html("flow/");
    assert_eq!(html.count("figure.diagram"), 2);
    assert_eq!(
        html.attrs("figure.diagram", "aria-label"),
        ["flowchart v2 diagram", "sequence diagram"]
    );
    // A light and a dark drawing each, with no script even under raw_html: false.
    assert_eq!(html.count("figure.diagram .diagram-light > svg"), 2);
    assert_eq!(html.count("figure.diagram .diagram-dark > svg"), 2);
    assert!(
        html.texts("figure.diagram text")
            .contains(&"Write it down".to_string())
    );
    let raw = fixture.read("flow/index.html");
    assert!(!raw.contains("javascript:") && !raw.contains("onclick"));
    // Ids are unique on the page.
    let ids = html.attrs("figure.diagram [id]", "id");
    let unique: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    // The broken one: its source as code, after a note.
    assert_eq!(
        html.count("p.diagram-error + pre.code[data-lang=mermaid]"),
        1
    );
    // Turned off, every block is code.
    fixture.edit("handbook.yml", "markdown:\n  diagrams: false\n");
    let run = fixture.run(&["build"]);
    assert!(!run.stderr.contains("warning[diagram]"), "{}", run.stderr);
    let html = fixture.html("flow/");
    assert_eq!(html.count("figure.diagram"), 0);
    assert_eq!(html.count("pre.code[data-lang=mermaid]"), 3);
}

#[test]
fn navigation_orders_by_weight_then_title_and_marks_the_current_page() {
    let fixture = Fixture::new("basic");
    fixture.build();
    let page = fixture.html("guide/first-steps/");
    assert_eq!(
        page.texts(".sidebar li.open > ul > li > a"),
        ["First steps", "Another page", "Alpha without front matter"]
    );
    assert_eq!(page.texts(".sidebar [aria-current=page]"), ["First steps"]);
    assert_eq!(page.texts(".breadcrumbs a"), ["Home", "The guide"]);
    assert_eq!(page.texts(".pager .previous"), ["PreviousThe guide"]);
    assert_eq!(page.texts(".pager .next"), ["NextAnother page"]);
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let fixture = Fixture::new("basic");
    fixture.build();
    assert!(!fixture.output().join("guide/draft/index.html").exists());
    let run = fixture.run(&["build", "--drafts"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(fixture.output().join("guide/draft/index.html").exists());
}

#[test]
fn tags_aliases_sitemap_robots_and_404_are_generated() {
    let fixture = Fixture::new("basic");
    fixture.build();
    let tags = fixture.html("tags/");
    assert_eq!(
        tags.texts(".tag-cloud a"),
        ["onboarding 2", "Remote Work 1"]
    );
    let onboarding = fixture.html("tags/onboarding/");
    assert_eq!(
        onboarding.texts(".cards li > a"),
        ["First steps", "The guide"]
    );
    let alias = fixture.read("old/first-day/index.html");
    assert!(alias.contains("url=../../guide/first-steps/"), "{alias}");
    let sitemap = fixture.read("sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/handbook/guide/first-steps/</loc>"));
    assert!(!sitemap.contains("draft"));
    assert!(
        fixture
            .read("robots.txt")
            .contains("Sitemap: https://example.org/handbook/sitemap.xml")
    );
    assert_eq!(
        fixture.html("404.html").texts("main h1"),
        ["Page not found"]
    );
}

#[test]
fn front_matter_text_is_escaped_everywhere() {
    let fixture = Fixture::new("basic");
    fixture.build();
    let page = fixture.html("teams/platform/");
    assert_eq!(page.texts("main h1"), ["Platform <team>"]);
    let raw = fixture.read("teams/platform/index.html");
    assert!(
        !raw.contains("<team>"),
        "title must be escaped in every place it appears"
    );
}

#[test]
fn base_url_flag_overrides_config_in_every_link() {
    let fixture = Fixture::new("basic");
    let run = fixture.run(&["build", "--base-url", "/docs/"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = fixture.html("guide/first-steps/");
    let hrefs = page.attrs("a[href^='/']", "href");
    assert!(!hrefs.is_empty());
    assert!(
        hrefs.iter().all(|href| href.starts_with("/docs/")),
        "{hrefs:?}"
    );
    assert!(
        !fixture.output().join("sitemap.xml").exists(),
        "no absolute URL, no sitemap"
    );
}

#[test]
fn a_repo_with_only_markdown_builds_with_defaults() {
    let fixture = Fixture::with_files(&[
        ("notes.md", "# Notes\n\nHello."),
        ("sub/deeper.md", "Deep."),
    ]);
    fixture.build();
    assert_eq!(fixture.html("notes/").texts("main h1"), ["Notes"]);
    assert_eq!(fixture.html("sub/deeper/").texts("main h1"), ["Deeper"]);
    // No index.md: the home page is a generated listing of what is there, and so is `sub/`.
    let home = fixture.html("");
    assert_eq!(home.texts("main .cards a"), ["Notes", "Sub"]);
    assert_eq!(fixture.html("sub/").texts("main .cards a"), ["Deeper"]);
}

#[test]
fn skipped_paths_are_not_content() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home"),
        ("_partial.md", "# Hidden"),
        (".hidden/x.md", "# Hidden"),
        ("node_modules/x.md", "# Hidden"),
        ("themes/custom/readme.md", "# Theme docs"),
        ("drafts/wip.md", "# WIP"),
        ("handbook.yml", "exclude: [drafts]\n"),
    ]);
    fixture.build();
    let files: Vec<String> = walkdir::WalkDir::new(fixture.output())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(fixture.output())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|p| {
            p.ends_with(".html")
                && !p.starts_with("tags/")
                && !p.starts_with("search/")
                && !p.starts_with("changes/")
                && p != "404.html"
        })
        .collect();
    // Folders starting with `_` are content (a documentation set writes `:` as `_colon_`).
    assert_eq!(files, ["index.html", "_partial/index.html"]);
}

#[test]
fn a_theme_override_replaces_one_template_and_keeps_the_rest() {
    let fixture = Fixture::new("basic");
    fixture.edit(
        "themes/default/templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<h1>Lost {{ site.title }}</h1>{% endblock content %}",
    );
    fixture.edit("themes/default/static/extra.css", "body{}");
    fixture.build();
    assert_eq!(
        fixture.html("404.html").texts("main h1"),
        ["Lost Fixture Handbook"]
    );
    assert!(fixture.output().join("assets/extra.css").is_file());
    assert_eq!(fixture.html("guide/").texts("main h1"), ["The guide"]);
}

#[test]
fn raw_html_passes_through_unless_switched_off() {
    let fixture = Fixture::with_files(&[(
        "index.md",
        "# Home\n\n<div class=\"x\">raw</div>\n\n<script>alert(1)</script>\n",
    )]);
    fixture.build();
    assert_eq!(fixture.html("").count("main div.x"), 1);
    fixture.edit("handbook.yml", "markdown:\n  raw_html: false\n");
    fixture.build();
    let page = fixture.html("");
    assert_eq!(page.count("main div.x"), 0);
    assert_eq!(page.count("main script"), 0);
    assert!(
        page.texts("main .content")
            .join("")
            .contains("<script>alert(1)</script>")
    );
}

#[test]
fn output_is_deterministic_and_unchanged_files_are_kept() {
    let fixture = Fixture::new("basic");
    fixture.build();
    let before = fixture.read("guide/first-steps/index.html");
    let run = fixture.build();
    assert!(run.stderr.contains("0 written"), "{}", run.stderr);
    assert_eq!(before, fixture.read("guide/first-steps/index.html"));
}

#[test]
fn odd_file_names_get_encoded_links_that_reach_the_built_files() {
    let fixture = Fixture::with_files(&[
        (
            "index.md",
            "[a](my%20notes.md) [b](faq%20%231%3F.md) [c](100%25%20done.md#part) ![d](<logo ä.svg>)",
        ),
        ("my notes.md", "# Notes"),
        ("faq #1?.md", "# FAQ"),
        ("100% done.md", "# Done\n\n## Part"),
        ("logo ä.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
    ]);
    let run = fixture.build();
    assert!(run.stderr.contains(" 0 warnings"), "{}", run.stderr);
    let home = fixture.html("");
    let mut targets = home.attrs("main .content a", "href");
    targets.extend(home.attrs("main .content img", "src"));
    assert_eq!(
        targets,
        [
            "/my%20notes/",
            "/faq%20%231%3F/",
            "/100%25%20done/#part",
            "/logo%20%C3%A4.svg"
        ]
    );
    for href in &targets {
        let path = handbook::model::links::percent_decode(href.split('#').next().unwrap());
        let file = fixture.output().join(path.trim_start_matches('/'));
        let file = if path.ends_with('/') {
            file.join("index.html")
        } else {
            file
        };
        assert!(file.is_file(), "{href} → {}", file.display());
    }
}

#[test]
fn an_alias_over_a_generated_page_names_the_alias_and_its_line() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n\n[Perf](perf.md)\n"),
        (
            "perf.md",
            "---\ntitle: Performance\naliases: [/tags/]\n---\nText.\n",
        ),
    ]);
    let run = fixture.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "perf.md:3: error[duplicate-output]: a page handbook generates and the alias '/tags/' of 'perf.md' both publish to 'tags/index.html'"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn the_sidebar_made_in_rust_is_what_the_navtree_component_renders_and_which_ran_is_logged() {
    // Windowed siblings ("N more"), a folder without a landing page, text that needs escaping,
    // nested open branches; then the example handbook.
    let small = Fixture::with_files(&[
        ("handbook.yml", "nav:\n  max_siblings: 2\n"),
        ("index.md", "# Home\n"),
        ("a/index.md", "---\ntitle: Tom & Jerry's <\"guide\">\n---\n"),
        ("a/one.md", "---\nweight: 1\n---\n# One\n"),
        ("a/two.md", "# Two\n"),
        ("a/three.md", "# Three\n"),
        ("a/deep/four.md", "# Four\n"),
        ("a/deep/five.md", "# Five\n"),
        ("bare/six.md", "# Six\n"),
        ("c/index.md", "# C\n"),
    ]);
    let example = Fixture::example();
    let html_files = |dir: &std::path::Path| -> std::collections::BTreeMap<String, String> {
        crate::harness::snapshot(dir)
            .into_iter()
            .filter(|(path, _)| path.ends_with(".html"))
            .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap()))
            .collect()
    };
    let built_in = include_str!("../../themes/default/templates/nav.html");
    let components = include_str!("../../themes/default/templates/components.html");
    const NATIVE: &str = "sidebar: made in Rust (the theme's nav.html is the built-in one)";
    const COMPONENT: &str = "sidebar: the theme's NavTree component (its nav.html is its own)";
    for fixture in [&small, &example] {
        // A theme that changes other components keeps the sidebar made in Rust.
        fixture.edit(
            "themes/default/templates/components.html",
            &format!("{components}{{# a theme's own components #}}\n"),
        );
        let native = fixture.parent().join("native");
        let run = fixture.run(&["build", "-v", "-o", native.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stderr.contains(NATIVE) && !run.stderr.contains(COMPONENT),
            "{}",
            run.stderr
        );
        // Any change to nav.html (here a comment) makes the renderer use the component.
        fixture.edit(
            "themes/default/templates/nav.html",
            &format!("{built_in}{{# the component's own rendering #}}\n"),
        );
        let component = fixture.parent().join("component");
        let run = fixture.run(&["build", "-v", "-o", component.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stderr.contains(COMPONENT) && !run.stderr.contains(NATIVE),
            "{}",
            run.stderr
        );
        let (native, component) = (html_files(&native), html_files(&component));
        assert!(native.len() > 5, "{native:?}");
        assert_eq!(
            native.keys().collect::<Vec<_>>(),
            component.keys().collect::<Vec<_>>()
        );
        for (path, html) in &native {
            assert_eq!(html, &component[path], "{path}");
        }
        let sidebars = native
            .values()
            .filter(|html| html.contains("<nav class=\"sidebar\""))
            .count();
        assert!(sidebars > 5, "{sidebars} pages with a sidebar");
        // A page entry neither open nor current carries no class; the others say what they are.
        let sidebar_of = |html: &String| {
            let start = html.find("<nav class=\"sidebar\"").unwrap_or(0);
            html[start..]
                .split("</nav>")
                .next()
                .unwrap_or_default()
                .to_string()
        };
        let entries: String = native.values().map(sidebar_of).collect();
        assert!(entries.contains("\n<li><a href="), "{entries}");
        assert!(entries.contains("<li class=\"section\">"), "{entries}");
        assert!(entries.contains("<li class=\"open current\">"), "{entries}");
        assert!(!entries.contains("leaf"), "{entries}");
    }
    let html = std::fs::read_to_string(small.parent().join("native/a/two/index.html")).unwrap();
    let page = crate::harness::Page(scraper::Html::parse_document(&html));
    assert_eq!(
        page.texts(".sidebar .nav-more"),
        ["2 more…", "1 more…"],
        "windows of two siblings"
    );
    assert!(
        html.contains("Tom &amp; Jerry&#39;s &lt;&quot;guide&quot;&gt;"),
        "{html}"
    );
    let html = std::fs::read_to_string(small.parent().join("native/bare/six/index.html")).unwrap();
    let html = crate::harness::resolve_links(&html, "/bare/six/");
    let page = crate::harness::Page(scraper::Html::parse_document(&html));
    assert_eq!(
        page.texts(".sidebar a[href='/bare/']"),
        ["Bare"],
        "a folder without a landing page links its generated listing"
    );
}
