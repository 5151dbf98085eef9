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

use std::collections::BTreeMap;

use super::index::SearchIndex;
use super::{DIR, MIN_PREFIX, PREFIX_EXPANSIONS, Section, status_boost};
use crate::output::OutputFile;
use crate::output::Sink;

mod postings;
mod sections;
mod shards;

pub use super::index::SCALE;
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

/// Exports the index as the browser's static files, passing each through `sink` as soon as it
/// is made (at 100k pages they are most of a GiB; the sink writes them and drops the bytes).
/// The phases: postings (`postings.rs`), the shard plan and completions (`shards.rs`), the
/// sections and facets (`sections.rs`), then the files in order: facets, shards with their
/// tier packs and positions, metadata chunks, and last the manifest that names them.
pub fn export(
    index: &SearchIndex,
    sections: &[Section<'_>],
    sink: Sink,
    synonyms: &BTreeMap<String, Vec<String>>,
    labels: &super::Labels,
) -> anyhow::Result<Vec<OutputFile>> {
    let language = index.language();
    let started = std::time::Instant::now();
    let encoded = postings::read(index, started)?;
    let surfaces = &index.meta.surfaces;
    let plan = shards::plan(surfaces, &encoded.stems);
    let completions = shards::completions(&plan, surfaces)?;
    let count = index.sections() as usize;
    anyhow::ensure!(
        count == sections.len(),
        "the index has {count} sections, the site {}",
        sections.len()
    );
    let sections = sections::read(sections, language);
    let facets = sections::facets(&sections, &index.meta.pages);
    let mut manifest = serde_json::json!({
        "format": FORMAT,
        "version": index.meta.fingerprint,
        "sections": count,
        "pages": facets.pages,
        "keys": shards::keys_by_file(&plan),
        "facets": {"kind": facets.names[0], "status": facets.names[1], "team": facets.names[2]},
        "labels": {"team": facets.names[2].iter().map(|id| labels.get(id).cloned().unwrap_or_else(|| id.clone())).collect::<Vec<_>>()},
        "statusBoost": facets.names[1].iter().map(|status| (status, status_boost(status))).collect::<BTreeMap<_, _>>(),
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
    let mut out = Outgoing::new(sink);
    out.add("facets", script("facets", &[facets.script.as_bytes()]));
    shards::write(&mut out, &plan, surfaces, encoded, completions, started)?;
    sections::write_chunks(&mut out, &sections, started)?;
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

#[cfg(test)]
mod tests {
    use super::postings::{StemPostings, encode_stem};
    use super::shards::plan_shards;
    use super::*;
    use crate::search::index::excerpt;
    use crate::search::{Section, Settings};

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
                let super::postings::Rest::Held { tiers, .. } = files.rest else {
                    panic!("encoded stems are held");
                };
                prop_assert_eq!(tiers, deeper);
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

    /// Sections of `pages` pages, two each; page `changed` says something else.
    fn pages(pages: u32, changed: Option<u32>) -> Vec<Section<'static>> {
        let words = [
            "rollback", "latency", "quorum", "billing", "pager", "canary", "ledger",
        ];
        let mut sections = Vec::new();
        for page in 0..pages {
            let word = words[page as usize % words.len()];
            let extra = if changed == Some(page) {
                " and a quokka"
            } else {
                ""
            };
            let url = format!("p{page}/");
            sections.push(Section::plain(
                page,
                &format!("Page {page} on {word}"),
                &format!("The {word} runbook for team {page}{extra}: roll back the {word} first."),
                &url,
            ));
            let mut second = Section::plain(
                page,
                &format!("Page {page} on {word}"),
                &format!(
                    "More about {word} and {}.",
                    words[(page as usize + 3) % words.len()]
                ),
                &format!("{url}#more"),
            );
            second.heading = Some("More".into());
            sections.push(second);
        }
        sections
    }

    fn export_of(index: &SearchIndex, sections: &[Section<'_>]) -> Vec<(String, Vec<u8>)> {
        let files = export(
            index,
            sections,
            &|file| file,
            &BTreeMap::new(),
            &BTreeMap::new(),
        )
        .unwrap();
        files
            .into_iter()
            .map(|file| match file.content {
                crate::output::Content::Bytes(bytes) => (file.path, bytes),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn buckets_give_the_export_and_results_of_one_index_and_a_changed_page_reindexes_one() {
        let settings = Settings {
            language: Some(tantivy::tokenizer::Language::English),
            compress: true,
            bucket_pages: 4,
        };
        let dir = tempfile::tempdir().unwrap();
        let first = pages(40, None);
        let whole = SearchIndex::build(&first, &settings, 1, None, None).unwrap();
        assert_eq!(whole.meta.buckets.len(), 1);
        let staged = crate::output::StagedDir::new(dir.path(), "cache").unwrap();
        let bucketed = SearchIndex::build(&first, &settings, 1, Some(staged.path()), None).unwrap();
        let count = bucketed.meta.buckets.len();
        assert_eq!(count, 16, "40 pages, 4 a bucket: the next power of two");
        // The bucketed index has a folder, so its export spilled tiers and positions there:
        // the same files, and the spill file is gone.
        assert_eq!(export_of(&whole, &first), export_of(&bucketed, &first));
        assert!(!staged.path().join(postings::SPILL_FILE).exists());
        let encoded = postings::read(&bucketed, std::time::Instant::now()).unwrap();
        assert!(
            encoded
                .stems
                .iter()
                .all(|(_, files)| matches!(files.rest, postings::Rest::Spilled { .. }))
        );
        assert!(staged.path().join(postings::SPILL_FILE).exists());
        drop(encoded);
        assert!(!staged.path().join(postings::SPILL_FILE).exists());
        let query = crate::search::Query::parse("rollback quorum \"roll back\"");
        let urls = |index: &SearchIndex| -> Vec<(String, String)> {
            let results = index.search(&query, 50, &BTreeMap::new()).unwrap();
            results
                .hits
                .into_iter()
                .map(|hit| (hit.url, format!("{:.2}", hit.score)))
                .collect()
        };
        assert!(!urls(&whole).is_empty());
        assert_eq!(urls(&whole), urls(&bucketed));
        bucketed.finish().unwrap();
        let old_segments: Vec<Vec<String>> = bucketed
            .meta
            .buckets
            .iter()
            .map(|bucket| bucket.segments.clone())
            .collect();
        drop(bucketed);
        staged.commit().unwrap();
        // One page changes and one more is added: the other buckets are reused.
        let mut second = pages(41, Some(7));
        second.retain(|section| section.page != 40 || section.heading.is_none());
        let staged = crate::output::StagedDir::new(dir.path(), "cache").unwrap();
        let cache = dir.path().join("cache");
        let again =
            SearchIndex::build(&second, &settings, 2, Some(staged.path()), Some(&cache)).unwrap();
        let kept = again
            .meta
            .buckets
            .iter()
            .filter(|bucket| !bucket.segments.is_empty() && old_segments.contains(&bucket.segments))
            .count();
        let nonempty = old_segments.iter().filter(|ids| !ids.is_empty()).count();
        assert!(
            kept + 2 >= nonempty && kept < nonempty,
            "{kept} of {nonempty} reused"
        );
        let fresh = SearchIndex::build(&second, &settings, 2, None, None).unwrap();
        assert_eq!(export_of(&fresh, &second), export_of(&again, &second));
        assert_eq!(urls(&fresh), urls(&again));
        let quokka = again
            .search(&crate::search::Query::parse("quokka"), 5, &BTreeMap::new())
            .unwrap();
        assert_eq!(quokka.hits.len(), 1);
        assert_eq!(quokka.hits[0].url, "p7/");
        // Reopened from the cache folder (what `handbook search` does): the same answers.
        again.finish().unwrap();
        drop(again);
        staged.commit().unwrap();
        let reopened = SearchIndex::open(&cache, 2)
            .unwrap()
            .expect("current index");
        assert_eq!(urls(&fresh), urls(&reopened));
        assert_eq!(export_of(&fresh, &second), export_of(&reopened, &second));
    }
}
