//! Mermaid diagrams drawn at build time: a fenced ```` ```mermaid ```` block becomes inline SVG,
//! light and dark, so readers need no script and no network (Material for MkDocs and Docusaurus
//! send a 2–3 MB script for this).
//!
//! The SVG comes from the `mermaid-svg` crate (pure Rust; chosen over mermaid-rs-renderer,
//! rusty-mermaid, mermaid-render and merman for fidelity on flowchart, sequence, ER and gantt
//! diagrams, speed, and a one-crate dependency tree). Diagram source is untrusted (anyone can
//! open a pull request), and Mermaid can attach links and `onclick` callbacks to shapes, so the
//! SVG then passes an allowlist: known SVG elements only, no event handlers, no `style`
//! elements, links only to http(s), mailto or relative addresses, and no `url(…)` outside the
//! diagram. Ids are prefixed per diagram, so two diagrams on a page never share markers.
//!
//! A leaf module: text in, text out; used by the model (to report a diagram that cannot be
//! drawn, with its line) and by the renderer.

use quick_xml::events::{BytesStart, Event};

/// Why a diagram could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagramError {
    /// 1-based line inside the diagram source, when known.
    pub line: Option<usize>,
    /// What went wrong, in Mermaid's words.
    pub message: String,
}

impl std::fmt::Display for DiagramError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// True for the info strings of diagram fences (`mermaid`, any case).
pub fn is_mermaid(language: &str) -> bool {
    language.eq_ignore_ascii_case("mermaid")
}

/// Draws `source` once, as the check does: `Err` when Mermaid cannot read it.
pub fn check(source: &str) -> Result<(), DiagramError> {
    draw(source, &mermaid_svg::Theme::default_theme(), "d-").map(|_| ())
}

/// The HTML for one diagram: a `<figure>` holding a light and a dark drawing (the theme's CSS
/// shows one). `id` is unique on the page (`d1`).
pub fn render(source: &str, id: &str) -> Result<String, DiagramError> {
    let (light, kind) = draw(
        source,
        &mermaid_svg::Theme::default_theme(),
        &format!("{id}l-"),
    )?;
    let (dark, _) = draw(source, &mermaid_svg::Theme::dark(), &format!("{id}d-"))?;
    let mut html = String::with_capacity(light.len() + dark.len() + 160);
    // Focusable, so a keyboard can scroll a wide diagram.
    html.push_str("<figure class=\"diagram\" tabindex=\"0\" role=\"img\" aria-label=\"");
    // The kind is a word of the crate's own (`flowchart-v2`), escaped all the same.
    pulldown_cmark_escape::escape_html(&mut html, &kind.replace('-', " ")).ok();
    html.push_str(" diagram\"><div class=\"diagram-light\">");
    html.push_str(&light);
    html.push_str("</div><div class=\"diagram-dark\">");
    html.push_str(&dark);
    html.push_str("</div></figure>\n");
    Ok(html)
}

/// Renders and sanitizes one drawing; returns the SVG and the diagram's kind.
fn draw(
    source: &str,
    theme: &mermaid_svg::Theme,
    prefix: &str,
) -> Result<(String, String), DiagramError> {
    let drawn =
        std::panic::catch_unwind(|| mermaid_svg::render_with(source, theme)).map_err(|_| {
            DiagramError {
                line: None,
                message: "the diagram renderer failed on this diagram".to_string(),
            }
        })?;
    let svg = drawn.map_err(|error| match error {
        mermaid_svg::RenderError::Parse(mermaid_svg::ParseError::Syntax {
            line, message, ..
        }) => DiagramError {
            line: Some(line),
            message,
        },
        other => DiagramError {
            line: None,
            message: other.to_string(),
        },
    })?;
    sanitize(&svg, prefix).ok_or_else(|| DiagramError {
        line: None,
        message: "the diagram renderer made SVG that could not be read back".to_string(),
    })
}

/// SVG elements a diagram may hold. Anything else (`script`, `foreignObject`, `style`,
/// `image`, `iframe`) is dropped with its content.
const ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "marker",
    "path",
    "circle",
    "ellipse",
    "rect",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "textPath",
    "title",
    "desc",
    "a",
    "clipPath",
    "mask",
    "pattern",
    "symbol",
    "use",
    "linearGradient",
    "radialGradient",
    "stop",
];

/// The allowlist pass: re-emits `svg` with only known elements and safe attributes, ids
/// prefixed with `prefix`. `None` when it is not well-formed XML. Also returns the kind from
/// `aria-roledescription`.
fn sanitize(svg: &str, prefix: &str) -> Option<(String, String)> {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut writer = quick_xml::Writer::new(Vec::with_capacity(svg.len() + svg.len() / 8));
    let mut kind = String::from("Mermaid");
    // Depth inside a dropped element: everything in it is dropped too.
    let mut skipping = 0usize;
    loop {
        let event = reader.read_event().ok()?;
        match event {
            Event::Eof => break,
            Event::Start(start) => {
                if skipping > 0 || !allowed(&start) {
                    skipping += 1;
                    continue;
                }
                let clean = clean_element(&start, prefix, &mut kind)?;
                writer.write_event(Event::Start(clean)).ok()?;
            }
            Event::Empty(start) => {
                if skipping > 0 || !allowed(&start) {
                    continue;
                }
                let clean = clean_element(&start, prefix, &mut kind)?;
                writer.write_event(Event::Empty(clean)).ok()?;
            }
            Event::End(end) => {
                if skipping > 0 {
                    skipping -= 1;
                    continue;
                }
                writer.write_event(Event::End(end)).ok()?;
            }
            Event::Text(text) if skipping == 0 => writer.write_event(Event::Text(text)).ok()?,
            Event::GeneralRef(reference) if skipping == 0 => {
                writer.write_event(Event::GeneralRef(reference)).ok()?;
            }
            // Comments, CDATA, processing instructions and doctypes carry nothing to draw.
            _ => {}
        }
    }
    if skipping != 0 {
        return None;
    }
    let svg = String::from_utf8(writer.into_inner()).ok()?;
    Some((svg, kind))
}

fn allowed(start: &BytesStart) -> bool {
    ELEMENTS.contains(&start.name().into_inner())
}

/// The element with only safe attributes, ids and references to them prefixed.
fn clean_element<'a>(
    start: &BytesStart<'a>,
    prefix: &str,
    kind: &mut String,
) -> Option<BytesStart<'static>> {
    let name = start.name().into_inner().to_string();
    let mut clean = BytesStart::new(name.clone());
    for attribute in start.attributes() {
        let attribute = attribute.ok()?;
        let key = attribute.key.into_inner().to_string();
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .ok()?
            .into_owned();
        let lower = key.to_ascii_lowercase();
        if lower.starts_with("on") {
            continue;
        }
        // CSS that can fetch without `url(`: `image-set("…")`, `src(…)`, `@import`.
        let css = value.to_ascii_lowercase();
        if lower == "style" && (css.contains("image") || css.contains("src(") || css.contains('@'))
        {
            continue;
        }
        let value = match lower.as_str() {
            "id" => format!("{prefix}{value}"),
            "href" | "xlink:href" => {
                if let Some(local) = value.strip_prefix('#') {
                    format!("#{prefix}{local}")
                } else if name == "a" && is_safe_link(&value) {
                    value
                } else {
                    continue;
                }
            }
            "aria-labelledby" | "aria-describedby" => value
                .split_whitespace()
                .map(|id| format!("{prefix}{id}"))
                .collect::<Vec<_>>()
                .join(" "),
            _ => match prefixed_urls(&value, prefix) {
                Some(value) => value,
                None => continue,
            },
        };
        if lower == "aria-roledescription" {
            kind.clone_from(&value);
        }
        // Diagrams scale down to the column, but not below 75% of their size: past that the
        // figure scrolls sideways instead of shrinking text out of reach.
        let value = match (name.as_str(), lower.as_str()) {
            ("svg", "style") => match natural_width(&value) {
                Some(width) => format!("{value} min-width: {:.0}px;", width * 0.75),
                None => value,
            },
            _ => value,
        };
        clean.push_attribute((key.as_str(), value.as_str()));
    }
    Some(clean)
}

/// The width in `max-width: 467.5px;`, which mermaid-svg writes on its `<svg>`.
fn natural_width(style: &str) -> Option<f64> {
    let after = style.split("max-width:").nth(1)?;
    let number = after.trim_start().split("px").next()?;
    number
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|w| w.is_finite() && *w > 0.0)
}

/// `url(#x)` references made `url(#<prefix>x)`; `None` when the value refers to anything
/// outside the diagram (`url(https://…)`, `url(data:…)`), which would fetch or smuggle content.
fn prefixed_urls(value: &str, prefix: &str) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    if !lower.contains("url") && !lower.contains('\\') {
        return Some(value.to_string());
    }
    // CSS escapes could spell `url` another way: refuse any backslash alongside it.
    if lower.contains('\\') {
        return None;
    }
    let mut out = String::with_capacity(value.len() + prefix.len());
    let mut rest = value;
    while let Some(at) = rest.to_ascii_lowercase().find("url(") {
        out.push_str(&rest[..at + 4]);
        let after = rest[at + 4..].trim_start_matches([' ', '"', '\'']);
        let local = after.strip_prefix('#')?;
        out.push('#');
        out.push_str(prefix);
        rest = local;
    }
    out.push_str(rest);
    // `url` not followed by `(` is a plain word (a label); any other form is refused above.
    Some(out)
}

/// Links a diagram may make: http(s), mailto, or relative addresses without a scheme.
fn is_safe_link(url: &str) -> bool {
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return false;
    }
    match url.split_once(':') {
        None => true,
        Some((scheme, _)) if scheme.contains(['/', '?', '#']) => true,
        Some((scheme, _)) => ["http", "https", "mailto"]
            .iter()
            .any(|safe| scheme.eq_ignore_ascii_case(safe)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flowchart_becomes_light_and_dark_svg_with_prefixed_ids() {
        let html = render(
            "flowchart TD\n  A[Start] --> B{Ok?}\n  B -->|yes| C[Done]\n",
            "d1",
        )
        .unwrap();
        assert!(html.starts_with(
            "<figure class=\"diagram\" tabindex=\"0\" role=\"img\" aria-label=\"flowchart v2 diagram\">"
        ), "{html}");
        assert!(html.contains("px; min-width: "), "{html}");
        assert_eq!(html.matches("<svg").count(), 2, "{html}");
        assert!(html.contains(">Start</text>") && html.contains(">yes</text>"));
        // Markers are defined and used under the drawing's own prefix.
        assert!(html.contains("id=\"d1l-arrow-filled\""), "{html}");
        assert!(html.contains("url(#d1l-arrow-filled)"), "{html}");
        assert!(html.contains("id=\"d1d-arrow-filled\""), "{html}");
        assert!(!html.contains("id=\"arrow-filled\""));
    }

    #[test]
    fn errors_name_the_line_inside_the_diagram() {
        let error = check("flowchart TD\n  A --> B\n  C -->\n").unwrap_err();
        assert_eq!(error.line, Some(3), "{error:?}");
        assert!(check("sequenceDiagram\n  A->>B: hi\n").is_ok());
        assert!(check("not a diagram at all").is_err());
    }

    #[test]
    fn clicks_links_and_outside_references_are_removed() {
        let source = "flowchart TD\n  A[One] --> B[Two]\n  click A callback \"Tip\"\n  \
                      click B \"javascript:alert(1)\"\n";
        // Mermaid itself draws both: a callback and a javascript: link.
        let raw = mermaid_svg::render(source).unwrap();
        assert!(
            raw.contains("onclick") && raw.contains("javascript:"),
            "{raw}"
        );
        let html = render(source, "d1").unwrap_or_else(|e| panic!("{e}"));
        assert!(!html.to_ascii_lowercase().contains("onclick"), "{html}");
        assert!(!html.to_ascii_lowercase().contains("javascript"), "{html}");
        let (svg, _) = sanitize(
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script>\
             <foreignObject><div>x</div></foreignObject><style>*{}</style>\
             <rect fill=\"url(https://evil.example/x)\" onload=\"alert(1)\" width=\"1\"/>\
             <a href=\"https://example.org/\"><text>ok &amp; fine</text></a>\
             <a href=\"data:text/html,x\"><text>no</text></a>\
             <line style=\"mask-image:image-set('https://evil.example/x' 1x)\"/>\
             <use href=\"https://evil.example/#x\"/></svg>",
            "p-",
        )
        .unwrap();
        assert_eq!(
            svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"1\"/>\
             <a href=\"https://example.org/\"><text>ok &amp; fine</text></a><a><text>no</text></a><line/><use/></svg>"
        );
    }

    #[test]
    fn malformed_svg_is_refused() {
        assert!(sanitize("<svg><g></svg>", "p-").is_none());
    }
}
