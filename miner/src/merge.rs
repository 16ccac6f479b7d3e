//! `mine merge --db OUT IN...`: combine shard databases into one.
//!
//! Each input is checked (it exists, is not the output, carries this schema
//! version) before anything is written, then attached and copied in one
//! transaction. A repository (by location) already in the output stays when
//! it is the same mining (same commit, same time) or a better one (mined
//! beats skipped beats failed, then the newer mining wins); otherwise the
//! input's replaces it with every row that hangs off it. Runs are copied once
//! (by start time and command line); hub label store models once (the newer
//! import wins). Merging the same inputs again changes nothing.

use crate::error::MineError;
use crate::store::Store;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Default)]
pub struct MergeReport {
    pub inputs: usize,
    pub added: u64,
    pub replaced: u64,
    pub kept: u64,
    pub runs: u64,
    pub hub_models: u64,
}

impl MergeReport {
    pub fn render(&self, out: &Path) -> String {
        format!(
            "merged {} databases into {}: {} repositories added, {} replaced by a better or newer mining, {} already there; {} runs and {} hub label store models copied\n",
            self.inputs,
            out.display(),
            self.added,
            self.replaced,
            self.kept,
            self.runs,
            self.hub_models
        )
    }
}

fn sql(e: rusqlite::Error) -> MineError {
    MineError::Io(format!("merging: {e}"))
}

/// The columns of a table, in order.
fn columns(c: &Connection, schema: &str, table: &str) -> Result<Vec<String>, MineError> {
    let mut st = c.prepare(&format!("PRAGMA {schema}.table_info({table})")).map_err(sql)?;
    let v = st.query_map([], |r| r.get::<_, String>(1)).map_err(sql)?.collect::<Result<Vec<_>, _>>().map_err(sql)?;
    Ok(v)
}

fn quoted(cols: &[String]) -> String {
    cols.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ")
}

fn status_rank(s: &str) -> u8 {
    match s {
        "ok" => 2,
        "skipped" => 1,
        _ => 0,
    }
}

pub fn merge(out: &Path, inputs: &[PathBuf]) -> Result<MergeReport, MineError> {
    if inputs.is_empty() {
        return Err(MineError::usage("mine merge: give the shard databases to merge (mine merge --db OUT.sqlite IN.sqlite...)"));
    }
    let out_abs = std::fs::canonicalize(out).ok();
    for i in inputs {
        if !i.is_file() {
            return Err(MineError::usage(format!("'{}': no such database", i.display())));
        }
        if out_abs.is_some() && std::fs::canonicalize(i).ok() == out_abs {
            return Err(MineError::usage(format!("'{}' is the output database: merge it into another --db", i.display())));
        }
        // Refuses another schema version or a file that is no database, writing nothing.
        drop(Store::open_ro(i)?);
    }
    let mut store = Store::open_rw(out)?;
    let conn = store.conn_mut();
    let mut report = MergeReport { inputs: inputs.len(), ..Default::default() };
    for i in inputs {
        conn.execute("ATTACH DATABASE ?1 AS src", [i.display().to_string()]).map_err(sql)?;
        let result = (|| {
            let tx = conn.transaction().map_err(sql)?;
            merge_one(&tx, &mut report)?;
            tx.commit().map_err(sql)
        })();
        conn.execute("DETACH DATABASE src", []).map_err(sql)?;
        result.map_err(|e| MineError::Io(format!("'{}': {e}", i.display())))?;
    }
    Ok(report)
}

fn merge_one(tx: &Transaction<'_>, report: &mut MergeReport) -> Result<(), MineError> {
    // Runs, once each.
    let run_cols = columns(tx, "src", "runs")?;
    let rest: Vec<String> = run_cols.iter().filter(|c| *c != "id").cloned().collect();
    let mut run_map: HashMap<i64, i64> = HashMap::new();
    {
        let mut st = tx.prepare("SELECT id, started_at, args, tool_version FROM src.runs ORDER BY id").map_err(sql)?;
        let rows: Vec<(i64, String, String, String)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .map_err(sql)?
            .collect::<Result<_, _>>()
            .map_err(sql)?;
        for (id, started, args, tool) in rows {
            let existing: Option<i64> = tx
                .query_row(
                    "SELECT id FROM main.runs WHERE started_at = ?1 AND args = ?2 AND tool_version = ?3",
                    params![started, args, tool],
                    |r| r.get(0),
                )
                .optional()
                .map_err(sql)?;
            let new = match existing {
                Some(e) => e,
                None => {
                    tx.execute(
                        &format!("INSERT INTO main.runs ({0}) SELECT {0} FROM src.runs WHERE id = ?1", quoted(&rest)),
                        [id],
                    )
                    .map_err(sql)?;
                    report.runs += 1;
                    tx.last_insert_rowid()
                }
            };
            run_map.insert(id, new);
        }
    }
    // Repositories and everything that hangs off them.
    let repo_cols: Vec<String> = columns(tx, "src", "repos")?.into_iter().filter(|c| c != "id").collect();
    // Column lists of the tables under a repository, read once.
    let mut child_cols: Vec<(&str, String)> = Vec::new();
    for table in ["files", "skipped", "artifacts", "dependencies", "edges"] {
        child_cols.push((table, quoted(&columns(tx, "src", table)?.into_iter().filter(|c| c != "repo_id").collect::<Vec<_>>())));
    }
    let usage_cols =
        quoted(&columns(tx, "src", "usages")?.into_iter().filter(|c| c != "id" && c != "repo_id").collect::<Vec<_>>());
    let mut by_usage_cols: Vec<(&str, String)> = Vec::new();
    for table in ["links", "recommendations"] {
        by_usage_cols.push((
            table,
            quoted(&columns(tx, "src", table)?.into_iter().filter(|c| c != "usage_id" && c != "repo_id").collect::<Vec<_>>()),
        ));
    }
    type SrcRepo = (i64, String, String, Option<String>, Option<String>, Option<i64>);
    let repos: Vec<SrcRepo> = {
        let mut st =
            tx.prepare("SELECT id, location, status, commit_id, mined_at, run_id FROM src.repos ORDER BY id").map_err(sql)?;
        let v = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .map_err(sql)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql)?;
        v
    };
    for (old, location, status, commit, mined_at, run_id) in repos {
        let here: Option<(i64, String, Option<String>, Option<String>)> = tx
            .query_row("SELECT id, status, commit_id, mined_at FROM main.repos WHERE location = ?1", [&location], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()
            .map_err(sql)?;
        if let Some((id, st, c, m)) = &here {
            let same = *st == status && *c == commit && *m == mined_at;
            let better = (status_rank(&status), mined_at.as_deref()) > (status_rank(st), m.as_deref());
            if same || !better {
                report.kept += 1;
                continue;
            }
            tx.execute("DELETE FROM main.repos WHERE id = ?1", [id]).map_err(sql)?;
            report.replaced += 1;
        } else {
            report.added += 1;
        }
        tx.execute(&format!("INSERT INTO main.repos ({0}) SELECT {0} FROM src.repos WHERE id = ?1", quoted(&repo_cols)), [old])
            .map_err(sql)?;
        let new = tx.last_insert_rowid();
        tx.execute(
            "UPDATE main.repos SET run_id = ?2 WHERE id = ?1",
            params![new, run_id.and_then(|r| run_map.get(&r).copied())],
        )
        .map_err(sql)?;
        for (table, cols) in &child_cols {
            tx.execute(
                &format!("INSERT INTO main.{table} (repo_id, {cols}) SELECT ?1, {cols} FROM src.{table} WHERE repo_id = ?2"),
                params![new, old],
            )
            .map_err(sql)?;
        }
        // Usages keep their order; their ids move by one offset, and so do the links and recommendations naming them.
        let min: Option<i64> =
            tx.query_row("SELECT MIN(id) FROM src.usages WHERE repo_id = ?1", [old], |r| r.get(0)).map_err(sql)?;
        if let Some(min) = min {
            let base: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) FROM main.usages", [], |r| r.get(0)).map_err(sql)?;
            let offset = base + 1 - min;
            tx.execute(
                &format!(
                    "INSERT INTO main.usages (id, repo_id, {usage_cols}) SELECT id + ?1, ?2, {usage_cols} FROM src.usages WHERE repo_id = ?3"
                ),
                params![offset, new, old],
            )
            .map_err(sql)?;
            for (table, cols) in &by_usage_cols {
                tx.execute(
                    &format!(
                        "INSERT INTO main.{table} (usage_id, repo_id, {cols}) SELECT usage_id + ?1, ?2, {cols} FROM src.{table} WHERE repo_id = ?3"
                    ),
                    params![offset, new, old],
                )
                .map_err(sql)?;
            }
        }
    }
    // The hub label store's imported models, once (the newer import wins).
    let hm_cols = columns(tx, "src", "hub_models")?;
    let hl_cols = columns(tx, "src", "hub_model_labels")?;
    let models: Vec<(String, String)> = {
        let mut st = tx.prepare("SELECT id, imported_at FROM src.hub_models ORDER BY id").map_err(sql)?;
        let v = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(sql)?.collect::<Result<Vec<_>, _>>().map_err(sql)?;
        v
    };
    for (id, at) in models {
        let here: Option<String> =
            tx.query_row("SELECT imported_at FROM main.hub_models WHERE id = ?1", [&id], |r| r.get(0)).optional().map_err(sql)?;
        if here.as_deref().is_some_and(|h| h >= at.as_str()) {
            continue;
        }
        tx.execute("DELETE FROM main.hub_models WHERE id = ?1", [&id]).map_err(sql)?;
        tx.execute(
            &format!("INSERT INTO main.hub_models ({0}) SELECT {0} FROM src.hub_models WHERE id = ?1", quoted(&hm_cols)),
            [&id],
        )
        .map_err(sql)?;
        tx.execute(
            &format!(
                "INSERT INTO main.hub_model_labels ({0}) SELECT {0} FROM src.hub_model_labels WHERE model_id = ?1",
                quoted(&hl_cols)
            ),
            [&id],
        )
        .map_err(sql)?;
        report.hub_models += 1;
    }
    Ok(())
}
