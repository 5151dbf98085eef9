//! Export phase 1, postings: every stem's postings, read from the committed index in every
//! field and segment, scored as tantivy's BM25 scores them, and encoded at once into a head,
//! deeper tiers and positions (only the encoded form is held for all stems). When the index
//! has a folder, the tiers and positions, which only the shard files need, wait in a spill
//! file there ([`Spill`]): planning the shards needs only the heads.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufWriter, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;
use tantivy::postings::Postings;
use tantivy::query::Bm25Weight;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, TERMINATED};

use super::super::BOOSTS;
use super::super::index::SearchIndex;
use super::super::index::quantize;
use super::{TIERS, vlq};

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
pub(super) struct StemPostings {
    /// (section, score) per field occurrence; summed per section when encoded.
    pub(super) scores: Vec<(u32, f32)>,
    /// VLQ groups `field, sections, (section delta, count, position deltas…)…`.
    pub(super) positions: String,
}

/// Every stem's encoded postings, in stem order, and the spill file holding their tiers and
/// positions when the index has a folder.
pub(super) struct Encoded {
    pub(super) stems: Vec<(String, StemFiles)>,
    pub(super) spill: Option<Spill>,
}

/// Every stem's encoded postings, in stem order.
pub(super) fn read(index: &SearchIndex, started: Instant) -> anyhow::Result<Encoded> {
    let searcher = index.searcher();
    let fields = &index.fields;
    let segments = searcher.segment_readers();
    // Section number of every document, per segment: read once, then looked up while merging.
    let sids = index.segment_sids(&searcher)?;
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
    log::debug!(
        "export: {} stems in {} places listed at {:?}",
        terms.len(),
        terms.values().map(Vec::len).sum::<usize>(),
        started.elapsed()
    );
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
    // are ever held for all stems (at 100k pages the raw ones were over a GiB more); with a
    // spill file, only their heads.
    // Each stem's places are dropped once it is encoded.
    let terms: Vec<(String, Vec<TermPlace>)> = terms.into_iter().collect();
    let mut spill = index.folder().map(Spill::create).transpose()?;
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
                // Segments split the sections between indexing threads and buckets: merge
                // their postings by section (a heap of each cursor's next section), so the
                // export is the same however the documents were split.
                let mut heap: std::collections::BinaryHeap<std::cmp::Reverse<(u32, usize)>> =
                    cursors
                        .iter()
                        .enumerate()
                        .filter(|(_, (_, postings))| postings.doc() != TERMINATED)
                        .map(|(at, (place, postings))| {
                            std::cmp::Reverse((sids[*place][postings.doc() as usize], at))
                        })
                        .collect();
                while let Some(std::cmp::Reverse((sid, at))) = heap.pop() {
                    let (place, cursor) = &mut cursors[at];
                    let doc = cursor.doc();
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
                    if cursor.advance() != TERMINATED {
                        heap.push(std::cmp::Reverse((sids[*place][cursor.doc() as usize], at)));
                    }
                }
                vlq(&mut postings.positions, number as u32);
                vlq(
                    &mut postings.positions,
                    (postings.scores.len() - first) as u32,
                );
                postings.positions.push_str(&body);
            }
            let mut files = encode_stem(postings);
            if let Some(spill) = &spill {
                files.rest = spill.put(files.rest)?;
            }
            Ok((stem, files))
        })
        .collect::<anyhow::Result<_>>()?;
    if let Some(spill) = &mut spill {
        spill.rewind()?;
    }
    log::debug!(
        "export: postings of {} segments read and encoded at {:?}",
        searcher.segment_readers().len(),
        started.elapsed()
    );
    Ok(Encoded {
        stems: encoded,
        spill,
    })
}

pub(super) struct StemFiles {
    /// `doc count, [tier bounds…], "head postings"`: each bound is the smallest impact loaded
    /// once that tier is in (later postings score at most that much). The shard entry adds the
    /// packs of the deeper tiers.
    pub(super) head: String,
    /// The deeper tiers and the positions.
    pub(super) rest: Rest,
}

/// A stem's deeper tiers and positions: held, or in the [`Spill`] file.
pub(super) enum Rest {
    Held {
        /// Postings of each tier after the head (empty when there are none).
        tiers: Vec<String>,
        /// VLQ position groups.
        positions: String,
    },
    /// In the spill file from `offset`: each tier's length in bytes, then the positions'.
    Spilled {
        offset: u64,
        tiers: Vec<u32>,
        positions: u32,
    },
}

/// The file the tiers and positions of every stem wait in until the shards are written: each
/// stem's are appended as soon as it is encoded (by whichever thread encoded it), so only the
/// stems being encoded hold theirs. It is made in the index's folder (the build's own staged
/// folder) and removed when dropped; at 100k pages these were most of the export's memory.
pub(super) struct Spill {
    path: PathBuf,
    /// While stems are encoded: the writer and the length written so far.
    writer: Mutex<Option<(BufWriter<File>, u64)>>,
    /// While shards are written.
    reader: Option<File>,
}

pub(super) const SPILL_FILE: &str = "export-spill.tmp";

impl Spill {
    fn create(folder: &Path) -> anyhow::Result<Spill> {
        let path = folder.join(SPILL_FILE);
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(Spill {
            path,
            writer: Mutex::new(Some((BufWriter::with_capacity(1 << 20, file), 0))),
            reader: None,
        })
    }

    /// Appends `rest` to the file; returns where it went.
    fn put(&self, rest: Rest) -> anyhow::Result<Rest> {
        let Rest::Held { tiers, positions } = &rest else {
            return Ok(rest);
        };
        let mut writer = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some((writer, written)) = writer.as_mut() else {
            anyhow::bail!("the export's spill file is closed");
        };
        let offset = *written;
        for text in tiers.iter().chain([positions]) {
            writer.write_all(text.as_bytes())?;
            *written += text.len() as u64;
        }
        Ok(Rest::Spilled {
            offset,
            tiers: tiers.iter().map(|tier| tier.len() as u32).collect(),
            positions: positions.len() as u32,
        })
    }

    /// Ends writing; reading starts.
    fn rewind(&mut self) -> anyhow::Result<()> {
        let writer = self
            .writer
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some((writer, _)) = writer {
            self.reader = Some(writer.into_inner().map_err(|error| error.into_error())?);
        }
        Ok(())
    }

    /// A stem's tiers and positions, given what was held for it.
    pub(super) fn take(
        spill: &mut Option<Spill>,
        rest: Rest,
    ) -> anyhow::Result<(Vec<String>, String)> {
        match rest {
            Rest::Held { tiers, positions } => Ok((tiers, positions)),
            Rest::Spilled {
                offset,
                tiers,
                positions,
            } => {
                let file = spill
                    .as_mut()
                    .and_then(|spill| spill.reader.as_mut())
                    .ok_or_else(|| anyhow::anyhow!("the export's spill file is not open"))?;
                file.seek(SeekFrom::Start(offset))?;
                let mut next = |len: u32| -> anyhow::Result<String> {
                    let mut bytes = vec![0; len as usize];
                    file.read_exact(&mut bytes)?;
                    Ok(String::from_utf8(bytes)?)
                };
                let tiers = tiers
                    .into_iter()
                    .map(&mut next)
                    .collect::<anyhow::Result<_>>()?;
                Ok((tiers, next(positions)?))
            }
        }
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        // Closed before it is removed (a file open elsewhere cannot be removed everywhere).
        *self
            .writer
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        self.reader = None;
        std::fs::remove_file(&self.path).ok();
    }
}

/// Sums a stem's field scores per section, quantizes them, and splits them into tiers by
/// impact. Each tier is stored in section order as VLQ `section delta, impact` pairs.
pub(super) fn encode_stem(postings: StemPostings) -> StemFiles {
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
        rest: Rest::Held {
            tiers: rest,
            positions: postings.positions,
        },
    }
}
