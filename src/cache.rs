//! The render cache: which key each page of the last build was rendered from, so the next build
//! hard-links a page whose key is unchanged instead of rendering it again.
//!
//! It lives in the output folder (`.handbook-cache`, written after the swap) and is trusted only
//! as far as it can be checked: it must come from this very binary and the same site-wide key
//! (configuration, theme, `site` view), and each file must still be the one the last build wrote
//! (same size, mtime, inode and change time). Anything else renders again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The cache file, inside the output folder.
pub const FILE: &str = ".handbook-cache";

const FORMAT: u32 = 1;

/// What identifies one output file on disk as the one a build wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    len: u64,
    modified_ns: i64,
    inode: u64,
    changed_ns: i64,
}

impl Stamp {
    /// The stamp of a regular file (never a symlink), or None.
    fn of(path: &Path) -> Option<Stamp> {
        let metadata = std::fs::symlink_metadata(path).ok()?;
        if !metadata.is_file() {
            return None;
        }
        let modified_ns = modified_ns(&metadata)?;
        #[cfg(unix)]
        let (inode, changed_ns) = {
            use std::os::unix::fs::MetadataExt;
            (
                metadata.ino(),
                metadata
                    .ctime()
                    .saturating_mul(1_000_000_000)
                    .saturating_add(metadata.ctime_nsec()),
            )
        };
        #[cfg(not(unix))]
        let (inode, changed_ns) = (0, 0);
        Some(Stamp {
            len: metadata.len(),
            modified_ns,
            inode,
            changed_ns,
        })
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Saved {
    format: u32,
    binary: String,
    site: u64,
    files: Vec<(String, u64, Stamp)>,
    /// Sets of files made together from one key (the search index and its export).
    groups: Vec<Group>,
}

/// Files made together from one key, kept only all together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// What made them (`search`).
    pub name: String,
    /// What they were made from.
    pub key: u64,
    /// Their output paths.
    pub paths: Vec<String>,
}

/// The keys of the last build, as far as the output still holds what it wrote.
#[derive(Debug, Default)]
pub struct RenderCache {
    output: PathBuf,
    site: Option<u64>,
    files: HashMap<String, u64>,
    /// Groups whose every file was, when loaded, what that build wrote.
    groups: Vec<Group>,
    /// The file as read, to skip saving an identical one.
    raw: Vec<u8>,
}

impl RenderCache {
    /// No cache: every page renders (`check`, a first build, another binary).
    pub fn empty() -> Self {
        RenderCache::default()
    }

    /// Reads the cache of the build in `output`. `previous` lists the regular files of that build
    /// (None when it cannot be linked from, e.g. it holds a symlink): only those are trusted.
    pub fn load(output: &Path, previous: Option<&[String]>) -> Self {
        let (Some(previous), Some(binary)) = (previous, binary_id()) else {
            return RenderCache::empty();
        };
        let Ok(raw) = std::fs::read(output.join(FILE)) else {
            return RenderCache::empty();
        };
        let saved: Saved = match serde_json::from_slice(&raw) {
            Ok(saved) => saved,
            Err(_) => return RenderCache::empty(),
        };
        if saved.format != FORMAT || saved.binary != binary {
            return RenderCache::empty();
        }
        let listed: std::collections::HashSet<&str> = previous.iter().map(String::as_str).collect();
        // Checked here, once, so rendering does no I/O.
        let files: HashMap<String, u64> = saved
            .files
            .into_par_iter()
            .filter(|(path, _, stamp)| {
                listed.contains(path.as_str()) && Stamp::of(&output.join(path)) == Some(*stamp)
            })
            .map(|(path, key, _)| (path, key))
            .collect();
        let groups = saved
            .groups
            .into_iter()
            .filter(|group| {
                group
                    .paths
                    .iter()
                    .all(|path| files.get(path) == Some(&group.key))
            })
            .collect();
        RenderCache {
            output: output.to_path_buf(),
            site: Some(saved.site),
            files,
            groups,
            raw,
        }
    }

    /// The previous output's file at `path` when it was rendered from `key` under site-wide key
    /// `site` and was, when the cache was loaded, exactly the file that build wrote.
    pub fn kept(&self, site: u64, path: &str, key: u64) -> Option<PathBuf> {
        (self.site == Some(site) && self.files.get(path) == Some(&key))
            .then(|| self.output.join(path))
    }

    /// The previous output's files of group `name` when they were all made from `key` and are
    /// still what that build wrote (independent of the site-wide key).
    pub fn kept_group(&self, name: &str, key: u64) -> Option<Vec<crate::output::OutputFile>> {
        let group = self
            .groups
            .iter()
            .find(|group| group.name == name && group.key == key)?;
        Some(
            group
                .paths
                .iter()
                .map(|path| crate::output::OutputFile {
                    path: path.clone(),
                    content: crate::output::Content::Kept(self.output.join(path)),
                })
                .collect(),
        )
    }

    /// Records `keys` (output path, key) and `groups` with the stamps the files now have in
    /// `output`, after a successful write. A file that cannot be stamped is left out (it, or
    /// its group, will be made again). Written whole (temporary file, rename); an identical
    /// cache is not rewritten.
    pub fn save(&self, output: &Path, site: u64, keys: &[(String, u64)], groups: &[Group]) {
        let Some(binary) = binary_id() else {
            return;
        };
        let members = groups.iter().flat_map(|group| {
            group
                .paths
                .iter()
                .map(move |path| (path.clone(), group.key))
        });
        let files = keys
            .iter()
            .cloned()
            .chain(members)
            .collect::<Vec<_>>()
            .into_par_iter()
            .filter_map(|(path, key)| {
                Stamp::of(&output.join(&path)).map(|stamp| (path, key, stamp))
            })
            .collect();
        let saved = Saved {
            format: FORMAT,
            binary,
            site,
            files,
            groups: groups.to_vec(),
        };
        let Ok(bytes) = serde_json::to_vec(&saved) else {
            return;
        };
        if bytes == self.raw && output == self.output {
            return;
        }
        let temporary = output.join(format!("{FILE}.tmp"));
        let written = std::fs::write(&temporary, &bytes)
            .and_then(|()| std::fs::rename(&temporary, output.join(FILE)));
        if let Err(error) = written {
            log::debug!("could not save the render cache: {error}");
            std::fs::remove_file(&temporary).ok();
        }
    }
}

/// A file's modification time in nanoseconds since 1970.
fn modified_ns(metadata: &std::fs::Metadata) -> Option<i64> {
    let since_epoch = metadata
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    i64::try_from(since_epoch.as_nanos()).ok()
}

/// This binary: version, size and mtime of the executable. A rebuilt or upgraded handbook
/// never trusts keys an older one computed (views and rendering may differ).
fn binary_id() -> Option<String> {
    static ID: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let exe = std::env::current_exe().ok()?;
        let metadata = std::fs::metadata(exe).ok()?;
        let modified = modified_ns(&metadata)?;
        Some(format!(
            "{} {} {modified}",
            env!("CARGO_PKG_VERSION"),
            metadata.len()
        ))
    })
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn a_saved_key_is_kept_until_the_file_or_the_site_changes() {
        let dir = output_with(&[("a/index.html", "A"), ("b/index.html", "B")]);
        let out = dir.path();
        let listed = vec!["a/index.html".to_string(), "b/index.html".to_string()];
        let keys = [
            ("a/index.html".to_string(), 1),
            ("b/index.html".to_string(), 2),
        ];
        RenderCache::empty().save(out, 7, &keys, &[]);

        let cache = RenderCache::load(out, Some(&listed));
        assert_eq!(
            cache.kept(7, "a/index.html", 1),
            Some(out.join("a/index.html"))
        );
        assert_eq!(cache.kept(7, "a/index.html", 9), None, "another key");
        assert_eq!(cache.kept(8, "a/index.html", 1), None, "another site key");
        assert_eq!(cache.kept(7, "c/index.html", 1), None, "never saved");

        // Someone edits a file in the output: it renders again.
        std::fs::write(out.join("b/index.html"), "tampered").unwrap();
        assert_eq!(
            RenderCache::load(out, Some(&listed)).kept(7, "b/index.html", 2),
            None
        );

        // A file the writer cannot link from is not trusted.
        let only_a = vec!["a/index.html".to_string()];
        let cache = RenderCache::load(out, Some(&only_a));
        assert_eq!(cache.kept(7, "b/index.html", 2), None);
        assert_eq!(
            RenderCache::load(out, None).kept(7, "a/index.html", 1),
            None
        );
    }

    #[test]
    fn a_damaged_cache_is_ignored() {
        let dir = output_with(&[("a/index.html", "A"), (FILE, "{not json")]);
        let listed = vec!["a/index.html".to_string()];
        let cache = RenderCache::load(dir.path(), Some(&listed));
        assert_eq!(cache.kept(0, "a/index.html", 0), None);
    }
}
