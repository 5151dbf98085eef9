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
