//! The layering ARCHITECTURE.md describes, enforced: a module may use modules of lower layers
//! only. Reads `src/` and fails on an import that goes up a layer or sideways, naming the file
//! and line.

use std::path::Path;

/// Top-level modules of `src/`, lowest layer first. A module may use any module of a lower
/// layer, none of its own layer or above. `lib.rs` and `main.rs` sit above them all.
const LAYERS: &[&[&str]] = &[
    // Leaves: no I/O policy, no site knowledge.
    &[
        "diagnostics",
        "diagram",
        "profile",
        "yaml",
        "output",
        "dates",
    ],
    &["config"],
    &["cache", "code_cache", "load", "theme"],
    &["write"],
    &["git"],
    &["model"],
    &["search", "external"],
    &["render", "export"],
    &["pipeline", "scaffold"],
    &["records", "serve"],
    &["cli"],
    &["commands"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// `text` with every `super::` chain that climbs to the crate root (from a module `depth`
/// levels down: 1 for `src/config.rs` and `src/render/mod.rs`, 2 for `src/render/feeds.rs`)
/// written as `crate::`, so the scan sees those imports too. Shorter chains stay inside the
/// file's own top-level module.
fn rooted(text: &str, depth: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("super::") {
        let starts_chain = !rest[..at].ends_with("::")
            && !rest[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let mut climbs = 0;
        let mut chain = rest;
        while let Some(after) = chain.strip_prefix("super::") {
            climbs += 1;
            chain = after;
        }
        if starts_chain && climbs >= depth {
            out.push_str("crate::");
        } else {
            out.push_str(&rest[..rest.len() - chain.len()]);
        }
        rest = chain;
    }
    out.push_str(rest);
    out
}

/// The top-level modules a file's code (not its comments or tests) uses through `crate::`
/// (or `super::` up to the crate root, from a module `depth` levels down), with their lines.
fn uses(text: &str, depth: usize) -> Vec<(usize, String)> {
    uses_under(&rooted(text, depth), "crate::")
}

/// The names a file's code (not its comments or tests) uses right after `prefix`.
fn uses_under(text: &str, prefix: &str) -> Vec<(usize, String)> {
    let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    let mut found = Vec::new();
    let mut group: Option<usize> = None; // the line an open `use crate::{` started on
    let mut depth = 0usize;
    for (index, line) in code.lines().enumerate() {
        let number = index + 1;
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        let mut rest = line;
        if group.is_some() {
            // Inside `use crate::{ … }`: top-level names at brace depth 1.
            collect_group(rest, &mut depth, number, &mut found);
            if depth == 0 {
                group = None;
            }
            continue;
        }
        while let Some(at) = rest.find(prefix) {
            let after = &rest[at + prefix.len()..];
            if let Some(inner) = after.strip_prefix('{') {
                depth = 1;
                collect_group(inner, &mut depth, number, &mut found);
                if depth > 0 {
                    group = Some(number);
                }
                break;
            }
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push((number, name));
            }
            rest = after;
        }
    }
    found
}

fn collect_group(text: &str, depth: &mut usize, line: usize, found: &mut Vec<(usize, String)>) {
    let mut word = String::new();
    let mut word_at_top = *depth == 1;
    let mut after_colons = false;
    let mut renaming = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            if word.is_empty() {
                word_at_top = *depth == 1 && !after_colons;
            }
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            // `x as y`: `y` is a local name.
            if renaming {
                renaming = false;
            } else if word == "as" {
                renaming = true;
            } else if word_at_top && word != "self" {
                found.push((line, std::mem::take(&mut word)));
            }
            word.clear();
        }
        match c {
            '{' => *depth += 1,
            '}' => {
                *depth = depth.saturating_sub(1);
                if *depth == 0 {
                    return;
                }
            }
            ':' => {
                after_colons = true;
                continue;
            }
            _ => {}
        }
        after_colons = false;
    }
}

#[test]
fn modules_use_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let rel = path.strip_prefix(&src).unwrap();
        let module = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let layer = layer_of(&module).unwrap_or_else(|| {
            panic!(
                "src/{} is in no layer: add `{module}` to LAYERS",
                rel.display()
            )
        });
        let text = std::fs::read_to_string(path).unwrap();
        // `render/mod.rs` is one level down, like `config.rs`; `render/feeds.rs` two.
        let depth = rel.components().count()
            - usize::from(rel.file_name().is_some_and(|name| name == "mod.rs"));
        for (line, used) in uses(&text, depth) {
            checked += 1;
            if used == module {
                continue;
            }
            match layer_of(&used) {
                Some(other) if other < layer => {}
                Some(other) => problems.push(format!(
                    "src/{}:{line}: `{module}` (layer {layer}) uses `{used}` (layer {other}): \
                     move what it needs down a layer, or pass it in",
                    rel.display()
                )),
                None => problems.push(format!(
                    "src/{}:{line}: uses `crate::{used}`, which is in no layer",
                    rel.display()
                )),
            }
        }
    }
    assert!(checked > 100, "the scan found only {checked} imports");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_scan_sees_plain_paths_and_groups() {
    let text = "use crate::config::Config;\nuse crate::{\n    model::{self, Site},\n    output as out,\n};\n\
                // crate::pipeline in a comment\nlet x = crate::render::Sink;\n\
                #[cfg(test)]\nmod tests {\n    use crate::cli;\n}\n";
    let names: Vec<(usize, String)> = uses(text, 1);
    assert_eq!(
        names,
        [
            (1, "config".to_string()),
            (3, "model".to_string()),
            (4, "output".to_string()),
            (7, "render".to_string())
        ]
    );
}

#[test]
fn the_scan_sees_super_paths_that_reach_the_crate_root() {
    let text = "use super::pipeline::today;\nuse super::{config::Config, model};\n\
                let x = super::super::render::Sink;\nlet y = my_super::z;\n";
    // From `src/render/mod.rs` (depth 1) every `super::` is the crate root.
    assert_eq!(
        uses(text, 1),
        [
            (1, "pipeline".to_string()),
            (2, "config".to_string()),
            (2, "model".to_string()),
            (3, "render".to_string())
        ]
    );
    // From `src/render/feeds.rs` (depth 2) one `super::` stays inside `render`.
    assert_eq!(uses(text, 2), [(3, "render".to_string())]);
}

/// Inside `model`, lowest first: plain data, then what a page is, then the page, then the
/// modules that work on one kind or on the whole site (which may use each other and the
/// site itself, `model::Site`). A page never imports the modules that compute its facts.
const MODEL_LAYERS: &[&[&str]] = &[
    &["events", "profile", "facts"],
    &["kind"],
    &["keys"],
    &["page"],
    &[
        "decision", "owners", "updates", "review", "links", "nav", "digest", "people", "check",
    ],
];

#[test]
fn model_modules_use_only_lower_ones_and_the_page_uses_no_kind_module() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/model");
    let top = MODEL_LAYERS.len() - 1;
    let layer_of = |name: &str| MODEL_LAYERS.iter().position(|layer| layer.contains(&name));
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(&model).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if name == "mod" {
            continue;
        }
        let layer = layer_of(&name).unwrap_or_else(|| {
            panic!("src/model/{name}.rs is in no layer: add it to MODEL_LAYERS")
        });
        let text = std::fs::read_to_string(&path).unwrap();
        // `super::x` in `src/model/page.rs` is `crate::model::x`.
        let text = rooted(&text, 2).replace("super::", "crate::model::");
        for (line, used) in uses_under(&text, "crate::model::") {
            // Not a module: an item of `model` itself (`Site`, `holds`), the top of the model.
            let other = layer_of(&used).unwrap_or(top + 1);
            let allowed = other < layer || (layer == top && other <= top + 1) || used == name;
            if !allowed {
                problems.push(format!(
                    "src/model/{name}.rs:{line}: `{name}` (model layer {layer}) uses `model::{used}`: \
                     move what it needs down, or pass it in"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Inside `search`, the index is below its export: the export reads the index (and shares its
/// impact scale, quantizer and excerpts), never the other way.
#[test]
fn the_search_index_does_not_use_its_export() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/search/index.rs");
    let text = std::fs::read_to_string(path).unwrap();
    let found: Vec<String> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with("//") && line.contains("export::"))
        .map(|(n, line)| format!("src/search/index.rs:{}: {}", n + 1, line.trim()))
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}
