//! Cache keys: a page's key hashes everything its output is made from except the site-wide
//! parts, which the site key hashes; a page whose keys are unchanged is not rendered again.

use super::context::{NavItemView, PageView};
use crate::cache::RenderCache;
use crate::diagnostics::Diagnostic;
use crate::model::page::PageId;
use crate::output::{Content, OutputFile};

use super::Renderer;

impl<'a> Renderer<'a> {
    /// A hash of everything page `id`'s output is made from except the site-wide parts
    /// (configuration, theme, assets): its source, where its links point, and every value its
    /// template sees. A page whose key is unchanged needs no rendering. In-process use only.
    pub fn page_key(&self, id: PageId) -> u64 {
        let (view, nav, template) = self.page_view(id, String::new());
        self.key_of(id, &view, &nav, &template)
    }

    pub(super) fn key_of(
        &self,
        id: PageId,
        view: &PageView,
        nav: &[NavItemView],
        template: &str,
    ) -> u64 {
        use std::hash::{Hash, Hasher};
        let site = self.input.site;
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        site.pages[id].source_text.hash(&mut hasher);
        site.links.hrefs[id].hash(&mut hasher);
        template.hash(&mut hasher);
        nav.hash(&mut hasher);
        // Serializing into the hasher covers every template field.
        if !hash_json(&mut hasher, view) {
            // Not reachable for these views; a unique value makes the page render.
            return u64::MAX;
        }
        hasher.finish()
    }

    /// A hash of the site-wide parts every page is made from: this binary's configuration
    /// (all of `handbook.yml` and the command-line overrides), the theme's templates and
    /// assets, and the `site` view. With [`Self::page_key`] it decides whether a page
    /// from the previous build can be kept.
    pub fn site_key(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        self.input.config.fingerprint().hash(&mut hasher);
        self.input.theme.fingerprint.hash(&mut hasher);
        if !hash_json(&mut hasher, &self.site_view) {
            return u64::MAX;
        }
        hasher.finish()
    }

    /// Page `id`, or the previous build's file for it when `cache` holds the same key; with
    /// the key.
    pub(super) fn page_cached(
        &self,
        id: PageId,
        cache: &RenderCache,
        site_key: u64,
    ) -> (Result<OutputFile, Diagnostic>, u64) {
        use crate::profile::{Activity, time};
        let (mut view, nav, template) =
            time(Activity::Templates, || self.page_view(id, String::new()));
        let key = time(Activity::Keys, || self.key_of(id, &view, &nav, &template));
        let path = format!("{}index.html", self.input.site.pages[id].url);
        if let Some(previous) = cache.kept(site_key, &path, key) {
            let file = OutputFile {
                path,
                content: Content::Kept(previous),
            };
            return (Ok(file), key);
        }
        let rendered = self.content(id);
        view.content = rendered.html;
        view.title_html = rendered.title_html;
        let html = self.render_template(&template, &view, &nav);
        (self.page_file(id, path, html), key)
    }
}

/// Feeds `value`'s JSON to `hasher`, in 16 KiB chunks: serde writes a few bytes at a time, and
/// a hasher update per write cost more than the serializing. False if it cannot be serialized.
pub(super) fn hash_json(
    hasher: &mut xxhash_rust::xxh3::Xxh3,
    value: &impl serde::Serialize,
) -> bool {
    use std::io::Write as _;
    let mut writer = std::io::BufWriter::with_capacity(16 << 10, HashWriter(hasher));
    serde_json::to_writer(&mut writer, value).is_ok() && writer.flush().is_ok()
}

/// Feeds written bytes to a hasher.
pub(super) struct HashWriter<'h>(&'h mut xxhash_rust::xxh3::Xxh3);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        std::hash::Hasher::write(self.0, bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
