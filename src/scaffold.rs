//! Scaffolding: `handbook init` creates a new handbook. It writes into the source tree on
//! explicit command only and never overwrites a file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// What `init` did.
#[derive(Debug, Default)]
pub struct ScaffoldReport {
    /// Files created.
    pub created: Vec<PathBuf>,
    /// Files that already existed and were left alone.
    pub skipped: Vec<PathBuf>,
}

const FILES: &[(&str, &str)] = &[
    (
        "handbook.yml",
        "# handbook configuration: every key is optional. See the README for all of them.\n\
title: Our Handbook\n\
description: How we work, what we decided and what changed.\n\
# Where the site is published, e.g. https://example.org/handbook/\n\
base_url: /\n\
language: en\n\
# repo_url: https://github.com/your-org/handbook\n",
    ),
    (
        "index.md",
        "---\ntitle: Welcome\n---\n\nThis handbook is where we write things down so that nobody needs a meeting to find out.\n\n\
- [How we work](docs/index.md)\n- [Decisions](decisions/index.md)\n- [Updates](updates/index.md)\n- [People](people/index.md) and [teams](teams/index.md)\n",
    ),
    (
        "docs/index.md",
        "---\ntitle: How we work\nweight: 1\n---\n\nGuides and policies live in this folder. Start with [writing things down](writing-things-down.md).\n",
    ),
    (
        "docs/writing-things-down.md",
        "---\ntitle: Writing things down\ntags: [communication]\n---\n\n\
> [!TIP]\n> Run `handbook check` before opening a pull request: it finds broken links.\n\n\
## Why we write\n\nWritten answers can be found, linked and improved; meetings cannot.\n\n\
## How to propose a change\n\nOpen a pull request. For a decision, add the next numbered record to `decisions/`.\n",
    ),
    (
        "decisions/index.md",
        "---\ntitle: Decisions\nweight: 2\n---\n\nNumbered decision records. Each one says what we decided, why, and what it replaced.\n",
    ),
    (
        "decisions/0001-record-decisions-in-writing.md",
        "---\ntitle: Record decisions in writing\nstatus: accepted\ndate: 2026-01-05\ntags: [process]\n---\n\n\
## Context and Problem Statement\n\nDecisions made in meetings are forgotten and re-argued.\n\n\
## Decision Outcome\n\nWe record every significant decision as a numbered record in this folder.\n",
    ),
    (
        "updates/index.md",
        "---\ntitle: Updates\nweight: 3\n---\n\nDated, written team updates replace status meetings.\n",
    ),
    (
        "people/index.md",
        "---\ntitle: People\nweight: 4\n---\n\nOne page per person: role, time zone and how to reach them.\n",
    ),
    (
        "teams/index.md",
        "---\ntitle: Teams\nweight: 5\n---\n\nOne page per team: what it owns and how to ask it for help.\n",
    ),
    (
        ".gitignore",
        "# handbook output, and its cache (the search index, highlighted code)\n/public/\n/.handbook/\n",
    ),
    (".github/workflows/handbook.yml", GITHUB_WORKFLOW),
    (".gitlab-ci.yml", GITLAB_CI),
];

/// GitHub Actions: pull requests get `handbook check` with annotations on their lines; `main`
/// is built and deployed to GitHub Pages. handbook is installed from its git repository (the
/// `HANDBOOK_GIT` variable) and cached between runs, as is the search index in `.handbook/`.
const GITHUB_WORKFLOW: &str = r#"# handbook: checks pull requests, publishes main to GitHub Pages.
# Once: Settings -> Pages -> Build and deployment -> Source: GitHub Actions.
name: handbook
on:
  push:
    branches: [main]
  pull_request:
  workflow_dispatch:
permissions:
  contents: read
concurrency:
  group: pages-${{ github.ref }}
  cancel-in-progress: true
env:
  # CHANGE ME: the git repository handbook is installed from (yours, or a fork or mirror),
  # and the branch or tag to build it from.
  HANDBOOK_GIT: https://github.com/your-org/handbook
  HANDBOOK_REF: main
jobs:
  check:
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0 # full history: page dates and authors come from git
      - uses: actions/cache@v4
        with:
          path: ~/.cargo/bin/handbook
          key: handbook-bin-${{ runner.os }}-${{ env.HANDBOOK_GIT }}-${{ env.HANDBOOK_REF }}
      - name: Install handbook
        run: command -v handbook || cargo install --locked --git "$HANDBOOK_GIT" --branch "$HANDBOOK_REF" handbook
      - run: handbook check --strict --format github # annotates the pull request's lines
  build:
    if: github.event_name != 'pull_request'
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/cache@v4
        with:
          path: ~/.cargo/bin/handbook
          key: handbook-bin-${{ runner.os }}-${{ env.HANDBOOK_GIT }}-${{ env.HANDBOOK_REF }}
      - name: Install handbook
        run: command -v handbook || cargo install --locked --git "$HANDBOOK_GIT" --branch "$HANDBOOK_REF" handbook
      - uses: actions/cache@v4 # the search index: a build reuses what did not change
        with:
          path: .handbook
          key: handbook-cache-${{ github.sha }}
          restore-keys: handbook-cache-
      - id: pages
        uses: actions/configure-pages@v5
      - run: handbook check --strict --format github
      - run: handbook build --base-url "${{ steps.pages.outputs.base_url }}/"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: public
  deploy:
    needs: build
    runs-on: ubuntu-latest
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"#;

/// GitLab CI: merge requests get `handbook check`; the default branch is built into GitLab
/// Pages. handbook and the search index are cached between pipelines.
const GITLAB_CI: &str = r#"# handbook: checks merge requests, publishes the default branch to GitLab Pages.
variables:
  GIT_DEPTH: 0 # full history: page dates and authors come from git
  # CHANGE ME: the git repository handbook is installed from, and the branch or tag.
  HANDBOOK_GIT: https://github.com/your-org/handbook
  HANDBOOK_REF: main
  CARGO_HOME: $CI_PROJECT_DIR/.cargo
default:
  image: rust:latest
  cache:
    - key: handbook-bin-$HANDBOOK_REF
      paths: [.cargo/bin/]
    - key: handbook-cache
      paths: [.handbook/]
  before_script:
    - export PATH="$CARGO_HOME/bin:$PATH"
    - command -v handbook || cargo install --locked --git "$HANDBOOK_GIT" --branch "$HANDBOOK_REF" handbook
check:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - handbook check --strict
pages:
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  script:
    - handbook check --strict
    - handbook build --base-url "$CI_PAGES_URL/"
  artifacts:
    paths: [public]
"#;

/// Creates a new handbook in `dir` (created if missing). Existing files are never overwritten.
pub fn init(dir: &Path) -> anyhow::Result<ScaffoldReport> {
    let mut report = ScaffoldReport::default();
    for (path, text) in FILES {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        if create_new(&target, text)? {
            report.created.push(target);
        } else {
            report.skipped.push(target);
        }
    }
    Ok(report)
}

/// Writes a file only if it does not exist; returns false when it did.
pub fn create_new(path: &Path, text: &str) -> anyhow::Result<bool> {
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(mut file) => {
            file.write_all(text.as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
            Ok(true)
        }
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(error) => {
            Err(anyhow::Error::new(error).context(format!("creating {}", path.display())))
        }
    }
}
