//! Navigation: the sidebar (the current page's branch, windowed siblings, shared closed
//! entries), breadcrumbs, and the listings "N more" links to.

use super::context::{LinkView, NavItemView, RecordBadgeView};
use crate::model::nav::NodeId;

use super::Renderer;

impl<'a> Renderer<'a> {
    /// The sidebar as a template value, sharing each closed entry's value between pages.
    pub(super) fn nav_value(&self, items: &[NavItemView]) -> Result<tera::Value, String> {
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            let entry = || self.nav_entry_value(item);
            match item.shared(&self.closed_entries, entry)? {
                Some(value) => values.push(value.clone()),
                None => values.push(entry()?),
            }
        }
        Ok(tera::Value::from(values))
    }

    /// One sidebar entry as a template value. Children are left out of the serialized entry
    /// and added as their own values.
    pub(super) fn nav_entry_value(&self, item: &NavItemView) -> Result<tera::Value, String> {
        let mut map = tera::Value::try_from_serializable(item)
            .map_err(|error| error.to_string())?
            .into_map()
            .unwrap_or_default();
        map.insert("children".into(), self.nav_value(&item.children)?);
        Ok(tera::Value::from(map))
    }

    pub(super) fn breadcrumbs(&self, node: Option<NodeId>) -> Vec<LinkView<'a>> {
        let nav = &self.input.site.nav;
        let Some(node) = node else { return Vec::new() };
        nav.ancestors(node)
            .into_iter()
            .filter_map(|ancestor| {
                let entry = &nav.nodes[ancestor];
                let url = entry
                    .page
                    .map(|p| self.page_urls[p].clone())
                    .or_else(|| self.folder_listing_url(ancestor))?;
                let title = if ancestor == 0 {
                    "Home"
                } else {
                    entry.title.as_str()
                };
                Some(LinkView { title, url })
            })
            .collect()
    }

    /// The sidebar: top-level entries plus the current page's branch, never the whole tree, so
    /// output stays linear in pages. Long sibling lists are windowed around the open entry.
    pub(super) fn sidebar(&self, current: Option<NodeId>) -> Vec<NavItemView<'a>> {
        let nav = &self.input.site.nav;
        let mut open = match current {
            Some(node) => nav.ancestors(node),
            None => Vec::new(),
        };
        open.extend(current);
        self.nav_level(0, &open, current)
    }

    pub(super) fn nav_level(
        &self,
        node: NodeId,
        open: &[NodeId],
        current: Option<NodeId>,
    ) -> Vec<NavItemView<'a>> {
        let nav = &self.input.site.nav;
        let children = &nav.nodes[node].children;
        let limit = self.input.config.nav.max_siblings.max(1);
        let focus = children
            .iter()
            .position(|child| open.contains(child))
            .unwrap_or(0);
        let (start, end) = window(children.len(), focus, limit);
        let mut items: Vec<NavItemView> = children[start..end]
            .iter()
            .map(|&child| {
                let entry = &nav.nodes[child];
                let is_open = open.contains(&child);
                NavItemView {
                    node: child,
                    title: &entry.title,
                    url: entry
                        .page
                        .map(|p| self.page_urls[p].clone())
                        .or_else(|| self.folder_listing_url(child)),
                    is_current: Some(child) == current,
                    is_open,
                    is_section: entry.is_section,
                    children: if is_open && entry.is_section {
                        self.nav_level(child, open, current)
                    } else {
                        Vec::new()
                    },
                    more: 0,
                    more_url: None,
                    record: entry
                        .page
                        .and_then(|p| self.input.site.decision_of_page(p))
                        .map(|decision| RecordBadgeView {
                            number: decision.number,
                            status: decision.status.as_str(),
                        }),
                }
            })
            .collect();
        let hidden = children.len() - (end - start);
        if hidden > 0
            && let Some(last) = items.last_mut()
        {
            last.more = hidden;
            last.more_url = self.full_listing_url(node);
        }
        items
    }

    /// The generated listing of a folder without a landing page.
    pub(super) fn folder_listing_url(&self, node: NodeId) -> Option<String> {
        let entry = &self.input.site.nav.nodes[node];
        let url = entry.folder_url();
        (entry.is_section && entry.page.is_none() && self.input.site.listings.contains_key(&url))
            .then(|| self.url(&url))
    }

    /// Where every entry of a folder is listed: its generated listing, or `all-pages/` beside
    /// an author's landing page.
    pub(super) fn full_listing_url(&self, node: NodeId) -> Option<String> {
        let entry = &self.input.site.nav.nodes[node];
        let folder = entry.folder_url();
        [
            folder.clone(),
            format!("{folder}{}", crate::model::ALL_PAGES),
        ]
        .into_iter()
        .find(|url| self.input.site.listings.get(url) == Some(&node))
        .map(|url| self.url(&url))
    }
}

/// The `[start, end)` range of at most `limit` items around `focus`.
pub(super) fn window(len: usize, focus: usize, limit: usize) -> (usize, usize) {
    if len <= limit {
        return (0, len);
    }
    let start = focus.saturating_sub(limit / 2).min(len - limit);
    (start, start + limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_keeps_focus_visible() {
        assert_eq!(window(5, 3, 10), (0, 5));
        assert_eq!(window(100, 0, 10), (0, 10));
        assert_eq!(window(100, 50, 10), (45, 55));
        assert_eq!(window(100, 99, 10), (90, 100));
    }
}
