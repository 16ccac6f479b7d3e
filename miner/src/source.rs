//! Where repositories come from: `--path DIR` and `--list FILE`.

use crate::error::MineError;
use std::path::{Path, PathBuf};

/// One repository to mine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoSpec {
    /// A local folder, taken as the repository root itself.
    Local(PathBuf),
    /// A git URL to clone.
    Remote(String),
    /// `owner/name` on GitHub, looked up through the API before mining.
    GitHubName(String),
    /// A GitHub repository the API described.
    GitHub(Box<crate::github::GhRepo>),
    /// Listed but left out by a filter before anything was cloned.
    Filtered { name: String, location: String, reason: String },
    /// Listed but unavailable (the API answered 404 or 451): recorded as failed.
    Unavailable { name: String, location: String, reason: String },
}

impl RepoSpec {
    /// The stable key of the repository in the database.
    pub fn location(&self) -> String {
        match self {
            RepoSpec::Local(p) => p.display().to_string(),
            RepoSpec::Remote(u) => u.clone(),
            RepoSpec::GitHubName(n) => format!("https://github.com/{n}.git"),
            RepoSpec::GitHub(r) => match &r.pin {
                Some(p) => format!("{}@{p}", crate::fetch::redact_url(&r.clone_url)),
                None => crate::fetch::redact_url(&r.clone_url),
            },
            RepoSpec::Filtered { location, .. } | RepoSpec::Unavailable { location, .. } => location.clone(),
        }
    }
}

/// Schemes libgit2 can clone from (https needs git2's `https` feature).
const URL_SCHEMES: &[&str] = &["file://", "http://", "https://", "git://", "ssh://", "git+ssh://", "ssh+git://"];

/// Does the text look like a git URL (including scp-like `git@host:owner/repo`)?
pub fn is_git_url(s: &str) -> bool {
    if URL_SCHEMES.iter().any(|p| s.starts_with(p)) {
        return true;
    }
    // scp-like syntax: user@host:path, with no slash before the colon.
    if let Some((left, right)) = s.split_once(':') {
        if let Some((user, host)) = left.split_once('@') {
            return !user.is_empty() && !host.is_empty() && !left.contains('/') && !right.is_empty();
        }
    }
    false
}

fn looks_like_unknown_url(s: &str) -> bool {
    s.split_once("://")
        .is_some_and(|(scheme, _)| !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || c == '+'))
}

/// Validate a `--path` argument: it must be an existing directory.
pub fn local_dir(arg: &str, what: &str) -> Result<PathBuf, MineError> {
    let p = Path::new(arg);
    let meta = std::fs::metadata(p).map_err(|e| MineError::usage(format!("{what} '{arg}': {}", io_reason(&e))))?;
    if !meta.is_dir() {
        return Err(MineError::usage(format!("{what} '{arg}': not a directory")));
    }
    std::fs::canonicalize(p).map_err(|e| MineError::usage(format!("{what} '{arg}': {}", io_reason(&e))))
}

pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "does not exist".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Read a list file: one entry a line, a local path (relative paths are
/// relative to the list file's folder) or a git URL; `#` starts a comment.
pub fn read_list(file: &str) -> Result<Vec<RepoSpec>, MineError> {
    let bytes = std::fs::read(file).map_err(|e| MineError::usage(format!("list file '{file}': {}", io_reason(&e))))?;
    let text = String::from_utf8(bytes).map_err(|_| MineError::usage(format!("list file '{file}': not UTF-8 text")))?;
    let base = Path::new(file).parent().map(Path::to_path_buf).unwrap_or_default();
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = match raw.find('#') {
            // A '#' starts a comment unless it is part of a URL fragment-free path.
            Some(idx) if idx == 0 || raw[..idx].ends_with(char::is_whitespace) => &raw[..idx],
            _ => raw,
        }
        .trim();
        if line.is_empty() {
            continue;
        }
        let at = format!("{file}:{}", i + 1);
        if is_git_url(line) {
            out.push(RepoSpec::Remote(line.to_string()));
        } else if is_github_name(crate::fetch::split_pin(line).0) && !base.join(line).is_dir() {
            out.push(RepoSpec::GitHubName(line.to_string()));
        } else if looks_like_unknown_url(line) {
            return Err(MineError::usage(format!("{at}: '{line}' is not a git URL libgit2 can clone (file, http(s), git, ssh)")));
        } else {
            let p = if Path::new(line).is_absolute() { PathBuf::from(line) } else { base.join(line) };
            match std::fs::metadata(&p) {
                Ok(m) if m.is_dir() => {
                    let c =
                        std::fs::canonicalize(&p).map_err(|e| MineError::usage(format!("{at}: '{line}': {}", io_reason(&e))))?;
                    out.push(RepoSpec::Local(c));
                }
                Ok(_) => return Err(MineError::usage(format!("{at}: '{line}' is a file, not a repository folder or git URL"))),
                Err(_) => return Err(MineError::usage(format!("{at}: '{line}' is neither an existing folder nor a git URL"))),
            }
        }
    }
    Ok(out)
}

/// `owner/name` as GitHub spells repositories.
pub fn is_github_name(s: &str) -> bool {
    let ok = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    matches!(s.split_once('/'), Some((o, n)) if ok(o) && ok(n) && !n.contains('/') && o != "." && o != "..")
}

/// Hosts whose URLs name repositories as owner/name.
const FORGES: &[&str] = &["github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "huggingface.co"];

/// `owner/name` for a forge URL, else None.
pub fn forge_name(url: &str) -> Option<String> {
    // `scheme://[user@]host[:port]/path` or scp-like `user@host:path`.
    let (host, path) = if let Some((_, rest)) = url.split_once("://") {
        let rest = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => return None,
        };
        (rest.0.rsplit_once('@').map(|(_, h)| h).unwrap_or(rest.0), rest.1)
    } else {
        let (_, rest) = url.split_once('@')?;
        rest.split_once(':')?
    };
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    if !FORGES.contains(&host) {
        return None;
    }
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if parts.len() < 2 {
        return None;
    }
    Some(format!("{}/{}", parts[0], parts[1]))
}

/// The last path component without `.git`.
pub fn last_component_name(s: &str) -> String {
    let t = s.trim_end_matches('/');
    let last = t.rsplit(['/', ':', '\\']).next().unwrap_or(t);
    let last = last.strip_suffix(".git").unwrap_or(last);
    if last.is_empty() {
        t.to_string()
    } else {
        last.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(is_git_url("https://github.com/a/b"));
        assert!(is_git_url("file:///x/y.git"));
        assert!(is_git_url("git@github.com:owner/name.git"));
        assert!(!is_git_url("some/local/path"));
        assert!(!is_git_url("C:/x"));
        assert!(looks_like_unknown_url("ftp://x/y"));
    }

    #[test]
    fn names() {
        assert_eq!(forge_name("https://github.com/Owner/Name.git").as_deref(), Some("Owner/Name"));
        assert_eq!(forge_name("git@github.com:owner/name.git").as_deref(), Some("owner/name"));
        assert_eq!(forge_name("https://user:pw@github.com/o/n").as_deref(), Some("o/n"));
        assert_eq!(forge_name("ssh://git@gitlab.com:22/o/n").as_deref(), Some("o/n"));
        assert_eq!(forge_name("file:///x/y/vision-batch.git"), None);
        assert_eq!(last_component_name("/x/y/vision-batch.git"), "vision-batch");
        assert_eq!(last_component_name("file:///x/y/vision-batch.git/"), "vision-batch");
    }
}
