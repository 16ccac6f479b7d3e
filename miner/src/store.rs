//! The SQLite store. One thread owns the connection; each repository is
//! written in one transaction, so a crash never leaves half a repository.

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use schemas::{SCHEMA_VERSION, SQLITE_DDL};
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database '{path}': {message}")]
    Refused { path: String, message: String },
    #[error("database '{path}' does not exist")]
    Missing { path: String },
    #[error("database '{path}': {}", explain(source))]
    Sql { path: String, source: rusqlite::Error },
}

/// How long a write waits for another process's lock (`--lock-timeout`).
static LOCK_TIMEOUT_MS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(30_000);

pub fn set_lock_timeout(d: std::time::Duration) {
    LOCK_TIMEOUT_MS.store(d.as_millis() as u64, std::sync::atomic::Ordering::Relaxed);
}

fn lock_timeout() -> std::time::Duration {
    std::time::Duration::from_millis(LOCK_TIMEOUT_MS.load(std::sync::atomic::Ordering::Relaxed))
}

/// SQLite's error, said for the person running the batch.
fn explain(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode as C;
    let code = match e {
        rusqlite::Error::SqliteFailure(f, _) => Some(f.code),
        _ => None,
    };
    match code {
        Some(C::DatabaseBusy | C::DatabaseLocked) => format!(
            "locked by another process (waited {} s; --lock-timeout waits longer); nothing was lost, run again when it is free",
            lock_timeout().as_secs()
        ),
        Some(C::DiskFull) => "the disk is full (or the file size limit was reached); every repository written before stays, and the next run resumes".into(),
        Some(C::SystemIoFailure) => "disk I/O error: the disk is full, a file size limit was reached, or the device failed; every repository written before stays, and the next run resumes".into(),
        Some(C::ReadOnly) => "cannot be written (read-only file or file system)".into(),
        Some(C::CannotOpen) => format!("cannot be opened or created ({e})"),
        _ => e.to_string(),
    }
}

impl StoreError {
    /// Errors that are the user's input, not a failure of the run.
    pub fn is_usage(&self) -> bool {
        matches!(self, StoreError::Refused { .. } | StoreError::Missing { .. })
    }
}

/// What is known of a repository already in the database.
#[derive(Debug, Clone)]
pub struct Known {
    pub status: String,
    pub commit: Option<String>,
    pub tool_version: Option<String>,
    pub catalog_version: Option<String>,
}

pub struct Store {
    conn: Connection,
    path: String,
}

fn sql(path: &str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |source| StoreError::Sql { path: path.to_string(), source }
}

/// Check an existing database's schema version without writing to it.
fn check_version(conn: &Connection, path: &str) -> Result<bool, StoreError> {
    let refused = |m: String| StoreError::Refused { path: path.to_string(), message: m };
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(|e| refused(format!("not a SQLite database ({e})")))?;
    if tables == 0 {
        return Ok(false);
    }
    let has_meta: bool = conn
        .query_row("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'", [], |r| r.get::<_, i64>(0))
        .map_err(sql(path))?
        > 0;
    if !has_meta {
        return Err(refused("not a modelmine database (no meta table)".into()));
    }
    let v: Option<String> =
        conn.query_row("SELECT value FROM meta WHERE key='schema_version'", [], |r| r.get(0)).optional().map_err(sql(path))?;
    match v.as_deref().map(str::parse::<i64>) {
        Some(Ok(v)) if v == SCHEMA_VERSION => Ok(true),
        Some(Ok(v)) => Err(refused(format!(
            "schema version {v}, this mine reads version {SCHEMA_VERSION}; use a new --db file or the mine that wrote it"
        ))),
        _ => Err(refused("meta table has no valid schema_version".into())),
    }
}

impl Store {
    /// Open (creating when absent) a database for writing.
    pub fn open_rw(path: &Path) -> Result<Store, StoreError> {
        let p = path.display().to_string();
        let conn = Connection::open(path).map_err(sql(&p))?;
        conn.busy_timeout(lock_timeout()).map_err(sql(&p))?;
        let initialised = check_version(&conn, &p)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(sql(&p))?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(sql(&p))?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(sql(&p))?;
        if !initialised {
            // One transaction: a process killed while creating the database
            // leaves it empty (created again next time), never half made.
            let tx = conn.unchecked_transaction().map_err(sql(&p))?;
            tx.execute_batch(SQLITE_DDL).map_err(sql(&p))?;
            tx.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?1)",
                params![SCHEMA_VERSION.to_string()],
            )
            .map_err(sql(&p))?;
            tx.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('created_by', ?1)",
                params![format!("mine {}", env!("CARGO_PKG_VERSION"))],
            )
            .map_err(sql(&p))?;
            tx.commit().map_err(sql(&p))?;
        }
        Ok(Store { conn, path: p })
    }

    /// Open an existing database for reading only.
    pub fn open_ro(path: &Path) -> Result<Store, StoreError> {
        let p = path.display().to_string();
        if !path.exists() {
            return Err(StoreError::Missing { path: p });
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(sql(&p))?;
        conn.busy_timeout(lock_timeout()).map_err(sql(&p))?;
        if !check_version(&conn, &p)? {
            return Err(StoreError::Refused { path: p, message: "empty database (nothing mined yet)".into() });
        }
        Ok(Store { conn, path: p })
    }

    /// Validate a database path before a run, without creating anything.
    pub fn preflight(path: &Path) -> Result<(), StoreError> {
        if path.exists() {
            let p = path.display().to_string();
            let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sql(&p))?;
            check_version(&conn, &p)?;
        } else if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !parent.is_dir() {
                return Err(StoreError::Refused {
                    path: path.display().to_string(),
                    message: format!("folder '{}' does not exist", parent.display()),
                });
            }
        }
        Ok(())
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        sql(&self.path)
    }

    /// Every repository already in the database, by location.
    pub fn known(&self) -> Result<HashMap<String, Known>, StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT location, status, commit_id, tool_version, catalog_version FROM repos")
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Known { status: r.get(1)?, commit: r.get(2)?, tool_version: r.get(3)?, catalog_version: r.get(4)? },
                ))
            })
            .map_err(self.err())?;
        let mut out = HashMap::new();
        for row in rows {
            let (k, v) = row.map_err(self.err())?;
            out.insert(k, v);
        }
        Ok(out)
    }

    pub fn begin_run(&self, tool: &str, catalog: &str, args: &[String]) -> Result<i64, StoreError> {
        let args = serde_json::to_string(args).unwrap_or_else(|_| "[]".into());
        self.conn
            .execute(
                "INSERT INTO runs(started_at, tool_version, catalog_version, args) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ','now'), ?1, ?2, ?3)",
                params![tool, catalog, args],
            )
            .map_err(self.err())?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn finish_run(&self, run: i64, ok: u64, failed: u64, skipped: u64) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE runs SET finished_at = strftime('%Y-%m-%dT%H:%M:%fZ','now'), repos_ok=?2, repos_failed=?3, repos_skipped=?4 WHERE id=?1",
                params![run, ok as i64, failed as i64, skipped as i64],
            )
            .map_err(self.err())?;
        Ok(())
    }

    /// Replace everything stored for one repository with a fresh mining, in
    /// one transaction.
    pub fn write_mined(&mut self, run: i64, m: &MinedRow<'_>) -> Result<(), StoreError> {
        let path = self.path.clone();
        let e = sql(&path);
        let tx = self.conn.transaction().map_err(&e)?;
        let a = m.analysed;
        let v = &a.verdict;
        let ml_libraries = serde_json::to_string(&v.ml_libraries).unwrap_or_else(|_| "[]".into());
        let ml_evidence = serde_json::to_string(&v.evidence).unwrap_or_else(|_| "{}".into());
        let py = a.files.iter().filter(|f| f.kind == schemas::FileKind::Python).count() as i64;
        let nb = a.files.iter().filter(|f| f.kind == schemas::FileKind::Notebook).count() as i64;
        let mf = a.files.iter().filter(|f| f.kind == schemas::FileKind::Manifest).count() as i64;
        let errs = a.files.iter().filter(|f| f.error.is_some()).count() as i64;
        let usages: i64 = a.files.iter().map(|f| f.usages.len() as i64).sum();
        let bytes: i64 = a.files.iter().map(|f| f.bytes as i64).sum();
        let repo_id: i64 = tx
            .query_row(
                "INSERT INTO repos(name, location, url, commit_id, commit_kind, dirty, shallow, status, reason, tool_version,
                    catalog_version, run_id, mined_at, py_files, ipynb_files, manifest_files, skipped_files, error_files,
                    usages, bytes, elapsed_ms, ml_enabled, ml_libraries, ml_evidence, transformers_version, artifacts, ml_core)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'ok', NULL, ?8, ?9, ?10, strftime('%Y-%m-%dT%H:%M:%fZ','now'),
                    ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)
                 ON CONFLICT(location) DO UPDATE SET name=excluded.name, url=excluded.url, commit_id=excluded.commit_id,
                    commit_kind=excluded.commit_kind, dirty=excluded.dirty, shallow=excluded.shallow, status='ok', reason=NULL,
                    tool_version=excluded.tool_version, catalog_version=excluded.catalog_version, run_id=excluded.run_id,
                    mined_at=excluded.mined_at, py_files=excluded.py_files, ipynb_files=excluded.ipynb_files,
                    manifest_files=excluded.manifest_files, skipped_files=excluded.skipped_files,
                    error_files=excluded.error_files, usages=excluded.usages, bytes=excluded.bytes,
                    elapsed_ms=excluded.elapsed_ms, ml_enabled=excluded.ml_enabled, ml_libraries=excluded.ml_libraries,
                    ml_evidence=excluded.ml_evidence, transformers_version=excluded.transformers_version,
                    artifacts=excluded.artifacts, ml_core=excluded.ml_core
                 RETURNING id",
                params![
                    m.name,
                    m.location,
                    m.url,
                    m.commit,
                    m.commit_kind,
                    m.dirty,
                    m.shallow,
                    m.tool_version,
                    m.catalog_version,
                    run,
                    py,
                    nb,
                    mf,
                    a.skipped.len() as i64,
                    errs,
                    usages,
                    bytes,
                    m.elapsed_ms as i64,
                    v.ml_enabled,
                    ml_libraries,
                    ml_evidence,
                    v.transformers_version,
                    a.artifacts.len() as i64,
                    v.ml_core
                ],
                |r| r.get(0),
            )
            .map_err(&e)?;
        if let Some(g) = m.meta {
            tx.execute(
                "UPDATE repos SET html_url=?2, stars=?3, forks=?4, language=?5, license=?6, topics=?7, default_branch=?8,
                    pushed_at=?9, created_at=?10, size_kb=?11, archived=?12, fork=?13 WHERE id=?1",
                params![
                    repo_id,
                    g.html_url,
                    g.stargazers_count as i64,
                    g.forks_count as i64,
                    g.language,
                    g.license.as_ref().and_then(|l| l.spdx_id.clone()),
                    serde_json::to_string(&g.topics).unwrap_or_else(|_| "[]".into()),
                    g.default_branch,
                    g.pushed_at,
                    g.created_at,
                    g.size as i64,
                    g.archived,
                    g.fork
                ],
            )
            .map_err(&e)?;
        }
        tx.execute(
            "UPDATE repos SET topology=?2, models=?3, distinct_models=?4 WHERE id=?1",
            params![repo_id, a.topology.class, a.topology.models as i64, a.topology.distinct_models as i64],
        )
        .map_err(&e)?;
        for table in ["usages", "files", "skipped", "artifacts", "dependencies", "edges"] {
            tx.execute(&format!("DELETE FROM {table} WHERE repo_id = ?1"), params![repo_id]).map_err(&e)?;
        }
        {
            let mut fst = tx
                .prepare(
                    "INSERT INTO files(repo_id, path, kind, bytes, syntax_errors, error, usages) VALUES (?1,?2,?3,?4,?5,?6,?7)",
                )
                .map_err(&e)?;
            let mut ust = tx
                .prepare(
                    "INSERT INTO usages(repo_id, path, line, cell, col, source, ecosystem, api, rule, model, model_id,
                        model_resolvable, revision, trust_remote_code, weights_only, download_only, snippet, confidence,
                        notes, artifact, task, revision_pinned, risks)
                     VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23)",
                )
                .map_err(&e)?;
            let mut dst = tx
                .prepare("INSERT OR REPLACE INTO dependencies(repo_id, manifest, name, spec) VALUES (?1,?2,?3,?4)")
                .map_err(&e)?;
            for f in &a.files {
                for d in &f.dependencies {
                    dst.execute(params![repo_id, f.path, d.name, d.spec]).map_err(&e)?;
                }
                fst.execute(params![
                    repo_id,
                    f.path,
                    f.kind.as_str(),
                    f.bytes as i64,
                    f.syntax_errors,
                    f.error,
                    f.usages.len() as i64
                ])
                .map_err(&e)?;
                for u in &f.usages {
                    let (line, cell) = match u.location {
                        schemas::Location::Line(l) => (l, None),
                        schemas::Location::Cell { cell, line } => (line, Some(cell)),
                    };
                    ust.execute(params![
                        repo_id,
                        f.path,
                        line,
                        cell,
                        u.column,
                        u.source.as_str(),
                        u.ecosystem,
                        u.api,
                        u.rule,
                        u.model,
                        u.model_id,
                        u.model_resolvable.as_str(),
                        u.revision,
                        u.trust_remote_code,
                        u.weights_only,
                        u.download_only,
                        u.snippet,
                        u.confidence.as_str(),
                        u.notes,
                        u.artifact,
                        u.task,
                        u.revision_pinned,
                        serde_json::to_string(&u.risks.iter().map(|r| r.as_str()).collect::<Vec<_>>())
                            .unwrap_or_else(|_| "[]".into())
                    ])
                    .map_err(&e)?;
                }
            }
            let mut sst = tx
                .prepare("INSERT OR REPLACE INTO skipped(repo_id, path, reason, bytes, detail) VALUES (?1,?2,?3,?4,?5)")
                .map_err(&e)?;
            for s in &a.skipped {
                sst.execute(params![repo_id, s.path, s.reason.as_str(), s.bytes.map(|b| b as i64), s.detail]).map_err(&e)?;
            }
            let mut est = tx
                .prepare(
                    "INSERT INTO edges(repo_id, kind, from_path, from_loc, from_model, to_path, to_loc, to_model, evidence)
                     VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
                )
                .map_err(&e)?;
            for x in &a.topology.edges {
                est.execute(params![
                    repo_id,
                    x.kind.as_str(),
                    x.from_path,
                    x.from.to_string(),
                    x.from_model,
                    x.to_path,
                    x.to.to_string(),
                    x.to_model,
                    x.evidence
                ])
                .map_err(&e)?;
            }
            let mut ast = tx
                .prepare(
                    "INSERT OR REPLACE INTO artifacts(repo_id, path, ext, bytes, lfs, lfs_size, present) VALUES (?1,?2,?3,?4,?5,?6,?7)",
                )
                .map_err(&e)?;
            for x in &a.artifacts {
                ast.execute(params![repo_id, x.path, x.ext, x.bytes as i64, x.lfs, x.lfs_size.map(|b| b as i64), x.present])
                    .map_err(&e)?;
            }
        }
        tx.commit().map_err(&e)?;
        Ok(())
    }

    /// Record an attempt that mined nothing (`failed` or `skipped`). What an
    /// earlier run mined for the repository (its commit, files and usages) is
    /// kept; the status and reason say what the last attempt came to.
    pub fn write_status(
        &mut self,
        run: i64,
        status: &str,
        name: &str,
        location: &str,
        url: Option<&str>,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO repos(name, location, url, status, reason, run_id, mined_at)
                 VALUES (?1, ?2, ?3, ?6, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%fZ','now'))
                 ON CONFLICT(location) DO UPDATE SET status=excluded.status, reason=excluded.reason, run_id=excluded.run_id",
                params![name, location, url, reason, run, status],
            )
            .map_err(self.err())?;
        Ok(())
    }
}

/// One mined repository, as written.
pub struct MinedRow<'a> {
    pub name: &'a str,
    pub location: &'a str,
    pub url: Option<&'a str>,
    pub commit: &'a str,
    pub commit_kind: &'a str,
    pub dirty: Option<bool>,
    pub shallow: Option<bool>,
    pub tool_version: &'a str,
    pub catalog_version: &'a str,
    pub analysed: &'a crate::pipeline::Analysed,
    pub elapsed_ms: u64,
    pub meta: Option<&'a crate::github::GhRepo>,
}
