//! The `labels`, `select` and `recommend` commands.

use super::select::{cover_set, rank, Constraints};
use super::{human_count, import, link, recommend as rec, sync, LabelStore, LicenseFamily};
use crate::cli::{LabelsCommand, RecommendArgs, SelectArgs};
use crate::error::MineError;
use crate::store::Store;
use analyzers::modelid::LegacyIds;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

fn io(e: String) -> MineError {
    MineError::Io(e)
}

fn legacy() -> Result<LegacyIds, MineError> {
    LegacyIds::from_csv(analyzers::catalog::EMBEDDED_LEGACY_IDS).map_err(|e| MineError::Io(format!("built-in legacy ids: {e}")))
}

fn print_json(v: &impl serde::Serialize) -> Result<(), MineError> {
    println!("{}", serde_json::to_string_pretty(v).map_err(|e| MineError::Io(e.to_string()))?);
    Ok(())
}

/// An existing database, opened for writing (refused when missing: these commands read what mining wrote).
fn existing_rw(db: &Path) -> Result<Store, MineError> {
    if !db.exists() {
        return Err(MineError::usage(format!(
            "--db '{}': no such database (mine a repository first, or give another --db)",
            db.display()
        )));
    }
    Ok(Store::open_rw(db)?)
}

/// Relink a database after mining; `None` when it has no usages table yet.
/// `seed`: the seeded store when the caller built it already (`LabelStore::seed`).
pub fn link_after_mining(
    db: &Path,
    catalog: &analyzers::Catalog,
    seed: Option<LabelStore>,
) -> Result<Option<[u64; 4]>, MineError> {
    let mut store = Store::open_rw(db)?;
    let labels = match seed {
        Some(s) => import::add_db(s, store.conn()).map_err(io)?,
        None => import::store_with(Some(store.conn())).map_err(io)?,
    };
    let stats = link::link_db(store.conn_mut(), &labels, &catalog.legacy_ids)
        .map_err(|e| MineError::Io(format!("linking usages: {e}")))?;
    let t = stats.total();
    Ok(Some([t.linked, t.with_model_id, t.hub_or_api_linked, t.hub_or_api]))
}

pub fn labels(cmd: LabelsCommand) -> Result<i32, MineError> {
    match cmd {
        LabelsCommand::Import { files, db } => {
            // Read and check every file before anything is written.
            let mut models = Vec::new();
            for f in &files {
                models.extend(import::read_file(f).map_err(MineError::usage)?);
            }
            let mut store = Store::open_rw(&db)?;
            let n = import::write(store.conn_mut(), &models).map_err(io)?;
            let labels = import::store_with(Some(store.conn())).map_err(io)?;
            let stats = link::link_db(store.conn_mut(), &labels, &legacy()?).map_err(io)?;
            let t = stats.total();
            println!(
                "imported {n} models from {} file(s) into {}; {} of {} usages with a model id now linked",
                files.len(),
                db.display(),
                t.linked,
                t.with_model_id
            );
            Ok(0)
        }
        LabelsCommand::Sync { hf: _, api_url, limit, token, db } => {
            let api =
                api_url.or_else(|| std::env::var("HF_ENDPOINT").ok()).unwrap_or_else(|| "https://huggingface.co".to_string());
            if !(api.starts_with("http://") || api.starts_with("https://")) {
                return Err(MineError::usage(format!("--api-url '{api}': expected an http(s) URL")));
            }
            let token = token.or_else(|| std::env::var("HF_TOKEN").ok()).filter(|t| !t.trim().is_empty());
            let mut store = Store::open_rw(&db)?;
            let result =
                sync::sync_hf(&api, token.as_deref(), limit as usize, |page| import::write(store.conn_mut(), page).map(|_| ()));
            // Whatever was written is linked, even when the sync stopped early.
            let labels = import::store_with(Some(store.conn())).map_err(io)?;
            let stats = link::link_db(store.conn_mut(), &labels, &legacy()?).map_err(io)?;
            let report = result.map_err(io)?;
            let t = stats.total();
            println!(
                "synced {} models from {} in {} pages ({} retries, {} items skipped) into {}; {} of {} usages with a model id now linked",
                report.models,
                crate::fetch::redact_url(&api),
                report.pages,
                report.retries,
                report.skipped.len(),
                db.display(),
                t.linked,
                t.with_model_id
            );
            for s in report.skipped.iter().take(10) {
                eprintln!("skipped: {s}");
            }
            Ok(0)
        }
        LabelsCommand::Link { db } => {
            let mut store = existing_rw(&db)?;
            let labels = import::store_with(Some(store.conn())).map_err(io)?;
            let stats = link::link_db(store.conn_mut(), &labels, &legacy()?).map_err(io)?;
            print!("{}", stats.render());
            Ok(0)
        }
        LabelsCommand::Stats { db, labels: kind, json } => stats(db.as_deref(), kind.as_deref(), json),
    }
}

fn stats(db: Option<&Path>, kind: Option<&str>, json: bool) -> Result<i32, MineError> {
    let store = match db {
        Some(p) => Some(Store::open_ro(p)?),
        None => None,
    };
    let labels = import::store_with(store.as_ref().map(|s| s.conn())).map_err(io)?;
    if let Some(k) = kind {
        if !super::dag::KINDS.contains(&k) {
            return Err(MineError::usage(format!("--labels '{k}': expected one of {}", super::dag::KINDS.join(", "))));
        }
        let list = labels.dag.of_kind(k);
        if json {
            return print_json(&list).map(|_| 0);
        }
        for l in list {
            println!("{l}\t{}\t{} models", labels.dag.name(l).unwrap_or(""), labels.with_label(l).len());
        }
        return Ok(0);
    }
    let mut by_eco: BTreeMap<&str, usize> = BTreeMap::new();
    let mut fams: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut params, mut safet, mut lab_edges, mut weighted) = (0, 0, 0, 0);
    for m in &labels.models {
        *by_eco.entry(&m.ecosystem).or_default() += 1;
        *fams.entry(m.license_family().as_str()).or_default() += 1;
        params += m.params.is_some() as usize;
        safet += (m.safetensors == Some(true)) as usize;
        lab_edges += m.labels.len();
        weighted += m.labels.iter().filter(|l| l.weight.is_some()).count();
    }
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for k in super::dag::KINDS {
        by_kind.insert(k, labels.dag.of_kind(k).len());
    }
    let link_stats = match &store {
        Some(s) => Some(link::stats_db(s.conn()).map_err(io)?),
        None => None,
    };
    if json {
        let v = serde_json::json!({
            "models": labels.models.len(), "by_ecosystem": by_eco, "license_family": fams, "with_params": params,
            "safetensors": safet, "label_nodes": labels.dag.len(), "labels_by_kind": by_kind, "model_label_edges": lab_edges,
            "weighted_edges": weighted, "origins": labels.origins.iter().map(|(o, n)| serde_json::json!({"origin": o, "models": n})).collect::<Vec<_>>(),
            "links": link_stats,
        });
        return print_json(&v).map(|_| 0);
    }
    println!(
        "hub label store: {} models, {} labels, {} model-label edges ({} with a weight)",
        labels.models.len(),
        labels.dag.len(),
        lab_edges,
        weighted
    );
    let mut eco: Vec<(&&str, &usize)> = by_eco.iter().collect();
    eco.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let more = eco.len().saturating_sub(12);
    println!(
        "  by ecosystem     {}{}",
        eco.iter().take(12).map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", "),
        if more > 0 { format!(", and {more} more (--json lists all)") } else { String::new() }
    );
    println!("  license family   {}", fams.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", "));
    println!("  labels by kind   {}", by_kind.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", "));
    println!("  with a size      {params}; safetensors {safet}");
    println!("where the rows came from:");
    let prov: HashMap<&str, &str> = super::seed::PROVENANCE.iter().copied().collect();
    for (o, n) in &labels.origins {
        let file = o.strip_prefix("seed:").unwrap_or(o);
        let file = file.split('#').next().unwrap_or(file);
        println!("  {n:>6}  {o}{}", prov.get(file).map(|p| format!(" — {p}")).unwrap_or_default());
    }
    if let Some(ls) = link_stats {
        println!("usages linked to the store, by ecosystem:");
        print!("{}", ls.render());
    }
    Ok(0)
}

pub fn select(a: SelectArgs) -> Result<i32, MineError> {
    if a.evaluate {
        let s = super::evaluate::openclip(a.max_params).map_err(io)?;
        if a.json {
            return print_json(&s).map(|_| 0);
        }
        print!("{}", s.render());
        return Ok(0);
    }
    let store = match &a.db {
        Some(p) => Some(Store::open_ro(p)?),
        None => None,
    };
    let labels = import::store_with(store.as_ref().map(|s| s.conn())).map_err(io)?;
    let mut required = Vec::new();
    if let Some(t) = &a.task {
        let l = resolve_task(&labels, t).map_err(|e| MineError::usage(format!("--task: {e}")))?;
        required.push(l);
    }
    for l in &a.labels {
        let r = labels.dag.resolve(l).map_err(|e| MineError::usage(format!("--label: {e}")))?;
        if !required.contains(&r) {
            required.push(r);
        }
    }
    let reuse = match &store {
        Some(s) => link::reuse(s.conn()).map_err(io)?,
        None => HashMap::new(),
    };
    // Ranked once with models of unknown size kept, then split: what --max-params
    // leaves out for lack of a size is counted for the hint, not ranked again.
    let c = Constraints {
        license: a.license.as_deref().and_then(LicenseFamily::parse),
        max_params: a.max_params,
        include_unknown_size: true,
        ecosystem: a.ecosystem.clone(),
    };
    let drop_unknown = a.max_params.is_some() && !a.include_unknown_size;
    let (ranked, sizeless): (Vec<_>, Vec<_>) =
        rank(&labels, &required, &c, &reuse).into_iter().partition(|r| !drop_unknown || labels.models[r.model].params.is_some());
    let top: Vec<_> = ranked.iter().take(a.top as usize).collect();
    let cover = cover_set(&ranked, &required);
    let obj = |r: &super::select::Ranked, in_set: bool| {
        let m = &labels.models[r.model];
        serde_json::json!({
            "model": m.id, "score": (r.coverage * 1000.0).round() / 1000.0,
            "quality": r.quality.map(|q| (q * 10000.0).round() / 10000.0),
            "standing": r.standing.map(|q| (q * 1000.0).round() / 1000.0),
            "labels": m.labels.iter().map(|l| l.label.clone()).collect::<Vec<_>>(),
            "matches": r.matches, "params": m.params, "license": m.license, "license_family": m.license_family().as_str(),
            "downloads": m.downloads, "reuse": r.reuse, "safetensors": m.safetensors, "origin": m.origin,
            "cover_set": in_set,
        })
    };
    let set: Vec<usize> = match &cover {
        Ok(Some(s)) => s.clone(),
        _ => vec![],
    };
    if a.json {
        let mut arr: Vec<serde_json::Value> = top.iter().enumerate().map(|(i, r)| obj(r, set.contains(&i))).collect();
        for &i in &set {
            if i >= top.len() {
                arr.push(obj(&ranked[i], true));
            }
        }
        return print_json(&arr).map(|_| 0);
    }
    println!(
        "requirement: {}{}",
        required.join(" + "),
        a.max_params.map(|p| format!(", at most {} parameters", human_count(p))).unwrap_or_default()
    );
    if top.is_empty() {
        println!("no model in the store matches");
    }
    if drop_unknown {
        let unknown =
            sizeless.iter().filter(|r| r.matches.iter().all(|m| m.kind.covers()) && r.matches.len() == required.len()).count();
        if unknown > 0 {
            println!(
                "({unknown} models that cover every label are of unknown size and left out; --include-unknown-size keeps them)"
            );
        }
    }
    if top.is_empty() {
        return Ok(0);
    }
    println!(
        "{:>3}  {:<58} {:>6} {:>7} {:>7} {:>11} {:>5}  license",
        "#", "model", "score", "quality", "params", "downloads", "reuse"
    );
    for (i, r) in top.iter().enumerate() {
        let m = &labels.models[r.model];
        println!(
            "{:>3}  {:<58} {:>6.3} {:>7} {:>7} {:>11} {:>5}  {}",
            i + 1,
            m.id,
            r.coverage,
            r.quality.map(|q| format!("{q:.3}")).unwrap_or_else(|| "-".into()),
            m.params.map(human_count).unwrap_or_else(|| "?".into()),
            m.downloads.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
            r.reuse,
            m.license.as_deref().map(|l| format!("{l} ({})", m.license_family().as_str())).unwrap_or_else(|| "unknown".into()),
        );
    }
    match cover {
        Ok(Some(s)) => {
            println!("no single model covers every label; the smallest set that does:");
            for i in s {
                let r = &ranked[i];
                let covers: Vec<&str> = r.matches.iter().filter(|m| m.kind.covers()).map(|m| m.required.as_str()).collect();
                println!("  {}  covers {}", labels.models[r.model].id, covers.join(", "));
            }
        }
        Err(missing) => println!("no model in the store covers: {}", missing.join(", ")),
        Ok(None) => {}
    }
    Ok(0)
}

/// A task as typed: a Hub pipeline tag, a sub-task, or a transformers alias (sentiment-analysis, ner).
fn resolve_task(labels: &LabelStore, t: &str) -> Result<String, String> {
    let norm = t.trim().to_ascii_lowercase();
    for k in ["task", "subtask"] {
        let l = format!("{k}:{}", norm.trim_start_matches("task:").trim_start_matches("subtask:"));
        if labels.dag.contains(&l) {
            return Ok(l);
        }
    }
    let alias = match norm.as_str() {
        "ner" => Some("token-classification"),
        "text2text-generation" => Some("text-generation"),
        "vqa" => Some("visual-question-answering"),
        "image-captioning" => Some("image-to-text"),
        "embeddings" | "embedding" => Some("feature-extraction"),
        "speech-recognition" | "asr" => Some("automatic-speech-recognition"),
        _ => None,
    };
    match alias {
        Some(a) => Ok(format!("task:{a}")),
        None => labels.dag.resolve(&norm).and_then(|l| {
            if l.starts_with("task:") || l.starts_with("subtask:") {
                Ok(l)
            } else {
                Err(format!("'{t}' is a {} label, not a task (give it with --label)", l.split(':').next().unwrap_or("")))
            }
        }),
    }
}

pub fn recommend(a: RecommendArgs) -> Result<i32, MineError> {
    let mut store = existing_rw(&a.db)?;
    if let Some(r) = &a.repo {
        let known: i64 = store
            .conn()
            .query_row("SELECT COUNT(*) FROM repos WHERE name = ?1 OR location = ?1", [r], |x| x.get(0))
            .map_err(|e| MineError::Io(e.to_string()))?;
        if known == 0 {
            return Err(MineError::usage(format!("--repo '{r}': no such repository in {}", a.db.display())));
        }
    }
    let labels = import::store_with(Some(store.conn())).map_err(io)?;
    let legacy = legacy()?;
    link::link_db(store.conn_mut(), &labels, &legacy).map_err(io)?;
    let recs = rec::recommend(store.conn_mut(), &labels, &legacy, a.repo.as_deref()).map_err(io)?;
    if a.json {
        return print_json(&recs).map(|_| 0);
    }
    print!("{}", rec::render(&recs));
    Ok(0)
}
