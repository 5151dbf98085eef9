//! Export phase 3, sections: what the browser shows of each section and page (the chunks
//! `d/<n>.js`), and each page's kind, status and team (`facets.js`).

use std::collections::BTreeMap;
use std::time::Instant;

use rayon::prelude::*;
use tantivy::tokenizer::Language;

use super::super::index::excerpt;
use super::super::{Section, analyze};
use super::{CHUNK, Outgoing, script, vlq};

/// Characters of section text in the browser's snippet (`d/<n>.js`).
const EXCERPT_CHARS: usize = 160;

/// The indexed sections, whose rows are made chunk by chunk as the chunks are written (held
/// for every section at once, at 100k pages, they were several hundred MiB).
pub(super) struct Sections<'s, 'a> {
    sections: &'s [Section<'a>],
    language: Option<Language>,
}

/// Pages as runs of sections, and the facet values they use.
pub(super) struct Facets {
    /// Pages.
    pub(super) pages: usize,
    /// Kind, status and team values in order of first use (their codes).
    pub(super) names: [Vec<String>; 3],
    /// `facets.js`'s data.
    pub(super) script: String,
}

/// Chunks made at a time (in parallel) before they are sent.
const CHUNK_BATCH: usize = 512;

/// The indexed `sections`, in section order. Their rows come from the sections themselves,
/// not from the index's stored documents: reading those back cost a decompressed document per
/// section (1.6 s at 30k pages), and the index does not need to store excerpts.
pub(super) fn read<'s, 'a>(
    sections: &'s [Section<'a>],
    language: Option<Language>,
) -> Sections<'s, 'a> {
    Sections { sections, language }
}

impl Sections<'_, '_> {
    /// Section `sid`'s row.
    fn row(&self, sid: usize) -> Row {
        let section = &self.sections[sid];
        // A page's sections are neighbours, and its data is written once per chunk: its
        // title stems are needed only where its run of sections starts.
        let starts_page = sid == 0 || self.sections[sid - 1].page != section.page;
        let title_stems = if starts_page || sid.is_multiple_of(CHUNK) {
            analyze(&section.title, self.language).join(" ")
        } else {
            String::new()
        };
        let (page_url, anchor) = match section.url.split_once('#') {
            Some((page, anchor)) => (page.to_string(), anchor.to_string()),
            None => (section.url.clone(), String::new()),
        };
        Row {
            page: [
                section.title.to_string(),
                page_url,
                section.date.to_string(),
                title_stems,
            ],
            section: [
                section.heading.as_deref().unwrap_or_default().to_string(),
                anchor,
                excerpt(&section.body, EXCERPT_CHARS),
            ],
        }
    }

    /// Chunk `n`'s script: `[{page: [title, url, date, title stems]}, [[page, [heading,
    /// anchor, excerpt]]…]]` (a page's sections are neighbours, so its data is written once).
    fn chunk(&self, n: usize) -> anyhow::Result<(String, Vec<u8>)> {
        let name = format!("d/{n}");
        let end = ((n + 1) * CHUNK).min(self.sections.len());
        let mut pages: BTreeMap<u32, [String; 4]> = BTreeMap::new();
        let mut rows: Vec<(u32, [String; 3])> = Vec::with_capacity(CHUNK);
        for sid in n * CHUNK..end {
            let Row { page, section } = self.row(sid);
            let number = self.sections[sid].page;
            pages.entry(number).or_insert(page);
            rows.push((number, section));
        }
        let pages: BTreeMap<String, [String; 4]> = pages
            .into_iter()
            .map(|(page, data)| (page.to_string(), data))
            .collect();
        let data = serde_json::to_vec(&(pages, rows))?;
        let script = script(&name, &[&data]);
        Ok((name, script))
    }
}

/// The pages' section counts and facet codes; `pages` holds each page's kind, status and team
/// (the index's [`Meta::pages`](super::super::index::Meta)).
pub(super) fn facets(sections: &Sections<'_, '_>, pages: &[[String; 3]]) -> Facets {
    let sections = sections.sections;
    // Sections are numbered in page order, so a page is a run of sections.
    let mut runs: Vec<u32> = Vec::new();
    let mut names: [Vec<String>; 3] = Default::default();
    let mut codes: [Vec<usize>; 3] = Default::default();
    for sid in 0..sections.len() {
        if sid > 0 && sections[sid].page == sections[sid - 1].page {
            if let Some(last) = runs.last_mut() {
                *last += 1;
            }
            continue;
        }
        runs.push(1);
        let values = pages.get(sections[sid].page as usize);
        for key in 0..3 {
            let value = values.map_or("", |values| values[key].as_str());
            let code = match names[key].iter().position(|name| name == value) {
                Some(code) => code,
                None => {
                    names[key].push(value.to_string());
                    names[key].len() - 1
                }
            };
            codes[key].push(code);
        }
    }
    let mut counts = String::with_capacity(runs.len());
    for run in &runs {
        vlq(&mut counts, *run);
    }
    let facets = format!(
        "{{\"pages\":\"{counts}\",\"codes\":{{\"kind\":\"{}\",\"status\":\"{}\",\"team\":\"{}\"}}}}",
        runs_of(&codes[0]),
        runs_of(&codes[1]),
        runs_of(&codes[2])
    );
    Facets {
        pages: runs.len(),
        names,
        script: facets,
    }
}

/// Makes and sends the metadata chunks, a batch at a time.
pub(super) fn write_chunks(
    out: &mut Outgoing<'_>,
    sections: &Sections<'_, '_>,
    started: Instant,
) -> anyhow::Result<()> {
    let chunks = sections.sections.len().div_ceil(CHUNK);
    for first in (0..chunks).step_by(CHUNK_BATCH) {
        let batch: Vec<(String, Vec<u8>)> = (first..(first + CHUNK_BATCH).min(chunks))
            .into_par_iter()
            .map(|n| sections.chunk(n))
            .collect::<anyhow::Result<_>>()?;
        for (name, script) in batch {
            out.add(&name, script);
        }
    }
    log::debug!("export: section chunks made at {:?}", started.elapsed());
    Ok(())
}

/// What the browser shows of a section: its page's `[title, url, date, title stems]` (written
/// once per page in a chunk; kind, status and team come from the facets) and its own
/// `[heading, anchor, excerpt]`.
struct Row {
    page: [String; 4],
    section: [String; 3],
}

/// Facet codes of each page as runs of equal codes, in VLQ digits: `code, pages, code, pages…`
/// (pages sit in path order, so a folder's pages share a kind and a team).
fn runs_of(codes: &[usize]) -> String {
    let mut out = String::new();
    for run in codes.chunk_by(|a, b| a == b) {
        vlq(&mut out, run[0] as u32);
        vlq(&mut out, run.len() as u32);
    }
    out
}
