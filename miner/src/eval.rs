//! `mine eval`: compare what a database holds with expected findings
//! (`expected.jsonl` files in the ground-truth format) field by field, and
//! report precision and recall of load sites, of aux artefacts, and the
//! accuracy of the model fields on the sites found.

use crate::error::MineError;
use crate::export::{rows, Table};
use crate::store::Store;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Fields compared on every matched row.
const FIELDS: &[&str] = &["source", "ecosystem", "model", "model_id", "model_resolvable"];
/// Fields compared only when the expected row carries them.
const OPTIONAL_FIELDS: &[&str] = &["revision", "trust_remote_code", "weights_only", "download_only"];

type Key = (String, String, String, String);

fn key(r: &Map<String, Value>) -> Key {
    let s = |f: &str| match r.get(f) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    };
    (s("repo"), s("path"), s("line"), s("api"))
}

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Counts {
    pub expected: usize,
    pub found: usize,
    pub matched: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        if self.found == 0 {
            1.0
        } else {
            self.matched as f64 / self.found as f64
        }
    }
    pub fn recall(&self) -> f64 {
        if self.expected == 0 {
            1.0
        } else {
            self.matched as f64 / self.expected as f64
        }
    }
}

#[derive(Debug, Default, serde::Serialize)]
pub struct Report {
    pub repos: Vec<String>,
    pub sites: Counts,
    pub aux: Counts,
    /// Matched rows whose compared fields all agree.
    pub rows_exact: usize,
    pub rows_matched: usize,
    /// Per field: rows that agree / rows compared.
    pub fields: BTreeMap<String, (usize, usize)>,
    /// Matched rows whose expected model is statically resolvable (any kind
    /// but `dynamic`), by expected kind: (model and model_id right, rows).
    pub resolvable: BTreeMap<String, (usize, usize)>,
    pub missing: Vec<String>,
    pub unexpected: Vec<String>,
    pub mismatches: Vec<String>,
    /// Repositories with a `topology.json` beside their `expected.jsonl`.
    pub topology: TopologyEval,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct TopologyEval {
    pub repos: usize,
    pub class_right: usize,
    pub edges: Counts,
    pub wrong_class: Vec<String>,
}

impl Report {
    pub fn is_perfect(&self) -> bool {
        self.missing.is_empty() && self.unexpected.is_empty() && self.mismatches.is_empty()
    }

    pub fn render(&self) -> String {
        let mut s = String::new();
        let line = |name: &str, c: &Counts| {
            format!(
                "{name:<12} expected {:>4}  found {:>4}  matched {:>4}  precision {:.3}  recall {:.3}\n",
                c.expected,
                c.found,
                c.matched,
                c.precision(),
                c.recall()
            )
        };
        s.push_str(&format!("repositories {}\n", self.repos.len()));
        let t = &self.topology;
        if t.repos > 0 {
            s.push_str(&format!(
                "topology     class right for {} of {} repositories ({:.3}); edges expected {} found {} matched {} precision {:.3} recall {:.3}\n",
                t.class_right,
                t.repos,
                t.class_right as f64 / t.repos as f64,
                t.edges.expected,
                t.edges.found,
                t.edges.matched,
                t.edges.precision(),
                t.edges.recall()
            ));
            for w in &t.wrong_class {
                s.push_str(&format!("  {w}\n"));
            }
        }
        s.push_str(&line("load sites", &self.sites));
        s.push_str(&line("aux", &self.aux));
        s.push_str(&format!(
            "rows exact   {} of {} matched rows agree on every compared field\n",
            self.rows_exact, self.rows_matched
        ));
        for (f, (ok, n)) in &self.fields {
            s.push_str(&format!("  {f:<18} {ok}/{n}\n"));
        }
        let (ok, n) = self.resolvable.values().fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        if n > 0 {
            s.push_str(&format!(
                "resolvable   model and model_id right on {ok} of {n} statically resolvable matched rows ({:.3})\n",
                ok as f64 / n as f64
            ));
            for (k, (ok, n)) in &self.resolvable {
                s.push_str(&format!("  {k:<18} {ok}/{n}\n"));
            }
        }
        for (title, list) in
            [("missing", &self.missing), ("unexpected", &self.unexpected), ("field mismatches", &self.mismatches)]
        {
            if !list.is_empty() {
                s.push_str(&format!("{title}:\n"));
                for l in list {
                    s.push_str(&format!("  {l}\n"));
                }
            }
        }
        s
    }
}

/// Every `expected.jsonl` below the given folders (or the files themselves).
pub fn expected_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, MineError> {
    let mut out = Vec::new();
    for i in inputs {
        if i.is_file() {
            out.push(i.clone());
            continue;
        }
        if !i.is_dir() {
            return Err(MineError::usage(format!("--expected '{}': does not exist", i.display())));
        }
        for e in walkdir::WalkDir::new(i).sort_by_file_name().into_iter().flatten() {
            if e.file_type().is_file() && e.file_name() == "expected.jsonl" {
                out.push(e.path().to_path_buf());
            }
        }
    }
    if out.is_empty() {
        return Err(MineError::usage("--expected: no expected.jsonl found"));
    }
    Ok(out)
}

fn read_expected(files: &[PathBuf]) -> Result<Vec<Map<String, Value>>, MineError> {
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| MineError::usage(format!("'{}': {e}", f.display())))?;
        for (i, l) in text.lines().enumerate() {
            if l.trim().is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(l).map_err(|e| MineError::usage(format!("{}:{}: {e}", f.display(), i + 1)))?;
            match v {
                Value::Object(m) => out.push(m),
                _ => return Err(MineError::usage(format!("{}:{}: not a JSON object", f.display(), i + 1))),
            }
        }
    }
    Ok(out)
}

fn is_aux(r: &Map<String, Value>) -> bool {
    r.get("source").and_then(Value::as_str) == Some("aux")
}

/// Compare a database's usages with expected rows.
pub fn evaluate(db: &Path, expected: &[PathBuf]) -> Result<Report, MineError> {
    let exp = read_expected(&expected_files(expected)?)?;
    let store = Store::open_ro(db)?;
    let repos: BTreeSet<String> = exp.iter().filter_map(|r| r.get("repo").and_then(Value::as_str).map(str::to_string)).collect();
    let got: Vec<Map<String, Value>> = rows(&store, Table::Usages, None)?
        .into_iter()
        .filter(|r| r.get("repo").and_then(Value::as_str).is_some_and(|n| repos.contains(n)))
        .collect();
    let mut report = Report { repos: repos.iter().cloned().collect(), ..Default::default() };
    let got_by: BTreeMap<Key, &Map<String, Value>> = got.iter().map(|r| (key(r), r)).collect();
    let exp_keys: BTreeSet<Key> = exp.iter().map(key).collect();
    for e in &exp {
        let c = if is_aux(e) { &mut report.aux } else { &mut report.sites };
        c.expected += 1;
        let k = key(e);
        let Some(g) = got_by.get(&k) else {
            report.missing.push(format!("{}:{}:{} {} {}", k.0, k.1, k.2, k.3, e.get("model").unwrap_or(&Value::Null)));
            continue;
        };
        c.matched += 1;
        report.rows_matched += 1;
        let mut exact = true;
        let compared = FIELDS.iter().map(|f| (*f, true)).chain(OPTIONAL_FIELDS.iter().map(|f| (*f, false)));
        for (f, always) in compared {
            if !always && !e.contains_key(f) {
                continue;
            }
            let ev = e.get(f).unwrap_or(&Value::Null);
            let gv = g.get(f).unwrap_or(&Value::Null);
            let entry = report.fields.entry(f.to_string()).or_insert((0, 0));
            entry.1 += 1;
            if ev == gv {
                entry.0 += 1;
            } else {
                exact = false;
                report.mismatches.push(format!("{}:{}:{} {f}: expected {ev}, found {gv}", k.0, k.1, k.2));
            }
        }
        report.rows_exact += exact as usize;
        let kind = e.get("model_resolvable").and_then(Value::as_str).unwrap_or("dynamic");
        if kind != "dynamic" {
            let right = e.get("model") == g.get("model") && e.get("model_id") == g.get("model_id");
            let entry = report.resolvable.entry(kind.to_string()).or_insert((0, 0));
            entry.0 += right as usize;
            entry.1 += 1;
        }
    }
    for g in &got {
        let c = if is_aux(g) { &mut report.aux } else { &mut report.sites };
        c.found += 1;
        let k = key(g);
        if !exp_keys.contains(&k) {
            report.unexpected.push(format!("{}:{}:{} {} {}", k.0, k.1, k.2, k.3, g.get("model").unwrap_or(&Value::Null)));
        }
    }
    report.topology = evaluate_topology(&store, expected)?;
    Ok(report)
}

/// An edge as (kind, from, to); ensemble and alternative edges unordered.
fn edge_key(e: &Value) -> (String, (String, String), (String, String)) {
    let end = |s: &str| {
        let line = match &e[s]["line"] {
            Value::String(l) => l.clone(),
            v => v.to_string(),
        };
        (e[s]["path"].as_str().unwrap_or("").to_string(), line)
    };
    let (a, b) = (end("from"), end("to"));
    let kind = e["kind"].as_str().unwrap_or("").to_string();
    if kind == "pipeline" || a <= b {
        (kind, a, b)
    } else {
        (kind, b, a)
    }
}

/// Compare classes and edges with every `topology.json` beside an `expected.jsonl`.
fn evaluate_topology(store: &Store, inputs: &[PathBuf]) -> Result<TopologyEval, MineError> {
    let mut t = TopologyEval::default();
    let got = rows(store, Table::Topology, None)?;
    for f in expected_files(inputs)? {
        let Some(dir) = f.parent() else { continue };
        let Ok(text) = std::fs::read_to_string(dir.join("topology.json")) else { continue };
        let exp: Value =
            serde_json::from_str(&text).map_err(|e| MineError::usage(format!("{}: {e}", dir.join("topology.json").display())))?;
        let name = exp["repo"].as_str().unwrap_or("");
        let Some(g) = got.iter().find(|r| r.get("repo").and_then(Value::as_str) == Some(name)) else { continue };
        t.repos += 1;
        if g.get("class") == exp.get("class") {
            t.class_right += 1;
        } else {
            t.wrong_class.push(format!("{name}: {} (expected {})", g.get("class").unwrap_or(&Value::Null), exp["class"]));
        }
        let ge: BTreeSet<_> =
            g.get("edges").and_then(Value::as_array).map(|a| a.iter().map(edge_key).collect()).unwrap_or_default();
        let ee: BTreeSet<_> = exp["edges"].as_array().map(|a| a.iter().map(edge_key).collect()).unwrap_or_default();
        t.edges.expected += ee.len();
        t.edges.found += ge.len();
        t.edges.matched += ge.intersection(&ee).count();
    }
    Ok(t)
}
