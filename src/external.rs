//! `handbook check --external`: requests every distinct http(s) link once, a few at a time,
//! each with a timeout, and remembers links that worked in an optional cache file. The only
//! module that touches the network, and only when asked: builds never do.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::config::ExternalConfig;
use crate::diagnostics::Diagnostic;
use crate::model::Site;

/// Where a link is written.
struct Use<'a> {
    path: &'a str,
    line: usize,
    column: usize,
}

/// What one request found.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// 2xx or 3xx after redirects.
    Working,
    /// The site could not say (429 Too Many Requests): neither reported nor remembered.
    Unknown,
    /// What went wrong, for the message.
    Broken(String),
}

/// The cache file: URL → when it last worked (Unix seconds).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Cache {
    version: u32,
    working: BTreeMap<String, i64>,
}

/// Figures for the summary line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Distinct URLs found.
    pub links: usize,
    /// Of those, answered from the cache.
    pub cached: usize,
    /// Of those, skipped by `exclude`.
    pub excluded: usize,
    /// Of those, broken.
    pub broken: usize,
}

/// Checks the site's http(s) links. `now` is Unix seconds, for the cache.
pub fn check(
    site: &Site,
    config: &ExternalConfig,
    root: &Path,
    now: i64,
) -> (Vec<Diagnostic>, Summary) {
    let mut links: BTreeMap<String, Vec<Use>> = BTreeMap::new();
    for page in &site.pages {
        for link in &page.links {
            if let Some(url) = http_url(&link.destination) {
                links.entry(url).or_default().push(Use {
                    path: &page.path,
                    line: link.line,
                    column: link.column,
                });
            }
        }
    }
    let mut summary = Summary {
        links: links.len(),
        ..Summary::default()
    };
    let cache_path = config.cache.as_ref().map(|file| root.join(file));
    let mut cache = cache_path
        .as_deref()
        .map(|path| load_cache(root, path))
        .unwrap_or_default();
    let fresh_after = now - i64::try_from(config.cache_hours.saturating_mul(3600)).unwrap_or(0);
    cache
        .working
        .retain(|_, &mut checked| checked > fresh_after);
    let mut to_check = Vec::new();
    for url in links.keys() {
        if config.exclude.iter().any(|prefix| url.starts_with(prefix)) {
            summary.excluded += 1;
        } else if cache.working.contains_key(url) {
            summary.cached += 1;
        } else {
            to_check.push(url.as_str());
        }
    }
    let started = Instant::now();
    let outcomes = request_all(&to_check, config);
    log::info!(
        "checked {} external links in {:.1} s ({} remembered, {} excluded)",
        to_check.len(),
        started.elapsed().as_secs_f64(),
        summary.cached,
        summary.excluded
    );
    let mut found = Vec::new();
    for (url, outcome) in to_check.iter().zip(outcomes) {
        match outcome {
            Outcome::Working => {
                cache.working.insert((*url).to_string(), now);
            }
            Outcome::Unknown => {}
            Outcome::Broken(problem) => {
                summary.broken += 1;
                for place in &links[*url] {
                    found.push(
                        Diagnostic::warning(
                            place.path,
                            place.line,
                            place.column,
                            "external-link",
                            format!("{url}: {problem}"),
                        )
                        .with_help(
                            "fix or remove the link; if the site refuses robots, add its prefix to `check.external.exclude`",
                        ),
                    );
                }
            }
        }
    }
    if let Some(path) = cache_path {
        cache.version = 1;
        if let Err(error) = crate::output::save_json(root, &path, &cache) {
            log::warn!("could not write the link cache {}: {error}", path.display());
        }
    }
    (found, summary)
}

/// The URL to request for an http(s) link, without its `#fragment`; `None` for other links.
fn http_url(destination: &str) -> Option<String> {
    let lower = destination.get(..8)?.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return None;
    }
    let url = destination.split('#').next().unwrap_or(destination);
    Some(url.to_string())
}

/// Requests each URL with at most `concurrency` in flight; outcomes in input order.
fn request_all(urls: &[&str], config: &ExternalConfig) -> Vec<Outcome> {
    let timeout = Duration::from_secs(config.timeout.max(1));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(10)
        .user_agent(concat!("handbook-link-check/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let next = AtomicUsize::new(0);
    let workers = config.concurrency.clamp(1, 64).min(urls.len());
    // Each worker takes the next URL until none are left, and hands back what it found.
    let found: Vec<(usize, Outcome)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut found = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(url) = urls.get(index) else { break };
                        found.push((index, request(&agent, url, timeout)));
                    }
                    found
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().unwrap_or_default())
            .collect()
    });
    let mut outcomes = vec![Outcome::Broken("not checked".into()); urls.len()];
    for (index, outcome) in found {
        outcomes[index] = outcome;
    }
    outcomes
}

/// HEAD first; GET when the server refuses HEAD (many do) or answers it with an error.
fn request(agent: &ureq::Agent, url: &str, timeout: Duration) -> Outcome {
    let head = agent.head(url).call();
    let status = match head {
        Ok(response) if response.status().as_u16() < 400 => return Outcome::Working,
        Ok(response) => Some(response.status().as_u16()),
        Err(_) => None,
    };
    match agent.get(url).call() {
        Ok(response) => match response.status().as_u16() {
            code if code < 400 => Outcome::Working,
            429 => Outcome::Unknown,
            code => Outcome::Broken(format!("answered {code} {}", reason(code))),
        },
        Err(error) => match status {
            Some(code) => Outcome::Broken(format!("answered {code} {}", reason(code))),
            None => Outcome::Broken(describe(&error, timeout)),
        },
    }
}

fn describe(error: &ureq::Error, timeout: Duration) -> String {
    match error {
        ureq::Error::Timeout(_) => format!("no answer within {} s", timeout.as_secs()),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::TooManyRedirects => "too many redirects".into(),
        ureq::Error::Io(error) => format!("could not connect ({error})"),
        other => format!("request failed ({other})"),
    }
}

fn reason(code: u16) -> &'static str {
    match code {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

fn load_cache(root: &Path, path: &Path) -> Cache {
    crate::output::read_cache(root, path)
        .and_then(|bytes| serde_json::from_slice::<Cache>(&bytes).ok())
        .filter(|cache| cache.version == 1)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_links_are_requested_without_fragments() {
        assert_eq!(
            http_url("https://x.org/a#b").as_deref(),
            Some("https://x.org/a")
        );
        assert_eq!(http_url("HTTP://x.org").as_deref(), Some("HTTP://x.org"));
        assert_eq!(http_url("mailto:a@b.c"), None);
        assert_eq!(http_url("docs/a.md"), None);
    }
}
