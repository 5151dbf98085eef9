//! Markdown to HTML: pulldown-cmark with the model's heading anchors and resolved links,
//! GitHub-style alerts as admonitions, and build-time syntax highlighting with CSS classes.

use std::sync::OnceLock;

use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, CowStr, Event, LinkType, Tag, TagEnd};
use pulldown_cmark_escape::{escape_href, escape_html};
use syntect::parsing::SyntaxSet;

use crate::code_cache::CodeCache;
use crate::config::MarkdownConfig;
use crate::model::links::Href;
use crate::model::page::Page;

/// What the renderer needs besides the page.
pub struct MarkdownContext<'a> {
    /// Markdown options from config.
    pub config: &'a MarkdownConfig,
    /// What becomes of this page's links, in document order.
    pub hrefs: &'a [Href],
    /// Prefix for rewritten site-relative hrefs (`/` or `/handbook/`).
    pub base_path: &'a str,
    /// Highlighted code blocks of earlier builds.
    pub code: &'a CodeCache,
}

/// A page body as HTML.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The body without the title heading when the page opens with it.
    pub html: String,
    /// The title heading's inline HTML, when it holds more than plain text (code, emphasis,
    /// links), for the page's `<h1>`; titles elsewhere stay plain text.
    pub title_html: Option<String>,
}

/// Renders a page body to HTML.
pub fn render(page: &Page, context: &MarkdownContext) -> Rendered {
    crate::profile::time(crate::profile::Activity::Markdown, || {
        render_timed(page, context)
    })
}

fn render_timed(page: &Page, context: &MarkdownContext) -> Rendered {
    let parser = crate::model::events::parse(page.body(), context.config).map(|(event, _)| event);
    let mut events: Vec<Event> = Vec::new();
    let mut heading_index = 0;
    let mut link_index = 0;
    let mut title: Option<Vec<Event>> = None;
    let mut title_html = None;
    // A wikilink shown as text: its destination, whether it has a label, and the label.
    let mut as_text: Option<(String, bool, String)> = None;
    let mut code: Option<(String, String)> = None;
    let mut diagrams = 0;
    for event in parser {
        if let Some((language, text)) = code.as_mut() {
            match event {
                Event::Text(chunk) => text.push_str(&chunk),
                Event::End(TagEnd::CodeBlock) => {
                    let html = if context.config.diagrams && crate::diagram::is_mermaid(language) {
                        diagrams += 1;
                        diagram(text, diagrams, context)
                    } else {
                        highlight(language, text, context.config.highlight, context.code)
                    };
                    events.push(Event::Html(html.into()));
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        if let Some((destination, has_label, label)) = as_text.as_mut() {
            match event {
                Event::Text(text) => label.push_str(&text),
                Event::End(TagEnd::Link) => {
                    let written = if *has_label {
                        format!("[[{destination}|{label}]]")
                    } else {
                        format!("[[{destination}]]")
                    };
                    events.push(Event::Text(written.into()));
                    as_text = None;
                }
                _ => {}
            }
            continue;
        }
        // Links and images are rewritten alike in the body and in the title heading, so the
        // links of one count in the other's positions.
        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = if matches!(link_type, LinkType::Autolink | LinkType::Email) {
                    dest_url
                } else {
                    let index = link_index;
                    link_index += 1;
                    if matches!(context.hrefs.get(index), Some(Href::Text)) {
                        // A `[[Word]]` that names no page stays as it was written.
                        let has_label =
                            matches!(link_type, LinkType::WikiLink { has_pothole: true });
                        as_text = Some((dest_url.to_string(), has_label, String::new()));
                        continue;
                    }
                    rewritten(context, index).unwrap_or(dest_url)
                };
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: defused(dest_url, context.config.raw_html),
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let index = link_index;
                link_index += 1;
                let dest_url = rewritten(context, index).unwrap_or(dest_url);
                Event::Start(Tag::Image {
                    link_type,
                    dest_url: defused(dest_url, context.config.raw_html),
                    title,
                    id,
                })
            }
            Event::Html(html) | Event::InlineHtml(html) if !context.config.raw_html => {
                Event::Text(html)
            }
            Event::Html(html) => Event::Html(rewrite_html(html, context, &mut link_index)),
            Event::InlineHtml(html) => {
                Event::InlineHtml(rewrite_html(html, context, &mut link_index))
            }
            // GitHub's emoji shortcodes (`:tada:`, `:+1:`), as GitHub shows them.
            Event::Text(text) if text.contains(':') => match emoji_shortcodes(&text) {
                Some(replaced) => Event::Text(replaced.into()),
                None => Event::Text(text),
            },
            // A task-list box says what it shows (axe: form elements need a label).
            Event::TaskListMarker(done) => Event::InlineHtml(
                if done {
                    "<input disabled=\"\" type=\"checkbox\" checked=\"\" aria-label=\"Done\"/>"
                } else {
                    "<input disabled=\"\" type=\"checkbox\" aria-label=\"Not done\"/>"
                }
                .into(),
            ),
            other => other,
        };
        if let Some(inline) = title.as_mut() {
            if matches!(event, Event::End(TagEnd::Heading(_))) {
                title_html = title_inline_html(std::mem::take(inline), page);
                title = None;
            } else {
                inline.push(event);
            }
            continue;
        }
        match event {
            Event::Start(Tag::Heading { level, classes, .. }) => {
                let index = heading_index;
                heading_index += 1;
                if index == 0 && page.has_title_heading {
                    title = Some(Vec::new());
                    continue;
                }
                let anchor = page
                    .headings
                    .get(index)
                    .map_or("", |heading| heading.anchor.as_str());
                let mut open = format!("<{level} id=\"");
                escape_html(&mut open, anchor).ok();
                open.push('"');
                if !classes.is_empty() {
                    open.push_str(" class=\"");
                    escape_html(&mut open, &classes.join(" ")).ok();
                    open.push('"');
                }
                open.push('>');
                events.push(Event::Html(open.into()));
            }
            Event::End(TagEnd::Heading(level)) => {
                let anchor = page
                    .headings
                    .get(heading_index - 1)
                    .map_or("", |heading| heading.anchor.as_str());
                // A no-break space: the icon wraps with the last word, never alone.
                let mut close = String::from("\u{a0}<a class=\"heading-anchor\" href=\"#");
                escape_href(&mut close, anchor).ok();
                close.push_str(&format!(
                    "\" aria-label=\"Link to this section\">#</a></{level}>\n"
                ));
                events.push(Event::Html(close.into()));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let language = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split([' ', ',', '{']).next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((language, String::new()));
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, label) = alert(kind);
                events.push(Event::Html(
                    format!("<div class=\"admonition admonition-{class}\" role=\"note\">\n<p class=\"admonition-title\">{label}</p>\n").into(),
                ));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => events.push(Event::Html("</div>\n".into())),
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(page.body().len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    Rendered { html, title_html }
}

/// The title heading's inner HTML when it holds markup; `None` for plain text (the template
/// shows the plain title then). A record's `12. ` number prefix is left out, as in its title.
fn title_inline_html(inline: Vec<Event>, page: &Page) -> Option<String> {
    // Badge images are not part of a title.
    let mut images = 0usize;
    let mut inline: Vec<Event> = inline
        .into_iter()
        .filter(|event| match event {
            Event::Start(Tag::Image { .. }) => {
                images += 1;
                false
            }
            Event::End(TagEnd::Image) => {
                images = images.saturating_sub(1);
                false
            }
            _ => images == 0,
        })
        .collect();
    if inline.iter().all(|event| matches!(event, Event::Text(_))) {
        return None;
    }
    if page.kind.tag() == crate::model::page::PageKind::Decision
        && let Some(Event::Text(first)) = inline.first_mut()
    {
        let (number, rest) = crate::model::page::split_numbered_title(first);
        if number.is_some() {
            *first = rest.to_string().into();
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, inline.into_iter());
    Some(html.trim().to_string())
}

/// Raw HTML with its `href`/`src` values rewritten like markdown links, by position.
fn rewrite_html<'a>(
    html: CowStr<'a>,
    context: &MarkdownContext,
    link_index: &mut usize,
) -> CowStr<'a> {
    let found = crate::model::events::html_links(&html);
    if found.is_empty() {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 16);
    let mut written = 0;
    for (value, _) in found {
        let index = *link_index;
        *link_index += 1;
        if let Some(href) = rewritten(context, index) {
            out.push_str(&html[written..value.start]);
            escape_html(&mut out, &href).ok();
            written = value.end;
        }
    }
    if written == 0 {
        return html;
    }
    out.push_str(&html[written..]);
    out.into()
}

fn rewritten<'a>(context: &MarkdownContext, index: usize) -> Option<CowStr<'a>> {
    match context.hrefs.get(index)? {
        Href::To(href) => Some(format!("{}{href}", context.base_path).into()),
        Href::AsWritten | Href::Text => None,
    }
}

/// With raw HTML off (untrusted contributors), a link must not run script either:
/// `javascript:`, `vbscript:` and `data:` URLs become `#`.
fn defused(url: CowStr<'_>, raw_html: bool) -> CowStr<'_> {
    if raw_html {
        return url;
    }
    let scheme: String = url
        .trim_start()
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .take(11)
        .collect::<String>()
        .to_ascii_lowercase();
    if ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|bad| scheme.starts_with(bad))
    {
        CowStr::Borrowed("#")
    } else {
        url
    }
}

fn alert(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

/// `text` with GitHub emoji shortcodes (`:white_check_mark:`) replaced by their emoji; `None`
/// when it has none. A shortcode stands alone: not after a letter, digit or colon, nor before
/// one, so `std::x::y`, `10:30:00` and `a:b:c` stay as written; unknown names stay too.
fn emoji_shortcodes(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let apart = |at: Option<&u8>| at.is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b':');
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    while let Some(open) = text[at..].find(':').map(|i| i + at) {
        let name_end = text[open + 1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || "_+-".contains(c)))
            .map_or(text.len(), |i| i + open + 1);
        let closes = bytes.get(name_end) == Some(&b':') && name_end > open + 1;
        if closes
            && apart(open.checked_sub(1).and_then(|i| bytes.get(i)))
            && apart(bytes.get(name_end + 1))
            && let Some(emoji) = emojis::get_by_shortcode(&text[open + 1..name_end])
        {
            out.push_str(&text[copied..open]);
            out.push_str(emoji.as_str());
            copied = name_end + 1;
            at = name_end + 1;
        } else {
            at = open + 1;
        }
    }
    (copied > 0).then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

/// A `mermaid` block as inline SVG; one that cannot be drawn shows its source as code with a
/// note (the model reports it with its line).
fn diagram(source: &str, serial: usize, context: &MarkdownContext) -> String {
    match crate::diagram::render(source, &format!("d{serial}")) {
        Ok(html) => html,
        Err(error) => {
            let mut html = String::from(
                "<p class=\"diagram-error\" role=\"note\">This diagram could not be drawn: ",
            );
            escape_html(&mut html, &error.message).ok();
            html.push_str("</p>\n");
            html.push_str(&highlight(
                "mermaid",
                source,
                context.config.highlight,
                context.code,
            ));
            html
        }
    }
}

/// The syntax definitions, loaded once per process (about 20 ms) and only if code is highlighted.
pub fn syntaxes() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines)
}

fn highlight(language: &str, code: &str, enabled: bool, cache: &CodeCache) -> String {
    crate::profile::time(crate::profile::Activity::Highlight, || {
        highlight_timed(language, code, enabled, cache)
    })
}

fn highlight_timed(language: &str, code: &str, enabled: bool, cache: &CodeCache) -> String {
    let mut html = String::with_capacity(code.len() * 2 + 64);
    let syntax = if enabled && !language.is_empty() {
        let set = syntaxes();
        set.find_syntax_by_token(language)
            .map(|syntax| (set, syntax))
    } else {
        None
    };
    // Focusable, so a keyboard can scroll a long line (axe: scrollable-region-focusable).
    html.push_str("<pre class=\"code\" tabindex=\"0\"");
    if !language.is_empty() {
        html.push_str(" data-lang=\"");
        escape_html(&mut html, language).ok();
        html.push('"');
    }
    html.push_str("><code");
    if !language.is_empty() {
        html.push_str(" class=\"language-");
        escape_html(&mut html, language).ok();
        html.push('"');
    }
    html.push('>');
    match syntax {
        Some((set, syntax)) => match cache.get_or_make(&syntax.name, code, || {
            super::highlight::classed_html(code, syntax, set)
        }) {
            Some(classed) => html.push_str(&classed),
            None => {
                escape_html(&mut html, code).ok();
            }
        },
        None => {
            escape_html(&mut html, code).ok();
        }
    }
    html.push_str("</code></pre>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_shortcodes_become_emoji_where_github_shows_them() {
        let say = |text: &str| emoji_shortcodes(text);
        assert_eq!(say(":tada: shipped :+1:").as_deref(), Some("🎉 shipped 👍"));
        assert_eq!(
            say("done (:white_check_mark:)").as_deref(),
            Some("done (✅)")
        );
        for unchanged in [
            "std::x::y",
            "10:30:00",
            "a:x:b",
            ":not_an_emoji_name:",
            "x: y",
            ":",
        ] {
            assert_eq!(say(unchanged), None, "{unchanged}");
        }
    }
    use crate::load::Source;
    use crate::model::page::{PageKind, parse_page};

    fn render_text(text: &str, hrefs: &[Href], config: &MarkdownConfig) -> String {
        let (source, _) = Source::new("docs/a.md".into(), text.into());
        let page = parse_page(source, PageKind::Page, config).unwrap();
        render(
            &page,
            &MarkdownContext {
                config,
                hrefs,
                base_path: "/hb/",
                code: &CodeCache::none(),
            },
        )
        .html
    }

    #[test]
    fn headings_get_model_anchors_and_title_heading_is_dropped() {
        let html = render_text(
            "# Title\n\n## Step 2: Go\n",
            &[],
            &MarkdownConfig::default(),
        );
        assert!(!html.contains("Title"), "{html}");
        assert!(html.contains("<h2 id=\"step-2-go\">Step 2: Go"), "{html}");
    }

    #[test]
    fn links_are_rewritten_by_position_and_base_path() {
        let hrefs = [
            Href::To("teams/platform/#on-call".to_string()),
            Href::AsWritten,
        ];
        let html = render_text(
            "[a](../teams/platform.md#on-call) [b](https://x.org)",
            &hrefs,
            &MarkdownConfig::default(),
        );
        assert!(
            html.contains("href=\"/hb/teams/platform/#on-call\""),
            "{html}"
        );
        assert!(html.contains("href=\"https://x.org\""), "{html}");
    }

    #[test]
    fn links_in_the_title_heading_do_not_shift_the_body_links() {
        let hrefs = [
            Href::To("a/".to_string()),
            Href::To("b/".to_string()),
            Href::To("c/".to_string()),
        ];
        let config = MarkdownConfig::default();
        let (source, _) = Source::new(
            "docs/x.md".into(),
            "# Home with [a](a.md) and `code`\n\n[b](b.md) [[C]]\n".into(),
        );
        let page = parse_page(source, PageKind::Page, &config).unwrap();
        assert!(page.has_title_heading);
        let rendered = render(
            &page,
            &MarkdownContext {
                config: &config,
                hrefs: &hrefs,
                base_path: "/",
                code: &CodeCache::none(),
            },
        );
        assert!(
            rendered.html.contains("<a href=\"/b/\">b</a>"),
            "{}",
            rendered.html
        );
        assert!(
            rendered.html.contains("<a href=\"/c/\">C</a>"),
            "{}",
            rendered.html
        );
        assert_eq!(
            rendered.title_html.as_deref(),
            Some("Home with <a href=\"/a/\">a</a> and <code>code</code>")
        );
    }

    #[test]
    fn an_unresolved_wikilink_stays_text() {
        let html = render_text(
            "See [[Prototype]] and [[Call|the call]].",
            &[Href::Text, Href::Text],
            &MarkdownConfig::default(),
        );
        assert_eq!(html, "<p>See [[Prototype]] and [[Call|the call]].</p>\n");
    }

    #[test]
    fn alerts_become_admonitions() {
        let html = render_text(
            "> [!WARNING]\n> Mind the gap\n",
            &[],
            &MarkdownConfig::default(),
        );
        assert!(
            html.contains("<div class=\"admonition admonition-warning\" role=\"note\">"),
            "{html}"
        );
        assert!(html.contains("Mind the gap"));
    }

    #[test]
    fn fenced_code_is_highlighted_with_classes() {
        let html = render_text(
            "```rust\nfn main() {}\n```\n",
            &[],
            &MarkdownConfig::default(),
        );
        assert!(
            html.contains(
                "<pre class=\"code\" tabindex=\"0\" data-lang=\"rust\"><code class=\"language-rust\">"
            ),
            "{html}"
        );
        assert!(html.contains("<span class=\"l"), "{html}");
        let html = render_text("```nosuchlang\n<b>\n```\n", &[], &MarkdownConfig::default());
        assert!(html.contains("&lt;b&gt;"), "{html}");
    }

    #[test]
    fn raw_html_can_be_switched_off() {
        let config = MarkdownConfig {
            raw_html: false,
            ..MarkdownConfig::default()
        };
        let html = render_text("<script>alert(1)</script>\n\ntext <b>x</b>", &[], &config);
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        let html = render_text("<b>x</b>", &[], &MarkdownConfig::default());
        assert!(html.contains("<b>x</b>"));
        let html = render_text(
            "[a](javascript:alert(1)) [b](<JAVASCRIPT:x>) ![c](data:text/html,x) [[javascript:alert(2)]] [ok](https://x.org)",
            &[],
            &config,
        );
        let lower = html.to_lowercase();
        for bad in ["=\"javascript", "=\"java", "=\"data:"] {
            assert!(!lower.contains(bad), "{html}");
        }
        assert_eq!(html.matches("href=\"#\"").count(), 3, "{html}");
        assert!(html.contains("src=\"#\""), "{html}");
        assert!(html.contains("href=\"https://x.org\""), "{html}");
    }
}
