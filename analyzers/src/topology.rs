//! Integration topology: how the models of one file are wired together.
//!
//! Nodes are model load sites (aux artefacts are not nodes). Within a file,
//! values are followed through assignments (in functions and through `self.`
//! attributes across a class's methods), attribute access, indexing, string
//! formatting and function calls:
//! - `pipeline`: an invocation's output reaches another model's input;
//! - `ensemble`: the outputs of two or more models are combined into one value;
//! - `alternative`: which model is loaded depends on a branch, a conditional
//!   expression or a registry (dict) lookup.
//!
//! The repository's class follows from its nodes and edge kinds.

use crate::flows::{Arg, FlowKind};
use crate::python::{Analysis, BKind, Binding};
use crate::syntax::KindName;
use std::collections::BTreeSet;
use tree_sitter::Node;

/// An edge between two load sites of one file (indices into the file's usages).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileEdge {
    pub kind: EdgeKind,
    pub from: usize,
    pub to: usize,
    /// Where the data flows, the values combine, or the choice is made.
    pub at: schemas::Location,
    pub why: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    Pipeline,
    Ensemble,
    Alternative,
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Pipeline => "pipeline",
            EdgeKind::Ensemble => "ensemble",
            EdgeKind::Alternative => "alternative",
        }
    }
}

/// The innermost block or module above a binding's value `v`, with the
/// statement of it that holds `v`; None when a function, lambda, class or
/// comprehension is nearer (`syntax::path_down` from the `root`).
fn enclosing_block<'t>(root: Node<'t>, v: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
    crate::syntax::path_down(root, v)
        .filter(|(p, _)| {
            matches!(p.k(), "block" | "module" | "lambda" | "function_definition" | "class_definition" | "for_in_clause")
        })
        .last()
        .filter(|(p, _)| matches!(p.k(), "block" | "module"))
}

/// A binding is made on every path to `use_` when its statement (`stmt` of
/// the block `p`, from `enclosing_block`) sits in a block that encloses the use.
fn dominates(block: Option<(Node<'_>, Node<'_>)>, use_: Node<'_>) -> bool {
    let Some((p, stmt)) = block else { return false };
    let encloses = p.start_byte() <= use_.start_byte() && use_.end_byte() <= p.end_byte();
    // a loop's target is bound before every run of its body
    let before = stmt.end_byte() <= use_.start_byte()
        || (stmt.k() == "for_statement"
            && stmt.child_by_field_id(crate::syntax::F.body).is_some_and(|body| body.start_byte() <= use_.start_byte()));
    encloses && before
}

/// The names of a function's parameters, in order (`*` for a splat).
fn param_names(a: &Analysis<'_, '_>, def: Node<'_>) -> Vec<String> {
    let Some(params) = def.child_by_field_id(crate::syntax::F.parameters) else { return Vec::new() };
    let mut cur = params.walk();
    params
        .named_children(&mut cur)
        .filter(|p| p.k() != "comment")
        .map(|p| {
            let n = if p.k() == "identifier" {
                Some(p)
            } else {
                p.child_by_field_id(crate::syntax::F.name).or_else(|| p.named_child(0)).filter(|n| n.k() == "identifier")
            };
            match n {
                Some(n) if !matches!(p.k(), "list_splat_pattern" | "dictionary_splat_pattern") => a.text(n).into_owned(),
                _ => "*".to_string(),
            }
        })
        .collect()
}

const MAX: u32 = 24;

/// Model ids at or above this stand for models of the repository's other
/// modules (`from .loaders import load_asr`), resolved by the link step.
pub const FOREIGN: usize = 1 << 40;
/// Ids from here up to `FOREIGN` are calls the file could not match on its
/// own (through another module of the repository: `Pipeline =
/// Config.PIPELINES[key]`), in the order of `FileFacts::pending`; the link
/// step turns the ones that are loads into usage indices and drops the rest.
pub const PENDING: usize = 1 << 30;
/// Ids at or above this stand for a parameter of a module-level function.
const PARAM: usize = 1 << 50;
/// The output of running a parameter (a chain passed in and invoked).
const RUNPARAM: usize = 1 << 55;

/// How a parameter reaches a model: its value flows in (`Flow`), the models
/// it carries are wired to it by a library call (`Carry`), or running it
/// gives the value that flows in (`Run`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Feed {
    Flow,
    Carry,
    Run,
}

/// (kind, function key, parameter index, model) for the file's functions.
type Feeds = BTreeSet<(Feed, String, usize, usize)>;

/// What a module-level function does with models, for its callers in other
/// modules: which parameters reach which models' inputs, and which models'
/// outputs it returns (usage indices of its file).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FuncSummary {
    pub name: String,
    /// Parameter names in order, so keyword arguments find their parameter.
    pub params: Vec<String>,
    pub feeds: Vec<(usize, usize)>,
    pub returns: Vec<usize>,
}

/// A call of another module's function (`key` = `module.function`), with
/// the origins of each positional and keyword argument (ids as in `FileEdge`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignCall {
    pub key: String,
    pub args: Vec<Vec<usize>>,
    pub kwargs: Vec<(String, Vec<usize>)>,
    pub at: schemas::Location,
}

/// A file's topology facts.
#[derive(Debug, Default)]
pub struct FileTopology {
    pub edges: Vec<FileEdge>,
    pub foreign: Vec<String>,
    pub summaries: Vec<FuncSummary>,
    pub foreign_calls: Vec<ForeignCall>,
}

struct Topo<'a, 't, 'c> {
    a: &'a Analysis<'t, 'c>,
    loads: &'a [(Node<'t>, usize)],
    api: &'a [bool],
    foreign: std::cell::RefCell<Vec<String>>,
    /// Where each foreign name is in `foreign`.
    foreign_index: std::cell::RefCell<rustc_hash::FxHashMap<String, usize>>,
    params: std::cell::RefCell<Vec<(String, usize)>>,
    /// Dataflow steps taken for this file, bounded by `BUDGET`.
    steps: std::cell::Cell<u64>,
    /// What fills a container (the arguments of `parts.append(x)`, the value
    /// of `inputs["k"] = x`), by scope and name.
    fills: std::cell::OnceCell<rustc_hash::FxHashMap<(usize, String), Vec<Node<'t>>>>,
    /// Assignments to attributes of plain names, by target text.
    attr_assigns: std::cell::OnceCell<AttrAssigns<'t>>,
    /// `model_of` answers by (expression node, scope), and `returned_model`
    /// answers by function definition. An entry is written as `None` before
    /// its answer is computed, so recursive functions and self-referencing
    /// names end instead of looping, and every expression is traced once.
    memo: Memo<(usize, usize), Option<usize>>,
    returns: Memo<usize, Option<usize>>,
    /// `origins` of names and calls by (node, scope): a name used many
    /// times, or a value reached from many uses, is traced once.
    traced: std::cell::RefCell<Traced>,
    /// `carried` answers by (node, scope).
    carries: std::cell::RefCell<Traced>,
    /// `produced` answers by (node, scope).
    produces: std::cell::RefCell<Traced>,
    /// Set when a depth or budget cut-off happens (see `memoized`).
    truncated: std::cell::Cell<bool>,
    /// Whether the file imports a library a flow rule names.
    flow_imports: std::cell::OnceCell<bool>,
    /// `instance_class` answers by (node, scope).
    instances: Memo<(usize, usize), Option<usize>>,
    /// The values each function definition returns, found once (by node id).
    returned: Memo<usize, std::rc::Rc<Vec<Node<'t>>>>,
    /// `enclosing_block` answers by value node id.
    blocks: Memo<usize, Option<(Node<'t>, Node<'t>)>>,
    /// `param_names` by function definition node id.
    param_names: Memo<usize, std::rc::Rc<[String]>>,
    /// `local_callee` answers by (call node id, scope).
    callees: Memo<(usize, usize), Option<(Node<'t>, usize)>>,
    /// `param_key` answers by the parameter binding's (scope, position).
    param_keys: Memo<(usize, usize), Option<(String, usize)>>,
}

/// Each positional argument's and each keyword argument's model origins.
type ArgOrigins = (Vec<Vec<usize>>, Vec<(String, Vec<usize>)>);

/// Values (with their scope) that may reach a use, and the parameter keys.
type Reaching<'t> = (Vec<(Node<'t>, usize)>, Vec<(String, usize)>);

/// Values assigned to `name.attr` targets, with their scope.
type AttrAssigns<'t> = rustc_hash::FxHashMap<String, Vec<(Node<'t>, usize)>>;

/// Answers found once per key (`Topo::memoized`).
type Memo<K, V> = std::cell::RefCell<rustc_hash::FxHashMap<K, V>>;

/// Origins already traced, by (node id, scope).
type Traced = rustc_hash::FxHashMap<(usize, usize), std::rc::Rc<BTreeSet<usize>>>;

/// The most dataflow steps one file's topology may take: tracing without
/// memoisation can branch at every name with several assignments, and one
/// generated or huge file must not hold up a batch. Past it, the file's
/// edges are the ones found so far.
const BUDGET: u64 = 5_000;

/// The edges among a file's model loads. `loads` are the load calls with
/// their usage index; `api[i]` says load `i` is a hosted-model call, which is
/// its own invocation.
pub(crate) fn edges<'t>(a: &Analysis<'t, '_>, loads: &[(Node<'t>, usize)], api: &[bool]) -> FileTopology {
    let t = Topo::new(a, loads, api);
    let mut out: BTreeSet<FileEdge> = BTreeSet::new();
    let mut foreign_calls = Vec::new();
    // the invocations of the file's models, for the alternatives below
    let mut sites: Vec<(Node<'t>, usize)> = Vec::new();
    let mut invoked_ids: BTreeSet<usize> = BTreeSet::new();
    let mut local: Feeds = BTreeSet::new();
    for &(call, scope) in &a.calls {
        // pipeline: what flows into a model's input
        if let Some(m) = t.made(call, scope) {
            sites.push((call, m));
        }
        // pipeline: models wired together inside a library call
        t.composed(call, scope, &mut out, &mut local);
        let invoked = t.invoked(call, scope);
        if let Some(b) = invoked {
            invoked_ids.insert(b);
            if b < FOREIGN {
                sites.push((call, b));
            }
            let mut inputs = BTreeSet::new();
            if let Some(args) = call.child_by_field_id(crate::syntax::F.arguments) {
                t.origins(args, scope, 0, &mut inputs);
            }
            let others = t.also_invoked(call, scope, b);
            for &to in &others {
                for &from in inputs.iter().filter(|f| **f != to && **f < PARAM) {
                    out.insert(t.edge(EdgeKind::Pipeline, from, to, call, "output of one model reaches the input of the other"));
                }
            }
            for from in inputs.into_iter().filter(|f| *f != b) {
                if let Some((run, (f, i))) = t.param_of(from) {
                    // a parameter of a function reaches a model
                    if b < FOREIGN {
                        local.insert((if run { Feed::Run } else { Feed::Flow }, f, i, b));
                    }
                    continue;
                }
                out.insert(t.edge(EdgeKind::Pipeline, from, b, call, "output of one model reaches the input of the other"));
            }
            // a call of another module's function: each argument's origins
            if b >= FOREIGN {
                let key = t.foreign.borrow()[b - FOREIGN].trim_end_matches("()").to_string();
                let (per_arg, kwargs) = t.arg_origins(call, scope);
                if per_arg.iter().chain(kwargs.iter().map(|(_, o)| o)).any(|a| !a.is_empty()) {
                    foreign_calls.push(ForeignCall {
                        key,
                        args: per_arg,
                        kwargs,
                        at: schemas::Location::Line(call.start_position().row as u32 + 1),
                    });
                }
            }
        }
        // a registry of other modules' functions, one picked at run time
        // (`BACKENDS[name](history, question, context)`): the call is a call
        // of each, and their models are alternatives
        if invoked.is_none() && t.local_callee(call, scope).is_none() {
            if let Some(f) = call.child_by_field_id(crate::syntax::F.function) {
                let (values, dict) = t.registry_values(f, scope, 0);
                if let (true, Some(d)) = (values.len() >= 2, dict) {
                    for (i, &x) in values.iter().enumerate() {
                        for &y in &values[i + 1..] {
                            out.insert(t.edge(
                                EdgeKind::Alternative,
                                x,
                                y,
                                d,
                                "functions of one registry dict, one picked at run time",
                            ));
                        }
                    }
                    let (per_arg, kwargs) = t.arg_origins(call, scope);
                    if per_arg.iter().chain(kwargs.iter().map(|(_, o)| o)).any(|a| !a.is_empty()) {
                        for &v in &values {
                            let key = t.foreign.borrow()[v - FOREIGN].trim_end_matches("()").to_string();
                            foreign_calls.push(ForeignCall {
                                key,
                                args: per_arg.clone(),
                                kwargs: kwargs.clone(),
                                at: schemas::Location::Line(call.start_position().row as u32 + 1),
                            });
                        }
                    }
                }
            }
        }
        // ensemble: combining functions
        if let Some(f) = call.child_by_field_id(crate::syntax::F.function) {
            let name = a.text(f);
            let last = name.rsplit('.').next().unwrap_or(&name);
            if a.catalog.flows.methods.combine.contains(last) {
                let mut parts = Vec::new();
                if let Some(args) = call.child_by_field_id(crate::syntax::F.arguments) {
                    let mut cur = args.walk();
                    for arg in args.named_children(&mut cur) {
                        t.operands_of(arg, scope, &mut parts, true);
                    }
                }
                t.combine(&parts, call, &format!("outputs combined by {last}()"), &mut out);
            }
        }
    }
    // ensemble: arithmetic on outputs
    let Some(root) = a.calls.first().and(a.root) else {
        let summaries = t.summaries(&BTreeSet::new());
        return FileTopology { edges: out.into_iter().collect(), foreign: t.foreign.into_inner(), summaries, foreign_calls };
    };
    // pipeline: a LangChain `a | b | c` chain
    t.piped(root, &mut out, &mut local);
    // pipeline: through the parameters of the file's own functions
    t.local_feeds(&mut local, &mut out);
    // what other modules' calls need: module-level functions' parameters
    // whose values reach a model
    let feeds: BTreeSet<(String, usize, usize)> = local
        .iter()
        .filter(|(k, f, _, _)| *k == Feed::Flow && !f.starts_with('#'))
        .map(|(_, f, i, m)| (f.clone(), *i, *m))
        .collect();
    // Arithmetic can only combine outputs of two or more invoked models:
    // each outermost binary operator the scope pass met (`a * x + b * y`
    // once, not its operands again).
    if invoked_ids.len() >= 2 {
        let bin = crate::syntax::K.binary_operator;
        let mut cur = root.walk();
        let inner: rustc_hash::FxHashSet<usize> = a
            .binaries
            .iter()
            .flat_map(|(n, _)| n.named_children(&mut cur).filter(|c| c.kind_id() == bin).map(|c| c.id()).collect::<Vec<_>>())
            .collect();
        for &(n, scope) in a.binaries.iter().filter(|(n, _)| !inner.contains(&n.id())) {
            let mut parts = Vec::new();
            t.operands(n, scope, &mut parts);
            t.combine(&parts, n, "outputs combined arithmetically", &mut out);
        }
    }
    let summaries = t.summaries(&feeds);
    let done = |out: BTreeSet<FileEdge>, t: Topo<'_, 't, '_>| FileTopology {
        edges: out.into_iter().collect(),
        foreign: t.foreign.into_inner(),
        summaries,
        foreign_calls,
    };
    // alternative: loads in different branches, conditional expressions, one
    // registry; each load's ancestry found once, not once per pair
    let load_ancestries: Vec<Vec<(Node<'t>, Node<'t>)>> =
        if loads.len() >= 2 { loads.iter().map(|(c, _)| ancestry(a, *c, false)).collect() } else { Vec::new() };
    for i in 0..loads.len() {
        for j in i + 1..loads.len() {
            if let Some((node, why)) = alternatives(&load_ancestries[i], &load_ancestries[j]) {
                out.insert(FileEdge {
                    kind: EdgeKind::Alternative,
                    from: loads[i].1,
                    to: loads[j].1,
                    at: schemas::Location::Line(node.start_position().row as u32 + 1),
                    why: why.to_string(),
                });
            }
        }
    }
    // alternative: two models invoked or made in different branches of one
    // `if`, or one in an `if` that returns and the other after it
    // Only sites of one function can be alternatives this way: compare
    // within each scope, each site's ancestry computed once.
    sites.sort_by_key(|(c, _)| (t.scope_of(*c), c.start_byte()));
    sites.dedup_by_key(|(c, m)| (c.id(), *m));
    let scopes: Vec<usize> = sites.iter().map(|(c, _)| t.scope_of(*c)).collect();
    let ancestries: Vec<Vec<(Node<'t>, Node<'t>)>> = sites.iter().map(|(c, _)| ancestry(a, *c, true)).collect();
    for (i, &(x, mx)) in sites.iter().enumerate() {
        for (j, &(_, my)) in sites.iter().enumerate().skip(i + 1) {
            if scopes[j] != scopes[i] {
                break;
            }
            if mx == my {
                continue;
            }
            if let Some((node, why)) = invoked_alternatives(x, &ancestries[i], &ancestries[j]) {
                let (from, to) = (mx.min(my), mx.max(my));
                out.insert(FileEdge {
                    kind: EdgeKind::Alternative,
                    from,
                    to,
                    at: schemas::Location::Line(node.start_position().row as u32 + 1),
                    why: why.to_string(),
                });
            }
        }
    }
    done(out, t)
}

/// Each ancestor of `n` with the child on the way to `n`, innermost first;
/// with `own_scope`, up to the enclosing function, lambda or class only.
fn ancestry<'t>(a: &Analysis<'t, '_>, n: Node<'t>, own_scope: bool) -> Vec<(Node<'t>, Node<'t>)> {
    let Some(root) = a.root else { return Vec::new() };
    let mut v: Vec<(Node<'t>, Node<'t>)> = crate::syntax::path_down(root, n).collect();
    v.reverse();
    if own_scope {
        if let Some(k) = v.iter().position(|(p, _)| matches!(p.k(), "function_definition" | "lambda" | "class_definition")) {
            v.truncate(k + 1);
        }
    }
    v
}

/// The index of `key` in `v`, appended if new.
fn intern<T: PartialEq>(v: &mut Vec<T>, key: T) -> usize {
    match v.iter().position(|k| *k == key) {
        Some(i) => i,
        None => {
            v.push(key);
            v.len() - 1
        }
    }
}

/// Why two invocations use their models as alternatives: they sit in
/// different branches of one `if` (not its condition), or one sits in an
/// `if` without `else` whose branch always returns or raises and the other in
/// a later statement of the same block. Document order: `x` before `y`.
fn invoked_alternatives<'t>(
    x: Node<'t>,
    cx: &[(Node<'t>, Node<'t>)],
    cy: &[(Node<'t>, Node<'t>)],
) -> Option<(Node<'t>, &'static str)> {
    let (p, a, b) = cx.iter().find_map(|(px, ax)| cy.iter().find(|(py, _)| py.id() == px.id()).map(|(_, by)| (*px, *ax, *by)))?;
    if a.id() == b.id() {
        return None;
    }
    let branch = |c: Node<'t>| {
        matches!(c.k(), "block" | "else_clause" | "elif_clause") && p.child_by_field_id(crate::syntax::F.condition) != Some(c)
    };
    match p.k() {
        "if_statement" if branch(a) && branch(b) => Some((p, "used in different branches of one if")),
        "block" | "module" if a.k() == "if_statement" && a.child_by_field_id(crate::syntax::F.alternative).is_none() => {
            let body = a.child_by_field_id(crate::syntax::F.consequence)?;
            let mut cur = body.walk();
            let last = body.named_children(&mut cur).filter(|c| c.k() != "comment").last()?;
            let in_body = body.start_byte() <= x.start_byte() && x.end_byte() <= body.end_byte();
            (in_body && matches!(last.k(), "return_statement" | "raise_statement"))
                .then_some((a, "used in an if that returns, and after it"))
        }
        _ => None,
    }
}

/// The models a file offers other modules: module-level names bound to a
/// model, and functions that return one (name, usage index).
pub(crate) fn model_exports<'t>(a: &Analysis<'t, '_>, loads: &[(Node<'t>, usize)]) -> Vec<(String, usize)> {
    let t = Topo::new(a, loads, &[]);
    let mut out = Vec::new();
    for (name, b) in a.module_bindings() {
        let m = match b.kind {
            BKind::Value(v) => t.model_of(v, 0, 0).map(|u| (name.clone(), u)),
            BKind::Func(def, fscope) => t.returned_model(def, fscope, 0).map(|u| (format!("{name}()"), u)),
            // a class that wraps exactly one model in a `self.` attribute:
            // its instances stand for that model (`clf = KeyPointClassifier()`)
            BKind::Class(cscope) => t.class_model(cscope).map(|u| (format!("{name}()"), u)),
            _ => None,
        };
        out.extend(m.filter(|(_, u)| *u < FOREIGN));
        // the models an instance holds in `self.` attributes, for other
        // modules' `loader = get_loader(); loader.refiner(...)`
        let instance = match b.kind {
            BKind::Class(cscope) => Some((format!("{name}()"), cscope)),
            BKind::Func(def, fscope) => {
                t.returns_of(def).iter().find_map(|v| t.instance_class(*v, fscope, 0)).map(|c| (format!("{name}()"), c))
            }
            _ => None,
        };
        if let Some((prefix, cscope)) = instance {
            for (attr, u) in t.held_models(cscope) {
                out.push((format!("{prefix}.{attr}"), u));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Why two load calls are alternatives: they sit in different clauses of one
/// `if`/`match`, the two arms of a conditional expression, or the values of one
/// dict literal (a registry looked up at run time).
fn alternatives<'t>(ax: &[(Node<'t>, Node<'t>)], ay: &[(Node<'t>, Node<'t>)]) -> Option<(Node<'t>, &'static str)> {
    for (k, (px, cx)) in ax.iter().enumerate() {
        if let Some((_, cy)) = ay.iter().find(|(py, _)| py.id() == px.id()) {
            if cx.id() == cy.id() {
                continue;
            }
            // the parent of `px`: the next ancestor out
            let parent = ax.get(k + 1).map(|(p, _)| *p);
            let why = match px.k() {
                "if_statement" => "loaded in different branches of one if",
                "match_statement" | "block" if parent.is_some_and(|m| m.k() == "match_statement") => {
                    "loaded in different cases of one match"
                }
                "conditional_expression" => "chosen by a conditional expression",
                "dictionary" => "values of one registry dict, looked up at run time",
                "pair" => return None,
                _ => return None,
            };
            return Some((*px, why));
        }
    }
    None
}

impl<'a, 't, 'c> Topo<'a, 't, 'c> {
    fn new(a: &'a Analysis<'t, 'c>, loads: &'a [(Node<'t>, usize)], api: &'a [bool]) -> Self {
        Topo {
            a,
            loads,
            api,
            foreign: Default::default(),
            foreign_index: Default::default(),
            params: Default::default(),
            steps: Default::default(),
            fills: Default::default(),
            attr_assigns: Default::default(),
            memo: Default::default(),
            returns: Default::default(),
            traced: Default::default(),
            carries: Default::default(),
            produces: Default::default(),
            instances: Default::default(),
            flow_imports: Default::default(),
            truncated: Default::default(),
            returned: Default::default(),
            blocks: Default::default(),
            param_names: Default::default(),
            param_keys: Default::default(),
            callees: Default::default(),
        }
    }

    /// The answer for `key` in `table`, computed by `f` the first time.
    /// For answers that take no dataflow steps, so no cut-off can touch
    /// them (those go through `memoized`); `f` must not ask `table` again.
    fn cached<K: std::hash::Hash + Eq, V: Clone>(table: &Memo<K, V>, key: K, f: impl FnOnce() -> V) -> V {
        if let Some(v) = table.borrow().get(&key) {
            return v.clone();
        }
        let v = f();
        table.borrow_mut().insert(key, v.clone());
        v
    }

    /// `param_names` of a definition, found once.
    fn param_names(&self, def: Node<'t>) -> std::rc::Rc<[String]> {
        Self::cached(&self.param_names, def.id(), || param_names(self.a, def).into())
    }

    /// `enclosing_block` of a binding's value, found once per value.
    fn enclosing_block(&self, b: &Binding<'t>) -> Option<(Node<'t>, Node<'t>)> {
        let (BKind::Value(v) | BKind::WithAs(v) | BKind::Element(v)) = b.kind else { return None };
        Self::cached(&self.blocks, v.id(), || enclosing_block(self.a.root.unwrap_or(v), v))
    }

    /// `Analysis::returned_values`, found once per function definition.
    fn returns_of(&self, def: Node<'t>) -> std::rc::Rc<Vec<Node<'t>>> {
        Self::cached(&self.returned, def.id(), || std::rc::Rc::new(self.a.returned_values(def)))
    }

    fn edge(&self, kind: EdgeKind, from: usize, to: usize, at: Node<'t>, why: &str) -> FileEdge {
        FileEdge { kind, from, to, at: schemas::Location::Line(at.start_position().row as u32 + 1), why: why.to_string() }
    }

    fn scope_of(&self, n: Node<'t>) -> usize {
        self.a.scope_at(n)
    }

    /// The load (usage index) an expression evaluates to, if it is a model object.
    fn model_of(&self, e: Node<'t>, scope: usize, depth: u32) -> Option<usize> {
        if depth > MAX {
            return self.cut(None);
        }
        self.memoized(&self.memo, (e.id(), scope), || self.model_of_uncached(e, scope, depth))
    }

    /// The answer for `key` in `table`; else compute it, marking the key in
    /// progress first (a recursive function or a loop-carried name ends
    /// there, with what is known so far). An answer computed while a depth
    /// or budget cut-off happened is not kept: a shallower question later
    /// must not get the truncated answer.
    fn memoized<K: std::hash::Hash + Eq + Copy, V: Clone + Default>(
        &self,
        table: &std::cell::RefCell<rustc_hash::FxHashMap<K, V>>,
        key: K,
        f: impl FnOnce() -> V,
    ) -> V {
        if let Some(v) = table.borrow().get(&key) {
            return v.clone();
        }
        table.borrow_mut().insert(key, V::default());
        let outer = self.truncated.replace(false);
        let v = f();
        if self.truncated.get() {
            table.borrow_mut().remove(&key);
        } else {
            table.borrow_mut().insert(key, v.clone());
        }
        self.truncated.set(outer || self.truncated.get());
        v
    }

    /// Note a depth or budget cut-off, and answer `v`.
    fn cut<V>(&self, v: V) -> V {
        self.truncated.set(true);
        v
    }

    fn model_of_uncached(&self, e: Node<'t>, scope: usize, depth: u32) -> Option<usize> {
        if let Some((_, u)) = self.loads.iter().find(|(c, _)| c.id() == e.id()) {
            return Some(*u);
        }
        match e.k() {
            "identifier" => {
                let name = self.a.text(e);
                let b = self.a.lookup(&name, scope, e.start_byte())?;
                if let BKind::Import(_) = b.kind {
                    return self.foreign_of(e, scope, "");
                }
                self.binding_model(b, depth).or_else(|| self.filled_model(&name, b.scope, depth + 1))
            }
            "attribute" => {
                let obj = e.child_by_field_id(crate::syntax::F.object)?;
                if obj.k() == "identifier" && matches!(&*self.a.text(obj), "self" | "cls") {
                    let attr = self.a.text(e.child_by_field_id(crate::syntax::F.attribute)?);
                    let b = self.a.lookup_self_attr(&attr, scope, e.start_byte())?;
                    return self.binding_model(b, depth);
                }
                self.foreign_of(e, scope, "")
            }
            "call" => {
                let f = e.child_by_field_id(crate::syntax::F.function)?;
                // `model.to(device).eval()` is still the model
                if f.k() == "attribute" {
                    let m = self.a.text(f.child_by_field_id(crate::syntax::F.attribute)?);
                    if self.a.catalog.flows.methods.keep.contains(&*m) {
                        return self.model_of(f.child_by_field_id(crate::syntax::F.object)?, scope, depth + 1);
                    }
                }
                // a local function that returns a model
                if f.k() == "identifier" {
                    match self.a.lookup(&self.a.text(f), scope, e.start_byte()) {
                        Some(Binding { kind: BKind::Func(def, fscope), .. }) => {
                            return self.returned_model(def, fscope, depth + 1)
                        }
                        // an instance of a local class that wraps one model
                        Some(Binding { kind: BKind::Class(cscope), .. }) => return self.class_model(cscope),
                        Some(Binding { kind: BKind::Import(_), .. }) => return self.foreign_of(f, scope, "()"),
                        _ => {}
                    }
                }
                // a function or class of another module (`loaders.load_asr()`)
                if f.k() == "attribute" {
                    return self.foreign_of(f, scope, "()");
                }
                None
            }
            "parenthesized_expression" | "await" => self.model_of(e.named_child(0)?, scope, depth + 1),
            _ => None,
        }
    }

    /// A name of another module of the repository (`loaders.load_asr`):
    /// a foreign model id the link step resolves, or drops.
    fn foreign_of(&self, e: Node<'t>, scope: usize, suffix: &str) -> Option<usize> {
        let q = self.a.qualify(e, scope, e.start_byte(), 0)?;
        let root = q.split('.').next().unwrap_or(&q);
        // `loaders.get_loader().refiner`: an attribute of what another
        // module's function returns is fine too
        if !self.a.is_repo_root(root.trim_end_matches("()")) {
            return None;
        }
        let key = format!("{q}{suffix}");
        if let Some(i) = self.foreign_index.borrow().get(&key) {
            return Some(FOREIGN + i);
        }
        let mut foreign = self.foreign.borrow_mut();
        foreign.push(key.clone());
        self.foreign_index.borrow_mut().insert(key, foreign.len() - 1);
        Some(FOREIGN + foreign.len() - 1)
    }

    /// The model a class wraps, so that its instances stand for it
    /// (`clf = KeyPointClassifier()`): the one model held in its `self.`
    /// attributes, else the one model its body loads (a load cached in a
    /// module dict, a hosted call in a method).
    fn class_model(&self, cscope: usize) -> Option<usize> {
        let held: BTreeSet<usize> = self
            .a
            .self_attr_bindings(cscope)
            .into_iter()
            .filter_map(|b| self.binding_model(b, 0))
            .filter(|u| *u < FOREIGN)
            .collect();
        if !held.is_empty() {
            return (held.len() == 1).then(|| *held.first().expect("one"));
        }
        let inside: BTreeSet<usize> =
            self.loads.iter().filter(|(c, _)| self.a.scope_within(self.scope_of(*c), cscope)).map(|(_, u)| *u).collect();
        (inside.len() == 1).then(|| *inside.first().expect("one"))
    }

    /// Every model a class's instances hold, by `self.` attribute (an
    /// attribute bound in several places holds each).
    fn held_models(&self, cscope: usize) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        for (key, bs) in self.a.class_bindings(cscope) {
            let Some(attr) = key.strip_prefix("self.") else { continue };
            for b in bs {
                if let Some(u) = self.binding_model(b, 0).filter(|u| *u < FOREIGN) {
                    out.push((attr.to_string(), u));
                }
            }
        }
        out
    }

    /// The local class an expression is an instance of: `Loader()`, a name
    /// bound to one, a local function returning one, or a singleton kept
    /// in an attribute of a module-level name (`get_loader._instance =
    /// Loader()`).
    fn instance_class(&self, e: Node<'t>, scope: usize, depth: u32) -> Option<usize> {
        if depth > MAX {
            return self.cut(None);
        }
        self.memoized(&self.instances, (e.id(), scope), || self.instance_class_uncached(e, scope, depth))
    }

    fn instance_class_uncached(&self, e: Node<'t>, scope: usize, depth: u32) -> Option<usize> {
        self.steps.set(self.steps.get() + 1);
        if self.steps.get() > BUDGET {
            return self.cut(None);
        }
        match e.k() {
            "call" => {
                let f = e.child_by_field_id(crate::syntax::F.function).filter(|f| f.k() == "identifier")?;
                match self.a.lookup(&self.a.text(f), scope, e.start_byte())?.kind {
                    BKind::Class(cscope) => Some(cscope),
                    BKind::Func(def, fscope) => {
                        self.returns_of(def).iter().find_map(|v| self.instance_class(*v, fscope, depth + 1))
                    }
                    _ => None,
                }
            }
            "identifier" => {
                let name = self.a.text(e);
                let b = self.a.lookup(&name, scope, e.start_byte())?;
                self.reaching(b, &name, e).into_iter().find_map(|b| match b.kind {
                    BKind::Value(v) => self.instance_class(v, b.scope, depth + 1),
                    _ => None,
                })
            }
            "attribute" => {
                let obj = e.child_by_field_id(crate::syntax::F.object).filter(|o| o.k() == "identifier")?;
                if matches!(&*self.a.text(obj), "self" | "cls") {
                    return None;
                }
                let text = self.a.text(e);
                self.attr_assigns().get(&*text)?.iter().find_map(|(v, s)| self.instance_class(*v, *s, depth + 1))
            }
            "parenthesized_expression" => self.instance_class(e.named_child(0)?, scope, depth + 1),
            _ => None,
        }
    }

    /// Assignments to an attribute of a plain name (`get_loader._instance =
    /// Loader()`), by the target's text: value and scope.
    fn attr_assigns(&self) -> &AttrAssigns<'t> {
        self.attr_assigns.get_or_init(|| {
            let mut m = AttrAssigns::default();
            if self.loads.is_empty() {
                return m;
            }
            // The last assignment in the file is tried first.
            let mut found = self.a.attr_assignments.clone();
            found.sort_by_key(|(n, _)| std::cmp::Reverse(n.start_byte()));
            for (n, scope) in found {
                let left = n.child_by_field_id(crate::syntax::F.left);
                if let (Some(l), Some(right)) = (left, n.child_by_field_id(crate::syntax::F.right)) {
                    m.entry(self.a.text(l).into_owned()).or_default().push((right, scope));
                }
            }
            m
        })
    }

    fn binding_model(&self, b: Binding<'t>, depth: u32) -> Option<usize> {
        match b.kind {
            BKind::Value(v) | BKind::WithAs(v) => self.model_of(v, b.scope, depth + 1),
            _ => None,
        }
    }

    /// A network the repository builds and then fills with loaded weights
    /// (`net.load_state_dict(torch.load(p))`, `model.load_weights(p)`) is
    /// that load's model.
    fn filled_model(&self, name: &str, scope: usize, depth: u32) -> Option<usize> {
        for (c, cs) in &self.a.calls {
            if *cs != scope {
                continue;
            }
            let Some(f) = c.child_by_field_id(crate::syntax::F.function).filter(|f| f.k() == "attribute") else { continue };
            let (Some(obj), Some(attr)) =
                (f.child_by_field_id(crate::syntax::F.object), f.child_by_field_id(crate::syntax::F.attribute))
            else {
                continue;
            };
            if self.a.text(obj) != name {
                continue;
            }
            match &*self.a.text(attr) {
                "load_state_dict" => {
                    let arg = c.child_by_field_id(crate::syntax::F.arguments).and_then(|a| a.named_child(0))?;
                    if let Some(m) = self.model_of(arg, scope, depth + 1) {
                        return Some(m);
                    }
                }
                "load_weights" | "load_model" | "load" => {
                    if let Some((_, u)) = self.loads.iter().find(|(l, _)| l.id() == c.id()) {
                        return Some(*u);
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn returned_model(&self, def: Node<'t>, fscope: usize, depth: u32) -> Option<usize> {
        self.memoized(&self.returns, def.id(), || self.returned_model_uncached(def, fscope, depth))
    }

    fn returned_model_uncached(&self, def: Node<'t>, fscope: usize, depth: u32) -> Option<usize> {
        self.returns_of(def).iter().find_map(|v| self.model_of(*v, fscope, depth + 1))
    }

    /// The names a call goes by for the flow rules: its qualified name and,
    /// for a method, `?.method`.
    fn call_names(&self, call: Node<'t>, scope: usize) -> Vec<String> {
        let Some(f) = call.child_by_field_id(crate::syntax::F.function) else { return Vec::new() };
        // Most calls can match no flow rule: a method no `?.` pattern names,
        // in a file that imports none of the rules' libraries.
        let flows = &self.a.catalog.flows;
        let method = f.child_by_field_id(crate::syntax::F.attribute).filter(|_| f.k() == "attribute").map(|m| self.a.text(m));
        let by_method = method.as_deref().is_some_and(|m| flows.method_patterns.contains(m));
        let by_import = *self
            .flow_imports
            .get_or_init(|| self.a.imported_roots.iter().any(|r| flows.roots.iter().any(|root| r.starts_with(root.as_str()))));
        if !by_method && !by_import {
            return Vec::new();
        }
        let mut names: Vec<String> = self.a.qualify(f, scope, call.start_byte(), 0).into_iter().collect();
        if let Some(attr) = f.child_by_field_id(crate::syntax::F.attribute).filter(|_| f.k() == "attribute") {
            names.push(format!("?.{}", self.a.text(attr)));
        }
        names
    }

    /// The arguments of a call a flow rule names.
    fn flow_args(&self, call: Node<'t>, spec: &[Arg]) -> Vec<Node<'t>> {
        let mut out = Vec::new();
        let args = call.child_by_field_id(crate::syntax::F.arguments);
        let mut positional = Vec::new();
        let mut keywords = Vec::new();
        if let Some(args) = args {
            let mut cur = args.walk();
            for c in args.named_children(&mut cur) {
                match c.k() {
                    "keyword_argument" => {
                        if let (Some(n), Some(v)) =
                            (c.child_by_field_id(crate::syntax::F.name), c.child_by_field_id(crate::syntax::F.value))
                        {
                            keywords.push((self.a.text(n), v));
                        }
                    }
                    "comment" | "list_splat" | "dictionary_splat" => {}
                    _ => positional.push(c),
                }
            }
        }
        for s in spec {
            match s {
                Arg::Keyword(k) => out.extend(keywords.iter().filter(|(n, _)| **n == **k).map(|(_, v)| *v)),
                Arg::Position(i) => out.extend(positional.get(*i).copied()),
                Arg::Receiver => out.extend(
                    call.child_by_field_id(crate::syntax::F.function)
                        .filter(|f| f.k() == "attribute")
                        .and_then(|f| f.child_by_field_id(crate::syntax::F.object)),
                ),
            }
        }
        out
    }

    /// The models an expression carries: a model object, or a library
    /// object built from model objects by a carry or compose flow rule
    /// (a vector store over an embedding model, its retriever, a chain).
    fn carried(&self, e: Node<'t>, scope: usize, depth: u32) -> std::rc::Rc<BTreeSet<usize>> {
        self.memoized(&self.carries, (e.id(), scope), || std::rc::Rc::new(self.carried_uncached(e, scope, depth)))
    }

    fn carried_uncached(&self, e: Node<'t>, scope: usize, depth: u32) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        self.steps.set(self.steps.get() + 1);
        if depth > MAX || self.steps.get() > BUDGET {
            return self.cut(out);
        }
        // Names and local factories: every model that may reach, not only
        // the latest (`if local: llm = A() else: llm = B()`).
        if !matches!(e.k(), "identifier" | "call" | "attribute") {
            if let Some(m) = self.model_of(e, scope, 0) {
                out.insert(m);
                return out;
            }
        }
        let mut params = Vec::new();
        let mut add = |n: Node<'t>, s: usize| out.extend(self.carried(n, s, depth + 1).iter().copied());
        match e.k() {
            "identifier" => {
                let (values, ps) = self.reaching_values(e, scope);
                for (v, s) in values {
                    add(v, s);
                }
                params.extend(ps.into_iter().map(|p| self.param_id(p)));
            }
            "attribute" => {
                let Some(obj) = e.child_by_field_id(crate::syntax::F.object) else { return out };
                if obj.k() == "identifier" && matches!(&*self.a.text(obj), "self" | "cls") {
                    let attr =
                        e.child_by_field_id(crate::syntax::F.attribute).map(|a| self.a.text(a).into_owned()).unwrap_or_default();
                    if let Some(Binding { kind: BKind::Value(v), scope: bs, .. }) =
                        self.a.lookup_self_attr(&attr, scope, e.start_byte())
                    {
                        add(v, bs);
                    }
                }
            }
            "call" => {
                let names = self.call_names(e, scope);
                let f = e.child_by_field_id(crate::syntax::F.function);
                let cast = f
                    .filter(|f| matches!(f.k(), "identifier" | "attribute"))
                    .is_some_and(|f| self.a.qualify(f, scope, e.start_byte(), 0).is_some_and(|q| q == "typing.cast"));
                if cast {
                    // `typing.cast(T, x)` is `x`
                    if let Some(x) = self.flow_args(e, &[Arg::Position(1)]).first() {
                        add(*x, scope);
                    }
                } else if self.a.catalog.flows.for_call(&names).is_some() {
                    let mut all = self.flow_args(e, &[Arg::Receiver]);
                    if let Some(args) = e.child_by_field_id(crate::syntax::F.arguments) {
                        let mut cur = args.walk();
                        all.extend(args.named_children(&mut cur).filter(|c| c.k() != "comment"));
                    }
                    for n in all {
                        add(n, scope);
                    }
                } else if let Some((def, fscope)) = self.local_callee(e, scope) {
                    // a local function that builds one: what it returns
                    for v in self.returns_of(def).iter() {
                        add(*v, fscope);
                    }
                }
            }
            "keyword_argument" | "pair" => {
                if let Some(v) = e.child_by_field_id(crate::syntax::F.value) {
                    add(v, scope);
                }
            }
            "binary_operator" | "dictionary" | "list" | "tuple" | "parenthesized_expression" | "await" => {
                let mut cur = e.walk();
                let children: Vec<Node<'t>> = e.named_children(&mut cur).collect();
                for c in children {
                    add(c, scope);
                }
            }
            _ => {}
        }
        out.extend(params);
        if out.is_empty() {
            out.extend(self.model_of(e, scope, 0));
        }
        out
    }

    /// The models whose output a call of a library object gives, when the
    /// call runs one that flow rules built (`qa.invoke(q)`, `qa(q)`,
    /// `engine.query(q)`) and that is not itself a model.
    fn carrier_run(&self, call: Node<'t>, scope: usize) -> Option<std::rc::Rc<BTreeSet<usize>>> {
        let f = call.child_by_field_id(crate::syntax::F.function)?;
        let object = match f.k() {
            "attribute" => {
                let m = self.a.text(f.child_by_field_id(crate::syntax::F.attribute)?);
                if !self.a.catalog.flows.methods.invoke.contains(&*m) && !self.a.catalog.flows.methods.run_carrier.contains(&*m) {
                    return None;
                }
                f.child_by_field_id(crate::syntax::F.object)?
            }
            "identifier" => f,
            _ => return None,
        };
        if self.model_of(object, scope, 0).is_some() {
            return None;
        }
        Some(self.produced(object, scope, 0)).filter(|p| !p.is_empty())
    }

    /// The models a library object's output comes from: a compose rule's
    /// downstream models, everything a carry rule's object carries, the last
    /// carrying runnable of a pipe.
    fn produced(&self, e: Node<'t>, scope: usize, depth: u32) -> std::rc::Rc<BTreeSet<usize>> {
        self.memoized(&self.produces, (e.id(), scope), || std::rc::Rc::new(self.produced_uncached(e, scope, depth)))
    }

    fn produced_uncached(&self, e: Node<'t>, scope: usize, depth: u32) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        self.steps.set(self.steps.get() + 1);
        if depth > MAX || self.steps.get() > BUDGET {
            return self.cut(out);
        }
        match e.k() {
            "identifier" => {
                let (values, ps) = self.reaching_values(e, scope);
                for (v, s) in values {
                    out.extend(self.produced(v, s, depth + 1).iter().copied());
                }
                // a chain passed in: its callers say what it runs
                out.extend(ps.into_iter().map(|p| self.run_param_id(p)));
            }
            "attribute" => {
                if let Some(Binding { kind: BKind::Value(v), scope: bs, .. }) = e
                    .child_by_field_id(crate::syntax::F.object)
                    .filter(|o| o.k() == "identifier" && matches!(&*self.a.text(*o), "self" | "cls"))
                    .and_then(|_| e.child_by_field_id(crate::syntax::F.attribute))
                    .and_then(|a| self.a.lookup_self_attr(&self.a.text(a), scope, e.start_byte()))
                {
                    out.extend(self.produced(v, bs, depth + 1).iter().copied());
                }
            }
            "call" => {
                let names = self.call_names(e, scope);
                match self.a.catalog.flows.for_call(&names) {
                    Some(flow) if flow.kind == FlowKind::Compose => {
                        for n in self.flow_args(e, &flow.downstream) {
                            out.extend(self.carried(n, scope, 0).iter().copied().filter(|m| *m < PARAM));
                        }
                    }
                    Some(_) => {
                        out.extend(self.carried(e, scope, 0).iter().copied().filter(|m| *m < PARAM));
                    }
                    None => {
                        if let Some((def, fscope)) = self.local_callee(e, scope) {
                            for v in self.returns_of(def).iter() {
                                out.extend(self.produced(*v, fscope, depth + 1).iter().copied());
                            }
                        }
                    }
                }
            }
            "binary_operator" => {
                // the last operand of a pipe that carries a model
                let mut cur = e.walk();
                let ops: Vec<Node<'t>> = e.named_children(&mut cur).collect();
                if let Some(last) = ops.iter().rev().map(|o| self.carried(*o, scope, 0)).find(|c| !c.is_empty()) {
                    out.extend(last.iter().copied().filter(|m| *m < PARAM));
                }
            }
            "parenthesized_expression" => {
                if let Some(c) = e.named_child(0) {
                    out.extend(self.produced(c, scope, depth + 1).iter().copied());
                }
            }
            _ => {}
        }
        out
    }

    /// A compose flow rule's call: the models its upstream arguments carry
    /// feed those its downstream arguments carry.
    fn composed(&self, call: Node<'t>, scope: usize, out: &mut BTreeSet<FileEdge>, carries: &mut Feeds) {
        let names = self.call_names(call, scope);
        let Some(flow) = self.a.catalog.flows.for_call(&names).filter(|f| f.kind == FlowKind::Compose) else { return };
        let collect = |spec: &[Arg]| -> BTreeSet<usize> {
            self.flow_args(call, spec)
                .into_iter()
                .flat_map(|n| self.carried(n, scope, 0).iter().copied().collect::<Vec<_>>())
                .collect()
        };
        let up = collect(&flow.upstream);
        let down = collect(&flow.downstream);
        let why = format!(
            "{} {}: {}",
            flow.id, flow.name, "the upstream model's output reaches the downstream model inside the library"
        );
        self.wire(&up, &down, call, &why, out, carries);
    }

    /// Pipeline edges from every model of `up` to every model of `down`; a
    /// parameter in `up` becomes a carry feed of its function (its callers
    /// pass what it carries).
    fn wire(
        &self,
        up: &BTreeSet<usize>,
        down: &BTreeSet<usize>,
        at: Node<'t>,
        why: &str,
        out: &mut BTreeSet<FileEdge>,
        carries: &mut Feeds,
    ) {
        for &u in up {
            for &d in down.iter().filter(|d| **d < PARAM && **d != u) {
                if let Some((_, (k, i))) = self.param_of(u) {
                    carries.insert((Feed::Carry, k, i, d));
                } else {
                    out.insert(self.edge(EdgeKind::Pipeline, u, d, at, why));
                }
            }
        }
    }

    /// Chains of a pipe flow rule's operator (`retriever | prompt | llm`):
    /// each operand that carries a model feeds the next one that does.
    fn piped(&self, root: Node<'t>, out: &mut BTreeSet<FileEdge>, carries: &mut Feeds) {
        for (op, flow) in self.a.catalog.flows.pipe_operators() {
            if !flow.imports.iter().any(|m| self.a.imported_roots.contains(m)) {
                continue;
            }
            let is_pipe = |n: Node<'t>| {
                n.k() == "binary_operator" && n.child_by_field_id(crate::syntax::F.operator).is_some_and(|o| self.a.text(o) == op)
            };
            let mut stack = vec![root];
            while let Some(n) = stack.pop() {
                let mut cur = n.walk();
                stack.extend(n.named_children(&mut cur));
                if !is_pipe(n) || n.parent().is_some_and(is_pipe) {
                    continue;
                }
                // the operands, left to right
                let mut operands = Vec::new();
                let mut todo = vec![n];
                while let Some(x) = todo.pop() {
                    if is_pipe(x) {
                        todo.extend(x.child_by_field_id(crate::syntax::F.right));
                        todo.extend(x.child_by_field_id(crate::syntax::F.left));
                    } else {
                        operands.push(x);
                    }
                }
                let scope = self.scope_of(n);
                let sets: Vec<BTreeSet<usize>> =
                    operands.iter().map(|o| self.carried(*o, scope, 0).iter().copied().collect()).collect();
                let why = format!("{} {}: each runnable's output is the next one's input", flow.id, flow.name);
                let carrying: Vec<&BTreeSet<usize>> = sets.iter().filter(|s| !s.is_empty()).collect();
                for w in carrying.windows(2) {
                    self.wire(w[0], w[1], n, &why, out, carries);
                }
            }
        }
    }

    /// A hosted-model call: its value is the model's output, not a model
    /// object (`response = client.chat.completions.create(...)`).
    fn is_api_load(&self, v: Node<'t>) -> bool {
        self.loads.iter().position(|(c, _)| c.id() == v.id()).is_some_and(|i| self.api.get(i).copied().unwrap_or(false))
    }

    /// The origins of each positional and keyword argument of a call
    /// (models only), for another module's function.
    fn arg_origins(&self, call: Node<'t>, scope: usize) -> ArgOrigins {
        let mut per_arg = Vec::new();
        let mut kwargs = Vec::new();
        let Some(args) = call.child_by_field_id(crate::syntax::F.arguments) else { return (per_arg, kwargs) };
        let mut cur = args.walk();
        for arg in args.named_children(&mut cur).filter(|c| c.k() != "comment") {
            let mut o = BTreeSet::new();
            if arg.k() == "keyword_argument" {
                let (Some(n), Some(v)) =
                    (arg.child_by_field_id(crate::syntax::F.name), arg.child_by_field_id(crate::syntax::F.value))
                else {
                    continue;
                };
                self.origins(v, scope, 0, &mut o);
                kwargs.push((self.a.text(n).into_owned(), o.into_iter().filter(|x| *x < PARAM).collect::<Vec<_>>()));
            } else if !matches!(arg.k(), "list_splat" | "dictionary_splat") {
                self.origins(arg, scope, 0, &mut o);
                per_arg.push(o.into_iter().filter(|x| *x < PARAM).collect::<Vec<_>>());
            }
        }
        (per_arg, kwargs)
    }

    /// The functions of other modules a callee may be when it is an item of
    /// a dict literal whose values are all such functions (through names,
    /// subscripts and local functions returning one), with that dict.
    fn registry_values(&self, e: Node<'t>, scope: usize, depth: u32) -> (Vec<usize>, Option<Node<'t>>) {
        self.steps.set(self.steps.get() + 1);
        if depth > 6 || self.steps.get() > BUDGET {
            return (Vec::new(), None);
        }
        match e.k() {
            "identifier" => {
                let (values, _) = self.reaching_values(e, scope);
                for (v, s) in values {
                    let r = self.registry_values(v, s, depth + 1);
                    if r.1.is_some() {
                        return r;
                    }
                }
                // a module-level registry used inside a function
                match self.a.lookup(&self.a.text(e), scope, e.start_byte()) {
                    Some(Binding { kind: BKind::Value(v), scope: s, .. }) if v.k() == "dictionary" => {
                        self.registry_values(v, s, depth + 1)
                    }
                    _ => (Vec::new(), None),
                }
            }
            "subscript" => match e.child_by_field_id(crate::syntax::F.value) {
                Some(v) => self.registry_values(v, scope, depth + 1),
                None => (Vec::new(), None),
            },
            "call" => match self.local_callee(e, scope) {
                Some((def, fscope)) => self
                    .returns_of(def)
                    .iter()
                    .map(|v| self.registry_values(*v, fscope, depth + 1))
                    .find(|r| r.1.is_some())
                    .unwrap_or_default(),
                None => (Vec::new(), None),
            },
            "dictionary" => {
                let mut cur = e.walk();
                let values: Vec<Node<'t>> = e
                    .named_children(&mut cur)
                    .filter(|p| p.k() == "pair")
                    .filter_map(|p| p.child_by_field_id(crate::syntax::F.value))
                    .collect();
                let ids: Vec<usize> = values
                    .iter()
                    .filter(|v| matches!(v.k(), "identifier" | "attribute"))
                    .filter_map(|v| self.foreign_of(*v, scope, ""))
                    .collect();
                if ids.len() == values.len() && ids.len() >= 2 {
                    (ids, Some(e))
                } else {
                    (Vec::new(), None)
                }
            }
            _ => (Vec::new(), None),
        }
    }

    /// The model a call makes without loading it itself: an instance of a
    /// class (of this file or another module) that wraps one model, or a
    /// factory's result
    /// (`return QwenEmbedder(name)` in one branch, `return OllamaEmbedder(name)`
    /// after it: the two models are alternatives).
    fn made(&self, call: Node<'t>, scope: usize) -> Option<usize> {
        let f = call.child_by_field_id(crate::syntax::F.function).filter(|f| f.k() == "identifier")?;
        if self.loads.iter().any(|(c, _)| c.id() == call.id()) {
            return None;
        }
        match self.a.lookup(&self.a.text(f), scope, call.start_byte())?.kind {
            BKind::Class(_) | BKind::Func(..) => self.model_of(call, scope, 0).filter(|m| *m < FOREIGN),
            // a class or factory of another module of the repository: the
            // link step says which model, if any, it stands for
            BKind::Import(_) => self.model_of(call, scope, 0).filter(|m| *m >= FOREIGN && *m < PARAM),
            _ => None,
        }
    }

    /// The model a call runs, if it runs one: `m(x)`, `m.predict(x)`,
    /// `sess.run(...)`, or a hosted-model call (its own invocation).
    fn invoked(&self, call: Node<'t>, scope: usize) -> Option<usize> {
        // A load runs nothing (a hosted call is its own invocation). A call
        // the link step may or may not find to be a load is also looked at
        // as a call of another module's function.
        if let Some(i) = self.loads.iter().position(|(c, _)| c.id() == call.id()).filter(|i| self.loads[*i].1 < PENDING) {
            return self.api[i].then_some(self.loads[i].1);
        }
        let f = call.child_by_field_id(crate::syntax::F.function)?;
        if let Some(m) = self.model_of(f, scope, 0) {
            return Some(m);
        }
        if f.k() == "attribute" {
            let method = self.a.text(f.child_by_field_id(crate::syntax::F.attribute)?);
            if self.a.catalog.flows.methods.invoke.contains(&*method) {
                return self.model_of(f.child_by_field_id(crate::syntax::F.object)?, scope, 0);
            }
        }
        None
    }

    /// The other models an invocation may run: the object it calls is a
    /// name or `self.` attribute bound to different models in different
    /// places (`if single_file: self.base = A(...) else: self.base = B(...)`,
    /// then `self.base(prompt)`).
    fn also_invoked(&self, call: Node<'t>, scope: usize, primary: usize) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        let Some(f) = call.child_by_field_id(crate::syntax::F.function) else { return out };
        let object = match f.k() {
            "attribute" if self.model_of(f, scope, 0).is_none() => f.child_by_field_id(crate::syntax::F.object),
            _ => Some(f),
        };
        let Some(o) = object else { return out };
        // a local factory with several returns (`engine_for(name).transcribe(x)`)
        if o.k() == "call" {
            if let Some((def, fscope)) = self.local_callee(o, scope) {
                for v in self.returns_of(def).iter() {
                    out.extend(self.model_of(*v, fscope, 0).filter(|m| *m < PARAM && *m != primary));
                }
            }
            return out;
        }
        let bindings = match o.k() {
            "attribute" => {
                let (Some(obj), Some(attr)) =
                    (o.child_by_field_id(crate::syntax::F.object), o.child_by_field_id(crate::syntax::F.attribute))
                else {
                    return out;
                };
                if obj.k() != "identifier" || !matches!(&*self.a.text(obj), "self" | "cls") {
                    return out;
                }
                self.a.self_attr_all(&self.a.text(attr), scope)
            }
            "identifier" => {
                let name = self.a.text(o);
                match self.a.lookup(&name, scope, o.start_byte()) {
                    Some(b) => self.reaching(b, &name, o),
                    None => return out,
                }
            }
            _ => return out,
        };
        for b in bindings {
            if let Some(m) = self.binding_model(b, 0).filter(|m| *m < PARAM && *m != primary) {
                out.insert(m);
            }
        }
        out
    }

    /// The models whose outputs flow into an expression.
    fn origins(&self, e: Node<'t>, scope: usize, depth: u32, out: &mut BTreeSet<usize>) {
        if !matches!(e.k(), "identifier" | "call") {
            return self.origins_uncached(e, scope, depth, out);
        }
        let o = self.memoized(&self.traced, (e.id(), scope), || {
            let mut o = BTreeSet::new();
            self.origins_uncached(e, scope, depth, &mut o);
            std::rc::Rc::new(o)
        });
        out.extend(o.iter().copied());
    }

    fn origins_uncached(&self, e: Node<'t>, scope: usize, depth: u32, out: &mut BTreeSet<usize>) {
        self.steps.set(self.steps.get() + 1);
        if depth > MAX || self.steps.get() > BUDGET {
            return self.cut(());
        }
        match e.k() {
            "call" => {
                // running a chain or query engine: its output is its last models'
                if let Some(p) = self.carrier_run(e, scope) {
                    out.extend(p.iter().copied());
                    return;
                }
                let invoked = self.invoked(e, scope);
                if let Some(m) = invoked {
                    out.insert(m);
                    out.extend(self.also_invoked(e, scope, m));
                    // A name of another module may be a plain function, not a
                    // model: its arguments still flow through.
                    if m < FOREIGN {
                        return;
                    }
                }
                // An item of a registry of other modules' functions: what
                // each of them returns.
                if invoked.is_none() {
                    if let Some(f) =
                        e.child_by_field_id(crate::syntax::F.function).filter(|f| matches!(f.k(), "identifier" | "subscript"))
                    {
                        let (values, dict) = self.registry_values(f, scope, 0);
                        if dict.is_some() {
                            out.extend(values);
                            return;
                        }
                    }
                }
                // A function or method of this file: what it returns, with
                // its parameters replaced by what this call passes them (an
                // argument it only feeds to a model does not pass through).
                if let Some((def, fscope)) = self.local_callee(e, scope) {
                    let mut ret = BTreeSet::new();
                    self.returned_origins(def, fscope, depth + 1, &mut ret);
                    let key = self.func_key(def, fscope);
                    for id in ret {
                        match self.param_of(id) {
                            Some((run, (k, i))) if k == key => {
                                for arg in self.args_for_param(e, def, i) {
                                    if run {
                                        out.extend(self.produced(arg, scope, depth + 1).iter().copied());
                                    } else {
                                        self.origins(arg, scope, depth + 1, out);
                                    }
                                }
                            }
                            _ => {
                                out.insert(id);
                            }
                        }
                    }
                    return;
                }
                // Data passes through other calls: their arguments and receiver.
                if let Some(args) = e.child_by_field_id(crate::syntax::F.arguments) {
                    self.origins(args, scope, depth + 1, out);
                }
                if let Some(f) = e.child_by_field_id(crate::syntax::F.function).filter(|f| f.k() == "attribute") {
                    if let Some(o) = f.child_by_field_id(crate::syntax::F.object) {
                        if self.model_of(o, scope, 0).is_none_or(|m| m >= PENDING) {
                            self.origins(o, scope, depth + 1, out);
                        }
                    }
                }
            }
            "identifier" => {
                let name = self.a.text(e);
                if let Some(b) = self.a.lookup(&name, scope, e.start_byte()) {
                    if let BKind::Param(_) = b.kind {
                        if let Some(p) = self.param_key(b) {
                            out.insert(self.param_id(p));
                        }
                    }
                    // Every assignment of the name before the use may reach it
                    // (`if ...: text = asr_a(...) else: text = asr_b(...)`).
                    // Only back to the latest one that always runs before
                    // the use (`for box in plates: x1 = box[0]` hides an
                    // earlier loop's `x1`).
                    let bscope = b.scope;
                    for r in self.reaching(b, &name, e) {
                        match r.kind {
                            BKind::Value(v) | BKind::WithAs(v) | BKind::Element(v) => {
                                if v.start_byte() <= e.start_byte() && e.start_byte() < v.end_byte() {
                                    continue;
                                }
                                if self.model_of(v, r.scope, 0).is_none_or(|m| m >= PENDING) || self.is_api_load(v) {
                                    self.origins(v, r.scope, depth + 1, out);
                                }
                            }
                            // a parameter reassigned later in the function
                            // (`text = " ".join(text.split())` still reads it)
                            BKind::Param(_) if r.pos != b.pos => {
                                if let Some(p) = self.param_key(r) {
                                    out.insert(self.param_id(p));
                                }
                            }
                            _ => {}
                        }
                    }
                    // A container filled before the use: `parts.append(out)`.
                    let filled: Vec<Node<'t>> = self
                        .fills()
                        .get(&(bscope, name.to_string()))
                        .map(|v| v.iter().copied().filter(|c| c.start_byte() < e.start_byte()).collect())
                        .unwrap_or_default();
                    for c in filled {
                        self.origins(c, bscope, depth + 1, out);
                    }
                }
            }
            "attribute" => {
                let Some(obj) = e.child_by_field_id(crate::syntax::F.object) else { return };
                if obj.k() == "identifier" && matches!(&*self.a.text(obj), "self" | "cls") {
                    if let Some(attr) = e.child_by_field_id(crate::syntax::F.attribute) {
                        if let Some(b) = self.a.lookup_self_attr(&self.a.text(attr), scope, e.start_byte()) {
                            if let BKind::Value(v) = b.kind {
                                if self.model_of(v, b.scope, 0).is_none_or(|m| m >= PENDING) {
                                    self.origins(v, b.scope, depth + 1, out);
                                }
                            }
                        }
                    }
                    return;
                }
                self.origins(obj, scope, depth + 1, out);
            }
            "lambda" | "function_definition" | "class_definition" => {}
            _ => {
                // A few children by index (no cursor to allocate), more by a cursor.
                let n = e.named_child_count();
                if n <= 4 {
                    for c in (0..n as u32).filter_map(|i| e.named_child(i)) {
                        self.origins(c, scope, depth + 1, out);
                    }
                } else {
                    let mut cur = e.walk();
                    for c in e.named_children(&mut cur) {
                        self.origins(c, scope, depth + 1, out);
                    }
                }
            }
        }
    }

    /// The assignments of a name that may reach a use: every one before
    /// it in the binding's scope, back to the latest that always runs
    /// before the use (`for box in plates: x1 = box[0]` hides an earlier
    /// loop's `x1`); the found binding when there is none.
    fn reaching(&self, b: Binding<'t>, name: &str, e: Node<'t>) -> Vec<Binding<'t>> {
        let mut all = self.a.bindings_in(b.scope, name, e.start_byte());
        all.sort_by_key(|b| b.pos);
        if let Some(k) = all.iter().rposition(|b| dominates(self.enclosing_block(b), e)) {
            all.drain(..k);
        }
        if all.is_empty() {
            all.push(b);
        }
        all
    }

    /// The values (with their scope) of the assignments of a name that may
    /// reach its use `e`, and the keys of the parameters it may be.
    fn reaching_values(&self, e: Node<'t>, scope: usize) -> Reaching<'t> {
        let (mut values, mut params) = (Vec::new(), Vec::new());
        let name = self.a.text(e);
        let Some(b) = self.a.lookup(&name, scope, e.start_byte()) else { return (values, params) };
        for b in self.reaching(b, &name, e) {
            match b.kind {
                // not the value the use sits in (`x = f(x)`)
                BKind::Value(v) | BKind::WithAs(v) if !(v.start_byte() <= e.start_byte() && e.start_byte() < v.end_byte()) => {
                    values.push((v, b.scope));
                }
                BKind::Param(_) => params.extend(self.param_key(b)),
                _ => {}
            }
        }
        (values, params)
    }

    fn fills(&self) -> &rustc_hash::FxHashMap<(usize, String), Vec<Node<'t>>> {
        self.fills.get_or_init(|| {
            let mut m: rustc_hash::FxHashMap<(usize, String), Vec<Node<'t>>> = Default::default();
            for &(c, cs) in &self.a.calls {
                let Some(f) = c.child_by_field_id(crate::syntax::F.function).filter(|f| f.k() == "attribute") else {
                    continue;
                };
                let (Some(obj), Some(attr)) =
                    (f.child_by_field_id(crate::syntax::F.object), f.child_by_field_id(crate::syntax::F.attribute))
                else {
                    continue;
                };
                if matches!(&*self.a.text(attr), "append" | "extend" | "add" | "insert" | "update" | "appendleft") {
                    if let Some(args) = c.child_by_field_id(crate::syntax::F.arguments) {
                        m.entry((cs, self.a.text(obj).into_owned())).or_default().push(args);
                    }
                }
            }
            // `inputs["image"] = out`: an item assignment fills the container too
            for &(n, scope) in &self.a.item_assignments {
                let left = n.child_by_field_id(crate::syntax::F.left).filter(|l| l.k() == "subscript");
                let base = left.and_then(|l| l.child_by_field_id(crate::syntax::F.value)).filter(|v| v.k() == "identifier");
                if let (Some(base), Some(right)) = (base, n.child_by_field_id(crate::syntax::F.right)) {
                    m.entry((scope, self.a.text(base).into_owned())).or_default().push(right);
                }
            }
            m
        })
    }

    /// A parameter's key: (function name, index) for a module-level
    /// function (what other modules call), else (`#` + the function's
    /// scope, index) for the file's own call sites.
    fn param_key(&self, b: Binding<'t>) -> Option<(String, usize)> {
        Self::cached(&self.param_keys, (b.scope, b.pos), || {
            self.a
                .module_param(b.scope, b.pos)
                .or_else(|| self.a.func_param(b.scope, b.pos).map(|(_, i)| (format!("#{}", b.scope), i)))
        })
    }

    /// The key of a function's parameters (see `param_key`).
    fn func_key(&self, def: Node<'t>, fscope: usize) -> String {
        match (self.a.scope_parent(fscope), def.child_by_field_id(crate::syntax::F.name)) {
            (Some(0), Some(n)) => self.a.text(n).into_owned(),
            _ => format!("#{fscope}"),
        }
    }

    /// Calls of the file's own functions and methods whose parameters reach
    /// models: what the caller passes flows on (`summarize(asr(x)["text"])`
    /// with `def summarize(text): return summarizer(text)`), traced with
    /// `origins` for `flows` and with `carried` for `carries` (a parameter
    /// a library call wires to a model). A parameter passed on to another
    /// function's parameter becomes a feed of its own, up to a fixpoint.
    fn local_feeds(&self, feeds: &mut Feeds, out: &mut BTreeSet<FileEdge>) {
        for _ in 0..4 {
            let mut new: Vec<(Feed, String, usize, usize)> = Vec::new();
            for &(call, scope) in &self.a.calls {
                let Some((def, fscope)) = self.local_callee(call, scope) else { continue };
                let key = self.func_key(def, fscope);
                let wanted: Vec<(Feed, usize, usize)> =
                    feeds.iter().filter(|(_, k, _, _)| *k == key).map(|(kind, _, i, m)| (*kind, *i, *m)).collect();
                if wanted.is_empty() {
                    continue;
                }
                let name = def.child_by_field_id(crate::syntax::F.name).map(|n| self.a.text(n).into_owned()).unwrap_or_default();
                for (kind, i, m) in wanted {
                    let mut from = BTreeSet::new();
                    for arg in self.args_for_param(call, def, i) {
                        match kind {
                            Feed::Carry => from.extend(self.carried(arg, scope, 0).iter().copied()),
                            Feed::Run => from.extend(self.produced(arg, scope, 0).iter().copied()),
                            Feed::Flow => self.origins(arg, scope, 0, &mut from),
                        }
                    }
                    for f in from.into_iter().filter(|f| *f != m) {
                        if let Some((run, (k, j))) = self.param_of(f) {
                            let next = match (kind, run) {
                                (Feed::Carry, _) => Feed::Carry,
                                (_, true) => Feed::Run,
                                (_, false) => Feed::Flow,
                            };
                            new.push((next, k, j, m));
                        } else {
                            let why = match kind {
                                Feed::Carry => {
                                    format!(
                                        "what one model builds is passed to {name}(), where a library call wires it to the other"
                                    )
                                }
                                Feed::Run => {
                                    format!("a chain built on one model is passed to {name}(), whose output reaches the other")
                                }
                                Feed::Flow => format!("output of one model is passed to {name}(), which feeds it to the other"),
                            };
                            out.insert(self.edge(EdgeKind::Pipeline, f, m, call, &why));
                        }
                    }
                }
            }
            let mut changed = false;
            for f in new {
                changed |= feeds.insert(f);
            }
            if !changed {
                break;
            }
        }
    }

    /// The arguments a call passes to parameter `i` of `def`: by its name,
    /// or by position (a method called on an object does not pass `self`).
    fn args_for_param(&self, call: Node<'t>, def: Node<'t>, i: usize) -> Vec<Node<'t>> {
        let names = self.param_names(def);
        let method = call.child_by_field_id(crate::syntax::F.function).is_some_and(|f| f.k() == "attribute");
        let offset = usize::from(method && names.first().is_some_and(|n| n == "self" || n == "cls"));
        let mut spec = vec![Arg::Keyword(names.get(i).cloned().unwrap_or_default())];
        if i >= offset {
            spec.push(Arg::Position(i - offset));
        }
        self.flow_args(call, &spec)
    }

    /// A parameter id: whether it stands for running the parameter (its
    /// output) rather than its value, and its key.
    fn param_of(&self, id: usize) -> Option<(bool, (String, usize))> {
        let (run, base) = match id {
            x if x >= RUNPARAM => (true, RUNPARAM),
            x if x >= PARAM => (false, PARAM),
            _ => return None,
        };
        Some((run, self.params.borrow().get(id - base)?.clone()))
    }

    fn run_param_id(&self, p: (String, usize)) -> usize {
        RUNPARAM + intern(&mut self.params.borrow_mut(), p)
    }

    fn param_id(&self, p: (String, usize)) -> usize {
        PARAM + intern(&mut self.params.borrow_mut(), p)
    }

    /// For each module-level function: the models its parameters reach and
    /// the models whose outputs it returns.
    fn summaries(&self, feeds: &BTreeSet<(String, usize, usize)>) -> Vec<FuncSummary> {
        let mut out: Vec<FuncSummary> = Vec::new();
        if self.loads.is_empty() {
            return out;
        }
        for (name, b) in self.a.module_bindings() {
            let BKind::Func(def, fscope) = b.kind else { continue };
            let mut ret = BTreeSet::new();
            self.returned_origins(def, fscope, 0, &mut ret);
            let returns: Vec<usize> = ret.into_iter().filter(|m| *m < FOREIGN).collect();
            let f: Vec<(usize, usize)> = feeds.iter().filter(|(n, _, _)| n == name).map(|(_, i, m)| (*i, *m)).collect();
            if !returns.is_empty() || !f.is_empty() {
                out.push(FuncSummary { name: name.clone(), params: self.param_names(def).to_vec(), feeds: f, returns });
            }
        }
        out
    }

    /// The definition a call of a local function or of `self.method` runs
    /// (found once per call and scope).
    fn local_callee(&self, call: Node<'t>, scope: usize) -> Option<(Node<'t>, usize)> {
        self.memoized(&self.callees, (call.id(), scope), || self.local_callee_uncached(call, scope))
    }

    fn local_callee_uncached(&self, call: Node<'t>, scope: usize) -> Option<(Node<'t>, usize)> {
        let f = call.child_by_field_id(crate::syntax::F.function)?;
        let b = match f.k() {
            "identifier" => self.a.lookup(&self.a.text(f), scope, call.start_byte())?,
            "attribute" => {
                let obj = f.child_by_field_id(crate::syntax::F.object)?;
                let name = self.a.text(f.child_by_field_id(crate::syntax::F.attribute)?);
                // `self.method(...)`, or a method of an instance of a local
                // class (`Translator().answer(...)`, `t = Translator(); t.answer(...)`)
                let cls = if obj.k() == "identifier" && matches!(&*self.a.text(obj), "self" | "cls") {
                    self.a.enclosing_class_of(scope)?
                } else {
                    self.instance_class(obj, scope, 0)?
                };
                *self.a.class_binding(cls, &name)?
            }
            _ => return None,
        };
        match b.kind {
            BKind::Func(def, fscope) => Some((def, fscope)),
            _ => None,
        }
    }

    fn returned_origins(&self, def: Node<'t>, fscope: usize, depth: u32, out: &mut BTreeSet<usize>) {
        if depth > MAX {
            return self.cut(());
        }
        for v in self.returns_of(def).iter() {
            self.origins(*v, fscope, depth + 1, out);
        }
    }

    /// The separate operands of a combination, each with its origins.
    fn operands(&self, e: Node<'t>, scope: usize, parts: &mut Vec<BTreeSet<usize>>) {
        self.operands_of(e, scope, parts, false)
    }

    /// `split`: a single operand carrying several models' outputs counts as
    /// several (a list of outputs handed to `mean`/`Counter`); in arithmetic
    /// it does not (a record holding two outputs is not a combination).
    fn operands_of(&self, e: Node<'t>, scope: usize, parts: &mut Vec<BTreeSet<usize>>, split: bool) {
        match e.k() {
            "binary_operator" => {
                for side in [crate::syntax::F.left, crate::syntax::F.right] {
                    if let Some(c) = e.child_by_field_id(side) {
                        self.operands_of(c, scope, parts, split);
                    }
                }
            }
            "list" | "tuple" | "parenthesized_expression" => {
                let mut cur = e.walk();
                let children: Vec<Node<'t>> = e.named_children(&mut cur).collect();
                for c in children {
                    self.operands_of(c, scope, parts, split);
                }
            }
            _ => {
                let mut o = BTreeSet::new();
                self.origins(e, scope, 0, &mut o);
                o.retain(|m| *m < PARAM);
                // a name bound to a list of outputs (`preds = [a(x), b(x)]`)
                if split && o.len() > 1 {
                    for m in o {
                        parts.push([m].into_iter().collect());
                    }
                } else {
                    parts.push(o);
                }
            }
        }
    }

    fn combine(&self, parts: &[BTreeSet<usize>], at: Node<'t>, why: &str, out: &mut BTreeSet<FileEdge>) {
        let distinct: BTreeSet<usize> =
            parts.iter().filter(|p| p.len() == 1).flat_map(|p| p.iter().copied()).filter(|m| *m < PARAM).collect();
        if distinct.len() < 2 {
            return;
        }
        let v: Vec<usize> = distinct.into_iter().collect();
        for i in 0..v.len() {
            for j in i + 1..v.len() {
                out.insert(self.edge(EdgeKind::Ensemble, v[i], v[j], at, why));
            }
        }
    }
}

/// A repository's class from its model count and edge kinds.
pub fn classify(models: usize, kinds: &BTreeSet<EdgeKind>) -> &'static str {
    match (models, kinds.len()) {
        (0, _) => "none",
        (1, _) => "single",
        (_, 0) => "multi-independent",
        (_, 1) => match kinds.iter().next() {
            Some(EdgeKind::Pipeline) => "pipeline",
            Some(EdgeKind::Ensemble) => "ensemble",
            _ => "alternative",
        },
        _ => "mixed",
    }
}

/// An edge of a repository's model graph, between two load sites.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RepoEdge {
    pub kind: EdgeKind,
    pub from_path: String,
    pub from: schemas::Location,
    pub from_model: Option<String>,
    pub to_path: String,
    pub to: schemas::Location,
    pub to_model: Option<String>,
    /// `path:line: why` — where a reader can check the edge.
    pub evidence: String,
}

/// A repository's model graph and class.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoTopology {
    pub class: String,
    /// Model load sites (aux artefacts are not models).
    pub models: usize,
    /// Distinct model identities among them (an unresolved site counts once).
    pub distinct_models: usize,
    pub edges: Vec<RepoEdge>,
}

/// The repository's graph from its files' facts.
/// Which files whose topology was deferred (`FileFacts::topology_deferred`)
/// must be traced after all. A file that loads nothing adds to the
/// repository's topology only through `FOREIGN` endpoints, which
/// `repository` resolves, one level deep, to a key `module.NAME` of another
/// file's model exports or function summaries, or to a re-export of one.
/// Both exist only in files that load something. Every `FOREIGN` key starts
/// at one of the file's `foreign_refs`, so the file matters only if one of
/// them leads to such a key: equal to `module.binding`, a module or package
/// above it, or a name below it.
#[derive(Debug, Default)]
pub struct Demand {
    /// Ordered, for "a module above a key".
    keys: BTreeSet<String>,
    /// The same keys hashed, for the exact lookups of every prefix, with
    /// the re-exports between each and a file's own key (0 for those).
    exact: rustc_hash::FxHashMap<String, u8>,
    /// Re-exports that lead to no key yet (indices into `aliases`), by each
    /// name their value could reach one through (`a.b()` waits on `a.b()`
    /// and `a.b`).
    waiting: rustc_hash::FxHashMap<String, Vec<u32>>,
    /// Each re-export that waited: the exporting file's module names and
    /// the name it exports.
    aliases: Vec<(std::sync::Arc<[String]>, Box<str>)>,
    /// First segments of the repository's module names: every key starts
    /// with one, so a re-export of anything else (`torch.nn.Module`) leads
    /// nowhere and does not wait.
    roots: crate::python::Names,
}

/// How many re-exports lead on to a key, as many as `repository` follows.
const REEXPORT_HOPS: u8 = 8;

impl Demand {
    /// The keys a file offers itself: `module.name` for each name of its
    /// function summaries and model exports, under each of its module
    /// names (`modules`).
    fn own_keys(f: &crate::FileFacts, modules: &[String]) -> Vec<String> {
        let names: Vec<&str> = f
            .summaries
            .iter()
            .map(|s| Self::binding(&s.name))
            .chain(f.model_exports.iter().map(|(n, _)| Self::binding(n)))
            .filter(|n| !n.is_empty())
            .collect();
        modules.iter().flat_map(|m| names.iter().map(move |n| format!("{m}.{n}"))).collect()
    }

    /// Does the file offer anything: a key of its own or a re-export?
    fn offers(f: &crate::FileFacts) -> bool {
        !(f.summaries.is_empty() && f.model_exports.is_empty() && f.exports.is_empty())
    }

    /// The name a key ends in: the first identifier of an exported name
    /// (`Config` of `Config.Model.LLM`, `f` of `f()`).
    fn binding(n: &str) -> &str {
        n.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or(n)
    }

    /// Add what a file offers: its own keys, and under its module names
    /// each of its re-exports (`from .nets import Classifier as Clf`) that
    /// leads to a key, now or once a file added later offers one, through
    /// at most `REEXPORT_HOPS` re-exports. A key is only ever reached
    /// through the files' own re-exports, so a demand of some files has no
    /// key the demand of all of them lacks (the order files come in changes
    /// only which hops a key reached two ways counts, which matters only
    /// for chains near the limit).
    pub fn add(&mut self, f: &crate::FileFacts) {
        if !Self::offers(f) {
            return;
        }
        let modules: std::sync::Arc<[String]> = crate::link::module_names(&f.report.path).into();
        for k in Self::own_keys(f, &modules) {
            self.insert(k, 0);
        }
        if modules.is_empty() {
            return;
        }
        for (n, e) in &f.exports {
            let crate::usage::Export::Value(q) = e else { continue };
            if !self.roots.contains(q.split(['.', '(', '[']).next().unwrap_or(q)) {
                continue;
            }
            let name = Self::binding(n);
            // Every key is `module.name`: a prefix without a dot is none.
            let prefixes = || {
                std::iter::once(q.as_str())
                    .chain(q.char_indices().filter(|(_, c)| matches!(c, '.' | '(' | '[')).map(|(i, _)| &q[..i]))
                    .filter(|p| p.contains('.'))
            };
            match prefixes().filter_map(|p| self.exact.get(p).copied()).min() {
                Some(h) if h < REEXPORT_HOPS => {
                    for m in modules.iter() {
                        self.insert(format!("{m}.{name}"), h + 1);
                    }
                }
                _ => {
                    let id = self.aliases.len() as u32;
                    self.aliases.push((modules.clone(), name.into()));
                    for p in prefixes() {
                        match self.waiting.get_mut(p) {
                            Some(ids) => ids.push(id),
                            None => {
                                self.waiting.insert(p.to_string(), vec![id]);
                            }
                        }
                    }
                }
            }
        }
    }

    /// Add key `k`, `hops` re-exports from a file's own key, and the
    /// re-exports that were waiting on it.
    fn insert(&mut self, k: String, hops: u8) {
        let mut work = vec![(k, hops)];
        while let Some((k, h)) = work.pop() {
            match self.exact.get_mut(&k) {
                Some(old) if *old <= h => continue,
                Some(old) => *old = h,
                None => {
                    self.exact.insert(k.clone(), h);
                    self.keys.insert(k.clone());
                }
            }
            if h < REEXPORT_HOPS {
                for id in self.waiting.remove(&k).unwrap_or_default() {
                    let (modules, name) = &self.aliases[id as usize];
                    work.extend(modules.iter().map(|m| (format!("{m}.{name}"), h + 1)));
                }
            }
        }
    }

    /// An empty demand of a repository whose module names start with `roots`
    /// (`link::RepoContext::roots`).
    pub fn with_roots(roots: crate::python::Names) -> Demand {
        Demand { roots, ..Default::default() }
    }

    /// The demand of these files, all of the repository.
    pub fn new<'f>(facts: impl IntoIterator<Item = &'f crate::FileFacts>) -> Demand {
        let facts: Vec<&crate::FileFacts> = facts.into_iter().collect();
        let mut d = Demand::with_roots(crate::link::module_roots(facts.iter().map(|f| f.report.path.as_str())));
        for f in facts {
            d.add(f);
        }
        d
    }

    /// Is `q` a key, or a name below one (`key.attr`, `key()`, `key[i]`)?
    fn is_or_below(q: &str, is_key: impl Fn(&str) -> bool) -> bool {
        is_key(q) || q.char_indices().filter(|(_, c)| matches!(c, '.' | '(' | '[')).any(|(i, _)| is_key(&q[..i]))
    }

    /// Is `q` one of `keys`, below one, or a module above one?
    fn leads(&self, q: &str) -> bool {
        let keys = &self.keys;
        if Self::is_or_below(q, |p| self.exact.contains_key(p)) {
            return true;
        }
        // `q.`, `q(`, `q[` in one buffer
        let mut p = String::with_capacity(q.len() + 1);
        p.push_str(q);
        ['.', '(', '['].into_iter().any(|sep| {
            p.truncate(q.len());
            p.push(sep);
            keys.range::<str, _>((std::ops::Bound::Included(p.as_str()), std::ops::Bound::Unbounded))
                .next()
                .is_some_and(|k| k.starts_with(&p))
        })
    }

    /// How many keys lead to a model.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Must a deferred file with these `foreign_refs` be traced?
    pub fn wants(&self, refs: &[String]) -> bool {
        refs.iter().any(|q| self.leads(q))
    }
}

/// The demand of the files analysed so far, growing while the analysis
/// runs: each file's keys and re-exports are added once it is done
/// (`Demand::add`), so that a file analysed after the ones offering what it
/// names is traced at once instead of parsed again. What it wants, the
/// final demand (`deferred_wanted`) wants too: its keys are a subset of those.
#[derive(Debug)]
pub struct SharedDemand(std::sync::RwLock<Demand>);

impl SharedDemand {
    pub fn new(d: Demand) -> Self {
        SharedDemand(std::sync::RwLock::new(d))
    }

    /// Add what a file just analysed offers.
    pub fn add(&self, f: &crate::FileFacts) {
        if !Demand::offers(f) {
            return;
        }
        // A panic elsewhere leaves only keys that were found: take them as they are.
        let mut d = self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        d.add(f);
    }

    pub fn wants(&self, refs: &[String]) -> bool {
        let d = self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        !d.is_empty() && d.wants(refs)
    }
}

/// The files whose deferred topology (`FileFacts::topology_deferred`) must be
/// traced after all: analyse them again without `lazy_topology` and put the
/// new facts in their place before the link step.
pub fn deferred_wanted(facts: &[crate::FileFacts]) -> Vec<usize> {
    if !facts.iter().any(|f| f.topology_deferred) {
        return Vec::new();
    }
    let demand = Demand::new(facts);
    if demand.is_empty() {
        return Vec::new();
    }
    (0..facts.len()).filter(|&i| facts[i].topology_deferred && demand.wants(&facts[i].foreign_refs)).collect()
}

/// The names the repository's modules re-export (`Export::Value`), by
/// every key `module.name` they can be imported as. Looked up by key, not
/// written out: a large repository has hundreds of thousands of such keys
/// and an edge needs a handful.
struct Aliases<'f> {
    facts: &'f [crate::FileFacts],
    /// Module name → (file index, index of the name among the file's module names).
    modules: rustc_hash::FxHashMap<String, Vec<(usize, usize)>>,
}

impl<'f> Aliases<'f> {
    fn new(facts: &'f [crate::FileFacts]) -> Self {
        let mut modules: rustc_hash::FxHashMap<String, Vec<(usize, usize)>> = Default::default();
        for (fi, f) in facts.iter().enumerate() {
            if f.exports.iter().any(|(_, e)| matches!(e, crate::usage::Export::Value(_))) {
                for (mi, m) in crate::link::module_names(&f.report.path).into_iter().enumerate() {
                    modules.entry(m).or_default().push((fi, mi));
                }
            }
        }
        Aliases { facts, modules }
    }

    /// What `key` stands for. When several files' exports share a key, the
    /// last one (by file, module name, export) wins, as in a map written
    /// in that order.
    fn get(&self, key: &str) -> Option<&'f str> {
        let mut best: Option<((usize, usize, usize), &'f str)> = None;
        for (i, _) in key.match_indices('.') {
            let Some(files) = self.modules.get(&key[..i]) else { continue };
            let name = &key[i + 1..];
            for &(fi, mi) in files {
                let exports = &self.facts[fi].exports;
                let last = exports.iter().enumerate().rev().find_map(|(ei, (n, e))| match e {
                    crate::usage::Export::Value(q) if n == name => Some((ei, q.as_str())),
                    _ => None,
                });
                if let Some((ei, q)) = last {
                    if best.is_none_or(|(rank, _)| (fi, mi, ei) > rank) {
                        best = Some(((fi, mi, ei), q));
                    }
                }
            }
        }
        best.map(|(_, q)| q)
    }
}

pub fn repository(facts: &[crate::FileFacts]) -> RepoTopology {
    // Models other modules offer, by every name they can be imported as.
    let mut offered: std::collections::HashMap<String, Vec<(usize, usize)>> = std::collections::HashMap::new();
    for (fi, f) in facts.iter().enumerate() {
        for m in crate::link::module_names(&f.report.path) {
            for (name, u) in &f.model_exports {
                offered.entry(format!("{m}.{name}")).or_default().push((fi, *u));
            }
        }
    }
    // What other modules' functions do with models, by every name they can
    // be called as.
    let mut funcs: std::collections::HashMap<String, (usize, &FuncSummary)> = std::collections::HashMap::new();
    for (fi, f) in facts.iter().enumerate() {
        for m in crate::link::module_names(&f.report.path) {
            for s in &f.summaries {
                funcs.insert(format!("{m}.{}", s.name), (fi, s));
            }
        }
    }
    // Names re-exported by other modules (`from .nets import Classifier` in
    // a package's `__init__`): the name they stand for.
    let aliases = Aliases::new(facts);
    let canonical = |key: &str| -> String {
        let (mut k, call) = match key.strip_suffix("()") {
            Some(k) => (k.to_string(), "()"),
            None => (key.to_string(), ""),
        };
        for _ in 0..4 {
            match aliases.get(&k) {
                Some(q) if *q != k => k = q.to_string(),
                _ => break,
            }
        }
        format!("{k}{call}")
    };
    // The models an endpoint stands for: a load of the file, a model another
    // module offers, or the models whose outputs another module's function
    // returns (only as the source of an edge: calling such a function does
    // not by itself feed its models; `foreign_calls` say which parameters do).
    let end = |fi: usize, i: usize, source: bool| -> Vec<(usize, usize)> {
        if i < FOREIGN {
            return vec![(fi, i)];
        }
        let Some(raw) = facts[fi].foreign.get(i - FOREIGN) else { return Vec::new() };
        // A model a module binds itself (`embedder = HuggingFaceEmbeddings(...)`)
        // is offered under its own name, which the alias chain would follow
        // on to the library's class.
        if let Some(m) = offered.get(raw.as_str()) {
            return m.clone();
        }
        let key = canonical(raw);
        if let Some(m) = offered.get(&key) {
            return m.clone();
        }
        match funcs.get(&key).filter(|_| source) {
            Some((fj, s)) => s.returns.iter().map(|u| (*fj, *u)).collect(),
            None => Vec::new(),
        }
    };
    let mut models = 0;
    let mut ids = BTreeSet::new();
    let mut edges = Vec::new();
    for f in facts {
        for (i, u) in f.report.usages.iter().enumerate() {
            if u.source != schemas::Source::Aux {
                models += 1;
                ids.insert(u.model_id.clone().unwrap_or_else(|| format!("{}:{}#{i}", f.report.path, u.location)));
            }
        }
    }
    let mut push = |kind: EdgeKind, (fa, ia): (usize, usize), (fb, ib): (usize, usize), evidence: String| {
        if (fa, ia) == (fb, ib) {
            return;
        }
        let (Some(a), Some(b)) = (facts[fa].report.usages.get(ia), facts[fb].report.usages.get(ib)) else { return };
        edges.push(RepoEdge {
            kind,
            from_path: facts[fa].report.path.clone(),
            from: a.location,
            from_model: a.model_id.clone(),
            to_path: facts[fb].report.path.clone(),
            to: b.location,
            to_model: b.model_id.clone(),
            evidence,
        });
    };
    for (fi, f) in facts.iter().enumerate() {
        for e in &f.edges {
            let sym = e.kind != EdgeKind::Pipeline;
            for a in end(fi, e.from, true) {
                for b in end(fi, e.to, sym) {
                    push(e.kind, a, b, format!("{}:{}: {}", f.report.path, e.at, e.why));
                }
            }
        }
        // An argument of another module's function reaches the models the
        // function feeds that parameter to.
        for c in &f.foreign_calls {
            let Some((fj, s)) = funcs.get(&canonical(&c.key)) else { continue };
            for (param, to) in &s.feeds {
                let by_name = s.params.get(*param).map(|p| c.kwargs.iter().filter(move |(k, _)| k == p).flat_map(|(_, o)| o));
                for from in c.args.get(*param).into_iter().flatten().chain(by_name.into_iter().flatten()) {
                    for a in end(fi, *from, true) {
                        let why = format!(
                            "{}:{}: output of one model is passed to {}(), which feeds it to the other",
                            f.report.path, c.at, s.name
                        );
                        push(EdgeKind::Pipeline, a, (*fj, *to), why);
                    }
                }
            }
        }
    }
    edges.sort();
    edges.dedup();
    let kinds: BTreeSet<EdgeKind> = edges.iter().map(|e| e.kind).collect();
    RepoTopology { class: classify(models, &kinds).to_string(), models, distinct_models: ids.len(), edges }
}

#[cfg(test)]
mod tests {
    use super::Demand;

    fn facts(files: &[(&str, &str)]) -> Vec<crate::FileFacts> {
        let cat = crate::Catalog::embedded().expect("catalog");
        let listing: Vec<(String, Vec<u8>)> = files.iter().map(|(p, t)| (p.to_string(), t.as_bytes().to_vec())).collect();
        let ctx = crate::link::RepoContext::from_sources(&listing, &cat);
        files.iter().map(|(p, t)| crate::analyze_repo_file(p, schemas::FileKind::Python, t.as_bytes(), &cat, &ctx)).collect()
    }

    #[test]
    fn re_exports_lead_to_keys_whatever_order_the_files_come_in() {
        let f = facts(&[
            (
                "app/models.py",
                "from transformers import AutoModel\ndef load():\n    return AutoModel.from_pretrained('bert-base-uncased')\n",
            ),
            ("app/__init__.py", "from .models import load\n"),
            ("app/api.py", "from app import load as get\n"),
        ]);
        let wants = |d: &Demand, q: &str| d.wants(&[q.to_string()]);
        // a re-export of a re-export, added before or after what it leads to
        for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
            let d = Demand::new(order.iter().map(|&i| &f[i]));
            assert!(wants(&d, "app.models.load") && wants(&d, "app.load") && wants(&d, "app.api.get"), "{order:?}");
            assert!(!wants(&d, "app.api.other"));
        }
        // without the package's re-export, the second hop leads nowhere
        let d = Demand::new([&f[0], &f[2]]);
        assert!(wants(&d, "app.models.load") && !wants(&d, "app.api.get"));
    }
}
