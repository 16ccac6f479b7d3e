//! The batch: for each repository (in parallel) fetch, walk and analyse its
//! files (in parallel), then hand the result to the one writer thread that
//! owns the database connection.

use crate::error::MineError;
use crate::fetch;
use crate::progress::Progress;
use crate::source::{forge_name, last_component_name, RepoSpec};
use crate::store::{Known, MinedRow, Store};
use crate::summary::Summary;
use crate::walk::{self, Candidate, Listing};
use analyzers::link::Verdict;
use analyzers::Catalog;
use rayon::prelude::*;
use schemas::{Artifact, FileReport, SkipReason, SkippedFile};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Everything a run needs.
pub struct Settings {
    pub db: PathBuf,
    pub cache: PathBuf,
    pub jobs: usize,
    pub max_file_bytes: u64,
    pub force: bool,
    pub quiet: bool,
    pub catalog: Arc<Catalog>,
    /// The command line, as recorded in the `runs` table (secrets redacted).
    pub args: Vec<String>,
    /// Credentials for https clones; never stored or printed.
    pub token: Option<String>,
    /// Keep cloned repositories in the cache after mining (else deleted).
    pub keep_clones: bool,
    /// A clone still transferring after this long is abandoned.
    pub clone_timeout: std::time::Duration,
    /// The branch, tag or commit mined for URLs and GitHub repositories that name none.
    pub default_ref: Option<String>,
    /// With keep_clones: the clone cache's size cap (least recently used clones evicted).
    pub cache_max_bytes: Option<u64>,
    /// A clone transferring more than this is abandoned and recorded as failed.
    pub max_clone_bytes: Option<u64>,
    /// Skip parsing files the byte prefilter rules out.
    pub prefilter: bool,
}

pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What happened to one repository.
pub enum Outcome {
    Mined(Box<Mined>),
    Failed {
        name: String,
        location: String,
        url: Option<String>,
        reason: String,
    },
    /// Already mined at this commit with this tool and catalog (resume).
    Resumed {
        name: String,
    },
    /// Listed but not mined, with the reason (an empty repository).
    Skipped {
        name: String,
        location: String,
        url: Option<String>,
        reason: String,
    },
}

/// What processing one repository came to.
enum Step {
    Mined(Box<Mined>),
    Resumed,
    Skipped(String),
}

pub struct Mined {
    pub name: String,
    pub location: String,
    pub url: Option<String>,
    pub commit: String,
    pub commit_kind: &'static str,
    pub dirty: Option<bool>,
    pub shallow: Option<bool>,
    pub analysed: Analysed,
    pub elapsed_ms: u64,
    /// What the GitHub API said of the repository, when it came from there.
    pub meta: Option<crate::github::GhRepo>,
}

/// The files of one repository, analysed and linked.
pub struct Analysed {
    pub topology: analyzers::topology::RepoTopology,
    pub files: Vec<FileReport>,
    pub skipped: Vec<SkippedFile>,
    pub artifacts: Vec<Artifact>,
    pub verdict: Verdict,
}

struct Ctx<'a> {
    settings: &'a Settings,
    known: &'a HashMap<String, Known>,
    progress: &'a Progress,
}

impl Ctx<'_> {
    fn already_mined(&self, location: &str, commit: &str) -> bool {
        !self.settings.force
            && self.known.get(location).is_some_and(|k| {
                k.status == "ok"
                    && k.commit.as_deref() == Some(commit)
                    && k.tool_version.as_deref() == Some(TOOL_VERSION)
                    && k.catalog_version.as_deref() == Some(self.settings.catalog.version())
            })
    }
}

/// Mine every repository; returns the run's summary.
pub fn run(specs: Vec<RepoSpec>, settings: &Settings) -> Result<Summary, MineError> {
    let mut seen = std::collections::HashSet::new();
    let specs: Vec<RepoSpec> = specs.into_iter().filter(|s| seen.insert(s.location())).collect();
    let store = Store::open_rw(&settings.db)?;
    let known = store.known()?;
    let run_id = store.begin_run(TOOL_VERSION, settings.catalog.version(), &settings.args)?;
    let progress = Progress::new(specs.len() as u64, settings.quiet);
    let started = Instant::now();
    let (tx, rx) = std::sync::mpsc::sync_channel::<Outcome>(settings.jobs * 2);
    let db_name = settings.db.display().to_string();
    let catalog_version = settings.catalog.version().to_string();
    let writer = std::thread::Builder::new()
        .name("mine-store".into())
        .spawn(move || writer_loop(store, rx, run_id, &catalog_version, db_name))
        .map_err(|e| MineError::Io(format!("cannot start the writer thread: {e}")))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.jobs)
        .thread_name(|i| format!("mine-worker-{i}"))
        .build()
        .map_err(|e| MineError::Io(format!("cannot start {} worker threads: {e}", settings.jobs)))?;
    let ctx = Ctx { settings, known: &known, progress: &progress };
    pool.install(|| {
        specs.par_iter().for_each_with(tx, |tx, spec| {
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| process(spec, &ctx))).unwrap_or_else(|p| {
                let loc = spec.location();
                Outcome::Failed {
                    name: last_component_name(&loc),
                    location: loc,
                    url: None,
                    reason: fetch::scrub(&format!("internal error: {}", panic_message(&p)), ctx.settings.token.as_deref()),
                }
            });
            ctx.progress.repo_done();
            // The writer only stops early when the database fails; the run
            // then ends with that error.
            let _ = tx.send(outcome);
        });
    });
    let mut summary = writer.join().map_err(|_| MineError::Io("the writer thread panicked".into()))??;
    progress.finish();
    summary.elapsed = started.elapsed();
    summary.db = settings.db.display().to_string();
    summary.run_id = run_id;
    Ok(summary)
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

fn writer_loop(
    mut store: Store,
    rx: std::sync::mpsc::Receiver<Outcome>,
    run_id: i64,
    catalog_version: &str,
    _db: String,
) -> Result<Summary, MineError> {
    let mut summary = Summary::default();
    for outcome in rx {
        match outcome {
            Outcome::Mined(m) => {
                store.write_mined(
                    run_id,
                    &MinedRow {
                        name: &m.name,
                        location: &m.location,
                        url: m.url.as_deref(),
                        commit: &m.commit,
                        commit_kind: m.commit_kind,
                        dirty: m.dirty,
                        shallow: m.shallow,
                        tool_version: TOOL_VERSION,
                        catalog_version,
                        analysed: &m.analysed,
                        meta: m.meta.as_ref(),
                        elapsed_ms: m.elapsed_ms,
                    },
                )?;
                summary.add_mined(&m.analysed);
            }
            Outcome::Failed { name, location, url, reason } => {
                store.write_status(run_id, "failed", &name, &location, url.as_deref(), &reason)?;
                summary.failures.push((name, reason));
            }
            Outcome::Resumed { .. } => summary.resumed += 1,
            Outcome::Skipped { name, location, url, reason } => {
                store.write_status(run_id, "skipped", &name, &location, url.as_deref(), &reason)?;
                summary.skipped.push((name, reason));
            }
        }
    }
    store.finish_run(run_id, summary.ok, summary.failures.len() as u64, summary.resumed + summary.skipped.len() as u64)?;
    Ok(summary)
}

fn process(spec: &RepoSpec, ctx: &Ctx<'_>) -> Outcome {
    let t0 = Instant::now();
    let result = match spec {
        RepoSpec::Local(path) => process_local(path, ctx),
        RepoSpec::Remote(url) => process_remote(url, None, ctx),
        RepoSpec::GitHub(r) => {
            let url = match &r.pin {
                Some(p) => format!("{}@{p}", r.clone_url),
                None => r.clone_url.clone(),
            };
            process_remote(&url, Some(r), ctx)
        }
        RepoSpec::Filtered { reason, .. } => Ok(Step::Skipped(reason.clone())),
        RepoSpec::GitHubName(n) => Err(format!("'{n}' was not looked up on GitHub")),
        RepoSpec::Unavailable { reason, .. } => Err(reason.clone()),
    };
    let url = match spec {
        RepoSpec::Remote(u) => Some(fetch::redact_url(u)),
        RepoSpec::GitHub(r) => Some(fetch::redact_url(&r.clone_url)),
        RepoSpec::Local(_) | RepoSpec::GitHubName(_) | RepoSpec::Filtered { .. } | RepoSpec::Unavailable { .. } => None,
    };
    let location = fetch::redact_url(&spec.location());
    match result {
        Ok(Step::Mined(mut m)) => {
            m.elapsed_ms = t0.elapsed().as_millis() as u64;
            Outcome::Mined(m)
        }
        Ok(Step::Resumed) => Outcome::Resumed { name: spec_name(spec) },
        Ok(Step::Skipped(reason)) => Outcome::Skipped { name: spec_name(spec), location, url, reason },
        Err(reason) => {
            Outcome::Failed { name: spec_name(spec), location, url, reason: fetch::scrub(&reason, ctx.settings.token.as_deref()) }
        }
    }
}

fn spec_name(spec: &RepoSpec) -> String {
    match spec {
        RepoSpec::GitHub(r) => r.full_name.clone(),
        RepoSpec::GitHubName(n) => n.clone(),
        RepoSpec::Filtered { name, .. } | RepoSpec::Unavailable { name, .. } => name.clone(),
        RepoSpec::Remote(u) => {
            let u = fetch::split_pin(u).0;
            forge_name(u).unwrap_or_else(|| last_component_name(u))
        }
        RepoSpec::Local(p) => {
            let local_name = last_component_name(&p.display().to_string());
            // A plain folder is never opened as a repository: starting libgit2
            // loads the system's certificates (~70 ms) for nothing.
            if !p.join(".git").exists() {
                return local_name;
            }
            git2::Repository::open_ext(p, git2::RepositoryOpenFlags::NO_SEARCH, std::iter::empty::<&std::ffi::OsStr>())
                .ok()
                .and_then(|r| fetch::origin_url(&r))
                .and_then(|u| forge_name(&u))
                .unwrap_or(local_name)
        }
    }
}

fn process_local(path: &Path, ctx: &Ctx<'_>) -> Result<Step, String> {
    let location = path.display().to_string();
    let name = spec_name(&RepoSpec::Local(path.to_path_buf()));
    if path.join(".git").exists() {
        let repo = git2::Repository::open_ext(path, git2::RepositoryOpenFlags::NO_SEARCH, std::iter::empty::<&std::ffi::OsStr>())
            .map_err(|e| format!("not a readable git repository: {}", e.message()))?;
        let head = match repo.head() {
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch || e.code() == git2::ErrorCode::NotFound => {
                return Ok(Step::Skipped("empty repository: HEAD has no commit".into()));
            }
            other => other.and_then(|h| h.peel_to_commit()).map_err(|e| format!("HEAD has no commit: {}", e.message()))?.id(),
        };
        let commit = head.to_string();
        if ctx.already_mined(&location, &commit) {
            return Ok(Step::Resumed);
        }
        let url = fetch::origin_url(&repo).map(|u| fetch::redact_url(&u));
        let dirty = is_dirty(&repo);
        let listing = walk::list_git(&repo, head, ctx.settings.max_file_bytes)?;
        let git_dir = repo.path().to_path_buf();
        drop(repo);
        let analysed = analyze_listing(listing, Some(&git_dir), ctx, None);
        Ok(Step::Mined(Box::new(Mined {
            name,
            location,
            url,
            commit,
            commit_kind: "git",
            dirty,
            shallow: Some(false),
            analysed,
            meta: None,
            elapsed_ms: 0,
        })))
    } else {
        let listing = walk::list_dir(path, ctx.settings.max_file_bytes);
        // One read of each file gives both its hash and its byte scan.
        let first = first_pass(&listing.candidates, None, ctx, true);
        let commit = content_hash(&listing.candidates, &first);
        if ctx.already_mined(&location, &commit) {
            return Ok(Step::Resumed);
        }
        let analysed = analyze_listing(listing, None, ctx, Some(first));
        Ok(Step::Mined(Box::new(Mined {
            name,
            location,
            url: None,
            commit,
            commit_kind: "content-hash",
            dirty: None,
            shallow: None,
            analysed,
            meta: None,
            elapsed_ms: 0,
        })))
    }
}

fn process_remote(spec_url: &str, meta: Option<&crate::github::GhRepo>, ctx: &Ctx<'_>) -> Result<Step, String> {
    let location = fetch::redact_url(spec_url);
    let (url, pin) = fetch::split_pin(spec_url);
    let pin = pin.or(ctx.settings.default_ref.as_deref());
    let name = match meta {
        Some(m) => m.full_name.clone(),
        None => forge_name(url).unwrap_or_else(|| last_component_name(url)),
    };
    let token = ctx.settings.token.as_deref();
    let Some(head) = fetch::remote_ref_within(url, pin, token, ctx.settings.clone_timeout).map_err(|e| e.to_string())? else {
        return Ok(match pin {
            Some(p) => return Err(format!("'{url}' has no branch, tag or commit '{p}'")),
            None => Step::Skipped("empty repository: the remote has no HEAD commit".into()),
        });
    };
    if ctx.already_mined(&location, &head) {
        return Ok(Step::Resumed);
    }
    let limits = fetch::TransferLimits {
        deadline: Some(std::time::Instant::now() + ctx.settings.clone_timeout),
        max_bytes: ctx.settings.max_clone_bytes,
        ..Default::default()
    };
    let fetched = fetch::ensure_clone_at(url, pin, &ctx.settings.cache, &head, token, &limits).map_err(|e| e.to_string())?;
    let repo = git2::Repository::open_bare(&fetched.git_dir).map_err(|e| format!("cached clone unreadable: {}", e.message()))?;
    let oid = git2::Oid::from_str(&fetched.commit).map_err(|e| e.message().to_string())?;
    let listing = walk::list_git(&repo, oid, ctx.settings.max_file_bytes)?;
    drop(repo);
    let analysed = analyze_listing(listing, Some(&fetched.git_dir), ctx, None);
    if !ctx.settings.keep_clones {
        // Disk stays bounded over thousands of repositories.
        let _ = std::fs::remove_dir_all(&fetched.git_dir);
    } else if let Some(max) = ctx.settings.cache_max_bytes {
        fetch::touch(&fetched.git_dir);
        fetch::evict_lru(&ctx.settings.cache, max, &fetched.git_dir);
    }
    Ok(Step::Mined(Box::new(Mined {
        name,
        location: location.clone(),
        url: Some(fetch::redact_url(url)),
        commit: fetched.commit,
        commit_kind: "git",
        dirty: None,
        shallow: Some(fetched.shallow),
        analysed,
        meta: meta.cloned(),
        elapsed_ms: 0,
    })))
}

/// Tracked files that differ from HEAD (untracked files do not count).
fn is_dirty(repo: &git2::Repository) -> Option<bool> {
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(false).include_ignored(false).exclude_submodules(true);
    let st = repo.statuses(Some(&mut opts)).ok()?;
    Some(st.iter().any(|e| e.status() != git2::Status::CURRENT))
}

/// A 40-hex content hash of a plain folder's mined files, standing in for a
/// commit: each file's path and SHA-256 (`first_pass` with digests).
fn content_hash(cands: &[Candidate], first: &[FirstPass]) -> String {
    let mut parts: Vec<(&str, &[u8])> =
        cands.iter().zip(first).map(|(c, f)| (c.path.as_str(), f.digest.as_deref().unwrap_or_default())).collect();
    parts.sort();
    let mut h = Sha256::new();
    for (p, d) in parts {
        h.update(p.as_bytes());
        h.update([0]);
        h.update(d);
    }
    h.finalize().iter().take(20).map(|b| format!("{b:02x}")).collect()
}

/// The repository whose objects a listing's files are read from, one per
/// worker; None for a plain folder.
fn open_repo(git_dir: Option<&Path>) -> Option<git2::Repository> {
    git_dir.and_then(|d| git2::Repository::open_bare(d).or_else(|_| git2::Repository::open(d)).ok())
}

/// What one read of a file gives before any parse.
struct FirstPass {
    scan: analyzers::link::ByteScan,
    /// Its SHA-256 (or why it is unreadable), for a plain folder's content hash.
    digest: Option<Vec<u8>>,
}

/// A cheap pass over the bytes (reading is ~170x cheaper than parsing):
/// which modules each file imports, so that the analysis knows the
/// repository's own modules and takes each module after those it imports,
/// and whether its code holds a rule's words; with `digests`, each file's
/// SHA-256 from the same read.
fn first_pass(candidates: &[Candidate], git_dir: Option<&Path>, ctx: &Ctx<'_>, digests: bool) -> Vec<FirstPass> {
    let catalog = &ctx.settings.catalog;
    let open_repo = || open_repo(git_dir);
    candidates
        .par_iter()
        .map_init(open_repo, |repo, c| {
            let manifest = c.kind == schemas::FileKind::Manifest;
            if manifest && !digests {
                return FirstPass { scan: Default::default(), digest: None };
            }
            let bytes = walk::read(c, repo.as_ref());
            let digest = digests.then(|| match &bytes {
                Ok(b) => Sha256::digest(b).to_vec(),
                Err(e) => format!("unreadable: {e}").into_bytes(),
            });
            let scan = match bytes {
                _ if manifest => Default::default(),
                Ok(b) if !walk::is_binary(&b) => analyzers::link::ByteScan::of(&c.path, c.kind, b, catalog),
                // Unreadable or binary: first, where the analysis reports it.
                _ => analyzers::link::ByteScan { imports: Vec::new(), words: true },
            };
            FirstPass { scan, digest }
        })
        .collect()
}

enum FileResult {
    Report(Box<analyzers::FileFacts>),
    Skip(SkippedFile),
}

/// Analyse a listing's files; `scanned`, the `first_pass` over them when the
/// caller made it already.
fn analyze_listing(listing: Listing, git_dir: Option<&Path>, ctx: &Ctx<'_>, scanned: Option<Vec<FirstPass>>) -> Analysed {
    let Listing { candidates, mut skipped, mut artifacts, configs } = listing;
    ctx.progress.add_files(candidates.len() as u64);
    let catalog = &ctx.settings.catalog;
    let open_repo = || open_repo(git_dir);
    let prefilter = ctx.settings.prefilter;
    let scanned = scanned.unwrap_or_else(|| first_pass(&candidates, git_dir, ctx, false));
    let scans: Vec<(String, analyzers::link::ByteScan)> =
        candidates.iter().zip(scanned).map(|(c, f)| (c.path.clone(), f.scan)).collect();
    let graph = analyzers::link::import_graph(&scans);
    let mut repo_ctx = analyzers::link::RepoContext::build(&scans, &graph);
    repo_ctx.prefilter = prefilter;
    repo_ctx.lazy_topology = true;
    // A file whose code holds a rule's words is the only kind that can load
    // a model, and so offer one to other modules. Those go first (with the
    // manifests): a file whose code can reach what the files done before it
    // offer (`topology::SharedDemand`) is traced at once instead of parsed again.
    // Within each, a module after the modules it imports, so that what they
    // offer is known when it is traced (`link::analysis_order`).
    let order = analyzers::link::analysis_order(&scans, &graph);
    let (first, rest): (Vec<usize>, Vec<usize>) =
        order.into_iter().partition(|&i| candidates[i].kind == schemas::FileKind::Manifest || scans[i].1.words);
    drop(scans);
    let analyse = |repo_ctx: &analyzers::link::RepoContext, which: &[usize]| -> Vec<(usize, FileResult)> {
        // Taken one at a time in `which`'s order (`par_iter` would start
        // the second half at once).
        which
            .iter()
            .par_bridge()
            .map_init(open_repo, |repo, &i| {
                let c = &candidates[i];
                let r = match walk::read(c, repo.as_ref()) {
                    Err(e) => FileResult::Skip(SkippedFile {
                        path: c.path.clone(),
                        reason: SkipReason::Unreadable,
                        bytes: Some(c.size),
                        detail: Some(e),
                    }),
                    Ok(bytes) if walk::is_binary(&bytes) => FileResult::Skip(SkippedFile {
                        path: c.path.clone(),
                        reason: SkipReason::Binary,
                        bytes: Some(c.size),
                        detail: None,
                    }),
                    Ok(bytes) => {
                        let facts = analyze_one(c, &bytes, catalog, repo_ctx);
                        if let Some(d) = &repo_ctx.demand {
                            d.add(&facts);
                        }
                        FileResult::Report(Box::new(facts))
                    }
                };
                ctx.progress.file_done();
                (i, r)
            })
            .collect()
    };
    let mut slots: Vec<Option<FileResult>> = candidates.iter().map(|_| None).collect();
    let demand = analyzers::topology::Demand::with_roots(repo_ctx.roots.clone());
    repo_ctx.demand = Some(std::sync::Arc::new(analyzers::topology::SharedDemand::new(demand)));
    for which in [&first, &rest] {
        for (i, r) in analyse(&repo_ctx, which) {
            slots[i] = Some(r);
        }
    }
    // The final demand is built again from every file, in path order.
    repo_ctx.demand = None;
    let results: Vec<FileResult> = slots.into_iter().flatten().collect();
    let mut facts = Vec::with_capacity(results.len());
    let mut candidate_of = Vec::with_capacity(results.len());
    for (c, r) in candidates.iter().zip(results) {
        match r {
            FileResult::Report(f) => {
                facts.push(*f);
                candidate_of.push(c);
            }
            FileResult::Skip(s) => skipped.push(s),
        }
    }
    // Files that load nothing were not traced; the ones whose code can reach
    // a model-bearing name of another module are, now that those are known.
    let wanted = analyzers::topology::deferred_wanted(&facts);
    if !wanted.is_empty() {
        let mut full_ctx = repo_ctx.clone();
        full_ctx.lazy_topology = false;
        full_ctx.demand = None;
        let again: Vec<(usize, analyzers::FileFacts)> = wanted
            .par_iter()
            .map_init(open_repo, |repo, &i| {
                let c = candidate_of[i];
                let bytes = walk::read(c, repo.as_ref()).ok()?;
                Some((i, analyze_one(c, &bytes, catalog, &full_ctx)))
            })
            .flatten()
            .collect();
        for (i, f) in again {
            facts[i] = f;
        }
    }
    facts.sort_by(|a, b| a.report.path.cmp(&b.report.path));
    // Configuration files are read only when the code reads a model name from one.
    let known: Vec<String> = configs.iter().map(|(p, _)| p.clone()).collect();
    let wanted = analyzers::link::config_paths_wanted(&facts, &known);
    let mut parsed = analyzers::link::Configs::new();
    if !wanted.is_empty() {
        let repo = open_repo();
        for (path, handle) in configs.iter().filter(|(p, _)| wanted.contains(p)) {
            if let Some(doc) = walk::read_handle(handle, repo.as_ref()).ok().and_then(|b| analyzers::config::parse(path, &b)) {
                parsed.insert(path.clone(), doc);
            }
        }
    }
    analyzers::link::link_cross_file(&mut facts, catalog, &parsed);
    let topology = analyzers::topology::repository(&facts);
    let mut files: Vec<FileReport> = facts.into_iter().map(|f| f.report).collect();
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    let verdict = analyzers::link::link_repo(&mut files, &artifacts, catalog);
    Analysed { topology, files, skipped, artifacts, verdict }
}

/// Analyse one file; a panic in the analyzer becomes the file's error.
fn analyze_one(c: &Candidate, bytes: &[u8], catalog: &Catalog, repo: &analyzers::link::RepoContext) -> analyzers::FileFacts {
    std::panic::catch_unwind(AssertUnwindSafe(|| analyzers::analyze_repo_file(&c.path, c.kind, bytes, catalog, repo)))
        .unwrap_or_else(|p| analyzers::FileFacts {
            report: FileReport {
                path: c.path.clone(),
                kind: c.kind,
                bytes: bytes.len() as u64,
                syntax_errors: false,
                error: Some(format!("analyzer failed: {}", panic_message(&p))),
                usages: Vec::new(),
                dependencies: Vec::new(),
                imports: Vec::new(),
            },
            ..Default::default()
        })
}
