//! The front-matter keys, declared once: which page kinds read each, and the example an error
//! shows for it. Parsing (`page::FrontMatter`, whose fields a test compares with this table),
//! `check --strict`'s unknown-key findings, error help and the export's kind-specific fields
//! all read it.

use crate::model::kind::PageKind;

/// One front-matter key.
pub struct Key {
    /// As written in front matter (`decision-makers`, `review_by`).
    pub name: &'static str,
    /// True when every page understands it.
    pub every: bool,
    /// Kinds whose own data it is: the export lists it with their fields (a `team` is every
    /// page's owner, and also a record's, an update's and a person's own team).
    pub kinds: &'static [PageKind],
    /// How to write it, shown when a value does not parse.
    pub example: &'static str,
}

const fn every(name: &'static str, example: &'static str) -> Key {
    Key {
        name,
        every: true,
        kinds: &[],
        example,
    }
}

const fn of(name: &'static str, kinds: &'static [PageKind], example: &'static str) -> Key {
    Key {
        name,
        every: false,
        kinds,
        example,
    }
}

use PageKind::{Decision, Person, Team, Update};

/// Every key, in the order help lists them.
pub const KEYS: &[Key] = &[
    every("title", "title: On-call handbook"),
    every("description", "description: How we run on-call"),
    every("date", "date: 2026-03-14"),
    every("updated", "date: 2026-03-14"),
    every("updated_by", "updated_by: ana"),
    every("tags", "tags: [onboarding, remote]"),
    every("weight", "weight: 10"),
    every("draft", "draft: true"),
    every("aliases", "aliases: [/old/path/]"),
    every("slug", "slug: on-call"),
    every("owner", "owner: platform"),
    Key {
        name: "team",
        every: true,
        kinds: &[Decision, Update, Person],
        example: "owner: platform",
    },
    every("review_by", "date: 2026-03-14"),
    every("review_every", "review_every: 6m"),
    every("extra", "extra: {icon: rocket}"),
    of("status", &[Decision], "status: accepted"),
    of("number", &[Decision], "number: 12"),
    of("deciders", &[Decision], "deciders: [ana, ben]"),
    of("decision-makers", &[Decision], "deciders: [ana, ben]"),
    of("consulted", &[Decision], "deciders: [ana, ben]"),
    of("informed", &[Decision], "deciders: [ana, ben]"),
    of("supersedes", &[Decision], "supersedes: [3]"),
    of("amends", &[Decision], "supersedes: [3]"),
    of("decide_by", &[Decision], "date: 2026-03-14"),
    of("author", &[Update], "author: ana"),
    of(
        "summary",
        &[Update],
        "summary: Shipped the new deploy pipeline",
    ),
    of("name", &[Person, Team], "name: Ana Lima"),
    of("role", &[Person], "role: Staff engineer"),
    of("timezone", &[Person], "timezone: Europe/Berlin"),
    of("working_hours", &[Person], "working_hours: \"09:00-17:00\""),
    of("channels", &[Person, Team], "channels: [\"#platform\"]"),
    of("response_time", &[Person], "response_time: within a day"),
    of("avatar", &[Person], "avatar: ana.jpg"),
    of("pronouns", &[Person], "pronouns: she/her"),
    of("location", &[Person], "location: Lisbon"),
    of("members", &[Team], "deciders: [ana, ben]"),
    of("lead", &[Team], "author: ana"),
    of("ask_about", &[Team], "ask_about: [deploys, CI]"),
    of(
        "escalation_policy",
        &[Team],
        "escalation_policy: page the on-call engineer",
    ),
];

/// The keys that are `kind`'s own data (not every page's).
pub fn own(kind: PageKind) -> impl Iterator<Item = &'static str> {
    KEYS.iter()
        .filter(move |key| key.kinds.contains(&kind))
        .map(|key| key.name)
}

/// The keys a page of `kind` understands.
pub fn known(kind: PageKind) -> impl Iterator<Item = &'static str> {
    KEYS.iter()
        .filter(move |key| key.every || key.kinds.contains(&kind))
        .map(|key| key.name)
}

/// How to write `name`, for error help.
pub fn example(name: &str) -> Option<&'static str> {
    KEYS.iter()
        .find(|key| key.name == name)
        .map(|key| key.example)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A serde `Deserializer` that only records the fields a struct asks for.
    struct Fields(Vec<&'static str>);

    impl<'de> serde::Deserializer<'de> for &mut Fields {
        type Error = serde::de::value::Error;
        fn deserialize_any<V: serde::de::Visitor<'de>>(
            self,
            _: V,
        ) -> Result<V::Value, Self::Error> {
            Err(serde::de::Error::custom("fields only"))
        }
        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0.extend_from_slice(fields);
            Err(serde::de::Error::custom("fields only"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }

    #[test]
    fn front_matter_parses_exactly_the_declared_keys() {
        let mut fields = Fields(Vec::new());
        let _ = <crate::model::page::FrontMatter as serde::Deserialize>::deserialize(&mut fields);
        // Serde lists fields and their aliases (`decision-makers`, MADR's `deciders`).
        let mut parsed: Vec<&str> = fields.0;
        parsed.sort_unstable();
        let mut declared: Vec<&str> = KEYS.iter().map(|key| key.name).collect();
        declared.sort_unstable();
        assert_eq!(parsed, declared);
    }

    #[test]
    fn kinds_know_their_own_keys_and_every_page_key() {
        let decision: Vec<&str> = known(PageKind::Decision).collect();
        assert!(decision.contains(&"title") && decision.contains(&"decide_by"));
        assert!(!decision.contains(&"timezone"));
        assert_eq!(
            own(PageKind::Update).collect::<Vec<_>>(),
            ["team", "author", "summary"]
        );
        assert_eq!(example("review_every"), Some("review_every: 6m"));
    }
}
