//! The markdown event stream that the model and the renderer both read: pulldown-cmark's
//! events plus handbook's own `[[wikilinks]]`. Both passes must see the same links in the same
//! order, because the renderer applies resolved links by position. Part of `model`; no I/O.
//!
//! pulldown-cmark's wikilink extension takes `[[1]]` in `Euclidean[[1]](https://…)` as a
//! wikilink and leaves `(https://…)` as text, which loses citation links that GitHub renders.
//! Here CommonMark parses first and only text that is left over may hold a wikilink: `[[Name]]`
//! standing alone, not followed by `(` or `[`, not after `!`, and never in code or inside a link.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::config::MarkdownConfig;

/// pulldown-cmark options shared by the model pass and the render pass.
pub fn options(config: &MarkdownConfig) -> Options {
    let mut options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM;
    if config.smart_punctuation {
        options |= Options::ENABLE_SMART_PUNCTUATION;
    }
    options
}

/// The events of `body` with their byte ranges in `body`.
pub fn parse<'a>(body: &'a str, config: &MarkdownConfig) -> Events<'a> {
    Events {
        parser: Parser::new_ext(body, options(config)).into_offset_iter(),
        body,
        wikilinks: config.wikilinks,
        run: Vec::new(),
        ready: std::collections::VecDeque::new(),
        opaque: 0,
    }
}

/// Iterator over `(event, range)`; see [`parse`].
pub struct Events<'a> {
    parser: pulldown_cmark::OffsetIter<'a>,
    body: &'a str,
    wikilinks: bool,
    /// Adjacent text events not yet handed out (they may hold a wikilink together).
    run: Vec<(CowStr<'a>, Range<usize>)>,
    ready: std::collections::VecDeque<(Event<'a>, Range<usize>)>,
    /// Depth of code blocks, links and images: text there never holds a wikilink.
    opaque: usize,
}

impl<'a> Iterator for Events<'a> {
    type Item = (Event<'a>, Range<usize>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(ready) = self.ready.pop_front() {
                return Some(ready);
            }
            if !self.wikilinks {
                return self.parser.next();
            }
            let Some((event, range)) = self.parser.next() else {
                self.flush();
                return self.ready.pop_front();
            };
            match event {
                // Text before any `[` cannot start a wikilink: handed out at once, as every
                // event is while nothing is held (most of them).
                Event::Text(text) if self.opaque == 0 => {
                    if self.run.is_empty() && !text.contains('[') {
                        return Some((Event::Text(text), range));
                    }
                    if self
                        .run
                        .last()
                        .is_some_and(|(_, last)| last.end != range.start)
                    {
                        self.flush();
                    }
                    self.run.push((text, range));
                    continue;
                }
                _ => {}
            }
            match &event {
                Event::Start(Tag::CodeBlock(_) | Tag::Link { .. } | Tag::Image { .. }) => {
                    self.opaque += 1;
                }
                Event::End(TagEnd::CodeBlock | TagEnd::Link | TagEnd::Image) => {
                    self.opaque = self.opaque.saturating_sub(1);
                }
                _ => {}
            }
            if self.run.is_empty() {
                return Some((event, range));
            }
            self.flush();
            self.ready.push_back((event, range));
        }
    }
}

impl<'a> Events<'a> {
    /// Hands out the pending text run, with any wikilinks in it made into link events.
    fn flush(&mut self) {
        if self.run.is_empty() {
            return;
        }
        if !self.run.iter().any(|(text, _)| text.contains('[')) {
            // The common case: handed out as they came, and the run's buffer is kept.
            self.ready.extend(
                self.run
                    .drain(..)
                    .map(|(text, range)| (Event::Text(text), range)),
            );
            return;
        }
        let run = std::mem::take(&mut self.run);
        let whole = run[0].1.start..run[run.len() - 1].1.end;
        let text: String = run.iter().map(|(text, _)| text.as_ref()).collect();
        let source = &self.body[whole.clone()];
        let mut written = 0;
        let mut source_from = 0;
        for found in find_wikilinks(&text) {
            // Only a wikilink that is in the source as written (not `\[\[x]]`, not made of
            // entities) counts; its position there gives diagnostics their column.
            let literal = &text[found.whole.clone()];
            let Some(at) = source[source_from..].find(literal) else {
                continue;
            };
            let start = whole.start + source_from + at;
            let range = start..start + literal.len();
            source_from += at + literal.len();
            if written < found.whole.start {
                self.ready.push_back((
                    Event::Text(text[written..found.whole.start].to_string().into()),
                    whole.clone(),
                ));
            }
            written = found.whole.end;
            let destination = text[found.destination].to_string();
            let label = found.label.map(|label| text[label].to_string());
            self.ready.push_back((
                Event::Start(Tag::Link {
                    link_type: LinkType::WikiLink {
                        has_pothole: label.is_some(),
                    },
                    dest_url: destination.clone().into(),
                    title: CowStr::Borrowed(""),
                    id: CowStr::Borrowed(""),
                }),
                range.clone(),
            ));
            self.ready.push_back((
                Event::Text(label.unwrap_or(destination).into()),
                range.clone(),
            ));
            self.ready
                .push_back((Event::End(TagEnd::Link), range.end..range.end));
        }
        if written == 0 {
            for (text, range) in run {
                self.ready.push_back((Event::Text(text), range));
            }
        } else if written < text.len() {
            self.ready
                .push_back((Event::Text(text[written..].to_string().into()), whole));
        }
    }
}

/// The link targets in a piece of raw HTML: the value ranges of `href` and `src` attributes,
/// and whether each is a `src` (an image or other embedded file). The model checks them and
/// the renderer rewrites them by the same positions, like markdown links.
pub fn html_links(html: &str) -> Vec<(Range<usize>, bool)> {
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(offset) = html[at..].find('=') {
        let equals = at + offset;
        at = equals + 1;
        let name_end = html[..equals].trim_end().len();
        let name_start = html[..name_end]
            .rfind(|c: char| !c.is_ascii_alphanumeric())
            .map_or(0, |i| i + 1);
        let name = &html[name_start..name_end];
        let is_src = name.eq_ignore_ascii_case("src");
        if !(is_src || name.eq_ignore_ascii_case("href"))
            || name_start == 0
            || !bytes[name_start - 1].is_ascii_whitespace()
        {
            continue;
        }
        let value_start =
            equals + 1 + (html[equals + 1..].len() - html[equals + 1..].trim_start().len());
        let (start, end) = match bytes.get(value_start) {
            Some(&quote @ (b'"' | b'\'')) => {
                let start = value_start + 1;
                match html[start..].find(quote as char) {
                    Some(length) => (start, start + length),
                    None => continue,
                }
            }
            Some(_) => {
                let length = html[value_start..]
                    .find(|c: char| c.is_ascii_whitespace() || c == '>')
                    .unwrap_or(html.len() - value_start);
                (value_start, value_start + length)
            }
            None => continue,
        };
        if start < end && !in_comment(html, start) {
            found.push((start..end, is_src));
        }
        at = end;
    }
    found
}

/// True when `at` lies inside an HTML comment that opens in `html`.
fn in_comment(html: &str, at: usize) -> bool {
    html[..at]
        .rfind("<!--")
        .is_some_and(|open| !html[open..at].contains("-->"))
}

/// One `[[destination|label]]` in a text run, as byte ranges of the text.
#[derive(Debug, PartialEq, Eq)]
struct Found {
    whole: Range<usize>,
    destination: Range<usize>,
    label: Option<Range<usize>>,
}

/// The wikilinks standing alone in `text`.
fn find_wikilinks(text: &str) -> Vec<Found> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("[[") {
        let start = from + at;
        from = start + 2;
        let inner_start = start + 2;
        let Some(length) = text[inner_start..].find("]]") else {
            break;
        };
        let inner_end = inner_start + length;
        let inner = &text[inner_start..inner_end];
        let end = inner_end + 2;
        let after = bytes.get(end).copied();
        let standalone = !inner.trim().is_empty()
            && !inner.contains(['[', ']', '\n'])
            && !matches!(after, Some(b'(' | b'[' | b']'))
            && (start == 0 || !matches!(bytes[start - 1], b'!' | b'['));
        if !standalone {
            continue;
        }
        let (destination, label) = match inner.find('|') {
            Some(bar) => (
                inner_start..inner_start + bar,
                Some(inner_start + bar + 1..inner_end),
            ),
            None => (inner_start..inner_end, None),
        };
        if text[destination.clone()].trim().is_empty() {
            continue;
        }
        found.push(Found {
            whole: start..end,
            destination,
            label: label.filter(|label| !text[label.clone()].trim().is_empty()),
        });
        from = end;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(markdown: &str) -> Vec<(String, String)> {
        let config = MarkdownConfig::default();
        let mut found = Vec::new();
        let mut current: Option<(String, String)> = None;
        for (event, _) in parse(markdown, &config) {
            match event {
                Event::Start(Tag::Link {
                    link_type: LinkType::WikiLink { .. },
                    dest_url,
                    ..
                }) => current = Some((dest_url.to_string(), String::new())),
                Event::Text(text) => {
                    if let Some((_, label)) = current.as_mut() {
                        label.push_str(&text);
                    }
                }
                Event::End(TagEnd::Link) => found.extend(current.take()),
                _ => {}
            }
        }
        found
    }

    fn pair(destination: &str, label: &str) -> (String, String) {
        (destination.to_string(), label.to_string())
    }

    #[test]
    fn a_wikilink_standing_alone_is_a_link() {
        assert_eq!(links("See [[Deploy]] now."), [pair("Deploy", "Deploy")]);
        assert_eq!(
            links("See [[ops/deploy#rollback|how to roll back]]."),
            [pair("ops/deploy#rollback", "how to roll back")]
        );
        assert_eq!(
            links("# Title [[A]]\n\n* [[B]] and [[C]]\n"),
            [pair("A", "A"), pair("B", "B"), pair("C", "C")]
        );
    }

    #[test]
    fn citations_images_code_and_escapes_are_not_wikilinks() {
        assert!(links("Euclidean[[1]](https://example.org/a) distance").is_empty());
        assert!(links("![[diagram]](img.png)").is_empty());
        assert!(links("![[embed]]").is_empty());
        assert!(links("`[[Call]]` and\n\n```\n[[Prototype]]\n```\n").is_empty());
        assert!(links(r"\[\[Escaped]]").is_empty());
        assert!(links("[[x]][ref]").is_empty());
        assert!(links("[[]] and [[ ]] and [[a\nb]]").is_empty());
        assert!(links("[see [[x]]](https://example.org)").is_empty());
    }

    #[test]
    fn text_around_wikilinks_is_kept() {
        let config = MarkdownConfig::default();
        let mut html = String::new();
        pulldown_cmark::html::push_html(
            &mut html,
            parse("a [[B]] c Euclidean[[1]](https://x.org) d", &config).map(|(e, _)| e),
        );
        assert_eq!(
            html,
            "<p>a <a href=\"B\">B</a> c Euclidean<a href=\"https://x.org\">[1]</a> d</p>\n"
        );
    }

    #[test]
    fn wikilinks_can_be_switched_off() {
        let config = MarkdownConfig {
            wikilinks: false,
            ..MarkdownConfig::default()
        };
        assert!(
            !parse("[[Deploy]]", &config)
                .any(|(event, _)| matches!(event, Event::Start(Tag::Link { .. })))
        );
    }

    #[test]
    fn links_in_raw_html_are_found_by_their_value_ranges() {
        let html = "<a class=\"x\" href=\"team/index.md\">T</a><img src='logo.png' alt=x data-src=\"no\"><!-- <a href=\"old.md\"> --><a href=plain.md>";
        let found: Vec<(&str, bool)> = html_links(html)
            .into_iter()
            .map(|(range, is_src)| (&html[range], is_src))
            .collect();
        assert_eq!(
            found,
            [
                ("team/index.md", false),
                ("logo.png", true),
                ("plain.md", false)
            ]
        );
    }

    #[test]
    fn a_wikilink_has_its_source_range() {
        let config = MarkdownConfig::default();
        let body = "one\ntwo [[Target|t]] x";
        let range = parse(body, &config)
            .find_map(|(event, range)| {
                matches!(event, Event::Start(Tag::Link { .. })).then_some(range)
            })
            .unwrap();
        assert_eq!(&body[range], "[[Target|t]]");
    }
}
