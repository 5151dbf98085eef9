//! What tantivy alone costs to index a corpus: the floor under `handbook build`'s search stage.
//!
//! Indexes every `.md` file of a folder (one document per file, its whole text) with the
//! smallest schemas tantivy offers, on one indexing thread so wall time is CPU time, and prints
//! the time of each. Nothing of handbook is used: sections, boosts, stored fields, the surface
//! vocabulary and the browser export all come on top of these figures.
//!
//! ```text
//! python3 benches/gen_corpus.py /tmp/c10k --pages 10000 --seed 1
//! cargo bench --bench tantivy_floor -- /tmp/c10k
//! ```

#![allow(clippy::print_stdout, missing_docs)]

use std::time::Instant;

use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};
use tantivy::{Index, TantivyDocument};

fn main() -> anyhow::Result<()> {
    let Some(folder) = std::env::args().skip(1).find(|arg| !arg.starts_with('-')) else {
        anyhow::bail!("usage: cargo bench --bench tantivy_floor -- CORPUS_FOLDER");
    };
    let mut texts = Vec::new();
    for entry in walkdir::WalkDir::new(&folder) {
        let entry = entry?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "md") {
            texts.push(std::fs::read_to_string(entry.path())?);
        }
    }
    let bytes: usize = texts.iter().map(String::len).sum();

    // Tokenizing alone: the analyzer every variant below runs.
    let mut analyzer = analyzer(true);
    let started = Instant::now();
    let mut tokens = 0usize;
    for text in &texts {
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            tokens += 1;
        }
    }
    let tokenize = started.elapsed();
    println!(
        "{} files, {:.1} MB, {:.2} M tokens ({folder})",
        texts.len(),
        bytes as f64 / 1e6,
        tokens as f64 / 1e6
    );
    println!(
        "{:<44} {:>8.2} s",
        "tokenize + lowercase + stem",
        tokenize.as_secs_f64()
    );
    for (name, record, stem) in [
        (
            "index, positions, stemmed",
            IndexRecordOption::WithFreqsAndPositions,
            true,
        ),
        (
            "index, positions, not stemmed",
            IndexRecordOption::WithFreqsAndPositions,
            false,
        ),
        (
            "index, frequencies only, stemmed",
            IndexRecordOption::WithFreqs,
            true,
        ),
    ] {
        let seconds = index(&texts, record, stem)?;
        println!("{name:<44} {seconds:>8.2} s");
    }
    println!("(one indexing thread, so these are CPU seconds; in memory, nothing written)");
    Ok(())
}

fn analyzer(stem: bool) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .dynamic();
    if stem {
        builder
            .filter_dynamic(Stemmer::new(Language::English))
            .build()
    } else {
        builder.build()
    }
}

/// Seconds to index `texts` into a RAM index and commit.
fn index(texts: &[String], record: IndexRecordOption, stem: bool) -> anyhow::Result<f64> {
    let mut builder = Schema::builder();
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("floor")
            .set_index_option(record),
    );
    let body = builder.add_text_field("body", options);
    let index = Index::create_in_ram(builder.build());
    index.tokenizers().register("floor", analyzer(stem));
    let started = Instant::now();
    let mut writer = index.writer_with_num_threads(1, 256 << 20)?;
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    for text in texts {
        let mut doc = TantivyDocument::default();
        doc.add_text(body, text);
        writer.add_document(doc)?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(started.elapsed().as_secs_f64())
}
