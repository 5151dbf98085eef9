//! What the site knows of a page beyond its own file, set when the site is assembled: who owns
//! it (`owners` works it out) and when it is due for review (`review` works it out). Plain
//! data below `page`, so a page can hold them without importing the modules that compute them.

use crate::dates::{Date, Interval};

/// Where a page's owners come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum OwnerSource {
    /// Nobody owns the page.
    #[default]
    None,
    /// Front-matter `owner`.
    FrontMatter,
    /// A CODEOWNERS rule, with its 1-based line.
    CodeOwners(usize),
    /// Inherited from a folder's landing page, by its source path.
    Folder(String),
}

impl OwnerSource {
    /// `front-matter`, `codeowners`, `folder` or `none`, for templates and JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            OwnerSource::None => "none",
            OwnerSource::FrontMatter => "front-matter",
            OwnerSource::CodeOwners(_) => "codeowners",
            OwnerSource::Folder(_) => "folder",
        }
    }
}

/// A page's owners: person or team ids, or CODEOWNERS handles as written when no person or
/// team page has that id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owners {
    /// Owner ids, in the order written.
    pub ids: Vec<String>,
    /// Where they come from.
    pub source: OwnerSource,
}

/// Where a page's due date comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Front-matter `review_by`.
    ReviewBy,
    /// An interval (the page's `review_every` or its folder's default) after the last update.
    Every(Interval),
}

/// How a page stands against its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    /// The due date has passed.
    Overdue,
    /// Due within `review.soon_days`.
    DueSoon,
    /// Not due yet.
    Current,
}

impl State {
    /// `overdue`, `due-soon` or `current`, for templates and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Overdue => "overdue",
            State::DueSoon => "due-soon",
            State::Current => "current",
        }
    }
}

/// A page's review schedule on the day of the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// When the page is (or was) due.
    pub due: Date,
    /// Where `due` comes from.
    pub basis: Basis,
    /// Against the build's date.
    pub state: State,
    /// Days from the build's date to `due`: negative when overdue.
    pub days_left: i32,
}

impl Review {
    /// The interval the due date counts from the last update with; `None` for `review_by`.
    pub fn every(&self) -> Option<Interval> {
        match self.basis {
            Basis::ReviewBy => None,
            Basis::Every(every) => Some(every),
        }
    }
}
