//! Ownership: who answers for each page. Front-matter `owner` first; else the last matching
//! rule of the repository's CODEOWNERS file (GitHub or GitLab syntax); else the owner of the
//! nearest folder landing page above it. Part of `model`; no I/O (`load` reads the file).

use std::collections::HashMap;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::diagnostics::Diagnostic;
use crate::load::CodeOwnersFile;
pub use crate::model::facts::{OwnerSource as Source, Owners};
use crate::model::page::{Page, PageId, PageKind};

/// A parsed CODEOWNERS file.
#[derive(Debug, Default)]
pub struct CodeOwners {
    rules: Vec<Rule>,
    /// The globs of every rule (see `pattern_globs`); `rule_of_glob` maps them back.
    set: GlobSet,
    rule_of_glob: Vec<usize>,
    sections: usize,
}

#[derive(Debug)]
struct Rule {
    section: usize,
    owners: Vec<String>,
    line: usize,
}

impl CodeOwners {
    /// Parses a CODEOWNERS file. Lines it cannot use become warnings; the rest still apply.
    pub fn parse(file: &CodeOwnersFile) -> (CodeOwners, Vec<Diagnostic>) {
        let mut found = Vec::new();
        let mut rules = Vec::new();
        let mut globs = GlobSetBuilder::new();
        let mut rule_of_glob = Vec::new();
        let mut section = 0;
        let mut section_owners: Vec<String> = Vec::new();
        let warn = |line: usize, message: String, help: &str| {
            Diagnostic::warning(&file.path, line, 1, "codeowners", message).with_help(help)
        };
        for (index, raw) in file.text.lines().enumerate() {
            let line = index + 1;
            let text = raw.trim();
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            // GitLab sections: `[Name]`, `^[Optional]`, `[Name][2]`, then default owners.
            if let Some(header) = text.strip_prefix('^').unwrap_or(text).strip_prefix('[') {
                let Some((_, rest)) = header.split_once(']') else {
                    found.push(warn(
                        line,
                        "section header without a closing `]`".into(),
                        "write GitLab sections as `[Section name] @default-owner`",
                    ));
                    continue;
                };
                let rest = match rest.strip_prefix('[') {
                    Some(count) => count.split_once(']').map_or("", |(_, rest)| rest),
                    None => rest,
                };
                section += 1;
                section_owners = tokens(rest);
                continue;
            }
            let mut words = tokens(text).into_iter();
            let Some(pattern) = words.next() else {
                continue;
            };
            let mut owners: Vec<String> = words.collect();
            if owners.is_empty() {
                owners = section_owners.clone();
            }
            if pattern.starts_with('!') {
                found.push(warn(
                    line,
                    format!("`{pattern}`: CODEOWNERS has no negated patterns"),
                    "a later rule with no owners takes ownership away instead",
                ));
                continue;
            }
            let built: Result<Vec<_>, _> = pattern_globs(&pattern)
                .iter()
                .map(|glob| GlobBuilder::new(glob).literal_separator(true).build())
                .collect();
            match built {
                Ok(built) => {
                    for glob in built {
                        globs.add(glob);
                        rule_of_glob.push(rules.len());
                    }
                    rules.push(Rule {
                        section,
                        owners,
                        line,
                    });
                }
                Err(error) => found.push(warn(
                    line,
                    format!("pattern `{pattern}` is invalid: {}", error.kind()),
                    "CODEOWNERS patterns are gitignore-style paths like `/docs/` or `*.md`",
                )),
            }
        }
        let set = globs.build().unwrap_or_else(|error| {
            found.push(warn(
                0,
                format!("the patterns are too large to match: {error}"),
                "split the file into fewer, broader rules",
            ));
            rule_of_glob.clear();
            GlobSet::empty()
        });
        (
            CodeOwners {
                rules,
                set,
                rule_of_glob,
                sections: section + 1,
            },
            found,
        )
    }

    /// The owners of a path relative to the repository root, with the line of the rule that
    /// gave them: the last matching rule wins; with GitLab sections, each section's last match
    /// adds its owners. `None` when no rule matches.
    pub fn owners_of(&self, repo_path: &str) -> Option<(Vec<&str>, usize)> {
        let mut last: Vec<Option<usize>> = vec![None; self.sections];
        for glob in self.set.matches(repo_path) {
            let rule = self.rule_of_glob[glob];
            let slot = &mut last[self.rules[rule].section];
            *slot = Some(slot.map_or(rule, |other| other.max(rule)));
        }
        let matched: Vec<usize> = last.into_iter().flatten().collect();
        let line = matched.iter().map(|&rule| self.rules[rule].line).max()?;
        let mut owners: Vec<&str> = Vec::new();
        for rule in matched {
            for owner in &self.rules[rule].owners {
                if !owners.contains(&owner.as_str()) {
                    owners.push(owner);
                }
            }
        }
        Some((owners, line))
    }
}

/// Splits a line on unescaped whitespace, stopping at a `#` comment; `\ ` and `\#` are kept
/// as the characters they escape.
fn tokens(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next @ (' ' | '#' | '\t')) => word.push(next),
                Some(next) => {
                    word.push('\\');
                    word.push(next);
                }
                None => word.push('\\'),
            },
            '#' if word.is_empty() => break,
            c if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// gitignore-style pattern → globs over repository paths. A pattern with a slash before its
/// end is anchored at the root; others match at any depth. A pattern matches a path and
/// everything under it; one ending in `/` matches only what is under it, and one whose last
/// part has a `*` only the files it names (`docs/*` is not `docs/a/b.md`, as on GitHub).
/// `[ ]` and `{ }` are literal, as on GitHub.
fn pattern_globs(pattern: &str) -> Vec<String> {
    let folder_only = pattern.ends_with('/');
    let core = pattern.trim_end_matches('/');
    let anchored = core.starts_with('/') || core.contains('/');
    let core = core.trim_start_matches('/');
    let mut literal = String::with_capacity(core.len());
    for c in core.chars() {
        match c {
            '[' | ']' | '{' | '}' => {
                literal.push('[');
                literal.push(c);
                literal.push(']');
            }
            c => literal.push(c),
        }
    }
    if literal.is_empty() {
        return vec!["**".to_string()];
    }
    let base = if anchored {
        literal
    } else {
        format!("**/{literal}")
    };
    let last = base.rsplit('/').next().unwrap_or(&base);
    if folder_only {
        vec![format!("{base}/**")]
    } else if last.contains('*') {
        // `docs/*` and `*.md` name files, not the folders below them.
        vec![base]
    } else {
        vec![format!("{base}/**"), base]
    }
}

/// The id of a person or team page: its file name without `.md` (`people/ana.md` → `ana`).
pub fn entity_id(page: &Page) -> &str {
    let name = page.path.rsplit('/').next().unwrap_or(&page.path);
    name.strip_suffix(".md").unwrap_or(name)
}

/// Person and team pages by id (their file name without `.md`).
#[derive(Debug, Default)]
pub struct Directory {
    /// `people/<id>.md` pages.
    pub people: HashMap<String, PageId>,
    /// `teams/<id>.md` pages.
    pub teams: HashMap<String, PageId>,
}

impl Directory {
    /// Indexes the person and team pages.
    pub fn new(pages: &[Page]) -> Directory {
        let mut directory = Directory::default();
        for (id, page) in pages.iter().enumerate() {
            let map = match page.kind.tag() {
                PageKind::Person => &mut directory.people,
                PageKind::Team => &mut directory.teams,
                _ => continue,
            };
            map.entry(entity_id(page).to_string()).or_insert(id);
        }
        directory
    }

    /// The person page an id names: the id itself, or written as a name (`Priya Raman`) or
    /// handle (`@priya-raman`).
    pub fn person(&self, id: &str) -> Option<PageId> {
        lookup(&self.people, id)
    }

    /// The team page an id names, written as for [`Directory::person`].
    pub fn team(&self, id: &str) -> Option<PageId> {
        lookup(&self.teams, id)
    }

    /// The person or team page an id names (a person wins over a team with the same id).
    pub fn resolve(&self, id: &str) -> Option<PageId> {
        self.person(id).or_else(|| self.team(id))
    }

    /// The id a CODEOWNERS handle names: `@alice` → `alice`, `@acme/platform` → `platform`,
    /// `alice@example.org` → `alice`, when a person or team page has it; else the handle.
    fn id_of_handle(&self, handle: &str) -> String {
        let bare = handle.trim_start_matches('@');
        let candidates = [
            bare,
            bare.rsplit('/').next().unwrap_or(bare),
            bare.split('@').next().unwrap_or(bare),
        ];
        candidates
            .into_iter()
            .find(|id| self.resolve(id).is_some())
            .unwrap_or(handle)
            .to_string()
    }
}

fn lookup(map: &HashMap<String, PageId>, id: &str) -> Option<PageId> {
    let id = id.trim().trim_start_matches('@');
    map.get(id)
        .or_else(|| map.get(&crate::model::page::slugify(id)))
        .copied()
}

/// Sets every page's owners. `prefix` is the handbook folder inside the repository, which
/// CODEOWNERS paths are relative to.
pub fn assign(
    pages: &mut [Page],
    codeowners: Option<&CodeOwners>,
    prefix: &str,
    directory: &Directory,
) {
    for page in pages.iter_mut() {
        page.owners = if let Some(owner) = page.owner.as_ref().filter(|o| !o.trim().is_empty()) {
            Owners {
                ids: vec![owner.trim().to_string()],
                source: Source::FrontMatter,
            }
        } else if let Some((handles, line)) =
            codeowners.and_then(|rules| rules.owners_of(&format!("{prefix}{}", page.path)))
        {
            Owners {
                ids: handles
                    .into_iter()
                    .map(|handle| directory.id_of_handle(handle))
                    .collect(),
                source: Source::CodeOwners(line),
            }
        } else {
            Owners::default()
        };
    }
    // Folder owners: a page without one takes the owners of the nearest landing page above it
    // that has its own.
    let landing: HashMap<&str, usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, page)| page.is_landing() && !page.owners.ids.is_empty())
        .map(|(index, page)| (folder_of(&page.path), index))
        .collect();
    let inherited: Vec<Option<usize>> = pages
        .iter()
        .map(|page| {
            if !page.owners.ids.is_empty() {
                return None;
            }
            let mut folder = folder_of(&page.path);
            if page.is_landing() {
                folder = parent(folder)?;
            }
            loop {
                if let Some(&index) = landing.get(folder) {
                    return Some(index);
                }
                folder = parent(folder)?;
            }
        })
        .collect();
    for (index, from) in inherited.into_iter().enumerate() {
        if let Some(from) = from {
            pages[index].owners = Owners {
                ids: pages[from].owners.ids.clone(),
                source: Source::Folder(pages[from].path.clone()),
            };
        }
    }
}

/// `a/b/c.md` → `a/b`; `c.md` → ``.
fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// `a/b` → `a`; `a` → ``; `` → none.
fn parent(folder: &str) -> Option<&str> {
    if folder.is_empty() {
        None
    } else {
        Some(folder_of(folder))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> CodeOwners {
        let (rules, problems) = CodeOwners::parse(&CodeOwnersFile {
            path: "CODEOWNERS".into(),
            text: text.into(),
        });
        assert!(problems.is_empty(), "{problems:?}");
        rules
    }

    fn owners(rules: &CodeOwners, path: &str) -> Vec<String> {
        rules
            .owners_of(path)
            .map(|(owners, _)| owners.into_iter().map(String::from).collect())
            .unwrap_or_default()
    }

    #[test]
    fn the_last_matching_rule_wins_with_github_semantics() {
        let rules = rules(
            "# comment\n\
             *       @acme/everyone\n\
             *.md    @docs-team # trailing comment\n\
             /docs/  @writers\n\
             apps/   @octocat\n\
             /build/logs/ @ops\n\
             docs/*  docs@example.org\n\
             /runbooks/db @dba\n\
             /empty/\n",
        );
        assert_eq!(owners(&rules, "src/main.rs"), ["@acme/everyone"]);
        assert_eq!(owners(&rules, "guide/intro.md"), ["@docs-team"]);
        assert_eq!(owners(&rules, "docs/a/deep.md"), ["@writers"]);
        assert_eq!(owners(&rules, "docs/top.md"), ["docs@example.org"]);
        assert_eq!(owners(&rules, "x/apps/y/z.txt"), ["@octocat"]);
        assert_eq!(owners(&rules, "build/logs/a.log"), ["@ops"]);
        assert_eq!(owners(&rules, "x/build/logs/a.log"), ["@acme/everyone"]);
        assert_eq!(owners(&rules, "runbooks/db/restore.md"), ["@dba"]);
        assert_eq!(owners(&rules, "runbooks/dbx.md"), ["@docs-team"]);
        // A rule without owners takes ownership away.
        assert_eq!(
            rules.owners_of("empty/a.md").map(|(o, l)| (o.len(), l)),
            Some((0, 9))
        );
    }

    #[test]
    fn gitlab_sections_each_add_their_last_match_and_default_owners() {
        let rules = rules(
            "*.md @everyone\n\
             [Docs] @docs-team\n\
             handbook/\n\
             handbook/legal/ @legal\n\
             ^[Security][2] @security\n\
             handbook/security/\n",
        );
        assert_eq!(owners(&rules, "handbook/a.md"), ["@everyone", "@docs-team"]);
        assert_eq!(
            owners(&rules, "handbook/legal/terms.md"),
            ["@everyone", "@legal"]
        );
        assert_eq!(
            owners(&rules, "handbook/security/keys.md"),
            ["@everyone", "@docs-team", "@security"]
        );
    }

    #[test]
    fn escapes_and_brackets_are_literal() {
        let rules = rules("/with\\ space/ @a\n\\#hash.md @b\n/[draft].md @c\n");
        assert_eq!(owners(&rules, "with space/x.md"), ["@a"]);
        assert_eq!(owners(&rules, "#hash.md"), ["@b"]);
        assert_eq!(owners(&rules, "[draft].md"), ["@c"]);
        assert!(rules.owners_of("d.md").is_none());
    }

    #[test]
    fn unusable_lines_warn_with_their_line_and_the_rest_apply() {
        let (rules, problems) = CodeOwners::parse(&CodeOwnersFile {
            path: ".github/CODEOWNERS".into(),
            text: "!/a @x\n/b/** @y\n[Broken @z\n".into(),
        });
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [1, 3]);
        assert_eq!(owners(&rules, "b/c.md"), ["@y"]);
    }

    #[test]
    fn handles_map_to_person_and_team_ids_when_pages_exist() {
        let mut directory = Directory::default();
        directory.people.insert("alice".into(), 0);
        directory.teams.insert("platform".into(), 1);
        assert_eq!(directory.id_of_handle("@alice"), "alice");
        assert_eq!(directory.id_of_handle("@acme/platform"), "platform");
        assert_eq!(directory.id_of_handle("alice@example.org"), "alice");
        assert_eq!(directory.id_of_handle("@bob"), "@bob");
    }
}
