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
    /// serde_yaml's message without its trailing position.
    pub message: String,
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
        });
    }
    let text = if text.trim().is_empty() { "{}" } else { text };
    serde_yaml::from_str(text).map_err(|error| {
        let (line, column) = error
            .location()
            .map_or((0, 0), |location| (location.line(), location.column()));
        YamlError {
            line,
            column,
            message: strip_position(&error.to_string()),
        }
    })
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

/// serde_yaml appends " at line L column C" to messages; we print positions ourselves, against
/// the whole file rather than the fragment.
fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
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
    fn empty_input_is_an_empty_mapping() {
        let parsed: BTreeMap<String, String> = parse("  \n").unwrap();
        assert!(parsed.is_empty());
    }

    #[test]
    fn alias_bombs_are_refused_not_expanded() {
        let bomb = "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
        assert!(parse::<serde_json::Value>(bomb).is_err());
    }
}
