//! Pages: typed front matter, URLs, and the one pulldown-cmark pass per page that finds
//! headings (with stable, unique, GitHub-compatible anchors), links and plain text.

use pulldown_cmark::{Event, HeadingLevel, LinkType, Options, Tag, TagEnd};
use serde::{Deserialize, Deserializer};

use crate::config::MarkdownConfig;
use crate::dates::Interval;
use crate::diagnostics::{Diagnostic, LineIndex};
use crate::load::Source;
use crate::model::facts::{Owners, Review};
pub use crate::model::kind::{Kind, PageKind, RecordFields};
use crate::model::profile::{Hours, Profile, Zone};
use crate::yaml;

/// Index of a page in `Site::pages`; valid only within one `Site`.
pub type PageId = usize;

pub use crate::dates::{Date, parse_date};

/// The front-matter keys every page understands (Hugo/Jekyll compatible). Unknown keys are
/// kept out of the struct so type errors keep their YAML position.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FrontMatter {
    /// Page title; falls back to the first `# heading`, then the file name.
    pub title: Option<String>,
    /// One-sentence description.
    pub description: Option<String>,
    /// Publication date.
    #[serde(deserialize_with = "optional_scalar")]
    pub date: Option<String>,
    /// Last meaningful update.
    #[serde(deserialize_with = "optional_scalar")]
    pub updated: Option<String>,
    /// Who made the `updated` change (a person id or a name), when git is not the record.
    #[serde(deserialize_with = "optional_scalar")]
    pub updated_by: Option<String>,
    /// Tags, as a list or a single word.
    #[serde(deserialize_with = "one_or_many")]
    pub tags: Vec<String>,
    /// Order within the folder: lower first.
    pub weight: Option<i64>,
    /// Drafts are built only with `--drafts`.
    pub draft: bool,
    /// Old URL paths that redirect here.
    #[serde(deserialize_with = "one_or_many")]
    pub aliases: Vec<String>,
    /// Replaces the last URL segment.
    pub slug: Option<String>,
    /// Person or team id responsible for the page.
    pub owner: Option<String>,
    /// When the page is due for review.
    #[serde(deserialize_with = "optional_scalar")]
    pub review_by: Option<String>,
    /// How often the page is reviewed (`90d`, `6m`, `1y`), kept as written.
    #[serde(deserialize_with = "optional_scalar")]
    pub review_every: Option<String>,
    /// Free-form values for templates (`page.extra`).
    pub extra: Option<serde_json::Map<String, serde_json::Value>>,
    /// Decision-record keys, inline rather than `#[serde(flatten)]`: flattening buffers the
    /// values and loses the YAML positions of their errors.
    pub status: Option<String>,
    /// See [`RecordFields::number`].
    pub number: Option<u32>,
    /// See [`RecordFields::deciders`].
    #[serde(alias = "decision-makers", deserialize_with = "one_or_many")]
    pub deciders: Vec<String>,
    /// See [`RecordFields::consulted`].
    #[serde(deserialize_with = "one_or_many")]
    pub consulted: Vec<String>,
    /// See [`RecordFields::informed`].
    #[serde(deserialize_with = "one_or_many")]
    pub informed: Vec<String>,
    /// See [`RecordFields::team`].
    pub team: Option<String>,
    /// See [`RecordFields::supersedes`].
    #[serde(deserialize_with = "one_or_many")]
    pub supersedes: Vec<String>,
    /// See [`RecordFields::amends`].
    #[serde(deserialize_with = "one_or_many")]
    pub amends: Vec<String>,
    /// See [`RecordFields::decide_by`].
    #[serde(deserialize_with = "optional_scalar")]
    pub decide_by: Option<String>,
    /// An update's author (person id).
    pub author: Option<String>,
    /// An update's summary for listings and feeds.
    pub summary: Option<String>,
    /// Person and team keys (see [`Profile`]), inline for the same reason as records'.
    #[serde(deserialize_with = "optional_scalar")]
    pub name: Option<String>,
    /// See [`Profile::role`].
    #[serde(deserialize_with = "optional_scalar")]
    pub role: Option<String>,
    /// See [`Profile::timezone`].
    #[serde(deserialize_with = "optional_scalar")]
    pub timezone: Option<String>,
    /// See [`Profile::hours`].
    #[serde(deserialize_with = "optional_scalar")]
    pub working_hours: Option<String>,
    /// See [`Profile::channels`].
    #[serde(deserialize_with = "one_or_many")]
    pub channels: Vec<String>,
    /// See [`Profile::response_time`].
    #[serde(deserialize_with = "optional_scalar")]
    pub response_time: Option<String>,
    /// See [`Profile::avatar`].
    #[serde(deserialize_with = "optional_scalar")]
    pub avatar: Option<String>,
    /// See [`Profile::pronouns`].
    #[serde(deserialize_with = "optional_scalar")]
    pub pronouns: Option<String>,
    /// See [`Profile::location`].
    #[serde(deserialize_with = "optional_scalar")]
    pub location: Option<String>,
    /// See [`Profile::members`].
    #[serde(deserialize_with = "one_or_many")]
    pub members: Vec<String>,
    /// See [`Profile::lead`].
    #[serde(deserialize_with = "one_or_many")]
    pub lead: Vec<String>,
    /// See [`Profile::ask_about`].
    #[serde(deserialize_with = "one_or_many")]
    pub ask_about: Vec<String>,
    /// See [`Profile::escalation_policy`].
    #[serde(deserialize_with = "optional_scalar")]
    pub escalation_policy: Option<String>,
}

/// Takes the profile keys out of the front matter, checked and converted; an error names
/// the key and what is wrong.
fn take_profile(keys: &mut FrontMatter) -> Result<Profile, (&'static str, String)> {
    let text =
        |value: &mut Option<String>| std::mem::take(value).filter(|value| !value.trim().is_empty());
    let list = |values: &mut Vec<String>| -> Vec<String> {
        std::mem::take(values)
            .into_iter()
            .map(|value| value.trim().to_string())
            .filter(|value| !value.is_empty())
            .collect()
    };
    Ok(Profile {
        timezone: text(&mut keys.timezone)
            .map(|zone| Zone::parse(&zone))
            .transpose()
            .map_err(|message| ("timezone", message))?,
        hours: text(&mut keys.working_hours)
            .map(|hours| Hours::parse(&hours))
            .transpose()
            .map_err(|message| ("working_hours", message))?,
        name: text(&mut keys.name),
        role: text(&mut keys.role),
        channels: list(&mut keys.channels),
        response_time: text(&mut keys.response_time),
        avatar: text(&mut keys.avatar),
        pronouns: text(&mut keys.pronouns),
        location: text(&mut keys.location),
        members: list(&mut keys.members),
        lead: list(&mut keys.lead),
        ask_about: list(&mut keys.ask_about),
        escalation_policy: text(&mut keys.escalation_policy),
    })
}

/// `12. Use NATS` → (Some(12), "Use NATS").
pub fn split_numbered_title(title: &str) -> (Option<u32>, &str) {
    let digits: String = title.chars().take_while(char::is_ascii_digit).collect();
    match title[digits.len()..].strip_prefix(". ") {
        Some(rest) if !digits.is_empty() => (digits.parse().ok(), rest.trim()),
        _ => (None, title),
    }
}

/// `supersedes: 3`, `[3, 5]`, `["0003"]`, `[ADR-0003]`, `[#3]` or `[0003-use-x.md]` → numbers:
/// the first run of digits is the record number, as teams write it in many ways.
fn parse_numbers(values: Vec<String>) -> Result<Vec<u32>, String> {
    values
        .into_iter()
        .map(|text| {
            let digits: String = text
                .chars()
                .skip_while(|c| !c.is_ascii_digit())
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse::<u32>().map_err(|_| {
                format!("'{text}' is not a record number; write numbers like `[3, 12]`")
            })
        })
        .collect()
}

/// Dates and numbers are read as text and converted after parsing: serde_yaml drops the
/// position of errors raised inside a field's deserializer, and we want `file:line`.
fn optional_scalar<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Scalar>::deserialize(deserializer)?.map(|scalar| scalar.0))
}

fn parse_optional_date(text: Option<String>) -> Result<Option<Date>, String> {
    match text {
        None => Ok(None),
        Some(text) => parse_date(&text).map(Some).ok_or_else(|| {
            format!("'{text}' is not a date; write it as YYYY-MM-DD, like 2026-03-14")
        }),
    }
}

/// The file line of a top-level front-matter key.
fn find_key(keys: &[yaml::TopKey], name: &str) -> Option<usize> {
    keys.iter().find(|key| key.name == name).map(|key| key.line)
}

/// True for a top-level YAML line setting `key` (`status: accepted`, `status : x`).
pub(crate) fn is_key_line(line: &str, key: &str) -> bool {
    line.strip_prefix(key)
        .is_some_and(|rest| rest.trim_start().starts_with(':'))
}

/// Accepts `tags: word`, `tags: [a, b]` or nothing. A visitor (not an untagged enum) so
/// YAML syntax errors inside the value keep their message and position.
fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Vec<String>;

        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("a word or a list of words, like `[onboarding, remote]`")
        }

        fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Self::Value, E> {
            Ok(vec![value.to_string()])
        }

        fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Self::Value, E> {
            Ok(vec![value.to_string()])
        }

        fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Self::Value, E> {
            Ok(vec![value.to_string()])
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut values = Vec::new();
            while let Some(value) = seq.next_element::<Scalar>()? {
                values.push(value.0);
            }
            Ok(values)
        }
    }
    deserializer.deserialize_any(Visitor)
}

/// A list item: a word or a number, kept as text.
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Scalar;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("a single value (text, a number or a date)")
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Scalar, E> {
                Ok(Scalar(value.to_string()))
            }

            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Scalar, E> {
                Ok(Scalar(value.to_string()))
            }

            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Scalar, E> {
                Ok(Scalar(value.to_string()))
            }

            fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Scalar, E> {
                Ok(Scalar(value.to_string()))
            }

            fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<Scalar, E> {
                Ok(Scalar(value.to_string()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A heading on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Plain text of the heading.
    pub text: String,
    /// Unique anchor on this page (`#anchor`).
    pub anchor: String,
    /// 1-based line in the source file.
    pub line: usize,
    /// Byte offset in the page's plain `text` where the heading's text starts.
    pub text_start: usize,
    /// Byte offset in the page's plain `text` just after the heading's text: its section's
    /// body starts here and runs to the next heading's `text_start`.
    pub text_end: usize,
}

/// A link or image in a page's markdown, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The destination as written.
    pub destination: String,
    /// True for `![](…)`.
    pub is_image: bool,
    /// True for `[[wikilinks]]`, whose destination is a title, slug or path.
    pub is_wiki: bool,
    /// Index in `Page::headings` of the section the link is in; `None` before the first heading.
    pub section: Option<usize>,
    /// 1-based line and column in the source file.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// One page of the site, parsed but not rendered.
#[derive(Debug, Clone)]
pub struct Page {
    /// Source-relative path (`docs/setup.md`).
    pub path: String,
    /// Site-relative URL without the base path: `""` for home, `docs/setup/` otherwise.
    pub url: String,
    /// What the page is, with its kind's own data.
    pub kind: Kind,
    /// Title from front matter, first `# heading`, or file name.
    pub title: String,
    /// Front-matter description.
    pub description: Option<String>,
    /// Plain-text summary: description, else the first paragraph (shortened).
    pub summary: String,
    /// Tags as written.
    pub tags: Vec<String>,
    /// Order within the folder.
    pub weight: Option<i64>,
    /// Front-matter date.
    pub date: Option<Date>,
    /// Front-matter updated date.
    pub updated: Option<Date>,
    /// Front-matter `updated_by`: who made the `updated` change.
    pub updated_by: Option<String>,
    /// Built only with `--drafts`.
    pub is_draft: bool,
    /// Site-relative URLs that redirect here.
    pub aliases: Vec<String>,
    /// Person or team id.
    pub owner: Option<String>,
    /// `team`: a record's, an update's or a person's own team (any page may name one).
    pub team: Option<String>,
    /// Front-matter `review_by`.
    pub review_by: Option<Date>,
    /// Front-matter `review_every`.
    pub review_every: Option<Interval>,
    /// What git knows about the file (set when the site is assembled).
    pub git: Option<crate::git::FileHistory>,
    /// Who owns the page: front matter, CODEOWNERS or folder (set when the site is assembled).
    pub owners: Owners,
    /// When the page is due for review, if it has a schedule (set when the site is assembled).
    pub review: Option<Review>,
    /// Free-form front-matter `extra`.
    pub extra: serde_json::Value,
    /// Top-level front-matter keys as written, with their lines in the file (schema checks).
    pub keys: Vec<yaml::TopKey>,
    /// Where the front-matter YAML is in `source_text`.
    pub front_matter: Option<std::ops::Range<usize>>,
    /// Headings in order.
    pub headings: Vec<Heading>,
    /// Links and images in order (the renderer relies on the same order).
    pub links: Vec<Link>,
    /// Plain text of the body, for search and summaries. Shared, like `source_text`: the
    /// preview keeps each parsed page beside the assembled site, and copies share the text.
    pub text: std::sync::Arc<str>,
    /// True when the body opens with the `# heading` that became the title; the renderer then
    /// leaves it out so the title is not shown twice.
    pub has_title_heading: bool,
    /// Anchors defined by raw HTML in the body (`<a name="x">`, `id="x"`).
    pub html_ids: Vec<String>,
    /// The first template code of another generator found outside code (line, column, text).
    pub template_code: Option<(usize, usize, String)>,
    /// `mermaid` blocks that cannot be drawn: the line (of the failing diagram line when
    /// Mermaid names it, else of the fence) and Mermaid's message.
    pub diagram_errors: Vec<(usize, String)>,
    /// The whole source file.
    pub source_text: std::sync::Arc<str>,
    /// Where the markdown body starts in `source_text`.
    pub body_start: usize,
}

impl Page {
    /// The markdown body.
    pub fn body(&self) -> &str {
        &self.source_text[self.body_start..]
    }

    /// The YAML between the front-matter fences ("" when there is none).
    pub fn front_matter_text(&self) -> &str {
        self.front_matter
            .as_ref()
            .map_or("", |range| &self.source_text[range.clone()])
    }

    /// The file line of a top-level front-matter key, when the page sets it.
    pub fn key_line(&self, name: &str) -> Option<usize> {
        find_key(&self.keys, name)
    }

    /// When the page last changed: front-matter `updated`, else the last commit.
    pub fn last_updated(&self) -> Option<Date> {
        self.updated
            .or_else(|| self.git.as_ref().and_then(|git| git.updated))
    }

    /// When the page was created: front-matter `date`, else the first commit.
    pub fn created(&self) -> Option<Date> {
        self.date
            .or_else(|| self.git.as_ref().and_then(|git| git.created))
    }

    /// True for a folder's landing page (`index.md`, `README.md`).
    /// A `README.md` beside an `index.md` is published beside it and is not a landing page.
    pub fn is_landing(&self) -> bool {
        let name = file_name(&self.path);
        is_landing_name(name)
            && self
                .path
                .strip_suffix(name)
                .is_some_and(|folder| folder == self.url)
    }
}

/// A hash of everything about a page that other output reads — navigation, listings, feeds,
/// backlinks, link checks: its front matter, title, summary, headings and link destinations.
/// Two versions with the same outline differ only inside their own page. In-process use only
/// (`DefaultHasher` is not stable across Rust versions).
pub fn outline(page: &Page) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    page.source_text[..page.body_start].hash(&mut hasher);
    (
        &page.path,
        &page.url,
        page.kind.tag(),
        &page.title,
        &page.summary,
    )
        .hash(&mut hasher);
    page.has_title_heading.hash(&mut hasher);
    for heading in &page.headings {
        (heading.level, &heading.text, &heading.anchor).hash(&mut hasher);
    }
    for link in &page.links {
        (&link.destination, link.is_image, link.is_wiki, link.section).hash(&mut hasher);
    }
    hasher.finish()
}

/// pulldown-cmark options shared by the model pass and the render pass; both must see the same
/// events in the same order, because the renderer applies anchors and links by position.
pub fn markdown_options(config: &MarkdownConfig) -> Options {
    super::events::options(config)
}

/// Parses one source into a page. Bad front matter yields an error diagnostic and no page.
pub fn parse_page(
    source: Source,
    kind: PageKind,
    markdown: &MarkdownConfig,
) -> Result<Page, Diagnostic> {
    let parsed: Result<FrontMatter, _> = yaml::parse(source.front_matter_text());
    // A record template's front matter holds placeholders (`date: {YYYY-MM-DD}`): it is a
    // page to copy from, published without its front matter rather than failing the build.
    let parsed = match parsed {
        Err(_) if is_template_name(&source.path) => Ok(FrontMatter::default()),
        other => other,
    };
    let mut front_matter: FrontMatter = parsed.map_err(|error| {
        let line = if error.line == 0 {
            1
        } else {
            source.front_matter_line + error.line - 1
        };
        let example = error
            .message
            .split_once(": ")
            .and_then(|(key, _)| super::keys::example(key))
            .map(|example| format!("write it like `{example}`"));
        let help = error.hint.map(str::to_string).or(example).unwrap_or_else(|| {
            "front matter is YAML between `---` lines; see the front-matter reference in the README"
                .into()
        });
        Diagnostic::error(
            &source.path,
            line,
            error.column,
            "front-matter",
            error.message,
        )
        .with_help(help)
    })?;
    let keys: Vec<yaml::TopKey> = yaml::top_level_keys(source.front_matter_text())
        .into_iter()
        .map(|key| yaml::TopKey {
            line: source.front_matter_line + key.line - 1,
            ..key
        })
        .collect();
    let field_error = |key: &str, message: String| {
        let line = find_key(&keys, key).unwrap_or(1);
        Diagnostic::error(
            &source.path,
            line,
            1,
            "front-matter",
            format!("`{key}`: {message}"),
        )
        .with_help("see the front-matter reference in the README")
    };
    let profile = if matches!(kind, PageKind::Person | PageKind::Team) {
        let profile = take_profile(&mut front_matter);
        Some(Box::new(
            profile.map_err(|(key, message)| field_error(key, message))?,
        ))
    } else {
        None
    };
    let name = profile.as_ref().and_then(|profile| profile.name.clone());
    let date = parse_optional_date(front_matter.date).map_err(|m| field_error("date", m))?;
    let updated =
        parse_optional_date(front_matter.updated).map_err(|m| field_error("updated", m))?;
    let decide_by =
        parse_optional_date(front_matter.decide_by).map_err(|m| field_error("decide_by", m))?;
    let review_by =
        parse_optional_date(front_matter.review_by).map_err(|m| field_error("review_by", m))?;
    let review_every = front_matter
        .review_every
        .as_deref()
        .map(Interval::parse)
        .transpose()
        .map_err(|m| field_error("review_every", m))?;
    let supersedes =
        parse_numbers(front_matter.supersedes).map_err(|m| field_error("supersedes", m))?;
    let amends = parse_numbers(front_matter.amends).map_err(|m| field_error("amends", m))?;
    if let Some(slug) = front_matter.slug.as_deref()
        && !is_safe_slug(slug)
    {
        return Err(field_error(
            "slug",
            format!(
                "'{}' cannot be the last part of a URL; write letters, digits, `-`, `_` or `.`, without `/`, `:`, `?`, `#`, `%`, quotes or spaces",
                slug.escape_debug()
            ),
        ));
    }
    let analysis = analyse(&source, markdown);
    let url = page_url(&source.path, front_matter.slug.as_deref());
    let mut heading_title = analysis.title_heading.clone();
    if kind == PageKind::Decision {
        // adr-tools titles records `# 12. Use NATS`; the number is shown separately.
        heading_title = heading_title.map(|title| split_numbered_title(&title).1.to_string());
    }
    let title = front_matter
        .title
        .clone()
        .filter(|title| !title.trim().is_empty())
        .or(name)
        .or_else(|| heading_title.clone())
        .unwrap_or_else(|| match kind {
            // `0007-use-nats.md` → `Use nats`, not `0007 use nats`.
            PageKind::Decision => record_title_from_file_name(&source.path),
            _ => title_from_file_name(&source.path),
        });
    // The body's `# heading` is left out when it opens the page and says what the title says.
    let has_title_heading =
        analysis.title_is_first && heading_title.as_deref() == Some(title.as_str());
    // An update's `summary`, else the description, else the text before `<!-- more -->`,
    // else the first paragraph.
    let summary = match (
        &front_matter.summary,
        &front_matter.description,
        analysis.more,
    ) {
        (Some(summary), _, _) | (None, Some(summary), _) => summary.clone(),
        (None, None, Some(end)) => {
            let excerpt = analysis.text[..end].trim_start();
            let excerpt = match &analysis.title_heading {
                Some(title) => excerpt.strip_prefix(title.as_str()).unwrap_or(excerpt),
                None => excerpt,
            };
            shorten(
                &excerpt.split_whitespace().collect::<Vec<_>>().join(" "),
                600,
            )
        }
        (None, None, None) => shorten(&analysis.first_paragraph, 240),
    };
    // Every kind's keys are read (a bad value is an error wherever it is written); each kind
    // keeps its own.
    let author = front_matter
        .author
        .filter(|author| !author.trim().is_empty());
    let kind = match (kind, profile) {
        (PageKind::Decision, _) => Kind::Decision(Box::new(RecordFields {
            status: front_matter.status,
            number: front_matter.number,
            deciders: front_matter.deciders,
            consulted: front_matter.consulted,
            informed: front_matter.informed,
            supersedes,
            amends,
            decide_by,
        })),
        (PageKind::Update, _) => Kind::Update { author },
        (PageKind::Person, Some(profile)) => Kind::Person(profile),
        (PageKind::Team, Some(profile)) => Kind::Team(profile),
        _ => Kind::Page,
    };
    Ok(Page {
        url,
        kind,
        title,
        description: front_matter.description,
        summary,
        tags: front_matter
            .tags
            .into_iter()
            .filter(|tag| !tag.trim().is_empty())
            .collect(),
        weight: front_matter.weight,
        date,
        updated,
        updated_by: front_matter.updated_by.filter(|by| !by.trim().is_empty()),
        is_draft: front_matter.draft,
        aliases: front_matter.aliases,
        owner: front_matter.owner,
        team: front_matter.team,
        review_by,
        review_every,
        git: None,
        owners: Owners::default(),
        review: None,
        extra: front_matter
            .extra
            .map_or(serde_json::Value::Null, serde_json::Value::Object),
        keys,
        front_matter: source.front_matter.clone(),
        headings: analysis.headings,
        links: analysis.links,
        text: analysis.text.into(),
        has_title_heading,
        html_ids: analysis.html_ids,
        template_code: analysis.template_code,
        diagram_errors: analysis.diagram_errors,
        path: source.path,
        body_start: source.body_start,
        source_text: source.text.into(),
    })
}

struct Analysis {
    headings: Vec<Heading>,
    links: Vec<Link>,
    text: String,
    first_paragraph: String,
    /// Plain text of the first level-1 heading (image alt text left out).
    title_heading: Option<String>,
    /// True when that heading is the page's first heading, which the renderer then leaves out.
    title_is_first: bool,
    /// Where `<!-- more -->` was, as an offset in `text`.
    more: Option<usize>,
    /// Anchors that raw HTML defines (`<a name="x">`, any element's `id="x"`).
    html_ids: Vec<String>,
    /// The first template code of another generator outside code: line, column and the text.
    template_code: Option<(usize, usize, String)>,
    /// Diagrams that cannot be drawn (line, message).
    diagram_errors: Vec<(usize, String)>,
}

fn analyse(source: &Source, markdown: &MarkdownConfig) -> Analysis {
    let body = source.body();
    let lines = LineIndex::new(&source.text);
    let mut analysis = Analysis {
        headings: Vec::new(),
        links: Vec::new(),
        text: String::with_capacity(body.len()),
        first_paragraph: String::new(),
        title_heading: None,
        title_is_first: false,
        more: None,
        html_ids: Vec::new(),
        template_code: None,
        diagram_errors: Vec::new(),
    };
    // An open `mermaid` block: the fence's line and the source so far.
    let mut diagram: Option<(usize, String)> = None;
    let mut anchors = Anchors::default();
    let mut heading: Option<(u8, Option<String>, usize, String, usize)> = None;
    let mut in_first_paragraph = false;
    let mut images = 0usize;
    let mut paragraph_start = false;
    // A list, table, code block or quote before the first `# heading` means that heading is a
    // section (RFCs open with a list and use `# Summary` for sections), not the title; badge
    // and intro paragraphs do not.
    let mut seen_block = false;
    let mut in_code_block = false;
    for (event, range) in super::events::parse(body, markdown) {
        let offset = source.body_start + range.start;
        let is_code = matches!(event, Event::Code(_));
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                let (line, _) = lines.position(offset);
                heading = Some((
                    heading_level(level),
                    id.map(|id| id.to_string()),
                    line,
                    String::new(),
                    analysis.text.len(),
                ));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, id, line, text, text_start)) = heading.take() {
                    analysis.text.push('\n');
                    let text_end = analysis.text.len();
                    let text = text.trim().to_string();
                    let text = if text.is_empty() {
                        // `# {Placeholder}` reads as heading attributes; GitHub shows the text.
                        heading_source_text(&source.text[offset..])
                    } else {
                        text
                    };
                    if level == 1
                        && analysis.title_heading.is_none()
                        && !seen_block
                        && !text.is_empty()
                    {
                        analysis.title_heading = Some(text.clone());
                        analysis.title_is_first = analysis.headings.is_empty();
                    }
                    let anchor = anchors.claim(id.unwrap_or_else(|| slugify(&text)));
                    analysis.headings.push(Heading {
                        level,
                        text,
                        anchor,
                        line,
                        text_start,
                        text_end,
                    });
                }
            }
            Event::Start(Tag::Paragraph) => {
                paragraph_start = true;
                if analysis.first_paragraph.is_empty() {
                    in_first_paragraph = true;
                }
                continue;
            }
            Event::End(TagEnd::Paragraph) => {
                in_first_paragraph = false;
                analysis.text.push('\n');
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code_block = true;
                if let pulldown_cmark::CodeBlockKind::Fenced(info) = kind
                    && markdown.diagrams
                    && crate::diagram::is_mermaid(info.split([' ', ',', '{']).next().unwrap_or(""))
                {
                    diagram = Some((lines.position(offset).0, String::new()));
                }
            }
            Event::End(
                TagEnd::CodeBlock | TagEnd::Item | TagEnd::TableCell | TagEnd::BlockQuote(_),
            ) => {
                if let Some((fence, source)) = diagram.take()
                    && let Err(error) = crate::diagram::check(&source)
                {
                    let line = error.line.map_or(fence, |line| fence + line);
                    analysis.diagram_errors.push((line, error.message));
                }
                in_code_block = false;
                seen_block = true;
                analysis.text.push('\n');
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) if !matches!(link_type, LinkType::Autolink | LinkType::Email) => {
                let (line, column) = lines.position(offset);
                analysis.links.push(Link {
                    destination: dest_url.to_string(),
                    is_image: false,
                    is_wiki: matches!(link_type, LinkType::WikiLink { .. }),
                    section: section_at(&analysis.headings, heading.is_some()),
                    line,
                    column,
                });
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                images += 1;
                let (line, column) = lines.position(offset);
                analysis.links.push(Link {
                    destination: dest_url.to_string(),
                    is_image: true,
                    is_wiki: false,
                    section: section_at(&analysis.headings, heading.is_some()),
                    line,
                    column,
                });
            }
            Event::End(TagEnd::Image) => images = images.saturating_sub(1),
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, source)) = diagram.as_mut() {
                    source.push_str(&text);
                }
                if !is_code
                    && !in_code_block
                    && analysis.template_code.is_none()
                    && let Some(found) = template_code(&text, paragraph_start)
                {
                    let (line, column) = lines.position(offset);
                    analysis.template_code = Some((line, column, found));
                }
                if let Some((_, _, _, heading_text, _)) = heading.as_mut()
                    && images == 0
                {
                    heading_text.push_str(&text);
                }
                if in_first_paragraph {
                    analysis.first_paragraph.push_str(&text);
                }
                analysis.text.push_str(&text);
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                if analysis.more.is_none() && is_more_marker(&html) {
                    analysis.more = Some(analysis.text.len());
                }
                html_ids(&html, &mut analysis.html_ids);
                if markdown.raw_html {
                    // Raw HTML links are checked and rewritten like markdown ones.
                    for (value, is_src) in super::events::html_links(&html) {
                        let (line, column) = lines.position(offset + value.start);
                        analysis.links.push(Link {
                            destination: html[value].replace("&amp;", "&"),
                            is_image: is_src,
                            is_wiki: false,
                            section: section_at(&analysis.headings, heading.is_some()),
                            line,
                            column,
                        });
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if in_first_paragraph {
                    analysis.first_paragraph.push(' ');
                }
                analysis.text.push(' ');
            }
            _ => {}
        }
        paragraph_start = false;
    }
    analysis
}

/// The text of an ATX heading line as written, for a heading whose parsed text is empty.
fn heading_source_text(from: &str) -> String {
    let line = from.lines().next().unwrap_or("");
    // Only a heading read as attributes; one holding just an HTML comment has no text.
    if !line.contains('{') {
        return String::new();
    }
    line.trim()
        .trim_start_matches('#')
        .trim()
        .trim_end_matches('#')
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim()
        .to_string()
}

/// Template code of another generator in text that will be published as it is: Liquid and
/// Jinja tags (`{% include x %}`), `{{ variables }}`, Hugo shortcodes (`{{< x >}}`), MDX
/// `import … from` lines and `::: tip` containers. Returns the text found, shortened.
fn template_code(text: &str, paragraph_start: bool) -> Option<String> {
    let shorten_to = |found: &str| shorten(found, 60);
    // Every text event of every page comes here: one scan for `{` first.
    let braces = if text.contains('{') {
        &[("{{<", ">}}"), ("{{%", "%}}"), ("{%", "%}"), ("{{", "}}")][..]
    } else {
        &[]
    };
    for &(open, close) in braces {
        if let Some(start) = text.find(open)
            && let Some(length) = text[start + open.len()..].find(close)
        {
            let end = start + open.len() + length + close.len();
            let inner = text[start + open.len()..end - close.len()].trim();
            if !inner.is_empty() && !inner.contains('\n') {
                return Some(shorten_to(&text[start..end]));
            }
        }
    }
    if paragraph_start {
        let line = text.lines().next().unwrap_or("").trim();
        if (line.starts_with("import ") && line.contains(" from "))
            // VitePress, Docusaurus and MkDocs containers: `::: tip`, `:::note`.
            || (line.starts_with(":::") && line.len() > 3)
            || line.starts_with("export const ")
            || line.starts_with("export default ")
        {
            return Some(shorten_to(line));
        }
    }
    None
}

/// Adds the anchors a piece of raw HTML defines: any element's `id` and `<a name>`.
fn html_ids(html: &str, ids: &mut Vec<String>) {
    let bytes = html.as_bytes();
    let lower = html.to_ascii_lowercase();
    for attribute in ["id", "name"] {
        let mut from = 0;
        while let Some(at) = lower[from..].find(attribute) {
            let start = from + at;
            from = start + attribute.len();
            // An attribute name stands after whitespace inside a tag.
            if start == 0 || !bytes[start - 1].is_ascii_whitespace() {
                continue;
            }
            let rest = html[from..].trim_start();
            let Some(rest) = rest.strip_prefix('=') else {
                continue;
            };
            let rest = rest.trim_start();
            let value = match rest.chars().next() {
                Some(quote @ ('"' | '\'')) => rest[1..].split(quote).next().unwrap_or(""),
                Some(_) => rest
                    .split(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
                    .next()
                    .unwrap_or(""),
                None => "",
            };
            if attribute == "name" && !lower[..start].contains("<a") {
                continue;
            }
            if !value.is_empty() && !ids.iter().any(|id| id == value) {
                ids.push(value.to_string());
            }
        }
    }
}

/// `<!-- more -->` (any case and spacing): where a summary ends.
fn is_more_marker(html: &str) -> bool {
    html.trim()
        .strip_prefix("<!--")
        .and_then(|rest| rest.strip_suffix("-->"))
        .is_some_and(|inner| inner.trim().eq_ignore_ascii_case("more"))
}

/// The section a link belongs to: the heading being read (a link inside a heading), else the
/// last heading seen.
fn section_at(headings: &[Heading], in_heading: bool) -> Option<usize> {
    if in_heading {
        Some(headings.len())
    } else {
        headings.len().checked_sub(1)
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Hands out unique anchors on one page the way GitHub does: `setup`, `setup-1`, `setup-2`.
/// Each base remembers its next suffix, so a page of 20,000 equal headings stays linear.
#[derive(Default)]
struct Anchors {
    used: std::collections::HashSet<String>,
    next_suffix: std::collections::HashMap<String, usize>,
}

impl Anchors {
    fn claim(&mut self, base: String) -> String {
        let base = if base.is_empty() {
            "section".to_string()
        } else {
            base
        };
        if self.used.insert(base.clone()) {
            return base;
        }
        let suffix = self.next_suffix.entry(base.clone()).or_insert(1);
        loop {
            let candidate = format!("{base}-{suffix}");
            *suffix += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// GitHub-compatible heading slug: lower case, punctuation dropped (except `-` and `_`),
/// spaces become `-`. Letters from any script are kept.
pub fn slugify(text: &str) -> String {
    text.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn is_landing_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "index.md" || lower == "readme.md" || lower == "_index.md"
}

/// `docs/setup.md` → `docs/setup/`; `docs/index.md` and `docs/README.md` → `docs/`;
/// `index.md` → `""`. A `slug` replaces the last segment of a non-landing page.
pub fn page_url(path: &str, slug: Option<&str>) -> String {
    let (dir, name) = match path.rsplit_once('/') {
        Some((dir, name)) => (dir, name),
        None => ("", path),
    };
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    if is_landing_name(name) {
        return prefix;
    }
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let segment = slug
        .map(|slug| slug.trim().trim_matches('/'))
        .filter(|slug| {
            !slug.is_empty() && !slug.contains(['/', '\\']) && *slug != "." && *slug != ".."
        })
        .unwrap_or(stem);
    format!("{prefix}{segment}/")
}

/// True for a slug that is one plain URL segment: a `:` could make it a scheme
/// (`javascript:…`) wherever a URL is resolved relative to the site, and the other characters
/// refused here change what a URL means.
fn is_safe_slug(slug: &str) -> bool {
    let slug = slug.trim().trim_matches('/');
    !slug.is_empty()
        && slug != "."
        && slug != ".."
        && !slug.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(
                    c,
                    '/' | '\\' | ':' | '?' | '#' | '%' | '<' | '>' | '"' | '\'' | '`'
                )
        })
}

/// `on-call_runbook.md` → `On call runbook`.
pub fn title_from_file_name(path: &str) -> String {
    let name = file_name(path);
    let name = if is_landing_name(name) {
        path.rsplit('/').nth(1).unwrap_or("Home")
    } else {
        name.rsplit_once('.').map_or(name, |(stem, _)| stem)
    };
    humanize(name)
}

/// `template.md`, `adr-template.md`, `0000-template.md`, `template_x.md`: a template to copy
/// records from, not a record.
pub fn is_template_name(path: &str) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    let stem = name
        .rsplit_once('.')
        .map_or(name.as_str(), |(stem, _)| stem);
    stem == "template"
        || stem.ends_with("-template")
        || stem.ends_with("_template")
        || stem.starts_with("template-")
        || stem.starts_with("template_")
}

/// A record's title from its file name without the number or date: `0007-use-nats.md` →
/// `Use nats`, `20201016-pick-a-db.md` → `Pick a db`.
pub fn record_title_from_file_name(path: &str) -> String {
    let name = file_name(path);
    // A folder-style record (`0007-use-nats/index.md`) is named by its folder.
    let stem = if is_landing_name(name) {
        path.rsplit('/').nth(1).unwrap_or(name)
    } else {
        name.rsplit_once('.').map_or(name, |(stem, _)| stem)
    };
    let lower = stem.to_ascii_lowercase();
    let stem = if ["adr-", "adr_", "rfc-", "rfc_"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        &stem[4..]
    } else {
        stem
    };
    let rest = stem.trim_start_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '_');
    if rest.is_empty() {
        return title_from_file_name(path);
    }
    humanize(rest)
}

/// `on-call_runbook` → `On call runbook`.
pub fn humanize(name: &str) -> String {
    let spaced: String = name
        .chars()
        .map(|c| if c == '-' || c == '_' { ' ' } else { c })
        .collect();
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Untitled".to_string(),
    }
}

/// Shortens plain text to at most `max` characters at a word boundary, adding `…`.
pub fn shorten(text: &str, max: usize) -> String {
    let text = text.trim().to_string();
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> Result<Page, Diagnostic> {
        let (source, _) = Source::new("docs/a.md".into(), text.into());
        parse_page(source, PageKind::Page, &MarkdownConfig::default())
    }

    #[test]
    fn urls_are_pretty_and_landing_pages_own_their_folder() {
        assert_eq!(page_url("docs/onboarding.md", None), "docs/onboarding/");
        assert_eq!(page_url("docs/index.md", None), "docs/");
        assert_eq!(page_url("docs/README.md", None), "docs/");
        assert_eq!(page_url("index.md", None), "");
        assert_eq!(page_url("docs/a.md", Some("b")), "docs/b/");
        assert_eq!(
            page_url("docs/a.md", Some("../x")),
            "docs/a/",
            "unsafe slugs are ignored"
        );
    }

    #[test]
    fn slugs_match_github() {
        assert_eq!(slugify("Step 2: Roll back"), "step-2-roll-back");
        assert_eq!(slugify("What's `new`?"), "whats-new");
        assert_eq!(slugify("Über uns"), "über-uns");
        assert_eq!(slugify("snake_case and-dash"), "snake_case-and-dash");
    }

    #[test]
    fn duplicate_headings_get_numbered_anchors() {
        let setup = page("## Setup\n\n## Setup\n\n## Setup {#custom}\n").unwrap();
        let anchors: Vec<_> = setup.headings.iter().map(|h| h.anchor.as_str()).collect();
        assert_eq!(anchors, ["setup", "setup-1", "custom"]);
        // A heading that looks like a numbered one takes its number out of the sequence.
        let numbered = page("## A\n\n## A-1\n\n## A\n\n## A\n").unwrap();
        let anchors: Vec<_> = numbered
            .headings
            .iter()
            .map(|h| h.anchor.as_str())
            .collect();
        assert_eq!(anchors, ["a", "a-1", "a-2", "a-3"]);
        // Thousands of equal headings (each used to rescan every earlier suffix).
        let many = page(&"## Same\n\n".repeat(5000)).unwrap();
        assert_eq!(many.headings[4999].anchor, "same-4999");
    }

    #[test]
    fn title_falls_back_to_first_heading_then_file_name() {
        let with_heading = page("# From heading\n\ntext").unwrap();
        assert_eq!(with_heading.title, "From heading");
        assert!(with_heading.has_title_heading);
        assert_eq!(page("text only").unwrap().title, "A");
        let with_front_matter = page("---\ntitle: Mine\n---\n# Other\n").unwrap();
        assert_eq!(with_front_matter.title, "Mine");
        assert!(
            !with_front_matter.has_title_heading,
            "a different heading stays in the body"
        );
    }

    #[test]
    fn front_matter_errors_point_into_the_markdown_file() {
        let error = page("---\ntitle: A\ntags: [a\n---\nbody\n").unwrap_err();
        assert_eq!(error.path, "docs/a.md");
        assert!(
            error.line >= 3,
            "line {} should be in the file, not the fragment",
            error.line
        );
        let error = page("---\ntitle: A\nweight: heavy\n---\n").unwrap_err();
        assert_eq!(error.line, 3);
        assert!(error.message.contains("weight"), "{}", error.message);
    }

    #[test]
    fn dates_accept_timestamps_and_reject_nonsense() {
        assert_eq!(
            parse_date("2026-03-14T10:00:00Z"),
            "2026-03-14".parse().ok()
        );
        assert_eq!(parse_date("14/03/2026"), None);
        for good in [
            "2026-03-14 10:00",
            "2026-03-14T10:00:00+05:30",
            "2026-03-14 10:00:00 +0100",
            "2026-03-14T23:59:60.123Z",
            "2026-03-14T10:00-07",
        ] {
            assert_eq!(parse_date(good), "2026-03-14".parse().ok(), "{good}");
        }
        for bad in [
            "2026-03-14T25:00:00Z",
            "2026-03-14T10:61",
            "2026-03-14T10",
            "2026-03-14 10:00 CET",
            "2026-03-14T10:00:00.Z",
            "2026-03-14T10:00+5:30",
            "2026-03-14x",
            "2026-02-30",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        let error = page("---\ndate: next tuesday\n---\n").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.message.contains("YYYY-MM-DD"));
    }

    #[test]
    fn links_keep_order_and_file_positions() {
        let page = page("---\ntitle: A\n---\nsee [b](b.md) and ![i](i.png)\n").unwrap();
        let found: Vec<_> = page
            .links
            .iter()
            .map(|l| (l.destination.as_str(), l.is_image, l.line, l.column))
            .collect();
        assert_eq!(found, [("b.md", false, 4, 5), ("i.png", true, 4, 19)]);
    }

    #[test]
    fn summary_is_the_first_paragraph_shortened() {
        assert_eq!(shorten("one two three four", 9), "one two…");
        let page = page("# T\n\nFirst *para*\ngraph.\n\nSecond.").unwrap();
        assert_eq!(page.summary, "First para graph.");
    }
}
#[cfg(test)]
mod record_tests {
    use super::*;

    #[test]
    fn record_keys_are_typed_and_errors_keep_their_line() {
        let (source, _) = Source::new(
            "decisions/0002-x.md".into(),
            "---\ntitle: X\ndecision-makers: [ana, ben]\nsupersedes: 1\ndecide_by: 2026-12-01\n---\n".into(),
        );
        let page = parse_page(source, PageKind::Decision, &MarkdownConfig::default()).unwrap();
        let record = page.kind.record().unwrap();
        assert_eq!(record.deciders, ["ana", "ben"]);
        assert_eq!(record.supersedes, [1]);
        assert_eq!(
            parse_numbers(vec!["ADR-0003".into(), "#4".into(), "0005-x.md".into()]),
            Ok(vec![3, 4, 5])
        );
        assert_eq!(record.decide_by, "2026-12-01".parse().ok());
        let (source, _) = Source::new(
            "decisions/0002-x.md".into(),
            "---\ntitle: X\nsupersedes: [one]\n---\n".into(),
        );
        let error = parse_page(source, PageKind::Decision, &MarkdownConfig::default()).unwrap_err();
        assert_eq!(error.line, 3, "{error:?}");
        assert!(
            error.message.starts_with("`supersedes`:"),
            "{}",
            error.message
        );
    }

    #[test]
    fn a_bad_date_on_a_later_line_is_reported_on_that_line() {
        let (source, _) = Source::new(
            "a.md".into(),
            "---
title: X
tags: [a]
updated: soon
---
"
            .into(),
        );
        let error = parse_page(source, PageKind::Page, &MarkdownConfig::default()).unwrap_err();
        assert_eq!((error.line, error.column), (4, 1));
        assert!(error.message.contains("YYYY-MM-DD"));
    }
}
