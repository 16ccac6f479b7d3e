//! Selection: rank the store's models by how well their labels cover a
//! requirement in the label DAG, and find the smallest set of models that
//! covers it when no single model does.
//!
//! For each required label a model matches **exactly** (it carries the
//! label: 1.0), through a **descendant** (it carries a more specific label,
//! e.g. a benchmark dataset under a domain: 0.8) or through an **ancestor**
//! (it carries a more general label: 0.5). Coverage is the mean over the
//! required labels. A match rests on weights: the weight of the label matched
//! or, when that label has none, the weights of the model's labels below it
//! (its benchmark scores under that task or domain). A model's quality is the
//! mean of the weights its matches rest on, each counted once per requirement
//! it serves (a benchmark under both the required task and a required domain
//! counts twice); its standing is the same mean with each weight replaced by
//! its percentile among every model carrying that label (the share of those
//! models it beats, ties half), so an easy benchmark where every model scores
//! high does not outweigh a hard one and one outlier does not dominate. Models are ranked by coverage, then standing
//! (unknown last), then reuse across the mined corpus, downloads, and size
//! (smaller first).

use super::{HubModel, LabelStore, LicenseFamily};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchKind {
    Exact,
    Descendant,
    Ancestor,
}

impl MatchKind {
    pub fn score(self) -> f64 {
        match self {
            MatchKind::Exact => 1.0,
            MatchKind::Descendant => 0.8,
            MatchKind::Ancestor => 0.5,
        }
    }
    /// Exact and descendant matches satisfy a requirement; an ancestor only approaches it.
    pub fn covers(self) -> bool {
        self != MatchKind::Ancestor
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Match {
    pub required: String,
    pub kind: MatchKind,
    /// The model's labels that gave the match.
    pub via: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quality: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Ranked {
    pub model: usize,
    pub coverage: f64,
    pub quality: Option<f64>,
    /// Mean standing of the weights behind the matches: each weight as its
    /// percentile (0..1) among all models carrying that label.
    pub standing: Option<f64>,
    pub reuse: u64,
    pub matches: Vec<Match>,
}

impl Ranked {
    /// Bit i set when required label i is covered (exact or descendant).
    pub fn mask(&self, required: &[String]) -> u64 {
        let mut m = 0u64;
        for (i, r) in required.iter().enumerate() {
            if self.matches.iter().any(|x| &x.required == r && x.kind.covers()) {
                m |= 1 << i;
            }
        }
        m
    }
}

#[derive(Debug, Clone, Default)]
pub struct Constraints {
    /// The least permissive family accepted (permissive accepts only permissive).
    pub license: Option<LicenseFamily>,
    pub max_params: Option<u64>,
    pub include_unknown_size: bool,
    pub ecosystem: Option<String>,
}

impl Constraints {
    pub fn admits(&self, m: &HubModel) -> bool {
        if let Some(l) = self.license {
            if m.license_family() > l {
                return false;
            }
        }
        if let Some(max) = self.max_params {
            match m.params {
                Some(p) if p > max => return false,
                None if !self.include_unknown_size => return false,
                _ => {}
            }
        }
        if let Some(e) = &self.ecosystem {
            if !m.ecosystem.eq_ignore_ascii_case(e) {
                return false;
            }
        }
        true
    }
}

#[derive(Default)]
struct Acc {
    exact: bool,
    exact_w: Option<f64>,
    desc: Vec<(String, Option<f64>)>,
    anc: Vec<(String, Option<f64>)>,
}

fn mean(v: impl Iterator<Item = f64>) -> Option<f64> {
    let (mut s, mut n) = (0.0, 0usize);
    for x in v {
        s += x;
        n += 1;
    }
    (n > 0).then(|| s / n as f64)
}

/// A label's weights over every model carrying it, sorted.
fn label_spread(store: &LabelStore, label: &str) -> Vec<f64> {
    let mut ws: Vec<f64> = store
        .with_label(label)
        .iter()
        .filter_map(|&i| store.models[i].labels.iter().find(|l| l.label == label).and_then(|l| l.weight))
        .collect();
    ws.sort_by(f64::total_cmp);
    ws
}

/// Every admitted model that matches at least one required label, best first.
pub fn rank(store: &LabelStore, required: &[String], c: &Constraints, reuse: &HashMap<String, u64>) -> Vec<Ranked> {
    let n = required.len();
    let mut acc: HashMap<usize, Vec<Acc>> = HashMap::new();
    for (ri, r) in required.iter().enumerate() {
        let desc = store.dag.descendants(r);
        let anc = store.dag.ancestors(r);
        let mut visit = |label: &str, kind: MatchKind| {
            for &mi in store.with_label(label) {
                let m = &store.models[mi];
                let w = m.labels.iter().find(|l| l.label == label).and_then(|l| l.weight);
                let slot = &mut acc.entry(mi).or_insert_with(|| (0..n).map(|_| Acc::default()).collect())[ri];
                match kind {
                    MatchKind::Exact => {
                        slot.exact = true;
                        slot.exact_w = w;
                    }
                    MatchKind::Descendant => slot.desc.push((label.to_string(), w)),
                    MatchKind::Ancestor => slot.anc.push((label.to_string(), w)),
                }
            }
        };
        visit(r, MatchKind::Exact);
        for d in &desc {
            visit(d, MatchKind::Descendant);
        }
        for a in &anc {
            visit(a, MatchKind::Ancestor);
        }
    }
    let mut spread: HashMap<String, Vec<f64>> = HashMap::new();
    let mut out: Vec<Ranked> = acc
        .into_iter()
        .filter(|(mi, _)| c.admits(&store.models[*mi]))
        .map(|(mi, slots)| {
            let mut matches = Vec::new();
            let mut pooled = Vec::new();
            let mut standing = Vec::new();
            for (ri, mut s) in slots.into_iter().enumerate() {
                s.desc.sort_by(|a, b| a.0.cmp(&b.0));
                let desc_q = mean(s.desc.iter().filter_map(|d| d.1));
                let (kind, via, quality) = if s.exact {
                    (MatchKind::Exact, vec![required[ri].clone()], s.exact_w.or(desc_q))
                } else if !s.desc.is_empty() {
                    (MatchKind::Descendant, s.desc.iter().map(|d| d.0.clone()).collect(), desc_q)
                } else if !s.anc.is_empty() {
                    (MatchKind::Ancestor, s.anc.iter().map(|d| d.0.clone()).collect(), mean(s.anc.iter().filter_map(|d| d.1)))
                } else {
                    continue;
                };
                // The weights this match rests on, each counted once for this requirement.
                let evidence: Vec<(String, f64)> = match kind {
                    MatchKind::Exact => match s.exact_w {
                        Some(w) => vec![(required[ri].clone(), w)],
                        None => s.desc.iter().filter_map(|d| Some((d.0.clone(), d.1?))).collect(),
                    },
                    MatchKind::Descendant => s.desc.iter().filter_map(|d| Some((d.0.clone(), d.1?))).collect(),
                    MatchKind::Ancestor => s.anc.iter().filter_map(|d| Some((d.0.clone(), d.1?))).collect(),
                };
                pooled.extend(evidence.iter().map(|e| e.1));
                standing.extend(evidence.iter().map(|(l, w)| {
                    let sorted = spread.entry(l.clone()).or_insert_with(|| label_spread(store, l));
                    let below = sorted.partition_point(|x| x < w);
                    let same = sorted[below..].partition_point(|x| x <= w);
                    (below as f64 + same as f64 / 2.0) / sorted.len().max(1) as f64
                }));
                matches.push(Match { required: required[ri].clone(), kind, via, quality });
            }
            let coverage = matches.iter().map(|m| m.kind.score()).sum::<f64>() / n.max(1) as f64;
            let quality = mean(pooled.into_iter());
            let standing = mean(standing.into_iter());
            let reuse = reuse.get(&store.models[mi].id).copied().unwrap_or(0);
            Ranked { model: mi, coverage, quality, standing, reuse, matches }
        })
        .collect();
    out.sort_by(|a, b| {
        let (ma, mb) = (&store.models[a.model], &store.models[b.model]);
        b.coverage
            .total_cmp(&a.coverage)
            .then_with(|| match (a.standing, b.standing) {
                (Some(x), Some(y)) => y.total_cmp(&x),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then(b.reuse.cmp(&a.reuse))
            .then(mb.downloads.unwrap_or(0).cmp(&ma.downloads.unwrap_or(0)))
            .then(ma.params.unwrap_or(u64::MAX).cmp(&mb.params.unwrap_or(u64::MAX)))
            .then_with(|| ma.id.cmp(&mb.id))
    });
    out
}

/// The smallest set of ranked models whose covered labels together cover
/// every required one (better-ranked models preferred among sets of the same
/// size). `Ok(None)`: one model already covers everything. `Err`: the labels
/// no model covers.
pub fn cover_set(ranked: &[Ranked], required: &[String]) -> Result<Option<Vec<usize>>, Vec<String>> {
    let n = required.len().min(20);
    let full: u64 = (1u64 << n) - 1;
    if n == 0 || ranked.first().is_some_and(|r| r.mask(required) & full == full) {
        return Ok(None);
    }
    // The best-ranked model of each distinct coverage mask.
    let mut reps: Vec<(u64, usize)> = Vec::new();
    let mut seen = HashSet::new();
    let mut union = 0u64;
    for (i, r) in ranked.iter().enumerate() {
        let m = r.mask(required) & full;
        if m != 0 && seen.insert(m) {
            reps.push((m, i));
            union |= m;
        }
    }
    if union != full {
        return Err((0..n).filter(|i| union & (1 << i) == 0).map(|i| required[i].clone()).collect());
    }
    // Breadth-first over covered-label states: the first time the full state
    // is reached uses the fewest models.
    let mut prev: HashMap<u64, (u64, usize)> = HashMap::new();
    let mut frontier = vec![0u64];
    prev.insert(0, (0, usize::MAX));
    while !frontier.is_empty() && !prev.contains_key(&full) {
        let mut next = Vec::new();
        for &state in &frontier {
            for &(m, idx) in &reps {
                let s = state | m;
                if s != state && !prev.contains_key(&s) {
                    prev.insert(s, (state, idx));
                    next.push(s);
                }
            }
        }
        frontier = next;
    }
    let mut set = Vec::new();
    let mut s = full;
    while s != 0 {
        let (p, idx) = prev[&s];
        set.push(idx);
        s = p;
    }
    set.reverse();
    Ok(Some(set))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::{HubModel, LabelStore};

    fn model(id: &str, labels: &[(&str, Option<f64>)], params: Option<u64>, license: &str) -> HubModel {
        let mut m = HubModel {
            id: id.into(),
            ecosystem: "huggingface".into(),
            params,
            license: Some(license.into()),
            origin: "test".into(),
            ..Default::default()
        };
        for (l, w) in labels {
            m.add_label(*l, *w);
        }
        m
    }

    fn store() -> LabelStore {
        let mut s = LabelStore::default();
        s.dag.add_edge("task:text-classification", "modality:nlp").unwrap();
        s.dag.add_edge("subtask:sentiment-analysis", "task:text-classification").unwrap();
        s.dag.add_edge("dataset:sst2", "subtask:sentiment-analysis").unwrap();
        s.upsert(model("a/general", &[("task:text-classification", None)], Some(100_000_000), "apache-2.0"));
        s.upsert(model("b/sentiment", &[("subtask:sentiment-analysis", None), ("language:en", None)], Some(60_000_000), "mit"));
        s.upsert(model("c/scored", &[("dataset:sst2", Some(0.93))], Some(300_000_000), "cc-by-nc-4.0"));
        s.upsert(model("d/french", &[("language:fr", None)], Some(10_000_000), "apache-2.0"));
        s.finish();
        s
    }

    #[test]
    fn exact_beats_descendant_beats_ancestor() {
        let s = store();
        let req = vec!["subtask:sentiment-analysis".to_string()];
        let r = rank(&s, &req, &Constraints::default(), &HashMap::new());
        let ids: Vec<&str> = r.iter().map(|x| s.models[x.model].id.as_str()).collect();
        assert_eq!(ids, ["b/sentiment", "c/scored", "a/general"]);
        assert_eq!(r[1].matches[0].kind, MatchKind::Descendant);
        assert_eq!(r[1].quality, Some(0.93));
        assert_eq!(r[2].matches[0].kind, MatchKind::Ancestor);
    }

    #[test]
    fn constraints_filter_license_and_size() {
        let s = store();
        let req = vec!["task:text-classification".to_string()];
        let c = Constraints { license: Some(LicenseFamily::Permissive), max_params: Some(200_000_000), ..Default::default() };
        let r = rank(&s, &req, &c, &HashMap::new());
        let ids: Vec<&str> = r.iter().map(|x| s.models[x.model].id.as_str()).collect();
        assert_eq!(ids, ["a/general", "b/sentiment"]);
    }

    #[test]
    fn the_smallest_covering_set_when_no_model_covers_all() {
        let s = store();
        let req = vec!["subtask:sentiment-analysis".to_string(), "language:fr".to_string()];
        let r = rank(&s, &req, &Constraints::default(), &HashMap::new());
        let set = cover_set(&r, &req).unwrap().expect("a set");
        let ids: Vec<&str> = set.iter().map(|&i| s.models[r[i].model].id.as_str()).collect();
        assert_eq!(ids.len(), 2);
        assert!(ids.contains(&"d/french"), "{ids:?}");
        let req2 = vec!["language:fr".to_string(), "language:de".to_string()];
        let r2 = rank(&s, &req2, &Constraints::default(), &HashMap::new());
        assert_eq!(cover_set(&r2, &req2).unwrap_err(), vec!["language:de".to_string()]);
    }
}
