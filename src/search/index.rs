//! The tantivy index: schema, the `handbook` analyzer, building in memory, persisting as output
//! files, reopening from the output folder, and running a [`Query`].

use std::collections::HashMap;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::ThreadId;

use anyhow::Context as _;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::directory::RamDirectory;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query as TantivyQuery};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, STORED, STRING, Schema, TantivyDocument,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};
use tantivy::{Index, IndexReader, ReloadPolicy, Searcher, Term as TantivyTerm};

use std::collections::BTreeMap;

use tantivy::postings::Postings as _;
use tantivy::query::Bm25Weight;
use tantivy::{DocSet as _, TERMINATED};

use super::query::{Query, Term};
use super::rank::{Group, Sections as RankSections, rank};
use super::{
    BOOSTS, Hit, MIN_PREFIX, Results, Section, Settings, SubHit, Surfaces, complete, stop_words,
};

/// Name of the analyzer in the tantivy index.
const ANALYZER: &str = "handbook";
/// Words longer than this many bytes are not indexed (tantivy's `RemoveLongFilter`).
pub const MAX_WORD_BYTES: usize = 40;
/// Our own file in the index folder: fingerprint, language and the surface-form table.
const META_FILE: &str = "handbook.json";
/// Bumped when the schema or the meaning of the index changes.
const FORMAT: u32 = 6;

/// A stemming token filter that learns the vocabulary while tantivy indexes: every token's
/// surface form is counted and stemmed once (later occurrences look the stem up). One pass over
/// the text gives both the index and the surface-form table the browser export needs.
///
/// Each indexing thread learns into a vocabulary of its own (so the threads never wait for each
/// other, and tantivy's copies of the analyzer per segment and field share it), and
/// [`Learnt::words`] adds them up at the end.
#[derive(Clone)]
struct LearningStemmer(Arc<Learnt>);

/// Every indexing thread's vocabulary, and the stemmer that starts each one.
struct Learnt {
    vocabularies: Mutex<HashMap<ThreadId, Arc<Mutex<Vocabulary>>>>,
    stemmer: TextAnalyzer,
}

impl Learnt {
    /// The vocabulary of the calling thread, made on its first use.
    fn vocabulary(&self) -> (ThreadId, Arc<Mutex<Vocabulary>>) {
        let thread = std::thread::current().id();
        let vocabulary = lock(&self.vocabularies)
            .entry(thread)
            .or_insert_with(|| {
                Arc::new(Mutex::new(Vocabulary {
                    words: HashMap::default(),
                    stemmer: self.stemmer.clone(),
                }))
            })
            .clone();
        (thread, vocabulary)
    }

    /// Surface form → (stem, occurrences) over every thread.
    fn words(&self) -> Surfaces {
        let mut all: HashMap<String, (String, u32), xxhash_rust::xxh3::Xxh3DefaultBuilder> =
            HashMap::default();
        for (_, vocabulary) in lock(&self.vocabularies).drain() {
            for (surface, (stem, count)) in std::mem::take(&mut lock(&vocabulary).words) {
                all.entry(surface).or_insert((stem, 0)).1 += count;
            }
        }
        all.into_iter().collect()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Surface form → (stem, occurrences), and the stemmer for words not seen yet.
struct Vocabulary {
    words: HashMap<String, (String, u32), xxhash_rust::xxh3::Xxh3DefaultBuilder>,
    stemmer: TextAnalyzer,
}

impl TokenFilter for LearningStemmer {
    type Tokenizer<T: Tokenizer> = LearningStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> LearningStemmerFilter<T> {
        LearningStemmerFilter {
            vocabulary: self.0.vocabulary(),
            learnt: self.0,
            inner: tokenizer,
        }
    }
}

/// The filter, holding the vocabulary of the thread that used it last.
#[derive(Clone)]
struct LearningStemmerFilter<T> {
    vocabulary: (ThreadId, Arc<Mutex<Vocabulary>>),
    learnt: Arc<Learnt>,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for LearningStemmerFilter<T> {
    type TokenStream<'a> = LearningStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if self.vocabulary.0 != std::thread::current().id() {
            self.vocabulary = self.learnt.vocabulary();
        }
        // One lock per field value, never contended: only this thread uses its vocabulary.
        LearningStemmerStream {
            vocabulary: lock(&self.vocabulary.1),
            tail: self.inner.token_stream(text),
        }
    }
}

struct LearningStemmerStream<'a, S> {
    vocabulary: MutexGuard<'a, Vocabulary>,
    tail: S,
}

impl<S: TokenStream> TokenStream for LearningStemmerStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let Vocabulary { words, stemmer } = &mut *self.vocabulary;
        let stem = match words.get_mut(token.text.as_str()) {
            Some((stem, count)) => {
                *count += 1;
                stem
            }
            None => {
                let stem = tokens(stemmer, &token.text)
                    .pop()
                    .unwrap_or_else(|| token.text.clone());
                &words.entry(token.text.clone()).or_insert((stem, 1)).0
            }
        };
        if *stem != token.text {
            token.text.clear();
            token.text.push_str(stem);
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// A built or reopened index, ready to query and export.
pub struct SearchIndex {
    /// The searcher's source: in memory, or memory-mapped from a folder, the one it was built
    /// in (see [`SearchIndex::build`]) or the cache folder (`handbook search` reads a few
    /// postings, not the whole index).
    reader: IndexReader,
    /// The folder a new index was built in, where [`SearchIndex::finish`] writes its
    /// [`META_FILE`]; `None` in memory or when opened from the cache.
    built_in: Option<PathBuf>,
    pub(super) fields: Fields,
    pub(super) meta: Meta,
    /// [`SearchIndex::segment_sids`], read once (the reader is never reloaded, so every
    /// searcher has the same segments).
    sids: std::sync::OnceLock<Vec<Vec<u32>>>,
}

/// Schema fields.
pub(super) struct Fields {
    /// title, headings, body, tags, in `BOOSTS` order.
    pub text: [Field; 4],
    pub heading: Field,
    pub kind: Field,
    pub status: Field,
    pub team: Field,
    pub author: Field,
    pub date: Field,
    pub url: Field,
    /// The document's place in its bucket ([`Bucket::sids`]).
    pub sid: Field,
    /// The decision-status factor (`Section::boost`).
    pub boost: Field,
}

/// What we keep beside tantivy's files.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Meta {
    pub format: u32,
    pub fingerprint: String,
    pub language: Option<String>,
    /// Surface form → (stem, occurrences), over every bucket.
    pub surfaces: Surfaces,
    pub sections: u32,
    /// Per page: kind, decision status and team (lower case), for filters and status factors.
    pub pages: Vec<[String; 3]>,
    /// Page of each section.
    pub page_of: Vec<u32>,
    /// The buckets the sections are indexed in.
    pub buckets: Vec<Bucket>,
    /// [`crate::load::stamp`] of the sources the index was built from, when known.
    #[serde(default)]
    pub stamp: Option<String>,
}

/// Sections indexed together: their own segments, reused by a later build while their
/// sections are the same.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Bucket {
    /// [`PlannedBucket::fingerprint`], in hex.
    pub fingerprint: String,
    /// tantivy's ids of its segments (none for an index built in memory, whose one bucket
    /// holds every segment).
    pub segments: Vec<String>,
    /// Section number of each of its documents, by the document's `sid` (its place in the
    /// bucket): a bucket reused after pages were added or removed elsewhere keeps its
    /// documents, and only this table changes.
    pub sids: Vec<u32>,
}

/// The file beside a bucket's segments holding the surfaces of its text (read when the
/// bucket is reused; held in memory for every bucket at once they were 365 MB at 100k pages).
fn surfaces_file(fingerprint: &str) -> String {
    format!("surfaces-{fingerprint}.json")
}

/// Adds `more` to `all`.
fn add_surfaces(all: &mut Surfaces, more: Surfaces) {
    for (surface, (stem, count)) in more {
        match all.get_mut(&surface) {
            Some(entry) => entry.1 += count,
            None => {
                all.insert(surface, (stem, count));
            }
        }
    }
}

/// A bucket to index: its sections (numbers, in order) and a fingerprint of their text.
pub(super) struct PlannedBucket {
    pub sids: Vec<u32>,
    pub fingerprint: u64,
}

/// Pages per bucket, roughly: a build where one page changed indexes about this many again.
pub const BUCKET_PAGES: usize = 1024;

/// Splits the sections into buckets of whole pages, by a hash of the page's URL, so a page
/// stays in its bucket however other pages change. The number of buckets is a power of two
/// that grows with the site (at most 64); an index in memory (`bucket_pages: None`) is one.
fn plan_buckets(
    sections: &[Section<'_>],
    bucket_pages: Option<usize>,
    language: Option<&str>,
) -> Vec<PlannedBucket> {
    let pages = sections
        .iter()
        .enumerate()
        .filter(|(sid, section)| *sid == 0 || sections[sid - 1].page != section.page)
        .count();
    let count = match bucket_pages {
        Some(size) => (pages / size.max(1)).next_power_of_two().clamp(1, 64),
        None => 1,
    };
    let mut sids: Vec<Vec<u32>> = vec![Vec::new(); count];
    let mut hashes: Vec<xxhash_rust::xxh3::Xxh3> = (0..count)
        .map(|_| {
            let mut hash = xxhash_rust::xxh3::Xxh3::new();
            // Another handbook may tokenize differently: its buckets are not reused.
            hash.update(env!("CARGO_PKG_VERSION").as_bytes());
            hash.update(&FORMAT.to_le_bytes());
            hash.update(&(count as u64).to_le_bytes());
            hash.update(language.unwrap_or("").as_bytes());
            hash
        })
        .collect();
    let mut bucket = 0;
    for (sid, section) in sections.iter().enumerate() {
        if sid == 0 || sections[sid - 1].page != section.page {
            let page_url = section.url.split('#').next().unwrap_or("");
            bucket = (xxhash_rust::xxh3::xxh3_64(page_url.as_bytes()) % count as u64) as usize;
        }
        sids[bucket].push(sid as u32);
        let hash = &mut hashes[bucket];
        section.hash_into(hash);
        // The page boundary: the same sections split differently between pages differ.
        hash.update(&[u8::from(sid > 0 && sections[sid - 1].page == section.page)]);
    }
    sids.into_iter()
        .zip(hashes)
        .map(|(sids, hash)| PlannedBucket {
            sids,
            fingerprint: hash.digest(),
        })
        .collect()
}

/// Indexes the sections `sids` into `index` (documents numbered in that order in the `sid`
/// field) and returns the surfaces of their text.
fn index_sections(
    index: &Index,
    fields: &Fields,
    sections: &[Section<'_>],
    sids: &[u32],
    settings: &Settings,
    threads: usize,
) -> anyhow::Result<Surfaces> {
    let learnt = Arc::new(Learnt {
        vocabularies: Mutex::default(),
        stemmer: analyzer(settings.language, true),
    });
    let indexing = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(LowerCaser)
        .filter(LearningStemmer(Arc::clone(&learnt)))
        .build();
    index.tokenizers().register(ANALYZER, indexing);
    let mut writer = index.writer_with_num_threads(threads, (128 << 20) * threads)?;
    // The export reads any number of segments; merging them would only cost time, and memory
    // while a merge's output and inputs are both held.
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    for (local, &sid) in sids.iter().enumerate() {
        let section = &sections[sid as usize];
        let mut doc = TantivyDocument::default();
        let texts: [&str; 4] = [
            &section.title,
            &section.headings,
            &section.body,
            &section.tags,
        ];
        for (field, text) in fields.text.iter().zip(texts) {
            doc.add_text(*field, text);
        }
        doc.add_text(fields.heading, section.heading.as_deref().unwrap_or(""));
        doc.add_text(fields.kind, &section.kind);
        doc.add_text(fields.status, &section.status);
        doc.add_text(fields.team, section.team.to_lowercase());
        doc.add_text(fields.author, &section.author);
        doc.add_text(fields.date, &section.date);
        doc.add_text(fields.url, &section.url);
        doc.add_u64(fields.sid, local as u64);
        doc.add_f64(fields.boost, f64::from(section.boost()));
        writer.add_document(doc)?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(learnt.words())
}

/// The cache folder's index, read to reuse its buckets.
struct PreviousIndex {
    dir: PathBuf,
    /// Bucket fingerprint → the bucket and tantivy's entries of its segments.
    buckets: HashMap<String, (Bucket, Vec<serde_json::Value>)>,
}

impl PreviousIndex {
    /// The index in `dir` when this version made it with this language, else `None`.
    fn read(dir: &Path, language: Option<&str>) -> Option<PreviousIndex> {
        let meta: Meta =
            serde_json::from_slice(&crate::output::read_file(dir, META_FILE).ok()?).ok()?;
        if meta.format != FORMAT || meta.language.as_deref() != language {
            return None;
        }
        if !std::fs::symlink_metadata(dir).ok()?.is_dir() {
            return None;
        }
        let mut segments: HashMap<String, serde_json::Value> = segments_of(dir)
            .ok()?
            .into_iter()
            .filter_map(|segment| Some((segment_id(&segment).ok()?, segment)))
            .collect();
        let mut buckets = HashMap::new();
        for bucket in meta.buckets {
            let Some(entries) = bucket
                .segments
                .iter()
                .map(|id| segments.remove(id))
                .collect::<Option<Vec<_>>>()
            else {
                continue;
            };
            buckets.insert(bucket.fingerprint.clone(), (bucket, entries));
        }
        Some(PreviousIndex {
            dir: dir.to_path_buf(),
            buckets,
        })
    }

    /// The bucket with this fingerprint, its segment files linked (or copied) into `folder`;
    /// `None` when there is none or a file cannot be brought over.
    fn reuse(
        &self,
        fingerprint: &str,
        folder: &Path,
    ) -> Option<(Bucket, Vec<serde_json::Value>, Surfaces)> {
        let (bucket, entries) = self.buckets.get(fingerprint)?;
        let surfaces_name = surfaces_file(fingerprint);
        let surfaces: Surfaces =
            serde_json::from_slice(&crate::output::read_file(&self.dir, &surfaces_name).ok()?)
                .ok()?;
        let files = bucket
            .segments
            .iter()
            .map(|id| segment_files(&self.dir, id))
            .collect::<anyhow::Result<Vec<_>>>()
            .ok()?;
        for file in files.into_iter().flatten().chain([surfaces_name]) {
            let from = self.dir.join(&file);
            // Only regular files (a pull request could commit a symlink into the cache).
            if !std::fs::symlink_metadata(&from).ok()?.is_file() {
                return None;
            }
            let to = folder.join(&file);
            if std::fs::hard_link(&from, &to).is_err() {
                std::fs::copy(&from, &to).ok()?;
            }
        }
        Some((
            Bucket {
                fingerprint: bucket.fingerprint.clone(),
                segments: bucket.segments.clone(),
                sids: Vec::new(),
            },
            entries.clone(),
            surfaces,
        ))
    }
}

/// tantivy's entries of the segments of the index in `dir` (from its `meta.json`).
fn segments_of(dir: &Path) -> anyhow::Result<Vec<serde_json::Value>> {
    let meta: serde_json::Value =
        serde_json::from_slice(&crate::output::read_file(dir, "meta.json")?)?;
    match meta.get("segments") {
        Some(serde_json::Value::Array(segments)) => Ok(segments.clone()),
        _ => anyhow::bail!("{} lists no segments", dir.join("meta.json").display()),
    }
}

/// The id of a segment entry of `meta.json`.
fn segment_id(segment: &serde_json::Value) -> anyhow::Result<String> {
    segment
        .get("segment_id")
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("a segment without an id"))
}

/// The files of segment `id` in `dir` (named by the id without dashes, then an extension).
fn segment_files(dir: &Path, id: &str) -> anyhow::Result<Vec<String>> {
    let prefix = format!("{}.", id.replace('-', ""));
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.starts_with(&prefix) {
            files.push(name);
        }
    }
    anyhow::ensure!(!files.is_empty(), "segment {id} has no files");
    Ok(files)
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(ANALYZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text = |stored: bool| {
        let options = TextOptions::default().set_indexing_options(indexing.clone());
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    let title = builder.add_text_field("title", text(true));
    let headings = builder.add_text_field("headings", text(false));
    // Stored for snippets: `handbook search` answers from the index alone.
    let body = builder.add_text_field("body", text(true));
    let tags = builder.add_text_field("tags", text(false));
    let number = NumericOptions::default().set_fast().set_stored();
    let fields = Fields {
        text: [title, headings, body, tags],
        heading: builder.add_text_field("heading", STORED),
        kind: builder.add_text_field("kind", STRING | STORED),
        status: builder.add_text_field("status", STRING | STORED),
        team: builder.add_text_field("team", STRING | STORED),
        author: builder.add_text_field("author", STRING | STORED),
        date: builder.add_text_field("date", STRING | STORED),
        url: builder.add_text_field("url", STRING | STORED),
        sid: builder.add_u64_field("sid", number),
        boost: builder.add_f64_field("boost", NumericOptions::default().set_fast()),
    };
    (builder.build(), fields)
}

/// The analyzer: words are runs of letters and digits, lower-cased, stemmed when the language
/// has a stemmer. `stem: false` gives the surface forms.
fn analyzer(language: Option<Language>, stem: bool) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(LowerCaser)
        .dynamic();
    match language {
        Some(language) if stem => builder.filter_dynamic(Stemmer::new(language)).build(),
        _ => builder.build(),
    }
}

/// The indexed tokens of `text`, as `handbook search` matches them.
pub fn analyze(text: &str, language: Option<Language>) -> Vec<String> {
    tokens(&mut analyzer(language, true), text)
}

fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

fn language_name(language: Option<Language>) -> Option<String> {
    language.map(|l| format!("{l:?}"))
}

fn language_from_name(name: Option<&str>) -> Option<Language> {
    use Language::*;
    [
        Arabic, Danish, Dutch, English, Finnish, French, German, Greek, Hungarian, Italian,
        Norwegian, Portuguese, Romanian, Russian, Spanish, Swedish, Tamil, Turkish,
    ]
    .into_iter()
    .find(|l| Some(format!("{l:?}").as_str()) == name)
}

impl SearchIndex {
    /// Indexes `sections` in memory, or in the empty folder `folder` (staged beside the cache
    /// folder `previous`). In a folder the sections are indexed in buckets of pages
    /// (`plan_buckets`), each its own segments, and a bucket whose sections are the same as
    /// one of the index in `previous` takes that bucket's segment files (hard links) instead
    /// of being indexed again: a build where one page changed indexes one bucket. tantivy
    /// writes the segments to disk as it goes, so an index that is kept is never held in
    /// memory (at 100k pages it is 675 MB). The export reads the same postings however the
    /// sections are split, so its bytes do not depend on the buckets.
    pub fn build(
        sections: &[Section<'_>],
        settings: &Settings,
        fingerprint: u64,
        folder: Option<&Path>,
        previous: Option<&Path>,
    ) -> anyhow::Result<SearchIndex> {
        let (schema, fields) = schema();
        let mut index_settings = tantivy::IndexSettings::default();
        if !settings.compress {
            index_settings.docstore_compression = tantivy::store::Compressor::None;
        }
        let started = std::time::Instant::now();
        let language = language_name(settings.language);
        let planned = plan_buckets(
            sections,
            folder.map(|_| settings.bucket_pages),
            language.as_deref(),
        );
        let (index, buckets, surfaces) = match folder {
            None => {
                let index = Index::create(RamDirectory::create(), schema, index_settings)?;
                let bucket = &planned[0];
                let surfaces =
                    index_sections(&index, &fields, sections, &bucket.sids, settings, 2)?;
                let buckets = vec![Bucket {
                    fingerprint: format!("{:016x}", bucket.fingerprint),
                    segments: Vec::new(),
                    sids: bucket.sids.clone(),
                }];
                (index, buckets, surfaces)
            }
            Some(folder) => {
                let old = previous.and_then(|dir| PreviousIndex::read(dir, language.as_deref()));
                // Each bucket's surfaces are saved beside its segments and added up here as
                // soon as they are made.
                let all_surfaces = Mutex::new(Surfaces::new());
                let made: Vec<(Bucket, Vec<serde_json::Value>, bool)> = planned
                    .par_iter()
                    .enumerate()
                    .map(|(number, bucket)| {
                        let fingerprint = format!("{:016x}", bucket.fingerprint);
                        let reused = old.as_ref().and_then(|old| old.reuse(&fingerprint, folder));
                        if let Some((mut meta, segments, surfaces)) = reused {
                            meta.sids.clone_from(&bucket.sids);
                            add_surfaces(&mut lock(&all_surfaces), surfaces);
                            return Ok((meta, segments, true));
                        }
                        let part = folder.join(format!(".bucket-{number}"));
                        std::fs::create_dir(&part)?;
                        let directory = tantivy::directory::MmapDirectory::open(&part)
                            .with_context(|| format!("opening {}", part.display()))?;
                        let index =
                            Index::create(directory, schema.clone(), index_settings.clone())?;
                        let surfaces =
                            index_sections(&index, &fields, sections, &bucket.sids, settings, 1)?;
                        drop(index);
                        let segments = segments_of(&part)?;
                        let mut ids = Vec::new();
                        for segment in &segments {
                            let id = segment_id(segment)?;
                            for file in segment_files(&part, &id)? {
                                std::fs::rename(part.join(&file), folder.join(&file))?;
                            }
                            ids.push(id);
                        }
                        std::fs::remove_dir_all(&part)?;
                        std::fs::write(
                            folder.join(surfaces_file(&fingerprint)),
                            serde_json::to_vec(&surfaces)?,
                        )?;
                        add_surfaces(&mut lock(&all_surfaces), surfaces);
                        let bucket = Bucket {
                            fingerprint,
                            segments: ids,
                            sids: bucket.sids.clone(),
                        };
                        Ok((bucket, segments, false))
                    })
                    .collect::<anyhow::Result<_>>()?;
                log::debug!(
                    "search: {} buckets, {} reused from the last build",
                    made.len(),
                    made.iter().filter(|(_, _, reused)| *reused).count()
                );
                let mut segments = Vec::new();
                let mut buckets = Vec::new();
                for (bucket, bucket_segments, _) in made {
                    segments.extend(bucket_segments);
                    buckets.push(bucket);
                }
                // tantivy's own meta file, listing every bucket's segments.
                let meta = serde_json::json!({
                    "index_settings": serde_json::to_value(&index_settings)?,
                    "segments": segments,
                    "schema": serde_json::to_value(&schema)?,
                    "opstamp": buckets.len() as u64 + 1,
                });
                std::fs::write(folder.join("meta.json"), serde_json::to_vec_pretty(&meta)?)?;
                let directory = tantivy::directory::MmapDirectory::open(folder)
                    .with_context(|| format!("opening {}", folder.display()))?;
                let surfaces = all_surfaces
                    .into_inner()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                (Index::open(directory)?, buckets, surfaces)
            }
        };
        log::debug!("search: indexed in {:?}", started.elapsed());
        index
            .tokenizers()
            .register(ANALYZER, analyzer(settings.language, true));
        let mut pages: Vec<[String; 3]> = Vec::new();
        for section in sections {
            let page = section.page as usize;
            if pages.len() <= page {
                pages.resize(page + 1, Default::default());
                pages[page] = [
                    section.kind.to_string(),
                    section.status.to_string(),
                    section.team.to_lowercase(),
                ];
            }
        }
        let meta = Meta {
            format: FORMAT,
            fingerprint: format!("{fingerprint:016x}"),
            language,
            surfaces,
            sections: sections.len() as u32,
            pages,
            page_of: sections.iter().map(|section| section.page).collect(),
            buckets,
            stamp: None,
        };
        SearchIndex::from_index(index, folder.map(Path::to_path_buf), fields, meta)
    }

    fn from_index(
        index: Index,
        built_in: Option<PathBuf>,
        fields: Fields,
        meta: Meta,
    ) -> anyhow::Result<SearchIndex> {
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            built_in,
            reader,
            fields,
            meta,
            sids: std::sync::OnceLock::new(),
        })
    }

    /// Reopens the index in `dir` (read into memory; nothing on disk is touched) when it was
    /// built by this version from sources with this `fingerprint`. `Ok(None)` when it is
    /// missing or stale.
    pub fn open(dir: &Path, fingerprint: u64) -> anyhow::Result<Option<SearchIndex>> {
        SearchIndex::open_if(dir, |meta| {
            meta.fingerprint == format!("{fingerprint:016x}")
        })
    }

    /// Reopens the index in `dir` when it was saved with this source `stamp`
    /// ([`crate::load::stamp`]): no need to read the sources to know it is current.
    pub fn open_stamped(dir: &Path, stamp: u64) -> anyhow::Result<Option<SearchIndex>> {
        SearchIndex::open_if(dir, |meta| {
            meta.stamp.as_deref() == Some(format!("{stamp:016x}").as_str())
        })
    }

    /// Records the source stamp the index matches, for [`SearchIndex::open_stamped`].
    pub fn set_stamp(&mut self, stamp: u64) {
        self.meta.stamp = Some(format!("{stamp:016x}"));
    }

    fn open_if(dir: &Path, wanted: impl Fn(&Meta) -> bool) -> anyhow::Result<Option<SearchIndex>> {
        let Ok(meta_bytes) = crate::output::read_file(dir, META_FILE) else {
            return Ok(None);
        };
        let meta: Meta = match serde_json::from_slice(&meta_bytes) {
            Ok(meta) => meta,
            Err(_) => return Ok(None),
        };
        if meta.format != FORMAT || !wanted(&meta) {
            return Ok(None);
        }
        // Mapped, not read: only regular files of a real folder (a pull request could commit a
        // symlink or a pipe into `.handbook/`).
        if !std::fs::symlink_metadata(dir)?.is_dir() {
            return Ok(None);
        }
        for entry in std::fs::read_dir(dir)? {
            if !entry?.file_type()?.is_file() {
                return Ok(None);
            }
        }
        let directory = tantivy::directory::MmapDirectory::open(dir)
            .with_context(|| format!("reading {}", dir.display()))?;
        let index = Index::open(directory).with_context(|| format!("reading {}", dir.display()))?;
        let language = language_from_name(meta.language.as_deref());
        index
            .tokenizers()
            .register(ANALYZER, analyzer(language, true));
        let (_, fields) = schema();
        Ok(Some(SearchIndex::from_index(index, None, fields, meta)?))
    }

    /// Writes `handbook.json` beside tantivy's files in the folder the index was built in, which
    /// is then a complete cache folder (and reopens with [`SearchIndex::open`]).
    pub fn finish(&self) -> anyhow::Result<()> {
        let Some(folder) = &self.built_in else {
            anyhow::bail!("the index was not built in a folder");
        };
        // tantivy leaves its lock files behind (empty; nothing reads them).
        for lock in [".tantivy-writer.lock", ".tantivy-meta.lock"] {
            match std::fs::remove_file(folder.join(lock)) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error)?,
                _ => {}
            }
        }
        std::fs::write(folder.join(META_FILE), serde_json::to_vec(&self.meta)?)?;
        Ok(())
    }

    /// The folder a new index was built in (`None` in memory or when opened from the cache).
    pub(super) fn folder(&self) -> Option<&Path> {
        self.built_in.as_deref()
    }

    pub(super) fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The stemmer language the index was built with.
    pub fn language(&self) -> Option<Language> {
        language_from_name(self.meta.language.as_deref())
    }

    /// Number of sections indexed.
    pub fn sections(&self) -> u32 {
        self.meta.sections
    }

    /// Runs a query: pages ranked by [`rank`](super::rank), the best `limit` with their
    /// sections and snippets, from the index alone. `synonyms` is
    /// [`synonym_table`](super::synonym_table) of the configuration.
    pub fn search(
        &self,
        query: &Query,
        limit: usize,
        synonyms: &BTreeMap<String, Vec<String>>,
    ) -> anyhow::Result<Results> {
        let searcher = self.searcher();
        let scorer = Scorer::new(self, &searcher)?;
        let plan = self.plan(query, synonyms, |stem| scorer.has(stem));
        let mut postings: HashMap<&str, Vec<(u32, u32)>> = HashMap::new();
        for group in &plan.groups {
            for (stem, _) in &group.stems {
                if !postings.contains_key(stem.as_str()) {
                    postings.insert(stem, scorer.impacts(stem)?);
                }
            }
        }
        let groups: Vec<Group<'_>> = plan
            .groups
            .iter()
            .map(|group| Group {
                stems: group
                    .stems
                    .iter()
                    .map(|(stem, weight)| (postings[stem.as_str()].as_slice(), *weight))
                    .collect(),
                required: group.required,
            })
            .collect();
        if plan
            .groups
            .iter()
            .any(|group| group.required && group.stems.is_empty())
            || (!plan.groups.is_empty() && plan.groups.iter().all(|group| group.stems.is_empty()))
        {
            return Ok(Results::default());
        }
        let phrase_sids = self.phrase_sections(&searcher, &plan.phrases)?;
        let (page_of, address) = self.sections_of(&searcher)?;
        let facets = &self.meta.pages;
        let allowed = |page: u32| {
            let Some(values) = facets.get(page as usize) else {
                return false;
            };
            query.filters.iter().all(|filter| {
                let value = match filter.key {
                    "kind" => values[0].as_str(),
                    "status" => values[1].as_str(),
                    _ => values[2].as_str(),
                };
                filter
                    .values
                    .iter()
                    .any(|wanted| wanted.eq_ignore_ascii_case(value))
            })
        };
        let boost = |page: u32| {
            facets
                .get(page as usize)
                .map_or(1.0, |values| f64::from(super::status_boost(&values[1])))
        };
        let holds = |sid: u32| phrase_sids.as_ref().is_none_or(|sids| sids.contains(&sid));
        let found = rank(
            &groups,
            &RankSections {
                page_of: &page_of,
                boost: &boost,
                allowed: &allowed,
                phrases: phrase_sids.as_ref().map(|_| &holds as &dyn Fn(u32) -> bool),
            },
        );
        let total = found.len();
        let language = self.language();
        let fields = &self.fields;
        let stored = |sid: u32| -> anyhow::Result<TantivyDocument> {
            let at = address
                .get(sid as usize)
                .copied()
                .flatten()
                .ok_or_else(|| anyhow::anyhow!("no section {sid} in the index"))?;
            Ok(searcher.doc(at)?)
        };
        let mut hits = Vec::with_capacity(limit.min(total));
        for found in found.into_iter().take(limit) {
            let matched: Vec<&str> = plan
                .groups
                .iter()
                .zip(&found.has)
                .filter(|(_, has)| **has)
                .flat_map(|(group, _)| group.stems.iter().map(|(stem, _)| stem.as_str()))
                .collect();
            let best = stored(found.best)?;
            let title = text(&best, fields.text[0]);
            let heading = text(&best, fields.heading);
            let best_url = text(&best, fields.url);
            let title_stems = analyze(&title, language);
            let in_title = !found.has.is_empty()
                && plan.groups.iter().zip(&found.has).all(|(group, has)| {
                    !has || group
                        .stems
                        .iter()
                        .any(|(stem, _)| title_stems.contains(stem))
                });
            let (url, section) = if in_title || heading.is_empty() {
                (best_url.split('#').next().unwrap_or("").to_string(), None)
            } else {
                (best_url, Some(heading))
            };
            let mut more = Vec::new();
            let mut bodies = vec![text(&best, fields.text[2])];
            for &sid in &found.more {
                let doc = stored(sid)?;
                bodies.push(text(&doc, fields.text[2]));
                let heading = text(&doc, fields.heading);
                if !heading.is_empty() {
                    more.push(SubHit {
                        heading,
                        url: text(&doc, fields.url),
                    });
                }
            }
            let (snippet, highlights) =
                snippet(bodies.iter().map(String::as_str), &matched, language);
            hits.push(Hit {
                title,
                section,
                url,
                kind: text(&best, fields.kind),
                status: text(&best, fields.status),
                team: text(&best, fields.team),
                date: text(&best, fields.date),
                score: (found.value / f64::from(SCALE)) as f32,
                snippet,
                highlights,
                sections: more,
            });
        }
        Ok(Results {
            total,
            hits,
            corrected: plan.corrected,
        })
    }

    /// Each section's page, and where its document is, read from the fast fields.
    fn sections_of(
        &self,
        searcher: &Searcher,
    ) -> anyhow::Result<(Vec<u32>, Vec<Option<tantivy::DocAddress>>)> {
        let count = self.meta.sections as usize;
        let mut address = vec![None; count];
        for (ord, sids) in self.segment_sids(searcher)?.iter().enumerate() {
            for (doc, &sid) in sids.iter().enumerate() {
                if let Some(slot) = address.get_mut(sid as usize) {
                    *slot = Some(tantivy::DocAddress::new(ord as u32, doc as u32));
                }
            }
        }
        let mut page_of = self.meta.page_of.clone();
        page_of.resize(count, 0);
        Ok((page_of, address))
    }

    /// The section number of every document, per segment of `searcher` (in its order), read
    /// from the fast fields on first use.
    pub(super) fn segment_sids(&self, searcher: &Searcher) -> anyhow::Result<&[Vec<u32>]> {
        if let Some(sids) = self.sids.get() {
            return Ok(sids);
        }
        let sids = self.read_segment_sids(searcher)?;
        Ok(self.sids.get_or_init(|| sids))
    }

    fn read_segment_sids(&self, searcher: &Searcher) -> anyhow::Result<Vec<Vec<u32>>> {
        let buckets = &self.meta.buckets;
        let mut bucket_of: HashMap<String, usize> = HashMap::new();
        for (number, bucket) in buckets.iter().enumerate() {
            for id in &bucket.segments {
                bucket_of.insert(id.replace('-', ""), number);
            }
        }
        searcher
            .segment_readers()
            .iter()
            .map(|segment| {
                let id = segment.segment_id().uuid_string().replace('-', "");
                let bucket = match bucket_of.get(&id) {
                    Some(bucket) => &buckets[*bucket],
                    // An index built in memory: one bucket, whatever its segments.
                    None if buckets.len() == 1 && buckets[0].segments.is_empty() => &buckets[0],
                    None => anyhow::bail!("segment {id} of the search index is in no bucket"),
                };
                let column = segment.fast_fields().u64("sid")?.first_or_default_col(0);
                (0..segment.max_doc())
                    .map(|doc| {
                        let local = column.get_val(doc) as usize;
                        bucket.sids.get(local).copied().ok_or_else(|| {
                            anyhow::anyhow!("document {local} of segment {id} has no section")
                        })
                    })
                    .collect()
            })
            .collect()
    }

    /// The groups of `query` (stop words left out, each word with its synonyms and prefix
    /// expansions, a word found nowhere replaced by a close spelling), its phrases and the
    /// corrections made. `exists` says whether a stem is in the index.
    fn plan(
        &self,
        query: &Query,
        synonyms: &BTreeMap<String, Vec<String>>,
        exists: impl Fn(&str) -> bool,
    ) -> Plan {
        let language = self.language();
        let stops = stop_words(language);
        let surfaces = &self.meta.surfaces;
        let is_stop = |word: &str| stops.contains(&word.to_lowercase().as_str());
        let content = query.terms.iter().any(|term| match term {
            Term::Word(word) => !is_stop(word.trim_start_matches('+')),
            _ => true,
        });
        let mut plan = Plan::default();
        for term in &query.terms {
            match term {
                Term::Word(text) => {
                    let (required, text) = match text.strip_prefix('+') {
                        Some(rest) if !rest.is_empty() => (true, rest),
                        _ => (false, text.as_str()),
                    };
                    let lower = text.to_lowercase();
                    if !required && content && is_stop(&lower) {
                        continue;
                    }
                    let stems = analyze(&lower, language);
                    if stems.len() > 1 {
                        // A hyphenated word (`on-call`, often written apart too) needs its
                        // parts; one joined otherwise (`os.walk`, `__init__.py`) needs them in
                        // order, as a phrase.
                        if lower.chars().all(|c| c.is_alphanumeric() || c == '-') {
                            for stem in stems {
                                plan.groups.push(PlannedGroup {
                                    stems: vec![(stem, 2)],
                                    required: true,
                                });
                            }
                        } else {
                            plan.phrase(stems);
                        }
                        continue;
                    }
                    let Some(stem) = stems.into_iter().next() else {
                        continue;
                    };
                    let mut group = PlannedGroup {
                        stems: vec![(stem.clone(), 2)],
                        required,
                    };
                    let table = synonyms.get(&lower).or_else(|| synonyms.get(&stem));
                    for synonym in table.into_iter().flatten() {
                        group.add(synonym, 2);
                    }
                    let plain = lower.chars().all(char::is_alphanumeric);
                    if plain && lower.chars().count() >= MIN_PREFIX {
                        for surface in complete(surfaces, &lower) {
                            group.add(&surfaces[surface].0, 1);
                        }
                    }
                    group.stems.retain(|(stem, _)| exists(stem));
                    if group.stems.is_empty()
                        && plain
                        && let Some(close) = closest_word(surfaces, &lower)
                    {
                        group.add(&surfaces[close].0, 2);
                        plan.corrected.push((lower.clone(), close.to_string()));
                    }
                    plan.groups.push(group);
                }
                Term::Prefix(prefix) => {
                    let mut group = PlannedGroup {
                        stems: Vec::new(),
                        required: false,
                    };
                    for surface in complete(surfaces, prefix) {
                        group.add(&surfaces[surface].0, 2);
                    }
                    plan.groups.push(group);
                }
                Term::Phrase(text) => {
                    let stems = analyze(text, language);
                    if stems.len() == 1 {
                        plan.groups.push(PlannedGroup {
                            stems: vec![(stems[0].clone(), 2)],
                            required: true,
                        });
                    } else if !stems.is_empty() {
                        plan.phrase(stems);
                    }
                }
            }
        }
        plan
    }

    /// Sections holding every phrase (in one field each), or `None` without phrases.
    fn phrase_sections(
        &self,
        searcher: &Searcher,
        phrases: &[Vec<String>],
    ) -> anyhow::Result<Option<std::collections::HashSet<u32>>> {
        if phrases.is_empty() {
            return Ok(None);
        }
        let fields = &self.fields;
        let clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = phrases
            .iter()
            .map(|stems| {
                let per_field: Vec<(Occur, Box<dyn TantivyQuery>)> = fields
                    .text
                    .iter()
                    .map(|field| {
                        let terms = stems
                            .iter()
                            .map(|stem| TantivyTerm::from_field_text(*field, stem))
                            .collect();
                        let query: Box<dyn TantivyQuery> = Box::new(PhraseQuery::new(terms));
                        (Occur::Should, query)
                    })
                    .collect();
                let any: Box<dyn TantivyQuery> = Box::new(BooleanQuery::new(per_field));
                (Occur::Must, any)
            })
            .collect();
        let query = BooleanQuery::new(clauses);
        let everything = (searcher.num_docs() as usize).max(1);
        let matches = searcher.search(&query, &TopDocs::with_limit(everything).order_by_score())?;
        let sids = self.segment_sids(searcher)?;
        Ok(Some(
            matches
                .into_iter()
                .map(|(_, address)| sids[address.segment_ord as usize][address.doc_id as usize])
                .collect(),
        ))
    }
}

/// What a query looks for, before postings are read.
#[derive(Default)]
struct Plan {
    groups: Vec<PlannedGroup>,
    /// Stems of each phrase, in order.
    phrases: Vec<Vec<String>>,
    /// (word as typed, lower-cased; the close spelling searched instead).
    corrected: Vec<(String, String)>,
}

impl Plan {
    /// A phrase: its words are required groups, and a section must hold them in order.
    fn phrase(&mut self, stems: Vec<String>) {
        for stem in &stems {
            self.groups.push(PlannedGroup {
                stems: vec![(stem.clone(), 2)],
                required: true,
            });
        }
        self.phrases.push(stems);
    }
}

/// One group of a plan: stems and their weights.
struct PlannedGroup {
    stems: Vec<(String, u32)>,
    required: bool,
}

impl PlannedGroup {
    /// Adds a stem, keeping the higher weight when it is there already.
    fn add(&mut self, stem: &str, weight: u32) {
        match self.stems.iter_mut().find(|(known, _)| known == stem) {
            Some((_, known)) => *known = (*known).max(weight),
            None => self.stems.push((stem.to_string(), weight)),
        }
    }
}

/// The handbook's word closest to `word` (lower case, at least 4 characters), sharing its
/// first two characters: at most one edit away for words up to 6 characters, two for longer
/// ones (a swap of neighbours is one edit). Ties go to the more frequent word, then the first
/// in order. The browser looks in the same words (the shards of the two-character prefix).
pub fn closest_word<'s>(surfaces: &'s Surfaces, word: &str) -> Option<&'s str> {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < FUZZY_MIN {
        return None;
    }
    let limit = if chars.len() <= 6 { 1 } else { 2 };
    let prefix: String = chars[..2].iter().collect();
    surfaces
        .range(prefix.clone()..)
        .take_while(|(surface, _)| surface.starts_with(&prefix))
        .filter(|(surface, (_, count))| *count > 0 && *surface != word)
        .filter_map(|(surface, (_, count))| {
            let other: Vec<char> = surface.chars().collect();
            if other.len().abs_diff(chars.len()) > limit {
                return None;
            }
            let distance = edit_distance(&chars, &other);
            (distance <= limit).then_some((distance, std::cmp::Reverse(*count), surface.as_str()))
        })
        .min()
        .map(|(_, _, surface)| surface)
}

/// Shortest word [`closest_word`] corrects.
pub const FUZZY_MIN: usize = 4;

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
/// neighbouring characters each cost one.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// A window of about 180 characters of the first of `texts` that holds a matched word, with
/// the byte ranges of the matched words in it; the start of the first text when none does.
fn snippet<'t>(
    texts: impl Iterator<Item = &'t str>,
    stems: &[&str],
    language: Option<Language>,
) -> (String, Vec<(usize, usize)>) {
    let mut first = None;
    for text in texts {
        first.get_or_insert(text);
        if let Some(found) = window(text, stems, language) {
            return found;
        }
    }
    let text = first.unwrap_or("");
    (
        excerpt(text, SNIPPET_CHARS).replace(['\n', '\r', '\t'], " "),
        Vec::new(),
    )
}

/// Characters in a snippet.
const SNIPPET_CHARS: usize = 180;

/// The window of `text` with the most matched words, cut at words; `None` without any.
fn window(
    text: &str,
    stems: &[&str],
    language: Option<Language>,
) -> Option<(String, Vec<(usize, usize)>)> {
    let mut analyzer = analyzer(language, true);
    let mut stream = analyzer.token_stream(text);
    let mut words: Vec<(usize, usize)> = Vec::new();
    while let Some(token) = stream.next() {
        if stems.contains(&token.text.as_str()) {
            words.push((token.offset_from, token.offset_to));
        }
    }
    if words.is_empty() {
        return None;
    }
    // The run of matched words that fits in the window and holds the most of them.
    let mut best = (0, 0);
    let mut end = 0;
    for start in 0..words.len() {
        end = end.max(start);
        while end + 1 < words.len() && words[end + 1].1 - words[start].0 <= SNIPPET_CHARS {
            end += 1;
        }
        if end - start > best.1 - best.0 {
            best = (start, end);
        }
    }
    let (from, to) = (words[best.0].0, words[best.1].1);
    let slack = SNIPPET_CHARS.saturating_sub(to - from);
    let mut start = from.saturating_sub(slack / 3);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    // Start at a word.
    if start > 0
        && !text[..start].ends_with(char::is_whitespace)
        && let Some(space) = text[start..from].find(char::is_whitespace)
    {
        start += space + 1;
    }
    let mut stop = (to + slack - (from - start).min(slack)).min(text.len());
    while !text.is_char_boundary(stop) {
        stop += 1;
    }
    if stop < text.len()
        && let Some(space) = text[to..stop].rfind(char::is_whitespace)
    {
        stop = to + space;
    }
    let piece = text[start..stop].replace(['\n', '\r', '\t'], " ");
    let highlights = words[best.0..=best.1]
        .iter()
        .map(|(a, b)| (a - start, b - start))
        .collect();
    Some((piece, highlights))
}

/// Reads a stem's postings with the weights the export uses, so `handbook search` ranks with
/// the same integers as the browser.
struct Scorer<'s> {
    searcher: &'s Searcher,
    fields: [Field; 4],
    total_docs: u64,
    averages: [f32; 4],
    /// Section number of each document, per segment.
    sids: &'s [Vec<u32>],
}

impl<'s> Scorer<'s> {
    fn new(index: &'s SearchIndex, searcher: &'s Searcher) -> anyhow::Result<Scorer<'s>> {
        let fields = &index.fields;
        let segments = searcher.segment_readers();
        let total_docs: u64 = segments.iter().map(|s| u64::from(s.max_doc())).sum();
        let mut averages = [0f32; 4];
        for (number, field) in fields.text.iter().enumerate() {
            let mut tokens = 0u64;
            for segment in segments {
                tokens += segment.inverted_index(*field)?.total_num_tokens();
            }
            averages[number] = tokens as f32 / total_docs.max(1) as f32;
        }
        let sids = index.segment_sids(searcher)?;
        Ok(Scorer {
            searcher,
            fields: fields.text,
            total_docs,
            averages,
            sids,
        })
    }

    /// Whether any section holds `stem`.
    fn has(&self, stem: &str) -> bool {
        self.fields.iter().any(|field| {
            let term = TantivyTerm::from_field_text(*field, stem);
            self.searcher.segment_readers().iter().any(|segment| {
                segment
                    .inverted_index(*field)
                    .is_ok_and(|index| index.get_term_info(&term).ok().flatten().is_some())
            })
        })
    }

    /// `(section, impact)` of `stem`, in section order, as the export computes them.
    fn impacts(&self, stem: &str) -> anyhow::Result<Vec<(u32, u32)>> {
        let mut scores: Vec<(u32, f32)> = Vec::new();
        for (number, field) in self.fields.iter().enumerate() {
            let term = TantivyTerm::from_field_text(*field, stem);
            let mut places = Vec::new();
            for (place, segment) in self.searcher.segment_readers().iter().enumerate() {
                let index = segment.inverted_index(*field)?;
                if let Some(info) = index.get_term_info(&term)? {
                    places.push((place, index, info));
                }
            }
            let frequency: u64 = places
                .iter()
                .map(|(_, _, info)| u64::from(info.doc_freq))
                .sum();
            if frequency == 0 {
                continue;
            }
            let weight = Bm25Weight::for_one_term_without_explain(
                frequency,
                self.total_docs,
                self.averages[number],
            )
            .boost_by(BOOSTS[number]);
            for (place, index, info) in places {
                let segment = &self.searcher.segment_readers()[place];
                let norms = segment.get_fieldnorms_reader(*field)?;
                let mut postings =
                    index.read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
                while postings.doc() != TERMINATED {
                    let doc = postings.doc();
                    let sid = self.sids[place][doc as usize];
                    scores.push((
                        sid,
                        weight.score(norms.fieldnorm_id(doc), postings.term_freq()),
                    ));
                    postings.advance();
                }
            }
        }
        Ok(quantize(scores))
    }
}

/// Marks the index saved in `root/rel` as built from sources with `stamp`, when it is the
/// index of `fingerprint` (a build that reused it from the render cache, after a checkout that
/// touched every file). Only its metadata file is rewritten; failures are left to the next
/// build.
pub fn restamp(root: &Path, rel: &str, fingerprint: u64, stamp: u64) {
    let dir = root.join(rel);
    let Ok(bytes) = crate::output::read_file(&dir, META_FILE) else {
        return;
    };
    let Ok(mut meta) = serde_json::from_slice::<Meta>(&bytes) else {
        return;
    };
    let stamp = format!("{stamp:016x}");
    if meta.fingerprint != format!("{fingerprint:016x}") || meta.stamp.as_deref() == Some(&stamp) {
        return;
    }
    meta.stamp = Some(stamp);
    if let Err(error) = crate::output::save_json(root, &dir.join(META_FILE), &meta) {
        log::warn!("could not update {}: {error}", dir.display());
    }
}

/// A stored text field's first value, or `""`.
pub(super) fn text(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field)
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Impacts are stored in units of 1/`SCALE`: the export's postings and `handbook search`'s
/// scores are the same integers.
pub const SCALE: f32 = 100.0;

/// A stem's impacts from its scores per field occurrence, given field by field: summed per
/// section (in field order, so sums are the same on every build and in `handbook search`),
/// in units of 1/[`SCALE`], at least 1. Sorted by section.
pub fn quantize(mut scores: Vec<(u32, f32)>) -> Vec<(u32, u32)> {
    // One sorted run per field: a stable sort merges them, and adds a section's field scores
    // in field order.
    scores.sort_by_key(|(sid, _)| *sid);
    let mut summed: Vec<(u32, f32)> = Vec::with_capacity(scores.len());
    for (sid, score) in scores {
        match summed.last_mut() {
            Some((last, total)) if *last == sid => *total += score,
            _ => summed.push((sid, score)),
        }
    }
    summed
        .into_iter()
        .map(|(sid, score)| (sid, ((score * SCALE).round() as u32).max(1)))
        .collect()
}

/// The first `max` characters of `text`, cut at a word boundary, with `…` when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    // Words joined by single spaces, read only until past `max` characters: sections run to
    // megabytes, and this is called once per section.
    let mut joined = String::with_capacity(max.min(text.len()) + 16);
    let mut chars = 0;
    let mut longer = false;
    for word in text.split_whitespace() {
        if !joined.is_empty() {
            joined.push(' ');
            chars += 1;
        }
        joined.push_str(word);
        chars += word.chars().count();
        if chars > max {
            longer = true;
            break;
        }
    }
    if !longer {
        return joined;
    }
    let text = joined;
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > max / 2 => &cut[..space],
        _ => &cut,
    };
    format!("{}…", cut.trim_end_matches(|c: char| !c.is_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_spellings_come_from_the_handbook_words_with_the_same_start() {
        let mut surfaces = Surfaces::new();
        for (word, count) in [
            ("deploy", 9),
            ("deploys", 3),
            ("depot", 2),
            ("delay", 5),
            ("kubernetes", 4),
        ] {
            surfaces.insert(word.into(), (word.into(), count));
        }
        assert_eq!(
            closest_word(&surfaces, "deplyo"),
            Some("deploy"),
            "a swap is one edit"
        );
        assert_eq!(closest_word(&surfaces, "kubrenetes"), Some("kubernetes"));
        assert_eq!(closest_word(&surfaces, "kubernets"), Some("kubernetes"));
        assert_eq!(closest_word(&surfaces, "dep"), None, "too short to guess");
        assert_eq!(
            closest_word(&surfaces, "xeploy"),
            None,
            "the first two letters must match"
        );
        assert_eq!(
            closest_word(&surfaces, "deplxx"),
            None,
            "two edits in a short word"
        );
        assert_eq!(edit_distance(&['a', 'b'], &['b', 'a']), 1);
    }

    #[test]
    fn snippets_are_windows_around_the_matched_words() {
        let text = format!(
            "{} the rollback takes two minutes. {}",
            "filler ".repeat(60),
            "more ".repeat(60)
        );
        let (snippet, highlights) = window(&text, &["rollback"], Some(Language::English)).unwrap();
        assert!(snippet.contains("rollback takes two minutes"), "{snippet}");
        assert!(snippet.chars().count() <= SNIPPET_CHARS + 10, "{snippet}");
        assert_eq!(highlights.len(), 1);
        let (start, end) = highlights[0];
        assert_eq!(&snippet[start..end], "rollback");
        assert!(window("nothing here", &["rollback"], Some(Language::English)).is_none());
    }

    #[test]
    fn an_index_built_in_a_staged_folder_reopens_from_the_cache_folder() {
        let section = Section::plain(0, "Deploying safely", "We deploy on weekdays.", "deploys/");
        let settings = Settings {
            language: Some(Language::English),
            compress: true,
            bucket_pages: BUCKET_PAGES,
        };
        let dir = tempfile::tempdir().unwrap();
        let staged = crate::output::StagedDir::new(dir.path(), "cache").unwrap();
        let mut index = SearchIndex::build(
            std::slice::from_ref(&section),
            &settings,
            7,
            Some(staged.path()),
            None,
        )
        .unwrap();
        index.set_stamp(42);
        index.finish().unwrap();
        drop(index);
        staged.commit().unwrap();
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            ["cache"],
            "the staged folder is renamed, nothing left beside it"
        );
        let cache = dir.path().join("cache");
        let reopened = SearchIndex::open(&cache, 7)
            .unwrap()
            .expect("fresh index reopens");
        let results = reopened
            .search(&Query::parse("deployment"), 5, &BTreeMap::new())
            .unwrap();
        assert_eq!(results.hits.len(), 1);
        assert_eq!(results.hits[0].url, "deploys/");
        assert!(
            results.hits[0].snippet.contains("deploy"),
            "{:?}",
            results.hits[0]
        );
        assert!(SearchIndex::open_stamped(&cache, 42).unwrap().is_some());
        assert!(SearchIndex::open_stamped(&cache, 43).unwrap().is_none());
        assert!(
            SearchIndex::open(&cache, 8).unwrap().is_none(),
            "another fingerprint is stale"
        );
    }

    #[test]
    fn english_analyzer_lowercases_and_stems() {
        assert_eq!(
            analyze("Deploying the On-Call rotations", Some(Language::English)),
            vec!["deploy", "the", "on", "call", "rotat"]
        );
        assert_eq!(analyze("Déjà vu", None), vec!["déjà", "vu"]);
    }
}
