//! Syntax highlighting of one code block with syntect, with a memo of parsed lines.
//!
//! syntect parses a line from the parser state the previous line left (about 5-70 us a line
//! here, nearly all regex search). Handbooks repeat lines across pages: blank lines, braces,
//! the same command in many runbooks, the same config keys. A line parsed from an equal state
//! always gives the same scope operations and the same next state, so each rendering thread keeps
//! what it parsed, by syntax and line, and reuses it when the state matches.
//!
//! The HTML names styles, not scopes. Each run of text gets the style the light theme
//! (InspiredGitHub) and the dark theme (base16-ocean.dark) give its scope stack, as short
//! classes: `l3` is the light theme's third colour, `d5` the dark theme's fifth, `li` light
//! italic, `dg1` a dark background. Text both themes leave alone has no element; runs of the
//! same style are one element. syntect's own markup names every scope of the stack in nested
//! elements, about 19 bytes of markup per byte of code; this is a few. [`css`] gives the rules
//! for every class a theme can produce, light rules in light mode only and dark in dark, each
//! inside `pre.code` only, so the short names never style a theme's or an author's elements.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use syntect::highlighting::{Color, FontStyle, Highlighter, StyleModifier, Theme, ThemeSet};
use syntect::parsing::{ParseState, Scope, ScopeStack, ScopeStackOp, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Parsed lines a thread keeps before it starts over: bounds memory (a few hundred bytes each)
/// in a long `serve` session.
const MEMO_LINES: usize = 32 * 1024;
/// Scope stacks whose classes a thread keeps before it starts over.
const MEMO_STACKS: usize = 16 * 1024;

/// One parsed line: the state it was parsed from, its scope operations and the state after it.
struct Parsed {
    syntax: usize,
    line: Box<str>,
    before: ParseState,
    ops: Vec<(usize, ScopeStackOp)>,
    after: ParseState,
}

/// Parsed lines by a hash of syntax and text; entries are checked in full before reuse. And
/// the classes of the scope stacks met so far.
#[derive(Default)]
struct Memo {
    lines: HashMap<u64, Vec<Parsed>>,
    count: usize,
    classes: HashMap<Vec<Scope>, Look>,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// How a run of text looks: its classes (empty when both themes leave it alone), and whether
/// it shows on blank space (a background or an underline).
#[derive(Clone, Default, PartialEq, Eq)]
struct Look {
    classes: String,
    marks_space: bool,
}

/// A theme's palette: every foreground and background colour its rules name, in a fixed
/// order (a class is a place in it).
struct Palette {
    highlighter: Highlighter<'static>,
    foregrounds: Vec<Color>,
    backgrounds: Vec<Color>,
}

impl Palette {
    fn new(theme: &'static Theme) -> Palette {
        let sorted = |pick: fn(&StyleModifier) -> Option<Color>| {
            let mut colors: Vec<Color> = theme
                .scopes
                .iter()
                .filter_map(|item| pick(&item.style))
                .collect();
            colors.sort_by_key(|c| (c.r, c.g, c.b, c.a));
            colors.dedup();
            colors
        };
        Palette {
            highlighter: Highlighter::new(theme),
            foregrounds: sorted(|style| style.foreground),
            backgrounds: sorted(|style| style.background),
        }
    }

    /// Appends this theme's classes for `stack` (prefix `l` or `d`); true when it marks blank
    /// space.
    fn classes(&self, stack: &[Scope], prefix: char, out: &mut String) -> bool {
        let style = self.highlighter.style_mod_for_stack(stack);
        let mut add = |class: std::fmt::Arguments<'_>| {
            if !out.is_empty() {
                out.push(' ');
            }
            out.write_fmt(class).ok();
        };
        if let Some(at) = style
            .foreground
            .and_then(|c| self.foregrounds.iter().position(|&f| f == c))
        {
            add(format_args!("{prefix}{at}"));
        }
        let background = style
            .background
            .and_then(|c| self.backgrounds.iter().position(|&b| b == c));
        if let Some(at) = background {
            add(format_args!("{prefix}g{at}"));
        }
        let font = style.font_style.unwrap_or_else(FontStyle::empty);
        for (flag, letter) in [
            (FontStyle::BOLD, 'b'),
            (FontStyle::ITALIC, 'i'),
            (FontStyle::UNDERLINE, 'u'),
        ] {
            if font.contains(flag) {
                add(format_args!("{prefix}{letter}"));
            }
        }
        background.is_some() || font.contains(FontStyle::UNDERLINE)
    }
}

/// The two themes' palettes, made once.
fn palettes() -> &'static [Palette; 2] {
    static PALETTES: OnceLock<[Palette; 2]> = OnceLock::new();
    PALETTES.get_or_init(|| {
        static THEMES: OnceLock<ThemeSet> = OnceLock::new();
        let themes = THEMES.get_or_init(ThemeSet::load_defaults);
        [LIGHT_THEME, DARK_THEME].map(|name| Palette::new(&themes.themes[name]))
    })
}

const LIGHT_THEME: &str = "InspiredGitHub";
const DARK_THEME: &str = "base16-ocean.dark";

/// The look of text under `stack`.
fn look(stack: &[Scope]) -> Look {
    let [light, dark] = palettes();
    let mut classes = String::new();
    let mut marks_space = light.classes(stack, 'l', &mut classes);
    marks_space |= dark.classes(stack, 'd', &mut classes);
    Look {
        classes,
        marks_space,
    }
}

/// The look of text under `stack`, remembered (a lookup by slice: no copy of the stack).
fn look_of<'m>(classes: &'m mut HashMap<Vec<Scope>, Look>, stack: &ScopeStack) -> &'m Look {
    let stack = stack.as_slice();
    if !classes.contains_key(stack) {
        classes.insert(stack.to_vec(), look(stack));
    }
    &classes[stack]
}

/// Runs of text being joined into elements.
struct Runs {
    html: String,
    /// The open run's look and its text, escaped.
    open: Look,
    text: String,
}

impl Runs {
    fn push(&mut self, text: &str, look: &Look) {
        if text.is_empty() {
            return;
        }
        // Blank space looks the same in any colour: it joins the open run.
        let blank = text.chars().all(char::is_whitespace);
        if *look != self.open && !(blank && !look.marks_space && !self.open.marks_space) {
            self.flush();
            self.open.clone_from(look);
        }
        pulldown_cmark_escape::escape_html(&mut self.text, text).ok();
    }

    fn flush(&mut self) {
        if self.text.is_empty() {
            return;
        }
        if self.open.classes.is_empty() {
            self.html.push_str(&self.text);
        } else {
            self.html.push_str("<span class=\"");
            self.html.push_str(&self.open.classes);
            self.html.push_str("\">");
            self.html.push_str(&self.text);
            self.html.push_str("</span>");
        }
        self.text.clear();
    }
}

/// The block's highlighted HTML (the inside of `<code>`), or `None` if syntect fails on it.
pub fn classed_html(code: &str, syntax: &SyntaxReference, set: &SyntaxSet) -> Option<String> {
    // Syntaxes are told apart by their place in the set (they live as long as it does).
    let syntax_id = std::ptr::from_ref(syntax) as usize;
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        let memo = &mut *memo;
        let mut runs = Runs {
            html: String::with_capacity(code.len() * 2),
            open: Look::default(),
            text: String::new(),
        };
        let mut state = ParseState::new(syntax);
        let mut stack = ScopeStack::new();
        for line in LinesWithEndings::from(code) {
            if memo.count >= MEMO_LINES {
                memo.lines.clear();
                memo.count = 0;
            }
            if memo.classes.len() >= MEMO_STACKS {
                memo.classes.clear();
            }
            let key = xxhash_rust::xxh3::xxh3_64_with_seed(line.as_bytes(), syntax_id as u64);
            let entries = memo.lines.entry(key).or_default();
            let known = entries.iter().position(|parsed| {
                parsed.syntax == syntax_id && *parsed.line == *line && parsed.before == state
            });
            let at = match known {
                Some(at) => {
                    state.clone_from(&entries[at].after);
                    at
                }
                None => {
                    let before = state.clone();
                    let ops = state.parse_line(line, set).ok()?;
                    entries.push(Parsed {
                        syntax: syntax_id,
                        line: line.into(),
                        before,
                        ops,
                        after: state.clone(),
                    });
                    memo.count += 1;
                    entries.len() - 1
                }
            };
            let mut from = 0;
            for (to, op) in &entries[at].ops {
                let to = (*to).min(line.len());
                if to > from {
                    runs.push(line.get(from..to)?, look_of(&mut memo.classes, &stack));
                    from = to;
                }
                stack.apply(op).ok()?;
            }
            if from < line.len() {
                runs.push(&line[from..], look_of(&mut memo.classes, &stack));
            }
        }
        runs.flush();
        Some(runs.html)
    })
}

/// The default theme's `--bg-code`, light and dark (`themes/default/static/style.css`).
pub const CODE_BACKGROUND_LIGHT: [u8; 3] = [0xf3, 0xf4, 0xf6];
pub const CODE_BACKGROUND_DARK: [u8; 3] = [0x1b, 0x22, 0x2c];

/// The rules for every class [`classed_html`] can write: the light theme's when the page is
/// light (the reader chose it, or the system is light and no choice was made), the dark
/// theme's when it is dark. A token colour is moved towards black (light) or white (dark)
/// until it reads at 4.5:1 on the code background (WCAG AA), hue kept: InspiredGitHub's green,
/// for one, is 2.75:1 on the light code background.
pub fn css() -> String {
    let [light, dark] = palettes();
    let rules = |palette: &Palette, prefix: char, background: [u8; 3], scope: &str| {
        let mut css = String::new();
        let mut rule = |class: String, body: String| {
            writeln!(css, "{scope} pre.code .{class} {{ {body} }}").ok();
        };
        for (at, color) in palette.foregrounds.iter().enumerate() {
            rule(
                format!("{prefix}{at}"),
                format!("color: {}", css_color(readable(*color, background))),
            );
        }
        for (at, color) in palette.backgrounds.iter().enumerate() {
            rule(
                format!("{prefix}g{at}"),
                format!("background-color: {}", css_color(*color)),
            );
        }
        rule(format!("{prefix}b"), "font-weight: bold".into());
        rule(format!("{prefix}i"), "font-style: italic".into());
        rule(format!("{prefix}u"), "text-decoration: underline".into());
        css
    };
    let light_chosen = rules(
        light,
        'l',
        CODE_BACKGROUND_LIGHT,
        ":root[data-theme=\"light\"]",
    );
    let light_system = rules(
        light,
        'l',
        CODE_BACKGROUND_LIGHT,
        ":root:not([data-theme=\"dark\"])",
    );
    let dark_chosen = rules(
        dark,
        'd',
        CODE_BACKGROUND_DARK,
        ":root[data-theme=\"dark\"]",
    );
    let dark_system = rules(
        dark,
        'd',
        CODE_BACKGROUND_DARK,
        ":root:not([data-theme=\"light\"])",
    );
    format!(
        "/* Generated from syntect's {LIGHT_THEME} (light) and {DARK_THEME} (dark). */\n\
         {light_chosen}@media (prefers-color-scheme: light) {{\n{light_system}}}\n\
         {dark_chosen}@media (prefers-color-scheme: dark) {{\n{dark_system}}}\n"
    )
}

fn css_color(color: Color) -> String {
    if color.a == 0xff {
        format!("#{:02x}{:02x}{:02x}", color.r, color.g, color.b)
    } else {
        format!(
            "rgba({}, {}, {}, {:.3})",
            color.r,
            color.g,
            color.b,
            f64::from(color.a) / 255.0
        )
    }
}

/// `color` moved towards black (on a light background) or white (on a dark one) until it has
/// a contrast ratio of at least 4.5:1 with `background`; hue kept, alpha dropped.
fn readable(color: Color, background: [u8; 3]) -> Color {
    let target = if luminance(background) < 0.5 {
        255.0
    } else {
        0.0
    };
    let mut rgb = [color.r, color.g, color.b];
    for _ in 0..40 {
        if contrast(rgb, background) >= 4.5 {
            break;
        }
        rgb = rgb.map(|c| (f64::from(c) + (target - f64::from(c)) * 0.1).round() as u8);
    }
    Color {
        r: rgb[0],
        g: rgb[1],
        b: rgb[2],
        a: 0xff,
    }
}

/// WCAG relative luminance.
fn luminance(rgb: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2])
}

/// WCAG contrast ratio.
fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks() -> [(&'static str, &'static str); 8] {
        // The same line text in different states (inside a string or comment, and not), in
        // blocks that run one after another on this thread, so later ones reuse earlier lines.
        [
            ("python", "x = 1\n\"\"\"\nx = 1\n\"\"\"\nx = 1\n"),
            ("python", "\"\"\"\nx = 1\n"),
            ("python", "x = 1\ndef f():\n    return 'x = 1'\n"),
            ("rust", "fn main() {\n    /* start\n}\n*/\n}\n"),
            ("rust", "}\n/* open\n"),
            ("rust", "fn main() {\n}\n"),
            ("yaml", "a: 1\nb: |\n  a: 1\na: 1\n"),
            ("bash", "echo \"a\nb\"\necho a <b>&amp;\n"),
        ]
    }

    /// The block highlighted by a thread that has seen nothing before.
    fn fresh(code: &str, syntax: &SyntaxReference, set: &SyntaxSet) -> String {
        MEMO.with(|memo| *memo.borrow_mut() = Memo::default());
        classed_html(code, syntax, set).unwrap()
    }

    /// The text the HTML shows.
    fn text_of(html: &str) -> String {
        let mut text = String::new();
        let mut rest = html;
        while let Some(at) = rest.find('<') {
            text.push_str(&rest[..at]);
            rest = &rest[rest[at..].find('>').unwrap() + at + 1..];
        }
        text.push_str(rest);
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    #[test]
    fn remembered_lines_give_what_a_fresh_parse_gives_and_the_text_is_kept() {
        let set = crate::render::markdown::syntaxes();
        let expected: Vec<String> = blocks()
            .iter()
            .map(|(language, code)| fresh(code, set.find_syntax_by_token(language).unwrap(), set))
            .collect();
        MEMO.with(|memo| *memo.borrow_mut() = Memo::default());
        for round in 0..2 {
            for ((language, code), expected) in blocks().iter().zip(&expected) {
                let syntax = set.find_syntax_by_token(language).unwrap();
                let html = classed_html(code, syntax, set).unwrap();
                assert_eq!(&html, expected, "{language} {code:?} (round {round})");
                assert_eq!(text_of(&html), *code, "{html}");
            }
        }
        MEMO.with(|memo| assert!(memo.borrow().count > 10));
    }

    #[test]
    fn tokens_are_styled_by_short_classes_the_stylesheet_defines() {
        let set = crate::render::markdown::syntaxes();
        let syntax = set.find_syntax_by_token("rust").unwrap();
        let code = "// note\nfn main() {\n    let s = \"hi\";\n}\n";
        let html = fresh(code, syntax, set);
        // The keyword, the string and the comment each look different in both themes.
        let class_of = |token: &str| {
            let end = html
                .find(&format!(">{token}"))
                .unwrap_or_else(|| panic!("{token} in {html}"));
            let start = html[..end].rfind("class=\"").unwrap() + 7;
            html[start..end - 1].to_string()
        };
        let (keyword, string, comment) = (class_of("fn"), class_of("hi"), class_of("// note"));
        for classes in [&keyword, &string, &comment] {
            assert!(classes.split(' ').any(|c| c.starts_with('l')), "{classes}");
            assert!(classes.split(' ').any(|c| c.starts_with('d')), "{classes}");
        }
        assert!(keyword != string && string != comment, "{html}");
        // Less than half of syntect's markup, which names every scope of the stack.
        let mut syntects = syntect::html::ClassedHTMLGenerator::new_with_class_style(
            syntax,
            set,
            syntect::html::ClassStyle::SpacedPrefixed { prefix: "hl-" },
        );
        for line in LinesWithEndings::from(code) {
            syntects
                .parse_html_for_line_which_includes_newline(line)
                .unwrap();
        }
        let syntects = syntects.finalize();
        assert!(html.len() * 2 < syntects.len(), "{html}\n{syntects}");
        let css = css();
        for class in html
            .split("class=\"")
            .skip(1)
            .flat_map(|rest| rest[..rest.find('"').unwrap()].split(' '))
        {
            assert!(
                css.contains(&format!(" .{class} {{")),
                "no rule for {class}"
            );
        }
    }

    #[test]
    fn every_highlight_colour_reads_at_four_and_a_half_to_one_on_the_code_background() {
        let css = css();
        let mut checked = 0;
        for line in css.lines() {
            let Some(at) = line.find("{ color: #") else {
                continue;
            };
            let hex = &line[at + 10..at + 16];
            let rgb = [0, 2, 4].map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap());
            let background = if line.contains(" .d") {
                CODE_BACKGROUND_DARK
            } else {
                CODE_BACKGROUND_LIGHT
            };
            let ratio = contrast(rgb, background);
            assert!(ratio >= 4.5, "{line}: {ratio:.2}:1");
            checked += 1;
        }
        assert!(checked > 20, "{css}");
        // The fix darkens the green InspiredGitHub uses for tags (#63a35c, 2.75:1).
        assert!(!css.contains("#63a35c"));
        // Rules style highlighted code only: an author's or a theme's `.lb` is left alone.
        for line in css
            .lines()
            .filter(|line| line.contains('{') && !line.starts_with('@'))
        {
            assert!(
                line.starts_with(":root") && line.contains(" pre.code ."),
                "{line}"
            );
        }
        // Light rules apply in light mode only, dark rules in dark mode only.
        for line in css.lines().filter(|line| line.contains(" .l")) {
            assert!(
                !line.contains("[data-theme=\"dark\"]") || line.contains(":not("),
                "{line}"
            );
        }
    }
}
