//! Building a usage from a matched rule and a call's resolved arguments.
//! The same builder serves calls matched inside one file and calls matched
//! only once the repository's other modules are known (a client created in
//! `app/llm.py` and called in `app/chat.py`).

use crate::catalog::{Catalog, CondTest, Condition, Flag, Implicit, Rule};
use crate::modelid::{canonical, IdKind};
use schemas::{Confidence, Location, ModelUsage, Resolvable, Source};

/// One argument of a call, resolved as far as the file allows.
#[derive(Debug, Clone, Default)]
pub struct ArgVal {
    /// The source text, white space collapsed.
    pub text: String,
    /// The string value, when it resolves to one.
    pub value: Option<String>,
    pub kind: Option<Resolvable>,
    /// A dotted name (`ResNet50_Weights.IMAGENET1K_V2`).
    pub is_attribute: bool,
    /// `True`/`False`, directly or through a name.
    pub boolean: Option<bool>,
    /// Entries of a dict literal (or of a name bound to one) with string keys.
    pub dict: Vec<(String, ArgVal)>,
    /// The value is a name imported from a module of the repository
    /// (`from .config import MODEL_NAME`): the link step resolves it.
    pub import_ref: Option<String>,
    /// The value is read from a configuration file of the repository.
    pub config_ref: Option<crate::config::ConfigRef>,
    /// Items of a list or tuple literal (or of a name bound to one).
    pub items: Vec<ArgVal>,
    /// The value is an object an earlier load returned (`pipeline(model=m)`
    /// with `m = AutoModel.from_pretrained(...)`): no new load.
    pub model_object: bool,
    /// The value is built as a file-system path (`os.path.join`, `Path(...)`,
    /// `base / "model"`): a local file or folder, never a hub id.
    pub is_path: bool,
}

impl ArgVal {
    fn kind(&self) -> Resolvable {
        self.kind.unwrap_or(Resolvable::Dynamic)
    }
}

/// The arguments of one call.
#[derive(Debug, Clone, Default)]
pub struct CallArgs {
    pub positional: Vec<ArgVal>,
    pub keywords: Vec<(String, ArgVal)>,
    /// Index in `positional` before which a `*args` splat appeared.
    pub first_splat: Option<usize>,
}

impl CallArgs {
    pub fn keyword(&self, name: &str) -> Option<&ArgVal> {
        self.keywords.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The argument at a position, unless a `*args` before it hides it.
    pub fn at(&self, p: usize) -> Option<&ArgVal> {
        if self.first_splat.is_some_and(|s| s <= p) {
            return None;
        }
        self.positional.get(p)
    }

    fn find(&self, keywords: &[String], position: Option<usize>) -> Option<&ArgVal> {
        keywords.iter().find_map(|k| self.keyword(k)).or_else(|| position.and_then(|p| self.at(p)))
    }
}

/// Where a call is.
#[derive(Debug, Clone)]
pub struct CallSite {
    pub location: Location,
    pub column: u32,
    pub snippet: String,
}

/// A model value the file alone cannot resolve; the link step may.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PendingValue {
    /// A name imported from a module of the repository (`app.config.MODEL`).
    Import(String),
    /// A value read from a configuration file.
    Config(crate::config::ConfigRef),
}

/// A call no rule matched in its own file, whose callee names a module of
/// the repository: matched again once that module's exports are known.
#[derive(Debug, Clone)]
pub struct PendingCall {
    /// Qualified callee with `()` markers: `app.llm.client.chat.completions.create`.
    pub callee: String,
    /// The callee as written (`Pipeline.from_pretrained`): the api when the
    /// resolved name is only one of a registry's values.
    pub written: String,
    pub args: CallArgs,
    pub site: CallSite,
}

/// What a module-level name of a file stands for, for the files importing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Export {
    /// A string constant, with how it was resolved in its own file.
    Str(String, Resolvable),
    /// An object a qualified name stands for (`openai.OpenAI()`, a class alias).
    Value(String),
    /// A function whose calls return this (`def get_client(): return OpenAI()`).
    Returns(String),
    /// Any item of a registry looked up with a key only known at run time,
    /// whose values all belong to one library: its first value stands for
    /// it when matching rules, and the api stays as written.
    AnyItem(String),
}

fn dict_get<'a>(a: &'a ArgVal, key: &str) -> Option<&'a ArgVal> {
    a.dict.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn condition_holds(c: &Condition, args: &CallArgs) -> bool {
    let v = args.keyword(&c.keyword).or_else(|| c.position.and_then(|p| args.positional.get(p)));
    let v = match (&c.key, v) {
        (Some(k), Some(a)) => dict_get(a, k),
        (_, v) => v,
    };
    let v = match (c.item, v) {
        (Some(i), Some(a)) => a.items.get(i),
        (_, v) => v,
    };
    match (&c.test, v) {
        (CondTest::AbsentOrNotEquals(_), None) => true,
        (_, None) => false,
        (CondTest::Present, Some(_)) => true,
        (CondTest::Equals(x), Some(a)) => a.text == *x,
        (CondTest::NotEquals(x), Some(a)) | (CondTest::AbsentOrNotEquals(x), Some(a)) => a.text != *x,
        (CondTest::Matches(rx), Some(a)) => a.value.as_deref().is_some_and(|v| rx.is_match(v)) || rx.is_match(&a.text),
    }
}

fn weakest(a: Resolvable, b: Resolvable) -> Resolvable {
    a.weakest(b)
}

fn implicit_model(implicit: Option<Implicit>, qualified: &str) -> (Option<String>, Resolvable, Option<PendingValue>) {
    let segs: Vec<&str> = qualified.split('.').collect();
    match implicit {
        Some(Implicit::CalleeName) => (segs.last().map(|s| s.to_string()), Resolvable::Implicit, None),
        Some(Implicit::Module) => (segs.first().map(|s| s.to_string()), Resolvable::Implicit, None),
        Some(Implicit::Parent) => (segs.len().checked_sub(2).map(|i| segs[i].to_string()), Resolvable::Implicit, None),
        Some(Implicit::Unnamed) => (None, Resolvable::Implicit, None),
        None => (None, Resolvable::Dynamic, None),
    }
}

/// The model a call names: (model, how it was found, an unresolved
/// repository import the link step may resolve).
/// Is the (single) model argument built as a file-system path?
fn model_is_path(rule: &Rule, args: &CallArgs) -> bool {
    rule.model.len() == 1
        && rule.model.first().and_then(|spec| args.find(&spec.keywords, spec.position)).is_some_and(|a| a.is_path)
}

fn model_and_path(rule: &Rule, args: &CallArgs, qualified: &str) -> ((Option<String>, Resolvable, Option<PendingValue>), bool) {
    (model_of_inner(rule, args, qualified), model_is_path(rule, args))
}

fn model_of_inner(rule: &Rule, args: &CallArgs, qualified: &str) -> (Option<String>, Resolvable, Option<PendingValue>) {
    if rule.model.is_empty() {
        // No model argument at all: the callee itself names what it loads.
        return implicit_model(rule.implicit, qualified);
    }
    let mut parts = Vec::new();
    let mut kind = Resolvable::Literal;
    for spec in &rule.model {
        let Some(arg) = args.find(&spec.keywords, spec.position) else {
            return implicit_model(rule.implicit, qualified);
        };
        let arg = match &spec.key {
            Some(k) => match dict_get(arg, k) {
                Some(v) => v,
                None => return (None, Resolvable::Dynamic, None),
            },
            None => arg,
        };
        let arg = match spec.item {
            Some(i) => match arg.items.get(i) {
                Some(v) => v,
                None => return (None, Resolvable::Dynamic, None),
            },
            None => arg,
        };
        if spec.enum_literal && arg.is_attribute {
            parts.push(arg.text.clone());
            continue;
        }
        match &arg.value {
            Some(v) => {
                kind = weakest(kind, arg.kind());
                parts.push(v.clone());
            }
            None => {
                let pending = if rule.model.len() == 1 {
                    match (&arg.import_ref, &arg.config_ref) {
                        (Some(r), _) => Some(PendingValue::Import(r.clone())),
                        (None, Some(c)) => Some(PendingValue::Config(c.clone())),
                        (None, None) => None,
                    }
                } else {
                    None
                };
                return (None, Resolvable::Dynamic, pending);
            }
        }
    }
    (Some(parts.join(&rule.join)), kind, None)
}

/// Set `model`, `model_id`, `revision` and possibly `source` from a model string.
pub fn set_model(u: &mut ModelUsage, rule: &Rule, model: String, kind: Resolvable, catalog: &Catalog) {
    set_model_path(u, rule, model, kind, false, catalog)
}

/// As `set_model`; `is_path` says the code builds the string as a path.
pub fn set_model_path(u: &mut ModelUsage, rule: &Rule, model: String, kind: Resolvable, is_path: bool, catalog: &Catalog) {
    let callee_last = u.api.rsplit('.').next().unwrap_or(&u.api).to_string();
    let c = if is_path && !matches!(rule.model_kind, IdKind::Torchvision | IdKind::TorchHub) {
        crate::modelid::Canonical {
            model_id: format!("file:{}", crate::modelid::normalize_path(&model)),
            source: Some(Source::File),
            revision: None,
        }
    } else if rule.model_kind == IdKind::Torchvision {
        torchvision_identity(&model, kind, &callee_last, catalog)
    } else {
        canonical(rule.model_kind, &u.ecosystem, &model, &callee_last, &catalog.legacy_ids)
    };
    // `pretrained=True` names no weights: the implied weights do.
    let model = match (rule.model_kind, kind) {
        (IdKind::Torchvision, Resolvable::Implicit) => match catalog.torchvision.implied(&callee_last) {
            Some((e, t)) => format!("{e}.{t}"),
            None => model,
        },
        _ => model,
    };
    // The string shows where the model really comes from: a local folder
    // given to from_pretrained is a file, a URL given to a file loader is a
    // hub download. Auxiliary artefacts stay aux.
    if let Some(s) = c.source {
        if u.source != Source::Aux {
            u.source = s;
        }
    }
    u.model_id = Some(c.model_id);
    if u.revision.is_none() {
        u.revision = c.revision;
    }
    u.model = Some(model);
    u.model_resolvable = kind;
}

/// torchvision: `pretrained=True` loads the builder's legacy weights,
/// `DEFAULT` the tag torchvision's weights table marks as default.
fn torchvision_identity(model: &str, kind: Resolvable, builder: &str, catalog: &Catalog) -> crate::modelid::Canonical {
    let tv = &catalog.torchvision;
    let tag = model.rsplit('.').next().unwrap_or(model);
    let tag = if kind == Resolvable::Implicit {
        tv.implied(builder).map(|(_, t)| t)
    } else if tag == "DEFAULT" {
        tv.default_tag(builder)
    } else if tag == builder {
        None
    } else {
        Some(tag)
    };
    let id = match tag {
        Some(t) => format!("torchvision:{builder}.{t}"),
        None => format!("torchvision:{builder}"),
    };
    crate::modelid::Canonical { model_id: id, source: None, revision: None }
}

/// Build the usage of a call a rule matched, or None when the rule's
/// conditions say the call loads nothing (`pretrained=False`).
pub fn build(
    rule: &Rule,
    qualified: String,
    args: &CallArgs,
    site: &CallSite,
    catalog: &Catalog,
) -> Option<(ModelUsage, Option<PendingValue>)> {
    if !rule.require_any.is_empty() && !rule.require_any.iter().any(|c| condition_holds(c, args)) {
        return None;
    }
    if !rule.require_all.iter().all(|c| condition_holds(c, args)) {
        return None;
    }
    // A URL argument can name the provider behind a raw HTTP call.
    let ecosystem = rule
        .providers
        .iter()
        .find(|(rx, _)| {
            rx.is_match(&qualified)
                || args
                    .positional
                    .iter()
                    .take(2)
                    .chain(args.keyword("url"))
                    .any(|a| a.value.as_deref().is_some_and(|v| rx.is_match(v)) || rx.is_match(&a.text))
        })
        .map(|(_, e)| e.clone())
        .unwrap_or_else(|| rule.ecosystem.clone());
    // A loaded object handed to another loader is not a second load.
    if rule.model.len() == 1
        && rule.model.first().and_then(|spec| args.find(&spec.keywords, spec.position)).is_some_and(|a| a.model_object)
    {
        return None;
    }
    let ((model, resolvable, pending), is_path) = model_and_path(rule, args, &qualified);
    let revision = rule.revision.iter().find_map(|kw| args.keyword(kw).and_then(|a| a.value.clone()));
    let mut u = ModelUsage {
        location: site.location,
        column: site.column,
        source: rule.source,
        ecosystem,
        api: qualified,
        rule: rule.id.clone(),
        model: None,
        model_id: None,
        model_resolvable: resolvable,
        revision,
        trust_remote_code: None,
        weights_only: None,
        download_only: rule.download_only,
        snippet: site.snippet.clone(),
        confidence: Confidence::High,
        notes: None,
        artifact: None,
        task: rule.task.as_ref().and_then(|t| args.find(&t.keywords, t.position)).and_then(|a| a.value.clone()),
        revision_pinned: None,
        risks: Vec::new(),
    };
    match model {
        Some(m) => set_model_path(&mut u, rule, m, resolvable, is_path, catalog),
        // An unresolved path is still a local file, not a hub id.
        None if is_path && u.source == Source::Hub => u.source = Source::File,
        None => {}
    }
    for f in &rule.flags {
        match f {
            Flag::TrustRemoteCode => u.trust_remote_code = args.keyword("trust_remote_code").and_then(|a| a.boolean),
            Flag::WeightsOnly => u.weights_only = args.keyword("weights_only").and_then(|a| a.boolean),
        }
    }
    assess(&mut u, rule, args);
    Some((u, pending))
}

/// A revision is pinned when it names a commit (7 to 40 hex digits).
pub fn is_commit_hash(r: &str) -> bool {
    (7..=40).contains(&r.len()) && r.chars().all(|c| c.is_ascii_hexdigit())
}

fn remote_http(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("http://") else { return false };
    let host = rest.split(['/', ':']).next().unwrap_or("");
    !matches!(host, "localhost" | "127.0.0.1" | "0.0.0.0" | "[::1]" | "host.docker.internal") && !host.is_empty()
}

/// Pinning and risk findings of a usage; called again when the link step
/// changes its model or revision.
pub fn assess(u: &mut ModelUsage, rule: &Rule, args: &CallArgs) {
    let mut risks = rule.risks.clone();
    if u.trust_remote_code == Some(true) {
        risks.push(schemas::Risk::TrustRemoteCode);
    }
    if rule.flags.contains(&Flag::WeightsOnly) && u.weights_only != Some(true) {
        risks.push(schemas::Risk::UnsafeDeserialization);
    }
    // A hub model names a moving target unless a commit pins it.
    let versioned = matches!(u.source, Source::Hub | Source::Aux)
        && match u.model_id.as_deref() {
            Some(id) => id.starts_with("huggingface:") || id.starts_with("torchhub:"),
            // An unresolved hub id (not a weights URL) is unpinned unless a revision pins it.
            None => {
                matches!(rule.model_kind, IdKind::Hf | IdKind::TorchHub) && u.ecosystem == "huggingface"
                    || rule.model_kind == IdKind::TorchHub
            }
        };
    if versioned {
        let pinned = u.revision.as_deref().is_some_and(is_commit_hash);
        u.revision_pinned = Some(pinned);
        if !pinned {
            risks.push(schemas::Risk::UnpinnedRevision);
        }
    } else {
        u.revision_pinned = u.revision.as_deref().map(is_commit_hash);
    }
    let urls = u
        .model
        .iter()
        .map(String::as_str)
        .chain(args.positional.iter().take(2).chain(args.keyword("url")).filter_map(|a| a.value.as_deref()));
    if matches!(u.source, Source::Hub | Source::File) && urls.clone().any(remote_http) {
        risks.push(schemas::Risk::PlainHttp);
    }
    if !rule.checksum.is_empty() {
        let verified = rule.checksum.iter().any(|k| args.keyword(k).is_some_and(|a| a.text != "False" && a.text != "None"));
        if !verified {
            risks.push(schemas::Risk::NoChecksum);
        }
    }
    risks.sort_by_key(|r| r.as_str());
    risks.dedup();
    u.risks = risks;
}
