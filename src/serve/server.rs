//! The preview's HTTP side (axum on tokio): serves the last good build from memory, injects the
//! live-reload script into HTML, and streams rebuild notices as Server-Sent Events. The only
//! async module; it never touches the handbook except to read copied files already vetted by
//! the loader.

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body as HttpBody, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::Stream;
use futures_util::stream::{self, StreamExt as _};
use tokio::sync::{broadcast, watch};

use super::engine::Body;

/// The server's own URLs; no handbook page can be published there (`_` folders are never
/// content).
const LIVE_JS_URL: &str = "/__handbook/live.js";
const EVENTS_URL: &str = "/__handbook/events";

const LIVE_JS: &str = include_str!("live.js");

/// A rebuild notice for open pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// These site paths (`/docs/a/index.html`) changed; `all` asks every page to reload.
    Reload {
        /// Changed output paths, each with a leading `/`.
        changed: Vec<String>,
        /// A stylesheet, script or copied file changed.
        all: bool,
    },
    /// The current errors (`file:line: message` lines); empty when the content is clean.
    Problems(Vec<String>),
    /// The search export was rebuilt.
    Search,
}

/// What the server reads; written only by the rebuild thread.
#[derive(Clone)]
pub struct Shared {
    /// The last good build.
    pub site: watch::Receiver<Arc<HashMap<String, Body>>>,
    /// Current error lines, sent to each new page at once.
    pub problems: watch::Receiver<Arc<Vec<String>>>,
    /// Rebuild notices.
    pub notices: broadcast::Sender<Notice>,
    /// Turns true on shutdown, ending event streams.
    pub stopping: watch::Receiver<bool>,
    /// The canonical handbook folder: copied files must still be inside it when read.
    pub root: PathBuf,
    /// Host names requests may carry besides IP addresses and `localhost` (DNS rebinding: a
    /// web page must not reach the preview through a name of its own that resolves to it).
    pub hosts: Vec<String>,
}

/// The host names a preview answers to besides IP addresses and `localhost`: this machine's
/// name (alone and with `.local`), when it listens beyond loopback, and the `--allow-host`
/// names.
pub fn allowed_hosts(bound: std::net::IpAddr, extra: &[String]) -> Vec<String> {
    let mut hosts: Vec<String> = extra
        .iter()
        .map(|name| name.trim().trim_end_matches('.').to_ascii_lowercase())
        .collect();
    if !bound.is_loopback() {
        let name = ["/proc/sys/kernel/hostname", "/etc/hostname"]
            .iter()
            .find_map(|file| std::fs::read_to_string(file).ok())
            .or_else(|| std::env::var("HOSTNAME").ok())
            .map(|name| name.trim().to_ascii_lowercase())
            .filter(|name| !name.is_empty());
        if let Some(name) = name {
            let short = name.split('.').next().unwrap_or(&name).to_string();
            hosts.extend([format!("{short}.local"), short, name]);
        }
    }
    hosts
}

/// Whether a request's `Host` header is one the preview answers to. An IP address is always
/// fine (a page showing it in its address bar was served by the preview itself), as are
/// `localhost` and `*.localhost`; any other name must be listed. A request without `Host`
/// (HTTP/1.0 tools) is answered: a browser always sends one.
fn host_allowed(shared: &Shared, headers: &axum::http::HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST) else {
        return true;
    };
    let Ok(host) = host.to_str() else {
        return false;
    };
    let name = match host.rfind(':') {
        Some(colon) if !host[colon..].contains(']') => &host[..colon],
        _ => host,
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let literal = name
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .unwrap_or(&name);
    literal.parse::<std::net::IpAddr>().is_ok()
        || name == "localhost"
        || name.ends_with(".localhost")
        || shared.hosts.contains(&name)
}

/// The routes.
pub fn router(shared: Shared) -> Router {
    Router::new()
        .route(EVENTS_URL, get(events))
        .route(LIVE_JS_URL, get(live_js))
        .fallback(file)
        .with_state(shared)
}

async fn live_js() -> Response {
    let mut response = LIVE_JS.into_response();
    set_headers(&mut response, "live.js");
    response
}

async fn events(
    State(shared): State<Shared>,
    headers: axum::http::HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, StatusCode> {
    if !host_allowed(&shared, &headers) {
        return Err(StatusCode::FORBIDDEN);
    }
    let receiver = shared.notices.subscribe();
    let current = Notice::Problems(shared.problems.borrow().as_ref().clone());
    let first = stream::once(async move { Ok(event(&current)) });
    let rest = stream::unfold(
        (receiver, shared.stopping),
        |(mut receiver, mut stopping)| async move {
            let notice = tokio::select! {
                _ = stopping.wait_for(|stop| *stop) => return None,
                notice = receiver.recv() => match notice {
                    Ok(notice) => notice,
                    // Missed notices: reloading is always correct.
                    Err(broadcast::error::RecvError::Lagged(_)) => Notice::Reload {
                        changed: Vec::new(),
                        all: true,
                    },
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            };
            Some((Ok(event(&notice)), (receiver, stopping)))
        },
    );
    Ok(Sse::new(first.chain(rest)).keep_alive(KeepAlive::default()))
}

fn event(notice: &Notice) -> Event {
    let (name, data) = match notice {
        Notice::Reload { changed, all } => (
            "reload",
            serde_json::json!({ "changed": changed, "all": all }),
        ),
        Notice::Problems(messages) => ("problems", serde_json::json!({ "messages": messages })),
        Notice::Search => ("search", serde_json::json!({})),
    };
    Event::default().event(name).data(data.to_string())
}

/// How a request path maps onto the site.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// This output file (`docs/a/index.html`).
    File(String),
    /// A folder named without its slash: serve `index.html` after redirecting to `path/`
    /// when it exists, else try the file itself.
    FolderOrFile(String),
}

/// Maps a request path to an output path. Refuses (400) anything that could name a file
/// outside the site: `..` and `.` segments (also percent-encoded), backslashes, NUL bytes and
/// invalid UTF-8.
pub fn lookup(path: &str) -> Result<Lookup, StatusCode> {
    let bytes = percent_decode(path.as_bytes());
    let decoded = String::from_utf8(bytes).map_err(|_| StatusCode::BAD_REQUEST)?;
    let Some(rest) = decoded.strip_prefix('/') else {
        return Err(StatusCode::BAD_REQUEST);
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let last = segments.len() - 1;
    if rest.contains(['\\', '\0'])
        || segments.iter().enumerate().any(|(index, segment)| {
            *segment == ".." || *segment == "." || (segment.is_empty() && index != last)
        })
    {
        return Err(StatusCode::BAD_REQUEST);
    }
    if rest.is_empty() || rest.ends_with('/') {
        Ok(Lookup::File(format!("{rest}index.html")))
    } else {
        Ok(Lookup::FolderOrFile(rest.to_string()))
    }
}

fn percent_decode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%'
            && let Some(hex) = bytes.get(index + 1..index + 3)
            && let Ok(text) = std::str::from_utf8(hex)
            && let Ok(value) = u8::from_str_radix(text, 16)
        {
            out.push(value);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    out
}

async fn file(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    if !host_allowed(&shared, &headers) {
        return (
            StatusCode::FORBIDDEN,
            "the preview answers only to IP addresses, localhost and this machine's name\n\
             (start it with `handbook serve --allow-host NAME` to answer to another name)\n",
        )
            .into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        let mut response = (
            StatusCode::METHOD_NOT_ALLOWED,
            "the preview serves GET and HEAD\n",
        )
            .into_response();
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let site = shared.site.borrow().clone();
    let path = match lookup(uri.path()) {
        Err(status) => return (status, "bad path\n").into_response(),
        Ok(Lookup::File(path)) => path,
        Ok(Lookup::FolderOrFile(path)) => {
            if site.contains_key(&format!("{path}/index.html")) {
                let location = format!("/{}/", uri.path().trim_start_matches('/'));
                return redirect(&location, uri.query());
            }
            path
        }
    };
    match site.get(&path) {
        Some(body) => match read(body, &shared.root).await {
            Some(bytes) => respond(StatusCode::OK, &path, bytes),
            None => not_found(&site, &shared.root).await,
        },
        None => not_found(&site, &shared.root).await,
    }
}

fn redirect(location: &str, query: Option<&str>) -> Response {
    let location = match query {
        Some(query) => format!("{location}?{query}"),
        None => location.to_string(),
    };
    let mut response = StatusCode::MOVED_PERMANENTLY.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

async fn not_found(site: &HashMap<String, Body>, root: &std::path::Path) -> Response {
    match site.get("404.html") {
        Some(body) => match read(body, root).await {
            Some(bytes) => respond(StatusCode::NOT_FOUND, "404.html", bytes),
            None => (StatusCode::NOT_FOUND, "not found\n").into_response(),
        },
        None => (StatusCode::NOT_FOUND, "not found\n").into_response(),
    }
}

/// The bytes of a served file. Copied files are read now, and only when they still resolve
/// inside the handbook (a file replaced by a symlink since the last walk is not followed).
async fn read(body: &Body, root: &std::path::Path) -> Option<Bytes> {
    match body {
        Body::Bytes(_) | Body::Packed(_) => body.generated(),
        Body::File(path) => {
            let real = tokio::fs::canonicalize(path).await.ok()?;
            if !real.starts_with(root) {
                return None;
            }
            tokio::fs::read(real).await.ok().map(Bytes::from)
        }
    }
}

fn respond(status: StatusCode, path: &str, bytes: Bytes) -> Response {
    let body = if path.ends_with(".html") {
        HttpBody::from(inject(&bytes))
    } else {
        HttpBody::from(bytes)
    };
    let mut response = Response::builder()
        .status(status)
        .body(body)
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    set_headers(&mut response, path);
    response
}

fn set_headers(response: &mut Response, path: &str) {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let textual = mime.type_() == "text"
        || matches!(
            mime.subtype().as_str(),
            "javascript" | "json" | "xml" | "atom+xml"
        );
    let value = if textual {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_string()
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    // Every response may change on the next save.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// Adds the live-reload script before `</body>` (or at the end).
pub fn inject(html: &[u8]) -> Vec<u8> {
    let tag = format!("<script src=\"{LIVE_JS_URL}\"></script>");
    let at = html
        .windows(7)
        .rposition(|window| window.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_map_to_their_index() {
        assert_eq!(lookup("/"), Ok(Lookup::File("index.html".into())));
        assert_eq!(
            lookup("/docs/a/"),
            Ok(Lookup::File("docs/a/index.html".into()))
        );
        assert_eq!(lookup("/docs/a"), Ok(Lookup::FolderOrFile("docs/a".into())));
        assert_eq!(
            lookup("/img/my%20logo.png"),
            Ok(Lookup::FolderOrFile("img/my logo.png".into()))
        );
        assert_eq!(
            lookup("/caf%C3%A9/"),
            Ok(Lookup::File("café/index.html".into()))
        );
    }

    #[test]
    fn traversal_in_any_spelling_is_refused() {
        for path in [
            "/../etc/passwd",
            "/docs/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/%2E%2E/etc/passwd",
            "/docs/%2e%2e%2fsecret",
            "/..%2f..%2fetc/passwd",
            "/..%5c..%5cwindows",
            "/docs\\..\\x",
            "/a%00.html",
            "/./index.html",
            "//etc/passwd",
            "/%ff%fe",
            "relative",
        ] {
            assert_eq!(lookup(path), Err(StatusCode::BAD_REQUEST), "{path}");
        }
        // Double encoding decodes once: a literal `%2e%2e` name, not a parent folder.
        assert_eq!(
            lookup("/%252e%252e/x"),
            Ok(Lookup::FolderOrFile("%2e%2e/x".into()))
        );
    }

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        let html = b"<html><body><p>`</body>` in text</p></BODY></html>";
        let out = String::from_utf8(inject(html)).expect("utf-8");
        assert!(out.ends_with("<script src=\"/__handbook/live.js\"></script></BODY></html>"));
        assert_eq!(
            String::from_utf8(inject(b"<p>no body")).expect("utf-8"),
            "<p>no body<script src=\"/__handbook/live.js\"></script>"
        );
    }
}
