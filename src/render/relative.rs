//! Relative links: every site URL in a page's attributes (`href`, `src`, `action`, `poster`,
//! `srcset`) is rewritten from the root-absolute form the views build (`/base/path/`) to a path
//! relative to the page's own folder (`../path/`), so one build works at a host root, under any
//! sub-path, unpacked from a zip and from `file://`. One pass over the finished HTML, so
//! templates, navigation, markdown links and raw HTML are all covered, whichever theme made them.

/// The 404 page's first script when the site root is not known: hosts serve `404.html` at any
/// missing path, so it asks for `404.html` in each folder above the address, nearest first, and
/// the first found is the site root; a `<base href>` there makes the page's root-relative links
/// (and its stylesheet and scripts, which come after) resolve from it. Synchronous, so nothing
/// loads from the wrong place first; at most 12 small requests. Every URL is built on
/// `location.origin` (a path like `//evil.example/x` must not become another host), and
/// in-page `#links` keep pointing at this page once the base is set.
pub const FIND_ROOT_SCRIPT: &str = "<script>(function(){var o=location.origin;\
var p=location.pathname.replace(/^\\/+/,\"/\").replace(/[^/]*$/,\"\");\
for(var i=0;i<12&&p;i++){try{var r=new XMLHttpRequest();r.open(\"HEAD\",o+p+\"404.html\",false);r.send();\
if(r.status===200){var b=document.createElement(\"base\");b.href=o+p;document.head.appendChild(b);\
document.addEventListener(\"click\",function(e){var a=e.target.closest&&e.target.closest('a[href^=\"#\"]');\
if(a){e.preventDefault();location.hash=a.getAttribute(\"href\");}});return;}}\
catch(e){return;}if(p===\"/\")return;p=p.replace(/[^/]*\\/$/,\"\");}})();</script>";

/// Attributes whose value is one URL.
const URL_ATTRIBUTES: [&str; 4] = ["href", "src", "action", "poster"];

/// `html` of the page written at `path` (`guides/deploy/index.html`) with every attribute URL
/// under `base_path` (`/` or `/handbook/`) made relative to that page's folder. URLs elsewhere
/// (other origins, `#fragments`, `mailto:`, protocol-relative `//host/`) are left alone.
pub fn relativize(html: &str, path: &str, base_path: &str) -> String {
    let from = Folder::of(path);
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut rest = html;
    while let Some(at) = rest.find("=\"") {
        let (before, after) = rest.split_at(at + 2);
        out.push_str(before);
        rest = after;
        let Some(name) = attribute_name(before) else {
            continue;
        };
        let end = rest.find('"').unwrap_or(rest.len());
        let value = &rest[..end];
        if name.eq_ignore_ascii_case("srcset") {
            out.push_str(&srcset(value, base_path, &from));
        } else if URL_ATTRIBUTES
            .iter()
            .any(|known| name.eq_ignore_ascii_case(known))
        {
            one(&mut out, value, base_path, &from);
        } else {
            out.push_str(value);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The folder of the file a page is written to (`guides/deploy/index.html` → `guides/deploy/`),
/// as its path from the site root.
struct Folder<'a> {
    path: &'a str,
    depth: usize,
}

impl<'a> Folder<'a> {
    fn of(file: &'a str) -> Self {
        let path = &file[..file.rfind('/').map_or(0, |slash| slash + 1)];
        Folder {
            path,
            depth: path.matches('/').count(),
        }
    }

    /// `target` (a path from the site root) from this folder: up to the deepest folder both
    /// share, then down (`guides/x/` from `guides/deploy/` is `../x/`). A result that does not
    /// climb starts with `./`, so a first segment holding `:` never reads as a scheme.
    fn to(&self, out: &mut String, target: &str) {
        // Only whole folders (up to a `/`) of the path before any query or fragment are shared.
        let path_end = target.find(['?', '#']).unwrap_or(target.len());
        let mut shared = 0;
        let mut shared_depth = 0;
        for (at, _) in target[..path_end].match_indices('/') {
            let folder = &target[..=at];
            if !self.path.starts_with(folder) {
                break;
            }
            shared = at + 1;
            shared_depth += 1;
        }
        let up = self.depth - shared_depth;
        if up == 0 {
            out.push_str("./");
        }
        for _ in 0..up {
            out.push_str("../");
        }
        out.push_str(&target[shared..]);
    }
}

/// The attribute name just before `="` (at the end of `before`), if it is one: letters, digits
/// and `-` after whitespace.
fn attribute_name(before: &str) -> Option<&str> {
    let head = &before[..before.len() - 2];
    let start = head
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .map_or(0, |i| i + 1);
    let name = &head[start..];
    let separated = head[..start].ends_with(|c: char| c.is_ascii_whitespace());
    (!name.is_empty() && separated).then_some(name)
}

/// `url` (a site path under `base_path`) as seen from the file at `path`.
pub fn relative_to(url: &str, path: &str, base_path: &str) -> String {
    let mut out = String::new();
    one(&mut out, url, base_path, &Folder::of(path));
    out
}

/// One URL, appended to `out`: relative when it is under `base_path`.
fn one(out: &mut String, value: &str, base_path: &str, from: &Folder) {
    // An empty URL is this page.
    if value.is_empty() {
        return;
    }
    match value.strip_prefix(base_path) {
        // `//host/…` is another origin, not a site path.
        Some(_) if base_path == "/" && value.starts_with("//") => out.push_str(value),
        Some(rest) => from.to(out, rest),
        // `/handbook` for the base `/handbook/`.
        None if value.len() + 1 == base_path.len() && base_path.starts_with(value) => {
            from.to(out, "");
        }
        None => out.push_str(value),
    }
}

/// `srcset`: comma-separated `URL [descriptor]` candidates.
fn srcset(value: &str, base_path: &str, from: &Folder) -> String {
    value
        .split(',')
        .map(|candidate| {
            let trimmed = candidate.trim_start();
            let lead = &candidate[..candidate.len() - trimmed.len()];
            let (url, descriptor) = trimmed
                .split_once(char::is_whitespace)
                .map_or((trimmed, ""), |(url, rest)| (url, rest));
            let space = if descriptor.is_empty() { "" } else { " " };
            let mut relative = String::new();
            one(&mut relative, url, base_path, from);
            format!("{lead}{relative}{space}{descriptor}")
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::relativize;

    #[test]
    fn site_paths_become_relative_to_the_page_folder() {
        let html = r#"<link href="/assets/site.css?v=1"><a href="/guides/x/#a">x</a><a href="/">home</a><img src="/img/a.png" alt="/img/b.png"><form action="/search/">"#;
        assert_eq!(
            relativize(html, "guides/deploy/index.html", "/"),
            r#"<link href="../../assets/site.css?v=1"><a href="../x/#a">x</a><a href="../../">home</a><img src="../../img/a.png" alt="/img/b.png"><form action="../../search/">"#
        );
        assert_eq!(
            relativize(html, "index.html", "/"),
            r#"<link href="./assets/site.css?v=1"><a href="./guides/x/#a">x</a><a href="./">home</a><img src="./img/a.png" alt="/img/b.png"><form action="./search/">"#
        );
    }

    #[test]
    fn links_climb_only_to_the_deepest_folder_both_share() {
        let html = r#"<a href="/a/b/c/">self</a><a href="/a/b/c/#x">anchor</a><a href="/a/b/c/d/">child</a><a href="/a/b/e/">sibling</a><a href="/a/bb/">cousin</a><a href="/a/b/c/f.png">file</a><a href="/a/b/c?q=/a/b/c/">query</a><a href="/a/b">parent file</a>"#;
        assert_eq!(
            relativize(html, "a/b/c/index.html", "/"),
            r#"<a href="./">self</a><a href="./#x">anchor</a><a href="./d/">child</a><a href="../e/">sibling</a><a href="../../bb/">cousin</a><a href="./f.png">file</a><a href="../c?q=/a/b/c/">query</a><a href="../../b">parent file</a>"#
        );
        // A child folder whose name holds a `:` still cannot read as a scheme.
        assert_eq!(
            relativize(r#"<a href="/a/javascript:x/">x</a>"#, "a/index.html", "/"),
            r#"<a href="./javascript:x/">x</a>"#
        );
    }

    #[test]
    fn root_pages_never_turn_a_path_into_a_scheme_and_empty_urls_stay_empty() {
        assert_eq!(
            relativize(
                r#"<a href="/javascript:alert%281%29">x</a><a href="">here</a>"#,
                "index.html",
                "/"
            ),
            r#"<a href="./javascript:alert%281%29">x</a><a href="">here</a>"#
        );
    }

    #[test]
    fn only_urls_under_the_base_path_change() {
        let html = r##"<a href="/hb/a/">a</a><a href="/other/">o</a><a href="https://x.org/hb/">x</a><a href="#top">t</a><a href="//cdn.example/x.js">c</a><a href="/hb">b</a><a href="mailto:a@b.c">m</a>"##;
        assert_eq!(
            relativize(html, "a/index.html", "/hb/"),
            r##"<a href="./">a</a><a href="/other/">o</a><a href="https://x.org/hb/">x</a><a href="#top">t</a><a href="//cdn.example/x.js">c</a><a href="../">b</a><a href="mailto:a@b.c">m</a>"##
        );
        assert_eq!(
            relativize(r#"<a href="//cdn.example/x.js">c</a>"#, "a/index.html", "/"),
            r#"<a href="//cdn.example/x.js">c</a>"#
        );
    }

    #[test]
    fn text_and_other_attributes_are_left_alone() {
        // Text never holds a raw `"` (pages escape it); a `data-href` or `title` is not a URL.
        let html = r#"<p title="/a/" data-href="/b/">see href=&quot;/c/&quot; here</p><img srcset="/a.png 1x, /b.png 2x">"#;
        assert_eq!(
            relativize(html, "x/index.html", "/"),
            r#"<p title="/a/" data-href="/b/">see href=&quot;/c/&quot; here</p><img srcset="../a.png 1x, ../b.png 2x">"#
        );
    }
}
