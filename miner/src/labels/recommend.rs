//! Recommendations: for each usage, findings (legacy id, unpinned revision,
//! `trust_remote_code`, model not in the store, gated, deprecated, restricted
//! license, pickle-only weights) and alternatives that do the same task and
//! are more reused in the mined corpus, smaller, more permissively licensed,
//! come as safetensors, or succeed a deprecated hosted model — each with its
//! reasons.

use super::{human_count, HubModel, LabelStore, LicenseFamily};
use analyzers::modelid::LegacyIds;
use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
pub struct Alternative {
    pub model: String,
    pub reasons: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub downloads: Option<u64>,
    pub reuse: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    #[serde(skip)]
    pub usage_id: i64,
    #[serde(skip)]
    pub repo_id: i64,
    pub repo: String,
    pub path: String,
    pub line: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<i64>,
    pub model_id: Option<String>,
    pub linked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hub_model: Option<String>,
    pub labels: Vec<String>,
    pub findings: Vec<String>,
    pub alternatives: Vec<Alternative>,
}

struct UsageRow {
    id: i64,
    repo_id: i64,
    repo: String,
    path: String,
    line: i64,
    cell: Option<i64>,
    model: Option<String>,
    model_id: Option<String>,
    ecosystem: String,
    source: String,
    revision_pinned: Option<bool>,
    trust_remote_code: Option<bool>,
    task: Option<String>,
    hub_model: Option<String>,
    labels: Vec<String>,
}

/// How many alternatives each usage gets at most.
pub const MAX_ALTERNATIVES: usize = 3;

fn alternatives(
    store: &LabelStore,
    current: Option<&HubModel>,
    task: &str,
    eco: &str,
    reuse: &HashMap<String, u64>,
) -> Vec<Alternative> {
    let label = format!("task:{task}");
    let cur_reuse = current.map(|m| reuse.get(&m.id).copied().unwrap_or(0)).unwrap_or(0);
    let cur_langs: Vec<&str> = current
        .map(|m| m.labels.iter().filter(|l| l.label.starts_with("language:")).map(|l| l.label.as_str()).collect())
        .unwrap_or_default();
    let mut out: Vec<(usize, Alternative)> = Vec::new();
    for &ci in store.with_label(&label) {
        let c = &store.models[ci];
        if current.is_some_and(|m| m.id == c.id) || !c.ecosystem.eq_ignore_ascii_case(eco) {
            continue;
        }
        // Same languages at least: a French model is no alternative to an English one.
        if !cur_langs.iter().all(|l| c.labels.iter().any(|x| x.label == *l)) {
            continue;
        }
        if c.deprecation_date.is_some() || c.gated == Some(true) {
            continue;
        }
        let r = reuse.get(&c.id).copied().unwrap_or(0);
        let mut reasons = Vec::new();
        let successor = current.and_then(|m| m.successor.as_deref()).is_some_and(|s| s.eq_ignore_ascii_case(&c.id));
        if successor {
            reasons.push("the provider's successor of the deprecated model".to_string());
        }
        if r > cur_reuse {
            reasons.push(format!("more reused: {r} repositories of this corpus load it (the current model: {cur_reuse})"));
        }
        match current {
            Some(m) => {
                if let (Some(cp), Some(mp)) = (c.params, m.params) {
                    if (cp as f64) <= 0.8 * mp as f64 {
                        reasons.push(format!("smaller: {} parameters vs {}", human_count(cp), human_count(mp)));
                    }
                }
                let (cf, mf) = (c.license_family(), m.license_family());
                // Against a stated license that restricts use; an unstated one is a finding, not a reason to switch.
                if cf < mf && cf != LicenseFamily::Unknown && mf != LicenseFamily::Unknown {
                    reasons.push(format!(
                        "more permissive license: {} ({}) vs {} ({})",
                        c.license.as_deref().unwrap_or("?"),
                        cf.as_str(),
                        m.license.as_deref().unwrap_or("none stated"),
                        mf.as_str()
                    ));
                }
                if c.safetensors == Some(true) && m.safetensors == Some(false) {
                    reasons.push("weights as safetensors (the current model has none)".to_string());
                }
            }
            None => {
                if r == 0 && c.downloads.is_some() {
                    reasons.push(format!("in the hub label store for {task}, {} downloads a month", c.downloads.unwrap_or(0)));
                }
            }
        }
        if reasons.is_empty() {
            continue;
        }
        out.push((
            ci,
            Alternative {
                model: c.id.clone(),
                reasons,
                params: c.params,
                license: c.license.clone(),
                downloads: c.downloads,
                reuse: r,
            },
        ));
    }
    out.sort_by(|(ai, a), (bi, b)| {
        b.reasons
            .len()
            .cmp(&a.reasons.len())
            .then(b.reuse.cmp(&a.reuse))
            .then(b.downloads.unwrap_or(0).cmp(&a.downloads.unwrap_or(0)))
            .then(store.models[*ai].id.cmp(&store.models[*bi].id))
    });
    out.into_iter().take(MAX_ALTERNATIVES).map(|(_, a)| a).collect()
}

fn findings(u: &UsageRow, m: Option<&HubModel>, legacy: &LegacyIds) -> Vec<String> {
    let mut f = Vec::new();
    if u.ecosystem == "huggingface" {
        if let Some(raw) = u.model.as_deref() {
            let canon = legacy.canonical(raw);
            if canon != raw {
                f.push(format!("legacy id: '{raw}' now lives at '{canon}'"));
            }
        }
    }
    if u.source == "hub" && u.revision_pinned == Some(false) {
        f.push("unpinned revision: loads whatever the hub holds at run time (pin a commit with revision=)".into());
    }
    if u.trust_remote_code == Some(true) {
        f.push("trust_remote_code: runs Python code from the model repository".into());
    } else if m.is_some_and(|m| m.custom_code == Some(true)) {
        f.push("the model ships custom code (needs trust_remote_code)".into());
    }
    if let Some(id) = &u.model_id {
        if m.is_none() && (u.source == "hub" || u.source == "api") && !id.starts_with("url:") {
            f.push(format!("model not in the hub label store: {id}"));
        }
    }
    if let Some(m) = m {
        if m.gated == Some(true) {
            f.push("gated model: downloads need an account that accepted its terms".into());
        }
        if let Some(d) = &m.deprecation_date {
            match &m.successor {
                Some(s) => f.push(format!("deprecated: the provider retires it on {d}; successor {s}")),
                None => f.push(format!("deprecated: the provider retires it on {d}")),
            }
        }
        if m.license_family() == LicenseFamily::Restricted && m.license.as_deref() != Some("proprietary-api") {
            f.push(format!("restricted license: {}", m.license.as_deref().unwrap_or("?")));
        }
        if u.source == "hub" && m.safetensors == Some(false) {
            f.push("weights only as pickle files (no safetensors)".into());
        }
    }
    f
}

/// Recommend for every usage of the database (or of one repository) and
/// rewrite those usages' rows of the `recommendations` table.
pub fn recommend(
    conn: &mut Connection,
    store: &LabelStore,
    legacy: &LegacyIds,
    repo: Option<&str>,
) -> Result<Vec<Recommendation>, String> {
    let reuse = super::link::reuse(conn)?;
    let out = compute(conn, store, legacy, &reuse, repo)?;
    save(conn, &out)?;
    Ok(out)
}

/// The recommendations, from the `links` as the last link pass left them
/// and the corpus's reuse counts (`link::reuse`, read once by the caller); writes nothing.
pub fn compute(
    conn: &Connection,
    store: &LabelStore,
    legacy: &LegacyIds,
    reuse: &HashMap<String, u64>,
    repo: Option<&str>,
) -> Result<Vec<Recommendation>, String> {
    let e = |x: rusqlite::Error| x.to_string();
    let rows: Vec<UsageRow> = {
        let mut st = conn
            .prepare(
                "SELECT u.id, u.repo_id, r.name, u.path, u.line, u.cell, u.model, u.model_id, u.ecosystem, u.source,
                        u.revision_pinned, u.trust_remote_code, u.task, l.hub_model, l.labels
                 FROM usages u JOIN repos r ON r.id = u.repo_id LEFT JOIN links l ON l.usage_id = u.id
                 WHERE u.source != 'aux' AND (?1 IS NULL OR r.name = ?1 OR r.location = ?1)
                 ORDER BY r.name, u.path, u.cell, u.line, u.col",
            )
            .map_err(e)?;
        let it = st
            .query_map(params![repo], |r| {
                let labels: Option<String> = r.get(14)?;
                Ok(UsageRow {
                    id: r.get(0)?,
                    repo_id: r.get(1)?,
                    repo: r.get(2)?,
                    path: r.get(3)?,
                    line: r.get(4)?,
                    cell: r.get(5)?,
                    model: r.get(6)?,
                    model_id: r.get(7)?,
                    ecosystem: r.get(8)?,
                    source: r.get(9)?,
                    revision_pinned: r.get(10)?,
                    trust_remote_code: r.get(11)?,
                    task: r.get(12)?,
                    hub_model: r.get(13)?,
                    labels: labels.and_then(|l| serde_json::from_str(&l).ok()).unwrap_or_default(),
                })
            })
            .map_err(e)?;
        it.collect::<Result<_, _>>().map_err(e)?
    };
    let mut cache: HashMap<(Option<String>, String, String), Vec<Alternative>> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for u in rows {
        let m = u.hub_model.as_deref().and_then(|h| store.get(h));
        let task = m.and_then(|m| m.task.clone()).or_else(|| u.task.clone());
        let alts = match &task {
            Some(t) => {
                let eco = m.map(|m| m.ecosystem.clone()).unwrap_or_else(|| u.ecosystem.clone());
                cache
                    .entry((m.map(|m| m.id.clone()), t.clone(), eco.clone()))
                    .or_insert_with(|| alternatives(store, m, t, &eco, reuse))
                    .clone()
            }
            None => vec![],
        };
        out.push(Recommendation {
            usage_id: u.id,
            repo_id: u.repo_id,
            repo: u.repo.clone(),
            path: u.path.clone(),
            line: u.line,
            cell: u.cell,
            model_id: u.model_id.clone(),
            linked: m.is_some(),
            hub_model: m.map(|m| m.id.clone()),
            labels: u.labels.clone(),
            findings: findings(&u, m, legacy),
            alternatives: alts,
        });
    }
    Ok(out)
}

/// Write recommendations over the same usages' earlier rows.
pub fn save(conn: &mut Connection, out: &[Recommendation]) -> Result<(), String> {
    let e = |x: rusqlite::Error| x.to_string();
    let tx = conn.transaction().map_err(e)?;
    {
        let mut ins = tx
            .prepare(
                "INSERT OR REPLACE INTO recommendations(usage_id, repo_id, findings, alternatives, created_at)
                 VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
            )
            .map_err(e)?;
        for r in out {
            ins.execute(params![
                r.usage_id,
                r.repo_id,
                serde_json::to_string(&r.findings).unwrap_or_else(|_| "[]".into()),
                serde_json::to_string(&r.alternatives).unwrap_or_else(|_| "[]".into()),
            ])
            .map_err(e)?;
        }
    }
    tx.commit().map_err(e)?;
    Ok(())
}

pub fn render(recs: &[Recommendation]) -> String {
    let mut s = String::new();
    for r in recs {
        let loc = match r.cell {
            Some(c) => format!("{}:cell{}:{}", r.path, c, r.line),
            None => format!("{}:{}", r.path, r.line),
        };
        let model = r.model_id.as_deref().unwrap_or("(model not resolved)");
        let link = match (&r.hub_model, r.linked) {
            (Some(h), true) if Some(h.as_str()) != r.model_id.as_deref() => format!(" → {h}"),
            (_, true) => String::new(),
            _ => " (not linked)".into(),
        };
        s.push_str(&format!("{} {loc}  {model}{link}\n", r.repo));
        for f in &r.findings {
            s.push_str(&format!("    ! {f}\n"));
        }
        for a in &r.alternatives {
            s.push_str(&format!("    → {}: {}\n", a.model, a.reasons.join("; ")));
        }
    }
    let (n, linked) = (recs.len(), recs.iter().filter(|r| r.linked).count());
    let with_f = recs.iter().filter(|r| !r.findings.is_empty()).count();
    let with_a = recs.iter().filter(|r| !r.alternatives.is_empty()).count();
    s.push_str(&format!("{n} usages: {linked} linked to the store, {with_f} with findings, {with_a} with alternatives\n"));
    s
}
