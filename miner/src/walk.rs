//! Listing the files of a repository: the tree of a git commit (what git
//! tracks at HEAD, whatever `.gitignore` says) or a plain folder. Only Python
//! sources, notebooks and dependency manifests are candidates; symlinks,
//! submodules, files over the size limit, binary files and vendored folders
//! (virtual environments, site-packages, node_modules, __pycache__) are
//! recorded as skipped with the reason.

use analyzers::classify_path;
use schemas::{Artifact, FileKind, SkipReason, SkippedFile};
use std::path::{Path, PathBuf};

/// Folder names never mined.
pub const EXCLUDED_DIRS: &[&str] = &[
    "node_modules",
    "__pycache__",
    "site-packages",
    "dist-packages",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".ipynb_checkpoints",
    ".git",
];

/// A file to analyse.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub path: String,
    pub kind: FileKind,
    pub size: u64,
    pub handle: Handle,
}

#[derive(Debug, Clone)]
pub enum Handle {
    Blob(git2::Oid),
    Fs(PathBuf),
}

#[derive(Debug, Default)]
pub struct Listing {
    pub candidates: Vec<Candidate>,
    pub skipped: Vec<SkippedFile>,
    /// Model weights files (and Git LFS pointers to them).
    pub artifacts: Vec<Artifact>,
    /// Configuration files (JSON, YAML, TOML, INI) under the size limit:
    /// read only when the code reads a model name from one.
    pub configs: Vec<(String, Handle)>,
}

/// Extensions of model artefacts: weights, checkpoints, exported graphs,
/// serialized estimators.
pub const ARTIFACT_EXTS: &[&str] = &[
    ".pt",
    ".pth",
    ".bin",
    ".ckpt",
    ".safetensors",
    ".onnx",
    ".pkl",
    ".pickle",
    ".joblib",
    ".sav",
    ".h5",
    ".hdf5",
    ".keras",
    ".pb",
    ".tflite",
    ".lite",
    ".gguf",
    ".ggml",
    ".mlmodel",
    ".mlpackage",
    ".caffemodel",
    ".weights",
    ".pdparams",
    ".pdmodel",
    ".params",
    ".engine",
    ".trt",
    ".plan",
    ".mar",
    ".nemo",
    ".pmml",
    ".cbm",
    ".xgb",
    ".ubj",
    ".msgpack",
    ".npz",
    ".model",
    ".torchscript",
    ".ptl",
];

/// The artefact extension of a path, if it has one.
pub fn artifact_ext(path: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    ARTIFACT_EXTS.iter().find(|e| lower.ends_with(*e)).copied()
}

const LFS_HEADER: &[u8] = b"version https://git-lfs.github.com/spec/v1";

/// An artefact from its path, size and (for small files) its first bytes:
/// a Git LFS pointer announces the real size and means the weights are not here.
pub fn artifact(path: String, ext: &str, bytes: u64, head: Option<&[u8]>) -> Artifact {
    let pointer = head.filter(|h| h.starts_with(LFS_HEADER));
    let lfs_size = pointer.and_then(|h| {
        String::from_utf8_lossy(h).lines().find_map(|l| l.strip_prefix("size ").and_then(|n| n.trim().parse::<u64>().ok()))
    });
    Artifact { path, ext: ext.to_string(), bytes, lfs: pointer.is_some(), lfs_size, present: pointer.is_none() }
}

fn skip(path: String, reason: SkipReason, bytes: Option<u64>, detail: Option<String>) -> SkippedFile {
    SkippedFile { path, reason, bytes, detail }
}

/// Files of a git commit's tree.
pub fn list_git(repo: &git2::Repository, commit: git2::Oid, max_bytes: u64) -> Result<Listing, String> {
    let commit = repo.find_commit(commit).map_err(|e| format!("commit {commit}: {}", e.message()))?;
    let tree = commit.tree().map_err(|e| format!("tree of {}: {}", commit.id(), e.message()))?;
    let odb = repo.odb().map_err(|e| e.message().to_string())?;
    let mut out = Listing::default();
    tree.walk(git2::TreeWalkMode::PreOrder, |root, entry| {
        let Ok(name) = entry.name() else {
            out.skipped.push(skip(
                format!("{root}{}", String::from_utf8_lossy(entry.name_bytes())),
                SkipReason::Unreadable,
                None,
                Some("file name is not UTF-8".into()),
            ));
            return git2::TreeWalkResult::Skip;
        };
        let path = format!("{root}{name}");
        let mode = entry.filemode();
        match entry.kind() {
            Some(git2::ObjectType::Tree) => {
                let vendored = EXCLUDED_DIRS.contains(&name)
                    || repo.find_tree(entry.id()).ok().is_some_and(|t| t.get_name("pyvenv.cfg").is_some());
                if vendored {
                    out.skipped.push(skip(format!("{path}/"), SkipReason::ExcludedDir, None, Some(excluded_detail(name))));
                    return git2::TreeWalkResult::Skip;
                }
            }
            Some(git2::ObjectType::Commit) => {
                out.skipped.push(skip(path, SkipReason::Submodule, None, None));
            }
            Some(git2::ObjectType::Blob) => {
                if let Some(ext) = artifact_ext(&path) {
                    if mode != 0o120000 {
                        let size = odb.read_header(entry.id()).map(|(s, _)| s as u64).unwrap_or(0);
                        let head = if size < 1024 { repo.find_blob(entry.id()).ok().map(|b| b.content().to_vec()) } else { None };
                        out.artifacts.push(artifact(path.clone(), ext, size, head.as_deref()));
                    }
                }
                if analyzers::config::is_config_path(&path)
                    && mode != 0o120000
                    && classify_path(&path).is_none()
                    && odb.read_header(entry.id()).is_ok_and(|(size, _)| (size as u64) <= max_bytes)
                {
                    out.configs.push((path.clone(), Handle::Blob(entry.id())));
                }
                let Some(kind) = classify_path(&path) else { return git2::TreeWalkResult::Ok };
                if mode == 0o120000 {
                    out.skipped.push(skip(path, SkipReason::Symlink, None, None));
                    return git2::TreeWalkResult::Ok;
                }
                match odb.read_header(entry.id()) {
                    Ok((size, _)) => {
                        let size = size as u64;
                        if size > max_bytes {
                            out.skipped.push(skip(
                                path,
                                SkipReason::TooLarge,
                                Some(size),
                                Some(format!("over {max_bytes} bytes")),
                            ));
                        } else {
                            out.candidates.push(Candidate { path, kind, size, handle: Handle::Blob(entry.id()) });
                        }
                    }
                    Err(e) => out.skipped.push(skip(path, SkipReason::Unreadable, None, Some(e.message().to_string()))),
                }
            }
            _ => {}
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(|e| e.message().to_string())?;
    Ok(out)
}

fn excluded_detail(name: &str) -> String {
    if EXCLUDED_DIRS.contains(&name) {
        format!("'{name}' folders are not mined")
    } else {
        "virtual environment (pyvenv.cfg)".into()
    }
}

/// Files of a plain folder (no `.git`): every file except excluded folders.
pub fn list_dir(root: &Path, max_bytes: u64) -> Listing {
    let mut out = Listing::default();
    let mut it = walkdir::WalkDir::new(root).follow_links(false).sort_by_file_name().into_iter();
    loop {
        let entry = match it.next() {
            None => break,
            Some(Ok(e)) => e,
            Some(Err(e)) => {
                let path = e.path().map(|p| rel(root, p)).unwrap_or_default();
                let reason = e.io_error().map(|io| io.to_string()).unwrap_or_else(|| e.to_string());
                out.skipped.push(skip(path, SkipReason::Unreadable, None, Some(reason)));
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = rel(root, entry.path());
        let ft = entry.file_type();
        if ft.is_dir() {
            if EXCLUDED_DIRS.contains(&name.as_str()) || entry.path().join("pyvenv.cfg").is_file() {
                out.skipped.push(skip(format!("{path}/"), SkipReason::ExcludedDir, None, Some(excluded_detail(&name))));
                it.skip_current_dir();
            }
            continue;
        }
        if let Some(ext) = artifact_ext(&path) {
            if ft.is_file() {
                let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                let head = if size < 1024 { std::fs::read(entry.path()).ok() } else { None };
                out.artifacts.push(artifact(path.clone(), ext, size, head.as_deref()));
            }
        }
        if analyzers::config::is_config_path(&path)
            && ft.is_file()
            && classify_path(&path).is_none()
            && entry.metadata().is_ok_and(|m| m.len() <= max_bytes)
        {
            out.configs.push((path.clone(), Handle::Fs(entry.path().to_path_buf())));
        }
        let Some(kind) = classify_path(&path) else { continue };
        if entry.file_name().to_str().is_none() {
            out.skipped.push(skip(path, SkipReason::Unreadable, None, Some("file name is not UTF-8".into())));
            continue;
        }
        if ft.is_symlink() {
            out.skipped.push(skip(path, SkipReason::Symlink, None, None));
            continue;
        }
        if !ft.is_file() {
            // A FIFO, socket or device named like a source file: opening it could block or never end.
            if !ft.is_dir() {
                out.skipped.push(skip(
                    path,
                    SkipReason::Unreadable,
                    None,
                    Some("not a regular file (FIFO, socket or device)".into()),
                ));
            }
            continue;
        }
        match entry.metadata() {
            Ok(m) if m.len() > max_bytes => {
                out.skipped.push(skip(path, SkipReason::TooLarge, Some(m.len()), Some(format!("over {max_bytes} bytes"))))
            }
            Ok(m) => out.candidates.push(Candidate { path, kind, size: m.len(), handle: Handle::Fs(entry.path().to_path_buf()) }),
            Err(e) => out.skipped.push(skip(path, SkipReason::Unreadable, None, Some(e.to_string()))),
        }
    }
    out
}

fn rel(root: &Path, p: &Path) -> String {
    let r = p.strip_prefix(root).unwrap_or(p);
    r.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Read a candidate's bytes (for git blobs, with this thread's repository handle).
pub fn read(c: &Candidate, repo: Option<&git2::Repository>) -> Result<Vec<u8>, String> {
    read_handle(&c.handle, repo)
}

/// Read a file's bytes by its handle.
pub fn read_handle(h: &Handle, repo: Option<&git2::Repository>) -> Result<Vec<u8>, String> {
    match h {
        Handle::Fs(p) => std::fs::read(p).map_err(|e| e.to_string()),
        Handle::Blob(oid) => {
            let repo = repo.ok_or("git repository could not be opened")?;
            let blob = repo.find_blob(*oid).map_err(|e| e.message().to_string())?;
            Ok(blob.content().to_vec())
        }
    }
}

/// Binary files: a NUL byte in the first 8000 bytes (git's own test),
/// except UTF-16 text that says so with its byte-order mark.
pub fn is_binary(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        return false;
    }
    bytes[..bytes.len().min(8000)].contains(&0)
}
