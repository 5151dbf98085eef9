//! The static export of the tantivy index for the browser client. It reads the committed index,
//! so the browser ranks with the same BM25 numbers as `handbook search`.
//!
//! Every file is a classic script that calls `handbookSearch.load(name, data)`, so one format
//! loads over HTTP and from `file://` (where `fetch` is blocked):
//!
//! ```text
//! search/manifest.js     shard table (key → file), prefix completions, facet names, constants
//! search/facets.js       per page: section count, kind, status and team codes
//! search/t/<n>.js        surface form → stem; stem → doc count and impact-ordered head postings
//! search/t/<n>.tail.js   the rest of long posting lists, fetched only when heads cannot
//!                        prove the top results
//! search/p/<n>.js        positions, fetched only for phrases
//! search/d/<n>.js        per-section title, heading, url, kind, status, team, date, excerpt
//! search/bundle.js       all of the above in one file, written instead for small sites
//! ```
//!
//! A posting's impact is the section's whole score for the stem (BM25 per field × boost,
//! summed over fields) in hundredths, so the client only adds integers.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};
use tantivy::postings::Postings;
use tantivy::query::Bm25Weight;
use tantivy::schema::{IndexRecordOption, TantivyDocument};
use tantivy::{DocSet, TERMINATED, Term};

use super::index::{SearchIndex, text};
use super::{BOOSTS, DIR, MIN_PREFIX, PREFIX_EXPANSIONS, expand_prefix};
use crate::output::OutputFile;

/// Impacts are stored in units of 1/`SCALE`.
pub const SCALE: f32 = 100.0;
/// Postings beyond this many go to the tail file.
const HEAD: usize = 128;
/// Target size of one term shard file, in bytes.
const SHARD_BYTES: usize = 24 * 1024;
/// Longest shard key, in characters.
const MAX_KEY: usize = 4;
/// Sections per metadata chunk.
const CHUNK: usize = 32;
/// Below this total, everything goes into `bundle.js`.
const BUNDLE_BYTES: usize = 64 * 1024;
/// Characters of section text kept for the browser's snippets.
const EXCERPT_CHARS: usize = 240;

/// One stem's postings over all fields, by section.
#[derive(Default)]
struct StemPostings {
    /// (section, impact in 1/SCALE).
    docs: Vec<(u32, u32)>,
    /// (section, field, positions), sorted by section then field.
    positions: Vec<(u32, u8, Vec<u32>)>,
}

/// Exports the index as the browser's static files.
pub fn export(index: &SearchIndex) -> anyhow::Result<Vec<OutputFile>> {
    let searcher = index.searcher();
    let fields = &index.fields;
    let mut stems: BTreeMap<String, StemPostings> = BTreeMap::new();
    let mut weights: HashMap<(u8, Vec<u8>), Bm25Weight> = HashMap::new();
    let mut scores: HashMap<String, HashMap<u32, f32>> = HashMap::new();
    let mut positions = Vec::new();
    for segment in searcher.segment_readers() {
        let sids = segment.fast_fields().u64("sid")?.first_or_default_col(0);
        for (number, field) in fields.text.iter().enumerate() {
            let inverted = segment.inverted_index(*field)?;
            let norms = segment.get_fieldnorms_reader(*field)?;
            let mut terms = inverted.terms().stream()?;
            while terms.advance() {
                let key = terms.key().to_vec();
                let Ok(stem) = std::str::from_utf8(&key) else {
                    continue;
                };
                let stem = stem.to_string();
                let weight = weights
                    .entry((number as u8, key.clone()))
                    .or_insert_with(|| {
                        let term = Term::from_field_text(*field, &stem);
                        Bm25Weight::for_terms(&searcher, &[term])
                            .map(|w| w.boost_by(BOOSTS[number]))
                            .unwrap_or_else(|_| Bm25Weight::for_one_term(1, 1, 1.0))
                    });
                let mut postings = inverted.read_postings_from_terminfo(
                    terms.value(),
                    IndexRecordOption::WithFreqsAndPositions,
                )?;
                let entry = stems.entry(stem.clone()).or_default();
                let stem_scores = scores.entry(stem).or_default();
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    let sid = sids.get_val(doc) as u32;
                    let score = weight.score(norms.fieldnorm_id(doc), postings.term_freq());
                    *stem_scores.entry(sid).or_insert(0.0) += score;
                    postings.positions(&mut positions);
                    entry.positions.push((sid, number as u8, positions.clone()));
                    doc = postings.advance();
                }
            }
        }
    }
    for (stem, entry) in stems.iter_mut() {
        let mut docs: Vec<(u32, u32)> = scores
            .remove(stem)
            .unwrap_or_default()
            .into_iter()
            .map(|(sid, score)| (sid, ((score * SCALE).round() as u32).max(1)))
            .collect();
        docs.sort_unstable();
        entry.docs = docs;
        entry
            .positions
            .sort_unstable_by_key(|(sid, field, _)| (*sid, *field));
    }

    // Shard entries: surfaces and stems share one key space.
    let surfaces = &index.meta.surfaces;
    let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
    for (surface, (stem, _)) in surfaces {
        *sizes.entry(surface).or_default() += surface.len() + stem.len() + 12;
    }
    let mut encoded: HashMap<&str, StemFiles> = HashMap::new();
    for (stem, postings) in &stems {
        let files = encode_stem(postings);
        *sizes.entry(stem).or_default() += stem.len() + files.head.to_string().len() + 4;
        encoded.insert(stem, files);
    }
    let plan = plan_shards(&sizes);

    let file_of = |key: &str| plan.file_of(key);
    let mut term_files: Vec<(
        serde_json::Map<String, Value>,
        serde_json::Map<String, Value>,
    )> = vec![Default::default(); plan.files];
    let mut tails: Vec<serde_json::Map<String, Value>> = vec![Default::default(); plan.files];
    let mut position_files: Vec<serde_json::Map<String, Value>> =
        vec![Default::default(); plan.files];
    for (surface, (stem, count)) in surfaces {
        let Some(file) = file_of(surface) else {
            continue;
        };
        let stem_value = if stem == surface {
            json!("")
        } else {
            json!(stem)
        };
        term_files[file]
            .0
            .insert(surface.clone(), json!([stem_value, count]));
    }
    for (stem, files) in encoded {
        let Some(file) = file_of(stem) else { continue };
        term_files[file].1.insert(stem.to_string(), files.head);
        if let Some(tail) = files.tail {
            tails[file].insert(stem.to_string(), tail);
        }
        position_files[file].insert(stem.to_string(), files.positions);
    }

    // Prefix completions for keys that were split, so a short prefix needs no extra shards.
    let mut completions = serde_json::Map::new();
    for prefix in &plan.split {
        if prefix.chars().count() < MIN_PREFIX {
            continue;
        }
        let candidates = surfaces
            .range(prefix.clone()..)
            .take_while(|(surface, _)| surface.starts_with(prefix.as_str()))
            .map(|(surface, (_, count))| (surface.as_str(), *count));
        let words: Vec<Value> = expand_prefix(candidates, prefix)
            .into_iter()
            .map(|surface| json!([surface, surfaces[surface].0]))
            .collect();
        completions.insert(prefix.clone(), Value::Array(words));
    }

    // Per-section metadata and per-page facets.
    let mut sections: Vec<Value> = vec![Value::Null; index.sections() as usize];
    let mut pages: Vec<u32> = Vec::new();
    let mut facet_names: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut page_facets: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut page_of: Vec<u32> = vec![0; index.sections() as usize];
    for segment_ord in 0..searcher.segment_readers().len() {
        let segment = searcher.segment_reader(segment_ord as u32);
        let store = segment.get_store_reader(64)?;
        let sids = segment.fast_fields().u64("sid")?.first_or_default_col(0);
        let page_numbers = segment.fast_fields().u64("page")?.first_or_default_col(0);
        for doc in 0..segment.max_doc() {
            let sid = sids.get_val(doc) as usize;
            let stored: TantivyDocument = store.get(doc)?;
            let body = text(&stored, fields.text[2]);
            let kind = text(&stored, fields.kind);
            let status = text(&stored, fields.status);
            let team = text(&stored, fields.team);
            if let Some(slot) = sections.get_mut(sid) {
                *slot = json!([
                    text(&stored, fields.text[0]),
                    text(&stored, fields.heading),
                    text(&stored, fields.url),
                    kind,
                    status,
                    team,
                    text(&stored, fields.date),
                    excerpt(&body, EXCERPT_CHARS),
                ]);
                page_of[sid] = page_numbers.get_val(doc) as u32;
            }
        }
    }
    // Sections are numbered in page order, so pages are runs of sections.
    let mut facets_by_run: Vec<(&str, &str, &str)> = Vec::new();
    for (sid, section) in sections.iter().enumerate() {
        let new_page = sid == 0 || page_of[sid] != page_of[sid - 1];
        if new_page {
            pages.push(1);
            let get = |i: usize| section.get(i).and_then(Value::as_str).unwrap_or("");
            facets_by_run.push((get(3), get(4), get(5)));
        } else if let Some(last) = pages.last_mut() {
            *last += 1;
        }
    }
    for (kind, status, team) in &facets_by_run {
        for (key, value) in [("kind", *kind), ("status", *status), ("team", *team)] {
            let names = facet_names.entry(key).or_default();
            let code = match names.iter().position(|n| n == value) {
                Some(code) => code,
                None => {
                    names.push(value.to_string());
                    names.len() - 1
                }
            };
            page_facets.entry(key).or_default().push(code);
        }
    }

    let manifest = json!({
        "format": 1,
        "version": index.meta.fingerprint,
        "sections": sections.len(),
        "pages": pages.len(),
        "keys": plan.keys.iter().map(|(k, f)| json!([k, f])).collect::<Vec<_>>(),
        "tails": tails.iter().map(|t| u8::from(!t.is_empty())).collect::<Vec<_>>(),
        "completions": completions,
        "facets": facet_names,
        "statusBoost": {"superseded": 0.5, "deprecated": 0.5, "rejected": 0.5, "proposed": 0.9},
        "scale": SCALE,
        "chunk": CHUNK,
        "minPrefix": MIN_PREFIX,
        "expansions": PREFIX_EXPANSIONS,
        "maxWordBytes": super::index::MAX_WORD_BYTES,
        "bundle": false,
    });
    let facets = json!({"pages": pages, "codes": page_facets});

    let mut parts: Vec<(String, Value)> = Vec::new();
    parts.push(("facets".into(), facets));
    for (n, (words, stems)) in term_files.into_iter().enumerate() {
        parts.push((format!("t/{n}"), json!({"w": words, "t": stems})));
    }
    for (n, tail) in tails.into_iter().enumerate() {
        if !tail.is_empty() {
            parts.push((format!("t/{n}.tail"), Value::Object(tail)));
        }
    }
    for (n, positions) in position_files.into_iter().enumerate() {
        parts.push((format!("p/{n}"), Value::Object(positions)));
    }
    for (n, chunk) in sections.chunks(CHUNK).enumerate() {
        parts.push((format!("d/{n}"), Value::Array(chunk.to_vec())));
    }

    let scripts: Vec<(String, String)> = parts
        .into_iter()
        .map(|(name, data)| {
            let script = script(&name, &data);
            (name, script)
        })
        .collect();
    let total: usize = scripts.iter().map(|(_, s)| s.len()).sum();
    let mut files = Vec::new();
    let mut manifest = manifest;
    if total < BUNDLE_BYTES {
        manifest["bundle"] = json!(true);
        let bundle: String = scripts.into_iter().map(|(_, s)| s).collect();
        files.push(OutputFile::bytes(format!("{DIR}/bundle.js"), bundle));
    } else {
        for (name, script) in scripts {
            files.push(OutputFile::bytes(format!("{DIR}/{name}.js"), script));
        }
    }
    files.push(OutputFile::bytes(
        format!("{DIR}/manifest.js"),
        script("manifest", &manifest),
    ));
    Ok(files)
}

fn script(name: &str, data: &Value) -> String {
    format!("handbookSearch.load({},{});\n", json!(name), data)
}

struct StemFiles {
    /// `[doc count, min head impact or 0, [section delta, impact, …]]`.
    head: Value,
    /// `[section delta, impact, …]` for the postings past the head.
    tail: Option<Value>,
    /// `[section delta, fields, field, count, position deltas…, …]`.
    positions: Value,
}

fn encode_stem(postings: &StemPostings) -> StemFiles {
    let docs = &postings.docs;
    let (head, tail, min_head) = if docs.len() <= HEAD {
        (docs.clone(), Vec::new(), 0)
    } else {
        let mut by_impact: Vec<(u32, u32)> = docs.clone();
        by_impact.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let min_head = by_impact[HEAD - 1].1;
        let mut head: Vec<(u32, u32)> = by_impact[..HEAD].to_vec();
        let mut tail: Vec<(u32, u32)> = by_impact[HEAD..].to_vec();
        head.sort_unstable();
        tail.sort_unstable();
        (head, tail, min_head)
    };
    let delta = |list: &[(u32, u32)]| {
        let mut out = Vec::with_capacity(list.len() * 2);
        let mut last = 0;
        for &(sid, impact) in list {
            out.push(sid - last);
            out.push(impact);
            last = sid;
        }
        out
    };
    let mut positions = Vec::new();
    let mut last_sid = 0;
    let mut i = 0;
    let list = &postings.positions;
    while i < list.len() {
        let sid = list[i].0;
        let mut j = i;
        while j < list.len() && list[j].0 == sid {
            j += 1;
        }
        positions.push(sid - last_sid);
        positions.push((j - i) as u32);
        for (_, field, places) in &list[i..j] {
            positions.push(u32::from(*field));
            positions.push(places.len() as u32);
            let mut last = 0;
            for &place in places {
                positions.push(place - last);
                last = place;
            }
        }
        last_sid = sid;
        i = j;
    }
    StemFiles {
        head: json!([docs.len(), min_head, delta(&head)]),
        tail: (!tail.is_empty()).then(|| json!(delta(&tail))),
        positions: json!(positions),
    }
}

/// Which shard file each key goes to.
struct ShardPlan {
    /// Shard key → file number, sorted by key.
    keys: Vec<(String, usize)>,
    /// Keys that were split into longer keys (their prefix completions go to the manifest).
    split: Vec<String>,
    files: usize,
}

impl ShardPlan {
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
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
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

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt("one  two\nthree", 20), "one two three");
        assert_eq!(excerpt("alpha beta gamma delta", 12), "alpha beta…");
    }
}
