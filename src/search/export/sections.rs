//! Export phase 3, sections: what the browser shows of each section and page (the chunks
//! `d/<n>.js`), and each page's kind, status and team (`facets.js`).

use std::collections::BTreeMap;
use std::time::Instant;

use rayon::prelude::*;
use tantivy::schema::TantivyDocument;

use super::super::index::{SearchIndex, text};
use super::{CHUNK, Outgoing, script, vlq};

/// The row of a section the index does not have (never written in practice).
static EMPTY_SECTION: [String; 3] = [String::new(), String::new(), String::new()];

/// Every section's row, page and facets, by section number.
pub(super) struct Sections {
    rows: Vec<Option<Row>>,
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

/// Reads the stored sections: `count` of them.
pub(super) fn read(
    index: &SearchIndex,
    count: usize,
    started: Instant,
) -> anyhow::Result<Sections> {
    let language = index.language();
    let searcher = index.searcher();
    let fields = &index.fields;
    let mut sections: Vec<Option<Row>> = vec![None; count];
    let mut page_of: Vec<u32> = vec![0; count];
    let mut facet_of: Vec<[String; 3]> = vec![Default::default(); count];
    for segment in searcher.segment_readers() {
        let sids = segment.fast_fields().u64("sid")?.first_or_default_col(0);
        let pages = segment.fast_fields().u64("page")?.first_or_default_col(0);
        // Stored documents decompress block by block: each thread reads its own run of them.
        let read: Vec<Option<SectionRow>> = (0..segment.max_doc())
            .into_par_iter()
            .map_init(
                || segment.get_store_reader(64),
                |store, doc| -> anyhow::Result<Option<SectionRow>> {
                    let sid = sids.get_val(doc) as usize;
                    if sid >= count {
                        return Ok(None);
                    }
                    let store = store.as_ref().map_err(|error| anyhow::anyhow!("{error}"))?;
                    let stored: TantivyDocument = store.get(doc)?;
                    let kind = text(&stored, fields.kind);
                    let status = text(&stored, fields.status);
                    let team = text(&stored, fields.team);
                    let title = text(&stored, fields.text[0]);
                    let title_stems = super::super::analyze(&title, language).join(" ");
                    let url = text(&stored, fields.url);
                    let (page_url, anchor) = match url.split_once('#') {
                        Some((page, anchor)) => (page.to_string(), anchor.to_string()),
                        None => (url, String::new()),
                    };
                    let row = Row {
                        page: [title, page_url, text(&stored, fields.date), title_stems],
                        section: [
                            text(&stored, fields.heading),
                            anchor,
                            text(&stored, fields.excerpt),
                        ],
                    };
                    Ok(Some(SectionRow {
                        sid,
                        row,
                        page: pages.get_val(doc) as u32,
                        facets: [kind, status, team],
                    }))
                },
            )
            .collect::<anyhow::Result<_>>()?;
        for row in read.into_iter().flatten() {
            sections[row.sid] = Some(row.row);
            page_of[row.sid] = row.page;
            facet_of[row.sid] = row.facets;
        }
    }
    log::debug!("export: sections read at {:?}", started.elapsed());
    Ok(Sections {
        rows: sections,
        page_of,
        facet_of,
    })
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
            match row {
                Some(row) => {
                    pages.entry(page).or_insert(&row.page);
                    rows.push((page, &row.section));
                }
                None => rows.push((page, &EMPTY_SECTION)),
            }
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

/// One stored section, read for the metadata chunks and the facets.
struct SectionRow {
    sid: usize,
    row: Row,
    page: u32,
    facets: [String; 3],
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
