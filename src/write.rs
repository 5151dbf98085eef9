//! Write: the only stage that touches the output. A build is written to a stage folder beside
//! the output and swapped in only when complete, so a failed or interrupted build leaves the old
//! site intact. Unchanged files are hard-linked from the old output, keeping their mtimes for
//! sync deploys; a build that changes nothing writes nothing. A [`Streamer`] does this while the
//! files are being made, so they need not all wait in memory.

use std::collections::HashSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, bail};
use rayon::prelude::*;

use crate::output::{Content, OutputFile};

// Every build writes the marker; a non-empty folder without it is never replaced.
pub use crate::output::MARKER;

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

/// Writes the site. The complete new site is assembled in a stage folder beside `output` and
/// swapped in with two renames, so whenever the process stops, `output` holds either the whole
/// previous build or the whole new one (or, between the two renames, the previous one waits
/// beside it and [`recover`] puts it back).
///
/// Files whose bytes did not change are hard-linked into the stage from the previous build (never
/// rewritten), so their mtimes survive for sync-based deploys; a build that changes nothing
/// writes nothing at all. A previous build holding symlinks is not linked from.
///
/// `previous` is [`previous_files`] of `output`, read before rendering; files the render
/// cache kept ([`Content::Kept`]) need it. `stage` is the one the [`Streamer`] already put
/// files into, if it made one. Run by [`Streamer::finish`].
fn write_site(
    output: &Path,
    files: &[OutputFile],
    previous: Option<Vec<String>>,
    stage: Option<Stage>,
) -> anyhow::Result<WriteReport> {
    for file in files {
        check_relative(&file.path)?;
    }
    if stage.is_none() {
        // Nothing was staged while rendering (nothing changed, so far): clear what crashed
        // builds left beside the output, as making a stage does.
        clear_leftovers(output);
    }
    let Some(previous) = previous else {
        let stage = match stage {
            Some(stage) => stage,
            None => Stage::create(output)?,
        };
        return stage.finish(files);
    };
    let unchanged: Vec<bool> = files
        .par_iter()
        .map(|file| is_unchanged(&output.join(&file.path), file))
        .collect();
    let current: HashSet<&str> = files.iter().map(|file| file.path.as_str()).collect();
    let kept = unchanged.iter().filter(|&&same| same).count();
    let report = WriteReport {
        written: files.len() - kept,
        kept,
        removed: previous
            .iter()
            .filter(|path| !current.contains(path.as_str()))
            .count(),
    };
    if report.written == 0 && report.removed == 0 {
        return Ok(report);
    }
    let stage = match stage {
        Some(stage) => stage,
        None => Stage::create(output)?,
    };
    let all: Vec<&OutputFile> = files.iter().collect();
    let link = Link {
        from: output,
        unchanged: &unchanged,
    };
    fill_stage(&stage.path, &all, Some(link))?;
    stage.swap()?;
    Ok(report)
}

/// The write stage, run while files are being made: [`Streamer::put`] takes each generated file
/// as it comes. A file with the same bytes as in the previous build is handed back as
/// [`Content::Kept`] (it will be hard-linked; its bytes are dropped now); any other goes into
/// the stage at once, created on the first such file, so a build that changes nothing still
/// writes nothing. [`Streamer::finish`] writes the rest and swaps the stage in; dropping the
/// streamer instead (a build with errors) deletes the stage.
pub struct Streamer {
    output: PathBuf,
    /// Whether there is a previous build to compare with and link from.
    previous: bool,
    stage: std::sync::OnceLock<Option<Stage>>,
}

impl Streamer {
    /// A streamer into `output`; `previous` when [`previous_files`] found a build there.
    pub fn new(output: &Path, previous: bool) -> Streamer {
        Streamer {
            output: output.to_path_buf(),
            previous,
            stage: std::sync::OnceLock::new(),
        }
    }

    /// Takes a file as soon as it is made; see [`Streamer`]. A file that cannot be staged (the
    /// stage cannot be created, a write fails) comes back as it was: the write stage tries it
    /// again and reports the error.
    pub fn put(&self, file: OutputFile) -> OutputFile {
        let Content::Bytes(bytes) = &file.content else {
            return file;
        };
        if check_relative(&file.path).is_err() {
            return file;
        }
        if self.previous {
            let old = self.output.join(&file.path);
            if same_bytes(&old, bytes) {
                return OutputFile {
                    path: file.path,
                    content: Content::Kept(old),
                };
            }
        }
        let Some(stage) = self.stage.get_or_init(|| Stage::create(&self.output).ok()) else {
            return file;
        };
        match stage.put(&file.path, bytes) {
            Ok(target) => OutputFile {
                path: file.path,
                content: Content::Staged(target),
            },
            Err(_) => file,
        }
    }

    /// Writes what is not written yet and swaps the new build in (`write_site`).
    pub fn finish(
        self,
        files: &[OutputFile],
        previous: Option<Vec<String>>,
    ) -> anyhow::Result<WriteReport> {
        let stage = self.stage.into_inner().flatten();
        write_site(&self.output, files, previous, stage)
    }
}

/// The folder a build is assembled in, beside the output (`.public.handbook-stage-<pid>`, with
/// our marker). A [`Streamer`] creates it while rendering and [`Stage::put`]s each new or changed
/// file into it as it is made, so rendered pages do not wait in memory for the write stage.
/// Dropping a stage that was not swapped in removes it: a failed build leaves the output as it
/// was.
struct Stage {
    path: PathBuf,
    output: PathBuf,
    parent: PathBuf,
    name: String,
}

impl Stage {
    /// Creates an empty stage for `output` (after putting back a previous build an interrupted
    /// swap left aside, and removing leftovers of crashed builds).
    fn create(output: &Path) -> anyhow::Result<Stage> {
        let parent = output
            .parent()
            .context("the output folder has no parent")?
            .to_path_buf();
        let name = output
            .file_name()
            .context("the output folder has no name")?
            .to_string_lossy()
            .into_owned();
        fs::create_dir_all(&parent).with_context(|| format!("creating {}", parent.display()))?;
        clear_leftovers(output);
        let path = parent.join(format!(".{name}.handbook-stage-{}", std::process::id()));
        if path.exists() {
            remove_ours(&path).with_context(|| format!("removing {}", path.display()))?;
        }
        fs::create_dir(&path).with_context(|| format!("creating {}", path.display()))?;
        let stage = Stage {
            path,
            output: output.to_path_buf(),
            parent,
            name,
        };
        fs::write(stage.path.join(MARKER), MARKER_TEXT)
            .with_context(|| format!("writing {}", stage.path.display()))?;
        Ok(stage)
    }

    /// Writes `bytes` to `path` (relative, checked by the caller) in the stage now; returns
    /// where.
    fn put(&self, path: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
        let target = self.path.join(path);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(&target, bytes)?;
        Ok(target)
    }

    /// Writes the files not staged yet and swaps the stage in as the output.
    /// The caller checked the paths.
    fn finish(self, files: &[OutputFile]) -> anyhow::Result<WriteReport> {
        let all: Vec<&OutputFile> = files.iter().collect();
        fill_stage(&self.path, &all, None)?;
        self.swap()?;
        Ok(WriteReport {
            written: files.len(),
            kept: 0,
            removed: 0,
        })
    }

    fn swap(&self) -> anyhow::Result<()> {
        swap(&self.path, &self.output, &self.parent, &self.name)
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if self.path.exists()
            && let Err(error) = remove_ours(&self.path)
        {
            log::warn!(
                "could not remove the stage folder {}: {error}",
                self.path.display()
            );
        }
    }
}

/// Puts back a previous build that an interrupted swap left beside a missing output
/// (`.public.handbook-old-<pid>`, with our marker), so no build's output is ever lost.
pub fn recover(output: &Path) {
    let (Some(parent), Some(name)) = (output.parent(), output.file_name()) else {
        return;
    };
    if fs::symlink_metadata(output).is_ok() {
        return;
    }
    let prefix = format!(".{}.handbook-old-", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let newest = entries
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(&prefix))
        .filter(|entry| entry.path().join(MARKER).is_file())
        .max_by_key(|entry| entry.metadata().and_then(|m| m.modified()).ok());
    if let Some(old) = newest {
        match fs::rename(old.path(), output) {
            Ok(()) => log::warn!(
                "an earlier build was interrupted while swapping in its output; restored the previous build to {}",
                output.display()
            ),
            Err(error) => log::warn!(
                "could not restore the previous build from {}: {error}",
                old.path().display()
            ),
        }
    }
}

/// Where unchanged files are hard-linked from: the previous output, and which files (by index
/// into the file list) are the same there.
struct Link<'a> {
    from: &'a Path,
    unchanged: &'a [bool],
}

/// Files of the previous build, when it can be linked from: it exists, is ours, and holds no
/// symlinks (which a link or a read could follow out of the output). Not the marker or the
/// render cache, which every build writes itself.
pub fn previous_files(output: &Path) -> Option<Vec<String>> {
    if !output.join(MARKER).is_file() {
        return None;
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(output).follow_links(false) {
        let entry = entry.ok()?;
        if entry.path_is_symlink() {
            return None;
        }
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(output)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            if rel != MARKER && rel != crate::cache::FILE {
                files.push(rel);
            }
        }
    }
    Some(files)
}

fn fill_stage(stage: &Path, files: &[&OutputFile], link: Option<Link>) -> anyhow::Result<()> {
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter(|file| !matches!(file.content, Content::Staged(_)))
        .filter_map(|file| Path::new(&file.path).parent().map(|p| stage.join(p)))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    dirs.sort();
    // create_dir_all tolerates another thread creating a shared parent at the same time.
    dirs.par_iter().try_for_each(|dir| {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
    })?;
    files.par_iter().enumerate().try_for_each(|(index, file)| {
        let target = stage.join(&file.path);
        if let Some(link) = &link
            && link.unchanged[index]
        {
            return keep(&link.from.join(&file.path), &target);
        }
        match &file.content {
            Content::Bytes(bytes) => {
                fs::write(&target, bytes).with_context(|| format!("writing {}", target.display()))
            }
            Content::Copy(from) => fs::copy(from, &target)
                .map(|_| ())
                .with_context(|| format!("copying {} to {}", from.display(), target.display())),
            Content::Kept(_) => {
                bail!(
                    "internal error: {} was kept without a previous build",
                    file.path
                )
            }
            // Written while rendering.
            Content::Staged(_) => Ok(()),
        }
    })
}

/// Puts an unchanged file into the stage without rewriting it: a hard link (same inode, same
/// mtime), or where the file system has none, a copy given the old mtime.
fn keep(previous: &Path, target: &Path) -> anyhow::Result<()> {
    if fs::hard_link(previous, target).is_ok() {
        return Ok(());
    }
    fs::copy(previous, target)
        .with_context(|| format!("copying {} to {}", previous.display(), target.display()))?;
    let modified = fs::metadata(previous).and_then(|m| m.modified());
    if let Ok(modified) = modified {
        fs::File::options()
            .write(true)
            .open(target)
            .and_then(|file| file.set_modified(modified))
            .with_context(|| format!("keeping the mtime of {}", target.display()))?;
    }
    Ok(())
}

fn is_unchanged(previous: &Path, file: &OutputFile) -> bool {
    match &file.content {
        // The render cache checked it against the previous build.
        Content::Kept(_) => true,
        Content::Bytes(bytes) => same_bytes(previous, bytes),
        // Staged because it differed from the previous build (or there was none).
        Content::Staged(_) => false,
        Content::Copy(from) => match (fs::metadata(from), fs::symlink_metadata(previous)) {
            (Ok(source), Ok(old)) if old.is_file() && source.len() == old.len() => {
                fs::read(from).is_ok_and(|bytes| same_bytes(previous, &bytes))
            }
            _ => false,
        },
    }
}

fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.is_file() && metadata.len() == bytes.len() as u64 => {
            fs::read(path).is_ok_and(|old| old == bytes)
        }
        _ => false,
    }
}

fn swap(stage: &Path, output: &Path, parent: &Path, name: &str) -> anyhow::Result<()> {
    if !output.exists() {
        fs::rename(stage, output)
            .with_context(|| format!("moving the new build to {}", output.display()))?;
        return Ok(());
    }
    let old = parent.join(format!(".{name}.handbook-old-{}", std::process::id()));
    if old.exists() {
        remove_ours(&old).with_context(|| format!("removing {}", old.display()))?;
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
    remove_ours(&old)
        .with_context(|| format!("removing the previous build at {}", old.display()))?;
    Ok(())
}

/// [`recover`] and [`remove_leftovers`] for `output`.
fn clear_leftovers(output: &Path) {
    if let (Some(parent), Some(name)) = (output.parent(), output.file_name()) {
        recover(output);
        remove_leftovers(parent, &name.to_string_lossy());
    }
}

/// Deletes one of our folders (a stage, or a previous build moved aside). It is first renamed
/// to a trash name (`.public.handbook-trash-<pid>-<n>`), so a deletion cut short by a kill never
/// leaves a partial site under a name [`recover`] would restore; and its marker goes last, so
/// the partial trash still carries it and the next build finishes the job.
fn remove_ours(path: &Path) -> std::io::Result<()> {
    static TRASHED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let trash = match (path.parent(), path.file_name()) {
        (Some(parent), Some(file_name)) => {
            let file_name = file_name.to_string_lossy();
            // `.public.handbook-stage-12` → `.public.handbook-trash-<pid>-<n>`
            match file_name.rfind(".handbook-") {
                Some(at) if !file_name[at..].starts_with(".handbook-trash-") => {
                    let n = TRASHED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let trash = parent.join(format!(
                        "{}.handbook-trash-{}-{n}",
                        &file_name[..at],
                        std::process::id()
                    ));
                    fs::rename(path, &trash)?;
                    trash
                }
                _ => path.to_path_buf(),
            }
        }
        _ => path.to_path_buf(),
    };
    for entry in fs::read_dir(&trash)? {
        let entry = entry?;
        if entry.file_name() == MARKER {
            continue;
        }
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(entry.path())?;
        } else {
            fs::remove_file(entry.path())?;
        }
    }
    match fs::remove_file(trash.join(MARKER)) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error),
        _ => {}
    }
    fs::remove_dir(&trash)
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
        format!(".{name}.handbook-trash-"),
    ];
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let ours = prefixes
            .iter()
            .any(|prefix| file_name.starts_with(prefix.as_str()));
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !ours || !is_dir {
            continue;
        }
        if !path.join(MARKER).is_file() {
            // Killed between making the folder and writing the marker: it is empty, and
            // remove_dir removes nothing else.
            let _ = fs::remove_dir(&path);
            continue;
        }
        if let Err(error) = remove_ours(&path) {
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
