//! `mine export`: tables of the database as JSONL or CSV, with the field
//! names of GROUND_TRUTH_FORMAT.md for usages.

use crate::error::MineError;
use crate::store::Store;
use rusqlite::types::ValueRef;
use serde_json::{Map, Value};
use std::io::Write;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Table {
    Usages,
    Repos,
    Skipped,
    Files,
    Runs,
    Artifacts,
    Dependencies,
    Topology,
    Edges,
    /// Findings and alternatives per usage (`mine recommend`).
    Recommendations,
    /// Each usage's hub label store model and inherited labels.
    Links,
    /// Models imported or synced into this database's store (the import format).
    HubModels,
}

const USAGES: &str = "SELECT r.name AS repo, r.commit_id AS \"commit\", u.path, u.line, u.cell, u.col AS \"column\", u.source,
    u.ecosystem, u.api, u.rule, u.model, u.model_id, u.model_resolvable, u.revision, u.trust_remote_code, u.weights_only,
    u.download_only, u.revision_pinned, u.risks, u.confidence, u.task, u.notes, u.artifact, u.snippet
  FROM usages u JOIN repos r ON r.id = u.repo_id WHERE (?1 IS NULL OR r.name = ?1 OR r.location = ?1)
  ORDER BY r.name, r.location, u.path, u.cell, u.line, u.col";
const REPOS: &str = "SELECT name AS repo, location, url, commit_id AS \"commit\", commit_kind, dirty, shallow, status, reason,
    tool_version, catalog_version, mined_at, py_files, ipynb_files, manifest_files, skipped_files, error_files, usages,
    bytes, elapsed_ms, ml_enabled, ml_core, ml_libraries, ml_evidence, transformers_version, artifacts, html_url, stars,
    forks, language, license, topics, default_branch, pushed_at, created_at, size_kb, archived, fork
  FROM repos WHERE (?1 IS NULL OR name = ?1 OR location = ?1) ORDER BY name, location";
const SKIPPED: &str = "SELECT r.name AS repo, r.commit_id AS \"commit\", s.path, s.reason, s.bytes, s.detail
  FROM skipped s JOIN repos r ON r.id = s.repo_id WHERE (?1 IS NULL OR r.name = ?1 OR r.location = ?1)
  ORDER BY r.name, r.location, s.path";
const FILES: &str =
    "SELECT r.name AS repo, r.commit_id AS \"commit\", f.path, f.kind, f.bytes, f.syntax_errors, f.error, f.usages
  FROM files f JOIN repos r ON r.id = f.repo_id WHERE (?1 IS NULL OR r.name = ?1 OR r.location = ?1)
  ORDER BY r.name, r.location, f.path";

const ARTIFACTS: &str = "SELECT r.name AS repo, r.commit_id AS \"commit\", a.path, a.ext, a.bytes, a.lfs, a.lfs_size, a.present
  FROM artifacts a JOIN repos r ON r.id = a.repo_id WHERE (?1 IS NULL OR r.name = ?1 OR r.location = ?1)
  ORDER BY r.name, r.location, a.path";
const DEPENDENCIES: &str = "SELECT r.name AS repo, r.commit_id AS \"commit\", d.manifest, d.name, d.spec
  FROM dependencies d JOIN repos r ON r.id = d.repo_id WHERE (?1 IS NULL OR r.name = ?1 OR r.location = ?1)
  ORDER BY r.name, r.location, d.manifest, d.name";
const TOPOLOGY: &str = "SELECT name AS repo, commit_id AS \"commit\", topology AS class, models, distinct_models,
    (SELECT json_group_array(json_object('kind', kind, 'from', json_object('path', from_path, 'line', from_loc, 'model', from_model),
        'to', json_object('path', to_path, 'line', to_loc, 'model', to_model), 'evidence', evidence))
       FROM (SELECT * FROM edges e WHERE e.repo_id = repos.id ORDER BY kind, from_path, from_loc, to_path, to_loc)) AS edges
  FROM repos WHERE status = 'ok' AND (?1 IS NULL OR name = ?1 OR location = ?1) ORDER BY name, location";
const EDGES: &str =
    "SELECT r.name AS repo, r.commit_id AS \"commit\", e.kind, e.from_path, e.from_loc AS from_line, e.from_model,
    e.to_path, e.to_loc AS to_line, e.to_model, e.evidence
  FROM edges e JOIN repos r ON r.id = e.repo_id WHERE (?1 IS NULL OR r.name = ?1 OR r.location = ?1)
  ORDER BY r.name, r.location, e.kind, e.from_path, e.from_loc, e.to_path, e.to_loc";
const RECOMMENDATIONS: &str = "SELECT r.name AS repo, r.commit_id AS \"commit\", u.path, u.line, u.cell, u.model_id,
    l.hub_model IS NOT NULL AS linked, l.hub_model, COALESCE(l.labels, '[]') AS labels, rc.findings, rc.alternatives
  FROM recommendations rc JOIN usages u ON u.id = rc.usage_id JOIN repos r ON r.id = rc.repo_id
  LEFT JOIN links l ON l.usage_id = u.id WHERE (?1 IS NULL OR r.name = ?1 OR r.location = ?1)
  ORDER BY r.name, r.location, u.path, u.cell, u.line, u.col";
const LINKS: &str = "SELECT r.name AS repo, r.commit_id AS \"commit\", u.path, u.line, u.cell, u.ecosystem, u.model_id,
    l.hub_model, l.how, l.labels
  FROM links l JOIN usages u ON u.id = l.usage_id JOIN repos r ON r.id = l.repo_id WHERE (?1 IS NULL OR r.name = ?1 OR r.location = ?1)
  ORDER BY r.name, r.location, u.path, u.cell, u.line, u.col";
const HUB_MODELS: &str = "SELECT id, ecosystem, aliases, task, library, license, params, downloads, likes, gated, safetensors,
    custom_code, base_model, deprecation_date, successor,
    (SELECT json_group_array(json_object('label', label, 'weight', weight))
       FROM (SELECT * FROM hub_model_labels ml WHERE ml.model_id = hub_models.id ORDER BY label)) AS labels, origin
  FROM hub_models WHERE (?1 IS NULL OR ?1 = ?1) ORDER BY id";
const RUNS: &str = "SELECT id AS run, started_at, finished_at, tool_version, catalog_version, args, repos_ok, repos_failed,
    repos_skipped FROM runs WHERE (?1 IS NULL OR ?1 = ?1) ORDER BY id";

/// Columns stored as 0/1 that export as booleans.
const BOOLS: &[&str] = &[
    "dirty",
    "shallow",
    "trust_remote_code",
    "weights_only",
    "download_only",
    "syntax_errors",
    "ml_enabled",
    "ml_core",
    "lfs",
    "present",
    "linked",
    "revision_pinned",
    "archived",
    "fork",
    "gated",
    "safetensors",
    "custom_code",
];
/// Columns stored as JSON text that export as JSON values.
const JSON_TEXT: &[&str] =
    &["args", "ml_libraries", "ml_evidence", "risks", "topics", "edges", "labels", "findings", "alternatives", "aliases"];

fn to_json(v: ValueRef<'_>, col: &str) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) if BOOLS.contains(&col) => Value::Bool(i != 0),
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => Value::from(f),
        ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::from(String::from_utf8_lossy(b).into_owned()),
    }
}

/// Read the rows of a table, each an ordered map of field names to values.
pub fn rows(store: &Store, table: Table, repo: Option<&str>) -> Result<Vec<Map<String, Value>>, MineError> {
    let q = match table {
        Table::Usages => USAGES,
        Table::Repos => REPOS,
        Table::Skipped => SKIPPED,
        Table::Files => FILES,
        Table::Runs => RUNS,
        Table::Artifacts => ARTIFACTS,
        Table::Dependencies => DEPENDENCIES,
        Table::Topology => TOPOLOGY,
        Table::Edges => EDGES,
        Table::Recommendations => RECOMMENDATIONS,
        Table::Links => LINKS,
        Table::HubModels => HUB_MODELS,
    };
    let db_err = |e: rusqlite::Error| MineError::Io(format!("reading the database: {e}"));
    let mut st = store.conn().prepare(q).map_err(db_err)?;
    let cols: Vec<String> = st.column_names().map(|c| c.to_string()).collect();
    let mut out = Vec::new();
    let mut rs = st.query([repo]).map_err(db_err)?;
    while let Some(r) = rs.next().map_err(db_err)? {
        let mut m = Map::new();
        for (i, c) in cols.iter().enumerate() {
            m.insert(c.clone(), to_json(r.get_ref(i).map_err(db_err)?, c));
        }
        for c in JSON_TEXT {
            if let Some(Value::String(a)) = m.get(*c) {
                let parsed = serde_json::from_str::<Value>(a).unwrap_or(Value::Null);
                m.insert(c.to_string(), parsed);
            }
        }
        // Unknown values are left out where the format says a field may be absent.
        if matches!(table, Table::Recommendations | Table::Links | Table::HubModels) {
            m.retain(|k, v| !v.is_null() || k == "model_id" && table == Table::Recommendations);
        }
        if table == Table::Usages {
            // Notebook locations export as `cell:I:L`; the cell column folds into line.
            let cell = m.shift_remove("cell").unwrap_or(Value::Null);
            if let (Some(c), Some(l)) = (cell.as_i64(), m.get("line").and_then(Value::as_i64)) {
                m.insert("line".into(), Value::from(format!("cell:{c}:{l}")));
            }
        }
        out.push(m);
    }
    Ok(out)
}

fn csv_cell(v: &Value) -> String {
    // Arrays and objects (ml_libraries, args) stay JSON inside the cell.
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Write a table to `out` (a file, or stdout when None). Returns the row count.
pub fn export(db: &Path, format: Format, table: Table, repo: Option<&str>, out: Option<&Path>) -> Result<usize, MineError> {
    let store = Store::open_ro(db)?;
    if let Some(r) = repo {
        let n: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM repos WHERE name = ?1 OR location = ?1", [r], |x| x.get(0))
            .map_err(|e| MineError::Io(format!("reading the database: {e}")))?;
        if n == 0 {
            return Err(MineError::usage(format!("--repo '{r}': no such repository in '{}'", db.display())));
        }
    }
    let rows = rows(&store, table, repo)?;
    let mut sink: Box<dyn Write> = match out {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).map_err(|e| MineError::usage(format!("--output '{}': {e}", p.display())))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let io = |e: std::io::Error| MineError::Io(format!("writing the export: {e}"));
    match format {
        Format::Jsonl => {
            for r in &rows {
                serde_json::to_writer(&mut sink, r).map_err(|e| MineError::Io(e.to_string()))?;
                sink.write_all(b"\n").map_err(io)?;
            }
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(sink);
            let header: Vec<String> = match rows.first() {
                Some(r) => r.keys().cloned().collect(),
                None => header_of(&store, table)?,
            };
            w.write_record(&header).map_err(|e| MineError::Io(e.to_string()))?;
            for r in &rows {
                w.write_record(header.iter().map(|h| csv_cell(r.get(h).unwrap_or(&Value::Null))))
                    .map_err(|e| MineError::Io(e.to_string()))?;
            }
            w.flush().map_err(io)?;
            return Ok(rows.len());
        }
    }
    sink.flush().map_err(io)?;
    Ok(rows.len())
}

fn header_of(store: &Store, table: Table) -> Result<Vec<String>, MineError> {
    let q = match table {
        Table::Usages => USAGES,
        Table::Repos => REPOS,
        Table::Skipped => SKIPPED,
        Table::Files => FILES,
        Table::Runs => RUNS,
        Table::Artifacts => ARTIFACTS,
        Table::Dependencies => DEPENDENCIES,
        Table::Topology => TOPOLOGY,
        Table::Edges => EDGES,
        Table::Recommendations => RECOMMENDATIONS,
        Table::Links => LINKS,
        Table::HubModels => HUB_MODELS,
    };
    let st = store.conn().prepare(q).map_err(|e| MineError::Io(e.to_string()))?;
    Ok(st.column_names().filter(|c| *c != "cell").map(|c| c.to_string()).collect())
}
