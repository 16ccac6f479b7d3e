//! Repository-level facts from the files' facts: the ML-enabled verdict,
//! the transformers version a repository pins, the default model of
//! `pipeline(task)` calls for that version, and which committed weights file
//! a load reads. Pure: facts in, facts out.

use crate::catalog::Catalog;
use crate::manifest::pinned_version;
use crate::modelid::{normalize_path, IdKind};
use schemas::{Artifact, FileReport, Resolvable};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Libraries whose use makes a repository ML-enabled.
#[derive(Debug, Clone, Default)]
pub struct MlLibraries {
    /// import name -> (library name reported, core framework of the study)
    by_import: HashMap<String, (String, bool)>,
    /// normalised distribution name -> library name reported (its import name)
    by_dist: HashMap<String, (String, bool)>,
}

impl MlLibraries {
    pub fn from_csv(text: &str) -> Result<MlLibraries, String> {
        let mut out = MlLibraries::default();
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        for rec in rdr.records() {
            let rec = rec.map_err(|e| e.to_string())?;
            let (imp, dist, core) = (rec.get(0).unwrap_or(""), rec.get(1).unwrap_or(""), rec.get(2) == Some("1"));
            if imp.is_empty() || dist.is_empty() {
                return Err(format!("row {:?}: import and distribution are required", rec.position().map(|p| p.line())));
            }
            out.by_import.insert(imp.to_string(), (imp.to_string(), core));
            out.by_dist.insert(crate::manifest::normalize(dist), (imp.to_string(), core));
        }
        Ok(out)
    }

    pub fn by_import(&self, module: &str) -> Option<&(String, bool)> {
        self.by_import.get(module)
    }

    pub fn by_distribution(&self, name: &str) -> Option<&(String, bool)> {
        self.by_dist.get(name)
    }
}

/// `pipeline(task)` default models by transformers version.
#[derive(Debug, Clone, Default)]
pub struct PipelineDefaults {
    /// (version, task, config key) -> (model, revision); versions sorted.
    rows: BTreeMap<(Version, String, String), (String, String)>,
    /// alias -> task
    aliases: HashMap<String, String>,
    versions: Vec<Version>,
}

/// A dotted version, compared number by number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub Vec<u64>, pub String);

impl Version {
    pub fn parse(s: &str) -> Version {
        let nums =
            s.split('.').map(|p| p.chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap_or(0)).collect();
        Version(nums, s.to_string())
    }
}

impl PipelineDefaults {
    pub fn from_csv(text: &str) -> Result<PipelineDefaults, String> {
        let mut out = PipelineDefaults::default();
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let headers = rdr.headers().map_err(|e| e.to_string())?.clone();
        let col = |n: &str| headers.iter().position(|h| h == n).ok_or(format!("no '{n}' column"));
        let (cv, ct, ca, cf, ck, cm, cr) = (
            col("transformers_version")?,
            col("task")?,
            col("aliases")?,
            col("framework")?,
            col("config_key")?,
            col("default_model")?,
            col("default_revision")?,
        );
        let mut versions = BTreeSet::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| e.to_string())?;
            let g = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
            // PyTorch defaults: most repositories load the pt model.
            if g(cf) != "pt" {
                continue;
            }
            let v = Version::parse(&g(cv));
            versions.insert(v.clone());
            for a in g(ca).split(['|', ';', ',']).map(str::trim).filter(|a| !a.is_empty()) {
                out.aliases.insert(a.to_string(), g(ct));
            }
            out.rows.insert((v, g(ct), g(ck)), (g(cm), g(cr)));
        }
        out.versions = versions.into_iter().collect();
        Ok(out)
    }

    /// The table version that applies to a pinned transformers version: the
    /// newest one not newer than the pin (the oldest when the pin is older
    /// than every table), or the newest table without a pin.
    pub fn version_for(&self, pinned: Option<&str>) -> Option<&Version> {
        match pinned {
            None => self.versions.last(),
            Some(p) => {
                let p = Version::parse(p);
                self.versions.iter().rev().find(|v| v.0 <= p.0).or(self.versions.first())
            }
        }
    }

    /// The default (model, revision) of a task for a pinned version.
    pub fn default_for(&self, task: &str, pinned: Option<&str>) -> Option<(&Version, &str, &str)> {
        let v = self.version_for(pinned)?;
        // `translation_en_to_fr` is the translation task with the ('en', 'fr') key.
        let (task, key) = match task.strip_prefix("translation_").and_then(|r| r.split_once("_to_")) {
            Some((a, b)) => ("translation".to_string(), format!("('{a}', '{b}')")),
            None => (self.aliases.get(task).cloned().unwrap_or_else(|| task.to_string()), String::new()),
        };
        let hit = self.rows.get(&(v.clone(), task.clone(), key.clone())).or_else(|| {
            // A task with several config keys and none asked for: the first.
            self.rows
                .range((v.clone(), task.clone(), String::new())..)
                .next()
                .filter(|((rv, rt, _), _)| rv == v && *rt == task)
                .map(|(_, m)| m)
        })?;
        Some((v, hit.0.as_str(), hit.1.as_str()))
    }
}

/// What the repository as a whole comes to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    pub ml_enabled: bool,
    /// Depends on TensorFlow, PyTorch or scikit-learn: the model-integration
    /// study's selection criterion.
    pub ml_core: bool,
    /// ML libraries found (import names), sorted.
    pub ml_libraries: Vec<String>,
    /// library -> where it was found (`requirements.txt`, `import in src/app.py`).
    pub evidence: BTreeMap<String, Vec<String>>,
    pub transformers_version: Option<String>,
}

/// Link one repository's facts: returns the verdict, and fills in pipeline
/// defaults and artefact links on the usages.
pub fn link_repo(files: &mut [FileReport], artifacts: &[Artifact], catalog: &Catalog) -> Verdict {
    let mut v = Verdict::default();
    let mut core = false;
    for f in files.iter() {
        for d in &f.dependencies {
            if let Some((lib, c)) = catalog.ml_libraries.by_distribution(&d.name) {
                core |= c;
                v.evidence.entry(lib.clone()).or_default().push(f.path.clone());
            }
            if d.name == "transformers" && v.transformers_version.is_none() {
                v.transformers_version = d.spec.as_deref().and_then(pinned_version);
            }
        }
        for m in &f.imports {
            if let Some((lib, c)) = catalog.ml_libraries.by_import(m) {
                core |= c;
                let e = v.evidence.entry(lib.clone()).or_default();
                if e.len() < 5 {
                    e.push(format!("import in {}", f.path));
                }
            }
        }
    }
    v.ml_libraries = v.evidence.keys().cloned().collect();
    v.ml_enabled = !v.ml_libraries.is_empty();
    v.ml_core = core;
    fill_pipeline_defaults(files, v.transformers_version.as_deref(), catalog);
    link_artifacts(files, artifacts);
    v
}

/// `pipeline(task)` with no model loads the task's default model.
fn fill_pipeline_defaults(files: &mut [FileReport], pinned: Option<&str>, catalog: &Catalog) {
    for f in files.iter_mut() {
        for u in f.usages.iter_mut() {
            let Some(rule) = catalog.rule(&u.rule) else { continue };
            if u.model.is_some() || u.model_resolvable != Resolvable::Implicit || rule.task.is_none() {
                continue;
            }
            let Some(task) = u.task.as_deref() else { continue };
            if let Some((ver, model, rev)) = catalog.pipeline_defaults.default_for(task, pinned) {
                let c = crate::modelid::canonical(IdKind::Hf, &u.ecosystem, model, "", &catalog.legacy_ids);
                u.model = Some(model.to_string());
                u.model_id = Some(c.model_id);
                if u.revision.is_none() && !rev.is_empty() {
                    u.revision = Some(rev.to_string());
                }
                let basis = match pinned {
                    Some(p) => format!("transformers=={p} pinned"),
                    None => "no transformers pin: newest".to_string(),
                };
                u.notes = Some(format!("default model of pipeline task '{task}' in transformers {} ({basis})", ver.1));
            }
        }
    }
}

/// A `file` load whose path names a committed weights file links to it.
fn link_artifacts(files: &mut [FileReport], artifacts: &[Artifact]) {
    if artifacts.is_empty() {
        return;
    }
    for f in files.iter_mut() {
        let dir = f.path.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_default();
        for u in f.usages.iter_mut() {
            let Some(path) = u.model_id.as_deref().and_then(|m| m.strip_prefix("file:")) else { continue };
            let path = normalize_path(path);
            let from_file_dir = if dir.is_empty() { path.clone() } else { format!("{dir}/{path}") };
            let hit = artifacts
                .iter()
                .find(|a| a.path == path || a.path == from_file_dir)
                .or_else(|| artifacts.iter().find(|a| a.path.ends_with(&format!("/{path}"))));
            if let Some(a) = hit {
                u.artifact = Some(a.path.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipeline_defaults_follow_the_pinned_version() {
        let c = Catalog::embedded().expect("catalog");
        let d = &c.pipeline_defaults;
        let (v, m, _) = d.default_for("sentiment-analysis", Some("4.40.0")).expect("default");
        assert_eq!((v.1.as_str(), m), ("4.37.2", "distilbert-base-uncased-finetuned-sst-2-english"));
        assert_eq!(d.version_for(Some("4.2.0")).map(|v| v.1.as_str()), Some("4.37.2"));
        assert_eq!(d.version_for(None).map(|v| v.1.as_str()), Some("5.24.0"));
        assert!(d.default_for("translation_en_to_fr", Some("4.37.2")).is_some());
        assert!(d.default_for("no-such-task", None).is_none());
    }

    #[test]
    fn verdict_from_manifests_and_imports() {
        let c = Catalog::embedded().expect("catalog");
        let mut files = vec![
            FileReport {
                path: "requirements.txt".into(),
                kind: schemas::FileKind::Manifest,
                bytes: 0,
                syntax_errors: false,
                error: None,
                usages: vec![],
                dependencies: vec![schemas::Dependency { name: "transformers".into(), spec: Some("==4.46.3".into()) }],
                imports: vec![],
            },
            FileReport {
                path: "app.py".into(),
                kind: schemas::FileKind::Python,
                bytes: 0,
                syntax_errors: false,
                error: None,
                usages: vec![],
                dependencies: vec![],
                imports: vec!["os".into(), "sklearn".into()],
            },
        ];
        let v = link_repo(&mut files, &[], &c);
        assert!(v.ml_enabled && v.ml_core);
        assert_eq!(v.ml_libraries, vec!["sklearn", "transformers"]);
        assert_eq!(v.transformers_version.as_deref(), Some("4.46.3"));
        let mut plain = vec![FileReport { imports: vec!["os".into()], ..files[1].clone() }];
        assert!(!link_repo(&mut plain, &[], &c).ml_enabled);
    }
}
