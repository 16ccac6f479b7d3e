//! The GitHub source: organisations, users, searches and single repositories
//! through octocrab, with pagination, rate-limit waits and retries handled
//! here so that a batch of thousands of repositories runs unattended.

use http::StatusCode;
use octocrab::Octocrab;
use secrecy::SecretString;
use serde::Deserialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What the API says of a repository (the fields a study filters on).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct GhRepo {
    pub full_name: String,
    pub clone_url: String,
    #[serde(default)]
    pub html_url: Option<String>,
    #[serde(default)]
    pub default_branch: Option<String>,
    #[serde(default)]
    pub fork: bool,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub stargazers_count: u64,
    #[serde(default)]
    pub forks_count: u64,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub license: Option<GhLicense>,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub pushed_at: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    /// Kilobytes, as the API reports it.
    #[serde(default)]
    pub size: u64,
    /// The branch, tag or commit to mine instead of the default branch's head.
    #[serde(skip)]
    pub pin: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct GhLicense {
    #[serde(default)]
    pub spdx_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum GhError {
    #[error("GitHub API {url}: HTTP {status}{detail}")]
    Status { url: String, status: u16, detail: String },
    #[error("GitHub API {url}: {message}")]
    Other { url: String, message: String },
}

impl GhError {
    pub fn status(&self) -> Option<u16> {
        match self {
            GhError::Status { status, .. } => Some(*status),
            GhError::Other { .. } => None,
        }
    }
}

/// Filters checked from the API's metadata, before anything is cloned.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub include_forks: bool,
    pub include_archived: bool,
    pub min_stars: Option<u64>,
    pub language: Option<String>,
    /// `YYYY-MM-DD`: pushed on or after.
    pub pushed_after: Option<String>,
    pub topic: Option<String>,
    pub max_repo_mb: Option<u64>,
}

impl Filters {
    /// Why a repository is left out, or None when it is mined.
    pub fn reject(&self, r: &GhRepo) -> Option<String> {
        if r.fork && !self.include_forks {
            return Some("fork (--include-forks to mine forks)".into());
        }
        if r.archived && !self.include_archived {
            return Some("archived (--include-archived to mine archived repositories)".into());
        }
        if let Some(n) = self.min_stars {
            if r.stargazers_count < n {
                return Some(format!("{} stars, fewer than --min-stars {n}", r.stargazers_count));
            }
        }
        if let Some(l) = &self.language {
            if !r.language.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(l)) {
                return Some(format!("language {}, not --language {l}", r.language.as_deref().unwrap_or("none")));
            }
        }
        if let Some(d) = &self.pushed_after {
            if r.pushed_at.as_deref().is_none_or(|p| p < d.as_str()) {
                return Some(format!("last pushed {}, before --pushed-after {d}", r.pushed_at.as_deref().unwrap_or("never")));
            }
        }
        if let Some(t) = &self.topic {
            if !r.topics.iter().any(|x| x.eq_ignore_ascii_case(t)) {
                return Some(format!("no topic {t}"));
            }
        }
        if let Some(mb) = self.max_repo_mb {
            if r.size > mb * 1024 {
                return Some(format!("{} MB, over --max-repo-mb {mb}", r.size / 1024));
            }
        }
        None
    }
}

/// A GitHub API client with its own runtime.
pub struct GitHub {
    crab: Octocrab,
    rt: tokio::runtime::Runtime,
    api: String,
    /// API requests made (retries included), for the run's figures.
    pub calls: AtomicU64,
    /// Longest rate-limit wait accepted before giving up.
    pub max_wait: Duration,
    /// Waits on server errors: the n-th retry waits `backoff * 2^n`.
    pub backoff: Duration,
}

impl GitHub {
    pub fn new(api_url: &str, token: Option<&str>) -> Result<GitHub, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the HTTP runtime: {e}"))?;
        let api = api_url.trim_end_matches('/').to_string();
        let crab = rt.block_on(async {
            let mut b = Octocrab::builder()
                .base_uri(api.as_str())
                .map_err(|_| format!("--api-url '{api}' is not a URL"))?
                .set_connect_timeout(Some(Duration::from_secs(20)))
                .set_read_timeout(Some(Duration::from_secs(60)));
            if let Some(t) = token {
                b = b.personal_token(SecretString::from(t.to_string()));
            }
            b.build().map_err(|e| format!("GitHub client: {e}"))
        })?;
        Ok(GitHub {
            crab,
            rt,
            api,
            calls: AtomicU64::new(0),
            max_wait: Duration::from_secs(3600),
            backoff: Duration::from_secs(2),
        })
    }

    /// GET one page: waits out rate limits (`x-ratelimit-reset`,
    /// `Retry-After`), retries server errors with backoff. Returns the JSON
    /// body and the next page's URL from the `Link` header.
    fn get_page(&self, url: &str) -> Result<(serde_json::Value, Option<String>), GhError> {
        let err = |m: String| GhError::Other { url: url.to_string(), message: m };
        let mut server_errors = 0;
        loop {
            self.calls.fetch_add(1, Ordering::Relaxed);
            let resp = self.rt.block_on(self.crab._get(url)).map_err(|e| err(e.to_string()))?;
            let status = resp.status();
            let headers = resp.headers().clone();
            let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
            if status.is_success() {
                let next = header("link").and_then(|l| next_link(&l));
                let body = self.rt.block_on(self.crab.body_to_string(resp)).map_err(|e| err(e.to_string()))?;
                let v = serde_json::from_str(&body).map_err(|e| err(format!("not JSON: {e}")))?;
                return Ok((v, next));
            }
            let wait = if status == StatusCode::FORBIDDEN || status == StatusCode::TOO_MANY_REQUESTS {
                if header("x-ratelimit-remaining").as_deref() == Some("0") {
                    let reset = header("x-ratelimit-reset").and_then(|r| r.parse::<u64>().ok()).unwrap_or(0);
                    let now =
                        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
                    Some(Duration::from_secs(reset.saturating_sub(now) + 1))
                } else {
                    header("retry-after").and_then(|r| r.parse::<u64>().ok()).map(Duration::from_secs)
                }
            } else if status.is_server_error() && server_errors < 4 {
                server_errors += 1;
                Some(self.backoff * 2u32.pow(server_errors - 1))
            } else {
                None
            };
            match wait {
                Some(w) if w <= self.max_wait => {
                    eprintln!("mine: GitHub API {} for {url}: waiting {} s", status.as_u16(), w.as_secs());
                    std::thread::sleep(w);
                }
                _ => {
                    let body = self.rt.block_on(self.crab.body_to_string(resp)).unwrap_or_default();
                    let message = serde_json::from_str::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_string));
                    return Err(GhError::Status {
                        url: url.to_string(),
                        status: status.as_u16(),
                        detail: message.map(|m| format!(" ({m})")).unwrap_or_default(),
                    });
                }
            }
        }
    }

    /// Every item of a paginated list (or of `items` for a search).
    fn all_pages(&self, first: &str, limit: Option<usize>) -> Result<(Vec<GhRepo>, u64), GhError> {
        let mut out = Vec::new();
        let mut url = Some(first.to_string());
        let mut total = 0;
        while let Some(u) = url {
            let (v, next) = self.get_page(&u)?;
            let items = match v {
                serde_json::Value::Array(a) => a,
                serde_json::Value::Object(mut o) => {
                    total = o.get("total_count").and_then(|t| t.as_u64()).unwrap_or(0);
                    match o.remove("items") {
                        Some(serde_json::Value::Array(a)) => a,
                        _ => Vec::new(),
                    }
                }
                _ => Vec::new(),
            };
            for it in items {
                let r: GhRepo = serde_json::from_value(it)
                    .map_err(|e| GhError::Other { url: u.clone(), message: format!("unexpected repository JSON: {e}") })?;
                out.push(r);
            }
            if limit.is_some_and(|l| out.len() >= l) {
                break;
            }
            url = next;
        }
        Ok((out, total))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    pub fn org_repos(&self, org: &str, limit: Option<usize>) -> Result<Vec<GhRepo>, GhError> {
        Ok(self.all_pages(&self.url(&format!("/orgs/{org}/repos?type=all&per_page=100")), limit)?.0)
    }

    pub fn user_repos(&self, user: &str, limit: Option<usize>) -> Result<Vec<GhRepo>, GhError> {
        Ok(self.all_pages(&self.url(&format!("/users/{user}/repos?type=owner&per_page=100")), limit)?.0)
    }

    /// The last commit of `branch` made before `date` (YYYY-MM-DD), for
    /// rerunning a study as of that day.
    pub fn commit_before(&self, full_name: &str, branch: &str, date: &str) -> Result<Option<String>, GhError> {
        let url = self.url(&format!("/repos/{full_name}/commits?sha={}&until={date}T00:00:00Z&per_page=1", encode(branch)));
        let (v, _) = self.get_page(&url)?;
        Ok(v.as_array().and_then(|a| a.first()).and_then(|c| c.get("sha")).and_then(|s| s.as_str()).map(str::to_string))
    }

    pub fn repo(&self, full_name: &str) -> Result<GhRepo, GhError> {
        let (v, _) = self.get_page(&self.url(&format!("/repos/{full_name}")))?;
        serde_json::from_value(v).map_err(|e| GhError::Other { url: full_name.to_string(), message: e.to_string() })
    }

    /// Repository search. The API returns at most 1,000 results a query:
    /// a query with more is split by creation date until every part fits.
    pub fn search(&self, query: &str, limit: Option<usize>) -> Result<Vec<GhRepo>, GhError> {
        let mut out = Vec::new();
        let mut ranges = vec![("2000-01-01".to_string(), "2099-12-31".to_string(), false)];
        while let Some((from, to, dated)) = ranges.pop() {
            let q = if dated { format!("{query} created:{from}..{to}") } else { query.to_string() };
            let url = self.url(&format!("/search/repositories?q={}&per_page=100", encode(&q)));
            let (first, _) = self.get_page(&url)?;
            let total = first.get("total_count").and_then(|t| t.as_u64()).unwrap_or(0);
            if total > 1000 {
                if let Some((a, b)) = split_range(&from, &to) {
                    ranges.push(a.with(true));
                    ranges.push(b.with(true));
                    continue;
                }
            }
            let (items, _) = self.all_pages(&url, limit.map(|l| l.saturating_sub(out.len())))?;
            out.extend(items);
            if limit.is_some_and(|l| out.len() >= l) {
                break;
            }
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|r| seen.insert(r.full_name.clone()));
        Ok(out)
    }
}

trait WithDated {
    fn with(self, dated: bool) -> (String, String, bool);
}

impl WithDated for (String, String) {
    fn with(self, dated: bool) -> (String, String, bool) {
        (self.0, self.1, dated)
    }
}

/// Halve a `YYYY-MM-DD..YYYY-MM-DD` range (by days); None for one day.
fn split_range(from: &str, to: &str) -> Option<((String, String), (String, String))> {
    let (a, b) = (days(from)?, days(to)?);
    if b <= a {
        return None;
    }
    let mid = a + (b - a) / 2;
    Some(((from.to_string(), date(mid)), (date(mid + 1), to.to_string())))
}

/// Days since 0000-03-01 (civil calendar), and back.
fn days(d: &str) -> Option<i64> {
    let mut it = d.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, dd) = (it.next()??, it.next()??, it.next()??);
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    Some(365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + dd - 1)
}

fn date(n: i64) -> String {
    let mut y = (10000 * n + 14780) / 3652425;
    let mut ddd = n - (365 * y + y / 4 - y / 100 + y / 400);
    if ddd < 0 {
        y -= 1;
        ddd = n - (365 * y + y / 4 - y / 100 + y / 400);
    }
    let mi = (100 * ddd + 52) / 3060;
    let mm = (mi + 2) % 12 + 1;
    let y = y + (mi + 2) / 12;
    let dd = ddd - (mi * 306 + 5) / 10 + 1;
    format!("{y:04}-{mm:02}-{dd:02}")
}

/// Percent-encode a query value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `rel="next"` URL of a `Link` header.
pub fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, rel) = part.split_once(';')?;
        rel.contains("rel=\"next\"").then(|| url.trim().trim_start_matches('<').trim_end_matches('>').to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_dates_and_encoding() {
        let l = r#"<http://127.0.0.1:9/orgs/a/repos?page=2>; rel="next", <http://127.0.0.1:9/orgs/a/repos?page=3>; rel="last""#;
        assert_eq!(next_link(l).as_deref(), Some("http://127.0.0.1:9/orgs/a/repos?page=2"));
        assert_eq!(next_link(r#"<x>; rel="prev""#), None);
        for d in ["2000-01-01", "2020-02-29", "2099-12-31", "2024-03-01"] {
            assert_eq!(date(days(d).unwrap()), d);
        }
        let ((a, b), (c, d)) = split_range("2020-01-01", "2020-01-04").unwrap();
        assert_eq!((a.as_str(), b.as_str(), c.as_str(), d.as_str()), ("2020-01-01", "2020-01-02", "2020-01-03", "2020-01-04"));
        assert!(split_range("2020-01-01", "2020-01-01").is_none());
        assert_eq!(encode("topic:ml stars:>100"), "topic%3Aml+stars%3A%3E100");
    }

    #[test]
    fn filters() {
        let r = GhRepo {
            full_name: "a/b".into(),
            clone_url: "x".into(),
            html_url: None,
            default_branch: None,
            fork: false,
            archived: false,
            stargazers_count: 5,
            forks_count: 0,
            language: Some("Python".into()),
            license: None,
            topics: vec!["ml".into()],
            pushed_at: Some("2024-05-01T00:00:00Z".into()),
            created_at: None,
            size: 2048,
            pin: None,
        };
        let f = Filters::default();
        assert_eq!(f.reject(&r), None);
        assert!(f.reject(&GhRepo { fork: true, ..r.clone() }).is_some_and(|m| m.contains("fork")));
        assert!(Filters { min_stars: Some(10), ..Default::default() }.reject(&r).is_some());
        assert!(Filters { language: Some("rust".into()), ..Default::default() }.reject(&r).is_some());
        assert!(Filters { pushed_after: Some("2025-01-01".into()), ..Default::default() }.reject(&r).is_some());
        assert!(Filters { topic: Some("ML".into()), ..Default::default() }.reject(&r).is_none());
        assert!(Filters { max_repo_mb: Some(1), ..Default::default() }.reject(&r).is_some());
    }
}
