//! Themes: the built-in theme embedded in the binary, overridden file by file from the
//! handbook's `themes/<name>/`; builds the tera instance; `theme eject` copies it out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use include_dir::{Dir, include_dir};

use crate::config::Config;

static BUILT_IN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// The template that holds `NavTree` (and nothing else a theme would change with it), whose
/// output the renderer can make natively.
pub const NAV_TEMPLATE: &str = "nav.html";

/// A loaded theme: templates compiled into tera, plus the static assets to publish.
pub struct Theme {
    /// Compiled templates and components.
    pub tera: tera::Tera,
    /// Files from the theme's `static/` folder, by path below it.
    pub assets: BTreeMap<String, Vec<u8>>,
    /// Where each template came from, for error messages.
    pub origins: BTreeMap<String, String>,
    /// A hash of every template and asset: a changed theme renders every page again.
    pub fingerprint: u64,
    /// True while `nav.html` is the built-in one: the renderer then gives templates the sidebar
    /// as `nav_html`, made in Rust byte for byte as the built-in `NavTree` would. Changing any
    /// other template (`components.html` included) keeps it.
    pub native_sidebar: bool,
}

/// Loads the theme named in config: each file from `themes/<name>/` in the handbook if present,
/// else from the built-in theme.
pub fn load(root: &Path, config: &Config) -> anyhow::Result<Theme> {
    let user_dir = root.join("themes").join(&config.theme);
    let user_dir = theme_folder(root, &user_dir, &format!("themes/{}", config.theme))?;
    if config.theme != "default" && !user_dir.is_dir() {
        bail!(
            "theme '{}' not found: there is no folder {}\n  help: create it, or run `handbook theme eject` to start from the default theme",
            config.theme,
            user_dir.display()
        );
    }
    let mut templates: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut assets = BTreeMap::new();
    for file in built_in_files() {
        let path = file.path().to_string_lossy().replace('\\', "/");
        if let Some(name) = path.strip_prefix("templates/") {
            let text = String::from_utf8_lossy(file.contents()).into_owned();
            templates.insert(
                name.to_string(),
                (text, format!("built-in theme's templates/{name}")),
            );
        } else if let Some(name) = path.strip_prefix("static/") {
            assets.insert(name.to_string(), file.contents().to_vec());
        }
    }
    if user_dir.is_dir() {
        for (name, path) in files_below(&user_dir, "templates", &config.theme)? {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let origin = format!("themes/{}/templates/{name}", config.theme);
            templates.insert(name, (text, origin));
        }
        for (name, path) in files_below(&user_dir, "static", &config.theme)? {
            let bytes =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            assets.insert(name, bytes);
        }
    }
    // A theme's components.html from before nav.html existed defines NavTree itself: the
    // built-in nav.html would define it twice, so the theme's own is used.
    if templates
        .get("components.html")
        .is_some_and(|(text, origin)| {
            !origin.starts_with("built-in") && text.contains("component NavTree(")
        })
        && templates
            .get(NAV_TEMPLATE)
            .is_some_and(|(_, origin)| origin.starts_with("built-in"))
    {
        templates.remove(NAV_TEMPLATE);
    }
    let native_sidebar = templates.get(NAV_TEMPLATE).map(|(text, _)| text.as_bytes())
        == BUILT_IN
            .get_file(format!("templates/{NAV_TEMPLATE}"))
            .map(|file| file.contents());
    let mut fingerprint = crate::output::Fnv::default();
    for (name, (text, _)) in &templates {
        for part in [name.as_bytes(), text.as_bytes()] {
            fingerprint.write(&(part.len() as u64).to_le_bytes());
            fingerprint.write(part);
        }
    }
    for (name, bytes) in &assets {
        for part in [name.as_bytes(), bytes.as_slice()] {
            fingerprint.write(&(part.len() as u64).to_le_bytes());
            fingerprint.write(part);
        }
    }
    let mut tera = tera::Tera::new();
    let mut origins = BTreeMap::new();
    let sources: Vec<(String, String)> = templates
        .into_iter()
        .map(|(name, (text, origin))| {
            origins.insert(name.clone(), origin);
            (name, text)
        })
        .collect();
    tera.add_raw_templates(
        sources
            .iter()
            .map(|(name, text)| (name.as_str(), text.as_str())),
    )
    .map_err(|error| {
        anyhow::anyhow!(
            "{}\n  help: fix the template, or delete it from themes/{} to use the built-in one",
            describe_tera_error(&error, &origins),
            config.theme
        )
    })?;
    Ok(Theme {
        tera,
        assets,
        origins,
        fingerprint: fingerprint.0,
        native_sidebar,
    })
}

/// Formats a tera error with the template's origin and the whole `source()` chain.
/// Each of tera's reports (`error: message` / ` --> page.html:3:17` / code frame) becomes
/// `themes/x/templates/page.html:3:17: message` and the frame: the position in the file the
/// author edits.
pub fn describe_tera_error(error: &tera::Error, origins: &BTreeMap<String, String>) -> String {
    let text = error.to_string();
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut positioned = false;
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        let arrow = lines
            .get(index + 1)
            .and_then(|next| next.trim_start().strip_prefix("--> "));
        match (line.strip_prefix("error: "), arrow) {
            (Some(message), Some(place)) => {
                let (name, position) = place.split_once(':').unwrap_or((place, ""));
                let origin = origins.get(name).map_or(name, String::as_str);
                out.push(format!("{origin}:{position}: {message}"));
                positioned = true;
                index += 2;
            }
            _ => {
                out.push(line.to_string());
                index += 1;
            }
        }
    }
    while out.last().is_some_and(|line| line.trim().is_empty()) {
        out.pop();
    }
    let mut message = out.join("\n");
    if !positioned {
        for (name, origin) in origins {
            if message.contains(name.as_str()) && !message.contains(origin.as_str()) {
                message.push_str(&format!("\n  template {name} is {origin}"));
                break;
            }
        }
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(&format!("\n  caused by: {cause}"));
        source = cause.source();
    }
    message
}

fn built_in_files() -> Vec<&'static include_dir::File<'static>> {
    fn collect(dir: &'static Dir<'static>, out: &mut Vec<&'static include_dir::File<'static>>) {
        out.extend(dir.files());
        for sub in dir.dirs() {
            collect(sub, out);
        }
    }
    let mut files = Vec::new();
    collect(&BUILT_IN, &mut files);
    files.sort_by_key(|file| file.path());
    files
}

/// The theme folder `dir` (`themes/<name>`, shown as `shown`) as a canonical path: it must be
/// that very folder, reached through no symlink (`themes/evil -> ..` would make the whole
/// handbook, `.git` included, the theme). A missing folder is returned as given.
fn theme_folder(root: &Path, dir: &Path, shown: &str) -> anyhow::Result<PathBuf> {
    if std::fs::symlink_metadata(dir).is_err() {
        return Ok(dir.to_path_buf());
    }
    let real = confined(root, dir, shown)?;
    let expected = root
        .canonicalize()
        .with_context(|| format!("reading handbook folder {}", root.display()))?
        .join(dir.strip_prefix(root).unwrap_or(dir));
    if real != expected {
        bail!(
            "{shown} is a symlink (to {}); handbook reads a theme only from its own folder\n  help: put the theme's files in {shown}",
            real.display()
        );
    }
    Ok(real)
}

/// The folder `dir` (shown as `shown`) as a canonical path, when it resolves inside the
/// handbook outside any dot folder; an error when a symlink takes it elsewhere (a pull request
/// could link `themes/default/static` to `/etc`). A missing folder is returned as given.
fn confined(root: &Path, dir: &Path, shown: &str) -> anyhow::Result<PathBuf> {
    if std::fs::symlink_metadata(dir).is_err() {
        return Ok(dir.to_path_buf());
    }
    let root = root
        .canonicalize()
        .with_context(|| format!("reading handbook folder {}", root.display()))?;
    let real = dir
        .canonicalize()
        .with_context(|| format!("{shown} is a broken symlink"))?;
    let inside = real.strip_prefix(&root).is_ok_and(|rel| {
        rel.components()
            .all(|part| !part.as_os_str().to_string_lossy().starts_with('.'))
    });
    if !inside {
        bail!(
            "{shown} is a symlink to {}, outside the handbook's published files; handbook does not follow it\n  help: copy the theme into the handbook instead",
            real.display()
        );
    }
    Ok(real)
}

/// The files of `theme_dir/sub` by path below it. Symlinks are followed only to files inside
/// the theme folder; one leading anywhere else is an error, never read.
fn files_below(theme_dir: &Path, sub: &str, theme: &str) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    let shown = format!("themes/{theme}/{sub}");
    let dir = theme_dir.join(sub);
    if !dir.is_dir() {
        return Ok(files);
    }
    let dir = confined(theme_dir, &dir, &shown)?;
    for entry in walkdir::WalkDir::new(&dir)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = entry.with_context(|| format!("reading {shown}"))?;
        let rel = entry
            .path()
            .strip_prefix(&dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        if entry.file_type().is_file() {
            files.push((rel, entry.path().to_path_buf()));
        } else if entry.path_is_symlink() {
            let target = entry
                .path()
                .canonicalize()
                .ok()
                .filter(|target| target.starts_with(theme_dir) && target.is_file());
            match target {
                Some(target) => files.push((rel, target)),
                None => bail!(
                    "{shown}/{rel} is a symlink that does not lead to a file of the theme; handbook does not follow it\n  help: copy the file into themes/{theme}/ instead"
                ),
            }
        }
    }
    Ok(files)
}

/// Copies the built-in theme into `themes/<name>/` of the handbook for full customisation.
/// Never overwrites: existing files are left alone and reported back as skipped.
pub fn eject(root: &Path, name: &str) -> anyhow::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        bail!("theme name '{name}' must be a plain folder name");
    }
    let target = root.join("themes").join(name);
    let mut written = Vec::new();
    let mut skipped = Vec::new();
    for file in built_in_files() {
        let path = target.join(file.path());
        if path.exists() {
            skipped.push(path);
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, file.contents())
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    Ok((written, skipped))
}
