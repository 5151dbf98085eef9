//! The one place that parses YAML. serde_yaml 0.9 is archived upstream; keeping every call here
//! means a maintained fork replaces it by editing this file alone.

use serde::de::DeserializeOwned;

/// A YAML problem positioned in the parsed fragment (1-based; 0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// 1-based line within the fragment.
    pub line: usize,
    /// 1-based column within the fragment.
    pub column: usize,
    /// serde_yaml's message without its trailing position, in plain words.
    pub message: String,
    /// What to do about it, when the problem is a common slip (tabs, an unquoted `: `).
    pub hint: Option<&'static str>,
}

/// Largest fragment we parse. Front matter is a few lines; a huge block is a mistake or an attack.
const MAX_YAML_BYTES: usize = 1024 * 1024;

/// Parses `text` into `T`. Empty or whitespace-only input parses as an empty mapping, so a file
/// with `---\n---` front matter, or an empty `handbook.yml`, gets the defaults.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    if text.len() > MAX_YAML_BYTES {
        return Err(YamlError {
            line: 1,
            column: 1,
            message: format!("YAML block is {} bytes; the limit is 1 MiB", text.len()),
            hint: Some("move long text into the page body"),
        });
    }
    if let Some((line, column)) = too_deep(text) {
        return Err(YamlError {
            line,
            column,
            message: format!("YAML nests more than {MAX_DEPTH} levels deep here"),
            hint: Some("write nested data flatter; handbook refuses deeper nesting before parsing"),
        });
    }
    let text = if text.trim().is_empty() { "{}" } else { text };
    serde_yaml::from_str(text).map_err(|error| {
        let (line, column) = error
            .location()
            .map_or((0, 0), |location| (location.line(), location.column()));
        let (message, marks) = strip_positions(&error.to_string());
        // An unclosed quote or bracket fails at the end of the block; where it was opened (the
        // context mark) is the line to fix.
        let unclosed = message.contains("end of stream")
            || message.contains("while parsing a flow sequence")
            || message.contains("while parsing a flow mapping");
        let (line, column) = match marks.get(1) {
            Some(&opened) if unclosed => opened,
            _ => (line, column),
        };
        // libyaml names a tab in indentation several ways; the line itself tells.
        let tab_indent = text
            .lines()
            .nth(line.saturating_sub(1))
            .is_some_and(|text| {
                text.starts_with(char::is_whitespace)
                    && text.trim_start_matches(' ').starts_with('\t')
            });
        YamlError {
            line,
            column,
            hint: if tab_indent {
                Some(TAB_HINT)
            } else {
                hint(&message)
            },
            message: if tab_indent {
                "this line is indented with a tab".into()
            } else {
                plain(&message)
            },
        }
    })
}

/// serde's type vocabulary (`invalid type: sequence, expected i64`, `expected struct
/// FrontMatter`) reworded for people who write YAML, not Rust: `expected a whole number, found
/// a list`.
fn plain(message: &str) -> String {
    if message.contains("end of stream") && message.contains("while scanning a quoted scalar") {
        return "a quoted value is never closed".into();
    }
    if message.contains("while parsing a flow sequence") {
        return "a list opened with `[` is never closed with `]`".into();
    }
    if message.contains("while parsing a flow mapping") {
        return "a mapping opened with `{` is never closed with `}`".into();
    }
    if message.starts_with("repetition limit exceeded") {
        return "YAML aliases (`*name`) repeat into too many values; write the values out".into();
    }
    if message.starts_with("recursion limit exceeded") {
        return "YAML nests too deeply".into();
    }
    let (prefix, rest) = match message
        .find("invalid type: ")
        .or(message.find("invalid value: "))
    {
        Some(at) => message.split_at(at),
        None => return message.to_string(),
    };
    let rest = rest.split_once(": ").map_or(rest, |(_, rest)| rest);
    let Some((found, expected)) = rest.split_once(", expected ") else {
        return message.to_string();
    };
    let found = match found {
        "sequence" => "a list".to_string(),
        "map" => "a mapping".to_string(),
        "unit value" => "nothing".to_string(),
        _ => match found.strip_prefix("string ") {
            Some(text) => format!("the text {text}"),
            None => found
                .replace('`', "")
                .replace("floating point", "the number"),
        },
    };
    let expected = if expected.starts_with("struct ") || expected.starts_with("a map") {
        "`key: value` lines"
    } else if matches!(
        expected,
        "i64" | "i32" | "u64" | "u32" | "u16" | "u8" | "usize"
    ) {
        "a whole number"
    } else if expected == "a boolean" {
        "true or false"
    } else if expected == "a string" {
        "text"
    } else {
        expected
    };
    format!("{prefix}expected {expected}, found {found}")
}

const TAB_HINT: &str = "indent with spaces: YAML does not allow tabs";

/// Advice for the YAML slips people make most.
fn hint(message: &str) -> Option<&'static str> {
    if message.contains("tab character") {
        Some(TAB_HINT)
    } else if message.contains("mapping values are not allowed") {
        Some("quote a value that contains `: `, like `title: \"Deploys: a guide\"`")
    } else if message.contains("while parsing a flow") {
        Some("close it on the same line, like `tags: [a, b]`, or write one `- item` per line")
    } else if message.contains("while scanning a quoted scalar") {
        Some("end the value with the quote it starts with, on the same line")
    } else if message.starts_with("repetition limit exceeded") {
        Some("an anchor repeated inside other anchors grows exponentially; handbook refuses it")
    } else {
        None
    }
}

/// Deepest nesting we parse. Front matter and `handbook.yml` need a handful of levels; libyaml
/// takes tens of seconds on brackets nested a hundred thousand deep, so deeper input is refused
/// by [`too_deep`] before it reaches the parser.
const MAX_DEPTH: usize = 64;

/// Where nesting first goes beyond [`MAX_DEPTH`] (1-based line and column), counting open block
/// collections (by indentation and `- ` prefixes) plus open flow collections (`[`, `{`). A cheap
/// linear scan, not a parser: it knows quotes, comments and block scalars (`|`, `>`) well enough
/// that brackets in text never count, and it may count a level more or less than YAML would.
fn too_deep(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let is_blank = |b: Option<&u8>| matches!(b, None | Some(b' ' | b'\t' | b'\r' | b'\n'));
    let mut block: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    let mut quote: Option<u8> = None;
    let mut scalar_indent: Option<usize> = None;
    let mut line = 1;
    let mut line_start = 0;
    let mut token_start = true;
    // True until the indentation of the current line has been read.
    let mut fresh_line = true;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        if let Some(open) = quote {
            match byte {
                b'\n' => {
                    line += 1;
                    line_start = at + 1;
                }
                b'\\' if open == b'"' => at += 1,
                b'\'' if open == b'\'' && bytes.get(at + 1) == Some(&b'\'') => at += 1,
                _ if byte == open => {
                    quote = None;
                    token_start = false;
                }
                _ => {}
            }
            at += 1;
            continue;
        }
        if fresh_line && flow == 0 {
            fresh_line = false;
            let indent = bytes[at..].iter().take_while(|b| **b == b' ').count();
            let mut content = at + indent;
            let blank = is_blank(bytes.get(content)) || bytes[content] == b'#';
            if let Some(parent) = scalar_indent {
                if blank || indent > parent {
                    // A line of a `|` or `>` block: text, whatever it holds.
                    at = bytes[at..]
                        .iter()
                        .position(|b| *b == b'\n')
                        .map_or(bytes.len(), |end| at + end);
                    continue;
                }
                scalar_indent = None;
            }
            if !blank {
                while block.last().is_some_and(|&open| open >= indent) {
                    block.pop();
                }
                block.push(indent);
                while matches!(bytes.get(content), Some(b'-' | b'?'))
                    && is_blank(bytes.get(content + 1))
                    && bytes.get(content + 1) != Some(&b'\n')
                {
                    content += 1;
                    while bytes.get(content) == Some(&b' ') {
                        content += 1;
                    }
                    block.push(content - line_start);
                }
                if block.len() > MAX_DEPTH {
                    return Some((line, content - line_start + 1));
                }
            }
            at = content;
            token_start = true;
            continue;
        }
        match byte {
            b'\n' => {
                line += 1;
                line_start = at + 1;
                token_start = true;
                fresh_line = flow == 0;
            }
            b'#' if at == line_start || is_blank(bytes.get(at.wrapping_sub(1))) => {
                at = bytes[at..]
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(bytes.len(), |end| at + end);
                continue;
            }
            b'[' | b'{' if token_start || flow > 0 => {
                flow += 1;
                if block.len() + flow > MAX_DEPTH {
                    return Some((line, at - line_start + 1));
                }
                token_start = true;
            }
            b']' | b'}' if flow > 0 => {
                flow -= 1;
                token_start = false;
            }
            b',' if flow > 0 => token_start = true,
            b'"' | b'\'' if token_start => quote = Some(byte),
            b'|' | b'>' if token_start && flow == 0 => {
                scalar_indent = Some(block.last().copied().unwrap_or(0));
                token_start = false;
            }
            // Only before a blank: `a:'x` is one plain scalar, and reading its quote as one
            // would hide brackets from the count (erring the other way only counts more).
            b':' if is_blank(bytes.get(at + 1)) => token_start = true,
            b'&' | b'!' if token_start => {
                while !is_blank(bytes.get(at + 1)) {
                    at += 1;
                }
            }
            b' ' | b'\t' | b'\r' => {}
            _ => token_start = false,
        }
        at += 1;
    }
    None
}

/// A key of a block mapping at the top level of a YAML fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopKey {
    /// The key as written, without quotes.
    pub name: String,
    /// 1-based line within the fragment.
    pub line: usize,
    /// False for `key:`, `key: ~` and `key: null` with nothing nested below.
    pub has_value: bool,
}

/// The top-level keys of a block-style mapping (`key: value` lines at column 0), in order,
/// without parsing values: a cheap pass for schema checks (unknown and required keys) that
/// need positions serde drops. Flow-style mappings (`{a: 1}`) yield nothing.
pub fn top_level_keys(text: &str) -> Vec<TopKey> {
    let lines: Vec<&str> = text.lines().collect();
    let mut keys = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some((name, value)) = key_and_value(line) else {
            continue;
        };
        let value = value.split(" #").next().unwrap_or("").trim();
        let nested = || {
            lines[index + 1..]
                .iter()
                .find(|next| !next.trim().is_empty() && !next.trim_start().starts_with('#'))
                .is_some_and(|next| next.starts_with([' ', '\t', '-']))
        };
        let has_value = !(value.is_empty() || value == "~" || value == "null") || nested();
        keys.push(TopKey {
            name,
            line: index + 1,
            has_value,
        });
    }
    keys
}

/// `key: value` or `"key": value` at column 0 → (key, value text).
fn key_and_value(line: &str) -> Option<(String, &str)> {
    let first = line.chars().next()?;
    if first.is_whitespace() || matches!(first, '#' | '-' | '{' | '[' | '.' | '%') {
        return None;
    }
    let (name, rest) = if let Some(quoted) = line.strip_prefix(['"', '\'']) {
        let end = quoted.find(first)?;
        (quoted[..end].to_string(), quoted[end + 1..].trim_start())
    } else {
        let colon = line
            .match_indices(':')
            .map(|(at, _)| at)
            .find(|&at| line[at + 1..].is_empty() || line[at + 1..].starts_with([' ', '\t']))?;
        (line[..colon].trim_end().to_string(), &line[colon..])
    };
    let value = rest.strip_prefix(':')?;
    Some((name, value))
}

/// serde_yaml writes positions into its messages (`problem at line 4 column 1, while scanning a
/// quoted scalar at line 2 column 8`); we print positions ourselves, against the whole file
/// rather than the fragment. Returns the message without them, and the marks in order.
fn strip_positions(message: &str) -> (String, Vec<(usize, usize)>) {
    let mut text = String::new();
    let mut marks = Vec::new();
    let mut rest = message;
    while let Some(at) = rest.find(" at line ") {
        text.push_str(&rest[..at]);
        let after = &rest[at + " at line ".len()..];
        let line_digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let column_part = after[line_digits..].strip_prefix(" column ").unwrap_or("");
        let column_digits = column_part.bytes().take_while(u8::is_ascii_digit).count();
        match (
            after[..line_digits].parse(),
            column_part[..column_digits].parse(),
        ) {
            (Ok(line), Ok(column)) => {
                marks.push((line, column));
                rest = &column_part[column_digits..];
            }
            _ => {
                text.push_str(" at line ");
                rest = after;
            }
        }
    }
    text.push_str(rest);
    (text, marks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn errors_carry_fragment_positions_without_serde_suffix() {
        let error = parse::<BTreeMap<String, String>>("a: b\nc: [d\n").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(!error.message.contains("at line"), "{}", error.message);
    }

    #[test]
    fn an_unclosed_quote_is_reported_where_it_opens() {
        let error =
            parse::<BTreeMap<String, String>>("a: b\ntitle: \"Deploys\nnext: c\n").unwrap_err();
        assert_eq!(
            (error.line, error.message.as_str()),
            (2, "a quoted value is never closed")
        );
        let error =
            parse::<BTreeMap<String, Vec<String>>>("a: [b]\ntags: [x, y\nc: [d]\n").unwrap_err();
        assert_eq!(
            (error.line, error.column, error.message.as_str()),
            (2, 7, "a list opened with `[` is never closed with `]`")
        );
        assert_eq!(
            strip_positions("x at line 4 column 1, while y at line 2 column 8"),
            ("x, while y".to_string(), vec![(4, 1), (2, 8)])
        );
    }

    #[test]
    fn top_level_keys_have_lines_and_know_empty_values() {
        let text = "title: A\n# note\nowner:\ntags:\n  - a\n\"quoted key\": x # c\nempty: ~\nurl: http://x\nlist:\n- b\n";
        let keys: Vec<(String, usize, bool)> = top_level_keys(text)
            .into_iter()
            .map(|key| (key.name, key.line, key.has_value))
            .collect();
        assert_eq!(
            keys,
            [
                ("title".into(), 1, true),
                ("owner".into(), 3, false),
                ("tags".into(), 4, true),
                ("quoted key".into(), 6, true),
                ("empty".into(), 7, false),
                ("url".into(), 8, true),
                ("list".into(), 9, true),
            ]
        );
        assert!(top_level_keys("{a: 1}").is_empty());
    }

    #[test]
    fn nesting_beyond_the_limit_is_refused_before_parsing() {
        let deep = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let started = std::time::Instant::now();
        let error = parse::<serde_json::Value>(&deep).unwrap_err();
        assert!(started.elapsed().as_secs() < 5);
        assert_eq!((error.line, error.column), (1, 4 + MAX_DEPTH - 1));
        assert!(
            error.message.contains("nests more than 64"),
            "{}",
            error.message
        );
        let mappings = format!("a: {}", "{b: ".repeat(200));
        assert_eq!(too_deep(&mappings).map(|at| at.0), Some(1));
        let mut blocks = String::new();
        for depth in 0..80 {
            blocks.push_str(&format!("{}k{depth}:\n", " ".repeat(depth)));
        }
        assert_eq!(too_deep(&blocks), Some((65, 65)));
        let dashes = format!("a:\n  {}x\n", "- ".repeat(100));
        assert_eq!(too_deep(&dashes).map(|at| at.0), Some(2));
        // Brackets in text are not nesting: quoted, commented, in plain text or in a block scalar.
        let text = format!(
            "title: \"{open}\"\nnote: '{open}'\n# {open}\nplain: a {open}\nbody: |\n  {open}\n  {open}\n\n  x\nnext: [a, {{b: [c]}}]\n",
            open = "[{".repeat(100)
        );
        assert_eq!(too_deep(&text), None);
        let parsed: BTreeMap<String, serde_json::Value> = parse(&text).unwrap();
        assert_eq!(parsed.len(), 5);
        let nested = format!("a: {}1{}\n", "[".repeat(60), "]".repeat(60));
        assert!(parse::<serde_json::Value>(&nested).is_ok());
    }

    #[test]
    fn empty_input_is_an_empty_mapping() {
        let parsed: BTreeMap<String, String> = parse("  \n").unwrap();
        assert!(parsed.is_empty());
    }

    #[test]
    fn alias_bombs_are_refused_not_expanded() {
        let bomb = "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
        let error = parse::<serde_json::Value>(bomb).unwrap_err();
        assert!(error.message.contains("aliases"), "{}", error.message);
        assert!(error.hint.is_some());
    }

    #[test]
    fn serde_type_words_become_plain_words() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code, reason = "only the errors matter")]
        struct Typed {
            weight: Option<i64>,
            draft: Option<bool>,
            title: Option<String>,
        }
        let message = |text: &str| parse::<Typed>(text).unwrap_err().message;
        assert_eq!(
            message("weight: heavy"),
            "weight: expected a whole number, found the text \"heavy\""
        );
        assert_eq!(
            message("draft: maybe"),
            "draft: expected true or false, found the text \"maybe\""
        );
        assert_eq!(message("title: [a]"), "title: expected text, found a list");
        assert_eq!(
            message("- a\n- b"),
            "expected `key: value` lines, found a list"
        );
        assert_eq!(
            parse::<Typed>("title: x\n\tdraft: true").unwrap_err().hint,
            Some("indent with spaces: YAML does not allow tabs")
        );
        assert!(
            parse::<Typed>("title: Deploys: how")
                .unwrap_err()
                .hint
                .is_some_and(|hint| hint.contains("quote"))
        );
    }
}
