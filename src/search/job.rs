//! The preview's search export as a job another process can run: the sections, and what the
//! export reads from the configuration, in one value that crosses a pipe.
//!
//! `handbook serve` runs it in a child `handbook __search-export`, so the few hundred MiB the
//! index and its encoding take on a large handbook go back to the system when the child ends;
//! in the server's own process the allocator keeps freed memory for reuse, and the preview's
//! resident memory stayed that much higher for the rest of the session.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

use super::{Labels, Section, Settings, export, stemmer_language};
use crate::config::Config;
use crate::output::{Content, OutputFile};

/// One search export: sections, team labels and the configuration it depends on.
#[derive(Debug, Serialize, Deserialize)]
pub struct ExportJob<'a> {
    /// The binary that made the job: a child must be the same build (the server's
    /// `search-engine.js` reads exactly its export format), or it refuses the job.
    binary: String,
    /// `language` of `handbook.yml` (the stemmer, the stop words, the fingerprint).
    language: String,
    /// `search.synonyms` of `handbook.yml`.
    synonyms: BTreeMap<String, Vec<String>>,
    labels: Labels,
    sections: Vec<Section<'a>>,
}

impl<'a> ExportJob<'a> {
    /// The export of `sections` under `config`.
    pub fn new(sections: Vec<Section<'a>>, labels: Labels, config: &Config) -> ExportJob<'a> {
        ExportJob {
            binary: binary(),
            language: config.language.clone(),
            synonyms: config.search.synonyms.clone(),
            labels,
            sections,
        }
    }

    /// Indexes the sections in memory and returns only the browser export.
    pub fn run(&self) -> anyhow::Result<Vec<OutputFile>> {
        let language = stemmer_language(&self.language);
        // The index lives only as long as its export: no time spent compressing it.
        let settings = Settings {
            language,
            compress: false,
            bucket_pages: super::index::BUCKET_PAGES,
        };
        let fingerprint = super::fingerprint_of(&self.sections, &self.language);
        let index = super::SearchIndex::build(&self.sections, &settings, fingerprint, None, None)?;
        let synonyms = super::synonyms_of(&self.synonyms, index.language());
        export::export(
            &index,
            &self.sections,
            &|file: OutputFile| file,
            &synonyms,
            &self.labels,
        )
    }

    /// Writes the job for a child process (JSON).
    pub fn write_to(&self, writer: impl Write) -> anyhow::Result<()> {
        serde_json::to_writer(std::io::BufWriter::new(writer), self)?;
        Ok(())
    }
}

/// The body of `handbook __search-export`: reads a job, runs it, writes the files.
pub fn run_from(input: impl Read, output: &mut dyn Write) -> anyhow::Result<()> {
    let job: ExportJob<'static> = serde_json::from_reader(std::io::BufReader::new(input))?;
    if job.binary != binary() {
        anyhow::bail!(
            "the job comes from handbook {}, this is {}",
            job.binary,
            binary()
        );
    }
    let files = job.run()?;
    drop(job);
    let mut writer = std::io::BufWriter::new(output);
    write_files(&files, &mut writer)?;
    writer.flush()?;
    Ok(())
}

/// This build: its version and the export format it writes.
fn binary() -> String {
    format!(
        "{} (export format {})",
        env!("CARGO_PKG_VERSION"),
        export::FORMAT
    )
}

/// Frames generated files: per file, the path's length (u32, little endian), the path, the
/// content's length (u64) and the content.
pub fn write_files(files: &[OutputFile], writer: &mut dyn Write) -> anyhow::Result<()> {
    for file in files {
        let Content::Bytes(bytes) = &file.content else {
            anyhow::bail!("{} is not generated", file.path);
        };
        writer.write_all(&u32::try_from(file.path.len())?.to_le_bytes())?;
        writer.write_all(file.path.as_bytes())?;
        writer.write_all(&(bytes.len() as u64).to_le_bytes())?;
        writer.write_all(bytes)?;
    }
    Ok(())
}

/// Reads what [`write_files`] wrote.
pub fn read_files(mut bytes: &[u8]) -> anyhow::Result<Vec<OutputFile>> {
    fn take<'b>(bytes: &mut &'b [u8], count: usize) -> anyhow::Result<&'b [u8]> {
        if bytes.len() < count {
            anyhow::bail!("the search export ended early");
        }
        let (head, rest) = bytes.split_at(count);
        *bytes = rest;
        Ok(head)
    }
    let mut files = Vec::new();
    while !bytes.is_empty() {
        let length = u32::from_le_bytes(take(&mut bytes, 4)?.try_into()?) as usize;
        let path = String::from_utf8(take(&mut bytes, length)?.to_vec())?;
        let length = usize::try_from(u64::from_le_bytes(take(&mut bytes, 8)?.try_into()?))?;
        let content = take(&mut bytes, length)?.to_vec();
        files.push(OutputFile::bytes(path, content));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_sent_through_a_pipe_exports_what_it_exports_in_process() {
        let config = Config::default();
        let section = |page: u32, title: &str, body: &str| {
            Section::plain(page, title, body, &format!("p{page}/"))
        };
        let job = ExportJob::new(
            vec![
                section(0, "Deploys", "Ship the release with care."),
                section(1, "Rollback", "Undo a release: “revert” and redeploy."),
            ],
            Labels::new(),
            &config,
        );
        let mut request = Vec::new();
        job.write_to(&mut request).unwrap();
        let mut framed = Vec::new();
        run_from(request.as_slice(), &mut framed).unwrap();
        let through_pipe = read_files(&framed).unwrap();
        let in_process = job.run().unwrap();
        let holds = |word: &str| {
            through_pipe.iter().any(|file| match &file.content {
                Content::Bytes(bytes) => String::from_utf8_lossy(bytes).contains(word),
                _ => false,
            })
        };
        assert!(holds("redeploy") && holds("release"), "{through_pipe:?}");
        assert_eq!(through_pipe, in_process);
        assert!(
            read_files(&framed[..framed.len() - 1]).is_err(),
            "a cut stream is an error"
        );
        // A job from another build is refused (the server falls back to exporting itself).
        let foreign =
            String::from_utf8(request)
                .unwrap()
                .replacen(&binary(), "0.0.1 (export format 1)", 1);
        let refused = run_from(foreign.as_bytes(), &mut Vec::new()).unwrap_err();
        assert!(refused.to_string().contains("0.0.1"), "{refused}");
    }
}
