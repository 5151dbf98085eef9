//! Highlighted code blocks kept between builds, by syntax and text, in the handbook's cache
//! folder (`.handbook/highlight.bin`). Syntax highlighting is the costliest part of rendering a
//! handbook with much code (half of all CPU on a 14,600-page documentation set), and a CI build
//! renders every page into an empty output folder: with the cache folder restored, a block whose
//! text did not change is not highlighted again.
//!
//! The file is trusted only as far as it can be checked: it must name this handbook version and
//! this format, and a file that does not decode is ignored. A build saves the blocks it used,
//! so blocks deleted from the sources leave the cache with the next build.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where the cache lives, relative to the handbook root.
pub const FILE: &str = ".handbook/highlight.bin";

/// Bumped when what a key means, or the highlighted HTML of a block, changes.
const FORMAT: u32 = 2;

/// The file's first bytes: what it is and which handbook made it.
fn header() -> String {
    format!(
        "handbook-highlight {FORMAT} {}\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// Highlighted blocks of the last build, and those this build made and used.
#[derive(Default)]
pub struct CodeCache {
    /// Where it is saved; `None` for a cache that is neither read nor saved (`check`, the
    /// preview).
    root: Option<PathBuf>,
    known: HashMap<u128, Box<str>>,
    used: Mutex<Used>,
}

/// This build's blocks: keys of known ones it used, and the ones it made.
#[derive(Default)]
struct Used {
    known: HashSet<u128>,
    made: Vec<(u128, String)>,
}

impl CodeCache {
    /// A cache that keeps nothing.
    pub fn none() -> CodeCache {
        CodeCache::default()
    }

    /// The cache of the handbook at `root`, empty when there is none or it is not this
    /// version's (or not a regular file reached through real folders).
    pub fn load(root: &Path) -> CodeCache {
        let known = crate::output::read_cache(root, &root.join(FILE))
            .and_then(|bytes| decode(&bytes))
            .unwrap_or_default();
        CodeCache {
            root: Some(root.to_path_buf()),
            known,
            used: Mutex::default(),
        }
    }

    /// The highlighted HTML of `code` in `syntax`, from the cache or made by `make` (and
    /// remembered when it is to be saved). `None` when `make` gives none.
    pub fn get_or_make(
        &self,
        syntax: &str,
        code: &str,
        make: impl FnOnce() -> Option<String>,
    ) -> Option<String> {
        if self.root.is_none() {
            return make();
        }
        let key = key(syntax, code);
        if let Some(html) = self.known.get(&key) {
            self.lock().known.insert(key);
            return Some(html.to_string());
        }
        let html = make()?;
        self.lock().made.push((key, html.clone()));
        Some(html)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Used> {
        self.used
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Saves the blocks this build used, unless they are the ones already saved. A failure is
    /// a warning: the cache only saves time.
    pub fn save(&self) {
        let Some(root) = &self.root else { return };
        let Used { known: used, made } = &*self.lock();
        log::debug!(
            "code blocks: {} highlighted, {} kept from {FILE}",
            made.len(),
            used.len()
        );
        if made.is_empty() && used.len() == self.known.len() {
            return;
        }
        let mut blocks: Vec<(u128, &str)> = made
            .iter()
            .map(|(key, html)| (*key, html.as_str()))
            .chain(
                self.known
                    .iter()
                    .filter(|(key, _)| used.contains(key))
                    .map(|(key, html)| (*key, &**html)),
            )
            .collect();
        blocks.sort_unstable_by_key(|(key, _)| *key);
        blocks.dedup_by_key(|(key, _)| *key);
        if let Err(error) = crate::output::save_cache(root, &root.join(FILE), &encode(&blocks)) {
            log::warn!("could not save highlighted code in {FILE}: {error}");
        }
    }
}

/// The key of a block: its syntax and its text.
fn key(syntax: &str, code: &str) -> u128 {
    let mut hash = xxhash_rust::xxh3::Xxh3::new();
    hash.update(syntax.as_bytes());
    hash.update(&[0]);
    hash.update(code.as_bytes());
    hash.digest128()
}

/// The header, then LZ4 of `(key, length, HTML)…`.
fn encode(blocks: &[(u128, &str)]) -> Vec<u8> {
    let mut plain = Vec::new();
    for (key, html) in blocks {
        plain.extend_from_slice(&key.to_le_bytes());
        plain.extend_from_slice(&(html.len() as u64).to_le_bytes());
        plain.extend_from_slice(html.as_bytes());
    }
    let mut out = header().into_bytes();
    out.extend_from_slice(&lz4_flex::block::compress_prepend_size(&plain));
    out
}

fn decode(bytes: &[u8]) -> Option<HashMap<u128, Box<str>>> {
    let plain =
        lz4_flex::block::decompress_size_prepended(bytes.strip_prefix(header().as_bytes())?)
            .ok()?;
    let mut known = HashMap::new();
    let mut rest = plain.as_slice();
    while !rest.is_empty() {
        let (key, after) = rest.split_first_chunk::<16>()?;
        let (len, after) = after.split_first_chunk::<8>()?;
        let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
        if after.len() < len {
            return None;
        }
        let (html, after) = after.split_at(len);
        known.insert(
            u128::from_le_bytes(*key),
            std::str::from_utf8(html).ok()?.into(),
        );
        rest = after;
    }
    Some(known)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_come_back_from_the_file_and_only_used_ones_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CodeCache::load(dir.path());
        let made = |html: &str| {
            let html = html.to_string();
            move || Some(html)
        };
        assert_eq!(
            cache.get_or_make("Rust", "fn a() {}", made("<a>")).unwrap(),
            "<a>"
        );
        assert_eq!(
            cache.get_or_make("Rust", "fn b() {}", made("<b>")).unwrap(),
            "<b>"
        );
        cache.save();
        let cache = CodeCache::load(dir.path());
        assert_eq!(cache.known.len(), 2);
        let never = || -> Option<String> { panic!("a known block is not made again") };
        assert_eq!(
            cache.get_or_make("Rust", "fn a() {}", never).unwrap(),
            "<a>"
        );
        // Same text, another syntax: another block.
        assert_eq!(
            cache
                .get_or_make("Python", "fn a() {}", made("<p>"))
                .unwrap(),
            "<p>"
        );
        cache.save();
        let cache = CodeCache::load(dir.path());
        let mut keys: Vec<&u128> = cache.known.keys().collect();
        keys.sort();
        let mut wanted = [key("Rust", "fn a() {}"), key("Python", "fn a() {}")];
        wanted.sort();
        assert_eq!(
            keys,
            wanted.iter().collect::<Vec<_>>(),
            "`fn b` was not used"
        );
    }

    #[test]
    fn a_file_from_another_version_or_damaged_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let good = encode(&[(key("Rust", "x"), "<x>")]);
        for bad in [
            good.iter().map(|byte| byte ^ 1).collect::<Vec<u8>>(),
            good[..good.len() - 3].to_vec(),
            b"handbook-highlight 0 0.0.0\n".to_vec(),
        ] {
            std::fs::write(&path, bad).unwrap();
            assert!(CodeCache::load(dir.path()).known.is_empty());
        }
        std::fs::write(&path, good).unwrap();
        assert_eq!(CodeCache::load(dir.path()).known.len(), 1);
    }
}
