//! Search: a tantivy index of every page section, built beside rendering, queried by
//! `handbook search`, and exported as static shards for the browser client.
//!
//! No module outside `search/` names tantivy. The rest of the crate sees [`build`], [`Query`],
//! [`Hit`], [`SearchIndex`] and [`OutputFile`]s.
//!
//! One query language, the same in the terminal and the browser:
//! - every word must match, in the title, a heading, the body or the tags (stemmed);
//! - `"on call"` matches the words next to each other, in that order, in one field;
//! - `deplo*` matches the 8 most frequent words of the handbook that start with `deplo`
//!   (at least [`MIN_PREFIX`] characters);
//! - `kind:decision`, `status:accepted`, `team:platform` filter; repeating a key ORs values.
//!
//! The score is BM25 per field (tantivy's), times the field boost, summed over the words, then
//! times the page's status factor. Results are pages: the best section of each page, deep-linked.

mod export;
mod index;
pub mod job;
mod query;
mod rank;

/// The browser's search engine (decoder, query parser, ranker), published as
/// `assets/search-engine.js` whatever the theme: it is embedded here, beside the export it
/// reads, so the two always agree on the format. Themes ship only the interface (`search.js`).
pub const ENGINE_JS: &str = include_str!("engine.js");

/// Where [`ENGINE_JS`] is published, below `assets/`.
pub const ENGINE_ASSET: &str = "search-engine.js";

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use crate::cache::{Group, RenderCache};
use crate::config::Config;
use crate::model::Site;
use crate::model::page::PageKind;
use crate::output::OutputFile;
use crate::output::Sink;

pub use index::{SearchIndex, analyze};
pub use query::{Filter, Query, Term};

/// Output folder of the search files, inside the site.
pub const DIR: &str = "search";
/// Where the tantivy index is kept, relative to the handbook root: a cache beside
/// `handbook.yml`, never published (`handbook init` git-ignores `.handbook/`).
pub const CACHE_DIR: &str = ".handbook/search";
/// Whether the search files may be written at `path` (lower case): the export's scripts at the
/// top of `search/` and everything in its folders, the tantivy index included. A static file
/// of the handbook there would replace them, so it is reported instead (`duplicate-output`).
pub fn generates(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("search/") else {
        return false;
    };
    match rest.split_once('/') {
        None => rest.ends_with(".js"),
        Some((folder, _)) => matches!(folder, "t" | "p" | "d"),
    }
}

/// Shortest prefix that `word*` (and type-ahead) expands.
pub const MIN_PREFIX: usize = 3;
/// How many surface forms a prefix expands to.
pub const PREFIX_EXPANSIONS: usize = 8;
/// Field boosts: title, headings, body, tags.
pub const BOOSTS: [f32; 4] = [3.0, 2.0, 1.0, 2.0];
/// Names of the text fields, in [`BOOSTS`] order.
pub const TEXT_FIELDS: [&str; 4] = ["title", "headings", "body", "tags"];

/// One searchable unit: a page's introduction or one of its `##`/`###` sections.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Section<'a> {
    /// Index of the page in `Site::pages`.
    pub page: u32,
    /// Page title. Text the page or the site holds is borrowed while the site is at hand, not
    /// copied into every section (at 100k pages the body copies were most of a GiB while the
    /// index was built, and the page's fields another hundred MiB).
    pub title: Cow<'a, str>,
    /// Section heading; `None` for the part before the first heading.
    pub heading: Option<Cow<'a, str>>,
    /// Text of the section's heading and its deeper (`####`…) sub-headings.
    pub headings: Cow<'a, str>,
    /// Plain text of the section.
    pub body: Cow<'a, str>,
    /// Page tags, space-separated.
    pub tags: Cow<'a, str>,
    /// page, decision, update, person or team.
    pub kind: Cow<'a, str>,
    /// Decision status, or empty.
    pub status: Cow<'a, str>,
    /// Owning team, or empty.
    pub team: Cow<'a, str>,
    /// Page owner or author, or empty.
    pub author: Cow<'a, str>,
    /// `YYYY-MM-DD`, or empty.
    pub date: Cow<'a, str>,
    /// Site-relative URL with the section's `#anchor`.
    pub url: String,
}

impl Section<'_> {
    /// The section with its own copy of the body, to outlive the site.
    pub fn into_owned(self) -> Section<'static> {
        let owned = |text: Cow<'_, str>| -> Cow<'static, str> { Cow::Owned(text.into_owned()) };
        Section {
            body: owned(self.body),
            page: self.page,
            title: owned(self.title),
            heading: self.heading.map(owned),
            headings: owned(self.headings),
            tags: owned(self.tags),
            kind: owned(self.kind),
            status: owned(self.status),
            team: owned(self.team),
            author: owned(self.author),
            date: owned(self.date),
            url: self.url,
        }
    }

    /// A plain page's section with only a title, a body and a URL (for tests).
    #[cfg(test)]
    pub(crate) fn plain(page: u32, title: &str, body: &str, url: &str) -> Section<'static> {
        Section {
            page,
            title: Cow::Owned(title.into()),
            heading: None,
            headings: Cow::Borrowed(""),
            body: Cow::Owned(body.into()),
            tags: Cow::Borrowed(""),
            kind: Cow::Borrowed("page"),
            status: Cow::Borrowed(""),
            team: Cow::Borrowed(""),
            author: Cow::Borrowed(""),
            date: Cow::Borrowed(""),
            url: url.into(),
        }
    }

    /// Adds every field the index holds to `hash`, each ended so that no two sections hash
    /// alike (the index's and each bucket's fingerprint).
    pub fn hash_into(&self, hash: &mut xxhash_rust::xxh3::Xxh3) {
        for text in [
            &*self.title,
            self.heading.as_deref().unwrap_or("\u{1}"),
            &self.headings,
            &self.body,
            &self.tags,
            &self.kind,
            &self.status,
            &self.team,
            &self.author,
            &self.date,
            &self.url,
        ] {
            hash.update(text.as_bytes());
            hash.update(&[0xff]);
        }
    }

    /// Status factor: accepted decisions rank above proposed ones, and both above records that
    /// no longer hold.
    pub fn boost(&self) -> f32 {
        status_boost(&self.status)
    }
}

/// Multiplier of a page's score by decision status.
pub fn status_boost(status: &str) -> f32 {
    match status {
        "superseded" | "deprecated" | "rejected" => 0.5,
        "proposed" => 0.9,
        _ => 1.0,
    }
}

/// Sections of every page, in page order, then document order.
pub fn sections(site: &Site) -> Vec<Section<'_>> {
    use rayon::prelude::*;
    // Pages in parallel (this is the start of search, the longest path of a build), in order.
    let per_page: Vec<Vec<Section<'_>>> = site
        .pages
        .par_iter()
        .enumerate()
        .map(|(number, page)| page_sections(site, number, page))
        .collect();
    // Moved into one vector of the exact size, each page's freed as it goes: collecting the
    // flattened pages grew the vector by doubling, holding two or three copies of every
    // section at once when rendering starts (a spike of about 270 MB at 100k pages).
    let mut all = Vec::with_capacity(per_page.iter().map(Vec::len).sum());
    for page in per_page {
        all.extend(page);
    }
    all
}

/// The sections of page `number`: its introduction (when it has one) and one per heading of
/// level 1-3, deeper headings folded into their section.
fn page_sections<'a>(
    site: &'a Site,
    number: usize,
    page: &'a crate::model::page::Page,
) -> Vec<Section<'a>> {
    let mut sections = Vec::new();
    let decision = site.decision_of_page(number);
    let status = decision.map_or("", |d| d.status.as_str());
    let team = page.team.as_deref().unwrap_or_default();
    let kind = page.kind.tag().as_str();
    // Records are found by number too: `ADR 12`, `0012`.
    let number_tags = match (page.kind.tag(), decision) {
        (PageKind::Decision, Some(decision)) => {
            format!("adr {:04} {}", decision.number, decision.number)
        }
        _ => String::new(),
    };
    let tags = match (page.tags.as_slice(), number_tags.is_empty()) {
        ([], true) => Cow::Borrowed(""),
        ([tag], true) => Cow::Borrowed(tag.trim()),
        (tags, _) => Cow::Owned(
            format!("{} {number_tags}", tags.join(" "))
                .trim()
                .to_string(),
        ),
    };
    let author = match page.owners.ids.as_slice() {
        [] => Cow::Borrowed(""),
        [id] => Cow::Borrowed(id.as_str()),
        ids => Cow::Owned(ids.join(" ")),
    };
    let base = Section {
        page: number as u32,
        title: Cow::Borrowed(&page.title),
        heading: None,
        headings: Cow::Borrowed(""),
        body: Cow::Borrowed(""),
        tags,
        kind: Cow::Borrowed(kind),
        status: Cow::Borrowed(status),
        team: Cow::Borrowed(team),
        author,
        date: page
            .date
            .map(|d| Cow::Owned(d.to_string()))
            .unwrap_or_default(),
        url: page.url.clone(),
    };
    let splits: Vec<usize> = page
        .headings
        .iter()
        .enumerate()
        .filter(|(i, h)| h.level <= 3 && !(*i == 0 && page.has_title_heading))
        .map(|(i, _)| i)
        .collect();
    let text: &str = &page.text;
    let intro_start = match page.headings.first() {
        Some(first) if page.has_title_heading => first.text_end,
        _ => 0,
    };
    let intro_end = splits
        .first()
        .map_or(text.len(), |&i| page.headings[i].text_start);
    let sub_headings = |from: usize, to: usize| {
        page.headings
            .iter()
            .filter(|h| h.text_start >= from && h.text_start < to && h.level > 3)
            .map(|h| h.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let intro = text
        .get(intro_start.min(intro_end)..intro_end)
        .unwrap_or("");
    if splits.is_empty() || !intro.trim().is_empty() {
        sections.push(Section {
            headings: Cow::Owned(sub_headings(intro_start, intro_end)),
            body: Cow::Borrowed(intro.trim()),
            ..base.clone()
        });
    }
    for (n, &i) in splits.iter().enumerate() {
        let heading = &page.headings[i];
        let end = splits
            .get(n + 1)
            .map_or(text.len(), |&next| page.headings[next].text_start);
        let body = text.get(heading.text_end.min(end)..end).unwrap_or("");
        let subs = sub_headings(heading.text_end, end);
        sections.push(Section {
            heading: Some(Cow::Borrowed(&heading.text)),
            headings: if subs.is_empty() {
                Cow::Borrowed(&heading.text)
            } else {
                Cow::Owned(format!("{} {subs}", heading.text))
            },
            body: Cow::Borrowed(body.trim()),
            url: format!("{}#{}", page.url, heading.anchor),
            ..base.clone()
        });
    }
    sections
}

/// One search result: a page, deep-linked to its best-matching section.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    /// Page title.
    pub title: String,
    /// Best section's heading, if it is not the introduction.
    pub section: Option<String>,
    /// Site-relative URL with anchor (no base path).
    pub url: String,
    /// page, decision, update, person or team.
    pub kind: String,
    /// Decision status, or empty.
    pub status: String,
    /// Owning team, or empty.
    pub team: String,
    /// `YYYY-MM-DD`, or empty.
    pub date: String,
    /// Ranking score (BM25 × boosts × status factor).
    pub score: f32,
    /// Plain text around the match.
    pub snippet: String,
    /// Byte ranges of matched words in `snippet`.
    pub highlights: Vec<(usize, usize)>,
    /// Other sections of the page that match, best first.
    pub sections: Vec<SubHit>,
}

/// A section offered under a result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SubHit {
    /// The section's heading.
    pub heading: String,
    /// Site-relative URL with anchor.
    pub url: String,
}

/// What a search returned.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Results {
    /// Matching pages in total (before `limit`).
    pub total: usize,
    /// The best `limit` pages.
    pub hits: Vec<Hit>,
    /// Words found nowhere, each with the close spelling searched instead.
    pub corrected: Vec<(String, String)>,
}

/// Where the index came from, for the CLI's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// The index in the output folder matches the sources.
    Fresh,
    /// The output has no index, or one built from other sources: built in memory instead.
    Rebuilt,
}

/// Names the browser shows for facet values: team id (lower case, as indexed) → team title.
pub type Labels = BTreeMap<String, String>;

/// The team titles of `site`, by lower-cased id.
pub fn labels(site: &Site) -> Labels {
    site.directory
        .teams
        .iter()
        .map(|(id, &page)| (id.to_lowercase(), site.pages[page].title.clone()))
        .collect()
}

/// English words too common to decide a match: a query leaves them out unless it has nothing
/// else, and they are never highlighted. The browser gets the list in the manifest.
pub const STOP_WORDS: [&str; 35] = [
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "for", "from", "how", "i", "in",
    "is", "it", "its", "of", "on", "or", "our", "so", "that", "the", "this", "to", "was", "we",
    "what", "when", "where", "which", "with", "you",
];

/// The stop words for the index's language (English only, for now).
pub fn stop_words(language: Option<tantivy::tokenizer::Language>) -> &'static [&'static str] {
    if language == Some(tantivy::tokenizer::Language::English) {
        &STOP_WORDS
    } else {
        &[]
    }
}

/// `search.synonyms` prepared for queries: each word of an entry, lower-cased, and its stem →
/// the stems of the entry's other words. The same table goes into the browser's manifest.
pub fn synonym_table(
    config: &Config,
    language: Option<tantivy::tokenizer::Language>,
) -> BTreeMap<String, Vec<String>> {
    synonyms_of(&config.search.synonyms, language)
}

/// [`synonym_table`] of `search.synonyms` as written.
fn synonyms_of(
    synonyms: &BTreeMap<String, Vec<String>>,
    language: Option<tantivy::tokenizer::Language>,
) -> BTreeMap<String, Vec<String>> {
    let mut table: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (word, others) in synonyms {
        let entry: Vec<(String, String)> = std::iter::once(word)
            .chain(others)
            .map(|word| {
                let lower = word.trim().to_lowercase();
                let stem = analyze(&lower, language)
                    .into_iter()
                    .next()
                    .unwrap_or_default();
                (lower, stem)
            })
            .filter(|(_, stem)| !stem.is_empty())
            .collect();
        for (lower, stem) in &entry {
            for key in [lower, stem] {
                let stems = table.entry(key.clone()).or_default();
                for (_, other) in &entry {
                    if other != stem && !stems.contains(other) {
                        stems.push(other.clone());
                    }
                }
            }
        }
    }
    table
}

/// Search settings that change the index, from `handbook.yml`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Stemmer language (`en`, `de`, …); `None` turns stemming off.
    pub language: Option<tantivy::tokenizer::Language>,
    /// Compress the stored fields (an index kept in the cache folder); an index that lives
    /// only as long as its export (the preview's) saves the time.
    pub compress: bool,
    /// Pages per bucket of an index built in a folder, roughly (`BUCKET_PAGES` in `index.rs`).
    pub bucket_pages: usize,
}

impl Settings {
    /// From the configuration's `language`.
    pub fn from_config(config: &Config) -> Settings {
        Settings {
            language: stemmer_language(&config.language),
            compress: true,
            bucket_pages: index::BUCKET_PAGES,
        }
    }
}

/// The stemmer language of the configuration, `None` when it has none.
pub fn language_of(config: &Config) -> Option<tantivy::tokenizer::Language> {
    stemmer_language(&config.language)
}

/// The stemmer for a language code (`en`, `en-GB`, `pt-BR`); `None` for languages without one.
fn stemmer_language(code: &str) -> Option<tantivy::tokenizer::Language> {
    use tantivy::tokenizer::Language::*;
    let primary = code
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    Some(match primary.as_str() {
        "en" => English,
        "ar" => Arabic,
        "da" => Danish,
        "nl" => Dutch,
        "fi" => Finnish,
        "fr" => French,
        "de" => German,
        "el" => Greek,
        "hu" => Hungarian,
        "it" => Italian,
        "no" | "nb" | "nn" => Norwegian,
        "pt" => Portuguese,
        "ro" => Romanian,
        "ru" => Russian,
        "es" => Spanish,
        "sv" => Swedish,
        "ta" => Tamil,
        "tr" => Turkish,
        _ => return None,
    })
}

/// Builds the index (or reuses the one in the handbook's cache folder when its fingerprint
/// matches) and exports the static browser files under [`DIR`], each passed through `sink` as
/// soon as it is made. With `keep` (the handbook root and the sources' stamp), a new index is
/// saved in [`CACHE_DIR`] for `handbook search` and the next build; a failure to save it is a
/// warning in the log, not an error.
///
/// When `cache` holds the files a build made from the same sections, they are kept as they
/// are, with neither index nor export made again. Returns the group of files to cache.
pub fn build(
    site: &Site,
    config: &Config,
    keep: Option<(&Path, u64)>,
    cache: &RenderCache,
    sink: Sink,
) -> anyhow::Result<(Vec<OutputFile>, Group)> {
    let started = std::time::Instant::now();
    let sections = sections(site);
    let fingerprint = fingerprint(&sections, config);
    log::debug!(
        "search: {} sections and their fingerprint in {:?}",
        sections.len(),
        started.elapsed()
    );
    // The export also reads configuration the index does not (URLs under the base path): the
    // files are kept only for the same sections, configuration and export layout.
    let key = {
        let mut hash = xxhash_rust::xxh3::Xxh3::new();
        hash.update(&fingerprint.to_le_bytes());
        hash.update(&config.fingerprint().to_le_bytes());
        hash.update(&export::FORMAT.to_le_bytes());
        hash.digest()
    };
    let group = |files: &[OutputFile]| Group {
        name: CACHE_GROUP.to_string(),
        key,
        paths: files.iter().map(|file| file.path.clone()).collect(),
    };
    let cache_dir = keep.map(|(root, _)| root.join(CACHE_DIR));
    if let Some(files) = cache.kept_group(CACHE_GROUP, key) {
        log::debug!("search: kept from the last build");
        if let Some((root, stamp)) = keep {
            index::restamp(root, CACHE_DIR, fingerprint, stamp);
        }
        let group = group(&files);
        return Ok((files.into_iter().map(sink).collect(), group));
    }
    let cached = cache_dir
        .as_deref()
        .and_then(|dir| SearchIndex::open(dir, fingerprint).ok().flatten());
    let (mut index, freshness, staged) = match cached {
        Some(index) => (index, Freshness::Fresh, None),
        None => {
            // An index to keep is built in a folder beside the cache folder, which replaces
            // it once the export is made.
            let staged = keep.and_then(|(root, _)| {
                crate::output::StagedDir::new(root, CACHE_DIR)
                    .map_err(|error| {
                        log::warn!("could not save the search index in {CACHE_DIR}: {error}");
                    })
                    .ok()
            });
            let settings = Settings::from_config(config);
            let folder = staged.as_ref().map(crate::output::StagedDir::path);
            let index = SearchIndex::build(
                &sections,
                &settings,
                fingerprint,
                folder,
                cache_dir.as_deref(),
            )?;
            (index, Freshness::Rebuilt, staged)
        }
    };
    let indexed = started.elapsed();
    crate::profile::add(crate::profile::Activity::SearchIndex, indexed);
    let synonyms = synonym_table(config, index.language());
    let files = export::export(&index, &sections, sink, &synonyms, &labels(site))?;
    drop(sections);
    if let Some((root, stamp)) = keep {
        if let Some(staged) = staged {
            index.set_stamp(stamp);
            let finished = index.finish();
            // Unmapped before its folder is renamed.
            drop(index);
            if let Err(error) = finished.and_then(|()| Ok(staged.commit()?)) {
                log::warn!("could not save the search index in {CACHE_DIR}: {error}");
            }
        } else if freshness == Freshness::Fresh {
            index::restamp(root, CACHE_DIR, fingerprint, stamp);
        }
    }
    crate::profile::add(
        crate::profile::Activity::SearchExport,
        started.elapsed() - indexed,
    );
    log::debug!(
        "search: index {:?} ({freshness:?}), export {:?}",
        indexed,
        started.elapsed() - indexed
    );
    let group = group(&files);
    Ok((files, group))
}

/// The render cache's name for the index and export files.
const CACHE_GROUP: &str = "search";

/// The index in the cache folder `dir` when it matches the site, else a new one built in
/// memory.
pub fn open_or_build(
    site: &Site,
    config: &Config,
    dir: Option<&Path>,
) -> anyhow::Result<(SearchIndex, Freshness)> {
    let sections = sections(site);
    let fingerprint = fingerprint(&sections, config);
    open_or_build_sections(&sections, fingerprint, config, dir)
}

fn open_or_build_sections(
    sections: &[Section<'_>],
    fingerprint: u64,
    config: &Config,
    dir: Option<&Path>,
) -> anyhow::Result<(SearchIndex, Freshness)> {
    if let Some(dir) = dir
        && let Ok(Some(index)) = SearchIndex::open(dir, fingerprint)
    {
        return Ok((index, Freshness::Fresh));
    }
    let settings = Settings::from_config(config);
    let index = SearchIndex::build(sections, &settings, fingerprint, None, None)?;
    Ok((index, Freshness::Rebuilt))
}

/// A fingerprint of everything the index depends on: the handbook version, the language and
/// every section. An index whose fingerprint matches is reused instead of rebuilt.
pub fn fingerprint(sections: &[Section<'_>], config: &Config) -> u64 {
    fingerprint_of(sections, &config.language)
}

/// [`fingerprint`] for the configuration's `language`.
fn fingerprint_of(sections: &[Section<'_>], language: &str) -> u64 {
    let mut hash = xxhash_rust::xxh3::Xxh3::new();
    hash.update(env!("CARGO_PKG_VERSION").as_bytes());
    hash.update(language.as_bytes());
    for section in sections {
        section.hash_into(&mut hash);
        hash.update(&section.page.to_le_bytes());
    }
    hash.digest()
}

/// Surface form (lowercased word as written) → (stem, occurrences), for prefix expansion and
/// for the browser, which looks words up instead of stemming them.
pub type Surfaces = BTreeMap<String, (String, u32)>;

/// The expansion of `prefix*` over the handbook's surface forms (see [`expand_prefix`]).
pub fn complete<'a>(surfaces: &'a Surfaces, prefix: &str) -> Vec<&'a str> {
    let candidates = surfaces
        .range(prefix.to_string()..)
        .take_while(|(surface, _)| surface.starts_with(prefix))
        .map(|(surface, (_, count))| (surface.as_str(), *count));
    expand_prefix(candidates, prefix)
}

/// The `PREFIX_EXPANSIONS` most frequent surface forms that start with `prefix`, most frequent
/// first (ties by the word). Words only known as inflections (count 0) are not offered.
pub fn expand_prefix<'a>(
    surfaces: impl Iterator<Item = (&'a str, u32)>,
    prefix: &str,
) -> Vec<&'a str> {
    let mut found: Vec<(&str, u32)> = surfaces
        .filter(|(surface, count)| *count > 0 && surface.starts_with(prefix))
        .collect();
    found.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    found.truncate(PREFIX_EXPANSIONS);
    found.into_iter().map(|(surface, _)| surface).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_expansion_prefers_frequent_words_then_alphabetical() {
        let surfaces = [
            ("deploy", 5),
            ("deployment", 9),
            ("deploying", 5),
            ("deplorable", 0),
            ("depth", 3),
        ];
        assert_eq!(
            expand_prefix(surfaces.iter().copied(), "deplo"),
            vec!["deployment", "deploy", "deploying"]
        );
    }

    #[test]
    fn synonyms_find_each_other_by_word_and_by_stem() {
        let config =
            Config::parse("search:\n  synonyms:\n    vacation: [leave, holidays, PTO]\n").unwrap();
        let table = synonym_table(&config, stemmer_language("en"));
        assert_eq!(table["vacation"], ["leav", "holiday", "pto"]);
        assert_eq!(table["holidays"], ["vacat", "leav", "pto"]);
        assert_eq!(table["holiday"], table["holidays"], "by stem too");
        assert_eq!(table["pto"], ["vacat", "leav", "holiday"]);
    }

    #[test]
    fn status_factor_ranks_accepted_above_superseded() {
        assert!(status_boost("accepted") > status_boost("proposed"));
        assert!(status_boost("proposed") > status_boost("superseded"));
        assert_eq!(status_boost(""), 1.0);
    }

    #[test]
    fn language_codes_pick_stemmers() {
        assert!(stemmer_language("en-GB").is_some());
        assert!(stemmer_language("pt_BR").is_some());
        assert!(stemmer_language("ja").is_none());
    }
}
