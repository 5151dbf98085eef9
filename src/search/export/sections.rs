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

/// Every section's row, page and facets, by section number.
pub(super) struct Sections {
    rows: Vec<Row>,
    page_of: Vec<u32>,
    facet_of: Vec<[String; 3]>,
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

/// The rows of the indexed `sections`, in section order. They come from the sections
/// themselves, not from the index's stored documents: reading those back cost a decompressed
/// document per section (1.6 s at 30k pages), and the index does not need to store excerpts.
pub(super) fn read(
    sections: &[Section<'_>],
    language: Option<Language>,
    started: Instant,
) -> Sections {
    let rows: Vec<Row> = (0..sections.len())
        .into_par_iter()
        .map(|sid| {
            let section = &sections[sid];
            // A page's sections are neighbours, and its data is written once per chunk: its
            // title stems are needed only where its run of sections starts.
            let starts_page = sid == 0 || sections[sid - 1].page != section.page;
            let title_stems = if starts_page || sid % CHUNK == 0 {
                analyze(&section.title, language).join(" ")
            } else {
                String::new()
            };
            let (page_url, anchor) = match section.url.split_once('#') {
                Some((page, anchor)) => (page.to_string(), anchor.to_string()),
                None => (section.url.clone(), String::new()),
            };
            Row {
                page: [
                    section.title.clone(),
                    page_url,
                    section.date.clone(),
                    title_stems,
                ],
                section: [
                    section.heading.clone().unwrap_or_default(),
                    anchor,
                    excerpt(&section.body, EXCERPT_CHARS),
                ],
            }
        })
        .collect();
    log::debug!("export: sections read at {:?}", started.elapsed());
    Sections {
        rows,
        page_of: sections.iter().map(|section| section.page).collect(),
        facet_of: sections
            .iter()
            .map(|section| {
                [
                    section.kind.clone(),
                    section.status.clone(),
                    section.team.to_lowercase(),
                ]
            })
            .collect(),
    }
}

/// The pages' section counts and facet codes.
pub(super) fn facets(sections: &Sections) -> Facets {
    // Sections are numbered in page order, so a page is a run of sections.
    let mut runs: Vec<u32> = Vec::new();
    let mut names: [Vec<String>; 3] = Default::default();
    let mut codes: [Vec<usize>; 3] = Default::default();
    for sid in 0..sections.page_of.len() {
        if sid > 0 && sections.page_of[sid] == sections.page_of[sid - 1] {
            if let Some(last) = runs.last_mut() {
                *last += 1;
            }
            continue;
        }
        runs.push(1);
        for key in 0..3 {
            let value = &sections.facet_of[sid][key];
            let code = match names[key].iter().position(|name| name == value) {
                Some(code) => code,
                None => {
                    names[key].push(value.clone());
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

/// Makes and sends the metadata chunks.
pub(super) fn write_chunks(out: &mut Outgoing<'_>, sections: &Sections) -> anyhow::Result<()> {
    // A chunk is `[{page: [title, url, date, title stems]}, [[page, [heading, anchor,
    // excerpt]]…]]`: a page's sections are neighbours, so its data is written once.
    for (n, chunk) in sections.rows.chunks(CHUNK).enumerate() {
        let name = format!("d/{n}");
        let mut pages: BTreeMap<u32, &[String; 4]> = BTreeMap::new();
        let mut rows: Vec<(u32, &[String; 3])> = Vec::with_capacity(chunk.len());
        for (at, row) in chunk.iter().enumerate() {
            let page = sections.page_of[n * CHUNK + at];
            pages.entry(page).or_insert(&row.page);
            rows.push((page, &row.section));
        }
        let pages: BTreeMap<String, &[String; 4]> = pages
            .into_iter()
            .map(|(page, data)| (page.to_string(), data))
            .collect();
        let data = serde_json::to_vec(&(pages, rows))?;
        out.add(&name, script(&name, &[&data]));
    }
    Ok(())
}

/// What the browser shows of a section: its page's `[title, url, date, title stems]` (written
/// once per page in a chunk; kind, status and team come from the facets) and its own
/// `[heading, anchor, excerpt]`.
#[derive(Clone)]
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
