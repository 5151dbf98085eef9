//! Write: the only stage that touches the output. A build is written to a stage folder beside
//! the output and swapped in only when complete, so a failed build leaves the old site intact.
//! Unchanged files are hard-linked from the old output, keeping their mtimes for sync deploys.

use std::collections::HashSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, bail};
use rayon::prelude::*;

use crate::output::{Content, OutputFile};

/// Every build writes this file; a non-empty folder without it is never replaced.
pub const MARKER: &str = ".handbook-output";

const MARKER_TEXT: &str =
    "This folder is written by `handbook build` and replaced on every build.\n";

/// What a write did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteReport {
    /// Files whose bytes are new or changed.
    pub written: usize,
    /// Files identical to the previous build, kept (hard-linked) with their old mtime.
    pub kept: usize,
    /// Files of the previous build that no longer exist.
    pub removed: usize,
}

/// Checks that `output` is a safe place to replace, before anything is written. Returns the
/// absolute output path. Refuses the source folder, any folder containing it, anything inside
/// `.git`, a symlink, a file, and a non-empty folder that a build did not make.
pub fn guard_output(source_root: &Path, output: &Path) -> anyhow::Result<PathBuf> {
    let root = source_root
        .canonicalize()
        .with_context(|| format!("reading {}", source_root.display()))?;
    let output = absolute_path(output)?;
    if let Ok(metadata) = fs::symlink_metadata(&output) {
        if metadata.file_type().is_symlink() {
            bail!(
                "refusing to write to {}: it is a symlink\n  help: point -o at a real folder",
                output.display()
            );
        }
        if !metadata.is_dir() {
            bail!(
                "refusing to write to {}: it is a file, not a folder",
                output.display()
            );
        }
    }
    if output.parent().is_none() {
        bail!(
            "refusing to write to {}: it is the file-system root",
            output.display()
        );
    }
    if output == root {
        bail!(
            "refusing to write to {}: it is the handbook source folder\n  help: use an output folder such as {}",
            output.display(),
            root.join("public").display()
        );
    }
    if root.starts_with(&output) {
        bail!(
            "refusing to write to {}: it contains the handbook source folder {}\n  help: use a folder inside or beside the handbook, like `public`",
            output.display(),
            root.display()
        );
    }
    if output
        .components()
        .any(|component| component.as_os_str() == ".git")
    {
        bail!(
            "refusing to write to {}: it is inside a .git folder",
            output.display()
        );
    }
    if output.is_dir() && !output.join(MARKER).is_file() {
        let mut entries =
            fs::read_dir(&output).with_context(|| format!("reading {}", output.display()))?;
        if entries.next().is_some() {
            bail!(
                "refusing to replace {}: the folder is not empty and was not made by handbook (no {MARKER} file)\n  help: empty or remove it yourself, or choose another output folder with -o",
                output.display()
            );
        }
    }
    Ok(output)
}

/// Makes `path` absolute and canonical as far as it exists (the rest appended), so symlinked
/// parents are seen for what they are.
fn absolute_path(path: &Path) -> anyhow::Result<PathBuf> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .context("reading the current folder")?
            .join(path)
    };
    let mut existing = absolute.clone();
    let mut rest = Vec::new();
    loop {
        if fs::symlink_metadata(&existing).is_ok() {
            break;
        }
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let metadata = fs::symlink_metadata(&existing).ok();
    let mut resolved = if metadata.is_some_and(|m| m.file_type().is_symlink()) && rest.is_empty() {
        // The output itself is a symlink: keep it as named so the guard refuses it.
        let parent = existing.parent().map(Path::to_path_buf).unwrap_or_default();
        let name = existing
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        parent.canonicalize().unwrap_or(parent).join(name)
    } else {
        existing.canonicalize().unwrap_or(existing)
    };
    for part in rest.iter().rev() {
        if part == ".." {
            resolved.pop();
        } else if part != "." {
            resolved.push(part);
        }
    }
    Ok(resolved)
}

/// Writes `files` into a stage folder beside `output` and swaps it in. On any error the stage
/// is removed and the previous output stays as it was.
pub fn write_site(output: &Path, files: &[OutputFile]) -> anyhow::Result<WriteReport> {
    for file in files {
        check_relative(&file.path)?;
    }
    let parent = output.parent().context("the output folder has no parent")?;
    let name = output
        .file_name()
        .context("the output folder has no name")?
        .to_string_lossy()
        .into_owned();
    fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    remove_leftovers(parent, &name);
    let stage = parent.join(format!(".{name}.handbook-stage-{}", std::process::id()));
    if stage.exists() {
        fs::remove_dir_all(&stage).with_context(|| format!("removing {}", stage.display()))?;
    }
    fs::create_dir(&stage).with_context(|| format!("creating {}", stage.display()))?;
    fs::write(stage.join(MARKER), MARKER_TEXT)
        .with_context(|| format!("writing {}", stage.display()))?;
    let result = fill_stage(&stage, output, files).and_then(|mut report| {
        report.removed = count_removed(output, files);
        swap(&stage, output, parent, &name)?;
        Ok(report)
    });
    if result.is_err() && stage.exists() {
        // The error being returned matters more than a failed clean-up of our own stage.
        if let Err(error) = fs::remove_dir_all(&stage) {
            log::warn!(
                "could not remove the stage folder {}: {error}",
                stage.display()
            );
        }
    }
    result
}

fn fill_stage(stage: &Path, output: &Path, files: &[OutputFile]) -> anyhow::Result<WriteReport> {
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|file| Path::new(&file.path).parent().map(|p| stage.join(p)))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    dirs.sort();
    for dir in &dirs {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let kept: Vec<bool> = files
        .par_iter()
        .map(|file| write_one(stage, output, file))
        .collect::<anyhow::Result<_>>()?;
    let kept_count = kept.iter().filter(|&&k| k).count();
    Ok(WriteReport {
        written: files.len() - kept_count,
        kept: kept_count,
        removed: 0,
    })
}

/// Writes one file into the stage; returns true when it was unchanged and hard-linked instead.
fn write_one(stage: &Path, output: &Path, file: &OutputFile) -> anyhow::Result<bool> {
    let target = stage.join(&file.path);
    let previous = output.join(&file.path);
    let unchanged = match &file.content {
        Content::Bytes(bytes) => same_bytes(&previous, bytes),
        Content::Copy(from) => fs::read(from).is_ok_and(|bytes| same_bytes(&previous, &bytes)),
    };
    if unchanged && fs::hard_link(&previous, &target).is_ok() {
        return Ok(true);
    }
    match &file.content {
        Content::Bytes(bytes) => {
            fs::write(&target, bytes).with_context(|| format!("writing {}", target.display()))?
        }
        Content::Copy(from) => {
            fs::copy(from, &target)
                .with_context(|| format!("copying {} to {}", from.display(), target.display()))?;
        }
    }
    Ok(false)
}

fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.is_file() && metadata.len() == bytes.len() as u64 => {
            fs::read(path).is_ok_and(|old| old == bytes)
        }
        _ => false,
    }
}

fn count_removed(output: &Path, files: &[OutputFile]) -> usize {
    if !output.is_dir() {
        return 0;
    }
    let new: HashSet<&str> = files.iter().map(|file| file.path.as_str()).collect();
    walkdir::WalkDir::new(output)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .filter(|entry| {
            let rel = entry
                .path()
                .strip_prefix(output)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            rel != MARKER && !new.contains(rel.as_str())
        })
        .count()
}

fn swap(stage: &Path, output: &Path, parent: &Path, name: &str) -> anyhow::Result<()> {
    if !output.exists() {
        fs::rename(stage, output)
            .with_context(|| format!("moving the new build to {}", output.display()))?;
        return Ok(());
    }
    let old = parent.join(format!(".{name}.handbook-old-{}", std::process::id()));
    if old.exists() {
        fs::remove_dir_all(&old).with_context(|| format!("removing {}", old.display()))?;
    }
    fs::rename(output, &old)
        .with_context(|| format!("moving the previous build aside from {}", output.display()))?;
    if let Err(error) = fs::rename(stage, output) {
        // Put the previous build back so the site is never left missing.
        if let Err(restore) = fs::rename(&old, output) {
            log::error!(
                "could not restore the previous build from {}: {restore}",
                old.display()
            );
        }
        return Err(anyhow::Error::new(error)
            .context(format!("moving the new build to {}", output.display())));
    }
    fs::remove_dir_all(&old)
        .with_context(|| format!("removing the previous build at {}", old.display()))?;
    Ok(())
}

/// Removes stage and old folders a crashed build left behind: only folders with our name
/// pattern that also carry the marker, so nothing else is ever deleted.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefixes = [
        format!(".{name}.handbook-stage-"),
        format!(".{name}.handbook-old-"),
    ];
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let ours = prefixes
            .iter()
            .any(|prefix| file_name.starts_with(prefix.as_str()));
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if ours
            && is_dir
            && path.join(MARKER).is_file()
            && let Err(error) = fs::remove_dir_all(&path)
        {
            log::warn!(
                "could not remove the leftover folder {}: {error}",
                path.display()
            );
        }
    }
}

fn check_relative(path: &str) -> anyhow::Result<()> {
    let bad = path.is_empty()
        || path.contains(['\\', '\0'])
        || Path::new(path)
            .components()
            .any(|component| !matches!(component, Component::Normal(_)));
    if bad {
        bail!(
            "internal error: output path '{path}' is not a plain relative path; refusing to write it"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths_must_stay_inside() {
        assert!(check_relative("docs/a/index.html").is_ok());
        for bad in ["../x", "/etc/passwd", "a/../../b", "a\\b", ""] {
            assert!(check_relative(bad).is_err(), "{bad}");
        }
    }
}
