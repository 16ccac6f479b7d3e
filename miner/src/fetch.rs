//! Cloning with git2: bare clones (no work tree is ever checked out, so no
//! checkout filter, hook or submodule can run), depth 1 wherever the
//! transport allows it, into a cache folder keyed by the URL.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{0}")]
    Git(String),
    #[error("cache folder {0}: {1}")]
    Cache(String, String),
}

fn git_err(what: &str, e: git2::Error) -> FetchError {
    FetchError::Git(format!("{what}: {}", e.message().trim()))
}

/// A repository available locally for reading.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub git_dir: PathBuf,
    pub shallow: bool,
    pub commit: String,
}

/// libgit2's local transport refuses shallow fetches (BUILD_NOTES.md).
pub fn supports_shallow(url: &str) -> bool {
    !(url.starts_with("file://") || !url.contains("://") && !url.contains('@'))
}

/// The cache folder of a URL: readable name plus a hash of the full URL.
pub fn cache_path(cache: &Path, url: &str) -> PathBuf {
    let digest = Sha256::digest(url.as_bytes());
    let short: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    let readable: String = url
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(url)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' })
        .collect();
    let readable: String = readable.trim_matches('_').chars().rev().take(80).collect::<Vec<_>>().into_iter().rev().collect();
    cache.join(format!("{readable}-{short}"))
}

/// Credentials for https remotes: the token as the password of
/// `x-access-token` (GitHub's convention), given to libgit2 only through this
/// callback, so it never appears in a URL or in the clone's `.git/config`.
fn callbacks(token: Option<&str>) -> git2::RemoteCallbacks<'static> {
    callbacks_until(token, &TransferLimits::default())
}

/// As `callbacks`, and a transfer still running at `deadline` is aborted.
/// What stops a transfer: a deadline, and a size cap (`too_big` records that the cap stopped it).
#[derive(Debug, Clone, Default)]
pub struct TransferLimits {
    pub deadline: Option<std::time::Instant>,
    pub max_bytes: Option<u64>,
    pub too_big: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

fn callbacks_until(token: Option<&str>, limits: &TransferLimits) -> git2::RemoteCallbacks<'static> {
    let mut cb = git2::RemoteCallbacks::new();
    if limits.deadline.is_some() || limits.max_bytes.is_some() {
        let (deadline, max, too_big) = (limits.deadline, limits.max_bytes, limits.too_big.clone());
        cb.transfer_progress(move |p| {
            if max.is_some_and(|m| p.received_bytes() as u64 > m) {
                too_big.store(true, std::sync::atomic::Ordering::Relaxed);
                return false;
            }
            deadline.is_none_or(|d| std::time::Instant::now() < d)
        });
    }
    if let Some(t) = token {
        let t = t.to_string();
        let mut tries = 0;
        cb.credentials(move |_url, _user, allowed| {
            tries += 1;
            if tries > 2 || !allowed.contains(git2::CredentialType::USER_PASS_PLAINTEXT) {
                return Err(git2::Error::from_str("authentication failed"));
            }
            git2::Cred::userpass_plaintext("x-access-token", &t)
        });
    }
    cb
}

/// Split `URL@REF` / `owner/name@REF` (a branch, tag or commit): the `@`
/// must come after the last `/`, so `git@host:o/n` stays whole.
pub fn split_pin(s: &str) -> (&str, Option<&str>) {
    match s.rfind('@') {
        Some(i) if i > s.rfind('/').unwrap_or(0) && i + 1 < s.len() && s[..i].contains('/') => (&s[..i], Some(&s[i + 1..])),
        _ => (s, None),
    }
}

fn is_hex_commit(s: &str) -> bool {
    s.len() == 40 && s.chars().all(|c| c.is_ascii_hexdigit())
}

/// Network trouble is worth a retry; "not found" and refused credentials are not.
fn transient(e: &git2::Error) -> bool {
    matches!(e.class(), git2::ErrorClass::Net | git2::ErrorClass::Http | git2::ErrorClass::Ssl | git2::ErrorClass::Os)
        && !matches!(e.code(), git2::ErrorCode::NotFound | git2::ErrorCode::Auth | git2::ErrorCode::Certificate)
}

/// Run a git operation, retrying transient network errors with backoff (1 s, 2 s).
fn with_retries<T>(mut op: impl FnMut() -> Result<T, git2::Error>) -> Result<T, git2::Error> {
    let mut attempt = 0;
    loop {
        match op() {
            Err(e) if attempt < 2 && transient(&e) => {
                std::thread::sleep(std::time::Duration::from_secs(1 << attempt));
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// The commit the remote's HEAD (or the pinned branch/tag) points at, asked
/// without cloning (ls-remote); None for an empty repository or an unknown
/// ref. A pinned 40-hex commit is its own answer.
pub fn remote_head(url: &str, token: Option<&str>) -> Result<Option<String>, FetchError> {
    remote_ref(url, None, token)
}

/// `remote_ref`, giving up after `timeout`: libgit2 has no deadline for
/// ls-remote, so a server that accepts and never answers would hold the
/// worker forever. The abandoned request's thread ends when its socket does.
pub fn remote_ref_within(
    url: &str,
    pin: Option<&str>,
    token: Option<&str>,
    timeout: std::time::Duration,
) -> Result<Option<String>, FetchError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let (u, p, t) = (url.to_string(), pin.map(str::to_string), token.map(str::to_string));
    std::thread::Builder::new()
        .name("mine-ls-remote".into())
        .spawn(move || {
            let _ = tx.send(remote_ref(&u, p.as_deref(), t.as_deref()));
        })
        .map_err(|e| FetchError::Git(format!("cannot start a thread for '{}': {e}", redact_url(url))))?;
    rx.recv_timeout(timeout).unwrap_or_else(|_| {
        Err(FetchError::Git(format!("no answer from '{}' within {} s (--clone-timeout)", redact_url(url), timeout.as_secs())))
    })
}

pub fn remote_ref(url: &str, pin: Option<&str>, token: Option<&str>) -> Result<Option<String>, FetchError> {
    if let Some(p) = pin.filter(|p| is_hex_commit(p)) {
        return Ok(Some(p.to_ascii_lowercase()));
    }
    let heads = with_retries(|| {
        let mut remote = git2::Remote::create_detached(url)?;
        remote.connect_auth(git2::Direction::Fetch, Some(callbacks(token)), None)?;
        Ok(remote.list()?.iter().map(|h| (h.name().to_string(), h.oid())).collect::<Vec<_>>())
    })
    .map_err(|e| git_err(&format!("cannot reach '{}'", redact_url(url)), e))?;
    let wanted: Vec<String> = match pin {
        None => vec!["HEAD".into()],
        // An annotated tag's peeled entry names the commit.
        Some(p) => vec![format!("refs/tags/{p}^{{}}"), format!("refs/tags/{p}"), format!("refs/heads/{p}"), p.to_string()],
    };
    Ok(wanted.iter().find_map(|w| heads.iter().find(|(n, o)| n == w && !o.is_zero())).map(|(_, o)| o.to_string()))
}

/// Make sure `url` at `want` (its HEAD commit) is in the cache; clone anew
/// when the cached copy lacks it. The clone goes to a temporary folder first
/// and is renamed into place, so a crash never leaves half a cache entry.
pub fn ensure_clone(url: &str, cache: &Path, want: &str, token: Option<&str>) -> Result<Fetched, FetchError> {
    ensure_clone_at(url, None, cache, want, token, &TransferLimits::default())
}

/// As `ensure_clone`, for a pinned ref (`want` is the commit it names), with
/// limits on the transfer (a deadline, a size cap).
pub fn ensure_clone_at(
    url: &str,
    pin: Option<&str>,
    cache: &Path,
    want: &str,
    token: Option<&str>,
    limits: &TransferLimits,
) -> Result<Fetched, FetchError> {
    let dest = match pin {
        Some(p) => cache_path(cache, &format!("{url}@{p}")),
        None => cache_path(cache, url),
    };
    if dest.exists() {
        if let Ok(repo) = git2::Repository::open_bare(&dest) {
            let has = git2::Oid::from_str(want).ok().and_then(|o| repo.find_commit(o).ok()).is_some();
            if has {
                return Ok(Fetched { git_dir: dest, shallow: repo.is_shallow(), commit: want.to_string() });
            }
        }
        std::fs::remove_dir_all(&dest).map_err(|e| FetchError::Cache(dest.display().to_string(), e.to_string()))?;
    }
    std::fs::create_dir_all(cache).map_err(|e| FetchError::Cache(cache.display().to_string(), e.to_string()))?;
    static CLONES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = CLONES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dest.with_extension(format!("partial-{}-{n}", std::process::id()));
    if tmp.exists() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    let shallow = supports_shallow(url);
    let options = || {
        let mut fo = git2::FetchOptions::new();
        fo.remote_callbacks(callbacks_until(token, limits));
        if shallow {
            fo.depth(1);
        }
        fo.download_tags(git2::AutotagOption::None);
        fo
    };
    let result = with_retries(|| {
        if tmp.exists() {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        let mut builder = git2::build::RepoBuilder::new();
        builder.bare(true).fetch_options(options());
        let repo = builder.clone(url, &tmp)?;
        if pin.is_some() {
            // The pinned commit: fetched by itself (depth 1 where allowed).
            let mut remote = repo.find_remote("origin")?;
            let spec = format!("+{want}:refs/mine/pinned");
            let by_ref = pin
                .map(|p| format!("+refs/tags/{p}:refs/mine/pinned"))
                .into_iter()
                .chain(pin.map(|p| format!("+refs/heads/{p}:refs/mine/pinned")));
            let ok = remote.fetch(&[spec.as_str()], Some(&mut options()), None).is_ok()
                || by_ref.into_iter().any(|r| remote.fetch(&[r.as_str()], Some(&mut options()), None).is_ok());
            if !ok {
                let mut full = git2::FetchOptions::new();
                full.remote_callbacks(callbacks_until(token, limits));
                remote.fetch(&["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"], Some(&mut full), None)?;
            }
        }
        Ok(repo)
    });
    let repo = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            if limits.too_big.load(std::sync::atomic::Ordering::Relaxed) {
                let mb = limits.max_bytes.unwrap_or(0) / (1024 * 1024);
                return Err(git_err(
                    &format!("clone of '{}' stopped: the repository is larger than --max-clone-mb {mb}", redact_url(url)),
                    e,
                ));
            }
            let what = if limits.deadline.is_some_and(|d| std::time::Instant::now() >= d) { "timed out" } else { "failed" };
            return Err(git_err(&format!("clone of '{}' {what}", redact_url(url)), e));
        }
    };
    let head = match pin {
        Some(_) => {
            let oid = git2::Oid::from_str(want).map_err(|e| git_err("pinned commit", e))?;
            repo.find_commit(oid)
                .map_err(|e| git_err(&format!("'{}' has no commit {want}", redact_url(url)), e))?
                .id()
                .to_string()
        }
        None => repo
            .head()
            .and_then(|h| h.peel_to_commit())
            .map_err(|e| git_err(&format!("'{}' has no HEAD commit", redact_url(url)), e))?
            .id()
            .to_string(),
    };
    let is_shallow = repo.is_shallow();
    drop(repo);
    std::fs::rename(&tmp, &dest).map_err(|e| FetchError::Cache(dest.display().to_string(), e.to_string()))?;
    Ok(Fetched { git_dir: dest, shallow: is_shallow, commit: head })
}

/// The URL of the `origin` remote (or the first remote) of a local repository.
pub fn origin_url(repo: &git2::Repository) -> Option<String> {
    if let Ok(r) = repo.find_remote("origin") {
        if let Ok(u) = r.url() {
            return Some(u.to_string());
        }
    }
    let names = repo.remotes().ok()?;
    let first = names.iter().flatten().flatten().next()?.to_string();
    repo.find_remote(&first).ok()?.url().ok().map(str::to_string)
}

/// Text safe to store or print: credentials in any URL it quotes removed,
/// and the token itself, wherever it appears, replaced.
pub fn scrub(text: &str, token: Option<&str>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        out.push_str(&rest[..i + 3]);
        let after = &rest[i + 3..];
        let end = after.find(|c: char| c.is_whitespace() || c == '/' || c == '\'' || c == '"').unwrap_or(after.len());
        match after[..end].rfind('@') {
            Some(at) => out.push_str(&after[at + 1..end]),
            None => out.push_str(&after[..end]),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    match token.filter(|t| t.len() >= 4) {
        Some(t) => out.replace(t, "<redacted>"),
        None => out,
    }
}

/// A URL safe to store: any `user:password@` is removed.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((cred, host)) = rest.split_once('@') {
            if !cred.contains('/') {
                return format!("{scheme}://{host}");
            }
        }
    }
    url.to_string()
}

/// The file in a cached clone that records when it was last used.
const LAST_USED: &str = "modelmine-last-used";

/// Note that a cached clone was used now (for least-recently-used eviction).
pub fn touch(git_dir: &Path) {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let _ = std::fs::write(git_dir.join(LAST_USED), now.to_string());
}

fn dir_bytes(p: &Path) -> u64 {
    walkdir::WalkDir::new(p)
        .into_iter()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

/// Keep the clone cache under `max_bytes`: delete finished clones, least
/// recently used first, never `keep` (the clone just mined). Partial clones
/// (another worker's transfer) are left alone. Returns the clones deleted.
pub fn evict_lru(cache: &Path, max_bytes: u64, keep: &Path) -> usize {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let Ok(rd) = std::fs::read_dir(cache) else { return 0 };
    let mut entries: Vec<(u128, u64, PathBuf)> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !p.extension().and_then(|x| x.to_str()).is_some_and(|x| x.starts_with("partial-")))
        .map(|p| {
            let used = std::fs::read_to_string(p.join(LAST_USED)).ok().and_then(|t| t.trim().parse().ok()).unwrap_or(0);
            (used, dir_bytes(&p), p)
        })
        .collect();
    let mut total: u64 = entries.iter().map(|e| e.1).sum();
    entries.sort_by_key(|e| e.0);
    let mut deleted = 0;
    for (_, bytes, p) in entries {
        if total <= max_bytes {
            break;
        }
        if p == keep {
            continue;
        }
        if std::fs::remove_dir_all(&p).is_ok() {
            total = total.saturating_sub(bytes);
            deleted += 1;
        }
    }
    deleted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shallow_by_transport() {
        assert!(!supports_shallow("file:///x/y.git"));
        assert!(!supports_shallow("/x/y.git"));
        assert!(supports_shallow("https://github.com/a/b"));
        assert!(supports_shallow("git://127.0.0.1/x"));
        assert!(supports_shallow("git@github.com:a/b"));
    }

    #[test]
    fn scrub_removes_credentials_and_the_token() {
        let t = "cannot reach 'https://user:s3cret-tok@host/x.git': failed; retry https://h/y; token s3cret-tok seen";
        assert_eq!(
            scrub(t, Some("s3cret-tok")),
            "cannot reach 'https://host/x.git': failed; retry https://h/y; token <redacted> seen"
        );
        assert_eq!(scrub("git@github.com:a/b", None), "git@github.com:a/b");
    }

    #[test]
    fn cache_paths_differ_by_url() {
        let a = cache_path(Path::new("/c"), "https://github.com/a/b");
        let b = cache_path(Path::new("/c"), "https://github.com/a/b.git");
        assert_ne!(a, b);
        assert!(a.to_string_lossy().contains("github.com_a_b"));
    }

    #[test]
    fn pins() {
        assert_eq!(split_pin("acme/vision@v1.2"), ("acme/vision", Some("v1.2")));
        assert_eq!(split_pin("file:///x/y.git@abc"), ("file:///x/y.git", Some("abc")));
        assert_eq!(split_pin("git@github.com:o/n.git"), ("git@github.com:o/n.git", None));
        assert_eq!(split_pin("git@github.com:o/n.git@main"), ("git@github.com:o/n.git", Some("main")));
        assert_eq!(split_pin("https://user@host/o/n"), ("https://user@host/o/n", None));
        assert_eq!(split_pin("acme/vision"), ("acme/vision", None));
    }

    #[test]
    fn redacts_credentials() {
        assert_eq!(redact_url("https://x-access-token:abc@github.com/o/n"), "https://github.com/o/n");
        assert_eq!(redact_url("https://github.com/o/n"), "https://github.com/o/n");
    }
}
