//! The rule catalog: data in `queries/catalog/*.toml`, embedded at build time
//! and overridable with a directory at run time.
//!
//! A rule names the qualified callees (after alias resolution) that load a
//! model, where the model argument is, the conditions under which the call is
//! a load (`pretrained=True`), and the keywords that carry a revision or a
//! risk flag.

use regex::Regex;
use schemas::Source;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use crate::modelid::{IdKind, LegacyIds};

/// The catalog files shipped with the binary, by file name.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("huggingface.toml", include_str!("../../queries/catalog/huggingface.toml")),
    ("pytorch.toml", include_str!("../../queries/catalog/pytorch.toml")),
    ("vision.toml", include_str!("../../queries/catalog/vision.toml")),
    ("keras.toml", include_str!("../../queries/catalog/keras.toml")),
    ("serialized.toml", include_str!("../../queries/catalog/serialized.toml")),
    ("hosted.toml", include_str!("../../queries/catalog/hosted.toml")),
    ("http.toml", include_str!("../../queries/catalog/http.toml")),
    ("nlp.toml", include_str!("../../queries/catalog/nlp.toml")),
    ("speech.toml", include_str!("../../queries/catalog/speech.toml")),
];

/// Data the catalog uses to canonicalise model ids.
pub const EMBEDDED_LEGACY_IDS: &str = include_str!("../../queries/data/hf_legacy_canonical_ids.csv");
/// The default model of each transformers pipeline task, by transformers version.
pub const EMBEDDED_PIPELINE_DEFAULTS: &str = include_str!("../../queries/data/transformers_pipeline_defaults.csv");
/// torchvision's builders and weights (for `pretrained=True` and `DEFAULT`).
pub const EMBEDDED_TORCHVISION_BUILDERS: &str = include_str!("../../queries/data/torchvision_builders.csv");
pub const EMBEDDED_TORCHVISION_WEIGHTS: &str = include_str!("../../queries/data/torchvision_weights.csv");
/// Libraries that make a repository ML-enabled.
pub const EMBEDDED_ML_LIBRARIES: &str = include_str!("../../queries/data/ml_libraries.csv");

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("rule catalog {file}: {message}")]
    Invalid { file: String, message: String },
    #[error("rule catalog directory {dir}: {message}")]
    Dir { dir: String, message: String },
}

fn invalid(file: &str, message: impl Into<String>) -> CatalogError {
    CatalogError::Invalid { file: file.to_string(), message: message.into() }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    ecosystem: String,
    /// Provider patterns every rule of the file uses unless it has its own.
    #[serde(default)]
    providers: Vec<[String; 2]>,
    #[serde(default)]
    #[allow(dead_code)]
    description: String,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    name: String,
    #[serde(default)]
    ecosystem: Option<String>,
    source: String,
    callees: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default = "default_priority")]
    priority: u32,
    #[serde(default)]
    model: Vec<RawArg>,
    #[serde(default)]
    join: Option<String>,
    #[serde(default)]
    model_kind: Option<String>,
    #[serde(default)]
    implicit: Option<String>,
    #[serde(default)]
    require_any: Vec<String>,
    #[serde(default)]
    require_all: Vec<String>,
    /// `[regex, ecosystem]` pairs: a call whose URL argument matches names
    /// that provider (`/api/chat` on Ollama's port is `ollama`).
    #[serde(default)]
    providers: Vec<[String; 2]>,
    #[serde(default)]
    revision: Vec<String>,
    #[serde(default)]
    flags: Vec<String>,
    #[serde(default)]
    download_only: bool,
    /// Where the call names its task (`pipeline("ner")`).
    #[serde(default)]
    task: Vec<RawArg>,
    /// The loaded object may be data, not a model (pickle, joblib): judge it
    /// from names and later use, and say how sure the judgement is.
    #[serde(default)]
    judge_object: bool,
    /// Keywords that make the call verify a checksum (`check_hash`,
    /// `hash_prefix`): without one, the usage carries the `no_checksum` risk.
    #[serde(default)]
    checksum: Vec<String>,
    /// Risks every call of this rule carries (`unsafe_deserialization` for pickle).
    #[serde(default)]
    risks: Vec<String>,
    doc: String,
    example: String,
}

fn default_priority() -> u32 {
    100
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArg {
    #[serde(default)]
    position: Option<usize>,
    #[serde(default)]
    keywords: Vec<String>,
    /// A dotted name such as `ResNet50_Weights.IMAGENET1K_V2` is the model
    /// as written (an enum member), not a variable to resolve.
    #[serde(default)]
    enum_literal: bool,
    /// The model is the value of this key in a dict argument
    /// (`requests.post(url, json={"model": "llama3"})`).
    #[serde(default)]
    key: Option<String>,
    /// The model is this item of a list argument
    /// (`subprocess.run(["ollama", "pull", name])`).
    #[serde(default)]
    item: Option<usize>,
}

/// Where an argument is: by position and/or by keyword.
#[derive(Debug, Clone)]
pub struct ArgSpec {
    pub position: Option<usize>,
    pub keywords: Vec<String>,
    pub enum_literal: bool,
    pub key: Option<String>,
    pub item: Option<usize>,
}

/// A condition that must hold for the call to be a load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub keyword: String,
    pub position: Option<usize>,
    /// `json[model]`: the argument is a dict with this key.
    pub key: Option<String>,
    /// `args@0#1`: the test applies to this item of a list argument.
    pub item: Option<usize>,
    pub test: CondTest,
}

#[derive(Debug, Clone)]
pub enum CondTest {
    /// The argument is present.
    Present,
    /// The argument is present and its text equals the value.
    Equals(String),
    /// The argument is present and its text differs from the value.
    NotEquals(String),
    /// `kw?!=VALUE`: the argument is absent (its default applies), or present
    /// with another text (`weights?!=None`: Keras applications load ImageNet
    /// weights by default).
    AbsentOrNotEquals(String),
    /// `kw~=REGEX`: the argument's resolved string value matches.
    Matches(Regex),
}

impl PartialEq for CondTest {
    fn eq(&self, other: &CondTest) -> bool {
        match (self, other) {
            (CondTest::Present, CondTest::Present) => true,
            (CondTest::Equals(a), CondTest::Equals(b))
            | (CondTest::NotEquals(a), CondTest::NotEquals(b))
            | (CondTest::AbsentOrNotEquals(a), CondTest::AbsentOrNotEquals(b)) => a == b,
            (CondTest::Matches(a), CondTest::Matches(b)) => a.as_str() == b.as_str(),
            _ => false,
        }
    }
}

impl Eq for CondTest {}

/// What the rule names when the call carries no model argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Implicit {
    /// No implied model is named (`model` null, resolvable `implicit`).
    Unnamed,
    /// The callee's last segment is the implied model (`models.resnet18`).
    CalleeName,
    /// The callee's module is the implied model (`en_core_web_sm.load()`).
    Module,
    /// The segment before the method is the implied model
    /// (`torchaudio.pipelines.WAV2VEC2_BASE.get_model()`).
    Parent,
}

/// Risk flags a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    TrustRemoteCode,
    WeightsOnly,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub ecosystem: String,
    pub source: Source,
    pub callees: Vec<String>,
    /// Each callee pattern, with its last literal name (`trigger_name`).
    matchers: Vec<(Pattern, Option<String>)>,
    excludes: Vec<Pattern>,
    pub priority: u32,
    pub model: Vec<ArgSpec>,
    pub join: String,
    pub model_kind: IdKind,
    pub implicit: Option<Implicit>,
    pub require_any: Vec<Condition>,
    pub require_all: Vec<Condition>,
    pub providers: Vec<(Regex, String)>,
    pub revision: Vec<String>,
    pub flags: Vec<Flag>,
    pub download_only: bool,
    pub task: Option<ArgSpec>,
    pub judge_object: bool,
    pub checksum: Vec<String>,
    pub risks: Vec<schemas::Risk>,
    pub doc: String,
    pub example: String,
    /// The catalog file the rule came from.
    pub file: String,
    roots: Vec<String>,
    /// Per callee pattern: its root and, when the pattern ends in a literal
    /// name, that name — both must appear in a file's text for a call to match.
    triggers: Vec<(String, Option<String>)>,
}

impl Rule {
    /// Does the qualified callee match this rule's patterns?
    pub fn matches(&self, qualified: &str) -> bool {
        // A pattern's last literal name is in every callee it matches: most
        // callees under a root (`torch.nn.Linear`) fail that test before any regex runs.
        self.matchers
            .iter()
            .any(|(m, needle)| needle.as_ref().is_none_or(|n| qualified.contains(n.as_str())) && m.is_match(qualified))
            && !self.excludes.iter().any(|m| m.is_match(qualified))
    }
}

/// The compiled catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    rules: Vec<Rule>,
    /// First segments of every callee pattern: a file mentioning none of
    /// them cannot contain a site.
    roots: Vec<String>,
    /// The rules (indices into `rules`, in priority order) whose patterns
    /// start with each root: a call is matched against those only.
    by_root: rustc_hash::FxHashMap<String, Vec<usize>>,
    /// Every identifier written in any callee pattern: a call through the
    /// repository's own modules can only end up matching a rule if its
    /// method is one of them.
    vocabulary: rustc_hash::FxHashSet<String>,
    /// Every root and trigger name, by the identifier it is.
    trigger_words: Words,
    /// (root, last name) per callee pattern, as indices into the trigger words.
    trigger_pairs: Vec<(usize, Option<usize>)>,
    trigger_count: usize,
    version: String,
    pub legacy_ids: LegacyIds,
    pub pipeline_defaults: crate::link::PipelineDefaults,
    pub torchvision: crate::modelid::TorchvisionWeights,
    pub ml_libraries: crate::link::MlLibraries,
    /// Library calls that wire models together (`queries/flows/`).
    pub flows: crate::flows::Flows,
}

impl Catalog {
    /// The catalog shipped in the binary.
    pub fn embedded() -> Result<Catalog, CatalogError> {
        let files: Vec<(String, String)> = EMBEDDED.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
        Catalog::build(&files, EMBEDDED_LEGACY_IDS, false)
    }

    /// A catalog read from a directory: every `*.toml` in it (sorted by name),
    /// and `hf_legacy_canonical_ids.csv` when present (else the embedded one).
    pub fn from_dir(dir: &Path) -> Result<Catalog, CatalogError> {
        let derr = |m: String| CatalogError::Dir { dir: dir.display().to_string(), message: m };
        let rd = std::fs::read_dir(dir).map_err(|e| derr(format!("cannot read: {e}")))?;
        let mut names: Vec<_> =
            rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect();
        names.sort();
        if names.is_empty() {
            return Err(derr("contains no *.toml rule file".into()));
        }
        let mut files = Vec::new();
        let mut flows = None;
        for p in names {
            if p.file_name().is_some_and(|n| n == "flows.toml") {
                // the flow rules (queries/flows/flows.toml), not load rules
                let text = std::fs::read_to_string(&p).map_err(|e| derr(format!("{}: {e}", p.display())))?;
                flows = Some(text);
                continue;
            }
            let text = std::fs::read_to_string(&p).map_err(|e| derr(format!("{}: {e}", p.display())))?;
            files.push((p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), text));
        }
        let legacy_path = dir.join("hf_legacy_canonical_ids.csv");
        let legacy = if legacy_path.exists() {
            std::fs::read_to_string(&legacy_path).map_err(|e| derr(format!("{}: {e}", legacy_path.display())))?
        } else {
            EMBEDDED_LEGACY_IDS.to_string()
        };
        let mut c = Catalog::from_sources(&files, &legacy)?;
        if let Some(text) = flows {
            c.set_flows(&text)?;
        }
        Ok(c)
    }

    /// Replace the flow rules (a folder's own `flows.toml`).
    pub fn set_flows(&mut self, text: &str) -> Result<(), CatalogError> {
        let flows = crate::flows::Flows::parse(text)?;
        if let Some(f) = flows.rules.iter().find(|f| self.rules.iter().any(|r| r.id == f.id)) {
            return Err(invalid("flows.toml", format!("flow id {} is also a catalog rule id", f.id)));
        }
        let mut hasher = Sha256::new();
        hasher.update(self.version.as_bytes());
        hasher.update(text.as_bytes());
        let hex: String = hasher.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect();
        self.version = format!("{}-flows-{hex}", self.version.split('-').next().unwrap_or("catalog"));
        self.flows = flows;
        Ok(())
    }

    /// Compile rule files given as (file name, TOML text).
    pub fn from_sources(files: &[(String, String)], legacy_csv: &str) -> Result<Catalog, CatalogError> {
        Catalog::build(files, legacy_csv, true)
    }

    /// `from_sources`; with `now`, every callee pattern is compiled at once
    /// (`Pattern`).
    fn build(files: &[(String, String)], legacy_csv: &str, now: bool) -> Result<Catalog, CatalogError> {
        let mut hasher = Sha256::new();
        let mut rules = Vec::new();
        let mut seen = HashSet::new();
        for (name, text) in files {
            hasher.update(name.as_bytes());
            hasher.update([0]);
            hasher.update(text.as_bytes());
            hasher.update([0]);
            let raw: RawFile = toml::from_str(text).map_err(|e| invalid(name, e.to_string().replace('\n', " ")))?;
            for mut r in raw.rule {
                if r.providers.is_empty() {
                    r.providers = raw.providers.clone();
                }
                if !seen.insert(r.id.clone()) {
                    return Err(invalid(name, format!("rule id {} is defined twice", r.id)));
                }
                rules.push(compile_rule(name, &raw.ecosystem, r, now)?);
            }
        }
        hasher.update(legacy_csv.as_bytes());
        let legacy_ids = LegacyIds::from_csv(legacy_csv).map_err(|e| invalid("hf_legacy_canonical_ids.csv", e))?;
        hasher.update(EMBEDDED_PIPELINE_DEFAULTS.as_bytes());
        hasher.update(EMBEDDED_ML_LIBRARIES.as_bytes());
        hasher.update(crate::flows::EMBEDDED_FLOWS.as_bytes());
        let flows = crate::flows::Flows::embedded()?;
        if let Some(f) = flows.rules.iter().find(|f| rules.iter().any(|r| r.id == f.id)) {
            return Err(invalid("flows/flows.toml", format!("flow id {} is also a catalog rule id", f.id)));
        }
        let pipeline_defaults = crate::link::PipelineDefaults::from_csv(EMBEDDED_PIPELINE_DEFAULTS)
            .map_err(|e| invalid("transformers_pipeline_defaults.csv", e))?;
        let ml_libraries =
            crate::link::MlLibraries::from_csv(EMBEDDED_ML_LIBRARIES).map_err(|e| invalid("ml_libraries.csv", e))?;
        hasher.update(EMBEDDED_TORCHVISION_BUILDERS.as_bytes());
        hasher.update(EMBEDDED_TORCHVISION_WEIGHTS.as_bytes());
        let torchvision =
            crate::modelid::TorchvisionWeights::from_csv(EMBEDDED_TORCHVISION_BUILDERS, EMBEDDED_TORCHVISION_WEIGHTS)
                .map_err(|e| invalid("torchvision_builders.csv", e))?;
        // Stable order: priority, then file order (sort is stable).
        rules.sort_by_key(|r| r.priority);
        let mut roots: Vec<String> = rules.iter().flat_map(|r| r.roots.iter().cloned()).collect();
        roots.sort();
        roots.dedup();
        let mut words: Vec<String> = Vec::new();
        let index = |w: &str, words: &mut Vec<String>| match words.iter().position(|x| x == w) {
            Some(i) => i,
            None => {
                words.push(w.to_string());
                words.len() - 1
            }
        };
        let mut trigger_pairs: Vec<(usize, Option<usize>)> = Vec::new();
        for r in &rules {
            for (root, last) in &r.triggers {
                let pair = (index(root, &mut words), last.as_deref().map(|l| index(l, &mut words)));
                if !trigger_pairs.contains(&pair) {
                    trigger_pairs.push(pair);
                }
            }
        }
        let trigger_words = Words::new(&words).map_err(|w| invalid("catalog", format!("trigger '{w}' is not an identifier")))?;
        let trigger_count = words.len();
        let digest = hasher.finalize();
        let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        let vocabulary = rules
            .iter()
            .flat_map(|r| r.callees.iter())
            .flat_map(|p| p.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map(str::to_string).collect::<Vec<_>>())
            .filter(|w| !w.is_empty())
            .collect();
        let mut by_root: rustc_hash::FxHashMap<String, Vec<usize>> = Default::default();
        for (i, r) in rules.iter().enumerate() {
            let mut own: Vec<&String> = r.roots.iter().collect();
            own.sort();
            own.dedup();
            for root in own {
                by_root.entry(root.clone()).or_default().push(i);
            }
        }
        Ok(Catalog {
            rules,
            by_root,
            vocabulary,
            roots,
            trigger_words,
            trigger_pairs,
            trigger_count,
            version: format!("{}-{}", rules_count_tag(files.len()), hex),
            legacy_ids,
            pipeline_defaults,
            ml_libraries,
            torchvision,
            flows,
        })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// `catalog-<files>f-<content hash>`: changes whenever any rule changes.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Root module names the rules start with.
    pub fn roots(&self) -> &[String] {
        &self.roots
    }

    /// The prefilter: could any rule match a call in this code? For some
    /// callee pattern, its root module and its final name (`torch` and
    /// `load`, `transformers` and `from_pretrained`) must both appear as
    /// whole words in the code: an import, an alias, a `from x import *` or
    /// a `getattr` string all leave them there. Comments and triple-quoted
    /// strings (docstrings) are not code: the parser reads no callee in
    /// them (`code_view`). For wildcards and regexes the final name is the
    /// last literal segment (`trigger_name`). `package` are the folders of
    /// the file's path: a relative import names them by position (`from
    /// .models import x` in `ultralytics/`).
    pub fn may_match(&self, bytes: &[u8], package: &[String]) -> bool {
        let mut seen = vec![false; self.trigger_count];
        let mut any = false;
        let mut relative = false;
        // The whole words of the code: maximal runs of word bytes within
        // the spans between its blanks (a blank ends a word as the spaces
        // of `code_view` do).
        for_each_code_span(bytes, |span| {
            let (n, mut i) = (span.len(), 0);
            while i < n {
                while i < n && !is_word_byte(span[i]) {
                    i += 1;
                }
                let start = i;
                while i < n && is_word_byte(span[i]) {
                    i += 1;
                }
                if i > start {
                    if let Some(k) = self.trigger_words.get(&span[start..i]) {
                        seen[k] = true;
                        any = true;
                    }
                }
            }
            relative |= memchr::memmem::find(span, b"from .").is_some();
        });
        if relative {
            for dir in package {
                if let Some(k) = self.trigger_words.get(dir.as_bytes()) {
                    seen[k] = true;
                    any = true;
                }
            }
        }
        any && self.trigger_pairs.iter().any(|(root, last)| seen[*root] && last.is_none_or(|l| seen[l]))
    }

    /// The rule that decides for a qualified callee: the first (by priority)
    /// whose patterns match.
    /// Could a call whose last segment is `method` match a rule once its
    /// receiver is known?
    pub fn may_end_with(&self, method: &str) -> bool {
        self.vocabulary.contains(method)
    }

    /// Every rule whose patterns match, by priority: when the first one's
    /// conditions say the call loads nothing, the next may still apply
    /// (`/api/pull` carries `name`, not `model`).
    pub fn rules_for(&self, qualified: &str) -> Vec<&Rule> {
        let root = match qualified.strip_prefix("?.") {
            Some(method) => method,
            None => qualified.split('.').next().unwrap_or(qualified),
        };
        let Some(ids) = self.by_root.get(root) else { return Vec::new() };
        ids.iter().map(|&i| &self.rules[i]).filter(|r| r.matches(qualified)).collect()
    }

    /// The method rules (`?.load_weights`) for a call of `method` on a
    /// receiver no rule names; nothing is formatted unless some rule starts there.
    pub fn method_rules(&self, method: &str) -> Vec<&Rule> {
        if !self.by_root.contains_key(method) {
            return Vec::new();
        }
        self.rules_for(&format!("?.{method}"))
    }

    /// Is `root` the first segment of some rule's callee?
    pub fn is_root(&self, root: &str) -> bool {
        self.roots.binary_search_by(|r| r.as_str().cmp(root)).is_ok()
    }

    pub fn rule_for(&self, qualified: &str) -> Option<&Rule> {
        let root = match qualified.strip_prefix("?.") {
            Some(method) => method,
            None => qualified.split('.').next().unwrap_or(qualified),
        };
        self.by_root.get(root)?.iter().map(|&i| &self.rules[i]).find(|r| r.matches(qualified))
    }

    /// Rules by file, for documentation.
    pub fn by_file(&self) -> BTreeMap<&str, Vec<&Rule>> {
        let mut m: BTreeMap<&str, Vec<&Rule>> = BTreeMap::new();
        for r in &self.rules {
            m.entry(r.file.as_str()).or_default().push(r);
        }
        m
    }
}

/// A byte of an identifier (non-ASCII bytes belong to Unicode identifiers).
fn is_word_byte(b: u8) -> bool {
    WORD_BYTE[b as usize]
}

/// `is_word_byte` of every byte.
static WORD_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
        b += 1;
    }
    t
};

/// The source with comments and triple-quoted strings blanked out (same
/// length, so offsets hold). Single-line strings stay: a `getattr` or
/// `import_module` argument can name a callee. A Python tokenizer's view of
/// quotes: a `#` or a triple quote inside a string starts nothing, a
/// backslash escapes the next byte, a single-line string ends at its line.
pub fn code_view(src: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if memchr::memchr3(b'#', b'"', b'\'', src).is_none() {
        return std::borrow::Cow::Borrowed(src);
    }
    let mut out = src.to_vec();
    for_each_blank(src, |a, b| out[a..b].fill(b' '));
    std::borrow::Cow::Owned(out)
}

/// The regions `code_view` blanks, in order: comments and triple-quoted strings.
fn for_each_blank(src: &[u8], mut blank: impl FnMut(usize, usize)) {
    let n = src.len();
    let mut i = 0;
    while let Some(k) = memchr::memchr3(b'#', b'"', b'\'', &src[i..]) {
        i += k;
        let b = src[i];
        if b == b'#' {
            let end = memchr::memchr(b'\n', &src[i..]).map_or(n, |e| i + e);
            blank(i, end);
            i = end;
            continue;
        }
        let triple = i + 2 < n && src[i + 1] == b && src[i + 2] == b;
        let mut j = if triple { i + 3 } else { i + 1 };
        let end = loop {
            if j >= n {
                break n;
            }
            match src[j] {
                b'\\' => j += 2,
                b'\n' if !triple => break j,
                c if c == b && (!triple || (j + 2 < n && src[j + 1] == b && src[j + 2] == b)) => {
                    break if triple { j + 3 } else { j + 1 };
                }
                _ => j += 1,
            }
        };
        let end = end.min(n);
        if triple {
            blank(i, end);
        }
        i = end;
    }
}

/// The code of `src` between the blanks of `code_view`, without copying it.
fn for_each_code_span(src: &[u8], mut span: impl FnMut(&[u8])) {
    let mut at = 0;
    for_each_blank(src, |a, b| {
        if a > at {
            span(&src[at..a]);
        }
        at = b;
    });
    if at < src.len() {
        span(&src[at..]);
    }
}

/// A set of identifiers, each with its index, looked up by the bytes of a
/// word: most words of code are turned away by their length or first byte
/// before any hash.
#[derive(Debug, Clone)]
struct Words {
    index: rustc_hash::FxHashMap<Box<[u8]>, usize>,
    first: [bool; 256],
    longest: usize,
}

impl Words {
    /// Err: a word that is not all word bytes (it could never be a whole word).
    fn new(words: &[String]) -> Result<Words, String> {
        let mut w = Words { index: Default::default(), first: [false; 256], longest: 0 };
        for (i, word) in words.iter().enumerate() {
            if word.is_empty() || !word.bytes().all(is_word_byte) {
                return Err(word.clone());
            }
            w.first[word.as_bytes()[0] as usize] = true;
            w.longest = w.longest.max(word.len());
            w.index.insert(word.as_bytes().into(), i);
        }
        Ok(w)
    }

    fn get(&self, word: &[u8]) -> Option<usize> {
        if word.len() > self.longest || !self.first[word[0] as usize] {
            return None;
        }
        self.index.get(word).copied()
    }
}

fn rules_count_tag(n: usize) -> String {
    format!("catalog{n}f")
}

fn compile_rule(file: &str, file_eco: &str, r: RawRule, now: bool) -> Result<Rule, CatalogError> {
    let ctx = |m: String| invalid(file, format!("rule {}: {m}", r.id));
    let id_ok = r.id.len() >= 4
        && r.id.chars().take_while(|c| c.is_ascii_uppercase()).count() >= 2
        && r.id.chars().rev().take(3).all(|c| c.is_ascii_digit())
        && r.id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if !id_ok {
        return Err(ctx("id must be uppercase letters followed by three digits, e.g. HF001".into()));
    }
    let source = Source::parse(&r.source).ok_or_else(|| ctx(format!("source '{}' is not hub|file|api|aux", r.source)))?;
    if r.callees.is_empty() {
        return Err(ctx("callees is empty".into()));
    }
    let mut matchers = Vec::new();
    let mut roots = Vec::new();
    let mut triggers = Vec::new();
    for c in &r.callees {
        let (re, root) = Pattern::new(c, now).map_err(&ctx)?;
        let last = trigger_name(c);
        matchers.push((re, last.clone()));
        triggers.push((root.clone(), last));
        roots.push(root);
    }
    let mut excludes = Vec::new();
    for c in &r.exclude {
        excludes.push(Pattern::new(c, now).map_err(&ctx)?.0);
    }
    let model_kind = match r.model_kind.as_deref() {
        None => IdKind::Name,
        Some(k) => IdKind::parse(k).ok_or_else(|| ctx(format!("model_kind '{k}' is unknown")))?,
    };
    let implicit = match r.implicit.as_deref() {
        None => None,
        Some("unnamed") => Some(Implicit::Unnamed),
        Some("callee") => Some(Implicit::CalleeName),
        Some("module") => Some(Implicit::Module),
        Some("parent") => Some(Implicit::Parent),
        Some(o) => return Err(ctx(format!("implicit '{o}' is not unnamed|callee|module|parent"))),
    };
    let mut require_any = Vec::new();
    for c in &r.require_any {
        require_any.push(parse_condition(c).map_err(&ctx)?);
    }
    let mut require_all = Vec::new();
    for c in &r.require_all {
        require_all.push(parse_condition(c).map_err(&ctx)?);
    }
    let mut providers = Vec::new();
    for [rx, eco] in &r.providers {
        providers.push((Regex::new(rx).map_err(|e| ctx(format!("provider pattern '{rx}': {e}")))?, eco.clone()));
    }
    let mut risks = Vec::new();
    for k in &r.risks {
        risks.push(match k.as_str() {
            "unsafe_deserialization" => schemas::Risk::UnsafeDeserialization,
            "trust_remote_code" => schemas::Risk::TrustRemoteCode,
            "plain_http" => schemas::Risk::PlainHttp,
            o => {
                return Err(ctx(format!(
                    "risk '{o}' is not one a rule can declare (unsafe_deserialization, trust_remote_code, plain_http)"
                )))
            }
        });
    }
    let mut flags = Vec::new();
    for f in &r.flags {
        flags.push(match f.as_str() {
            "trust_remote_code" => Flag::TrustRemoteCode,
            "weights_only" => Flag::WeightsOnly,
            o => return Err(ctx(format!("flag '{o}' is unknown (trust_remote_code, weights_only)"))),
        });
    }
    if r.doc.trim().is_empty() || r.example.trim().is_empty() {
        return Err(ctx("doc and example must not be empty".into()));
    }
    let model = r
        .model
        .iter()
        .map(|a| ArgSpec {
            position: a.position,
            keywords: a.keywords.clone(),
            enum_literal: a.enum_literal,
            key: a.key.clone(),
            item: a.item,
        })
        .collect::<Vec<_>>();
    if model.iter().any(|a| a.position.is_none() && a.keywords.is_empty()) {
        return Err(ctx("a model argument needs a position or keywords".into()));
    }
    Ok(Rule {
        ecosystem: r.ecosystem.clone().unwrap_or_else(|| file_eco.to_string()),
        id: r.id,
        name: r.name,
        source,
        callees: r.callees,
        matchers,
        excludes,
        priority: r.priority,
        model,
        join: r.join.unwrap_or_else(|| "#".into()),
        model_kind,
        implicit,
        require_any,
        require_all,
        providers,
        revision: r.revision,
        flags,
        download_only: r.download_only,
        judge_object: r.judge_object,
        checksum: r.checksum,
        risks,
        task: r.task.first().map(|a| ArgSpec {
            position: a.position,
            keywords: a.keywords.clone(),
            enum_literal: false,
            key: None,
            item: None,
        }),
        doc: r.doc,
        example: r.example,
        file: file.to_string(),
        roots,
        triggers,
    })
}

/// `kw`, `kw=VALUE`, `kw!=VALUE`, optionally `kw@POS...` for an argument
/// that may also be given by position.
pub fn parse_condition(s: &str) -> Result<Condition, String> {
    let (lhs, test) = if let Some((l, v)) = s.split_once("~=") {
        let rx = Regex::new(v.trim()).map_err(|e| format!("condition '{s}': {e}"))?;
        (l, CondTest::Matches(rx))
    } else if let Some((l, v)) = s.split_once("?!=") {
        (l, CondTest::AbsentOrNotEquals(v.trim().to_string()))
    } else if let Some((l, v)) = s.split_once("!=") {
        (l, CondTest::NotEquals(v.trim().to_string()))
    } else if let Some((l, v)) = s.split_once('=') {
        (l, CondTest::Equals(v.trim().to_string()))
    } else {
        (s, CondTest::Present)
    };
    let lhs = lhs.trim();
    let (lhs, key) = match lhs.strip_suffix(']').and_then(|l| l.split_once('[')) {
        Some((l, k)) if !k.is_empty() => (l, Some(k.to_string())),
        Some(_) => return Err(format!("condition '{s}': empty [key]")),
        None => (lhs, None),
    };
    let (lhs, item) = match lhs.split_once('#') {
        Some((l, i)) => (l, Some(i.parse::<usize>().map_err(|_| format!("condition '{s}': item '{i}' is not a number"))?)),
        None => (lhs, None),
    };
    let (kw, pos) = match lhs.split_once('@') {
        Some((k, p)) => (k, Some(p.parse::<usize>().map_err(|_| format!("condition '{s}': position '{p}' is not a number"))?)),
        None => (lhs.trim(), None),
    };
    if kw.is_empty() || !kw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("condition '{s}': '{kw}' is not a keyword name"));
    }
    Ok(Condition { keyword: kw.to_string(), position: pos, key, item, test })
}

/// The word besides the root that a call matching `p` must show in the
/// code: the last literal segment (`load` in `torch.load`, `models` in
/// `torchvision.models.*` or in a regex starting `^torchvision\.models\.`).
/// Every segment of a qualified callee comes from the file's text (an
/// import, an attribute, a `getattr` string) or from a name of another
/// module of the repository, and the file that imports one is parsed anyway
/// (`link::RepoContext::parse`). None for `?.method` (its method is its
/// root) and for a pattern with no literal segment after the root.
fn trigger_name(p: &str) -> Option<String> {
    if p.starts_with("?.") {
        return None;
    }
    let ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if let Some(re) = p.strip_prefix("re:") {
        // The regex's literal head: `name\.name\.` up to the first operator.
        let rest = re.strip_prefix('^')?;
        let mut literal = Vec::new();
        for seg in rest.split("\\.") {
            let full = ident(seg) || seg.strip_suffix('$').is_some_and(ident);
            literal.push(seg.trim_end_matches('$'));
            if !full {
                literal.pop();
                break;
            }
        }
        return literal.get(1..).and_then(|l| l.last()).map(|s| s.to_string());
    }
    let segs: Vec<&str> = p.split('.').map(|s| s.trim_end_matches("()").trim_end_matches("[]")).collect();
    segs.iter().skip(1).rev().find(|s| ident(s)).map(|s| s.to_string())
}

/// Compile a callee pattern. Globs: `*` matches within one dotted segment,
/// `**` across segments. `re:` starts a regular expression, which must begin
/// with `^` and a literal root module name.
pub fn pattern_to_regex(p: &str) -> Result<(Regex, String), String> {
    let (source, root) = pattern_source(p)?;
    let rx = Regex::new(&source).map_err(|e| format!("pattern '{p}': {e}"))?;
    Ok((rx, root))
}

/// A callee pattern's regex source and root, checked but not compiled.
fn pattern_source(p: &str) -> Result<(String, String), String> {
    if let Some(method) = p.strip_prefix("?.") {
        // A method called on a receiver the analysis cannot name
        // (`model.load_weights(...)` on a model the repository builds).
        if method.is_empty() || !method.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("pattern '{p}': ?. must be followed by one method name"));
        }
        return Ok((format!("^\\?\\.{method}$"), method.to_string()));
    }
    if let Some(re) = p.strip_prefix("re:") {
        let rest = re.strip_prefix('^').ok_or_else(|| format!("regex pattern '{p}' must start with ^"))?;
        let root: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if root.is_empty() {
            return Err(format!("regex pattern '{p}' must start with a literal module name"));
        }
        regex_syntax::Parser::new().parse(re).map_err(|e| format!("pattern '{p}': {}", e.to_string().replace('\n', " ")))?;
        return Ok((re.to_string(), root));
    }
    let root: String = p.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    if root.is_empty()
        || !p.chars().all(|c| c.is_ascii_alphanumeric() || "_.*()[]".contains(c))
        || p.replace("()", "").replace("[]", "").contains(['(', ')', '[', ']'])
    {
        return Err(format!(
            "pattern '{p}' must be a dotted name with * or ** wildcards and () for a call's result ([] for an item), starting with a module name"
        ));
    }
    let mut out = String::from("^");
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                out.push_str(".*");
            }
            '*' => out.push_str("[^.]*"),
            '.' => out.push_str("\\."),
            '(' => out.push_str("\\("),
            ')' => out.push_str("\\)"),
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            c => out.push(c),
        }
    }
    out.push('$');
    Ok((out, root))
}

/// A callee pattern's regex, compiled when first matched: a run compiles
/// only the patterns under the roots its files call (compiling all of the
/// built-in catalog's took a quarter of a small run). A catalog from a
/// folder compiles them at once, so that a bad one is reported on loading;
/// the built-in one's are all compiled by a test.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    compiled: std::sync::OnceLock<Regex>,
}

impl Pattern {
    fn new(p: &str, now: bool) -> Result<(Pattern, String), String> {
        let (source, root) = pattern_source(p)?;
        let compiled = std::sync::OnceLock::new();
        if now {
            let _ = compiled.set(Regex::new(&source).map_err(|e| format!("pattern '{p}': {e}"))?);
        }
        Ok((Pattern { source, compiled }, root))
    }

    fn regex(&self) -> Result<&Regex, regex::Error> {
        if let Some(r) = self.compiled.get() {
            return Ok(r);
        }
        let r = Regex::new(&self.source)?;
        Ok(self.compiled.get_or_init(|| r))
    }

    pub fn is_match(&self, s: &str) -> bool {
        // The source parsed when the catalog loaded; only a regex over the
        // size limit could still fail, and it would then match nothing.
        self.regex().is_ok_and(|r| r.is_match(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_pattern_compiles_and_a_folders_compile_at_once() {
        let cat = Catalog::embedded().expect("catalog");
        let patterns: Vec<&Pattern> =
            cat.rules.iter().flat_map(|r| r.matchers.iter().map(|(p, _)| p).chain(&r.excludes)).collect();
        assert!(patterns.len() > 200, "{} patterns", patterns.len());
        // built in: compiled on first use, each one compiles
        assert!(patterns.iter().all(|p| p.compiled.get().is_none()));
        for p in &patterns {
            p.regex().unwrap_or_else(|e| panic!("{}: {e}", p.source));
        }
        // from a folder: compiled on loading
        let files: Vec<(String, String)> = EMBEDDED.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
        let cat = Catalog::from_sources(&files, EMBEDDED_LEGACY_IDS).expect("catalog");
        assert!(cat.rules.iter().flat_map(|r| &r.matchers).all(|(p, _)| p.compiled.get().is_some()));
        // a regex that does not parse is reported on loading either way
        let bad = "ecosystem = \"e\"\n[[rule]]\nid=\"XX001\"\nname=\"n\"\nsource=\"hub\"\ncallees=['re:^x\\.(']\ndoc=\"d\"\nexample=\"e\"\n";
        for now in [false, true] {
            let e = Catalog::build(&[("bad.toml".into(), bad.into())], "", now).unwrap_err().to_string();
            assert!(e.contains("bad.toml") && e.contains("re:^x"), "{e}");
        }
    }

    #[test]
    fn code_view_blanks_comments_and_docstrings_only() {
        let view = |s: &str| String::from_utf8(code_view(s.as_bytes()).into_owned()).unwrap();
        // offsets hold
        for s in ["a = 1 # torch.load\n", "'''x'''", "\"#\"", "x = '''unterminated", "r'\\'"] {
            assert_eq!(view(s).len(), s.len(), "{s:?}");
        }
        assert_eq!(view("m = torch.load(p)  # torch.load\n"), format!("m = torch.load(p){}\n", " ".repeat(14)));
        assert_eq!(view("\"\"\"Use torch.load.\"\"\"\nx = 1\n"), format!("{}\nx = 1\n", " ".repeat(21)));
        // a `#` or a triple quote inside a single-line string starts nothing
        assert_eq!(view("u = \"a#b\"; import torch\n"), "u = \"a#b\"; import torch\n");
        let q = "q = '\"\"\"'; import torch\nq = '\"\"\"'\n";
        assert_eq!(view(q), q);
        // an escaped quote does not end a string; a single-line string ends at its line
        assert_eq!(view("s = 'it\\'s'  # c\nimport torch\n"), format!("s = 'it\\'s'{}\nimport torch\n", " ".repeat(5)));
        assert_eq!(view("s = 'open\nimport torch # c\n"), format!("s = 'open\nimport torch{}\n", " ".repeat(4)));
        // single-line strings stay: getattr(torch, "load") names a callee
        assert_eq!(view("f = getattr(torch, \"load\")\n"), "f = getattr(torch, \"load\")\n");
        // a triple-quoted string with an escaped quote inside
        assert_eq!(view("d = '''a\\''' b''' + x"), format!("d = {} + x", " ".repeat(13)));
    }

    #[test]
    fn the_prefilter_reads_whole_words_of_code() {
        let cat = Catalog::embedded().unwrap();
        let m = |s: &str| cat.may_match(s.as_bytes(), &[]);
        assert!(m("import torch\nw = torch.load('w.pt')\n"));
        assert!(m("from transformers import AutoModel as M\nM.from_pretrained('x')\n"));
        assert!(m("import torch\nf = getattr(torch, 'load')\n"));
        // in a comment or a docstring, or inside longer words: not code
        assert!(!m("import torch\n# torch.load is not called here\n"));
        assert!(!m("\"\"\"Load with torch.load, or transformers' from_pretrained.\"\"\"\nx = 1\n"));
        assert!(!m("import torchvision_extra\nx.load_state_dict(s)\ndownload()\n"));
        assert!(!m("import torch\nw = torch.\u{e9}load('w.pt')\n"));
        // a word ends where a comment or a docstring begins
        assert!(m("import torch\nw = torch.load# the weights\n"));
        assert!(m("import torch\nw = '''doc'''torch.load\n"));
        // a regex or a wildcard needs its last literal segment too
        assert!(m("from torchvision import models\nnet = models.resnet50()\n"));
        assert!(!m("from torchvision.ops import nms\nkeep = nms(boxes, scores, 0.5)\n"));
        assert_eq!(trigger_name("torchvision.models.*").as_deref(), Some("models"));
        assert_eq!(trigger_name(r"re:^torchvision\.models\.(?:[a-z0-9_]+\.)?[a-z][a-z0-9_]*$").as_deref(), Some("models"));
        assert_eq!(trigger_name(r"re:^ultralytics\.(?:[a-z0-9_]+\.)*(?:YOLO|SAM)$"), None);
        assert_eq!(trigger_name("mediapipe.tasks.**BaseOptions").as_deref(), Some("tasks"));
        assert_eq!(trigger_name("xgboost.**().load_model").as_deref(), Some("load_model"));
        assert_eq!(trigger_name("segment_anything.build_sam*"), None);
        assert_eq!(trigger_name("?.load_from_checkpoint"), None);
        // a relative import names the file's package folders by position
        let relative = "from .engine import helpers\nm = YOLO('yolov8n.pt')\n";
        assert!(!cat.may_match(relative.as_bytes(), &[]));
        assert!(cat.may_match(relative.as_bytes(), &["ultralytics".to_string()]));
        assert!(!cat.may_match(b"m = YOLO('yolov8n.pt')\n", &["ultralytics".to_string()]));
    }

    #[test]
    fn globs() {
        let (r, root) = pattern_to_regex("transformers.**.from_pretrained").unwrap();
        assert_eq!(root, "transformers");
        assert!(r.is_match("transformers.AutoModel.from_pretrained"));
        assert!(r.is_match("transformers.models.bert.BertModel.from_pretrained"));
        assert!(!r.is_match("transformers.from_pretrained"));
        let (r, _) = pattern_to_regex("transformers.**Tokenizer*.from_pretrained").unwrap();
        assert!(r.is_match("transformers.AutoTokenizer.from_pretrained"));
        assert!(r.is_match("transformers.BertTokenizerFast.from_pretrained"));
        assert!(!r.is_match("transformers.AutoModel.from_pretrained"));
        let (r, _) = pattern_to_regex("torch.*").unwrap();
        assert!(r.is_match("torch.load"));
        assert!(!r.is_match("torch.hub.load"));
        assert!(pattern_to_regex("torch.(load)").is_err());
        let (r, root) = pattern_to_regex("?.load_weights").unwrap();
        assert_eq!(root, "load_weights");
        assert!(r.is_match("?.load_weights") && !r.is_match("x.load_weights"));
        assert!(pattern_to_regex("?.a.b").is_err());
        let (r, _) = pattern_to_regex("openai.OpenAI().models.list").unwrap();
        assert!(r.is_match("openai.OpenAI().models.list"));
        assert!(!r.is_match("openai.OpenAI.models.list"));
        assert!(pattern_to_regex("re:torch").is_err());
    }

    #[test]
    fn conditions() {
        assert_eq!(
            parse_condition("pretrained@1!=False").unwrap(),
            Condition {
                keyword: "pretrained".into(),
                position: Some(1),
                key: None,
                item: None,
                test: CondTest::NotEquals("False".into())
            }
        );
        assert_eq!(parse_condition("weights").unwrap().test, CondTest::Present);
        assert!(parse_condition("we ights=1").is_err());
        assert!(parse_condition("w@x=1").is_err());
        assert_eq!(parse_condition("json[model]").unwrap().key.as_deref(), Some("model"));
        assert_eq!(parse_condition("weights?!=None").unwrap().test, CondTest::AbsentOrNotEquals("None".into()));
        assert!(matches!(parse_condition("url@0~=\\.pt$").unwrap().test, CondTest::Matches(_)));
        assert!(parse_condition("url~=(").is_err());
        assert!(parse_condition("json[]").is_err());
    }

    #[test]
    fn embedded_catalog_compiles() {
        let c = Catalog::embedded().unwrap();
        assert!(c.rules().len() >= 20);
        assert!(c.version().starts_with("catalog"));
    }

    #[test]
    fn bad_catalogs_are_refused_with_the_file_named() {
        let bad = vec![("x.toml".to_string(), "ecosystem = \"e\"\n[[rule]]\nid = \"bad\"\n".to_string())];
        let e = Catalog::from_sources(&bad, "").unwrap_err().to_string();
        assert!(e.contains("x.toml"), "{e}");
        let dup = "ecosystem = \"e\"\n[[rule]]\nid=\"AB001\"\nname=\"n\"\nsource=\"hub\"\ncallees=[\"a.b\"]\ndoc=\"d\"\nexample=\"e\"\n";
        let twice = vec![("a.toml".to_string(), dup.to_string()), ("b.toml".to_string(), dup.to_string())];
        let e = Catalog::from_sources(&twice, "").unwrap_err().to_string();
        assert!(e.contains("AB001") && e.contains("twice"), "{e}");
    }
}
