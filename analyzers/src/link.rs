//! Repository-level facts from the files' facts: the ML-enabled verdict,
//! the transformers version a repository pins, the default model of
//! `pipeline(task)` calls for that version, and which committed weights file
//! a load reads. Pure: facts in, facts out.

use crate::catalog::Catalog;
use crate::manifest::pinned_version;
use crate::modelid::{normalize_path, IdKind};
use crate::usage::{Export, PendingCall, PendingValue};
use crate::FileFacts;
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

/// The dotted module names a repository file can be imported as: every
/// suffix of its path (`src/app/llm.py` is `src.app.llm`, `app.llm` and
/// `llm`: scripts import their neighbours, packages live under `src/`).
pub fn module_names(path: &str) -> Vec<String> {
    let Some(stem) = path.strip_suffix(".py") else { return Vec::new() };
    let mut parts: Vec<&str> = stem.split('/').filter(|p| !p.is_empty()).collect();
    if parts.last() == Some(&"__init__") {
        parts.pop();
    }
    let ok = |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_');
    (0..parts.len()).filter(|&i| parts[i..].iter().all(ok)).map(|i| parts[i..].join(".")).collect()
}

/// What a pass over a file's bytes finds before any parse.
#[derive(Debug, Clone, Default)]
pub struct ByteScan {
    /// The modules it imports, by a line scan (`python::quick_import_modules`).
    pub imports: Vec<String>,
    /// Its code holds a rule's words (`Catalog::may_match`).
    pub words: bool,
}

impl ByteScan {
    /// Scan a Python source or a notebook's code.
    pub fn of(path: &str, kind: schemas::FileKind, bytes: Vec<u8>, catalog: &crate::Catalog) -> ByteScan {
        let code = match kind {
            schemas::FileKind::Notebook => crate::decode_source(&bytes)
                .ok()
                .and_then(|b| crate::notebook::parse_notebook(&b).ok())
                .map(|n| n.python)
                .unwrap_or_default(),
            _ => crate::source_text(bytes),
        };
        let package = crate::python::package_of(path);
        ByteScan {
            imports: crate::python::quick_import_modules(&code, &package),
            words: catalog.may_match(code.as_bytes(), &package),
        }
    }
}

/// The byte scan of each file, from its path and bytes (Python sources or
/// notebooks), as the pipeline's first pass makes it.
pub fn scan_sources(files: &[(String, Vec<u8>)], catalog: &crate::Catalog) -> Vec<(String, ByteScan)> {
    files
        .iter()
        .map(|(p, b)| {
            let kind = crate::classify_path(p).unwrap_or(schemas::FileKind::Python);
            (p.clone(), ByteScan::of(p, kind, b.clone(), catalog))
        })
        .collect()
}

/// What the analysis of one file needs to know of the whole repository.
#[derive(Debug, Clone, Default)]
pub struct RepoContext {
    /// First segments of every module name of the repository.
    pub roots: crate::python::Names,
    /// Files a run with the prefilter parses: their code holds a rule's
    /// words, or they import a module of the repository (a call through it
    /// may be a load), or another file imports them (their names may be a
    /// model or a client).
    pub parse: crate::python::Names,
    /// Skip parsing files the prefilter rules out (`--no-prefilter` turns it off).
    pub prefilter: bool,
    /// Leave the topology of files that load nothing untraced; the caller
    /// traces the ones `topology::Demand` asks for (`FileFacts::topology_deferred`).
    pub lazy_topology: bool,
    /// With `lazy_topology`: the demand of the files analysed so far; a
    /// file it wants is traced at once.
    pub demand: Option<std::sync::Arc<crate::topology::SharedDemand>>,
}

impl RepoContext {
    /// From every Python file's path and byte scan, and the files each
    /// imports (`import_graph` of the same files).
    pub fn build(files: &[(String, ByteScan)], imports: &[Vec<usize>]) -> RepoContext {
        let roots = module_roots(files.iter().map(|(p, _)| p.as_str()));
        let mut parse = crate::python::Names::default();
        for ((path, scan), imported) in files.iter().zip(imports) {
            if scan.words || scan.imports.iter().any(|m| roots.contains(m.split('.').next().unwrap_or(m))) {
                parse.insert(path.clone());
            }
            parse.extend(imported.iter().map(|&j| files[j].0.clone()));
        }
        RepoContext { roots, parse, prefilter: true, lazy_topology: false, demand: None }
    }

    /// From the files' paths and bytes (Python sources or notebooks).
    pub fn from_sources(files: &[(String, Vec<u8>)], catalog: &crate::Catalog) -> RepoContext {
        let scans = scan_sources(files, catalog);
        RepoContext::build(&scans, &import_graph(&scans))
    }

    pub fn needs_parse(&self, path: &str) -> bool {
        self.parse.contains(path)
    }
}

/// First segments of the module names of these paths (`module_names`):
/// every module of the repository starts with one.
pub fn module_roots<'a>(paths: impl IntoIterator<Item = &'a str>) -> crate::python::Names {
    paths
        .into_iter()
        .flat_map(module_names)
        .map(|m| match m.split_once('.') {
            Some((root, _)) => root.to_string(),
            None => m,
        })
        .collect()
}

/// Each module name (`module_names`) to the indices of the paths that define it.
fn files_by_module<'a>(paths: impl Iterator<Item = &'a str>) -> HashMap<String, Vec<usize>> {
    let mut by_module: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, path) in paths.enumerate() {
        for m in module_names(path) {
            by_module.entry(m).or_default().push(i);
        }
    }
    by_module
}

/// The repository files each file imports (`ByteScan::imports` through
/// `module_names`), as indices into `files`, ascending; never the file itself.
pub fn import_graph(files: &[(String, ByteScan)]) -> Vec<Vec<usize>> {
    let by_module = files_by_module(files.iter().map(|(p, _)| p.as_str()));
    files
        .iter()
        .enumerate()
        .map(|(i, (_, scan))| {
            let mut d: Vec<usize> =
                scan.imports.iter().filter_map(|m| by_module.get(m)).flatten().copied().filter(|&j| j != i).collect();
            d.sort_unstable();
            d.dedup();
            d
        })
        .collect()
}

/// The order the analysis takes `files` in: each after the repository files
/// it imports (`dependency_order` over `imports`, their `import_graph`),
/// shallower paths first where imports do not decide (a package's base
/// modules tend to sit above the modules that build on them).
pub fn analysis_order(files: &[(String, ByteScan)], imports: &[Vec<usize>]) -> Vec<usize> {
    let mut by_depth: Vec<usize> = (0..files.len()).collect();
    by_depth.sort_by_key(|&i| (files[i].0.matches('/').count(), i));
    dependency_order(imports, &by_depth)
}

/// `order` (indices into `imports`, the `import_graph`) rearranged so that
/// each file comes after the repository files it imports, as far as import
/// cycles allow; ties keep `order`. Analysed in this order, a module is
/// done before the modules that import it, so what it offers
/// (`topology::SharedDemand`) is known when they are traced, and fewer of
/// them wait to be parsed again.
fn dependency_order(imports: &[Vec<usize>], order: &[usize]) -> Vec<usize> {
    // Depth-first, each file after its imports (post-order), without recursion.
    let mut seen = vec![false; imports.len()];
    let mut out = Vec::with_capacity(order.len());
    // (file, how many of its imports are visited)
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for &start in order {
        if seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push((start, 0));
        while let Some((i, next)) = stack.last_mut() {
            match imports[*i].get(*next) {
                Some(&j) => {
                    *next += 1;
                    if !seen[j] {
                        seen[j] = true;
                        stack.push((j, 0));
                    }
                }
                None => {
                    out.push(*i);
                    stack.pop();
                }
            }
        }
    }
    // Only the files asked for, in the new order.
    let mut wanted = vec![false; imports.len()];
    for &i in order {
        wanted[i] = true;
    }
    out.retain(|&i| wanted[i]);
    out
}

/// Module names to the files that define them, and each file's exports.
struct ModuleIndex<'a> {
    modules: HashMap<String, Vec<usize>>,
    exports: Vec<HashMap<&'a str, &'a Export>>,
    paths: Vec<&'a str>,
}

impl<'a> ModuleIndex<'a> {
    fn build(facts: &'a [FileFacts]) -> ModuleIndex<'a> {
        let modules = files_by_module(facts.iter().map(|f| f.report.path.as_str()));
        let exports = facts.iter().map(|f| f.exports.iter().map(|(n, e)| (n.as_str(), e)).collect()).collect();
        ModuleIndex { modules, exports, paths: facts.iter().map(|f| f.report.path.as_str()).collect() }
    }

    /// The file a module name refers to, preferring one beside the importer.
    fn file_of(&self, module: &str, importer: &str) -> Option<usize> {
        let cands = self.modules.get(module)?;
        let dir = importer.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        cands
            .iter()
            .copied()
            .find(|&i| self.paths[i].rsplit_once('/').map(|(d, _)| d).unwrap_or("") == dir)
            .or_else(|| cands.iter().copied().min_by_key(|&i| self.paths[i].len()))
    }

    /// Replace the longest repository-module prefix of a qualified name by
    /// what the named export stands for; None when nothing applies.
    fn substitute(&self, q: &str, importer: &str) -> Option<Substituted> {
        let segs: Vec<&str> = q.split('.').collect();
        for k in (1..segs.len()).rev() {
            if segs[..k].iter().any(|s| s.contains(['(', '['])) {
                continue;
            }
            let module = segs[..k].join(".");
            let Some(file) = self.file_of(&module, importer) else { continue };
            // The longest exported name first: class attributes export as
            // dotted names (`Config.Model.LLM`).
            let (end, e, called) = (k + 1..=segs.len()).rev().find_map(|end| {
                let mut name = segs[k..end].join(".");
                let called = name.ends_with("()");
                if called {
                    name.truncate(name.len() - 2);
                }
                if name.contains("()") {
                    return None;
                }
                // a keyed item (`PIPELINES[img2img]`), else any item (`PIPELINES[]`)
                let any = match name.strip_suffix(']').and_then(|n| n.rsplit_once('[')) {
                    Some((base, key)) if !key.is_empty() => Some(format!("{base}[]")),
                    _ => None,
                };
                let exports = &self.exports[file];
                exports.get(name.as_str()).or_else(|| any.as_deref().and_then(|a| exports.get(a))).map(|e| (end, *e, called))
            })?;
            let rest: String = segs[end..].iter().map(|s| format!(".{s}")).collect();
            let file = self.paths[file].to_string();
            return match (e, called) {
                (Export::Value(v), false) => Some(Substituted::Name(format!("{v}{rest}"), file, false)),
                (Export::Value(v), true) => Some(Substituted::Name(format!("{v}(){rest}"), file, false)),
                (Export::AnyItem(v), false) => Some(Substituted::Name(format!("{v}{rest}"), file, true)),
                (Export::AnyItem(v), true) => Some(Substituted::Name(format!("{v}(){rest}"), file, true)),
                (Export::Returns(v), true) => Some(Substituted::Name(format!("{v}{rest}"), file, false)),
                (Export::Str(s, kind), false) if rest.is_empty() => Some(Substituted::Str(s.clone(), *kind)),
                _ => None,
            };
        }
        None
    }

    /// Follow re-exports until the name leaves the repository's modules.
    fn resolve(&self, q: &str, importer: &str) -> Option<Substituted> {
        let mut cur = q.to_string();
        let mut from = importer.to_string();
        let mut last = None;
        let mut any = false;
        for _ in 0..8 {
            match self.substitute(&cur, &from) {
                Some(Substituted::Name(n, file, a)) => {
                    cur = n.clone();
                    from = file.clone();
                    any |= a;
                    last = Some(Substituted::Name(n, file, any));
                }
                Some(s @ Substituted::Str(..)) => return Some(s),
                None => break,
            }
        }
        last
    }
}

enum Substituted {
    /// A qualified name, the file whose export produced it, and whether it
    /// is only one of a registry's values (`Export::AnyItem`) on the way.
    Name(String, String, bool),
    Str(String, Resolvable),
}

/// Configuration files of the repository, parsed, by repository path.
pub type Configs = HashMap<String, serde_json::Value>;

/// Where a configuration path written in `importer` may be in the
/// repository: relative to the root (where programs usually run), relative
/// to the importing file, or the one known file it is a suffix of.
pub fn config_candidates(path: &str, importer: &str, known: &[String]) -> Vec<String> {
    let p = crate::modelid::normalize_path(path);
    let mut out = vec![p.clone()];
    if let Some((dir, _)) = importer.rsplit_once('/') {
        out.push(format!("{dir}/{p}"));
    }
    let suffix = format!("/{p}");
    let hits: Vec<&String> = known.iter().filter(|k| k.ends_with(&suffix)).collect();
    if hits.len() == 1 {
        out.push(hits[0].clone());
    }
    out
}

/// The configuration paths the analysed files read, with their candidates.
pub fn config_paths_wanted(facts: &[FileFacts], known: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for f in facts {
        let refs = f.pending_models.iter().filter_map(|(_, p)| match p {
            PendingValue::Config(c) => Some(c),
            PendingValue::Import(_) => None,
        });
        let calls = f
            .pending
            .iter()
            .flat_map(|p| p.args.positional.iter().chain(p.args.keywords.iter().map(|(_, a)| a)))
            .filter_map(|a| a.config_ref.as_ref());
        for c in refs.chain(calls) {
            out.extend(config_candidates(&c.path, &f.report.path, known));
        }
    }
    out.sort();
    out.dedup();
    out
}

fn read_config(c: &crate::config::ConfigRef, importer: &str, configs: &Configs) -> Option<String> {
    let known: Vec<String> = configs.keys().cloned().collect();
    config_candidates(&c.path, importer, &known)
        .iter()
        .find_map(|p| configs.get(p))
        .and_then(|doc| crate::config::lookup(doc, &c.keys))
}

/// Match the calls and values that go through the repository's own modules:
/// a client created in one module and called in another, a model name kept
/// in a config module or a configuration file.
pub fn link_cross_file(facts: &mut [FileFacts], catalog: &Catalog, configs: &Configs) {
    let mut new_usages: Vec<(usize, usize, schemas::ModelUsage)> = Vec::new();
    let mut models: Vec<(usize, usize, String, Resolvable)> = Vec::new();
    {
        let index = ModuleIndex::build(facts);
        for (fi, f) in facts.iter().enumerate() {
            let importer = f.report.path.as_str();
            for (k, p) in f.pending.iter().enumerate() {
                if let Some(u) = match_pending(p, importer, &index, catalog, configs) {
                    new_usages.push((fi, k, u));
                }
            }
            for (ui, r) in &f.pending_models {
                if let Some((v, kind)) = resolve_pending(r, importer, &index, configs) {
                    models.push((fi, *ui, v, kind));
                }
            }
        }
    }
    for (fi, ui, v, kind) in models {
        let u = &mut facts[fi].report.usages[ui];
        if let Some(rule) = catalog.rule(&u.rule) {
            crate::usage::set_model(u, rule, v, kind, catalog);
        }
    }
    // Pending calls that are loads become topology nodes; the others go.
    let mut resolved: Vec<HashMap<usize, usize>> = vec![HashMap::new(); facts.len()];
    for (fi, k, u) in new_usages {
        if u.source != schemas::Source::Aux {
            resolved[fi].insert(k, facts[fi].report.usages.len());
        }
        facts[fi].report.usages.push(u);
    }
    for (f, r) in facts.iter_mut().zip(&resolved) {
        let pending = crate::topology::PENDING;
        f.remap_models(|m| if m >= pending { r.get(&(m - pending)).copied() } else { Some(m) });
        f.sort_usages();
    }
}

fn resolve_pending(p: &PendingValue, importer: &str, index: &ModuleIndex<'_>, configs: &Configs) -> Option<(String, Resolvable)> {
    match p {
        PendingValue::Import(r) => match index.resolve(r, importer)? {
            Substituted::Str(v, kind) => Some((v, if kind == Resolvable::Literal { Resolvable::Constant } else { kind })),
            Substituted::Name(..) => None,
        },
        PendingValue::Config(c) => read_config(c, importer, configs).map(|v| (v, Resolvable::Config)),
    }
}

fn match_pending(
    p: &PendingCall,
    importer: &str,
    index: &ModuleIndex<'_>,
    catalog: &Catalog,
    configs: &Configs,
) -> Option<schemas::ModelUsage> {
    let Some(Substituted::Name(q, _, any)) = index.resolve(&p.callee, importer) else { return None };
    let api = if any { p.written.clone() } else { q.replace("()", "") };
    let (rule, (mut u, pending_model)) = catalog
        .rules_for(&q)
        .into_iter()
        .find_map(|r| crate::usage::build(r, api.clone(), &p.args, &p.site, catalog).map(|b| (r, b)))?;
    if let Some(r) = pending_model {
        if let Some((v, kind)) = resolve_pending(&r, importer, index, configs) {
            crate::usage::set_model(&mut u, rule, v, kind, catalog);
        }
    }
    if rule.judge_object {
        // The object cannot be judged from another module's names.
        u.confidence = schemas::Confidence::Low;
    }
    Some(u)
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
            let Some(task) = u.task.clone() else { continue };
            if let Some((ver, model, rev)) = catalog.pipeline_defaults.default_for(&task, pinned) {
                let c = crate::modelid::canonical(IdKind::Hf, &u.ecosystem, model, "", &catalog.legacy_ids);
                u.model = Some(model.to_string());
                u.model_id = Some(c.model_id);
                if u.revision.is_none() && !rev.is_empty() {
                    u.revision = Some(rev.to_string());
                }
                // The defaults table pins a revision: re-assess pinning.
                crate::usage::assess(u, rule, &crate::usage::CallArgs::default());
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
    fn module_names_are_every_suffix() {
        assert_eq!(module_names("src/app/llm.py"), vec!["src.app.llm", "app.llm", "llm"]);
        assert_eq!(module_names("app/__init__.py"), vec!["app"]);
        assert_eq!(module_names("my-scripts/run.py"), vec!["run"]);
        assert!(module_names("nb.ipynb").is_empty());
    }

    #[test]
    fn modules_come_before_their_importers() {
        let c = Catalog::embedded().expect("catalog");
        let files: Vec<(String, ByteScan)> = [
            ("app/__init__.py", "from .chat import ask\n"),
            ("app/chat.py", "from .llm import make\nfrom app.config import MODEL\nimport torch\n"),
            ("app/llm.py", "from . import config\nfrom .chat import ask\n"),
            ("app/config.py", "MODEL = 'x'\n"),
            ("tools/run.py", "import app.chat\n"),
        ]
        .iter()
        .map(|(p, t)| (p.to_string(), ByteScan::of(p, schemas::FileKind::Python, t.as_bytes().to_vec(), &c)))
        .collect();
        let name = |o: Vec<usize>| o.into_iter().map(|i| files[i].0.as_str()).collect::<Vec<_>>();
        // chat imports llm, which imports chat back: the cycle is broken
        // where the walk entered it; config, imported by both, goes first.
        assert_eq!(
            name(dependency_order(&import_graph(&files), &[0, 1, 2, 3, 4])),
            ["app/config.py", "app/llm.py", "app/chat.py", "app/__init__.py", "tools/run.py"]
        );
        // only the files asked for, still after what they import
        assert_eq!(name(dependency_order(&import_graph(&files), &[4, 3])), ["app/config.py", "tools/run.py"]);
    }

    fn repo(files: &[(&str, &str)]) -> Vec<FileFacts> {
        let c = Catalog::embedded().expect("catalog");
        let listing: Vec<(String, Vec<u8>)> = files.iter().map(|(p, t)| (p.to_string(), t.as_bytes().to_vec())).collect();
        let ctx = RepoContext::from_sources(&listing, &c);
        let mut facts: Vec<FileFacts> =
            files.iter().map(|(p, t)| crate::analyze_repo_file(p, schemas::FileKind::Python, t.as_bytes(), &c, &ctx)).collect();
        link_cross_file(&mut facts, &c, &Configs::new());
        facts
    }

    #[test]
    fn clients_and_constants_across_modules() {
        let facts = repo(&[
            ("app/__init__.py", "from .llm import client\n"),
            ("app/config.py", "MODEL = 'gpt-4o-mini'\nEMBED = 'bert-base-uncased'\n"),
            ("app/llm.py", "from openai import OpenAI\nclient = OpenAI()\ndef make():\n    return OpenAI()\n"),
            (
                "app/chat.py",
                "from app import client\nfrom .llm import make\nfrom .config import MODEL, EMBED\nfrom transformers import AutoModel\n\
                 def ask(q):\n    return client.chat.completions.create(model=MODEL, messages=[q])\n\
                 c2 = make()\nc2.embeddings.create(model='text-embedding-3-small', input=['x'])\n\
                 m = AutoModel.from_pretrained(EMBED)\n",
            ),
            ("scripts/run.py", "import helpers\nhelpers.client.chat.completions.create(model='o3', messages=[])\n"),
            ("rb/config.py", "class Config:\n    class Model:\n        LOCAL_LLM = 'gemma2:9b'\n"),
            (
                "rb/model.py",
                "from langchain_ollama import ChatOllama\nfrom rb.config import Config\n\
                 class Local:\n    NAME = 'phi3'\n\
                 a = ChatOllama(model=Config.Model.LOCAL_LLM)\nb = ChatOllama(model=Local.NAME)\n",
            ),
            ("scripts/helpers.py", "import openai\nclient = openai.OpenAI()\n"),
        ]);
        let chat = &facts[3].report.usages;
        let rows: Vec<(u32, &str, Option<&str>, Resolvable)> = chat
            .iter()
            .map(|u| {
                let schemas::Location::Line(l) = u.location else { unreachable!() };
                (l, u.api.as_str(), u.model.as_deref(), u.model_resolvable)
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                (6, "openai.OpenAI.chat.completions.create", Some("gpt-4o-mini"), Resolvable::Constant),
                (8, "openai.OpenAI.embeddings.create", Some("text-embedding-3-small"), Resolvable::Literal),
                (9, "transformers.AutoModel.from_pretrained", Some("bert-base-uncased"), Resolvable::Constant),
            ]
        );
        assert_eq!(chat[2].model_id.as_deref(), Some("huggingface:google-bert/bert-base-uncased"));
        let run = &facts[4].report.usages;
        assert_eq!(run.len(), 1, "a script's neighbour module: {run:?}");
        assert_eq!(run[0].model.as_deref(), Some("o3"));
        let classes: Vec<(Option<&str>, Resolvable)> =
            facts[6].report.usages.iter().map(|u| (u.model.as_deref(), u.model_resolvable)).collect();
        assert_eq!(classes, vec![(Some("gemma2:9b"), Resolvable::Constant), (Some("phi3"), Resolvable::Constant)]);
    }

    #[test]
    fn relative_imports_below_a_folder_that_is_no_package() {
        let facts = repo(&[
            ("my-app/pkg/__init__.py", ""),
            ("my-app/pkg/config.py", "MODEL = 'bert-base-uncased'\n"),
            (
                "my-app/pkg/load.py",
                "from transformers import AutoModel\nfrom .config import MODEL\nm = AutoModel.from_pretrained(MODEL)\n",
            ),
        ]);
        let u = &facts[2].report.usages;
        assert_eq!(u.len(), 1);
        assert_eq!((u[0].model.as_deref(), u[0].model_resolvable), (Some("bert-base-uncased"), Resolvable::Constant));
    }

    #[test]
    fn model_names_read_from_configuration_files() {
        let c = Catalog::embedded().expect("catalog");
        let files = [(
            "svc/model.py",
            "import json, yaml, configparser, torch\nfrom transformers import AutoModel\n\
                 with open('config.json') as f:\n    config = json.load(f)\n\
                 settings = yaml.safe_load(open('conf/settings.yaml'))\n\
                 ini = configparser.ConfigParser()\nini.read('svc/app.ini')\n\
                 a = AutoModel.from_pretrained(config['BERT_MODEL'])\n\
                 b = torch.load(config.get('WEIGHTS'))\n\
                 d = AutoModel.from_pretrained(settings['model']['name'])\n\
                 e = AutoModel.from_pretrained(ini.get('model', 'name'))\n\
                 g = AutoModel.from_pretrained(config['MISSING'])\n",
        )];
        let listing: Vec<(String, Vec<u8>)> = files.iter().map(|(p, t)| (p.to_string(), t.as_bytes().to_vec())).collect();
        let ctx = RepoContext::from_sources(&listing, &c);
        let mut facts: Vec<FileFacts> =
            files.iter().map(|(p, t)| crate::analyze_repo_file(p, schemas::FileKind::Python, t.as_bytes(), &c, &ctx)).collect();
        let known: Vec<String> = ["config.json", "conf/settings.yaml", "svc/app.ini"].iter().map(|s| s.to_string()).collect();
        let wanted = config_paths_wanted(&facts, &known);
        assert!(wanted.contains(&"config.json".to_string()) && wanted.contains(&"svc/app.ini".to_string()), "{wanted:?}");
        let mut configs = Configs::new();
        let docs: [(&str, &[u8]); 3] = [
            ("config.json", br#"{"BERT_MODEL": "bert-base-cased", "WEIGHTS": "assets/model.bin"}"#),
            ("conf/settings.yaml", b"model:\n  name: gpt2\n"),
            ("svc/app.ini", b"[model]\nname = distilgpt2\n"),
        ];
        for (p, b) in docs {
            configs.insert(p.to_string(), crate::config::parse(p, b).expect("parses"));
        }
        link_cross_file(&mut facts, &c, &configs);
        let got: Vec<(Option<&str>, Resolvable)> =
            facts[0].report.usages.iter().map(|u| (u.model.as_deref(), u.model_resolvable)).collect();
        assert_eq!(
            got,
            vec![
                (Some("bert-base-cased"), Resolvable::Config),
                (Some("assets/model.bin"), Resolvable::Config),
                (Some("gpt2"), Resolvable::Config),
                (Some("distilgpt2"), Resolvable::Config),
                (None, Resolvable::Dynamic),
            ]
        );
        assert_eq!(facts[0].report.usages[0].model_id.as_deref(), Some("huggingface:google-bert/bert-base-cased"));
    }

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
