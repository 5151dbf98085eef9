//! Content diagnostics: what went wrong in which file, where, and what to do about it.
//!
//! Every stage collects `Diagnostic`s instead of failing fast, so one bad file never hides the
//! next twenty. This module also maps byte offsets to `line:column` and formats the report.

use std::fmt::Write as _;

use serde::Serialize;

/// How bad a finding is. Errors fail `build` and `check`; warnings fail only with
/// `--deny-warnings`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The build cannot publish this content.
    Error,
    /// Publishable, but probably not what the author meant.
    Warning,
}

impl Severity {
    /// The lower-case word printed before the code.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One finding about the content, positioned in its source file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Source-relative path with `/` separators (`docs/setup.md`), or `handbook.yml`.
    pub path: String,
    /// 1-based line in the file; 0 when the finding is about the whole file.
    pub line: usize,
    /// 1-based column in characters; 0 when unknown.
    pub column: usize,
    /// Error or warning.
    pub severity: Severity,
    /// Stable kebab-case identifier, such as `broken-link`.
    pub code: &'static str,
    /// What is wrong, lower case, no trailing period.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `path:line:column`.
    pub fn error(
        path: &str,
        line: usize,
        column: usize,
        code: &'static str,
        message: String,
    ) -> Self {
        Diagnostic {
            path: path.to_string(),
            line,
            column,
            severity: Severity::Error,
            code,
            message,
            help: None,
        }
    }

    /// A warning at `path:line:column`.
    pub fn warning(
        path: &str,
        line: usize,
        column: usize,
        code: &'static str,
        message: String,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, line, column, code, message)
        }
    }

    /// Adds the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `path:line:col` as printed, leaving out unknown parts.
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (0, _) => self.path.clone(),
            (line, 0) => format!("{}:{line}", self.path),
            (line, column) => format!("{}:{line}:{column}", self.path),
        }
    }
}

/// Sorts diagnostics by file, position, then code, so reports are stable across runs.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.code, &a.message)
            .cmp(&(&b.path, b.line, b.column, b.code, &b.message))
    });
}

/// Counts of errors and warnings.
pub fn count(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    (errors, diagnostics.len() - errors)
}

/// `1 page`, `2 pages`, `0 errors`: counts in summary lines.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// `12 pages, 1 error, 0 warnings`: the middle of every summary line.
pub fn tally(pages: usize, diagnostics: &[Diagnostic]) -> String {
    let (errors, warnings) = count(diagnostics);
    format!(
        "{}, {}, {}",
        plural(pages, "page"),
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// Formats diagnostics for a terminal:
/// `docs/setup.md:12:5: error[broken-link]: no page at 'deploy.md'` and an indented help line.
pub fn format_human(diagnostics: &[Diagnostic], color: bool) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let (start, end) = match (color, diagnostic.severity) {
            (false, _) => ("", ""),
            (true, Severity::Error) => ("\x1b[1;31m", "\x1b[0m"),
            (true, Severity::Warning) => ("\x1b[1;33m", "\x1b[0m"),
        };
        let location = shown(&diagnostic.location()).into_owned();
        let _ = writeln!(
            out,
            "{location}{}{start}{}[{}]{end}: {}",
            if location.is_empty() { "" } else { ": " },
            diagnostic.severity.as_str(),
            diagnostic.code,
            shown_lines(&diagnostic.message)
        );
        if let Some(help) = &diagnostic.help {
            let (start, end) = if color {
                ("\x1b[36m", "\x1b[0m")
            } else {
                ("", "")
            };
            let _ = writeln!(out, "  {start}help{end}: {}", shown_lines(help));
        }
    }
    out
}

/// Human output for large reports: at most `per_code` findings of each code, then, when any
/// were left out, a table of counts per code. JSON and GitHub output stay complete.
pub fn format_human_capped(diagnostics: &[Diagnostic], color: bool, per_code: usize) -> String {
    let mut seen: std::collections::BTreeMap<(&str, Severity), usize> = Default::default();
    let mut shown = Vec::new();
    for diagnostic in diagnostics {
        let count = seen
            .entry((diagnostic.code, diagnostic.severity))
            .or_default();
        *count += 1;
        if *count <= per_code {
            shown.push(diagnostic.clone());
        }
    }
    let mut out = format_human(&shown, color);
    if shown.len() < diagnostics.len() {
        let _ = writeln!(
            out,
            "{} of {} findings shown (the first {per_code} of each code; `--format json` lists all):",
            shown.len(),
            diagnostics.len()
        );
        for ((code, severity), count) in &seen {
            let _ = writeln!(out, "  {count:>7} {:<7} {code}", severity.as_str());
        }
    }
    out
}

/// Formats diagnostics as GitHub Actions workflow commands, one line each:
/// `::error file=docs/a.md,line=3,col=5,title=broken-link::message%0Ahelp`. `prefix` is the
/// handbook folder relative to the repository (`docs-site/`, or empty), since annotations name
/// files from the repository root.
pub fn format_github(diagnostics: &[Diagnostic], prefix: &str) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let mut properties = format!(
            "file={}",
            escape_property(&format!("{prefix}{}", shown(&diagnostic.path)))
        );
        if diagnostic.line > 0 {
            let _ = write!(properties, ",line={}", diagnostic.line);
            if diagnostic.column > 0 {
                let _ = write!(properties, ",col={}", diagnostic.column);
            }
        }
        let _ = write!(properties, ",title={}", escape_property(diagnostic.code));
        let mut message = shown_keeping_lines(&diagnostic.message);
        if let Some(help) = &diagnostic.help {
            message.push_str("\nhelp: ");
            message.push_str(&shown_keeping_lines(help));
        }
        let _ = writeln!(
            out,
            "::{} {properties}::{}",
            diagnostic.severity.as_str(),
            escape_data(&message)
        );
    }
    out
}

/// `text` made safe to print on a terminal or into a CI log, on one line: control characters
/// (newlines, escape sequences that retitle or clear a terminal) and invisible direction and
/// width controls are written as escapes (`\n`, `\u{1b}`, `\u{202e}`). File names, titles and
/// YAML values come from pull requests: a raw newline there could start a line that CI reads as
/// a command (`::error::`).
pub fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    let start = text.trim_start();
    // A value printed at the start of a line must not read as a CI command either.
    let command = start.starts_with("::") || start.starts_with("##");
    if !command && !text.chars().any(is_hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    if command {
        out.push('\\');
    }
    for c in text.chars() {
        if is_hidden(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A character that must not reach a terminal raw.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}'
        )
}

/// [`shown`] for text of several lines (a template error's code frame): each line is shown on
/// its own, and every line after the first starts with `  | `, so no line of the output begins
/// with text handbook did not write.
fn shown_lines(text: &str) -> String {
    let mut lines = text
        .split('\n')
        .map(|line| shown(line.trim_end_matches('\r')));
    let mut out = lines.next().unwrap_or_default().into_owned();
    for line in lines {
        out.push_str("\n  | ");
        out.push_str(&line);
    }
    out
}

/// A message of several lines written by handbook (an error and its help) with values in it:
/// each line goes through [`shown`], and a line that would read as a CI command (`::error::`,
/// Azure's `##vso[`) once leading spaces are trimmed is prefixed with `| `.
pub fn shown_message(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            let line = shown(line.trim_end_matches('\r'));
            let start = line.trim_start();
            if start.starts_with("::") || start.starts_with("##") {
                format!("| {line}")
            } else {
                line.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// [`shown`] line by line, keeping the newlines (a workflow command escapes them).
fn shown_keeping_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| shown(line.trim_end_matches('\r')))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Escapes a workflow command's message, as the Actions runner unescapes it.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The JSON report of `--format json`: a stable, versioned document (see the README).
pub fn to_json(diagnostics: &[Diagnostic], pages: usize) -> serde_json::Value {
    let (errors, warnings) = count(diagnostics);
    serde_json::json!({
        "version": 1,
        "pages": pages,
        "errors": errors,
        "warnings": warnings,
        "findings": diagnostics,
    })
}

/// Maps byte offsets in one text to 1-based line and column numbers.
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `text`.
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, line_starts }
    }

    /// 1-based `(line, column)` of a byte offset; the column counts characters.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(1, |prefix| prefix.chars().count() + 1);
        (line + 1, column)
    }
}

/// The closest candidate to `word` by edit distance (a swap of neighbours counts as one edit),
/// for "did you mean" hints. Up to a third of the word may differ, at least one letter.
pub fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let length = word.chars().count();
    let limit = (length / 3).max(1);
    candidates
        .into_iter()
        // Lengths further apart than the limit cannot be within it: skip the table.
        .filter(|candidate| candidate.len().abs_diff(word.len()) <= limit * 4)
        .filter(|candidate| candidate.chars().count().abs_diff(length) <= limit)
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbouring letters (`bne` → `ben`) each cost one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: the one before last (for swaps), the last, and the current.
    let mut before: Vec<usize> = Vec::new();
    let mut last: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (last[j - 1] + cost).min(last[j] + 1).min(row[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(before[j - 2] + 1);
            }
        }
        before = std::mem::replace(&mut last, row);
    }
    last[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_maps_offsets_to_lines_and_character_columns() {
        let index = LineIndex::new("ab\nçd\n\nx");
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(3), (2, 1));
        assert_eq!(index.position(5), (2, 2), "ç is two bytes but one column");
        assert_eq!(index.position(7), (3, 1));
        assert_eq!(index.position(8), (4, 1));
        assert_eq!(index.position(999), (4, 2));
    }

    #[test]
    fn human_format_prints_location_code_and_help() {
        let diagnostic = Diagnostic::error(
            "docs/a.md",
            12,
            5,
            "broken-link",
            "no page at 'b.md'".into(),
        )
        .with_help("links are relative to the linking file");
        assert_eq!(
            format_human(&[diagnostic], false),
            "docs/a.md:12:5: error[broken-link]: no page at 'b.md'\n  help: links are relative to the linking file\n"
        );
    }

    #[test]
    fn github_annotations_escape_and_omit_unknown_positions() {
        let diagnostics = [
            Diagnostic::warning("a,b.md", 3, 5, "broken-link", "100% gone: x".into())
                .with_help("fix\nit"),
            Diagnostic::error("c.md", 0, 0, "orphan-page", "lonely".into()),
        ];
        assert_eq!(
            format_github(&diagnostics, "site/"),
            "::warning file=site/a%2Cb.md,line=3,col=5,title=broken-link::100%25 gone: x%0Ahelp: fix%0Ait\n\
             ::error file=site/c.md,title=orphan-page::lonely\n"
        );
    }

    #[test]
    fn printed_values_cannot_start_ci_commands_or_drive_the_terminal() {
        let hostile = Diagnostic::error(
            "docs/\x1b]0;owned\x07a.md",
            2,
            1,
            "front-matter",
            "`owner`: x\n::error::injected\x1b[2J".into(),
        )
        .with_help("a\r\n::warning::also\u{202e}");
        let human = format_human(std::slice::from_ref(&hostile), false);
        for line in human.lines() {
            assert!(!line.trim_start().starts_with("::"), "{human}");
            assert!(
                !line.contains('\x1b') && !line.contains('\u{202e}'),
                "{human}"
            );
        }
        assert!(human.contains("\\u{1b}]0;owned\\u{7}a.md:2:1"), "{human}");
        assert!(
            human.contains("\n  | \\::error::injected\\u{1b}[2J"),
            "{human}"
        );
        let github = format_github(&[hostile], "");
        assert_eq!(github.lines().count(), 1, "{github}");
        assert!(!github.contains('\x1b'), "{github}");
        assert_eq!(shown("plain – text"), "plain – text");
        assert_eq!(shown("a\tb\nc"), "a\\tb\\nc");
    }

    #[test]
    fn closest_suggests_near_misses_only() {
        assert_eq!(closest("titel", ["title", "theme"]), Some("title"));
        assert_eq!(closest("zzzzzz", ["title", "theme"]), None);
        assert_eq!(
            closest("bne", ["ana", "ben"]),
            Some("ben"),
            "a swap is one edit"
        );
        assert_eq!(
            closest("zed", ["ana", "ben"]),
            None,
            "short words: one edit at most"
        );
    }
}
