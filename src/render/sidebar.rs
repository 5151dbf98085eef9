//! The sidebar as HTML, made in Rust: byte for byte what the built-in theme's `NavTree`
//! component (`themes/default/templates/nav.html`) renders from `nav`.
//!
//! The sidebar is ~90 entries on every page, and interpreting the component for each was about
//! half of all template time. A closed entry (not open, not current, no "N more") is the same on
//! every page that shows it, so its HTML is made once per nav node and copied. The renderer uses
//! this only while the theme's `nav.html` is the built-in one (see
//! [`crate::theme::Theme::native_sidebar`]); a theme that changes it gets its own component.
//! Escaping is tera's own function, so text is escaped exactly as the template would.

use std::io::Write as _;
use std::sync::OnceLock;

use super::context::NavItemView;

/// Renders sidebars, sharing closed entries' HTML between pages.
pub struct SidebarHtml {
    /// The HTML of each nav node's closed entry, made on first use.
    closed: Vec<OnceLock<Vec<u8>>>,
}

impl SidebarHtml {
    /// For a nav tree of `nodes` nodes.
    pub fn new(nodes: usize) -> Self {
        SidebarHtml {
            closed: (0..nodes).map(|_| OnceLock::new()).collect(),
        }
    }

    /// `<NavTree items={nav} />` for one page's sidebar.
    pub fn render(&self, items: &[NavItemView]) -> Result<String, String> {
        let mut out = Vec::with_capacity(8 * 1024);
        self.list(&mut out, items)
            .map_err(|error| format!("sidebar: {error}"))?;
        String::from_utf8(out).map_err(|error| format!("sidebar: {error}"))
    }

    fn list(&self, out: &mut Vec<u8>, items: &[NavItemView]) -> std::io::Result<()> {
        out.extend_from_slice(b"<ul>");
        for item in items {
            let entry = || -> std::io::Result<Vec<u8>> {
                let mut html = Vec::with_capacity(128);
                self.entry(&mut html, item)?;
                Ok(html)
            };
            match item.shared(&self.closed, entry)? {
                Some(html) => out.extend_from_slice(html),
                None => self.entry(out, item)?,
            }
        }
        out.extend_from_slice(b"\n</ul>");
        Ok(())
    }

    fn entry(&self, out: &mut Vec<u8>, item: &NavItemView) -> std::io::Result<()> {
        // A page entry that is neither open nor current has no class (most entries): nothing
        // styles a plain entry, and the attribute was about 200 bytes of every page.
        out.extend_from_slice(b"\n<li");
        let classes = [
            (item.is_section, "section"),
            (item.is_open, "open"),
            (item.is_current, "current"),
        ];
        let mut first = true;
        for (_, class) in classes.iter().filter(|(has, _)| *has) {
            out.extend_from_slice(if first { b" class=\"" } else { b" " });
            out.extend_from_slice(class.as_bytes());
            first = false;
        }
        if !first {
            out.extend_from_slice(b"\"");
        }
        out.extend_from_slice(b">");
        match &item.url {
            Some(url) => {
                out.extend_from_slice(b"<a href=\"");
                tera::escape_html(url, out)?;
                out.extend_from_slice(b"\"");
                if item.is_current {
                    out.extend_from_slice(b" aria-current=\"page\"");
                }
                out.extend_from_slice(b">");
                self.label(out, item)?;
                out.extend_from_slice(b"</a>");
            }
            None => {
                out.extend_from_slice(b"<span>");
                self.label(out, item)?;
                out.extend_from_slice(b"</span>");
            }
        }
        if !item.children.is_empty() {
            self.list(out, &item.children)?;
        }
        if item.more > 0 {
            match &item.more_url {
                Some(url) => {
                    out.extend_from_slice(b"<a class=\"nav-more\" href=\"");
                    tera::escape_html(url, out)?;
                    write!(out, "\">{} more…</a>", item.more)?;
                }
                None => write!(out, "<span class=\"nav-more\">{} more…</span>", item.more)?,
            }
        }
        out.extend_from_slice(b"</li>");
        Ok(())
    }

    /// The entry's text: a record's number before its title and its status after.
    fn label(&self, out: &mut Vec<u8>, item: &NavItemView) -> std::io::Result<()> {
        if let Some(record) = &item.record {
            write!(out, "<span class=\"nav-number\">{}</span> ", record.number)?;
        }
        tera::escape_html(item.title, out)?;
        if let Some(record) = &item.record {
            write!(
                out,
                " <span class=\"status nav-status status-{0}\">{0}</span>",
                record.status
            )?;
        }
        Ok(())
    }
}
