//! Navigation: the section tree from folders (ordered by `weight`, then title), previous/next
//! order and breadcrumbs. Part of `model`; no I/O.

use std::collections::BTreeMap;

use crate::model::page::{Page, PageId, PageKind, humanize};

/// Index of a node in `Nav::nodes`.
pub type NodeId = usize;

/// A folder or a page in the tree.
#[derive(Debug, Clone)]
pub struct NavNode {
    /// Shown text: the page title, or the folder's landing-page title, or its humanised name.
    pub title: String,
    /// The page this node opens: the page itself, or a folder's landing page.
    pub page: Option<PageId>,
    /// Parent folder; `None` only for the root.
    pub parent: Option<NodeId>,
    /// Ordered children (folders and pages).
    pub children: Vec<NodeId>,
    /// True for folders.
    pub is_section: bool,
    weight: Option<i64>,
    /// Sorts siblings of equal weight: the lower-case title, or for numbered and dated records
    /// (decisions, updates) the file name, so they list in number and date order.
    order: String,
    key: String,
}

/// The whole navigation structure of a site.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    /// Node 0 is the root folder.
    pub nodes: Vec<NavNode>,
    /// The node of each page (every published page has one).
    pub node_of_page: Vec<Option<NodeId>>,
    /// Pages in reading order (depth first), for previous/next.
    pub reading_order: Vec<PageId>,
    /// Position of each page in `reading_order`.
    pub position: Vec<Option<usize>>,
}

impl NavNode {
    /// A folder's site-relative URL (`docs/runbooks/`, `""` for the root).
    pub fn folder_url(&self) -> String {
        if self.key.is_empty() {
            String::new()
        } else {
            format!("{}/", self.key)
        }
    }
}

impl Nav {
    /// Ancestors of a page's node from the root down, excluding the node itself.
    pub fn ancestors(&self, node: NodeId) -> Vec<NodeId> {
        let mut chain = Vec::new();
        let mut current = self.nodes[node].parent;
        while let Some(id) = current {
            chain.push(id);
            current = self.nodes[id].parent;
        }
        chain.reverse();
        chain
    }

    /// The pages before and after `page` in reading order.
    pub fn neighbours(&self, page: PageId) -> (Option<PageId>, Option<PageId>) {
        let Some(position) = self.position.get(page).copied().flatten() else {
            return (None, None);
        };
        let previous = position.checked_sub(1).map(|p| self.reading_order[p]);
        let next = self.reading_order.get(position + 1).copied();
        (previous, next)
    }
}

/// Builds the tree from page paths. `pages` are sorted by path.
pub fn build(pages: &[Page]) -> Nav {
    let mut nav = Nav {
        nodes: vec![NavNode {
            title: String::new(),
            page: None,
            parent: None,
            children: Vec::new(),
            is_section: true,
            weight: None,
            order: String::new(),
            key: String::new(),
        }],
        node_of_page: vec![None; pages.len()],
        reading_order: Vec::new(),
        position: vec![None; pages.len()],
    };
    let mut folders: BTreeMap<String, NodeId> = BTreeMap::new();
    folders.insert(String::new(), 0);
    for (id, page) in pages.iter().enumerate() {
        if page.path == super::check::NOT_FOUND_PAGE {
            continue;
        }
        let dir = page.path.rsplit_once('/').map_or("", |(dir, _)| dir);
        let folder = folder_node(&mut nav, &mut folders, dir);
        if page.is_landing() && nav.nodes[folder].page.is_none() {
            let node = &mut nav.nodes[folder];
            node.page = Some(id);
            node.title = page.title.clone();
            node.weight = page.weight;
            node.order = page.title.to_lowercase();
            nav.node_of_page[id] = Some(folder);
        } else {
            let node = nav.nodes.len();
            nav.nodes.push(NavNode {
                title: page.title.clone(),
                page: Some(id),
                parent: Some(folder),
                children: Vec::new(),
                is_section: false,
                weight: page.weight,
                order: match page.kind.tag() {
                    PageKind::Decision | PageKind::Update => page
                        .path
                        .rsplit('/')
                        .next()
                        .unwrap_or(&page.path)
                        .to_string(),
                    _ => page.title.to_lowercase(),
                },
                key: page.path.clone(),
            });
            nav.nodes[folder].children.push(node);
            nav.node_of_page[id] = Some(node);
        }
    }
    adopt_folder_pages(&mut nav, pages);
    for index in 0..nav.nodes.len() {
        let mut children = std::mem::take(&mut nav.nodes[index].children);
        children.sort_by(|&a, &b| {
            let (a, b) = (&nav.nodes[a], &nav.nodes[b]);
            (a.weight.unwrap_or(i64::MAX), &a.order, &a.key).cmp(&(
                b.weight.unwrap_or(i64::MAX),
                &b.order,
                &b.key,
            ))
        });
        nav.nodes[index].children = children;
    }
    let mut order = Vec::with_capacity(pages.len());
    walk(&nav, 0, &mut order);
    for (position, &page) in order.iter().enumerate() {
        nav.position[page] = Some(position);
    }
    nav.reading_order = order;
    nav
}

/// GitBook and MkDocs write a folder's page beside it (`guide.md` and `guide/one.md`): a folder
/// without a landing page of its own takes the page published at its URL as one, so the
/// sidebar shows one entry that opens the page and holds the folder's pages.
fn adopt_folder_pages(nav: &mut Nav, pages: &[Page]) {
    for folder in 1..nav.nodes.len() {
        if !nav.nodes[folder].is_section || nav.nodes[folder].page.is_some() {
            continue;
        }
        let Some(parent) = nav.nodes[folder].parent else {
            continue;
        };
        let url = nav.nodes[folder].folder_url();
        let found = nav.nodes[parent].children.iter().position(|&child| {
            let node = &nav.nodes[child];
            !node.is_section && node.page.is_some_and(|page| pages[page].url == url)
        });
        let Some(position) = found else {
            continue;
        };
        let leaf = nav.nodes[parent].children.remove(position);
        let Some(page) = nav.nodes[leaf].page else {
            continue;
        };
        let node = &mut nav.nodes[folder];
        node.page = Some(page);
        node.title = pages[page].title.clone();
        node.weight = pages[page].weight;
        node.order = pages[page].title.to_lowercase();
        nav.node_of_page[page] = Some(folder);
    }
}

fn folder_node(nav: &mut Nav, folders: &mut BTreeMap<String, NodeId>, dir: &str) -> NodeId {
    if let Some(&node) = folders.get(dir) {
        return node;
    }
    let (parent_dir, name) = dir.rsplit_once('/').unwrap_or(("", dir));
    let parent = folder_node(nav, folders, parent_dir);
    let node = nav.nodes.len();
    nav.nodes.push(NavNode {
        title: humanize(name),
        page: None,
        parent: Some(parent),
        children: Vec::new(),
        is_section: true,
        weight: None,
        order: humanize(name).to_lowercase(),
        key: dir.to_string(),
    });
    nav.nodes[parent].children.push(node);
    folders.insert(dir.to_string(), node);
    node
}

fn walk(nav: &Nav, node: NodeId, order: &mut Vec<PageId>) {
    if let Some(page) = nav.nodes[node].page {
        order.push(page);
    }
    for &child in &nav.nodes[node].children {
        walk(nav, child, order);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MarkdownConfig;
    use crate::load::Source;
    use crate::model::page::{PageKind, parse_page};

    fn pages(files: &[(&str, &str)]) -> Vec<Page> {
        let mut files = files.to_vec();
        files.sort();
        files
            .into_iter()
            .map(|(path, text)| {
                let (source, _) = Source::new(path.into(), text.into());
                parse_page(source, PageKind::Page, &MarkdownConfig::default()).unwrap()
            })
            .collect()
    }

    #[test]
    fn children_order_by_weight_then_title_and_folders_take_landing_titles() {
        let pages = pages(&[
            ("index.md", "# Home"),
            ("b.md", "# Beta"),
            ("a.md", "# Alpha"),
            ("z.md", "---\nweight: 1\n---\n# Zulu"),
            ("guide/index.md", "---\nweight: 2\n---\n# The guide"),
            ("guide/step.md", "# Step"),
        ]);
        let nav = build(&pages);
        let titles: Vec<_> = nav.nodes[0]
            .children
            .iter()
            .map(|&n| nav.nodes[n].title.as_str())
            .collect();
        assert_eq!(titles, ["Zulu", "The guide", "Alpha", "Beta"]);
        let reading: Vec<_> = nav
            .reading_order
            .iter()
            .map(|&p| pages[p].title.as_str())
            .collect();
        assert_eq!(
            reading,
            ["Home", "Zulu", "The guide", "Step", "Alpha", "Beta"]
        );
    }

    #[test]
    fn folders_without_landing_pages_get_humanised_names() {
        let pages = pages(&[("on-call/rota.md", "# Rota")]);
        let nav = build(&pages);
        let folder = nav.nodes[0].children[0];
        assert_eq!(nav.nodes[folder].title, "On call");
        assert!(nav.nodes[folder].page.is_none());
    }
}
