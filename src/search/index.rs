//! The tantivy index: schema, the `handbook` analyzer, building in memory, persisting as output
//! files, reopening from the output folder, and running a [`Query`].

use std::collections::HashMap;
use std::io::Write as _;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::ThreadId;
use tantivy::directory::TerminatingWrite as _;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::directory::{Directory, RamDirectory};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query as TantivyQuery, TermQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, STORED, STRING, Schema, TantivyDocument,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher, Term as TantivyTerm};

use super::query::{Query, Term};
use super::{BOOSTS, Hit, INDEX_DIR, Results, Section, Settings, Surfaces, complete};
use crate::output::OutputFile;
use crate::render::Sink;

/// Name of the analyzer in the tantivy index.
const ANALYZER: &str = "handbook";
/// Words longer than this many bytes are not indexed (tantivy's `RemoveLongFilter`).
pub const MAX_WORD_BYTES: usize = 40;
/// Our own file in the index folder: fingerprint, language and the surface-form table.
const META_FILE: &str = "handbook.json";
/// Bumped when the schema or the meaning of the index changes.
const FORMAT: u32 = 3;
/// Characters of section text stored for the browser's snippets.
pub const EXCERPT_CHARS: usize = 240;

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

/// What one query term must match: groups of stems (any stem of a group matches; every
/// group must), and the stems of a phrase, in order.
type Groups = (Vec<Vec<String>>, Option<Vec<String>>);

/// A built or reopened index, ready to query and export.
pub struct SearchIndex {
    index: Index,
    /// The files behind `index` (a clone shares them), read with their footers.
    ram: RamDirectory,
    reader: IndexReader,
    pub(super) fields: Fields,
    pub(super) meta: Meta,
}

/// Schema fields.
pub(super) struct Fields {
    /// title, headings, body, tags, in `BOOSTS` order.
    pub text: [Field; 4],
    pub heading: Field,
    /// The start of the section text, cut at a word (the browser's snippet).
    pub excerpt: Field,
    pub kind: Field,
    pub status: Field,
    pub team: Field,
    pub author: Field,
    pub date: Field,
    pub url: Field,
    pub sid: Field,
    pub page: Field,
    /// The decision-status factor (`Section::boost`).
    pub boost: Field,
}

/// What we keep beside tantivy's files.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Meta {
    pub format: u32,
    pub fingerprint: String,
    pub language: Option<String>,
    /// Surface form → (stem, occurrences).
    pub surfaces: Surfaces,
    pub sections: u32,
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
    let body = builder.add_text_field("body", text(false));
    let tags = builder.add_text_field("tags", text(false));
    let number = NumericOptions::default().set_fast().set_stored();
    let fields = Fields {
        text: [title, headings, body, tags],
        heading: builder.add_text_field("heading", STORED),
        excerpt: builder.add_text_field("excerpt", STORED),
        kind: builder.add_text_field("kind", STRING | STORED),
        status: builder.add_text_field("status", STRING | STORED),
        team: builder.add_text_field("team", STRING | STORED),
        author: builder.add_text_field("author", STRING | STORED),
        date: builder.add_text_field("date", STRING | STORED),
        url: builder.add_text_field("url", STRING | STORED),
        sid: builder.add_u64_field("sid", number.clone()),
        page: builder.add_u64_field("page", number),
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
    /// Indexes `sections` in memory.
    pub fn build(
        sections: &[Section<'_>],
        settings: &Settings,
        fingerprint: u64,
    ) -> anyhow::Result<SearchIndex> {
        let (schema, fields) = schema();
        let ram = RamDirectory::create();
        let index = Index::create(ram.clone(), schema, tantivy::IndexSettings::default())?;
        let started = std::time::Instant::now();
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
        let mut writer = index.writer_with_num_threads(2, 256 << 20)?;
        // The export reads any number of segments; merging them would only cost time and, while
        // a merge's output and inputs are both in the RAM directory, memory.
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        for (sid, section) in sections.iter().enumerate() {
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
            // The browser's snippet; the terminal's comes from the section text itself.
            doc.add_text(
                fields.excerpt,
                super::export::excerpt(&section.body, EXCERPT_CHARS),
            );
            doc.add_text(fields.heading, section.heading.as_deref().unwrap_or(""));
            doc.add_text(fields.kind, &section.kind);
            doc.add_text(fields.status, &section.status);
            doc.add_text(fields.team, section.team.to_lowercase());
            doc.add_text(fields.author, &section.author);
            doc.add_text(fields.date, &section.date);
            doc.add_text(fields.url, &section.url);
            doc.add_u64(fields.sid, sid as u64);
            doc.add_u64(fields.page, u64::from(section.page));
            doc.add_f64(fields.boost, f64::from(section.boost()));
            writer.add_document(doc)?;
        }
        let added = started.elapsed();
        writer.commit()?;
        writer.wait_merging_threads()?;
        log::debug!(
            "search: documents added in {added:?}, committed at {:?}",
            started.elapsed()
        );
        index
            .tokenizers()
            .register(ANALYZER, analyzer(settings.language, true));
        let surfaces = learnt.words();
        let meta = Meta {
            format: FORMAT,
            fingerprint: format!("{fingerprint:016x}"),
            language: language_name(settings.language),
            surfaces,
            sections: sections.len() as u32,
        };
        SearchIndex::from_index(index, ram, fields, meta)
    }

    fn from_index(
        index: Index,
        ram: RamDirectory,
        fields: Fields,
        meta: Meta,
    ) -> anyhow::Result<SearchIndex> {
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            ram,
            reader,
            fields,
            meta,
        })
    }

    /// Reopens the index in `dir` (read into memory; nothing on disk is touched) when it was
    /// built by this version from sources with this `fingerprint`. `Ok(None)` when it is
    /// missing or stale.
    pub fn open(dir: &Path, fingerprint: u64) -> anyhow::Result<Option<SearchIndex>> {
        let Ok(meta_bytes) = std::fs::read(dir.join(META_FILE)) else {
            return Ok(None);
        };
        let meta: Meta = match serde_json::from_slice(&meta_bytes) {
            Ok(meta) => meta,
            Err(_) => return Ok(None),
        };
        if meta.format != FORMAT || meta.fingerprint != format!("{fingerprint:016x}") {
            return Ok(None);
        }
        let ram = RamDirectory::create();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name == META_FILE || name.starts_with(".tantivy") || !entry.file_type()?.is_file() {
                continue;
            }
            let bytes = std::fs::read(entry.path())?;
            let path = PathBuf::from(name);
            if name == "meta.json" || name == ".managed.json" {
                ram.atomic_write(&path, &bytes)?;
            } else {
                let mut writer = ram.open_write(&path)?;
                writer.write_all(&bytes)?;
                writer.terminate()?;
            }
        }
        let index =
            Index::open(ram.clone()).with_context(|| format!("reading {}", dir.display()))?;
        let language = language_from_name(meta.language.as_deref());
        index
            .tokenizers()
            .register(ANALYZER, analyzer(language, true));
        let (_, fields) = schema();
        Ok(Some(SearchIndex::from_index(index, ram, fields, meta)?))
    }

    /// The index as output files under `search/index/`, each passed through `sink` as soon as it
    /// is copied out of memory.
    pub fn files(&self, sink: Sink) -> anyhow::Result<Vec<OutputFile>> {
        let mut names: Vec<PathBuf> = self
            .index
            .directory()
            .list_managed_files()
            .into_iter()
            .collect();
        names.push(PathBuf::from("meta.json"));
        names.push(PathBuf::from(".managed.json"));
        names.sort();
        names.dedup();
        let mut files = Vec::new();
        for name in names {
            let Some(text) = name.to_str() else { continue };
            if text.starts_with(".tantivy") || !self.ram.exists(&name)? {
                continue;
            }
            let bytes = self.ram.open_read(&name)?.read_bytes()?.as_slice().to_vec();
            files.push(sink(OutputFile::bytes(
                format!("{INDEX_DIR}/{text}"),
                bytes,
            )));
        }
        files.push(sink(OutputFile::bytes(
            format!("{INDEX_DIR}/{META_FILE}"),
            serde_json::to_vec(&self.meta)?,
        )));
        Ok(files)
    }

    pub(super) fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    pub(super) fn language(&self) -> Option<Language> {
        language_from_name(self.meta.language.as_deref())
    }

    /// Number of sections indexed.
    pub fn sections(&self) -> u32 {
        self.meta.sections
    }

    /// Stems that `term` must match, one group per word (any stem of a group matches), and
    /// the phrase (stems in order) when the term is one. `None` when nothing can match.
    fn groups(&self, term: &Term) -> Option<Groups> {
        let language = self.language();
        match term {
            Term::Word(text) | Term::Phrase(text) => {
                let stems = analyze(text, language);
                let phrase = (stems.len() > 1).then(|| stems.clone());
                Some((stems.into_iter().map(|s| vec![s]).collect(), phrase))
            }
            Term::Prefix(prefix) => {
                let mut stems: Vec<String> = Vec::new();
                for surface in complete(&self.meta.surfaces, prefix) {
                    let stem = &self.meta.surfaces[surface].0;
                    if !stems.contains(stem) {
                        stems.push(stem.clone());
                    }
                }
                if stems.is_empty() {
                    return None;
                }
                Some((vec![stems], None))
            }
        }
    }

    /// Runs a query: pages ranked by their best section, the best `limit` with snippets.
    /// `sections` are the ones the index was built from, for snippets.
    pub fn search(
        &self,
        query: &Query,
        limit: usize,
        sections: &[Section<'_>],
    ) -> anyhow::Result<Results> {
        let fields = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        let mut scored = false;
        for term in &query.terms {
            let Some((groups, phrase)) = self.groups(term) else {
                return Ok(Results::default());
            };
            for stems in groups {
                let mut should: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
                for stem in &stems {
                    for (field, boost) in fields.text.iter().zip(BOOSTS) {
                        let term = TantivyTerm::from_field_text(*field, stem);
                        let query = TermQuery::new(term, IndexRecordOption::WithFreqs);
                        should.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(Box::new(query), boost)),
                        ));
                    }
                }
                clauses.push((Occur::Must, Box::new(BooleanQuery::new(should))));
                scored = true;
            }
            if let Some(stems) = phrase {
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
                let any = BooleanQuery::new(per_field);
                clauses.push((
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(Box::new(any), 0.0)),
                ));
            }
        }
        for filter in &query.filters {
            let field = match filter.key {
                "kind" => fields.kind,
                "status" => fields.status,
                _ => fields.team,
            };
            let any: Vec<(Occur, Box<dyn TantivyQuery>)> = filter
                .values
                .iter()
                .map(|value| {
                    let term = TantivyTerm::from_field_text(field, value);
                    let query: Box<dyn TantivyQuery> =
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                    (Occur::Should, query)
                })
                .collect();
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(any)), 0.0)),
            ));
        }
        if clauses.is_empty() {
            return Ok(Results::default());
        }
        let tantivy_query: Box<dyn TantivyQuery> = Box::new(BooleanQuery::new(clauses));
        let searcher = self.searcher();
        let everything = (searcher.num_docs() as usize).max(1);
        let matches = searcher.search(
            &*tantivy_query,
            &TopDocs::with_limit(everything).order_by_score(),
        )?;
        // Best section per page: (score, sid, address).
        // Per segment: section number, page number and status factor, read from fast fields so
        // ranking loads no stored documents.
        let columns = searcher
            .segment_readers()
            .iter()
            .map(|reader| {
                let fast = reader.fast_fields();
                Ok((
                    fast.u64("sid")?.first_or_default_col(0),
                    fast.u64("page")?.first_or_default_col(0),
                    fast.f64("boost")?.first_or_default_col(1.0),
                ))
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        // Best section per page (score × status factor, then lower section number).
        let mut best: HashMap<u64, (f32, u64, DocAddress)> = HashMap::new();
        for (score, address) in matches {
            let (sids, pages, boosts) = &columns[address.segment_ord as usize];
            let score = if scored { score } else { 0.0 };
            let boosted = score * boosts.get_val(address.doc_id) as f32;
            let candidate = (boosted, sids.get_val(address.doc_id), address);
            best.entry(pages.get_val(address.doc_id))
                .and_modify(|current| {
                    if candidate.0 > current.0
                        || (candidate.0 == current.0 && candidate.1 < current.1)
                    {
                        *current = candidate;
                    }
                })
                .or_insert(candidate);
        }
        // Rank pages: score, then section number.
        let mut ranked: Vec<(f32, u64, DocAddress)> = best.into_values().collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let total = ranked.len();
        ranked.truncate(limit);
        let mut snippets = SnippetGenerator::create(&searcher, &*tantivy_query, fields.text[2])?;
        snippets.set_max_num_chars(180);
        let mut hits = Vec::with_capacity(ranked.len());
        for (score, sid, address) in ranked {
            let doc: TantivyDocument = searcher.doc(address)?;
            let url = text(&doc, fields.url);
            let body = sections
                .get(sid as usize)
                .map_or_else(|| text(&doc, fields.excerpt), |s| s.body.to_string());
            let snippet = snippets.snippet(&body);
            let (snippet_text, highlights) = if snippet.highlighted().is_empty() {
                // (newlines become spaces below; one byte each, so ranges stay valid)
                (super::export::excerpt(&body, 180), Vec::new())
            } else {
                (
                    snippet.fragment().to_string(),
                    snippet
                        .highlighted()
                        .iter()
                        .map(|range| (range.start, range.end))
                        .collect(),
                )
            };
            let heading = text(&doc, fields.heading);
            hits.push(Hit {
                title: text(&doc, fields.text[0]),
                section: (!heading.is_empty()).then_some(heading),
                url,
                kind: text(&doc, fields.kind),
                status: text(&doc, fields.status),
                team: text(&doc, fields.team),
                date: text(&doc, fields.date),
                score,
                snippet: snippet_text.replace(['\n', '\r', '\t'], " "),
                highlights,
            });
        }
        Ok(Results { total, hits })
    }
}

/// A stored text field's first value, or `""`.
pub(super) fn text(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field)
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_survives_the_round_trip_through_output_files() {
        let section = Section {
            page: 0,
            title: "Deploying safely".into(),
            heading: None,
            headings: String::new(),
            body: "We deploy on weekdays.".into(),
            tags: String::new(),
            kind: "page".into(),
            status: String::new(),
            team: String::new(),
            author: String::new(),
            date: String::new(),
            url: "deploys/".into(),
        };
        let settings = Settings {
            language: Some(Language::English),
        };
        let index = SearchIndex::build(&[section], &settings, 7).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for file in index.files(&|file: OutputFile| file).unwrap() {
            let path = dir.path().join(&file.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let crate::output::Content::Bytes(bytes) = file.content else {
                panic!("index files are bytes")
            };
            std::fs::write(path, bytes).unwrap();
        }
        let reopened = SearchIndex::open(&dir.path().join(INDEX_DIR), 7)
            .unwrap()
            .expect("fresh index reopens");
        let results = reopened
            .search(&Query::parse("deployment"), 5, &[])
            .unwrap();
        assert_eq!(results.hits.len(), 1);
        assert_eq!(results.hits[0].url, "deploys/");
        assert!(
            SearchIndex::open(&dir.path().join(INDEX_DIR), 8)
                .unwrap()
                .is_none(),
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
