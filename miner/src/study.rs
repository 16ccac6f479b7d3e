//! `mine stats`: the tables of a model-integration study, computed from the
//! database, as Markdown, JSON, CSV or a self-contained HTML page with charts.

use crate::error::MineError;
use crate::report::html;
use crate::store::Store;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

/// The model-integration study's own shares of its 2,927 ML-enabled systems.
pub const STUDY_SHARES: &[(&str, f64)] = &[("torch", 0.788), ("sklearn", 0.521), ("tensorflow", 0.380), ("keras", 0.076)];

/// One table: an id, a title, column names and rows of JSON values.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub id: &'static str,
    pub title: String,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Study {
    pub repositories: u64,
    pub mined: u64,
    pub failed: u64,
    pub skipped: u64,
    pub ml_enabled: u64,
    pub with_models: u64,
    pub usages: u64,
    pub tables: Vec<Table>,
    /// Distinct models per ML-enabled system: (bucket, systems).
    #[serde(skip)]
    pub histogram: Vec<(String, u64)>,
}

fn db_err(e: rusqlite::Error) -> MineError {
    MineError::Io(format!("reading the database: {e}"))
}

fn pct(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        (1000.0 * a as f64 / b as f64).round() / 10.0
    }
}

/// Nearest-rank quantile of sorted values.
fn quantile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

struct UsageRow {
    repo: i64,
    path: String,
    source: String,
    ecosystem: String,
    model_id: Option<String>,
    risks: Vec<String>,
}

pub fn compute(store: &Store) -> Result<Study, MineError> {
    let c = store.conn();
    // Repositories.
    let mut st = c
        .prepare("SELECT id, name, status, reason, ml_enabled, ml_libraries, topology, distinct_models FROM repos ORDER BY name")
        .map_err(db_err)?;
    type RepoRow = (i64, String, String, Option<String>, Option<bool>, Option<String>, Option<String>, Option<i64>);
    let repos: Vec<RepoRow> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)))
        .map_err(db_err)?
        .collect::<Result<_, _>>()
        .map_err(db_err)?;
    let names: HashMap<i64, String> = repos.iter().map(|r| (r.0, r.1.clone())).collect();
    let mined: Vec<&RepoRow> = repos.iter().filter(|r| r.2 == "ok").collect();
    let ml: Vec<&RepoRow> = mined.iter().copied().filter(|r| r.4 == Some(true)).collect();
    let mut status_reasons: BTreeMap<(String, String), u64> = BTreeMap::new();
    for r in repos.iter().filter(|r| r.2 != "ok") {
        let reason: String = r.3.clone().unwrap_or_default().chars().take(90).collect();
        *status_reasons.entry((r.2.clone(), reason)).or_default() += 1;
    }
    let (failed, skipped) =
        (repos.iter().filter(|r| r.2 == "failed").count() as u64, repos.iter().filter(|r| r.2 == "skipped").count() as u64);

    // Usages (aux loads — tokenizers, processors — are not models).
    let mut st = c
        .prepare("SELECT u.repo_id, u.path, u.source, u.ecosystem, u.model_id, u.risks FROM usages u JOIN repos r ON r.id = u.repo_id WHERE r.status = 'ok' AND u.source != 'aux'")
        .map_err(db_err)?;
    let usages: Vec<UsageRow> = st
        .query_map([], |r| {
            let risks: String = r.get(5)?;
            Ok(UsageRow {
                repo: r.get(0)?,
                path: r.get(1)?,
                source: r.get(2)?,
                ecosystem: r.get(3)?,
                model_id: r.get(4)?,
                risks: serde_json::from_str(&risks).unwrap_or_default(),
            })
        })
        .map_err(db_err)?
        .collect::<Result<_, _>>()
        .map_err(db_err)?;
    let with_models: BTreeSet<i64> = usages.iter().map(|u| u.repo).collect();
    let mut tables = Vec::new();

    tables.push(Table {
        id: "repositories",
        title: "Repositories".into(),
        columns: vec!["status", "reason", "repositories"],
        rows: {
            let mut rows = vec![vec![json!("mined"), json!(""), json!(mined.len())]];
            for ((s, reason), n) in &status_reasons {
                rows.push(vec![json!(s), json!(reason), json!(n)]);
            }
            rows
        },
        note: None,
    });

    // ML libraries.
    let mut libs: BTreeMap<String, u64> = BTreeMap::new();
    for r in &ml {
        let list: Vec<String> = r.5.as_deref().and_then(|l| serde_json::from_str(l).ok()).unwrap_or_default();
        for l in list {
            *libs.entry(l).or_default() += 1;
        }
    }
    let mut lib_rows: Vec<(String, u64)> = libs.into_iter().collect();
    lib_rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let study = |l: &str| STUDY_SHARES.iter().find(|s| s.0 == l).map(|s| s.1);
    tables.push(Table {
        id: "ml_libraries",
        title: format!("ML libraries of the {} ML-enabled systems ({} of {} mined)", ml.len(), ml.len(), mined.len()),
        columns: vec!["library", "systems", "share %", "study share %"],
        rows: lib_rows
            .iter()
            .map(|(l, n)| {
                vec![
                    json!(l),
                    json!(n),
                    json!(pct(*n, ml.len() as u64)),
                    study(l).map(|s| json!((s * 1000.0).round() / 10.0)).unwrap_or(Value::Null),
                ]
            })
            .collect(),
        note: Some("study share: the model-integration study's figure for its 2,927 ML-enabled systems".into()),
    });

    // Pre-trained models by hub / ecosystem.
    let mut by_eco: BTreeMap<(String, String), (BTreeSet<i64>, u64)> = BTreeMap::new();
    let mut by_source: BTreeMap<String, (BTreeSet<i64>, u64)> = BTreeMap::new();
    for u in &usages {
        let e = by_source.entry(u.source.clone()).or_default();
        e.0.insert(u.repo);
        e.1 += 1;
        if u.source == "hub" || u.source == "api" {
            let e = by_eco.entry((u.ecosystem.clone(), u.source.clone())).or_default();
            e.0.insert(u.repo);
            e.1 += 1;
        }
    }
    let pretrained: BTreeSet<i64> = usages.iter().filter(|u| u.source == "hub").map(|u| u.repo).collect();
    let hosted: BTreeSet<i64> = usages.iter().filter(|u| u.source == "api").map(|u| u.repo).collect();
    type Tally = (BTreeSet<i64>, u64);
    let mut eco_rows: Vec<(&(String, String), &Tally)> = by_eco.iter().collect();
    eco_rows.sort_by(|a, b| b.1 .0.len().cmp(&a.1 .0.len()).then(b.1 .1.cmp(&a.1 .1)).then(a.0.cmp(b.0)));
    tables.push(Table {
        id: "pretrained_by_ecosystem",
        title: format!(
            "Systems loading pre-trained models ({} from a hub, {} through a hosted API), by hub and ecosystem",
            pretrained.len(),
            hosted.len()
        ),
        columns: vec!["ecosystem", "source", "systems", "share of mined %", "usages"],
        rows: eco_rows
            .iter()
            .map(|((e, s), (sys, n))| {
                vec![json!(e), json!(s), json!(sys.len()), json!(pct(sys.len() as u64, mined.len() as u64)), json!(n)]
            })
            .collect(),
        note: None,
    });
    tables.push(Table {
        id: "load_sources",
        title: "Where models are loaded from".into(),
        columns: vec!["source", "usages", "systems", "share of mined %"],
        rows: by_source
            .iter()
            .map(|(s, (sys, n))| vec![json!(s), json!(n), json!(sys.len()), json!(pct(sys.len() as u64, mined.len() as u64))])
            .collect(),
        note: Some(
            "hub: downloaded from a model hub; file: a local weights file; api: a hosted model called over the network".into(),
        ),
    });

    // Distinct models per ML-enabled system.
    let mut counts: Vec<u64> = ml.iter().map(|r| r.7.unwrap_or(0).max(0) as u64).collect();
    counts.sort_unstable();
    let buckets: [(&str, u64, u64); 8] = [
        ("0", 0, 0),
        ("1", 1, 1),
        ("2", 2, 2),
        ("3", 3, 3),
        ("4", 4, 4),
        ("5–9", 5, 9),
        ("10–19", 10, 19),
        ("20+", 20, u64::MAX),
    ];
    let histogram: Vec<(String, u64)> = buckets
        .iter()
        .map(|(l, lo, hi)| (l.to_string(), counts.iter().filter(|c| *c >= lo && *c <= hi).count() as u64))
        .collect();
    let mean = if counts.is_empty() { 0.0 } else { counts.iter().sum::<u64>() as f64 / counts.len() as f64 };
    tables.push(Table {
        id: "models_per_system",
        title: format!("Distinct models per ML-enabled system ({} systems)", counts.len()),
        columns: vec!["statistic", "models"],
        rows: vec![
            vec![json!("min"), json!(quantile(&counts, 0.0))],
            vec![json!("25th percentile"), json!(quantile(&counts, 0.25))],
            vec![json!("median"), json!(quantile(&counts, 0.5))],
            vec![json!("75th percentile"), json!(quantile(&counts, 0.75))],
            vec![json!("90th percentile"), json!(quantile(&counts, 0.9))],
            vec![json!("max"), json!(counts.last().copied().unwrap_or(0))],
            vec![json!("mean"), json!((mean * 100.0).round() / 100.0)],
        ],
        note: Some("quantiles by nearest rank; distinct model ids, or load sites where the model is not resolved".into()),
    });
    tables.push(Table {
        id: "models_per_system_histogram",
        title: "Systems by number of distinct models".into(),
        columns: vec!["models", "systems"],
        rows: histogram.iter().map(|(b, n)| vec![json!(b), json!(n)]).collect(),
        note: None,
    });

    // Topology classes.
    let mut classes: BTreeMap<String, u64> = BTreeMap::new();
    for r in &mined {
        *classes.entry(r.6.clone().unwrap_or_else(|| "none".into())).or_default() += 1;
    }
    let order = ["none", "single", "multi-independent", "pipeline", "ensemble", "alternative", "mixed"];
    tables.push(Table {
        id: "topology",
        title: "How models are wired (integration topology)".into(),
        columns: vec!["class", "systems", "share of mined %"],
        rows: order
            .iter()
            .filter_map(|c| classes.get(*c).map(|n| vec![json!(c), json!(n), json!(pct(*n, mined.len() as u64))]))
            .collect(),
        note: None,
    });

    // Risk findings.
    let mut risk_sys: BTreeMap<String, (BTreeSet<i64>, u64)> = BTreeMap::new();
    let mut per_system: BTreeMap<i64, BTreeMap<String, u64>> = BTreeMap::new();
    for u in &usages {
        for r in &u.risks {
            let e = risk_sys.entry(r.clone()).or_default();
            e.0.insert(u.repo);
            e.1 += 1;
            *per_system.entry(u.repo).or_default().entry(r.clone()).or_default() += 1;
        }
    }
    let mut risk_rows: Vec<(&String, &(BTreeSet<i64>, u64))> = risk_sys.iter().collect();
    risk_rows.sort_by(|a, b| b.1 .0.len().cmp(&a.1 .0.len()).then(a.0.cmp(b.0)));
    tables.push(Table {
        id: "risks",
        title: "Risk findings".into(),
        columns: vec!["finding", "systems", "share of mined %", "usages"],
        rows: risk_rows
            .iter()
            .map(|(r, (sys, n))| vec![json!(r), json!(sys.len()), json!(pct(sys.len() as u64, mined.len() as u64)), json!(n)])
            .collect(),
        note: Some("trust_remote_code: runs the model repository's code; unpinned_revision: no commit pinned; unsafe_deserialization: pickle-based loads".into()),
    });
    let mut ps: Vec<(&i64, &BTreeMap<String, u64>)> = per_system.iter().collect();
    ps.sort_by(|a, b| b.1.values().sum::<u64>().cmp(&a.1.values().sum::<u64>()).then(names[a.0].cmp(&names[b.0])));
    let kinds = ["trust_remote_code", "unpinned_revision", "unsafe_deserialization", "plain_http", "no_checksum"];
    tables.push(Table {
        id: "risks_per_system",
        title: "Risk findings per system".into(),
        columns: vec!["system", "trust_remote_code", "unpinned_revision", "unsafe_deserialization", "plain_http", "no_checksum"],
        rows: ps
            .iter()
            .map(|(id, m)| {
                let mut row = vec![json!(names[id])];
                row.extend(kinds.iter().map(|k| json!(m.get(*k).copied().unwrap_or(0))));
                row
            })
            .collect(),
        note: None,
    });

    // Most reused models.
    let mut reuse: HashMap<&str, (BTreeSet<i64>, u64)> = HashMap::new();
    for u in &usages {
        if let Some(m) = u.model_id.as_deref().filter(|m| !m.starts_with("file:")) {
            let e = reuse.entry(m).or_default();
            e.0.insert(u.repo);
            e.1 += 1;
        }
    }
    let mut top: Vec<(&&str, &(BTreeSet<i64>, u64))> = reuse.iter().collect();
    top.sort_by(|a, b| b.1 .0.len().cmp(&a.1 .0.len()).then(b.1 .1.cmp(&a.1 .1)).then(a.0.cmp(b.0)));
    tables.push(Table {
        id: "top_models",
        title: "Most reused models across the corpus".into(),
        columns: vec!["model", "systems", "usages"],
        rows: top.iter().take(25).map(|(m, (sys, n))| vec![json!(m), json!(sys.len()), json!(n)]).collect(),
        note: Some("local weights files (file:) left out".into()),
    });

    // Notebooks vs scripts.
    let mut nb: BTreeMap<i64, (bool, bool)> = BTreeMap::new();
    let (mut nb_u, mut py_u) = (0u64, 0u64);
    for u in &usages {
        let is_nb = u.path.ends_with(".ipynb");
        let e = nb.entry(u.repo).or_default();
        if is_nb {
            e.0 = true;
            nb_u += 1;
        } else {
            e.1 = true;
            py_u += 1;
        }
    }
    let (only_nb, only_py, both) = nb.values().fold((0, 0, 0), |(a, b, c), (n, p)| match (n, p) {
        (true, false) => (a + 1, b, c),
        (false, true) => (a, b + 1, c),
        _ => (a, b, c + 1),
    });
    tables.push(Table {
        id: "notebooks_vs_scripts",
        title: "Notebooks vs scripts".into(),
        columns: vec!["where models are loaded", "systems", "usages"],
        rows: vec![
            vec![json!("notebooks only"), json!(only_nb), Value::Null],
            vec![json!("scripts only"), json!(only_py), Value::Null],
            vec![json!("both"), json!(both), Value::Null],
            vec![json!("all notebooks"), json!(only_nb + both), json!(nb_u)],
            vec![json!("all scripts"), json!(only_py + both), json!(py_u)],
        ],
        note: None,
    });

    // Hub label store links.
    let ls = crate::labels::link::stats_db(c).map_err(MineError::Io)?;
    let t = ls.total();
    tables.push(Table {
        id: "hub_label_links",
        title: "Usages linked to the hub label store".into(),
        columns: vec!["ecosystem", "hub/api usages", "linked", "share %"],
        rows: ls
            .by_ecosystem
            .iter()
            .filter(|(_, e)| e.hub_or_api > 0)
            .map(|(k, e)| {
                vec![json!(k), json!(e.hub_or_api), json!(e.hub_or_api_linked), json!(pct(e.hub_or_api_linked, e.hub_or_api))]
            })
            .chain(std::iter::once(vec![
                json!("all"),
                json!(t.hub_or_api),
                json!(t.hub_or_api_linked),
                json!(pct(t.hub_or_api_linked, t.hub_or_api)),
            ]))
            .collect(),
        note: None,
    });

    Ok(Study {
        repositories: repos.len() as u64,
        mined: mined.len() as u64,
        failed,
        skipped,
        ml_enabled: ml.len() as u64,
        with_models: with_models.len() as u64,
        usages: usages.len() as u64,
        tables,
        histogram,
    })
}

fn cell_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Study {
    fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# Model-integration study\n");
        let _ = writeln!(
            s,
            "{} repositories: {} mined, {} failed, {} skipped. {} ML-enabled ({:.1}% of mined); {} load at least one model ({} usages).\n",
            self.repositories,
            self.mined,
            self.failed,
            self.skipped,
            self.ml_enabled,
            pct(self.ml_enabled, self.mined),
            self.with_models,
            self.usages
        );
        for t in &self.tables {
            let _ = writeln!(s, "## {}\n", t.title);
            if t.rows.is_empty() {
                let _ = writeln!(s, "(none)\n");
                continue;
            }
            let _ = writeln!(s, "| {} |", t.columns.join(" | "));
            let _ = writeln!(s, "|{}|", t.columns.iter().map(|_| "---").collect::<Vec<_>>().join("|"));
            for r in &t.rows {
                let cells: Vec<String> = r.iter().map(|v| cell_text(v).replace('|', "\\|")).collect();
                let _ = writeln!(s, "| {} |", cells.join(" | "));
            }
            if let Some(n) = &t.note {
                let _ = writeln!(s, "\n{n}");
            }
            s.push('\n');
        }
        s
    }

    pub fn json(&self) -> Value {
        let tables: serde_json::Map<String, Value> = self
            .tables
            .iter()
            .map(|t| {
                let rows: Vec<Value> = t
                    .rows
                    .iter()
                    .map(|r| Value::Object(t.columns.iter().zip(r).map(|(c, v)| (c.to_string(), v.clone())).collect()))
                    .collect();
                (t.id.to_string(), json!({"title": t.title, "rows": rows, "note": t.note}))
            })
            .collect();
        json!({
            "repositories": self.repositories, "mined": self.mined, "failed": self.failed, "skipped": self.skipped,
            "ml_enabled": self.ml_enabled, "with_models": self.with_models, "usages": self.usages, "tables": tables,
        })
    }

    /// Long format: one line per cell (table, row, column, value).
    pub fn csv(&self) -> Result<String, MineError> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let e = |x: csv::Error| MineError::Io(x.to_string());
        w.write_record(["table", "row", "column", "value"]).map_err(e)?;
        for t in &self.tables {
            for (i, r) in t.rows.iter().enumerate() {
                for (c, v) in t.columns.iter().zip(r) {
                    w.write_record([t.id, &(i + 1).to_string(), c, &cell_text(v)]).map_err(e)?;
                }
            }
        }
        String::from_utf8(w.into_inner().map_err(|x| MineError::Io(x.to_string()))?).map_err(|x| MineError::Io(x.to_string()))
    }

    pub fn html(&self) -> String {
        let mut b = String::new();
        let _ = writeln!(
            b,
            "<h1>Model-integration study</h1><p class=\"sub\">computed by modelmine {} from the database</p>",
            env!("CARGO_PKG_VERSION")
        );
        b.push_str(&html::cards(&[
            (self.mined.to_string(), "repositories mined"),
            (format!("{:.1}%", pct(self.ml_enabled, self.mined)), "ML-enabled"),
            (self.with_models.to_string(), "systems loading models"),
            (self.usages.to_string(), "model loads"),
            ((self.failed + self.skipped).to_string(), "failed or skipped"),
        ]));
        b.push_str("<div class=\"charts\">");
        let num = |v: &Value| v.as_f64().unwrap_or(0.0);
        if let Some(t) = self.table("ml_libraries") {
            let rows: Vec<&Vec<Value>> = t.rows.iter().take(12).collect();
            let items: Vec<(String, f64, String)> = rows
                .iter()
                .map(|r| (cell_text(&r[0]), num(&r[2]) / 100.0, format!("{}% ({})", cell_text(&r[2]), cell_text(&r[1]))))
                .collect();
            let marks: Vec<(usize, f64)> =
                rows.iter().enumerate().filter_map(|(i, r)| r[3].as_f64().map(|s| (i, s / 100.0))).collect();
            b.push_str(&html::bar_chart(
                "chart-libraries",
                "ML libraries (share of ML-enabled systems; tick: the study's share)",
                &items,
                &marks,
                Some(1.0),
            ));
        }
        if let Some(t) = self.table("pretrained_by_ecosystem") {
            let items: Vec<(String, f64, String)> = t
                .rows
                .iter()
                .take(12)
                .map(|r| (format!("{} ({})", cell_text(&r[0]), cell_text(&r[1])), num(&r[2]), cell_text(&r[2])))
                .collect();
            b.push_str(&html::bar_chart("chart-ecosystems", "Systems by hub and ecosystem", &items, &[], None));
        }
        b.push_str(&html::histogram(
            "chart-models-per-system",
            "Distinct models per ML-enabled system",
            "models per system",
            &self.histogram,
        ));
        if let Some(t) = self.table("topology") {
            let items: Vec<(String, f64, String)> =
                t.rows.iter().map(|r| (cell_text(&r[0]), num(&r[1]), cell_text(&r[1]))).collect();
            b.push_str(&html::bar_chart("chart-topology", "Integration topology", &items, &[], None));
        }
        if let Some(t) = self.table("load_sources") {
            let items: Vec<(String, f64, String)> = t
                .rows
                .iter()
                .map(|r| (cell_text(&r[0]), num(&r[2]), format!("{} systems, {} loads", cell_text(&r[2]), cell_text(&r[1]))))
                .collect();
            b.push_str(&html::bar_chart("chart-sources", "Load sources (systems)", &items, &[], None));
        }
        if let Some(t) = self.table("risks") {
            let items: Vec<(String, f64, String)> =
                t.rows.iter().map(|r| (cell_text(&r[0]), num(&r[1]), format!("{} systems", cell_text(&r[1])))).collect();
            b.push_str(&html::bar_chart("chart-risks", "Risk findings (systems)", &items, &[], None));
        }
        if let Some(t) = self.table("top_models") {
            let items: Vec<(String, f64, String)> =
                t.rows.iter().take(10).map(|r| (cell_text(&r[0]), num(&r[1]), cell_text(&r[1]))).collect();
            b.push_str(&html::bar_chart("chart-top-models", "Most reused models (systems)", &items, &[], None));
        }
        b.push_str("</div>\n");
        for t in &self.tables {
            let _ = writeln!(b, "<h2 id=\"{}\">{}</h2>", t.id, html::esc(&t.title));
            if t.rows.is_empty() {
                b.push_str("<p class=\"muted\">none</p>\n");
                continue;
            }
            let rows: Vec<Vec<String>> = t.rows.iter().map(|r| r.iter().map(|v| html::esc(&cell_text(v))).collect()).collect();
            b.push_str(&html::table(&t.columns, &rows));
            if let Some(n) = &t.note {
                let _ = writeln!(b, "<p class=\"muted\">{}</p>", html::esc(n));
            }
        }
        html::page("Model-integration study", &b)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quantiles_by_nearest_rank() {
        let v = [0, 1, 1, 2, 3, 5, 8, 13, 21, 34];
        assert_eq!(super::quantile(&v, 0.5), 3);
        assert_eq!(super::quantile(&v, 0.9), 21);
        assert_eq!(super::quantile(&v, 0.0), 0);
        assert_eq!(super::quantile(&[], 0.5), 0);
    }
}
