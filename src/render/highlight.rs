//! Syntax highlighting of one code block with syntect, with a memo of parsed lines.
//!
//! syntect parses a line from the parser state the previous line left (about 5-70 us a line
//! here, nearly all regex search). Handbooks repeat lines across pages: blank lines, braces,
//! the same command in many runbooks, the same config keys. A line parsed from an equal state
//! always gives the same scope operations and the same next state, so each rendering thread keeps
//! what it parsed, by syntax and line, and reuses it when the state matches. The HTML is made
//! from those operations as syntect's `ClassedHTMLGenerator` makes it, so output is unchanged.

use std::cell::RefCell;
use std::collections::HashMap;

use syntect::html::line_tokens_to_classed_spans;
use syntect::parsing::{ParseState, ScopeStack, ScopeStackOp, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use super::markdown::HIGHLIGHT_CLASS_STYLE;

/// Parsed lines a thread keeps before it starts over: bounds memory (a few hundred bytes each)
/// in a long `serve` session.
const MEMO_LINES: usize = 32 * 1024;

/// One parsed line: the state it was parsed from, its scope operations and the state after it.
struct Parsed {
    syntax: usize,
    line: Box<str>,
    before: ParseState,
    ops: Vec<(usize, ScopeStackOp)>,
    after: ParseState,
}

/// Parsed lines by a hash of syntax and text; entries are checked in full before reuse.
#[derive(Default)]
struct Memo {
    lines: HashMap<u64, Vec<Parsed>>,
    count: usize,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// The block's highlighted HTML (the inside of `<code>`), or `None` if syntect fails on it.
pub fn classed_html(code: &str, syntax: &SyntaxReference, set: &SyntaxSet) -> Option<String> {
    // Syntaxes are told apart by their place in the set (they live as long as it does).
    let syntax_id = std::ptr::from_ref(syntax) as usize;
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        let memo = &mut *memo;
        let mut html = String::with_capacity(code.len() * 3);
        let mut state = ParseState::new(syntax);
        let mut scopes = ScopeStack::new();
        let mut open_spans: isize = 0;
        for line in LinesWithEndings::from(code) {
            if memo.count >= MEMO_LINES {
                memo.lines.clear();
                memo.count = 0;
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
            let (spans, delta) = line_tokens_to_classed_spans(
                line,
                &entries[at].ops,
                HIGHLIGHT_CLASS_STYLE,
                &mut scopes,
            )
            .ok()?;
            html.push_str(&spans);
            open_spans += delta;
        }
        for _ in 0..open_spans {
            html.push_str("</span>");
        }
        Some(html)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use syntect::html::ClassedHTMLGenerator;

    fn reference(code: &str, syntax: &SyntaxReference, set: &SyntaxSet) -> String {
        let mut generator =
            ClassedHTMLGenerator::new_with_class_style(syntax, set, HIGHLIGHT_CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            generator
                .parse_html_for_line_which_includes_newline(line)
                .unwrap();
        }
        generator.finalize()
    }

    #[test]
    fn remembered_lines_give_what_syntect_gives() {
        let set = crate::render::markdown::syntaxes();
        // The same line text in different states (inside a string or comment, and not), in
        // blocks that run one after another on this thread, so later ones reuse earlier lines.
        let blocks = [
            ("python", "x = 1\n\"\"\"\nx = 1\n\"\"\"\nx = 1\n"),
            ("python", "\"\"\"\nx = 1\n"),
            ("python", "x = 1\ndef f():\n    return 'x = 1'\n"),
            ("rust", "fn main() {\n    /* start\n}\n*/\n}\n"),
            ("rust", "}\n/* open\n"),
            ("rust", "fn main() {\n}\n"),
            ("yaml", "a: 1\nb: |\n  a: 1\na: 1\n"),
            ("bash", "echo \"a\nb\"\necho a\n"),
        ];
        for round in 0..2 {
            for (language, code) in blocks {
                let syntax = set.find_syntax_by_token(language).unwrap();
                assert_eq!(
                    classed_html(code, syntax, set).unwrap(),
                    reference(code, syntax, set),
                    "{language} {code:?} (round {round})"
                );
            }
        }
        MEMO.with(|memo| assert!(memo.borrow().count > 10));
    }
}
