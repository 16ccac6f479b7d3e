//! Linking usages to the store: each usage's canonical model id is looked up
//! (as is, by alias or case, without a revision, through the legacy-id map,
//! as a `file:` path that mirrors a hub id, as another library's name for a
//! Hub repository, or as a member of a model family), so the usage inherits
//! the model's labels.

use super::LabelStore;
use analyzers::modelid::LegacyIds;
use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// How a usage was linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    Exact,
    Alias,
    Case,
    Revision,
    Legacy,
    Path,
    HubMirror,
    Family,
    None,
}

impl How {
    pub fn as_str(self) -> &'static str {
        match self {
            How::Exact => "exact",
            How::Alias => "alias",
            How::Case => "case",
            How::Revision => "revision",
            How::Legacy => "legacy",
            How::Path => "path",
            How::HubMirror => "hub-mirror",
            How::Family => "family",
            How::None => "none",
        }
    }
}

fn direct(store: &LabelStore, id: &str) -> Option<(usize, How)> {
    let i = store.position(id)?;
    let m = &store.models[i];
    let how = if m.id == id {
        How::Exact
    } else if m.id.eq_ignore_ascii_case(id) {
        How::Case
    } else if m.aliases.iter().any(|a| a == id) {
        How::Alias
    } else {
        How::Case
    };
    Some((i, how))
}

/// Find the store model a usage's `model_id` names.
pub fn lookup(store: &LabelStore, model_id: &str, legacy: &LegacyIds) -> Option<(usize, How)> {
    if let Some(hit) = direct(store, model_id) {
        return Some(hit);
    }
    let (eco, rest) = model_id.split_once(':')?;
    // A revision or tag written into the id.
    if let Some((base, _)) = rest.rsplit_once('@') {
        if let Some((i, _)) = direct(store, &format!("{eco}:{base}")) {
            return Some((i, How::Revision));
        }
    }
    match eco {
        "huggingface" => {
            let canon = legacy.canonical(rest);
            if canon != rest {
                if let Some((i, _)) = direct(store, &format!("huggingface:{canon}")) {
                    return Some((i, How::Legacy));
                }
            }
        }
        "file" => {
            // A local folder named like the Hub repository it was saved from: models/org/name, ./bert-base-uncased.
            let parts: Vec<&str> = rest.trim_end_matches('/').split('/').filter(|p| !p.is_empty() && *p != ".").collect();
            let mut tries = Vec::new();
            if parts.len() >= 2 {
                tries.push(format!("{}/{}", parts[parts.len() - 2], parts[parts.len() - 1]));
            }
            if let Some(last) = parts.last() {
                tries.push(legacy.canonical(last).to_string());
            }
            for t in tries {
                if let Some((i, _)) = direct(store, &format!("huggingface:{t}")) {
                    return Some((i, How::Path));
                }
            }
        }
        // torch.hub's own vision repository serves torchvision's builders.
        "torchhub" => {
            if let Some(builder) = rest.strip_prefix("pytorch/vision#") {
                if let Some((i, _)) = direct(store, &format!("torchvision:{builder}")) {
                    return Some((i, How::HubMirror));
                }
            }
        }
        "timm" | "open_clip" => {
            // An architecture without its pretrained tag: the family's best-listed member.
            let sep = if eco == "timm" { "." } else { ":" };
            let prefix = format!("{eco}:{rest}{sep}");
            if let Some(i) = store.first_with_prefix(&prefix) {
                return Some((i, How::Family));
            }
        }
        _ => {}
    }
    // Libraries that load Hub repositories under their own ecosystem name.
    let mirrors: Vec<String> = match eco {
        "spacy" => vec![format!("huggingface:spacy/{rest}")],
        // openai-whisper's names are the Hub's openai/whisper-NAME checkpoints.
        "whisper" => vec![format!("huggingface:openai/whisper-{rest}")],
        // litellm's provider/model strings.
        "litellm" => match rest.split_once('/') {
            Some((p, m)) => vec![format!("{}:{m}", super::seed::provider_ecosystem(p).unwrap_or(p))],
            None => vec![format!("openai:{rest}")],
        },
        "sentence_transformers" | "sentence-transformers" => {
            vec![format!("huggingface:{rest}"), format!("huggingface:sentence-transformers/{rest}")]
        }
        _ if rest.contains('/') && !rest.contains("://") => vec![format!("huggingface:{}", legacy.canonical(rest))],
        _ => vec![],
    };
    for m in mirrors {
        if let Some((i, _)) = direct(store, &m) {
            return Some((i, How::HubMirror));
        }
    }
    None
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct EcoStats {
    pub usages: u64,
    pub with_model_id: u64,
    pub linked: u64,
    /// Usages of a hub or hosted API model with a model id (a local file's own weights cannot be in a hub).
    pub hub_or_api: u64,
    pub hub_or_api_linked: u64,
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct LinkStats {
    pub by_ecosystem: BTreeMap<String, EcoStats>,
}

impl LinkStats {
    pub fn total(&self) -> EcoStats {
        let mut t = EcoStats::default();
        for e in self.by_ecosystem.values() {
            t.usages += e.usages;
            t.with_model_id += e.with_model_id;
            t.linked += e.linked;
            t.hub_or_api += e.hub_or_api;
            t.hub_or_api_linked += e.hub_or_api_linked;
        }
        t
    }

    pub fn render(&self) -> String {
        let mut s = format!(
            "{:<22} {:>7} {:>9} {:>7} {:>8} {:>8} {:>8}\n",
            "ecosystem", "usages", "model id", "linked", "share", "hub/api", "share"
        );
        let pct = |a: u64, b: u64| if b > 0 { format!("{:.1}%", 100.0 * a as f64 / b as f64) } else { "-".into() };
        let row = |name: &str, e: &EcoStats| {
            format!(
                "{:<22} {:>7} {:>9} {:>7} {:>8} {:>8} {:>8}\n",
                name,
                e.usages,
                e.with_model_id,
                e.linked,
                pct(e.linked, e.with_model_id),
                e.hub_or_api,
                pct(e.hub_or_api_linked, e.hub_or_api)
            )
        };
        for (k, e) in &self.by_ecosystem {
            s.push_str(&row(k, e));
        }
        s.push_str(&row("all", &self.total()));
        s.push_str("share = linked / usages with a model id; hub/api = those loading a hub or hosted model (not a local file)\n");
        s
    }
}

/// Link every usage of the database (aux loads excluded) and rewrite `links`.
pub fn link_db(conn: &mut Connection, store: &LabelStore, legacy: &LegacyIds) -> Result<LinkStats, String> {
    let e = |x: rusqlite::Error| x.to_string();
    type Row = (i64, i64, String, Option<String>, Option<String>, String);
    let rows: Vec<Row> = {
        let mut st = conn
            .prepare("SELECT id, repo_id, ecosystem, model_id, task, source FROM usages WHERE source != 'aux' ORDER BY id")
            .map_err(e)?;
        let it = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))).map_err(e)?;
        it.collect::<Result<_, _>>().map_err(e)?
    };
    let mut stats = LinkStats::default();
    let tx = conn.transaction().map_err(e)?;
    tx.execute("DELETE FROM links", []).map_err(e)?;
    {
        let mut ins =
            tx.prepare("INSERT INTO links(usage_id, repo_id, hub_model, how, labels) VALUES (?1,?2,?3,?4,?5)").map_err(e)?;
        let mut cache: HashMap<String, Option<(usize, How)>> = HashMap::new();
        for (id, repo, eco, model_id, task, source) in rows {
            let hub_api = model_id.is_some() && (source == "hub" || source == "api");
            let es = stats.by_ecosystem.entry(eco).or_default();
            es.usages += 1;
            let hit = match &model_id {
                Some(m) => {
                    es.with_model_id += 1;
                    *cache.entry(m.clone()).or_insert_with(|| lookup(store, m, legacy))
                }
                None => None,
            };
            let mut labels: Vec<String> =
                hit.map(|(i, _)| store.models[i].labels.iter().map(|l| l.label.clone()).collect()).unwrap_or_default();
            if let Some(t) = task {
                let l = format!("task:{t}");
                if store.dag.contains(&l) && !labels.contains(&l) {
                    labels.push(l);
                }
            }
            es.hub_or_api += hub_api as u64;
            if hit.is_some() {
                es.linked += 1;
                es.hub_or_api_linked += hub_api as u64;
            }
            ins.execute(params![
                id,
                repo,
                hit.map(|(i, _)| store.models[i].id.clone()),
                hit.map(|(_, h)| h).unwrap_or(How::None).as_str(),
                serde_json::to_string(&labels).unwrap_or_else(|_| "[]".into()),
            ])
            .map_err(e)?;
        }
    }
    tx.commit().map_err(e)?;
    Ok(stats)
}

/// Distinct repositories whose usages link to each store model.
pub fn reuse(conn: &Connection) -> Result<HashMap<String, u64>, String> {
    let mut st = conn
        .prepare("SELECT hub_model, COUNT(DISTINCT repo_id) FROM links WHERE hub_model IS NOT NULL GROUP BY hub_model")
        .map_err(|e| e.to_string())?;
    let it = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))).map_err(|e| e.to_string())?;
    it.collect::<Result<_, _>>().map_err(|e| e.to_string())
}

/// Link shares by ecosystem from the `links` table as the last pass left it.
pub fn stats_db(conn: &Connection) -> Result<LinkStats, String> {
    let mut st = conn
        .prepare(
            "SELECT u.ecosystem, COUNT(*), COUNT(u.model_id), COUNT(l.hub_model),
                    SUM(u.model_id IS NOT NULL AND u.source IN ('hub', 'api')),
                    SUM(l.hub_model IS NOT NULL AND u.source IN ('hub', 'api'))
             FROM usages u LEFT JOIN links l ON l.usage_id = u.id WHERE u.source != 'aux' GROUP BY u.ecosystem",
        )
        .map_err(|e| e.to_string())?;
    let mut s = LinkStats::default();
    let it = st
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                [r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?, r.get::<_, i64>(4)?, r.get::<_, i64>(5)?],
            ))
        })
        .map_err(|e| e.to_string())?;
    for row in it {
        let (eco, [u, w, l, h, hl]) = row.map_err(|e| e.to_string())?;
        s.by_ecosystem.insert(
            eco,
            EcoStats {
                usages: u as u64,
                with_model_id: w as u64,
                linked: l as u64,
                hub_or_api: h as u64,
                hub_or_api_linked: hl as u64,
            },
        );
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_link_through_every_route() {
        let s = LabelStore::seed().expect("seed");
        let legacy = LegacyIds::from_csv(analyzers::catalog::EMBEDDED_LEGACY_IDS).expect("legacy");
        let how = |id: &str| lookup(&s, id, &legacy).map(|(i, h)| (s.models[i].id.clone(), h));
        assert_eq!(how("huggingface:google-bert/bert-base-uncased").unwrap().1, How::Exact);
        assert_eq!(
            how("huggingface:bert-base-uncased").unwrap(),
            ("huggingface:google-bert/bert-base-uncased".into(), How::Alias)
        );
        assert_eq!(how("huggingface:Google-BERT/BERT-base-uncased").unwrap().1, How::Case);
        assert_eq!(how("huggingface:google-bert/bert-base-uncased@main").unwrap().1, How::Revision);
        assert_eq!(how("file:models/sentence-transformers/all-MiniLM-L6-v2").unwrap().1, How::Path);
        assert_eq!(how("file:checkpoints/bert-base-uncased").unwrap().0, "huggingface:google-bert/bert-base-uncased");
        assert_eq!(how("fastembed:BAAI/bge-base-en-v1.5").unwrap().1, How::HubMirror);
        assert_eq!(how("timm:resnet50").unwrap().1, How::Family);
        assert_eq!(how("torchvision:resnet50").unwrap().0, "torchvision:resnet50.IMAGENET1K_V2");
        assert_eq!(how("torchhub:pytorch/vision#resnet18").unwrap().0, "torchvision:resnet18.IMAGENET1K_V1");
        assert!(how("openai:gpt-4o").is_some());
        assert!(how("file:model/keypoint_classifier/keypoint_classifier.tflite").is_none());
        assert!(how("huggingface:nobody/nothing-here").is_none());
    }
}
