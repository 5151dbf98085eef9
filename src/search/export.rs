//! The static export of the tantivy index for the browser client. It reads the committed index,
//! so the browser ranks with the same BM25 numbers as `handbook search`.
//!
//! Every file is a classic script that calls `handbookSearch.load(name, data)`, so one format
//! loads over HTTP and from `file://` (where `fetch` is blocked):
//!
//! ```text
//! search/manifest.js     shard table (the keys of each file), facet names, constants
//! search/facets.js       per page, as VLQ digits: section counts, then kind, status and team
//!                        codes as runs of `(code, pages)`
//! search/t/<n>.js        surface form → stem; stem → doc count, tier bounds, impact-ordered
//!                        head postings and the packs holding its deeper tiers; the
//!                        completions of split prefixes whose lowest file this is
//! search/t/<k>.<tier>.js tier pack `k`: the next tier of several stems' posting lists, packed
//!                        up to `PACK_BYTES`, fetched only when heads cannot prove the top
//!                        results (a query fetches its own stems' tiers, not a shard's)
//! search/p/<n>.js        positions, fetched only for phrases
//! search/d/<n>.js        per section: heading, anchor, excerpt; per page: title, url, date,
//!                        title stems
//! search/bundle.js       all of the above in one file, written instead for small sites
//! ```
//!
//! A posting's impact is the section's whole score for the stem (BM25 per field × boost,
//! summed over fields) in hundredths, so the client only adds integers.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use tantivy::postings::Postings;
use tantivy::query::Bm25Weight;
use tantivy::schema::{IndexRecordOption, TantivyDocument};
use tantivy::{DocSet, TERMINATED};

use super::index::{SearchIndex, text};
use super::{BOOSTS, DIR, MIN_PREFIX, PREFIX_EXPANSIONS, complete, status_boost};
use crate::output::OutputFile;
use crate::output::Sink;

/// The row of a section the index does not have (never written in practice).
static EMPTY_SECTION: [String; 3] = [String::new(), String::new(), String::new()];

/// Impacts are stored in units of 1/`SCALE`.
pub const SCALE: f32 = 100.0;
/// Postings per tier, by impact: the head (with the shard), then deeper tiers four times the
/// last, then the rest. A query loads a stem's next tier only while the loaded ones cannot
/// prove its top results, so a common word costs the tiers it needs, not its whole list.
const TIERS: [usize; 4] = [128, 1024, 4096, 16384];
/// Tiers after the head (the last holds the rest).
const DEEPER: usize = TIERS.len();
/// Target size of one term shard file, in bytes.
const SHARD_BYTES: usize = 8 * 1024;
/// Target size of one tier pack, in bytes (a stem's tier larger than this is a pack alone).
const PACK_BYTES: usize = 4 * 1024;
/// Version of the export's layout; the client refuses another (a theme ejected from an older
/// handbook, or a cached script beside newer data).
pub const FORMAT: u32 = 4;
/// Longest shard key, in characters.
const MAX_KEY: usize = 4;
/// Sections per metadata chunk.
const CHUNK: usize = 16;
/// Below this total, everything goes into `bundle.js`.
const BUNDLE_BYTES: usize = 64 * 1024;
/// Digits of the variable-length numbers in posting strings: 5 bits each, 32 = "more follows".
const VLQ: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Appends `n` in VLQ digits.
fn vlq(out: &mut String, mut n: u32) {
    loop {
        let mut digit = n & 31;
        n >>= 5;
        if n > 0 {
            digit |= 32;
        }
        out.push(VLQ[digit as usize] as char);
        if n == 0 {
            break;
        }
    }
}

/// Where a stem's postings are: (text field number, segment, term info).
type TermPlace = (usize, usize, tantivy::postings::TermInfo);

/// Sections with a stem in one field: the sum of its document frequencies over segments.
fn frequency_of(run: &[TermPlace]) -> u64 {
    run.iter()
        .map(|(_, _, info)| u64::from(info.doc_freq))
        .sum()
}

/// One stem's postings over all fields.
#[derive(Default)]
struct StemPostings {
    /// (section, score) per field occurrence; summed per section when encoded.
    scores: Vec<(u32, f32)>,
    /// VLQ groups `field, sections, (section delta, count, position deltas…)…`.
    positions: String,
}

/// Exports the index as the browser's static files, passing each through `sink` as soon as it
/// is made (at 100k pages they are most of a GiB; the sink writes them and drops the bytes).
pub fn export(
    index: &SearchIndex,
    sink: Sink,
    synonyms: &BTreeMap<String, Vec<String>>,
    labels: &super::Labels,
) -> anyhow::Result<Vec<OutputFile>> {
    let language = index.language();
    let started = std::time::Instant::now();
    let searcher = index.searcher();
    let fields = &index.fields;
    let segments = searcher.segment_readers();
    // Section number of every document, per segment: read once, then looked up while merging.
    let sids = segments
        .iter()
        .map(|segment| {
            let column = segment.fast_fields().u64("sid")?.first_or_default_col(0);
            Ok((0..segment.max_doc())
                .map(|doc| column.get_val(doc) as u32)
                .collect::<Vec<u32>>())
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let total_docs: u64 = segments.iter().map(|s| u64::from(s.max_doc())).sum();
    // Each stem's term info in every field and segment that has it, in field order.
    let mut terms: BTreeMap<String, Vec<TermPlace>> = BTreeMap::new();
    let mut inverted = Vec::with_capacity(fields.text.len());
    let mut norms = Vec::with_capacity(fields.text.len());
    let mut averages = Vec::with_capacity(fields.text.len());
    for (number, field) in fields.text.iter().enumerate() {
        let mut field_inverted = Vec::with_capacity(segments.len());
        let mut field_norms = Vec::with_capacity(segments.len());
        for (place, segment) in segments.iter().enumerate() {
            let index = segment.inverted_index(*field)?;
            let mut stream = index.terms().stream()?;
            while stream.advance() {
                if let Ok(stem) = std::str::from_utf8(stream.key()) {
                    let info = stream.value().clone();
                    match terms.get_mut(stem) {
                        Some(places) => places.push((number, place, info)),
                        None => {
                            terms.insert(stem.to_string(), vec![(number, place, info)]);
                        }
                    }
                }
            }
            field_inverted.push(index);
            field_norms.push(segment.get_fieldnorms_reader(*field)?);
        }
        let tokens: u64 = field_inverted
            .iter()
            .map(|index| index.total_num_tokens())
            .sum();
        averages.push(tokens as f32 / total_docs.max(1) as f32);
        inverted.push(field_inverted);
        norms.push(field_norms);
    }
    // BM25 as tantivy's `TermQuery` scores: a stem's weight in a field depends only on its
    // document frequency there, and most stems share a small one, so weights are made once per
    // field and frequency.
    let mut frequencies: std::collections::BTreeSet<(usize, u64)> = Default::default();
    for places in terms.values() {
        for run in places.chunk_by(|a, b| a.0 == b.0) {
            frequencies.insert((run[0].0, frequency_of(run)));
        }
    }
    let weights: HashMap<(usize, u64), Bm25Weight> = frequencies
        .into_iter()
        .map(|(number, frequency)| {
            let weight =
                Bm25Weight::for_one_term_without_explain(frequency, total_docs, averages[number])
                    .boost_by(BOOSTS[number]);
            ((number, frequency), weight)
        })
        .collect();
    // Each stem is read in every field and encoded at once, so only the encoded postings
    // are ever held for all stems (at 100k pages the raw ones were over a GiB more).
    let terms: Vec<(String, Vec<TermPlace>)> = terms.into_iter().collect();
    let encoded: Vec<(String, StemFiles)> = terms
        .into_par_iter()
        .map(|(stem, places)| -> anyhow::Result<_> {
            let mut postings = StemPostings::default();
            for run in places.chunk_by(|a, b| a.0 == b.0) {
                let number = run[0].0;
                let weight = weights
                    .get(&(number, frequency_of(run)))
                    .ok_or_else(|| anyhow::anyhow!("no BM25 weight for `{stem}`"))?;
                let mut cursors = run
                    .iter()
                    .map(|(_, place, info)| {
                        let postings = inverted[number][*place].read_postings_from_terminfo(
                            info,
                            IndexRecordOption::WithFreqsAndPositions,
                        )?;
                        Ok((*place, postings))
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?;
                let mut body = String::new();
                let mut places = Vec::new();
                let mut last_sid = 0;
                let first = postings.scores.len();
                // Segments split the sections between indexing threads: merge their postings
                // by section, so the export is the same however the documents were split.
                loop {
                    let next = cursors
                        .iter()
                        .enumerate()
                        .filter(|(_, (_, postings))| postings.doc() != TERMINATED)
                        .min_by_key(|(_, (place, postings))| sids[*place][postings.doc() as usize])
                        .map(|(at, _)| at);
                    let Some(at) = next else { break };
                    let (place, cursor) = &mut cursors[at];
                    let doc = cursor.doc();
                    let sid = sids[*place][doc as usize];
                    let freq = cursor.term_freq();
                    let norm = norms[number][*place].fieldnorm_id(doc);
                    postings.scores.push((sid, weight.score(norm, freq)));
                    cursor.positions(&mut places);
                    vlq(&mut body, sid.wrapping_sub(last_sid));
                    vlq(&mut body, places.len() as u32);
                    let mut last = 0;
                    for &place in &places {
                        vlq(&mut body, place - last);
                        last = place;
                    }
                    last_sid = sid;
                    cursor.advance();
                }
                vlq(&mut postings.positions, number as u32);
                vlq(
                    &mut postings.positions,
                    (postings.scores.len() - first) as u32,
                );
                postings.positions.push_str(&body);
            }
            Ok((stem, encode_stem(postings)))
        })
        .collect::<anyhow::Result<_>>()?;
    log::debug!(
        "export: postings of {} segments read and encoded at {:?}",
        searcher.segment_readers().len(),
        started.elapsed()
    );

    // Shard entries: surfaces and stems share one key space.
    let surfaces = &index.meta.surfaces;
    let plan = {
        let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
        for (surface, (stem, _)) in surfaces {
            *sizes.entry(surface).or_default() += surface.len() + stem.len() + 12;
        }
        for (stem, files) in &encoded {
            *sizes.entry(stem).or_default() += stem.len() + files.head.len() + 4;
        }
        plan_shards(&sizes)
    };

    // Prefix completions for keys that were split (their words span several shards): each goes
    // into the lowest-numbered file holding one of its keys, where the client looks for it.
    let mut completions: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
    for prefix in plan
        .split
        .iter()
        .filter(|prefix| prefix.chars().count() >= MIN_PREFIX)
    {
        // Keys are sorted, so those starting with the prefix are one run from its place.
        let from = plan
            .keys
            .partition_point(|(key, _)| key.as_str() < prefix.as_str());
        let Some(host) = plan.keys[from..]
            .iter()
            .take_while(|(key, _)| key.starts_with(prefix.as_str()))
            .map(|(_, file)| *file)
            .min()
        else {
            continue;
        };
        let words: Vec<(&str, &str)> = complete(surfaces, prefix)
            .into_iter()
            .map(|surface| (surface, surfaces[surface].0.as_str()))
            .collect();
        let out = entry(completions.entry(host).or_default());
        quote_into(out, prefix);
        out.push(b':');
        serde_json::to_writer(&mut *out, &words)?;
    }

    // Per-section metadata (in chunks) and per-page facets.
    let count = index.sections() as usize;
    let mut sections: Vec<Option<Row>> = vec![None; count];
    let mut page_of: Vec<u32> = vec![0; count];
    let mut facet_of: Vec<[String; 3]> = vec![Default::default(); count];
    for segment in searcher.segment_readers() {
        let sids = segment.fast_fields().u64("sid")?.first_or_default_col(0);
        let pages = segment.fast_fields().u64("page")?.first_or_default_col(0);
        // Stored documents decompress block by block: each thread reads its own run of them.
        let read: Vec<Option<SectionRow>> = (0..segment.max_doc())
            .into_par_iter()
            .map_init(
                || segment.get_store_reader(64),
                |store, doc| -> anyhow::Result<Option<SectionRow>> {
                    let sid = sids.get_val(doc) as usize;
                    if sid >= count {
                        return Ok(None);
                    }
                    let store = store.as_ref().map_err(|error| anyhow::anyhow!("{error}"))?;
                    let stored: TantivyDocument = store.get(doc)?;
                    let kind = text(&stored, fields.kind);
                    let status = text(&stored, fields.status);
                    let team = text(&stored, fields.team);
                    let title = text(&stored, fields.text[0]);
                    let title_stems = super::analyze(&title, language).join(" ");
                    let url = text(&stored, fields.url);
                    let (page_url, anchor) = match url.split_once('#') {
                        Some((page, anchor)) => (page.to_string(), anchor.to_string()),
                        None => (url, String::new()),
                    };
                    let row = Row {
                        page: [title, page_url, text(&stored, fields.date), title_stems],
                        section: [
                            text(&stored, fields.heading),
                            anchor,
                            text(&stored, fields.excerpt),
                        ],
                    };
                    Ok(Some(SectionRow {
                        sid,
                        row,
                        page: pages.get_val(doc) as u32,
                        facets: [kind, status, team],
                    }))
                },
            )
            .collect::<anyhow::Result<_>>()?;
        for row in read.into_iter().flatten() {
            sections[row.sid] = Some(row.row);
            page_of[row.sid] = row.page;
            facet_of[row.sid] = row.facets;
        }
    }
    log::debug!("export: sections read at {:?}", started.elapsed());
    // Sections are numbered in page order, so a page is a run of sections.
    let mut runs: Vec<u32> = Vec::new();
    let mut names: [Vec<String>; 3] = Default::default();
    let mut codes: [Vec<usize>; 3] = Default::default();
    for sid in 0..count {
        if sid > 0 && page_of[sid] == page_of[sid - 1] {
            if let Some(last) = runs.last_mut() {
                *last += 1;
            }
            continue;
        }
        runs.push(1);
        for key in 0..3 {
            let value = &facet_of[sid][key];
            let code = match names[key].iter().position(|name| name == value) {
                Some(code) => code,
                None => {
                    names[key].push(value.clone());
                    names[key].len() - 1
                }
            };
            codes[key].push(code);
        }
    }

    let mut manifest = serde_json::json!({
        "format": FORMAT,
        "version": index.meta.fingerprint,
        "sections": count,
        "pages": runs.len(),
        "keys": keys_by_file(&plan),
        "facets": {"kind": names[0], "status": names[1], "team": names[2]},
        "labels": {"team": names[2].iter().map(|id| labels.get(id).cloned().unwrap_or_else(|| id.clone())).collect::<Vec<_>>()},
        "statusBoost": names[1].iter().map(|status| (status, status_boost(status))).collect::<BTreeMap<_, _>>(),
        "scale": SCALE,
        "chunk": CHUNK,
        "minPrefix": MIN_PREFIX,
        "expansions": PREFIX_EXPANSIONS,
        "maxWordBytes": super::index::MAX_WORD_BYTES,
        "stop": super::stop_words(language),
        "synonyms": synonyms,
        "fuzzyMin": super::index::FUZZY_MIN,
        "moreSections": super::rank::MORE_SECTIONS,
        "bundle": false,
    });
    let mut counts = String::with_capacity(runs.len());
    for run in &runs {
        vlq(&mut counts, *run);
    }
    let facets = format!(
        "{{\"pages\":\"{counts}\",\"codes\":{{\"kind\":\"{}\",\"status\":\"{}\",\"team\":\"{}\"}}}}",
        runs_of(&codes[0]),
        runs_of(&codes[1]),
        runs_of(&codes[2])
    );

    let mut out = Outgoing::new(sink);
    out.add("facets", script("facets", &[facets.as_bytes()]));
    // Shards cover ranges of the sorted key space in file order, so each is made from the next
    // run of surfaces and stems and sent before the next begins: only one shard's text is held
    // (at 100k pages all of them were hundreds of MiB), and each stem's encoded postings are
    // dropped as soon as they are copied.
    let mut words = surfaces.iter().peekable();
    let mut stems = encoded.into_iter().peekable();
    let mut packs = TierPacks::default();
    for file in 0..plan.files {
        let mut shard = ShardText::default();
        while let Some(&(surface, (stem, count))) = words.peek() {
            match plan.place(surface, file)? {
                Place::Later => break,
                Place::Here => {
                    let stem = if stem == surface { "" } else { stem.as_str() };
                    let out = entry(&mut shard.words);
                    quote_into(out, surface);
                    out.extend_from_slice(b":[");
                    quote_into(out, stem);
                    out.extend_from_slice(format!(",{count}]").as_bytes());
                }
                Place::Nowhere => {}
            }
            words.next();
        }
        while let Some((stem, _)) = stems.peek() {
            let place = plan.place(stem, file)?;
            if place == Place::Later {
                break;
            }
            let Some((stem, files)) = stems.next() else {
                break;
            };
            if place == Place::Nowhere {
                continue;
            }
            // `"stem":[doc count, bounds, "head", [pack of tier 1, pack of tier 2…]]`
            let mut held = Vec::new();
            for (tier, text) in files.tiers.iter().enumerate() {
                if !text.is_empty() {
                    held.push(packs.add(&mut out, tier, &stem, text));
                }
            }
            let head = entry(&mut shard.heads);
            quote_into(head, &stem);
            head.extend_from_slice(b":[");
            head.extend_from_slice(files.head.as_bytes());
            head.extend_from_slice(format!(",{}]", serde_json::to_string(&held)?).as_bytes());
            string_entry(&mut shard.positions, &stem, &files.positions);
        }
        let name = format!("t/{file}");
        let hosted = completions.remove(&file).unwrap_or_default();
        let data = script(
            &name,
            &[
                b"{\"w\":{",
                &shard.words,
                b"},\"t\":{",
                &shard.heads,
                b"},\"c\":{",
                &hosted,
                b"}}",
            ],
        );
        out.add(&name, data);
        let name = format!("p/{file}");
        let data = script(&name, &[b"{", &shard.positions, b"}"]);
        out.add(&name, data);
    }
    packs.finish(&mut out);
    if words.any(|(surface, _)| plan.file_of(surface).is_some())
        || stems.any(|(stem, _)| plan.file_of(&stem).is_some())
    {
        anyhow::bail!("shard plan has keys past its last file");
    }
    log::debug!("export: shards made at {:?}", started.elapsed());
    // A chunk is `[{page: [title, url, date, title stems]}, [[page, [heading, anchor,
    // excerpt]]…]]`: a page's sections are neighbours, so its data is written once.
    for (n, chunk) in sections.chunks(CHUNK).enumerate() {
        let name = format!("d/{n}");
        let mut pages: BTreeMap<u32, &[String; 4]> = BTreeMap::new();
        let mut rows: Vec<(u32, &[String; 3])> = Vec::with_capacity(chunk.len());
        for (at, row) in chunk.iter().enumerate() {
            let page = page_of[n * CHUNK + at];
            match row {
                Some(row) => {
                    pages.entry(page).or_insert(&row.page);
                    rows.push((page, &row.section));
                }
                None => rows.push((page, &EMPTY_SECTION)),
            }
        }
        let pages: BTreeMap<String, &[String; 4]> = pages
            .into_iter()
            .map(|(page, data)| (page.to_string(), data))
            .collect();
        let data = serde_json::to_vec(&(pages, rows))?;
        out.add(&name, script(&name, &[&data]));
    }
    log::debug!("export: scripts made at {:?}", started.elapsed());
    let bundled = out.finish();
    manifest["bundle"] = serde_json::json!(bundled);
    let manifest = manifest.to_string();
    out.files.push(sink(OutputFile::bytes(
        format!("{DIR}/manifest.js"),
        script("manifest", &[manifest.as_bytes()]),
    )));
    Ok(out.files)
}

/// The export's scripts on their way out: held while they add up to less than
/// [`BUNDLE_BYTES`] (a small site gets them as one `bundle.js`, which also works from
/// `file://`), then each passed to the sink as it is made.
struct Outgoing<'s> {
    sink: Sink<'s>,
    held: Vec<(String, Vec<u8>)>,
    /// Bytes held so far; once at [`BUNDLE_BYTES`] they are sent and every later script is
    /// sent as it comes.
    held_bytes: usize,
    files: Vec<OutputFile>,
}

impl<'s> Outgoing<'s> {
    fn new(sink: Sink<'s>) -> Self {
        Outgoing {
            sink,
            held: Vec::new(),
            held_bytes: 0,
            files: Vec::new(),
        }
    }

    fn streaming(&self) -> bool {
        self.held_bytes >= BUNDLE_BYTES
    }

    fn add(&mut self, name: &str, script: Vec<u8>) {
        if self.streaming() {
            self.send(name, script);
            return;
        }
        self.held_bytes += script.len();
        self.held.push((name.to_string(), script));
        if self.streaming() {
            for (name, script) in std::mem::take(&mut self.held) {
                self.send(&name, script);
            }
        }
    }

    fn send(&mut self, name: &str, script: Vec<u8>) {
        let file = OutputFile::bytes(format!("{DIR}/{name}.js"), script);
        self.files.push((self.sink)(file));
    }

    /// Sends what is held as one bundle if the scripts stayed small; true if it did.
    fn finish(&mut self) -> bool {
        if self.streaming() {
            return false;
        }
        let bundle: Vec<u8> = std::mem::take(&mut self.held)
            .into_iter()
            .flat_map(|(_, script)| script)
            .collect();
        let file = OutputFile::bytes(format!("{DIR}/bundle.js"), bundle);
        self.files.push((self.sink)(file));
        true
    }
}

/// A JSON string literal.
fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

/// `handbookSearch.load(name, data);` with the data given in parts, assembled with one
/// allocation.
fn script(name: &str, parts: &[&[u8]]) -> Vec<u8> {
    let head = format!("handbookSearch.load({},", quote(name));
    let mut out = Vec::with_capacity(head.len() + parts.iter().map(|p| p.len()).sum::<usize>() + 3);
    out.extend_from_slice(head.as_bytes());
    for part in parts {
        out.extend_from_slice(part);
    }
    out.extend_from_slice(b");\n");
    out
}

/// Appends `text` as a JSON string literal.
fn quote_into(out: &mut Vec<u8>, text: &str) {
    if serde_json::to_writer(&mut *out, text).is_err() {
        // Not reachable: writing a string to memory cannot fail.
        out.extend_from_slice(b"\"\"");
    }
}

/// Appends `"key":"value"` to a list of entries; `value` is VLQ digits (nothing to escape).
fn string_entry(out: &mut Vec<u8>, key: &str, value: &str) {
    let out = entry(out);
    quote_into(out, key);
    out.extend_from_slice(b":\"");
    out.extend_from_slice(value.as_bytes());
    out.push(b'"');
}

/// `out`, after a comma when it already holds an entry.
fn entry(out: &mut Vec<u8>) -> &mut Vec<u8> {
    if !out.is_empty() {
        out.push(b',');
    }
    out
}

/// One shard file's text: surface entries, head postings and positions, each a
/// comma-separated list of `"key":value` entries.
#[derive(Default)]
struct ShardText {
    words: Vec<u8>,
    heads: Vec<u8>,
    positions: Vec<u8>,
}

/// The tier packs being filled, one per tier: stems' tier postings are appended in stem order
/// and a pack is sent once the next would take it past [`PACK_BYTES`].
#[derive(Default)]
struct TierPacks {
    /// Per tier: the pack's number and its `"stem":"postings"` entries so far.
    open: [(usize, Vec<u8>); DEEPER],
}

impl TierPacks {
    /// Adds one stem's postings of `tier` (0 = the first after the head); returns its pack.
    fn add(&mut self, out: &mut Outgoing<'_>, tier: usize, stem: &str, postings: &str) -> usize {
        let (number, entries) = &mut self.open[tier];
        if !entries.is_empty() && entries.len() + postings.len() > PACK_BYTES {
            let name = format!("t/{number}.{}", tier + 1);
            out.add(&name, script(&name, &[b"{", entries, b"}"]));
            entries.clear();
            *number += 1;
        }
        string_entry(entries, stem, postings);
        *number
    }

    /// Sends the packs still open.
    fn finish(self, out: &mut Outgoing<'_>) {
        for (tier, (number, entries)) in self.open.into_iter().enumerate() {
            if !entries.is_empty() {
                let name = format!("t/{number}.{}", tier + 1);
                out.add(&name, script(&name, &[b"{", &entries, b"}"]));
            }
        }
    }
}

/// Facet codes of each page as runs of equal codes, in VLQ digits: `code, pages, code, pages…`
/// (pages sit in path order, so a folder's pages share a kind and a team).
fn runs_of(codes: &[usize]) -> String {
    let mut out = String::new();
    for run in codes.chunk_by(|a, b| a == b) {
        vlq(&mut out, run[0] as u32);
        vlq(&mut out, run.len() as u32);
    }
    out
}

/// The manifest's shard table: per file, its keys joined by spaces (keys are word prefixes,
/// which never hold a space).
fn keys_by_file(plan: &ShardPlan) -> Vec<String> {
    let mut files = vec![String::new(); plan.files];
    for (key, file) in &plan.keys {
        let keys = &mut files[*file];
        if !keys.is_empty() {
            keys.push(' ');
        }
        keys.push_str(key);
    }
    files
}

/// What the browser shows of a section: its page's `[title, url, date, title stems]` (written
/// once per page in a chunk; kind, status and team come from the facets) and its own
/// `[heading, anchor, excerpt]`.
#[derive(Clone)]
struct Row {
    page: [String; 4],
    section: [String; 3],
}

/// One stored section, read for the metadata chunks and the facets.
struct SectionRow {
    sid: usize,
    row: Row,
    page: u32,
    facets: [String; 3],
}

struct StemFiles {
    /// `doc count, [tier bounds…], "head postings"`: each bound is the smallest impact loaded
    /// once that tier is in (later postings score at most that much). The shard entry adds the
    /// packs of the deeper tiers.
    head: String,
    /// Postings of each tier after the head (empty when there are none).
    tiers: Vec<String>,
    /// VLQ position groups.
    positions: String,
}

/// A stem's impacts from its scores per field occurrence, given field by field: summed per
/// section (in field order, so sums are the same on every build and in `handbook search`),
/// in units of 1/[`SCALE`], at least 1. Sorted by section.
pub(super) fn quantize(mut scores: Vec<(u32, f32)>) -> Vec<(u32, u32)> {
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

/// Sums a stem's field scores per section, quantizes them, and splits them into tiers by
/// impact. Each tier is stored in section order as VLQ `section delta, impact` pairs.
fn encode_stem(postings: StemPostings) -> StemFiles {
    let docs = quantize(postings.scores);
    // Rank: higher impact first, then lower section. The last posting of each full tier
    // (found by selection, not by sorting) splits the postings into tiers, and one pass in
    // section order fills them already sorted.
    let rank = |a: &(u32, u32), b: &(u32, u32)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
    let mut cuts: Vec<(u32, u32)> = Vec::new();
    let mut start = 0;
    let mut remaining = Vec::new();
    for size in TIERS {
        if start + size >= docs.len() {
            break;
        }
        if remaining.is_empty() {
            remaining.clone_from(&docs);
        }
        let (_, last, _) = remaining[start..].select_nth_unstable_by(size - 1, rank);
        cuts.push(*last);
        start += size;
    }
    let mut parts: Vec<String> = vec![String::new(); TIERS.len() + 1];
    let mut lasts = [0u32; TIERS.len() + 1];
    for posting in &docs {
        let tier = cuts
            .iter()
            .position(|cut| rank(posting, cut) != std::cmp::Ordering::Greater)
            .unwrap_or(cuts.len());
        vlq(&mut parts[tier], posting.0 - lasts[tier]);
        vlq(&mut parts[tier], posting.1);
        lasts[tier] = posting.0;
    }
    let bounds: Vec<u32> = cuts.iter().map(|cut| cut.1).collect();
    let rest = parts.split_off(1);
    let head = format!(
        "{},{},\"{}\"",
        docs.len(),
        serde_json::to_string(&bounds).unwrap_or_else(|_| "[]".into()),
        parts[0]
    );
    StemFiles {
        head,
        tiers: rest,
        positions: postings.positions,
    }
}

/// Which shard file each key goes to.
struct ShardPlan {
    /// Shard key → file number, sorted by key.
    keys: Vec<(String, usize)>,
    /// Keys that were split into longer keys (their prefix completions go to a shard).
    split: Vec<String>,
    files: usize,
}

/// Where a key goes while shard `file` is being made.
#[derive(PartialEq)]
enum Place {
    Here,
    Later,
    /// In no shard (the plan has no key for it).
    Nowhere,
}

impl ShardPlan {
    /// Where `key` goes while shard `file` is made; keys come in sorted order, so a key of an
    /// earlier shard means the plan is out of order.
    fn place(&self, key: &str, file: usize) -> anyhow::Result<Place> {
        Ok(match self.file_of(key) {
            None => Place::Nowhere,
            Some(at) if at == file => Place::Here,
            Some(at) if at > file => Place::Later,
            Some(_) => anyhow::bail!("shard plan out of order at `{key}`"),
        })
    }

    /// The file for a word: the one of the longest key that starts it.
    fn file_of(&self, word: &str) -> Option<usize> {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        let longest = chars.len().min(MAX_KEY);
        for length in (0..=longest).rev() {
            let end = chars.get(length).map_or(word.len(), |(i, _)| *i);
            let key = &word[..end];
            if let Ok(found) = self.keys.binary_search_by(|(k, _)| k.as_str().cmp(key)) {
                return Some(self.keys[found].1);
            }
        }
        None
    }
}

/// Splits the key space by prefix until each group is under `SHARD_BYTES` (or its key is
/// `MAX_KEY` characters long), then packs neighbouring small groups into files.
fn plan_shards(sizes: &BTreeMap<&str, usize>) -> ShardPlan {
    let entries: Vec<(&str, usize)> = sizes.iter().map(|(k, s)| (*k, *s)).collect();
    let mut leaves: Vec<(String, usize)> = Vec::new();
    let mut split = Vec::new();
    split_group("", &entries, &mut leaves, &mut split);
    let mut keys = Vec::with_capacity(leaves.len());
    let mut file = 0;
    let mut filled = 0;
    for (key, size) in leaves {
        if filled > 0 && filled + size > SHARD_BYTES {
            file += 1;
            filled = 0;
        }
        filled += size;
        keys.push((key, file));
    }
    keys.sort();
    let files = if keys.is_empty() { 0 } else { file + 1 };
    ShardPlan { keys, split, files }
}

fn split_group(
    prefix: &str,
    entries: &[(&str, usize)],
    leaves: &mut Vec<(String, usize)>,
    split: &mut Vec<String>,
) {
    let total: usize = entries.iter().map(|(_, s)| s).sum();
    if total <= SHARD_BYTES || prefix.chars().count() >= MAX_KEY {
        leaves.push((prefix.to_string(), total));
        return;
    }
    split.push(prefix.to_string());
    // Words equal to the prefix keep a leaf of their own under the prefix.
    let exact: usize = entries
        .iter()
        .filter(|(k, _)| *k == prefix)
        .map(|(_, s)| s)
        .sum();
    if exact > 0 {
        leaves.push((prefix.to_string(), exact));
    }
    let mut start = usize::from(exact > 0 && entries.first().is_some_and(|(k, _)| *k == prefix));
    while start < entries.len() {
        let Some(next) = entries[start].0[prefix.len()..].chars().next() else {
            start += 1;
            continue;
        };
        let child = format!("{prefix}{next}");
        let end = start
            + entries[start..]
                .iter()
                .take_while(|(k, _)| k.starts_with(child.as_str()))
                .count();
        split_group(&child, &entries[start..end], leaves, split);
        start = end;
    }
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
    fn the_embedded_engine_reads_this_export_format() {
        assert!(
            super::super::ENGINE_JS.contains(&format!("var FORMAT = {FORMAT};")),
            "src/search/engine.js must read export format {FORMAT}"
        );
    }

    #[test]
    fn shards_split_by_prefix_and_every_word_finds_its_file() {
        let words: Vec<String> = (0..2000)
            .map(|i| format!("{}{:04}", ["deploy", "data", "zebra"][i % 3], i))
            .chain(["de".to_string(), "d".to_string()])
            .collect();
        let sizes: BTreeMap<&str, usize> = words.iter().map(|w| (w.as_str(), 100)).collect();
        let plan = plan_shards(&sizes);
        assert!(plan.files >= 3, "{} files", plan.files);
        assert!(plan.split.contains(&"d".to_string()));
        for word in &words {
            assert!(plan.file_of(word).is_some(), "{word} has no shard");
        }
        assert_eq!(plan.file_of("q"), None);
    }

    proptest::proptest! {
        /// The export makes shards one after another from the sorted keys: that needs a key's
        /// file never to go down as keys go up.
        #[test]
        fn shard_files_follow_key_order(
            words in proptest::collection::btree_map("[a-dé]{1,7}", 1usize..3000, 1..1500),
        ) {
            let sizes: BTreeMap<&str, usize> =
                words.iter().map(|(w, size)| (w.as_str(), *size)).collect();
            let plan = plan_shards(&sizes);
            let files: Vec<usize> = sizes.keys().filter_map(|w| plan.file_of(w)).collect();
            proptest::prop_assert_eq!(files.len(), sizes.len());
            proptest::prop_assert!(files.windows(2).all(|pair| pair[0] <= pair[1]), "{:?}", files);
        }
    }

    /// The tiers as first written: every posting sorted by impact, cut into tiers, each tier
    /// sorted back into section order.
    fn tiers_by_sorting(docs: &[(u32, u32)]) -> (Vec<u32>, Vec<Vec<(u32, u32)>>) {
        let mut by_impact = docs.to_vec();
        by_impact.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let (mut bounds, mut tiers, mut start) = (Vec::new(), Vec::new(), 0usize);
        for size in TIERS.iter().copied().chain([usize::MAX]) {
            let end = start.saturating_add(size).min(by_impact.len());
            if end < by_impact.len() {
                bounds.push(by_impact[end - 1].1);
            }
            let mut tier = by_impact[start.min(end)..end].to_vec();
            tier.sort_unstable();
            tiers.push(tier);
            start = end;
        }
        (bounds, tiers)
    }

    fn encoded(tier: &[(u32, u32)]) -> String {
        let (mut text, mut last) = (String::new(), 0);
        for &(sid, impact) in tier {
            vlq(&mut text, sid - last);
            vlq(&mut text, impact);
            last = sid;
        }
        text
    }

    #[test]
    fn tiers_by_selection_match_tiers_by_sorting() {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};
        // Lengths around every tier edge; few distinct scores, so ties between sections are
        // common (the rank breaks them by section number).
        let lengths = prop_oneof![
            0usize..140,
            1100usize..1200,
            1140usize..1160,
            5240usize..5260
        ];
        let strategy = lengths.prop_flat_map(|n| {
            proptest::collection::vec((0u32..3, 1u32..6), n).prop_map(|steps| {
                let mut sid = 0;
                steps
                    .into_iter()
                    .map(|(gap, score)| {
                        sid += gap + 1;
                        (sid, score as f32 / 4.0)
                    })
                    .collect::<Vec<(u32, f32)>>()
            })
        });
        let mut runner = TestRunner::new(Config {
            cases: 64,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&strategy, |scores| {
                let docs: Vec<(u32, u32)> = scores
                    .iter()
                    .map(|&(sid, score)| (sid, ((score * SCALE).round() as u32).max(1)))
                    .collect();
                let (bounds, tiers) = tiers_by_sorting(&docs);
                let files = encode_stem(StemPostings {
                    scores,
                    positions: String::new(),
                });
                let head = format!(
                    "{},{},\"{}\"",
                    docs.len(),
                    serde_json::to_string(&bounds).unwrap_or_default(),
                    encoded(&tiers[0])
                );
                prop_assert_eq!(files.head, head);
                let deeper: Vec<String> = tiers[1..].iter().map(|tier| encoded(tier)).collect();
                prop_assert_eq!(files.tiers, deeper);
                Ok(())
            })
            .unwrap_or_else(|failure| panic!("{failure}"));
    }

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt("one  two\nthree", 20), "one two three");
        assert_eq!(excerpt("alpha beta gamma delta", 12), "alpha beta…");
        assert_eq!(excerpt("alpha beta", 10), "alpha beta");
        assert_eq!(excerpt("alpha  beta ", 9), "alpha…");
        assert_eq!(excerpt("", 9), "");
        // Read only as far as needed, and the same cut as from the whole text.
        let long = "word ".repeat(1_000_000);
        assert_eq!(excerpt(&long, 12), "word word…");
    }
}
