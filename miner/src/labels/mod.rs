//! The hub label store: models with labels from a label DAG (modality → task
//! → sub-task, plus dataset, domain, language, library and capability
//! labels), built from the seed embedded in the binary and whatever
//! `mine labels import` / `sync` added to a database.
//!
//! The seed lives only in the binary: a mined database holds the store's
//! tables empty unless the user imports or syncs into it, so mining never
//! pays for the store. Every model row says where it came from (`origin`).

pub mod commands;
pub mod dag;
pub mod evaluate;
pub mod import;
pub mod link;
pub mod recommend;
pub mod seed;
pub mod select;
pub mod sync;

pub use dag::Dag;

use serde::{Deserialize, Serialize};

/// One model of the store, in the import format (`schemas/json/hub-model.schema.json`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubModel {
    /// `ecosystem:canonical-id`, the form usages carry in `model_id`.
    pub id: String,
    /// Defaults to the id's prefix.
    #[serde(default)]
    pub ecosystem: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub library: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downloads: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gated: Option<bool>,
    /// Weights come as safetensors (None: not known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safetensors: Option<bool>,
    /// Loading needs `trust_remote_code`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_code: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_model: Option<String>,
    /// Hosted models: the date the provider retires it, and what replaces it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecation_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<ModelLabel>,
    /// Where the row came from (file and upstream source, or API and date).
    #[serde(default)]
    pub origin: String,
}

/// An edge model → label, with a weight in 0..1 (a benchmark score) when known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelLabel {
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}

impl HubModel {
    pub fn license_family(&self) -> LicenseFamily {
        LicenseFamily::of(self.license.as_deref())
    }
    pub fn add_label(&mut self, label: impl Into<String>, weight: Option<f64>) {
        let label = label.into();
        if let Some(l) = self.labels.iter_mut().find(|l| l.label == label) {
            if l.weight.is_none() {
                l.weight = weight;
            }
        } else {
            self.labels.push(ModelLabel { label, weight });
        }
    }
}

/// License families, best (most permissive) first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LicenseFamily {
    Permissive,
    Copyleft,
    Restricted,
    Unknown,
}

impl LicenseFamily {
    pub fn as_str(self) -> &'static str {
        match self {
            LicenseFamily::Permissive => "permissive",
            LicenseFamily::Copyleft => "copyleft",
            LicenseFamily::Restricted => "restricted",
            LicenseFamily::Unknown => "unknown",
        }
    }
    pub fn parse(s: &str) -> Option<LicenseFamily> {
        match s {
            "permissive" => Some(LicenseFamily::Permissive),
            "copyleft" => Some(LicenseFamily::Copyleft),
            "restricted" => Some(LicenseFamily::Restricted),
            "unknown" => Some(LicenseFamily::Unknown),
            _ => None,
        }
    }
    /// The family of a license id as the Hub and SPDX spell them.
    pub fn of(license: Option<&str>) -> LicenseFamily {
        let Some(l) = license.map(|l| l.trim().to_ascii_lowercase()).filter(|l| !l.is_empty()) else {
            return LicenseFamily::Unknown;
        };
        let l = l.as_str();
        // Non-commercial, no-derivatives, responsible-AI and model-specific
        // community licenses restrict use; share-alike and GPL are copyleft.
        if l.contains("-nc")
            || l.contains("-nd")
            || l.contains("openrail")
            || l.contains("llama")
            || l.contains("gemma")
            || l.contains("research")
            || l.contains("non-commercial")
            || l.contains("noncommercial")
            || matches!(
                l,
                "other"
                    | "deepfloyd-if-license"
                    | "bigscience-bloom-rail-1.0"
                    | "apple-ascl"
                    | "cc-by-nc-4.0"
                    | "fair-noncommercial-research-license"
            )
            || l.starts_with("qwen")
            || l.starts_with("tongyi")
            || l.starts_with("flux")
            || l.starts_with("stabilityai")
            || l.starts_with("health-ai")
        {
            return LicenseFamily::Restricted;
        }
        if l.starts_with("gpl")
            || l.starts_with("agpl")
            || l.starts_with("lgpl")
            || l.contains("-sa")
            || l.starts_with("mpl")
            || l.starts_with("epl")
            || l.starts_with("eupl")
            || l.starts_with("osl")
            || l.contains("odbl")
            || l.starts_with("cc-by-sa")
        {
            return LicenseFamily::Copyleft;
        }
        if l.starts_with("apache")
            || l == "mit"
            || l.starts_with("bsd")
            || l.starts_with("cc-by-4")
            || l.starts_with("cc-by-3")
            || l.starts_with("cc-by-2")
            || l == "cc-by"
            || l.starts_with("cc0")
            || l == "unlicense"
            || l == "wtfpl"
            || l == "zlib"
            || l == "isc"
            || l == "postgresql"
            || l == "afl-3.0"
            || l == "ecl-2.0"
            || l == "bsl-1.0"
            || l == "pddl"
            || l == "c-uda"
            || l == "openai"
            || l == "ms-pl"
            || l == "artistic-2.0"
            || l == "odc-by"
            || l == "cdla-permissive-2.0"
            || l == "cdla-permissive-1.0"
        {
            return LicenseFamily::Permissive;
        }
        LicenseFamily::Unknown
    }
}

/// The store in memory: models, an index from every id and alias (lower
/// case) to a model, the label DAG and an inverted index label → models.
#[derive(Debug, Default)]
pub struct LabelStore {
    pub models: Vec<HubModel>,
    index: rustc_hash::FxHashMap<String, usize>,
    pub dag: Dag,
    by_label: rustc_hash::FxHashMap<String, Vec<usize>>,
    /// Models per origin kind (seed file or import), for `labels stats`.
    pub origins: Vec<(String, usize)>,
}

impl LabelStore {
    /// The embedded seed alone.
    pub fn seed() -> Result<LabelStore, String> {
        let (models, dag) = seed::load()?;
        let mut s = LabelStore { dag, ..Default::default() };
        for m in models {
            s.upsert(m);
        }
        s.finish();
        Ok(s)
    }

    /// Add a model, replacing one with the same id (a later import wins).
    pub fn upsert(&mut self, m: HubModel) {
        let key = m.id.to_ascii_lowercase();
        match self.index.get(&key).copied().filter(|&i| self.models[i].id.eq_ignore_ascii_case(&m.id)) {
            Some(i) => {
                for a in &m.aliases {
                    self.index.insert(a.to_ascii_lowercase(), i);
                }
                self.models[i] = m;
            }
            None => {
                let i = self.models.len();
                self.index.insert(key, i);
                for a in &m.aliases {
                    self.index.entry(a.to_ascii_lowercase()).or_insert(i);
                }
                self.models.push(m);
            }
        }
    }

    /// Build the inverted index and add label nodes the DAG lacks; call after the last upsert.
    pub fn finish(&mut self) {
        self.by_label.clear();
        let mut origins: rustc_hash::FxHashMap<&str, usize> = Default::default();
        for (i, m) in self.models.iter().enumerate() {
            for l in &m.labels {
                // A label's name is copied once, not once per model.
                match self.by_label.get_mut(&l.label) {
                    Some(v) => v.push(i),
                    None => {
                        self.by_label.insert(l.label.clone(), vec![i]);
                    }
                }
            }
            *origins.entry(origin_group(&m.origin)).or_default() += 1;
        }
        let labels: Vec<String> = self.by_label.keys().cloned().collect();
        for l in labels {
            self.dag.ensure(&l);
        }
        let mut o: Vec<(String, usize)> = origins.into_iter().map(|(g, n)| (g.to_string(), n)).collect();
        o.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        self.origins = o;
    }

    pub fn get(&self, id_or_alias: &str) -> Option<&HubModel> {
        self.index.get(&id_or_alias.to_ascii_lowercase()).map(|&i| &self.models[i])
    }

    pub fn position(&self, id_or_alias: &str) -> Option<usize> {
        self.index.get(&id_or_alias.to_ascii_lowercase()).copied()
    }

    /// Models carrying a label directly.
    pub fn with_label(&self, label: &str) -> &[usize] {
        self.by_label.get(label).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn label_count(&self) -> usize {
        self.by_label.len()
    }

    /// Models whose id starts with `prefix` (lower case), for family links.
    pub fn first_with_prefix(&self, prefix: &str) -> Option<usize> {
        let p = prefix.to_ascii_lowercase();
        self.models.iter().position(|m| m.id.len() > p.len() && m.id.get(..p.len()).is_some_and(|x| x.eq_ignore_ascii_case(&p)))
    }
}

/// The source an origin belongs to: `seed:FILE#ROW` → `seed:FILE`,
/// `import:FILE:LINE` → `import:FILE`, `hf-api:URL DATE` as is.
pub fn origin_group(origin: &str) -> &str {
    if let Some((g, _)) = origin.split_once('#') {
        return g;
    }
    if origin.starts_with("import:") {
        if let Some((g, line)) = origin.rsplit_once(':') {
            if line.chars().all(|c| c.is_ascii_digit()) {
                return g;
            }
        }
    }
    origin
}

/// A parameter count with an optional suffix: `30000000`, `200M`, `7B`, `1.5k`.
pub fn parse_count(s: &str) -> Result<u64, String> {
    let t = s.trim().replace('_', "");
    let (num, mult) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&t[..t.len() - 1], 1e3),
        Some('M') => (&t[..t.len() - 1], 1e6),
        Some('B') | Some('G') => (&t[..t.len() - 1], 1e9),
        Some('T') => (&t[..t.len() - 1], 1e12),
        _ => (t.as_str(), 1.0),
    };
    match num.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok((v * mult).round() as u64),
        _ => Err(format!("'{s}' is not a parameter count (e.g. 30000000, 200M, 7B)")),
    }
}

/// A parameter count for people: 110M, 7.2B.
pub fn human_count(n: u64) -> String {
    let f = n as f64;
    if f >= 1e9 {
        format!("{:.1}B", f / 1e9)
    } else if f >= 1e6 {
        format!("{:.0}M", f / 1e6)
    } else if f >= 1e3 {
        format!("{:.0}K", f / 1e3)
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_parse_with_suffixes_and_refuse_garbage() {
        assert_eq!(parse_count("30000000"), Ok(30_000_000));
        assert_eq!(parse_count("200M"), Ok(200_000_000));
        assert_eq!(parse_count("7B"), Ok(7_000_000_000));
        assert_eq!(parse_count("1.5k"), Ok(1_500));
        assert!(parse_count("lots").unwrap_err().contains("'lots' is not a parameter count"));
        assert!(parse_count("-3M").is_err());
    }

    #[test]
    fn license_families() {
        assert_eq!(LicenseFamily::of(Some("apache-2.0")), LicenseFamily::Permissive);
        assert_eq!(LicenseFamily::of(Some("MIT")), LicenseFamily::Permissive);
        assert_eq!(LicenseFamily::of(Some("gpl-3.0")), LicenseFamily::Copyleft);
        assert_eq!(LicenseFamily::of(Some("cc-by-sa-4.0")), LicenseFamily::Copyleft);
        assert_eq!(LicenseFamily::of(Some("cc-by-nc-4.0")), LicenseFamily::Restricted);
        assert_eq!(LicenseFamily::of(Some("llama3.1")), LicenseFamily::Restricted);
        assert_eq!(LicenseFamily::of(Some("creativeml-openrail-m")), LicenseFamily::Restricted);
        assert_eq!(LicenseFamily::of(None), LicenseFamily::Unknown);
        assert_eq!(LicenseFamily::of(Some("")), LicenseFamily::Unknown);
    }
}
