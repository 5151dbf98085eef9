//! # handbook
//!
//! Turns a git repository of markdown — team docs, decision records and async updates — into a
//! fast, searchable static wiki.
//!
//! ```text
//!  handbook.yml ──► config ─► Config
//!  source tree ──► load ────► Vec<Source> + static files
//!                                  ▼
//!                  model ─► Site (immutable) + Vec<Diagnostic>
//!                                  ▼
//!        render: pulldown-cmark + tera, rayon over pages ─► Vec<OutputFile>
//!                                  ▼
//!        write: stage dir next to output ─► unchanged files hard-linked ─► atomic swap
//! ```
//!
//! Each stage borrows the previous stage's value and returns a new one; only [`pipeline`]
//! knows the order. Model and render do no I/O; [`write`] is the only stage that touches
//! the output folder.

pub mod cache;
pub mod cli;
pub mod code_cache;
pub mod commands;
pub mod config;
pub mod dates;
pub mod diagnostics;
pub mod diagram;
pub mod export;
pub mod external;
pub mod git;
pub mod load;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod profile;
pub mod records;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod theme;
pub mod write;
pub mod yaml;

pub use config::Config;
pub use diagnostics::{Diagnostic, Severity};
pub use pipeline::{BuildOptions, BuildReport, build, check};
