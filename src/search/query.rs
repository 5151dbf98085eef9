//! The query syntax, parsed the same way by `handbook search` and the browser client
//! (`themes/default/static/search.js`, `parseQuery`): keep the two in step.

/// One part of a query that must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A word as typed; analyzed (lower-cased, stemmed) before matching. A word that analyzes
    /// to several tokens (`on-call`) matches as a phrase.
    Word(String),
    /// `deplo*`: lower-cased prefix, at least `MIN_PREFIX` characters.
    Prefix(String),
    /// `"on call"`: the words as typed, to match next to each other in order.
    Phrase(String),
}

/// `kind:`, `status:` or `team:` with the accepted values (any of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// `kind`, `status` or `team`.
    pub key: &'static str,
    /// Lower-cased values; a section passes when its value is one of them.
    pub values: Vec<String>,
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Everything that must match.
    pub terms: Vec<Term>,
    /// Facet filters, at most one per key.
    pub filters: Vec<Filter>,
}

/// Keys that filter instead of matching text.
pub const FILTER_KEYS: [&str; 3] = ["kind", "status", "team"];

impl Query {
    /// Parses query text: words, `"phrases"`, `prefix*` and `key:value` filters.
    pub fn parse(text: &str) -> Query {
        let mut query = Query::default();
        let mut rest = text.trim_start();
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('"') {
                let end = after.find('"').unwrap_or(after.len());
                let phrase = after[..end].trim();
                if !phrase.is_empty() {
                    query.terms.push(Term::Phrase(phrase.to_string()));
                }
                rest = after.get(end + 1..).unwrap_or("").trim_start();
                continue;
            }
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '"')
                .unwrap_or(rest.len());
            let token = &rest[..end];
            rest = rest[end..].trim_start();
            query.push_token(token);
        }
        query
    }

    /// True when nothing would match or filter.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.filters.is_empty()
    }

    /// Adds a filter value, merging with an earlier filter on the same key.
    pub fn add_filter(&mut self, key: &'static str, value: &str) {
        let value = value.trim().to_lowercase();
        if value.is_empty() {
            return;
        }
        match self.filters.iter_mut().find(|filter| filter.key == key) {
            Some(filter) if !filter.values.contains(&value) => filter.values.push(value),
            Some(_) => {}
            None => self.filters.push(Filter {
                key,
                values: vec![value],
            }),
        }
    }

    fn push_token(&mut self, token: &str) {
        if let Some((key, value)) = token.split_once(':')
            && let Some(key) = FILTER_KEYS.iter().find(|k| k.eq_ignore_ascii_case(key))
        {
            self.add_filter(key, value);
            return;
        }
        if let Some(prefix) = token.strip_suffix('*') {
            let prefix = prefix.to_lowercase();
            let plain = prefix.chars().all(char::is_alphanumeric);
            if plain && prefix.chars().count() >= super::MIN_PREFIX {
                self.terms.push(Term::Prefix(prefix));
                return;
            }
            if !prefix.is_empty() {
                self.terms.push(Term::Word(prefix));
            }
            return;
        }
        self.terms.push(Term::Word(token.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_words_phrases_prefixes_and_filters() {
        let query = Query::parse(
            r#"  Deploy "on call" roll* kind:decision Status:Accepted team:web team:ops"#,
        );
        assert_eq!(
            query.terms,
            vec![
                Term::Word("Deploy".into()),
                Term::Phrase("on call".into()),
                Term::Prefix("roll".into()),
            ]
        );
        assert_eq!(
            query.filters,
            vec![
                Filter {
                    key: "kind",
                    values: vec!["decision".into()]
                },
                Filter {
                    key: "status",
                    values: vec!["accepted".into()]
                },
                Filter {
                    key: "team",
                    values: vec!["web".into(), "ops".into()]
                },
            ]
        );
    }

    #[test]
    fn short_prefixes_are_words_and_unclosed_quotes_run_to_the_end() {
        let query = Query::parse(r#"de* "on call"#);
        assert_eq!(
            query.terms,
            vec![Term::Word("de".into()), Term::Phrase("on call".into())]
        );
        assert!(Query::parse("  ").is_empty());
        assert_eq!(
            Query::parse("url:x").terms,
            vec![Term::Word("url:x".into())],
            "unknown keys are text"
        );
    }
}
