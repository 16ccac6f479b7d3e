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
    let mut cb = git2::RemoteCallbacks::new();
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

/// The commit the remote's HEAD points at, asked without cloning
/// (ls-remote); None for an empty repository.
pub fn remote_head(url: &str, token: Option<&str>) -> Result<Option<String>, FetchError> {
    let mut remote = git2::Remote::create_detached(url).map_err(|e| git_err(&format!("'{url}'"), e))?;
    remote
        .connect_auth(git2::Direction::Fetch, Some(callbacks(token)), None)
        .map_err(|e| git_err(&format!("cannot reach '{url}'"), e))?;
    let heads = remote.list().map_err(|e| git_err(&format!("cannot list '{url}'"), e))?;
    Ok(heads.iter().find(|h| h.name() == "HEAD" && !h.oid().is_zero()).map(|h| h.oid().to_string()))
}

/// Make sure `url` at `want` (its HEAD commit) is in the cache; clone anew
/// when the cached copy lacks it. The clone goes to a temporary folder first
/// and is renamed into place, so a crash never leaves half a cache entry.
pub fn ensure_clone(url: &str, cache: &Path, want: &str, token: Option<&str>) -> Result<Fetched, FetchError> {
    let dest = cache_path(cache, url);
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
    let tmp = dest.with_extension(format!("partial-{}", std::process::id()));
    if tmp.exists() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    let mut fo = git2::FetchOptions::new();
    fo.remote_callbacks(callbacks(token));
    let shallow = supports_shallow(url);
    if shallow {
        fo.depth(1);
    }
    fo.download_tags(git2::AutotagOption::None);
    let mut builder = git2::build::RepoBuilder::new();
    builder.bare(true).fetch_options(fo);
    let result = builder.clone(url, &tmp);
    let repo = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(git_err(&format!("clone of '{url}' failed"), e));
        }
    };
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|e| git_err(&format!("'{url}' has no HEAD commit"), e))?
        .id()
        .to_string();
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
    fn cache_paths_differ_by_url() {
        let a = cache_path(Path::new("/c"), "https://github.com/a/b");
        let b = cache_path(Path::new("/c"), "https://github.com/a/b.git");
        assert_ne!(a, b);
        assert!(a.to_string_lossy().contains("github.com_a_b"));
    }

    #[test]
    fn redacts_credentials() {
        assert_eq!(redact_url("https://x-access-token:abc@github.com/o/n"), "https://github.com/o/n");
        assert_eq!(redact_url("https://github.com/o/n"), "https://github.com/o/n");
    }
}
