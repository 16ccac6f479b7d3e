//! Importing models into a database's store (JSONL or CSV, the format of
//! `schemas/json/hub-model.schema.json`), and reading them back over the seed.
//!
//! CSV columns: `id, ecosystem, aliases, task, library, license, params,
//! downloads, likes, gated, safetensors, custom_code, base_model,
//! deprecation_date, successor, labels`; lists are `;`-separated and a
//! label's weight follows `=` (`dataset:imagenet-1k=0.81;language:en`).
//! Only `id` is required; `ecosystem` defaults to the id's prefix.

use super::dag::KINDS;
use super::{parse_count, HubModel, LabelStore, ModelLabel};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

/// Check one model; the error names what is wrong.
pub fn validate(m: &mut HubModel) -> Result<(), String> {
    let Some((eco, rest)) = m.id.split_once(':') else {
        return Err(format!("id '{}' is not ecosystem:name", m.id));
    };
    if eco.is_empty() || rest.is_empty() || eco.contains(char::is_whitespace) {
        return Err(format!("id '{}' is not ecosystem:name", m.id));
    }
    if m.ecosystem.is_empty() {
        m.ecosystem = eco.to_string();
    } else if !m.ecosystem.eq_ignore_ascii_case(eco) {
        return Err(format!("id '{}' does not start with its ecosystem '{}'", m.id, m.ecosystem));
    }
    for a in &m.aliases {
        if !a.contains(':') {
            return Err(format!("alias '{a}' is not ecosystem:name"));
        }
    }
    for l in &m.labels {
        let Some((kind, value)) = l.label.split_once(':') else {
            return Err(format!("label '{}' is not kind:value", l.label));
        };
        if !KINDS.contains(&kind) || value.is_empty() {
            return Err(format!("label '{}': kind must be one of {}", l.label, KINDS.join(", ")));
        }
        if let Some(w) = l.weight {
            if !(0.0..=1.0).contains(&w) || !w.is_finite() {
                return Err(format!("label '{}': weight {w} is not between 0 and 1", l.label));
            }
        }
    }
    if let Some(t) = &m.task {
        let label = format!("task:{t}");
        if !m.labels.iter().any(|l| l.label == label) {
            m.labels.push(ModelLabel { label, weight: None });
        }
    }
    Ok(())
}

fn opt(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn bool_field(v: Option<&str>, col: &str) -> Result<Option<bool>, String> {
    match v.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") => Ok(None),
        Some("true" | "1" | "yes") => Ok(Some(true)),
        Some("false" | "0" | "no") => Ok(Some(false)),
        Some(o) => Err(format!("{col} '{o}' is not true or false")),
    }
}

fn count_field(v: Option<&str>, col: &str) -> Result<Option<u64>, String> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => parse_count(s).map(Some).map_err(|e| format!("{col}: {e}")),
    }
}

/// Read a JSONL or CSV file (by extension, else by its first byte).
pub fn read_file(path: &Path) -> Result<Vec<HubModel>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let jsonl = match ext.as_str() {
        "jsonl" | "json" | "ndjson" => true,
        "csv" => false,
        _ => text.trim_start().starts_with('{'),
    };
    let name = path.display().to_string();
    if jsonl {
        parse_jsonl(&name, &text)
    } else {
        parse_csv(&name, &text)
    }
}

pub fn parse_jsonl(name: &str, text: &str) -> Result<Vec<HubModel>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut m: HubModel = serde_json::from_str(line).map_err(|e| format!("{name}:{}: {e}", i + 1))?;
        validate(&mut m).map_err(|e| format!("{name}:{}: {e}", i + 1))?;
        if m.origin.is_empty() {
            m.origin = format!("import:{name}:{}", i + 1);
        }
        out.push(m);
    }
    Ok(out)
}

pub fn parse_csv(name: &str, text: &str) -> Result<Vec<HubModel>, String> {
    let mut r = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let headers: Vec<String> = r.headers().map_err(|e| format!("{name}: {e}"))?.iter().map(|h| h.trim().to_string()).collect();
    const KNOWN: &[&str] = &[
        "id",
        "ecosystem",
        "aliases",
        "task",
        "library",
        "license",
        "params",
        "downloads",
        "likes",
        "gated",
        "safetensors",
        "custom_code",
        "base_model",
        "deprecation_date",
        "successor",
        "labels",
        "origin",
    ];
    if let Some(h) = headers.iter().find(|h| !KNOWN.contains(&h.as_str())) {
        return Err(format!("{name}: unknown column '{h}' (columns: {})", KNOWN.join(", ")));
    }
    if !headers.iter().any(|h| h == "id") {
        return Err(format!("{name}: no 'id' column"));
    }
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| format!("{name}:{line}: {e}"))?;
        let col = |c: &str| headers.iter().position(|h| h == c).and_then(|p| rec.get(p));
        let list =
            |c: &str| -> Vec<String> { col(c).map(|v| v.split(';').filter_map(|s| opt(Some(s))).collect()).unwrap_or_default() };
        let at = |e: String| format!("{name}:{line}: {e}");
        let mut labels = Vec::new();
        for l in list("labels") {
            let (label, weight) = match l.split_once('=') {
                Some((l, w)) => (
                    l.trim().to_string(),
                    Some(w.trim().parse::<f64>().map_err(|_| at(format!("label '{l}': weight '{w}' is not a number")))?),
                ),
                None => (l, None),
            };
            labels.push(ModelLabel { label, weight });
        }
        let mut m = HubModel {
            id: opt(col("id")).ok_or_else(|| at("empty id".into()))?,
            ecosystem: opt(col("ecosystem")).unwrap_or_default(),
            aliases: list("aliases"),
            task: opt(col("task")),
            library: opt(col("library")),
            license: opt(col("license")),
            params: count_field(col("params"), "params").map_err(at)?,
            downloads: count_field(col("downloads"), "downloads").map_err(at)?,
            likes: count_field(col("likes"), "likes").map_err(at)?,
            gated: bool_field(col("gated"), "gated").map_err(at)?,
            safetensors: bool_field(col("safetensors"), "safetensors").map_err(at)?,
            custom_code: bool_field(col("custom_code"), "custom_code").map_err(at)?,
            base_model: opt(col("base_model")),
            deprecation_date: opt(col("deprecation_date")),
            successor: opt(col("successor")),
            labels,
            origin: opt(col("origin")).unwrap_or_else(|| format!("import:{name}:{line}")),
        };
        validate(&mut m).map_err(at)?;
        out.push(m);
    }
    Ok(out)
}

/// Write models into the database's store in one transaction (all or nothing).
pub fn write(conn: &mut Connection, models: &[HubModel]) -> Result<usize, String> {
    let tx = conn.transaction().map_err(|e| e.to_string())?;
    {
        let mut del = tx.prepare("DELETE FROM hub_model_labels WHERE model_id = ?1").map_err(|e| e.to_string())?;
        let mut ins = tx
            .prepare(
                "INSERT OR REPLACE INTO hub_models(id, ecosystem, aliases, task, library, license, license_family, params,
                 downloads, likes, gated, safetensors, custom_code, base_model, deprecation_date, successor, origin, imported_at)
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17, strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
            )
            .map_err(|e| e.to_string())?;
        let mut lab = tx
            .prepare("INSERT OR REPLACE INTO hub_model_labels(model_id, label, weight) VALUES (?1,?2,?3)")
            .map_err(|e| e.to_string())?;
        for m in models {
            del.execute(params![m.id]).map_err(|e| e.to_string())?;
            ins.execute(params![
                m.id,
                m.ecosystem,
                serde_json::to_string(&m.aliases).unwrap_or_else(|_| "[]".into()),
                m.task,
                m.library,
                m.license,
                m.license_family().as_str(),
                m.params.map(|p| p as i64),
                m.downloads.map(|p| p as i64),
                m.likes.map(|p| p as i64),
                m.gated,
                m.safetensors,
                m.custom_code,
                m.base_model,
                m.deprecation_date,
                m.successor,
                m.origin,
            ])
            .map_err(|e| e.to_string())?;
            for l in &m.labels {
                lab.execute(params![m.id, l.label, l.weight]).map_err(|e| e.to_string())?;
            }
        }
    }
    tx.commit().map_err(|e| e.to_string())?;
    Ok(models.len())
}

/// The models a database's store holds.
pub fn read_db(conn: &Connection) -> Result<Vec<HubModel>, String> {
    let has = conn
        .query_row("SELECT 1 FROM sqlite_master WHERE type='table' AND name='hub_models'", [], |_| Ok(()))
        .optional()
        .map_err(|e| e.to_string())?
        .is_some();
    if !has {
        return Ok(Vec::new());
    }
    let mut labels: std::collections::HashMap<String, Vec<ModelLabel>> = std::collections::HashMap::new();
    let mut st = conn
        .prepare("SELECT model_id, label, weight FROM hub_model_labels ORDER BY model_id, label")
        .map_err(|e| e.to_string())?;
    let rows = st
        .query_map([], |r| Ok((r.get::<_, String>(0)?, ModelLabel { label: r.get(1)?, weight: r.get(2)? })))
        .map_err(|e| e.to_string())?;
    for row in rows {
        let (id, l) = row.map_err(|e| e.to_string())?;
        labels.entry(id).or_default().push(l);
    }
    let mut st = conn
        .prepare(
            "SELECT id, ecosystem, aliases, task, library, license, params, downloads, likes, gated, safetensors, custom_code,
             base_model, deprecation_date, successor, origin FROM hub_models ORDER BY id",
        )
        .map_err(|e| e.to_string())?;
    let rows = st
        .query_map([], |r| {
            let aliases: String = r.get(2)?;
            Ok(HubModel {
                id: r.get(0)?,
                ecosystem: r.get(1)?,
                aliases: serde_json::from_str(&aliases).unwrap_or_default(),
                task: r.get(3)?,
                library: r.get(4)?,
                license: r.get(5)?,
                params: r.get::<_, Option<i64>>(6)?.map(|v| v as u64),
                downloads: r.get::<_, Option<i64>>(7)?.map(|v| v as u64),
                likes: r.get::<_, Option<i64>>(8)?.map(|v| v as u64),
                gated: r.get(9)?,
                safetensors: r.get(10)?,
                custom_code: r.get(11)?,
                base_model: r.get(12)?,
                deprecation_date: r.get(13)?,
                successor: r.get(14)?,
                labels: vec![],
                origin: r.get(15)?,
            })
        })
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for row in rows {
        let mut m = row.map_err(|e| e.to_string())?;
        m.labels = labels.remove(&m.id).unwrap_or_default();
        out.push(m);
    }
    Ok(out)
}

/// The seed with a database's models laid over it (when a database is given).
pub fn store_with(conn: Option<&Connection>) -> Result<LabelStore, String> {
    let s = LabelStore::seed()?;
    match conn {
        Some(c) => add_db(s, c),
        None => Ok(s),
    }
}

/// A seeded store with the models imported into the database added.
pub fn add_db(mut s: LabelStore, conn: &Connection) -> Result<LabelStore, String> {
    for m in read_db(conn)? {
        s.upsert(m);
    }
    s.finish();
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_parse_with_weights_and_bad_rows_name_the_line() {
        let ok = "id,task,params,license,labels,safetensors\nhuggingface:acme/tiny-sent,text-classification,66M,apache-2.0,dataset:sst2=0.91;language:en,true\n";
        let m = parse_csv("m.csv", ok).unwrap();
        assert_eq!(m[0].ecosystem, "huggingface");
        assert_eq!(m[0].params, Some(66_000_000));
        assert_eq!(m[0].labels[0], ModelLabel { label: "dataset:sst2".into(), weight: Some(0.91) });
        assert!(m[0].labels.iter().any(|l| l.label == "task:text-classification"));
        assert_eq!(m[0].origin, "import:m.csv:2");
        let bad = "id,labels\nhuggingface:a/b,dataset:x=1.7\n";
        assert_eq!(parse_csv("m.csv", bad).unwrap_err(), "m.csv:2: label 'dataset:x': weight 1.7 is not between 0 and 1");
        assert!(parse_csv("m.csv", "id,colour\nx:y,red\n").unwrap_err().contains("unknown column 'colour'"));
        assert!(parse_csv("m.csv", "id\nnoecosystem\n").unwrap_err().contains("m.csv:2: id 'noecosystem' is not ecosystem:name"));
        assert!(parse_csv("m.csv", "id,params\na:b,huge\n").unwrap_err().contains("params: 'huge' is not a parameter count"));
    }

    #[test]
    fn jsonl_rows_parse_and_unknown_fields_are_refused() {
        let ok = r#"{"id":"timm:tiny.a1","ecosystem":"timm","labels":[{"label":"dataset:imagenet-1k","weight":0.7}]}"#;
        assert_eq!(parse_jsonl("m.jsonl", ok).unwrap()[0].labels[0].weight, Some(0.7));
        let bad = r#"{"id":"timm:tiny.a1","colour":"red"}"#;
        assert!(parse_jsonl("m.jsonl", bad).unwrap_err().starts_with("m.jsonl:1: unknown field `colour`"));
        let bad = r#"{"id":"timm:x","labels":[{"label":"flavour:sweet"}]}"#;
        assert!(parse_jsonl("m.jsonl", bad).unwrap_err().contains("kind must be one of"));
    }
}
