//! What a page is ([`PageKind`], from its folder) and the data only that kind has ([`Kind`]): a
//! record's front-matter fields, an update's author, a person's or team's profile. Below
//! `page`, so the modules that work on one kind (`decision`, `people`, `updates`) and the
//! page itself share these types without importing each other.

use crate::dates::Date;
use crate::model::profile::Profile;

/// What a page is, from the folder it lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PageKind {
    /// A plain documentation page.
    Page,
    /// A decision record.
    Decision,
    /// A dated async update.
    Update,
    /// A person's page.
    Person,
    /// A team's page.
    Team,
}

impl PageKind {
    /// Lower-case name used in templates, search and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            PageKind::Page => "page",
            PageKind::Decision => "decision",
            PageKind::Update => "update",
            PageKind::Person => "person",
            PageKind::Team => "team",
        }
    }
}

/// What a page is, with the data only that kind has: a record's fields, an update's author,
/// a person's or team's profile. The folder decides the kind ([`PageKind`]); the front matter
/// fills it in.
#[derive(Debug, Clone)]
pub enum Kind {
    /// A plain documentation page.
    Page,
    /// A decision record, with its front-matter fields.
    Decision(Box<RecordFields>),
    /// A dated async update.
    Update {
        /// The author's person id (`author`).
        author: Option<String>,
    },
    /// A person's page.
    Person(Box<Profile>),
    /// A team's page.
    Team(Box<Profile>),
}

impl Kind {
    /// Which kind this is, without its data.
    pub fn tag(&self) -> PageKind {
        match self {
            Kind::Page => PageKind::Page,
            Kind::Decision(_) => PageKind::Decision,
            Kind::Update { .. } => PageKind::Update,
            Kind::Person(_) => PageKind::Person,
            Kind::Team(_) => PageKind::Team,
        }
    }

    /// A record's front-matter fields.
    pub fn record(&self) -> Option<&RecordFields> {
        match self {
            Kind::Decision(record) => Some(record),
            _ => None,
        }
    }

    /// A person's or team's profile.
    pub fn profile(&self) -> Option<&Profile> {
        match self {
            Kind::Person(profile) | Kind::Team(profile) => Some(profile),
            _ => None,
        }
    }

    /// An update's author.
    pub fn author(&self) -> Option<&str> {
        match self {
            Kind::Update { author } => author.as_deref(),
            _ => None,
        }
    }
}

/// Front-matter keys of decision records (MADR 4 style, with MADR 3's `decision-makers`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RecordFields {
    /// Lifecycle status as written (`accepted`, `Superseded by …`).
    pub status: Option<String>,
    /// Overrides the number from the file name.
    pub number: Option<u32>,
    /// Person ids who decide (`deciders`, or MADR 3's `decision-makers`).
    pub deciders: Vec<String>,
    /// Person or team ids consulted.
    pub consulted: Vec<String>,
    /// Person or team ids informed.
    pub informed: Vec<String>,
    /// Numbers of records this one replaces.
    pub supersedes: Vec<u32>,
    /// Numbers of records this one changes in part.
    pub amends: Vec<u32>,
    /// When a proposed record should be decided.
    pub decide_by: Option<Date>,
}

impl RecordFields {
    /// These front-matter fields completed by what the record's body says (`body`, read by
    /// `decision::parse_body_header` from formats that keep their metadata there): a value the
    /// front matter gives wins, and the relations (`supersedes`, `amends`) are both lists
    /// together. The number comes from the front matter or the file name, never the body.
    pub fn completed_by(&self, body: &RecordFields) -> RecordFields {
        let either = |mine: &Vec<String>, theirs: &Vec<String>| {
            if mine.is_empty() { theirs } else { mine }.clone()
        };
        let both = |mine: &Vec<u32>, theirs: &Vec<u32>| [&mine[..], &theirs[..]].concat();
        RecordFields {
            status: self.status.clone().or_else(|| body.status.clone()),
            number: self.number,
            deciders: either(&self.deciders, &body.deciders),
            consulted: either(&self.consulted, &body.consulted),
            informed: either(&self.informed, &body.informed),
            supersedes: both(&self.supersedes, &body.supersedes),
            amends: both(&self.amends, &body.amends),
            decide_by: self.decide_by.or(body.decide_by),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RecordFields;

    #[test]
    fn front_matter_wins_and_relations_from_the_body_are_added() {
        let front = RecordFields {
            status: Some("accepted".into()),
            supersedes: vec![3],
            ..RecordFields::default()
        };
        let body = RecordFields {
            status: Some("proposed".into()),
            number: Some(9),
            deciders: vec!["Ana".into()],
            supersedes: vec![5],
            amends: vec![2],
            ..RecordFields::default()
        };
        let merged = front.completed_by(&body);
        assert_eq!(merged.status.as_deref(), Some("accepted"));
        assert_eq!(merged.number, None, "the number never comes from the body");
        assert_eq!(merged.deciders, ["Ana"]);
        assert_eq!(merged.supersedes, [3, 5]);
        assert_eq!(merged.amends, [2]);
        let named = RecordFields {
            deciders: vec!["ben".into()],
            ..RecordFields::default()
        };
        assert_eq!(named.completed_by(&body).deciders, ["ben"]);
    }
}
