//! Export phase 2, shards: which keys (surface words and stems share one key space) go in
//! which `t/<n>.js`, the prefix completions of split keys, and the shard files themselves with
//! their positions (`p/<n>.js`) and tier packs (`t/<k>.<tier>.js`).

use std::collections::BTreeMap;
use std::time::Instant;

use super::super::{MIN_PREFIX, Surfaces, complete};
use super::postings::{Encoded, Spill, StemFiles};
use super::{
    DEEPER, MAX_KEY, Outgoing, PACK_BYTES, SHARD_BYTES, entry, quote_into, script, string_entry,
};

/// The shard plan for these surfaces and stems, from the size of each key's entries.
pub(super) fn plan(surfaces: &Surfaces, encoded: &[(String, StemFiles)]) -> ShardPlan {
    // Surfaces and stems share one key space.
    let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
    for (surface, (stem, _)) in surfaces {
        *sizes.entry(surface).or_default() += surface.len() + stem.len() + 12;
    }
    for (stem, files) in encoded {
        *sizes.entry(stem).or_default() += stem.len() + files.head.len() + 4;
    }
    plan_shards(&sizes)
}

/// Prefix completions by the shard file that hosts them.
pub(super) fn completions(
    plan: &ShardPlan,
    surfaces: &Surfaces,
) -> anyhow::Result<BTreeMap<usize, Vec<u8>>> {
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
    Ok(completions)
}

/// Makes and sends the shard files, their positions and the tier packs.
pub(super) fn write(
    out: &mut Outgoing<'_>,
    plan: &ShardPlan,
    surfaces: &Surfaces,
    encoded: Encoded,
    mut completions: BTreeMap<usize, Vec<u8>>,
    started: Instant,
) -> anyhow::Result<()> {
    // Shards cover ranges of the sorted key space in file order, so each is made from the next
    // run of surfaces and stems and sent before the next begins: only one shard's text is held
    // (at 100k pages all of them were hundreds of MiB), and each stem's encoded postings are
    // dropped as soon as they are copied.
    let mut words = surfaces.iter().peekable();
    let Encoded { stems, mut spill } = encoded;
    let mut stems = stems.into_iter().peekable();
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
            let (tiers, positions) = Spill::take(&mut spill, files.rest)?;
            // `"stem":[doc count, bounds, "head", [pack of tier 1, pack of tier 2…]]`
            let mut held = Vec::new();
            for (tier, text) in tiers.iter().enumerate() {
                if !text.is_empty() {
                    held.push(packs.add(out, tier, &stem, text));
                }
            }
            let head = entry(&mut shard.heads);
            quote_into(head, &stem);
            head.extend_from_slice(b":[");
            head.extend_from_slice(files.head.as_bytes());
            head.extend_from_slice(format!(",{}]", serde_json::to_string(&held)?).as_bytes());
            string_entry(&mut shard.positions, &stem, &positions);
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
    packs.finish(out);
    if words.any(|(surface, _)| plan.file_of(surface).is_some())
        || stems.any(|(stem, _)| plan.file_of(&stem).is_some())
    {
        anyhow::bail!("shard plan has keys past its last file");
    }
    log::debug!("export: shards made at {:?}", started.elapsed());
    Ok(())
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

/// The manifest's shard table: per file, its keys joined by spaces (keys are word prefixes,
/// which never hold a space).
pub(super) fn keys_by_file(plan: &ShardPlan) -> Vec<String> {
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

/// Which shard file each key goes to.
pub(super) struct ShardPlan {
    /// Shard key → file number, sorted by key.
    pub(super) keys: Vec<(String, usize)>,
    /// Keys that were split into longer keys (their prefix completions go to a shard).
    pub(super) split: Vec<String>,
    pub(super) files: usize,
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
    pub(super) fn file_of(&self, word: &str) -> Option<usize> {
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
pub(super) fn plan_shards(sizes: &BTreeMap<&str, usize>) -> ShardPlan {
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
