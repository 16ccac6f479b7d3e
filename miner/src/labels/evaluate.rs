//! Leave-one-dataset-out evaluation of selection on the open_clip table
//! (121 vision-language models × 38 datasets, `openclip_results.csv`).
//!
//! For each dataset: its column is hidden (every model's edge to its
//! dataset label is removed), the target is described only by the labels
//! written for it in `openclip_dataset_labels.csv` (its task and domains),
//! and `select::rank` picks the top 1 and top 5. Regret is the oracle's
//! score on the hidden column minus the best picked model's. Two label-blind
//! baselines run on the same table: the best average score on the other
//! datasets, and the largest model.

use super::select::{rank, Constraints};
use super::{seed, LabelStore};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub dataset: String,
    pub labels: Vec<String>,
    pub oracle: f64,
    pub top1: String,
    pub regret1: f64,
    pub regret5: f64,
    pub baseline_avg_regret1: f64,
    pub baseline_avg_regret5: f64,
    pub baseline_largest_regret: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub datasets: usize,
    pub models: usize,
    pub max_params: Option<u64>,
    pub mean_regret1: f64,
    pub mean_regret5: f64,
    pub within_001_top5: usize,
    pub baseline_avg_regret1: f64,
    pub baseline_avg_regret5: f64,
    pub baseline_avg_within_001_top5: usize,
    pub baseline_largest_regret: f64,
    pub rows: Vec<Row>,
}

fn regret(oracle: f64, picked: &[usize], score: &HashMap<usize, f64>) -> f64 {
    let best = picked.iter().filter_map(|i| score.get(i)).copied().fold(f64::NEG_INFINITY, f64::max);
    if best.is_finite() {
        oracle - best
    } else {
        oracle
    }
}

/// Run the benchmark; `max_params` restricts every method (and the oracle) to models of at most that size.
pub fn openclip(max_params: Option<u64>) -> Result<Summary, String> {
    let seed_store = LabelStore::seed()?;
    let datasets = seed::openclip_datasets()?;
    let models: Vec<&super::HubModel> = seed_store
        .models
        .iter()
        .filter(|m| m.ecosystem == "open_clip" && max_params.is_none_or(|max| m.params.is_some_and(|p| p <= max)))
        .collect();
    let score_of = |m: &super::HubModel, label: &str| m.labels.iter().find(|l| l.label == label).and_then(|l| l.weight);
    let mut rows = Vec::new();
    for d in &datasets {
        let (col, label, task, domains) = (&d.column, &d.label, &d.task, &d.domains);
        // The store as the selector sees it: open_clip models without the hidden column.
        let mut store = LabelStore { dag: seed_store.dag.clone(), ..Default::default() };
        let mut score: HashMap<usize, f64> = HashMap::new();
        for m in &models {
            let mut m2 = (*m).clone();
            m2.labels.retain(|l| &l.label != label);
            if let Some(s) = score_of(m, label) {
                score.insert(store.models.len(), s);
            }
            store.upsert(m2);
        }
        store.finish();
        let Some(oracle) = score.values().copied().reduce(f64::max) else { continue };
        let mut required = vec![task.clone()];
        required.extend(domains.iter().map(|d| format!("domain:{d}")));
        let c = Constraints { ecosystem: Some("open_clip".into()), ..Default::default() };
        let ranked = rank(&store, &required, &c, &HashMap::new());
        let picked: Vec<usize> = ranked.iter().map(|r| r.model).collect();
        // Label-blind baselines, on the same hidden table.
        let others: Vec<&str> = datasets.iter().filter(|o| &o.label != label).map(|o| o.label.as_str()).collect();
        let avg = |i: usize| {
            let m = &store.models[i];
            let v: Vec<f64> = others.iter().filter_map(|l| score_of(m, l)).collect();
            if v.is_empty() {
                f64::NEG_INFINITY
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            }
        };
        let mut by_avg: Vec<usize> = (0..store.models.len()).collect();
        by_avg.sort_by(|&a, &b| avg(b).total_cmp(&avg(a)).then(a.cmp(&b)));
        let largest = (0..store.models.len()).max_by_key(|&i| (store.models[i].params.unwrap_or(0), std::cmp::Reverse(i)));
        rows.push(Row {
            dataset: col.clone(),
            labels: required.clone(),
            oracle,
            top1: picked.first().map(|&i| store.models[i].id.clone()).unwrap_or_default(),
            regret1: regret(oracle, &picked[..picked.len().min(1)], &score),
            regret5: regret(oracle, &picked[..picked.len().min(5)], &score),
            baseline_avg_regret1: regret(oracle, &by_avg[..by_avg.len().min(1)], &score),
            baseline_avg_regret5: regret(oracle, &by_avg[..by_avg.len().min(5)], &score),
            baseline_largest_regret: regret(oracle, &largest.into_iter().collect::<Vec<_>>(), &score),
        });
    }
    let n = rows.len().max(1) as f64;
    let m = |f: &dyn Fn(&Row) -> f64| rows.iter().map(f).sum::<f64>() / n;
    Ok(Summary {
        datasets: rows.len(),
        models: models.len(),
        max_params,
        mean_regret1: m(&|r| r.regret1),
        mean_regret5: m(&|r| r.regret5),
        within_001_top5: rows.iter().filter(|r| r.regret5 <= 0.01 + 1e-9).count(),
        baseline_avg_regret1: m(&|r| r.baseline_avg_regret1),
        baseline_avg_regret5: m(&|r| r.baseline_avg_regret5),
        baseline_avg_within_001_top5: rows.iter().filter(|r| r.baseline_avg_regret5 <= 0.01 + 1e-9).count(),
        baseline_largest_regret: m(&|r| r.baseline_largest_regret),
        rows,
    })
}

impl Summary {
    pub fn render(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "Leave-one-dataset-out selection on open_clip: {} datasets, {} models{}\n\n",
            self.datasets,
            self.models,
            self.max_params.map(|p| format!(" of at most {} parameters", super::human_count(p))).unwrap_or_default()
        ));
        s.push_str(&format!(
            "{:<24} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8}  {}\n",
            "dataset", "oracle", "regret@1", "regret@5", "avg@1", "avg@5", "largest", "top 1 by labels"
        ));
        for r in &self.rows {
            s.push_str(&format!(
                "{:<24} {:>7.4} {:>8.4} {:>8.4} {:>8.4} {:>8.4} {:>8.4}  {}\n",
                r.dataset,
                r.oracle,
                r.regret1,
                r.regret5,
                r.baseline_avg_regret1,
                r.baseline_avg_regret5,
                r.baseline_largest_regret,
                r.top1
            ));
        }
        s.push_str(&format!("\n{:<32} {:>9} {:>9} {:>20}\n", "method", "regret@1", "regret@5", "top 5 within 0.01"));
        s.push_str(&format!(
            "{:<32} {:>9.4} {:>9.4} {:>17} of {}\n",
            "labels (mine select)", self.mean_regret1, self.mean_regret5, self.within_001_top5, self.datasets
        ));
        s.push_str(&format!(
            "{:<32} {:>9.4} {:>9.4} {:>17} of {}\n",
            "average on other datasets",
            self.baseline_avg_regret1,
            self.baseline_avg_regret5,
            self.baseline_avg_within_001_top5,
            self.datasets
        ));
        s.push_str(&format!("{:<32} {:>9.4} {:>9}\n", "largest model", self.baseline_largest_regret, "-"));
        s
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_benchmark_covers_every_dataset_and_its_baseline_matches_the_published_figures() {
        let s = super::openclip(None).expect("benchmark");
        assert_eq!(s.datasets, 38);
        assert_eq!(s.models, 121);
        // The label-blind baseline reproduces the figures (0.035 / 0.010 / 30 of 38 / 0.050).
        assert!((s.baseline_avg_regret1 - 0.035).abs() < 0.0015, "{}", s.baseline_avg_regret1);
        assert!((s.baseline_avg_regret5 - 0.010).abs() < 0.0015, "{}", s.baseline_avg_regret5);
        assert!((s.baseline_largest_regret - 0.050).abs() < 0.0015, "{}", s.baseline_largest_regret);
        assert!(s.rows.iter().all(|r| r.regret1 >= 0.0 && r.regret5 <= r.regret1));
    }
}
