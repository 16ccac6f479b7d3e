//! Python analysis with tree-sitter: scopes and bindings (imports, definitions,
//! assignments, parameters, `with ... as`), callee qualification through
//! import aliases, and matching calls against the rule catalog.
//!
//! The tree is walked with an explicit stack, never by recursion over the
//! syntax tree, so deeply nested input cannot overflow the stack; value
//! resolution recursion is bounded by `MAX_DEPTH`.

use schemas::{Location, ModelUsage, Resolvable, Source};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

use crate::usage::{ArgVal, CallArgs, CallSite, Export, PendingCall};

/// A set of names looked up per identifier: hashed with FxHash.
pub type Names = rustc_hash::FxHashSet<String>;

fn empty_roots() -> &'static Names {
    static EMPTY: std::sync::OnceLock<Names> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Names::default)
}

/// What matching one call came to.
enum Matched {
    /// A usage, and the repository name its model is imported from when
    /// the file alone cannot resolve it.
    Usage(Box<ModelUsage>, Option<crate::usage::PendingValue>),
    Pending(Box<PendingCall>),
    Nothing,
}
use tree_sitter::{Node, Parser, Tree};

use crate::catalog::Catalog;
use crate::syntax::KindName;

const MAX_DEPTH: u32 = 24;

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Limits on one file's parse, so one pathological file cannot hold a worker
/// (time) or exhaust a thread's stack in the walks that follow (depth).
#[derive(Debug, Clone, Copy)]
pub struct ParseLimits {
    pub time: std::time::Duration,
    pub depth: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits { time: std::time::Duration::from_secs(10), depth: 100_000 }
    }
}

/// Parse Python source with this thread's parser.
pub fn parse(src: &[u8]) -> Option<Tree> {
    parse_limited(src, ParseLimits::default()).ok()
}

/// Parse within limits; the error says which limit stopped it.
pub fn parse_limited(src: &[u8], limits: ParseLimits) -> Result<Tree, String> {
    let tree = parse_timed(src, limits)?;
    // Each byte of source opens at most a few levels of nesting: a file under a
    // quarter of the limit cannot exceed it, and needs no extra walk.
    let depth = if src.len().saturating_mul(4) > limits.depth { tree_depth(&tree, limits.depth) } else { 0 };
    if depth > limits.depth {
        return Err(nesting_error(limits.depth));
    }
    Ok(tree)
}

fn nesting_error(limit: usize) -> String {
    format!("syntax nested more than {limit} levels deep (the per-file nesting limit); not analysed")
}

/// Parse within the time limit only: no walk of the tree (the analysis
/// checks the nesting as it walks; the benchmark's parse floor).
pub fn parse_timed(src: &[u8], limits: ParseLimits) -> Result<Tree, String> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut p = Parser::new();
            p.set_language(&tree_sitter_python::LANGUAGE.into()).map_err(|e| e.to_string())?;
            *slot = Some(p);
        }
        let p = slot.as_mut().ok_or("no parser")?;
        let started = std::time::Instant::now();
        let mut timed_out = false;
        let mut progress = |_: &tree_sitter::ParseState| {
            if started.elapsed() > limits.time {
                timed_out = true;
                std::ops::ControlFlow::Break(())
            } else {
                std::ops::ControlFlow::Continue(())
            }
        };
        let options = tree_sitter::ParseOptions::new().progress_callback(&mut progress);
        let len = src.len();
        let tree = p.parse_with_options(&mut |i, _| if i < len { &src[i..] } else { &[] }, None, Some(options));
        if tree.is_none() {
            // A cancelled parse would otherwise resume on the next file.
            p.reset();
        }
        match tree {
            Some(t) => Ok(t),
            None if timed_out => {
                Err(format!("parse stopped after {} s (the per-file parse time limit)", limits.time.as_secs_f64()))
            }
            None => Err("tree-sitter could not parse the file".to_string()),
        }
    })
}

/// The depth of a syntax tree, walked without recursion; stops counting past `cap`.
fn tree_depth(tree: &Tree, cap: usize) -> usize {
    let mut c = tree.walk();
    let (mut depth, mut max) = (0usize, 0usize);
    loop {
        if depth > max {
            max = depth;
            if max > cap {
                return max;
            }
        }
        if c.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if c.goto_next_sibling() {
                break;
            }
            if !c.goto_parent() {
                return max;
            }
            depth -= 1;
        }
    }
}

/// What analysing one Python source produced.
#[derive(Debug, Default)]
pub struct PyFacts {
    /// The file could not be analysed (a parse limit, or no tree at all).
    pub error: Option<String>,
    pub usages: Vec<ModelUsage>,
    pub syntax_errors: bool,
    /// Top-level modules imported (`torch`, `transformers`, ...).
    pub imported_roots: Vec<String>,
    /// Calls on names imported from the repository's own modules, matched
    /// by the link step once those modules' exports are known.
    pub pending: Vec<PendingCall>,
    /// Usages whose model is a name imported from a repository module, with
    /// that name (`app.config.MODEL_NAME`), by index into `usages`.
    pub pending_models: Vec<(usize, crate::usage::PendingValue)>,
    /// What the file's module-level names stand for.
    pub exports: Vec<(String, Export)>,
    /// How the file's models are wired together.
    pub edges: Vec<crate::topology::FileEdge>,
    /// Foreign model ids used in `edges` (index = id - FOREIGN).
    pub foreign: Vec<String>,
    /// Models this file offers other modules (name, usage index).
    pub model_exports: Vec<(String, usize)>,
    /// What the file's module-level functions do with models.
    pub summaries: Vec<crate::topology::FuncSummary>,
    /// Calls of other modules' functions, with each argument's origins.
    pub foreign_calls: Vec<crate::topology::ForeignCall>,
    /// The file loads nothing and its topology was not traced: it matters
    /// only if its code can reach a model-bearing name of another module
    /// (`topology::Demand`).
    pub topology_deferred: bool,
    /// With `topology_deferred`: what the file's code can name of the
    /// repository's modules (imports, star imports, unbound module names).
    pub foreign_refs: Vec<String>,
}

/// Analyse Python source; locations are plain 1-based lines.
pub fn analyze_source(src: &[u8], catalog: &Catalog) -> PyFacts {
    analyze_module(src, "", catalog)
}

/// The lines that hold `import`, found with a vectorised substring search:
/// every match of the import scans' line-anchored regexes lies on one, so
/// the regexes read only those.
fn import_lines(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut done = 0;
    memchr::memmem::find_iter(bytes, b"import").filter_map(move |at| {
        if at < done {
            return None;
        }
        let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
        done = end;
        Some(&text[start..end])
    })
}

/// Top-level modules imported, from a line scan (no parse): for files no
/// rule can match, where only the imports are wanted.
pub fn quick_imports(text: &str) -> Vec<String> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"(?m)^[ \t]*(?:import[ \t]+([A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*)|from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b)")
            .expect("regex")
    });
    let mut out = std::collections::BTreeSet::new();
    for c in import_lines(text).filter_map(|l| re.captures(l)) {
        let names = c.get(1).or_else(|| c.get(2)).map(|m| m.as_str()).unwrap_or("");
        for n in names.split(',') {
            if let Some(root) = n.trim().split('.').next().filter(|r| !r.is_empty()) {
                out.insert(root.to_string());
            }
        }
    }
    out.into_iter().collect()
}

/// Modules a file imports, absolute (relative imports resolved against
/// `package`), from a line scan: `import a.b` gives `a.b`; `from a.b import
/// c, d` gives `a.b`, `a.b.c` and `a.b.d` (each may be a submodule).
pub fn quick_import_modules(text: &str, package: &[String]) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    for line in import_lines(text) {
        // An ASCII line is read by hand (a regex with captures costs
        // microseconds a line); any other by the regex, whose `\w` is Unicode's.
        let (names, module) = if line.is_ascii() {
            match import_line(line) {
                Some(m) => m,
                None => continue,
            }
        } else {
            // Compiled on the first such line of the process, not before.
            match import_modules_regex().captures(line) {
                Some(c) => match (c.get(1), c.get(2), c.get(3)) {
                    (Some(m), _, _) => (m.as_str(), None),
                    (None, Some(m), Some(n)) => (n.as_str(), Some(m.as_str())),
                    _ => continue,
                },
                None => continue,
            }
        };
        add_modules(&mut out, names, module, package);
    }
    out.into_iter().collect()
}

/// One ASCII line as `import_modules_regex` reads it: the text of its name
/// list, and for `from M import ...` the module `M`. The regex's
/// backtracking is followed where it changes the answer (`from  import x`
/// reads an empty module; `import  ` and `import  (` a blank name list).
fn import_line(line: &str) -> Option<(&str, Option<&str>)> {
    let b = line.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let run = |from: usize, ok: &dyn Fn(u8) -> bool| from + b[from.min(b.len())..].iter().take_while(|c| ok(**c)).count();
    let blank = |c: u8| c == b' ' || c == b'\t';
    let at = run(0, &blank);
    let rest = &b[at..];
    if rest.starts_with(b"import") {
        // import NAME [as A] (, NAME [as A])*
        let mut i = at + 6;
        let ws = run(i, &blank);
        if ws == i || !b.get(ws).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') {
            return None;
        }
        i = ws;
        let start = i;
        let mut end;
        loop {
            i = run(i + 1, &|c| word(c) || c == b'.');
            // [ \t]+as[ \t]+\w+
            let w1 = run(i, &blank);
            if w1 > i && b[w1..].starts_with(b"as") {
                let w2 = run(w1 + 2, &blank);
                let alias = run(w2, &word);
                if w2 > w1 + 2 && alias > w2 {
                    i = alias;
                }
            }
            end = i;
            // [ \t]*,[ \t]*NAME
            let c = run(i, &blank);
            if b.get(c) != Some(&b',') {
                break;
            }
            let n = run(c + 1, &blank);
            if !b.get(n).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') {
                break;
            }
            i = n;
        }
        return Some((&line[start..end], None));
    }
    if !rest.starts_with(b"from") {
        return None;
    }
    let ws0 = run(at + 4, &blank);
    if ws0 == at + 4 {
        return None;
    }
    // After `import` of `from M import`: [ \t]+ \(? [ \t]* [\w, \t]+
    let names = |i: usize| -> Option<&str> {
        let ws = run(i, &blank);
        if ws == i {
            return None;
        }
        let class = |c: u8| word(c) || c == b',' || blank(c);
        let after = if b.get(ws) == Some(&b'(') { ws + 1 } else { ws };
        let end = run(after, &class);
        if end > after {
            Some(&line[after..end])
        } else if ws - i >= 2 {
            Some(" ")
        } else {
            None
        }
    };
    let module_end = run(ws0, &|c| word(c) || c == b'.');
    let import_at = run(module_end, &blank);
    if import_at > module_end && b[import_at..].starts_with(b"import") {
        if let Some(n) = names(import_at + 6) {
            return Some((n, Some(&line[ws0..module_end])));
        }
    }
    // Backtracking: an empty module between two runs of blanks.
    if ws0 - (at + 4) >= 2 && b[ws0..].starts_with(b"import") {
        return names(ws0 + 6).map(|n| (n, Some("")));
    }
    None
}

fn import_modules_regex() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(
            r"(?m)^[ \t]*(?:import[ \t]+([A-Za-z_][\w.]*(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*(?:[ \t]+as[ \t]+\w+)?)*)|from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?[ \t]*([\w, \t]+))",
        )
        .expect("regex")
    })
}

/// The modules one import line names: `names` is the text of its name list,
/// `module` the `M` of `from M import`.
fn add_modules(out: &mut std::collections::BTreeSet<String>, names: &str, module: Option<&str>, package: &[String]) {
    match module {
        None => {
            for n in names.split(',') {
                if let Some(name) = n.split_whitespace().next() {
                    out.insert(name.to_string());
                }
            }
        }
        Some(m) => {
            let module = if m.starts_with('.') { absolute_module(package, m) } else { m.to_string() };
            if module.starts_with('.') {
                return;
            }
            for n in names.split(',') {
                if let Some(name) = n.split_whitespace().next().filter(|n| *n != "*") {
                    out.insert(format!("{module}.{name}"));
                }
            }
            out.insert(module);
        }
    }
}

/// The package a repository file belongs to, for resolving relative imports:
/// `pkg/sub/mod.py` and `pkg/sub/__init__.py` are both in `pkg.sub`. A
/// folder whose name cannot be a module name (`my-app/`, an unpacked
/// `transformers-4.46.3/`) ends the package there: the file's module names
/// (`link::module_names`) start below it, so a relative import resolves to
/// one of them.
pub fn package_of(path: &str) -> Vec<String> {
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    parts.retain(|p| !p.is_empty() && *p != ".");
    let module_name = |p: &str| p.chars().all(|c| c.is_alphanumeric() || c == '_');
    let start = parts.iter().rposition(|p| !module_name(p)).map_or(0, |i| i + 1);
    parts[start..].iter().map(|p| p.to_string()).collect()
}

/// Resolve `from ..x import y`'s module against the importing file's package:
/// one dot is the package itself, each further dot one level up.
pub fn absolute_module(package: &[String], relative: &str) -> String {
    let dots = relative.chars().take_while(|c| *c == '.').count();
    let rest = &relative[dots..];
    if dots.saturating_sub(1) > package.len() {
        // Above the repository root: keep the dots, nothing can match it.
        return relative.to_string();
    }
    let keep = package.len() - dots.saturating_sub(1);
    let mut parts: Vec<&str> = package[..keep].iter().map(String::as_str).collect();
    if !rest.is_empty() {
        parts.push(rest);
    }
    if parts.is_empty() {
        return relative.to_string();
    }
    parts.join(".")
}

/// Analyse the Python source of the repository file at `path` (relative
/// imports resolve against its package).
pub fn analyze_module(src: &[u8], path: &str, catalog: &Catalog) -> PyFacts {
    analyze_in_repo(src, path, catalog, &Names::default(), false, None)
}

/// Analyse a file of a repository whose own top-level module names are
/// `repo_roots`: calls and values through those modules are kept for the
/// link step. With `lazy_topology`, a file that loads nothing is not traced
/// (`PyFacts::topology_deferred`) unless `demand`, from files analysed
/// before, already wants it.
pub fn analyze_in_repo(
    src: &[u8],
    path: &str,
    catalog: &Catalog,
    repo_roots: &Names,
    lazy_topology: bool,
    demand: Option<&crate::topology::SharedDemand>,
) -> PyFacts {
    let limits = ParseLimits::default();
    let tree = match parse_timed(src, limits) {
        Ok(t) => t,
        Err(e) => return PyFacts { error: Some(e), ..Default::default() },
    };
    let root = tree.root_node();
    let mut a = Analysis::new(src, catalog);
    a.package = package_of(path);
    a.repo_roots = repo_roots;
    if let Err(e) = a.collect(root, limits.depth) {
        return PyFacts { error: Some(e), ..Default::default() };
    }
    let mut facts = PyFacts { syntax_errors: root.has_error(), ..Default::default() };
    let calls = a.calls.clone();
    let mut loads: Vec<(Node<'_>, usize)> = Vec::new();
    for (call, scope) in calls {
        match a.match_call(call, scope) {
            Matched::Usage(u, pending_model) => {
                if let Some(r) = pending_model {
                    facts.pending_models.push((facts.usages.len(), r));
                }
                if u.source != Source::Aux {
                    loads.push((call, facts.usages.len()));
                }
                facts.usages.push(*u);
            }
            Matched::Pending(p) => {
                // a node of the topology if the link step finds a load
                loads.push((call, crate::topology::PENDING + facts.pending.len()));
                facts.pending.push(*p);
            }
            Matched::Nothing => {}
        }
    }
    if !repo_roots.is_empty() {
        facts.exports = a.exports();
    }
    let mut deferred = lazy_topology && loads.is_empty() && !repo_roots.is_empty();
    if deferred {
        let refs = a.foreign_refs();
        // Wanted already: traced now rather than parsed again later.
        deferred = !demand.is_some_and(|d| d.wants(&refs));
        if deferred {
            facts.foreign_refs = refs;
        }
    }
    facts.topology_deferred = deferred;
    if loads.len() >= 2 || (!repo_roots.is_empty() && !deferred) {
        let api_sites: Vec<bool> =
            loads.iter().map(|(_, i)| facts.usages.get(*i).is_some_and(|u| u.source == Source::Api)).collect();
        let t = crate::topology::edges(&a, &loads, &api_sites);
        facts.edges = t.edges;
        facts.foreign = t.foreign;
        facts.summaries = t.summaries;
        facts.foreign_calls = t.foreign_calls;
    }
    if !repo_roots.is_empty() && !loads.is_empty() {
        facts.model_exports = crate::topology::model_exports(&a, &loads);
    }
    let mut roots: Vec<String> = a.imported_roots.into_iter().collect();
    roots.sort();
    facts.imported_roots = roots;
    facts
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScopeKind {
    Module,
    Function,
    Class,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum BKind<'t> {
    /// An import: the qualified name it binds.
    Import(usize),
    /// A local class, with the scope of its body (its attributes).
    Class(usize),
    /// A local function, with the scope of its body: a call of it stands
    /// for what it returns (`def get_client(): return OpenAI()`).
    Func(Node<'t>, usize),
    /// A function parameter, with its default value.
    Param(Option<Node<'t>>),
    /// `name = value`.
    Value(Node<'t>),
    /// `with value as name`: the name is the opened object itself, so a
    /// path literal in `open(...)` stays a literal.
    WithAs(Node<'t>),
    /// Bound by a loop, an exception handler, unpacking: not resolvable.
    Unknown,
    /// An element of this value: a `for` target or an item unpacked from a
    /// non-literal (`for chunk in chunks(text)`, `a, b = f()`): no string
    /// value, but data from the value flows into it.
    Element(Node<'t>),
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Binding<'t> {
    pub(crate) pos: usize,
    pub(crate) scope: usize,
    pub(crate) kind: BKind<'t>,
}

struct Scope<'t> {
    parent: Option<usize>,
    kind: ScopeKind,
    bindings: rustc_hash::FxHashMap<String, Vec<Binding<'t>>>,
}

#[derive(Debug, Clone)]
struct Resolved {
    value: Option<String>,
    kind: Resolvable,
}

impl Resolved {
    fn dynamic() -> Resolved {
        Resolved { value: None, kind: Resolvable::Dynamic }
    }
}

fn weakest(a: Resolvable, b: Resolvable) -> Resolvable {
    a.weakest(b)
}

pub(crate) struct Analysis<'t, 'c> {
    src: &'t [u8],
    /// `src` when it is valid UTF-8 (checked once): a node's text is then a
    /// slice of it, not a conversion per call.
    utf8: Option<&'t str>,
    /// The tree's root, once `collect` has run.
    pub(crate) root: Option<Node<'t>>,
    pub(crate) catalog: &'c Catalog,
    scopes: Vec<Scope<'t>>,
    /// Qualified names bound by imports (indexed by `BKind::Import`).
    imports: Vec<String>,
    star_imports: Vec<String>,
    pub(crate) calls: Vec<(Node<'t>, usize)>,
    /// `box[key] = value` statements, with their scope: they fill the
    /// container (`topology::Topo::fills`).
    pub(crate) item_assignments: Vec<(Node<'t>, usize)>,
    /// `name.attr = value` statements (not `self.` or `cls.`), with their
    /// scope: state kept on a function or a module (`topology::Topo::attr_assigns`).
    pub(crate) attr_assignments: Vec<(Node<'t>, usize)>,
    /// The `return` statements and `yield` expressions of each function's
    /// own body, by the function's scope (`qualify_return`, `returned_values`).
    exits: rustc_hash::FxHashMap<usize, Vec<Node<'t>>>,
    /// Every binary operator, with its scope (arithmetic ensembles).
    pub(crate) binaries: Vec<(Node<'t>, usize)>,
    pub(crate) imported_roots: std::collections::BTreeSet<String>,
    /// Package of the analysed file, for relative imports.
    package: Vec<String>,
    /// Top-level module names of the repository.
    repo_roots: &'c Names,
    /// The scope each function, lambda and class body opens.
    scope_of_node: rustc_hash::FxHashMap<usize, usize>,
    /// The function definition that opens each function scope.
    def_of_scope: rustc_hash::FxHashMap<usize, Node<'t>>,
    /// Identifiers spelled like a module of the repository, with their scope:
    /// unbound, they name that module (`foreign_refs`).
    root_uses: Vec<(Node<'t>, usize)>,
}

impl<'t, 'c> Analysis<'t, 'c> {
    fn new(src: &'t [u8], catalog: &'c Catalog) -> Self {
        Analysis {
            src,
            utf8: std::str::from_utf8(src).ok(),
            root: None,
            catalog,
            scopes: vec![Scope { parent: None, kind: ScopeKind::Module, bindings: Default::default() }],
            imports: Vec::new(),
            star_imports: Vec::new(),
            calls: Vec::new(),
            item_assignments: Vec::new(),
            attr_assignments: Vec::new(),
            exits: Default::default(),
            binaries: Vec::new(),
            imported_roots: Default::default(),
            package: Vec::new(),
            repo_roots: empty_roots(),
            scope_of_node: Default::default(),
            def_of_scope: Default::default(),
            root_uses: Vec::new(),
        }
    }

    pub(crate) fn text(&self, n: Node<'t>) -> Cow<'t, str> {
        match self.utf8.and_then(|s| s.get(n.byte_range())) {
            Some(t) => Cow::Borrowed(t),
            None => String::from_utf8_lossy(&self.src[n.byte_range()]),
        }
    }

    fn bind(&mut self, scope: usize, name: &str, pos: usize, kind: BKind<'t>) {
        self.scopes[scope].bindings.entry(name.to_string()).or_default().push(Binding { pos, scope, kind });
    }

    fn new_scope(&mut self, parent: usize, kind: ScopeKind) -> usize {
        self.scopes.push(Scope { parent: Some(parent), kind, bindings: Default::default() });
        self.scopes.len() - 1
    }

    /// The scope a node's code runs in: that of its innermost function,
    /// lambda or class body, found going down from the root through the
    /// node's ancestors (`syntax::path_down`).
    pub(crate) fn scope_at(&self, node: Node<'t>) -> usize {
        let mut scope = 0;
        for (cur, _) in crate::syntax::path_down(self.root.unwrap_or(node), node) {
            if let Some(s) = self.scope_of_node.get(&cur.id()) {
                // A class body is its own scope; a def's name and defaults are not.
                if cur.kind_id() != crate::syntax::K.function_definition
                    || node.start_byte() >= cur.child_by_field_id(crate::syntax::F.body).map(|b| b.start_byte()).unwrap_or(0)
                {
                    scope = *s;
                }
            }
        }
        scope
    }

    /// Every binding of a name in a scope made before a position.
    pub(crate) fn bindings_in(&self, scope: usize, name: &str, before: usize) -> Vec<Binding<'t>> {
        self.scopes[scope]
            .bindings
            .get(name)
            .map(|bs| bs.iter().filter(|b| b.pos < before).copied().collect())
            .unwrap_or_default()
    }

    /// A module-level function's name and the index of the parameter a
    /// binding (made at `pos` in the function's scope) is.
    pub(crate) fn module_param(&self, scope: usize, pos: usize) -> Option<(String, usize)> {
        let def = *self.def_of_scope.get(&scope)?;
        if self.scopes[scope].parent != Some(0) {
            return None;
        }
        let name = self.text(def.child_by_field_id(crate::syntax::F.name)?).into_owned();
        let params = def.child_by_field_id(crate::syntax::F.parameters)?;
        let mut cur = params.walk();
        let i = params.named_children(&mut cur).filter(|p| p.k() != "comment").position(|p| p.start_byte() == pos)?;
        Some((name, i))
    }

    pub(crate) fn scope_parent(&self, scope: usize) -> Option<usize> {
        self.scopes[scope].parent
    }

    /// The function a parameter binding (made at `pos` in `scope`) belongs
    /// to, and its index among the parameters.
    pub(crate) fn func_param(&self, scope: usize, pos: usize) -> Option<(Node<'t>, usize)> {
        let def = *self.def_of_scope.get(&scope)?;
        let params = def.child_by_field_id(crate::syntax::F.parameters)?;
        let mut cur = params.walk();
        let i = params.named_children(&mut cur).filter(|p| p.k() != "comment").position(|p| p.start_byte() == pos)?;
        Some((def, i))
    }

    pub(crate) fn is_repo_root(&self, root: &str) -> bool {
        self.repo_roots.contains(root)
    }

    /// The module-level names and their last bindings.
    pub(crate) fn module_bindings(&self) -> Vec<(&String, Binding<'t>)> {
        let mut v: Vec<(&String, Binding<'t>)> =
            self.scopes[0].bindings.iter().filter_map(|(n, bs)| bs.last().map(|b| (n, *b))).collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v
    }

    /// The last binding of every `self.` attribute of a class body scope.
    pub(crate) fn self_attr_bindings(&self, class_scope: usize) -> Vec<Binding<'t>> {
        let mut v: Vec<(&String, Binding<'t>)> = self.scopes[class_scope]
            .bindings
            .iter()
            .filter(|(n, _)| n.starts_with("self."))
            .filter_map(|(n, bs)| bs.last().map(|b| (n, *b)))
            .collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v.into_iter().map(|(_, b)| b).collect()
    }

    /// Every binding of `self.attr` in the class enclosing `scope`, in the
    /// order they were made.
    pub(crate) fn self_attr_all(&self, attr: &str, scope: usize) -> Vec<Binding<'t>> {
        let Some(cls) = self.enclosing_class(scope) else { return Vec::new() };
        self.scopes[cls].bindings.get(&format!("self.{attr}")).cloned().unwrap_or_default()
    }

    /// Every name bound in a class body (methods, attributes, `self.x`),
    /// sorted by name.
    pub(crate) fn class_bindings(&self, cls: usize) -> Vec<(String, Vec<Binding<'t>>)> {
        let mut v: Vec<(String, Vec<Binding<'t>>)> =
            self.scopes[cls].bindings.iter().map(|(n, bs)| (n.clone(), bs.clone())).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    /// Whether `scope` is `outer` or nested inside it.
    pub(crate) fn scope_within(&self, mut scope: usize, outer: usize) -> bool {
        loop {
            if scope == outer {
                return true;
            }
            match self.scopes[scope].parent {
                Some(p) => scope = p,
                None => return false,
            }
        }
    }

    pub(crate) fn enclosing_class_of(&self, scope: usize) -> Option<usize> {
        self.enclosing_class(scope)
    }

    /// The last binding of a name in a class body (a method or attribute).
    pub(crate) fn class_binding(&self, cls: usize, name: &str) -> Option<&Binding<'t>> {
        self.scopes[cls].bindings.get(name)?.last()
    }

    fn enclosing_class(&self, mut scope: usize) -> Option<usize> {
        loop {
            let s = &self.scopes[scope];
            if s.kind == ScopeKind::Class {
                return Some(scope);
            }
            scope = s.parent?;
        }
    }

    // ---------------------------------------------------------------- collect

    /// One pass over the tree: scopes, bindings and calls.
    /// The scope pass: bindings, scopes and calls, in one walk. A node
    /// nested deeper than `max_depth` stops it with the nesting-limit error.
    fn collect(&mut self, root: Node<'t>, max_depth: usize) -> Result<(), String> {
        self.root = Some(root);
        // One cursor for every node's children: a cursor per node costs an allocation.
        let mut cur = root.walk();
        let mut stack: Vec<(Node<'t>, usize, usize)> = vec![(root, 0, 0)];
        // Decorated functions, by definition node id: `Node::parent` walks
        // down from the root, so the walk remembers them on its way down.
        let mut decorated: rustc_hash::FxHashMap<usize, Node<'t>> = Default::default();
        while let Some((node, scope, depth)) = stack.pop() {
            if depth > max_depth {
                return Err(nesting_error(max_depth));
            }
            let d = depth + 1;
            let mut child_scope = scope;
            let k = node.kind_id();
            let kd = &*crate::syntax::K;
            match k {
                _ if k == kd.identifier => {
                    if !self.repo_roots.is_empty() && self.repo_roots.contains(&*self.text(node)) {
                        self.root_uses.push((node, scope));
                    }
                    continue;
                }
                // A string without an `f` (or `t`) prefix holds no expression:
                // its start, content and end are not visited (8% of the nodes).
                _ if k == kd.string => {
                    let src = &self.src[node.start_byte()..node.end_byte().min(node.start_byte() + 4)];
                    let mut prefix = src.iter().take_while(|b| !matches!(b, b'"' | b'\''));
                    if !prefix.any(|b| matches!(b, b'f' | b'F' | b't' | b'T')) {
                        continue;
                    }
                }
                _ if k == kd.call => self.calls.push((node, scope)),
                _ if k == kd.return_statement || k == kd.yield_ => self.exits.entry(scope).or_default().push(node),
                _ if k == kd.binary_operator => self.binaries.push((node, scope)),
                // Their names are not references: nothing else to visit.
                _ if k == kd.import_statement => {
                    self.collect_import(node, scope);
                    continue;
                }
                _ if k == kd.import_from_statement => {
                    self.collect_import_from(node, scope);
                    continue;
                }
                // `obj.name`, `f(name=...)`: only the object and the value
                // can refer to something.
                _ if k == kd.attribute => {
                    if let Some(o) = node.child_by_field_id(crate::syntax::F.object) {
                        stack.push((o, scope, d));
                    }
                    continue;
                }
                // Parameter names are not references; defaults and types are.
                _ if k == kd.parameters
                    || k == kd.default_parameter
                    || k == kd.typed_default_parameter
                    || k == kd.typed_parameter =>
                {
                    let start = stack.len();
                    let reference = |c: &Node<'t>| {
                        let ck = c.kind_id();
                        ck != kd.identifier && ck != kd.list_splat_pattern && ck != kd.dictionary_splat_pattern
                    };
                    stack.extend(node.named_children(&mut cur).filter(reference).map(|c| (c, scope, d)));
                    stack[start..].reverse();
                    continue;
                }
                _ if k == kd.list_splat_pattern
                    || k == kd.dictionary_splat_pattern
                    || k == kd.global_statement
                    || k == kd.nonlocal_statement =>
                {
                    continue
                }
                _ if k == kd.keyword_argument => {
                    if let Some(v) = node.child_by_field_id(crate::syntax::F.value) {
                        stack.push((v, scope, d));
                    }
                    continue;
                }
                _ if k == kd.function_definition => {
                    let fscope = self.new_scope(scope, ScopeKind::Function);
                    self.scope_of_node.insert(node.id(), fscope);
                    self.def_of_scope.insert(fscope, node);
                    if let Some(name) = node.child_by_field_id(crate::syntax::F.name) {
                        let n = self.text(name).into_owned();
                        self.bind(scope, &n, node.start_byte(), BKind::Func(node, fscope));
                    }
                    if let Some(params) = node.child_by_field_id(crate::syntax::F.parameters) {
                        self.collect_params(params, fscope, decorated.get(&node.id()).copied());
                    }
                    // Decorators and defaults are evaluated in the enclosing scope,
                    // the body in the new one.
                    for c in node.named_children(&mut cur) {
                        if c.kind_id() == kd.block {
                            stack.push((c, fscope, d));
                        } else if c.k() == "parameters" {
                            stack.push((c, scope, d));
                        }
                    }
                    continue;
                }
                _ if k == kd.lambda => {
                    let lscope = self.new_scope(scope, ScopeKind::Function);
                    self.scope_of_node.insert(node.id(), lscope);
                    if let Some(params) = node.child_by_field_id(crate::syntax::F.parameters) {
                        self.collect_params(params, lscope, None);
                    }
                    if let Some(body) = node.child_by_field_id(crate::syntax::F.body) {
                        stack.push((body, lscope, d));
                    }
                    continue;
                }
                _ if k == kd.class_definition => {
                    child_scope = self.new_scope(scope, ScopeKind::Class);
                    self.scope_of_node.insert(node.id(), child_scope);
                    if let Some(name) = node.child_by_field_id(crate::syntax::F.name) {
                        let n = self.text(name).into_owned();
                        self.bind(scope, &n, node.start_byte(), BKind::Class(child_scope));
                    }
                    if let Some(sup) = node.child_by_field_id(crate::syntax::F.superclasses) {
                        stack.push((sup, scope, d));
                    }
                    if let Some(body) = node.child_by_field_id(crate::syntax::F.body) {
                        stack.push((body, child_scope, d));
                    }
                    continue;
                }
                _ if k == kd.assignment => {
                    match node.child_by_field_id(crate::syntax::F.left) {
                        Some(l) if l.kind_id() == kd.subscript => self.item_assignments.push((node, scope)),
                        Some(l) if l.kind_id() == kd.attribute => {
                            let plain = l
                                .child_by_field_id(crate::syntax::F.object)
                                .is_some_and(|o| o.kind_id() == kd.identifier && !matches!(&*self.text(o), "self" | "cls"));
                            if plain {
                                self.attr_assignments.push((node, scope));
                            }
                        }
                        _ => {}
                    }
                    self.collect_assignment(node, scope)
                }
                _ if k == kd.augmented_assignment => {
                    if let Some(left) = node.child_by_field_id(crate::syntax::F.left) {
                        self.bind_target(left, scope, None);
                    }
                }
                _ if k == kd.named_expression => {
                    if let (Some(n), Some(v)) =
                        (node.child_by_field_id(crate::syntax::F.name), node.child_by_field_id(crate::syntax::F.value))
                    {
                        let name = self.text(n).into_owned();
                        self.bind(scope, &name, node.start_byte(), BKind::Value(v));
                    }
                }
                _ if k == kd.for_statement || k == kd.for_in_clause => {
                    if let Some(left) = node.child_by_field_id(crate::syntax::F.left) {
                        match node.child_by_field_id(crate::syntax::F.right) {
                            Some(r) => self.bind_elements(left, scope, r),
                            None => self.bind_target(left, scope, None),
                        }
                    }
                }
                _ if k == kd.with_item => {
                    if let Some(v) = node.child_by_field_id(crate::syntax::F.value) {
                        if v.k() == "as_pattern" {
                            let expr = v.named_child(0);
                            if let (Some(expr), Some(alias)) = (expr, v.child_by_field_id(crate::syntax::F.alias)) {
                                let target = alias.named_child(0).unwrap_or(alias);
                                if target.k() == "identifier" {
                                    let n = self.text(target).into_owned();
                                    self.bind(scope, &n, target.start_byte(), BKind::WithAs(expr));
                                } else {
                                    self.bind_target(target, scope, None);
                                }
                            }
                        }
                    }
                }
                _ if k == kd.decorated_definition => {
                    for c in node.named_children(&mut cur) {
                        if c.kind_id() == kd.function_definition {
                            decorated.insert(c.id(), node);
                        }
                    }
                }
                _ if k == kd.except_clause => {
                    // `except E as name`
                    for c in node.named_children(&mut cur) {
                        if c.k() == "as_pattern" {
                            if let Some(alias) = c.child_by_field_id(crate::syntax::F.alias) {
                                let target = alias.named_child(0).unwrap_or(alias);
                                self.bind_target(target, scope, None);
                            }
                        }
                    }
                }
                _ => {}
            }
            let start = stack.len();
            stack.extend(node.named_children(&mut cur).map(|c| (c, child_scope, d)));
            stack[start..].reverse();
        }
        Ok(())
    }

    /// Every qualified name through the repository's modules that `qualify`
    /// can start from: imports, star imports and unbound identifiers that
    /// name a module of the repository.
    fn foreign_refs(&self) -> Vec<String> {
        let repo = |q: &String| self.repo_roots.contains(q.split('.').next().unwrap_or(q));
        let mut refs: std::collections::BTreeSet<String> =
            self.imports.iter().chain(&self.star_imports).filter(|q| repo(q)).cloned().collect();
        for &(n, scope) in &self.root_uses {
            let name = self.text(n);
            if self.lookup(&name, scope, n.start_byte()).is_none() {
                refs.insert(name.into_owned());
            }
        }
        refs.into_iter().collect()
    }

    fn add_import(&mut self, scope: usize, name: &str, pos: usize, qualified: String) {
        let idx = self.imports.len();
        if let Some(root) = qualified.split('.').next() {
            if !root.is_empty() {
                self.imported_roots.insert(root.to_string());
            }
        }
        self.imports.push(qualified);
        self.bind(scope, name, pos, BKind::Import(idx));
    }

    fn collect_import(&mut self, node: Node<'t>, scope: usize) {
        let pos = node.start_byte();
        let mut cur = node.walk();
        let names: Vec<Node<'t>> = node.children_by_field_name("name", &mut cur).collect();
        for n in names {
            match n.k() {
                "dotted_name" => {
                    // `import a.b.c` binds `a` to the package `a`.
                    let full = self.text(n).into_owned();
                    let first = full.split('.').next().unwrap_or(&full).to_string();
                    self.add_import(scope, &first, pos, first.clone());
                    if full != first {
                        self.imported_roots.insert(first);
                    }
                }
                "aliased_import" => {
                    if let (Some(name), Some(alias)) =
                        (n.child_by_field_id(crate::syntax::F.name), n.child_by_field_id(crate::syntax::F.alias))
                    {
                        let q = self.text(name).into_owned();
                        let a = self.text(alias).into_owned();
                        self.add_import(scope, &a, pos, q);
                    }
                }
                _ => {}
            }
        }
    }

    fn collect_import_from(&mut self, node: Node<'t>, scope: usize) {
        let pos = node.start_byte();
        let Some(module) = node.child_by_field_id(crate::syntax::F.module_name) else { return };
        // Relative imports name the repository's own modules: resolved
        // against the file's package (`from .models import build` in
        // `textkit/service.py` is `textkit.models.build`).
        let written = self.text(module).split_whitespace().collect::<String>();
        let relative = written.starts_with('.');
        let module = if relative { absolute_module(&self.package, &written) } else { written };
        let sep = if module.ends_with('.') { "" } else { "." };
        let mut cur = node.walk();
        let mut any = false;
        let names: Vec<Node<'t>> = node.children_by_field_name("name", &mut cur).collect();
        for n in names {
            any = true;
            match n.k() {
                "dotted_name" => {
                    let name = self.text(n).into_owned();
                    self.add_import(scope, &name, pos, format!("{module}{sep}{name}"));
                }
                "aliased_import" => {
                    if let (Some(name), Some(alias)) =
                        (n.child_by_field_id(crate::syntax::F.name), n.child_by_field_id(crate::syntax::F.alias))
                    {
                        let q = format!("{module}{sep}{}", self.text(name));
                        let a = self.text(alias).into_owned();
                        self.add_import(scope, &a, pos, q);
                    }
                }
                _ => {}
            }
        }
        if !any {
            let mut cur = node.walk();
            if node.named_children(&mut cur).any(|c| c.k() == "wildcard_import") && !relative {
                if let Some(root) = module.split('.').next() {
                    self.imported_roots.insert(root.to_string());
                }
                self.star_imports.push(module);
            }
        }
    }

    /// Defaults click gives a command's parameters:
    /// `@click.option("--model-name", default="gpt2") def main(model_name)`;
    /// `decorated` is the function's `decorated_definition`.
    fn click_defaults(&self, decorated: Option<Node<'t>>) -> HashMap<String, Node<'t>> {
        let mut out = HashMap::new();
        let Some(decorated) = decorated else { return out };
        let mut cur = decorated.walk();
        for d in decorated.named_children(&mut cur).filter(|c| c.k() == "decorator") {
            let Some(call) = d.named_child(0).filter(|c| c.k() == "call") else { continue };
            let Some(f) = call.child_by_field_id(crate::syntax::F.function) else { continue };
            if !matches!(&*self.text(f), "click.option" | "option" | "click.argument" | "argument") {
                continue;
            }
            let args = Args::of(call, self);
            let Some(default) = args.keyword("default") else { continue };
            let names: Vec<String> = args
                .positional
                .iter()
                .filter(|a| a.k() == "string")
                .map(|a| self.text(*a).trim_matches(|c| c == '"' || c == '\'').to_string())
                .collect();
            let name = names.iter().find(|n| !n.starts_with('-')).cloned().or_else(|| {
                names
                    .iter()
                    .filter(|n| n.starts_with('-'))
                    .max_by_key(|n| n.len())
                    .map(|n| n.trim_start_matches('-').replace('-', "_"))
            });
            if let Some(n) = name {
                out.insert(n, default);
            }
        }
        out
    }

    fn collect_params(&mut self, params: Node<'t>, scope: usize, decorated: Option<Node<'t>>) {
        let click = self.click_defaults(decorated);
        let mut cur = params.walk();
        let ps: Vec<Node<'t>> = params.named_children(&mut cur).collect();
        for p in ps {
            match p.k() {
                "identifier" => {
                    let n = self.text(p).into_owned();
                    let default = click.get(&n).copied();
                    self.bind(scope, &n, p.start_byte(), BKind::Param(default));
                }
                "default_parameter" | "typed_default_parameter" => {
                    if let Some(name) = p.child_by_field_id(crate::syntax::F.name) {
                        let n = self.text(name).into_owned();
                        self.bind(scope, &n, p.start_byte(), BKind::Param(p.child_by_field_id(crate::syntax::F.value)));
                    }
                }
                "typed_parameter" | "list_splat_pattern" | "dictionary_splat_pattern" => {
                    let mut c2 = p.walk();
                    let idents: Vec<Node<'t>> = p.named_children(&mut c2).filter(|c| c.k() == "identifier").collect();
                    if let Some(id) = idents.first() {
                        let n = self.text(*id).into_owned();
                        let default = click.get(&n).copied();
                        self.bind(scope, &n, p.start_byte(), BKind::Param(default));
                    }
                }
                _ => {}
            }
        }
    }

    fn collect_assignment(&mut self, node: Node<'t>, scope: usize) {
        let Some(left) = node.child_by_field_id(crate::syntax::F.left) else { return };
        let mut right = node.child_by_field_id(crate::syntax::F.right);
        // `a = b = value`: the innermost right-hand side is the value.
        while let Some(r) = right {
            if r.k() == "assignment" {
                if let Some(l2) = r.child_by_field_id(crate::syntax::F.left) {
                    let v = innermost_value(r);
                    self.bind_target(l2, scope, v);
                }
                right = r.child_by_field_id(crate::syntax::F.right);
            } else {
                break;
            }
        }
        let value = right;
        match (left.k(), value.map(|v| v.k())) {
            ("pattern_list" | "tuple_pattern", Some("expression_list" | "tuple")) => {
                let v = value.expect("matched Some");
                let mut c1 = left.walk();
                let mut c2 = v.walk();
                let ls: Vec<Node<'t>> = left.named_children(&mut c1).collect();
                let vs: Vec<Node<'t>> = v.named_children(&mut c2).collect();
                if ls.len() == vs.len() {
                    for (l, r) in ls.into_iter().zip(vs) {
                        self.bind_target(l, scope, Some(r));
                    }
                } else {
                    self.bind_target(left, scope, None);
                }
            }
            ("pattern_list" | "tuple_pattern" | "list_pattern", Some(_)) => {
                if let Some(v) = value {
                    self.bind_elements(left, scope, v);
                }
            }
            _ => self.bind_target(left, scope, value),
        }
    }

    /// Bind every name of a target to an element of `value`.
    fn bind_elements(&mut self, target: Node<'t>, scope: usize, value: Node<'t>) {
        match target.k() {
            "identifier" => {
                let n = self.text(target).into_owned();
                self.bind(scope, &n, target.start_byte(), BKind::Element(value));
            }
            "pattern_list" | "tuple_pattern" | "list_pattern" | "list_splat_pattern" | "parenthesized_expression" => {
                let mut cur = target.walk();
                let cs: Vec<Node<'t>> = target.named_children(&mut cur).collect();
                for c in cs {
                    self.bind_elements(c, scope, value);
                }
            }
            _ => self.bind_target(target, scope, None),
        }
    }

    /// Bind an assignment target to a value (or to Unknown).
    fn bind_target(&mut self, target: Node<'t>, scope: usize, value: Option<Node<'t>>) {
        let kind = match value {
            Some(v) => BKind::Value(v),
            None => BKind::Unknown,
        };
        match target.k() {
            "identifier" => {
                let n = self.text(target).into_owned();
                self.bind(scope, &n, target.start_byte(), kind);
            }
            "attribute" => {
                // `self.x = ...` binds `self.x` in the enclosing class.
                let obj = target.child_by_field_id(crate::syntax::F.object);
                let attr = target.child_by_field_id(crate::syntax::F.attribute);
                if let (Some(obj), Some(attr)) = (obj, attr) {
                    let o = self.text(obj);
                    if o == "self" || o == "cls" {
                        if let Some(cls) = self.enclosing_class(scope) {
                            // Stored in the class, resolved where it was assigned
                            // (`self.model = model` sees `__init__`'s parameters).
                            let key = format!("self.{}", self.text(attr));
                            self.scopes[cls].bindings.entry(key).or_default().push(Binding {
                                pos: target.start_byte(),
                                scope,
                                kind,
                            });
                        }
                    }
                }
            }
            "pattern_list" | "tuple_pattern" | "list_pattern" | "list_splat_pattern" | "parenthesized_expression" => {
                let mut cur = target.walk();
                let cs: Vec<Node<'t>> = target.named_children(&mut cur).collect();
                for c in cs {
                    self.bind_target(c, scope, None);
                }
            }
            _ => {}
        }
    }

    // ---------------------------------------------------------------- lookup

    /// The binding a name refers to at `pos` in `scope`: in the scope itself
    /// the last binding before the position (else the first after); in
    /// enclosing scopes, which run earlier, the last binding. Class scopes
    /// are not visible from the functions inside them.
    pub(crate) fn lookup(&self, name: &str, scope: usize, pos: usize) -> Option<Binding<'t>> {
        let mut cur = Some(scope);
        let mut first = true;
        while let Some(id) = cur {
            let s = &self.scopes[id];
            if first || s.kind != ScopeKind::Class {
                if let Some(bs) = s.bindings.get(name) {
                    let pick = if first { bs.iter().rev().find(|b| b.pos < pos).or_else(|| bs.first()) } else { bs.last() };
                    if let Some(b) = pick {
                        return Some(*b);
                    }
                }
            }
            first = false;
            cur = s.parent;
        }
        None
    }

    /// `lookup` for a name that is called or whose attribute is taken: a
    /// binding to `None` (`except ImportError: AutoModel = None`) cannot be
    /// what runs there, so the binding of the name before it in the same
    /// scope is taken (the import the `try` made).
    fn lookup_callee(&self, name: &str, scope: usize, pos: usize) -> Option<Binding<'t>> {
        let none = |b: &Binding<'t>| matches!(b.kind, BKind::Value(v) if v.k() == "none");
        let b = self.lookup(name, scope, pos)?;
        if !none(&b) {
            return Some(b);
        }
        let before = self.scopes[b.scope].bindings.get(name)?.iter().rev().filter(|x| x.pos < b.pos).find(|x| !none(x));
        Some(before.copied().unwrap_or(b))
    }

    /// `self.attr`: an assignment to `self.attr` in a method, else a class
    /// attribute (`class Bot: client = OpenAI()`).
    pub(crate) fn lookup_self_attr(&self, attr: &str, scope: usize, pos: usize) -> Option<Binding<'t>> {
        let cls = self.enclosing_class(scope)?;
        let bindings = &self.scopes[cls].bindings;
        let bs = bindings.get(&format!("self.{attr}")).or_else(|| bindings.get(attr))?;
        bs.iter().rev().find(|b| b.pos < pos).or_else(|| bs.last()).copied()
    }

    /// The qualified name of a callee expression after alias resolution, or
    /// None when it refers to the repository's own code or cannot be known.
    pub(crate) fn qualify(&self, expr: Node<'t>, scope: usize, pos: usize, depth: u32) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        match expr.k() {
            "identifier" => {
                let name = self.text(expr);
                match self.lookup_callee(&name, scope, pos) {
                    Some(b) => self.qualify_binding(b, depth),
                    None => {
                        if self.star_imports.len() == 1 {
                            Some(format!("{}.{name}", self.star_imports[0]))
                        } else {
                            Some(name.into_owned())
                        }
                    }
                }
            }
            "attribute" => {
                let obj = expr.child_by_field_id(crate::syntax::F.object)?;
                let attr = self.text(expr.child_by_field_id(crate::syntax::F.attribute)?);
                if obj.k() == "identifier" {
                    let o = self.text(obj);
                    if o == "self" || o == "cls" {
                        let b = self.lookup_self_attr(&attr, scope, pos)?;
                        return self.qualify_binding(b, depth);
                    }
                }
                let mut q = self.qualify(obj, scope, pos, depth + 1)?;
                q.push('.');
                q.push_str(&attr);
                Some(q)
            }
            // The result of a call is marked `()`: `OpenAI().chat` is an
            // attribute of an instance, `AutoTokenizer.from_pretrained()(text)`
            // calls a loaded tokenizer, not `from_pretrained` again.
            "call" => {
                let func = expr.child_by_field_id(crate::syntax::F.function)?;
                // A call of a local function stands for what it returns.
                if func.k() == "identifier" {
                    if let Some(Binding { kind: BKind::Func(_, fscope), .. }) = self.lookup(&self.text(func), scope, pos) {
                        return self.qualify_return(fscope, depth + 1);
                    }
                }
                let mut q = self.qualify(func, scope, pos, depth + 1)?;
                // `functools.partial(f, key=value)` calls `f` when called.
                if q == "functools.partial" {
                    if let Some(f) = partial_target(expr) {
                        return self.qualify(f, scope, pos, depth + 1);
                    }
                }
                q.push_str("()");
                Some(q)
            }
            "parenthesized_expression" => self.qualify(expr.named_child(0)?, scope, pos, depth + 1),
            "await" => self.qualify(expr.named_child(0)?, scope, pos, depth + 1),
            // An item of a registry: `sam_model_registry["vit_h"]` is `segment_anything.sam_model_registry[]`.
            // An item of a registry of the repository with a literal key
            // keeps the key (`Config.PIPELINES[img2img]`), so the link step
            // can take that item.
            "subscript" => {
                let mut base = self.qualify(expr.child_by_field_id(crate::syntax::F.value)?, scope, pos, depth + 1)?;
                let key = expr
                    .child_by_field_id(crate::syntax::F.subscript)
                    .filter(|k| k.k() == "string")
                    .and_then(|k| self.resolve(k, scope, depth + 1).value)
                    .filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                    .filter(|_| self.repo_roots.contains(base.split('.').next().unwrap_or_default()));
                base.push('[');
                base.push_str(key.as_deref().unwrap_or_default());
                base.push(']');
                Some(base)
            }
            _ => None,
        }
    }

    /// What a local function returns, when every `return` of its own body
    /// (not of nested functions) qualifies to the same thing.
    fn qualify_return(&self, fscope: usize, depth: u32) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        // The scope pass recorded them: a function's own returns are the
        // ones whose innermost scope is its own (none inside nested
        // functions, classes or lambdas).
        let mut found: Option<String> = None;
        let ret = crate::syntax::K.return_statement;
        for n in self.exits.get(&fscope).into_iter().flatten().filter(|n| n.kind_id() == ret) {
            let v = n.named_child(0)?;
            let q = self.qualify(v, fscope, v.start_byte(), depth + 1)?;
            if found.as_ref().is_some_and(|f| *f != q) {
                return None;
            }
            found = Some(q);
        }
        found
    }

    /// The values a local function returns or yields, last in the file
    /// first: of each outermost `return` or `yield` of its own body (not one
    /// inside another, as in `return (yield x)`).
    pub(crate) fn returned_values(&self, def: Node<'t>) -> Vec<Node<'t>> {
        let Some(exits) = self.scope_of_node.get(&def.id()).and_then(|s| self.exits.get(s)) else { return Vec::new() };
        let inside =
            |n: &Node<'t>, o: &Node<'t>| o.id() != n.id() && o.start_byte() <= n.start_byte() && n.end_byte() <= o.end_byte();
        let mut outer: Vec<Node<'t>> = exits.iter().filter(|n| !exits.iter().any(|o| inside(n, o))).copied().collect();
        outer.sort_by_key(|n| std::cmp::Reverse(n.start_byte()));
        outer.into_iter().filter_map(|n| n.named_child(0)).collect()
    }

    fn qualify_binding(&self, b: Binding<'t>, depth: u32) -> Option<String> {
        match b.kind {
            BKind::Import(i) => Some(self.imports[i].clone()),
            // The value is read before its name is bound: in `f = partial(f, ...)`
            // the `f` inside is the binding before (the earlier of the two
            // positions; a `with` item's value comes before its name).
            BKind::Value(v) | BKind::WithAs(v) => match v.k() {
                "call" | "identifier" | "attribute" | "parenthesized_expression" | "await" | "subscript" => {
                    self.qualify(v, b.scope, b.pos.min(v.start_byte()), depth + 1)
                }
                _ => None,
            },
            BKind::Func(..) | BKind::Class(_) | BKind::Param(_) | BKind::Unknown | BKind::Element(_) => None,
        }
    }

    // ---------------------------------------------------------------- values

    /// The string value of an expression, with how it was found.
    fn resolve(&self, expr: Node<'t>, scope: usize, depth: u32) -> Resolved {
        if depth > MAX_DEPTH {
            return Resolved::dynamic();
        }
        match expr.k() {
            "string" => match self.string_value(expr, scope, depth) {
                Some(r) => r,
                None => Resolved::dynamic(),
            },
            "concatenated_string" => {
                let mut out = String::new();
                let mut kind = Resolvable::Literal;
                let mut cur = expr.walk();
                for s in expr.named_children(&mut cur) {
                    if s.k() != "string" {
                        continue;
                    }
                    match self.string_value(s, scope, depth) {
                        Some(Resolved { value: Some(v), kind: k }) => {
                            out.push_str(&v);
                            kind = weakest(kind, k);
                        }
                        _ => return Resolved::dynamic(),
                    }
                }
                Resolved { value: Some(out), kind }
            }
            "parenthesized_expression" => match expr.named_child(0) {
                Some(c) => self.resolve(c, scope, depth + 1),
                None => Resolved::dynamic(),
            },
            "binary_operator" => {
                let op = expr.child_by_field_id(crate::syntax::F.operator).map(|o| self.text(o).into_owned());
                let (Some(l), Some(r)) =
                    (expr.child_by_field_id(crate::syntax::F.left), expr.child_by_field_id(crate::syntax::F.right))
                else {
                    return Resolved::dynamic();
                };
                match op.as_deref() {
                    // `"bert-" + SIZE`; `Path(BASE) / "model.pt"`
                    Some("+") | Some("/") => {
                        let (a, b) = (self.resolve(l, scope, depth + 1), self.resolve(r, scope, depth + 1));
                        let sep = if op.as_deref() == Some("/") { "/" } else { "" };
                        match (a.value, b.value) {
                            (Some(x), Some(y)) if sep.is_empty() || self.is_path_expr(l, scope, 0) => {
                                Resolved { value: Some(format!("{x}{sep}{y}")), kind: weakest(a.kind, b.kind) }
                            }
                            _ => Resolved::dynamic(),
                        }
                    }
                    // `"%s-base" % NAME`, `"%s/%s" % (ORG, NAME)`
                    Some("%") => {
                        let fmt = self.resolve(l, scope, depth + 1);
                        let Some(f) = fmt.value else { return Resolved::dynamic() };
                        let parts: Vec<Node<'t>> = if r.k() == "tuple" {
                            let mut cur = r.walk();
                            r.named_children(&mut cur).collect()
                        } else {
                            vec![r]
                        };
                        let mut kind = fmt.kind;
                        let mut vals = Vec::new();
                        for p in parts {
                            let v = self.resolve(p, scope, depth + 1);
                            let Some(x) = v.value else { return Resolved::dynamic() };
                            kind = weakest(kind, v.kind);
                            vals.push(x);
                        }
                        match percent_format(&f, &vals) {
                            Some(out) => Resolved { value: Some(out), kind: weakest(kind, Resolvable::Constant) },
                            None => Resolved::dynamic(),
                        }
                    }
                    _ => Resolved::dynamic(),
                }
            }
            "identifier" => {
                let name = self.text(expr);
                match self.lookup(&name, scope, expr.start_byte()) {
                    Some(b) => self.resolve_binding(b, depth),
                    None => Resolved::dynamic(),
                }
            }
            "attribute" => {
                let (Some(obj), Some(attr)) =
                    (expr.child_by_field_id(crate::syntax::F.object), expr.child_by_field_id(crate::syntax::F.attribute))
                else {
                    return Resolved::dynamic();
                };
                let o = self.text(obj);
                if obj.k() == "identifier" && (o == "self" || o == "cls") {
                    if let Some(b) = self.lookup_self_attr(&self.text(attr), scope, expr.start_byte()) {
                        return self.resolve_binding(b, depth);
                    }
                }
                // `args.model`: an argparse default.
                if let Some((d, dscope)) = self.argparse_default(obj, &self.text(attr), scope) {
                    let r = self.resolve(d, dscope, depth + 1);
                    return match r.value {
                        Some(v) => Resolved { value: Some(v), kind: weakest(Resolvable::DefaultArg, r.kind) },
                        None => Resolved::dynamic(),
                    };
                }
                // A class attribute: `Config.Model.LLM` of a class of this file.
                if let Some(cls) = self.class_scope_of(obj, scope, depth + 1) {
                    if let Some(b) = self.scopes[cls].bindings.get(&*self.text(attr)).and_then(|bs| bs.last()) {
                        return self.resolve_binding(*b, depth);
                    }
                }
                Resolved::dynamic()
            }
            "call" => self.resolve_call(expr, scope, depth),
            // `MODELS["bert"]`, `MODELS[args.model]`, `NAMES[0]`
            "subscript" => {
                let (Some(value), Some(index)) =
                    (expr.child_by_field_id(crate::syntax::F.value), expr.child_by_field_id(crate::syntax::F.subscript))
                else {
                    return Resolved::dynamic();
                };
                let key = self.resolve(index, scope, depth + 1);
                let item = match (&key.value, index.k()) {
                    (Some(k), _) => self.dict_value_node(value, k, scope, depth + 1),
                    (None, "integer") => {
                        self.text(index).parse::<usize>().ok().and_then(|i| self.list_item_node(value, i, scope, depth + 1))
                    }
                    _ => None,
                };
                match item {
                    Some((node, nscope, via_name)) => {
                        let r = self.resolve(node, nscope, depth + 1);
                        let kind = if via_name && r.kind == Resolvable::Literal { Resolvable::Constant } else { r.kind };
                        let key_kind = if index.k() == "integer" { Resolvable::Literal } else { key.kind };
                        Resolved { value: r.value, kind: weakest(kind, key_kind) }
                    }
                    None => Resolved::dynamic(),
                }
            }
            _ => Resolved::dynamic(),
        }
    }

    /// The value node for `key` in a dict literal (with `**other` merged), in
    /// `dict(key=...)`, or in a name bound to either; and whether a name was
    /// followed.
    fn dict_value_node(&self, node: Node<'t>, key: &str, scope: usize, depth: u32) -> Option<(Node<'t>, usize, bool)> {
        if depth > MAX_DEPTH {
            return None;
        }
        match node.k() {
            "dictionary" => {
                let mut cur = node.walk();
                let children: Vec<Node<'t>> = node.named_children(&mut cur).collect();
                // Later entries win, as in Python.
                for c in children.into_iter().rev() {
                    match c.k() {
                        "pair" => {
                            let k = c.child_by_field_id(crate::syntax::F.key)?;
                            if self.resolve(k, scope, depth + 1).value.as_deref() == Some(key) {
                                return Some((c.child_by_field_id(crate::syntax::F.value)?, scope, false));
                            }
                        }
                        "dictionary_splat" => {
                            if let Some(found) =
                                c.named_child(0).and_then(|inner| self.dict_value_node(inner, key, scope, depth + 1))
                            {
                                return Some(found);
                            }
                        }
                        _ => {}
                    }
                }
                None
            }
            "identifier" => match self.lookup(&self.text(node), scope, node.start_byte())? {
                Binding { kind: BKind::Value(v), scope: vs, .. } => {
                    self.dict_value_node(v, key, vs, depth + 1).map(|(n, s, _)| (n, s, true))
                }
                _ => None,
            },
            "call" => {
                let f = node.child_by_field_id(crate::syntax::F.function)?;
                if self.text(f) != "dict" {
                    return None;
                }
                Args::of(node, self).keyword(key).map(|v| (v, scope, false))
            }
            _ => None,
        }
    }

    /// Item `i` of a list or tuple literal, or of a name bound to one.
    fn list_item_node(&self, node: Node<'t>, i: usize, scope: usize, depth: u32) -> Option<(Node<'t>, usize, bool)> {
        if depth > MAX_DEPTH {
            return None;
        }
        match node.k() {
            "list" | "tuple" => {
                let mut cur = node.walk();
                let items: Vec<Node<'t>> = node.named_children(&mut cur).filter(|c| c.k() != "comment").collect();
                items.get(i).map(|n| (*n, scope, false))
            }
            "identifier" => match self.lookup(&self.text(node), scope, node.start_byte())? {
                Binding { kind: BKind::Value(v), scope: vs, .. } => {
                    self.list_item_node(v, i, vs, depth + 1).map(|(n, s, _)| (n, s, true))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// `args.model` where `args` comes from `parser.parse_args()` (or is a
    /// function parameter named like one): the default of the matching
    /// `add_argument` call of this file.
    fn argparse_default(&self, obj: Node<'t>, attr: &str, scope: usize) -> Option<(Node<'t>, usize)> {
        if obj.k() != "identifier" {
            return None;
        }
        let name = self.text(obj);
        let from_parser = match self.lookup(&name, scope, obj.start_byte())?.kind {
            BKind::Value(v) => {
                v.k() == "call"
                    && v.child_by_field_id(crate::syntax::F.function).is_some_and(|f| {
                        let t = self.text(f);
                        t.ends_with(".parse_args") || t == "parse_args"
                    })
            }
            BKind::Param(None) => {
                matches!(&*name, "args" | "opt" | "opts" | "options" | "cfg" | "hparams" | "flags" | "cli_args")
            }
            _ => false,
        };
        if !from_parser {
            return None;
        }
        for (call, cscope) in &self.calls {
            let Some(f) = call.child_by_field_id(crate::syntax::F.function) else { continue };
            if f.k() != "attribute"
                || f.child_by_field_id(crate::syntax::F.attribute).is_none_or(|a| self.text(a) != "add_argument")
            {
                continue;
            }
            let args = Args::of(*call, self);
            let dest = args.keyword("dest").and_then(|d| self.resolve(d, *cscope, 0).value).or_else(|| {
                let opts: Vec<String> = args.positional.iter().filter_map(|p| self.resolve(*p, *cscope, 0).value).collect();
                let long = opts.iter().find(|o| o.starts_with("--")).or_else(|| opts.iter().find(|o| !o.starts_with('-')))?;
                Some(long.trim_start_matches('-').replace('-', "_"))
            });
            if dest.as_deref() == Some(attr) {
                return args.keyword("default").map(|d| (d, *cscope));
            }
        }
        None
    }

    /// The body scope of the local class an expression names (`Config`,
    /// `Config.Model` for a nested class).
    fn class_scope_of(&self, expr: Node<'t>, scope: usize, depth: u32) -> Option<usize> {
        if depth > MAX_DEPTH {
            return None;
        }
        match expr.k() {
            "identifier" => match self.lookup(&self.text(expr), scope, expr.start_byte())?.kind {
                BKind::Class(cs) => Some(cs),
                _ => None,
            },
            "attribute" => {
                let outer = self.class_scope_of(expr.child_by_field_id(crate::syntax::F.object)?, scope, depth + 1)?;
                let attr = self.text(expr.child_by_field_id(crate::syntax::F.attribute)?);
                match self.scopes[outer].bindings.get(&*attr)?.last()?.kind {
                    BKind::Class(cs) => Some(cs),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn resolve_binding(&self, b: Binding<'t>, depth: u32) -> Resolved {
        match b.kind {
            BKind::Value(v) => {
                let r = self.resolve(v, b.scope, depth + 1);
                if r.kind == Resolvable::Literal {
                    Resolved { value: r.value, kind: Resolvable::Constant }
                } else {
                    r
                }
            }
            BKind::WithAs(v) => self.resolve(v, b.scope, depth + 1),
            BKind::Param(Some(default)) => {
                let r = self.resolve(default, b.scope, depth + 1);
                match r.value {
                    Some(v) => Resolved { value: Some(v), kind: weakest(Resolvable::DefaultArg, r.kind) },
                    None => Resolved::dynamic(),
                }
            }
            _ => Resolved::dynamic(),
        }
    }

    /// Calls that pass a path or a string through: `open(p)`, `Path(p)`,
    /// `str(p)`, `os.path.join(a, b)`, and environment lookups with defaults.
    fn resolve_call(&self, call: Node<'t>, scope: usize, depth: u32) -> Resolved {
        let Some(func) = call.child_by_field_id(crate::syntax::F.function) else { return Resolved::dynamic() };
        // `"{}-{}".format(ORG, NAME)` and `"{org}/{name}".format(org=..., name=...)`
        if func.k() == "attribute" && func.child_by_field_id(crate::syntax::F.attribute).is_some_and(|a| self.text(a) == "format")
        {
            let Some(obj) = func.child_by_field_id(crate::syntax::F.object) else { return Resolved::dynamic() };
            let fmt = self.resolve(obj, scope, depth + 1);
            let Some(f) = fmt.value else { return Resolved::dynamic() };
            let args = Args::of(call, self);
            let mut kind = weakest(fmt.kind, Resolvable::Constant);
            let mut pos = Vec::new();
            for a in &args.positional {
                let v = self.resolve(*a, scope, depth + 1);
                let Some(x) = v.value else { return Resolved::dynamic() };
                kind = weakest(kind, v.kind);
                pos.push(x);
            }
            let mut named = Vec::new();
            for (k, a) in &args.keywords {
                let v = self.resolve(*a, scope, depth + 1);
                let Some(x) = v.value else { return Resolved::dynamic() };
                kind = weakest(kind, v.kind);
                named.push((k.clone(), x));
            }
            return match brace_format(&f, &pos, &named) {
                Some(out) => Resolved { value: Some(out), kind },
                None => Resolved::dynamic(),
            };
        }
        let Some(q) = self.qualify(func, scope, call.start_byte(), depth + 1) else { return Resolved::dynamic() };
        let args = Args::of(call, self);
        match q.as_str() {
            "open" | "io.open" | "builtins.open" | "str" | "pathlib.Path" | "pathlib.PurePath" | "os.fspath" | "typer.Option"
            | "typer.Argument" | "os.path.expanduser" | "os.path.normpath" => match args.positional.first() {
                Some(a) => self.resolve(*a, scope, depth + 1),
                None => Resolved::dynamic(),
            },
            "os.path.join" | "posixpath.join" => {
                let mut parts = Vec::new();
                let mut kind = Resolvable::Literal;
                for a in &args.positional {
                    let r = self.resolve(*a, scope, depth + 1);
                    match r.value {
                        Some(v) => {
                            kind = weakest(kind, r.kind);
                            parts.push(v);
                        }
                        None => return Resolved::dynamic(),
                    }
                }
                if parts.is_empty() {
                    return Resolved::dynamic();
                }
                Resolved { value: Some(parts.join("/")), kind }
            }
            "os.getenv" | "os.environ.get" | "os.environ.setdefault" => {
                let default = args.positional.get(1).copied().or_else(|| args.keyword("default"));
                match default.map(|d| self.resolve(d, scope, depth + 1)) {
                    Some(Resolved { value: Some(v), kind }) => {
                        Resolved { value: Some(v), kind: weakest(Resolvable::EnvDefault, kind) }
                    }
                    _ => Resolved::dynamic(),
                }
            }
            _ => Resolved::dynamic(),
        }
    }

    /// The value of one string literal; f-string interpolations must resolve.
    fn string_value(&self, s: Node<'t>, scope: usize, depth: u32) -> Option<Resolved> {
        let mut prefix = String::new();
        let mut out = String::new();
        let mut kind = Resolvable::Literal;
        let mut cur = s.walk();
        for c in s.children(&mut cur) {
            match c.k() {
                "string_start" => prefix = self.text(c).to_ascii_lowercase(),
                "string_content" => {
                    let t = self.text(c);
                    if prefix.contains('r') {
                        out.push_str(&t);
                    } else {
                        out.push_str(&unescape(&t));
                    }
                }
                "escape_sequence" => out.push_str(&unescape(&self.text(c))),
                "interpolation" => {
                    let e = c.child_by_field_id(crate::syntax::F.expression).or_else(|| c.named_child(0))?;
                    let r = self.resolve(e, scope, depth + 1);
                    out.push_str(&r.value?);
                    kind = weakest(kind, if r.kind == Resolvable::Literal { Resolvable::Constant } else { r.kind });
                }
                _ => {}
            }
        }
        if prefix.contains('b') {
            return None;
        }
        Some(Resolved { value: Some(out), kind })
    }

    fn resolve_bool(&self, expr: Node<'t>, scope: usize, depth: u32) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        match expr.k() {
            "true" => Some(true),
            "false" => Some(false),
            "identifier" => match self.lookup(&self.text(expr), scope, expr.start_byte())?.kind {
                BKind::Value(v) | BKind::WithAs(v) => self.resolve_bool(v, scope, depth + 1),
                BKind::Param(Some(d)) => self.resolve_bool(d, scope, depth + 1),
                _ => None,
            },
            _ => None,
        }
    }

    // ---------------------------------------------------------------- rules

    fn call_site(&self, call: Node<'t>) -> CallSite {
        let start = call.start_position();
        CallSite {
            location: Location::Line(start.row as u32 + 1),
            column: start.column as u32 + 1,
            snippet: self.text(call).lines().next().unwrap_or("").trim().chars().take(200).collect(),
        }
    }

    fn match_call(&self, call: Node<'t>, scope: usize) -> Matched {
        let Some(func) = call.child_by_field_id(crate::syntax::F.function) else { return Matched::Nothing };
        let marked = self.qualify(func, scope, call.start_byte(), 0);
        let mut rules: Vec<&crate::catalog::Rule> = marked.as_deref().map(|m| self.catalog.rules_for(m)).unwrap_or_default();
        if rules.is_empty() {
            // A callee through the repository's own modules: for the link step.
            if let Some(m) = marked.as_deref() {
                let root = m.split('.').next().unwrap_or(m).trim_end_matches("()");
                let last = m.rsplit('.').next().unwrap_or(m).trim_end_matches("()");
                if self.repo_roots.contains(root) && self.catalog.may_end_with(last) {
                    let args = self.call_args(call, scope);
                    let written = self.text(func).split_whitespace().collect::<String>();
                    return Matched::Pending(Box::new(PendingCall {
                        callee: m.to_string(),
                        written,
                        args,
                        site: self.call_site(call),
                    }));
                }
            }
            // Method rules (`?.load_weights`) for receivers no rule names.
            let attr = match func.k() {
                "attribute" => func.child_by_field_id(crate::syntax::F.attribute).map(|a| self.text(a)),
                _ => None,
            };
            let Some(attr) = attr else { return Matched::Nothing };
            rules = self.catalog.method_rules(&attr);
        }
        if rules.is_empty() {
            return Matched::Nothing;
        }
        // The api is reported without the call markers: `openai.OpenAI.chat.completions.create`.
        let api = match marked.as_deref() {
            Some(m) => m.replace("()", ""),
            None => self.text(func).split_whitespace().collect::<String>(),
        };
        let args = self.call_args(call, scope);
        let site = self.call_site(call);
        for rule in rules {
            let Some((mut u, pending_model)) = crate::usage::build(rule, api.clone(), &args, &site, self.catalog) else {
                continue;
            };
            if rule.judge_object {
                match self.judge_object(call, u.model.as_deref()) {
                    ObjectKind::Data => return Matched::Nothing,
                    ObjectKind::Aux => u.source = Source::Aux,
                    ObjectKind::Model(c) => u.confidence = c,
                }
            }
            return Matched::Usage(Box::new(u), pending_model);
        }
        Matched::Nothing
    }

    /// Resolve every argument of a call as far as this file allows.
    fn call_args(&self, call: Node<'t>, scope: usize) -> CallArgs {
        let args = Args::of(call, self);
        CallArgs {
            positional: args.positional.iter().map(|n| self.arg_val(*n, scope, 0)).collect(),
            keywords: args.keywords.iter().map(|(k, n)| (k.clone(), self.arg_val(*n, scope, 0))).collect(),
            first_splat: args.first_splat,
        }
    }

    fn arg_val(&self, node: Node<'t>, scope: usize, depth: u32) -> ArgVal {
        let r = self.resolve(node, scope, 0);
        let import_ref = if r.value.is_none() { self.repo_ref(node, scope) } else { None };
        let config_ref = if r.value.is_none() && import_ref.is_none() { self.config_ref(node, scope, 0) } else { None };
        ArgVal {
            text: self.text(node).split_whitespace().collect::<Vec<_>>().join(" "),
            value: r.value,
            kind: Some(r.kind),
            is_attribute: node.k() == "attribute",
            boolean: self.resolve_bool(node, scope, 0),
            dict: if depth < 2 { self.dict_entries(node, scope, depth) } else { Vec::new() },
            import_ref,
            config_ref,
            items: if depth < 2 { self.list_items(node, scope, depth) } else { Vec::new() },
            is_path: self.is_path_expr(node, scope, 0),
            model_object: self.is_model_object(node, scope),
        }
    }

    /// A name bound to the result of a call some rule matches.
    fn is_model_object(&self, node: Node<'t>, scope: usize) -> bool {
        if node.k() != "identifier" {
            return false;
        }
        let Some(Binding { kind: BKind::Value(v), scope: vs, .. }) = self.lookup(&self.text(node), scope, node.start_byte())
        else {
            return false;
        };
        let mut v = v;
        // `m = Auto.from_pretrained(...).to(device)`
        while v.k() == "call" {
            let Some(f) = v.child_by_field_id(crate::syntax::F.function) else { return false };
            if let Some(q) = self.qualify(f, vs, v.start_byte(), 0) {
                // A download returns a path, not a model object.
                if self.catalog.rules_for(&q).iter().any(|r| !r.download_only && r.source != Source::Aux) {
                    return true;
                }
            }
            match f.k() {
                "attribute" => match f.child_by_field_id(crate::syntax::F.object) {
                    Some(o) if o.k() == "call" => v = o,
                    _ => return false,
                },
                _ => return false,
            }
        }
        false
    }

    /// Items of a list or tuple literal, or of a name bound to one.
    fn list_items(&self, node: Node<'t>, scope: usize, depth: u32) -> Vec<ArgVal> {
        match node.k() {
            "list" | "tuple" => {
                let mut cur = node.walk();
                let items: Vec<Node<'t>> = node.named_children(&mut cur).filter(|c| c.k() != "comment").collect();
                items.into_iter().map(|n| self.arg_val(n, scope, depth + 1)).collect()
            }
            "identifier" => match self.lookup(&self.text(node), scope, node.start_byte()) {
                Some(Binding { kind: BKind::Value(v), scope: vs, .. }) if depth < 4 => self.list_items(v, vs, depth + 1),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// Is the expression built as a file-system path: `os.path.join(...)`,
    /// `Path(...)`, `base / "name"`, or a name bound to one?
    fn is_path_expr(&self, node: Node<'t>, scope: usize, depth: u32) -> bool {
        if depth > 8 {
            return false;
        }
        match node.k() {
            "call" => node
                .child_by_field_id(crate::syntax::F.function)
                .and_then(|f| self.qualify(f, scope, node.start_byte(), 0))
                .is_some_and(|q| {
                    matches!(
                        q.as_str(),
                        "os.path.join"
                            | "posixpath.join"
                            | "os.path.abspath"
                            | "os.path.expanduser"
                            | "os.path.realpath"
                            | "pathlib.Path"
                            | "pathlib.PurePath"
                            | "pathlib.Path.joinpath"
                    ) || q.starts_with("pathlib.Path().")
                }),
            // `base / "name"` and `os.path.join(...) + "_suffix"`
            "binary_operator" => {
                node.child_by_field_id(crate::syntax::F.operator).is_some_and(|o| matches!(&*self.text(o), "/" | "+"))
                    && node.child_by_field_id(crate::syntax::F.left).is_some_and(|l| self.is_path_expr(l, scope, depth + 1))
            }
            "identifier" => match self.lookup(&self.text(node), scope, node.start_byte()) {
                Some(Binding { kind: BKind::Value(v), scope: vs, .. }) => self.is_path_expr(v, vs, depth + 1),
                Some(Binding { kind: BKind::Param(Some(d)), scope: vs, .. }) => self.is_path_expr(d, vs, depth + 1),
                _ => false,
            },
            "parenthesized_expression" => node.named_child(0).is_some_and(|c| self.is_path_expr(c, scope, depth + 1)),
            _ => false,
        }
    }

    /// A value read from a configuration file by literal keys:
    /// `json.load(open("config.json"))["model"]["name"]`, `cfg.get("model")`,
    /// `yaml.safe_load(f)[...]`, `toml.load(path)[...]`, and configparser's
    /// `parser["section"]["option"]` / `parser.get("section", "option")`
    /// after `parser.read(path)`.
    fn config_ref(&self, node: Node<'t>, scope: usize, depth: u32) -> Option<crate::config::ConfigRef> {
        if depth > 8 {
            return None;
        }
        let mut keys = Vec::new();
        let mut cur = node;
        loop {
            match cur.k() {
                "subscript" => {
                    let idx = cur.child_by_field_id(crate::syntax::F.subscript)?;
                    let key =
                        if idx.k() == "integer" { self.text(idx).into_owned() } else { self.resolve(idx, scope, 0).value? };
                    keys.push(key);
                    cur = cur.child_by_field_id(crate::syntax::F.value)?;
                }
                "call" => {
                    let f = cur.child_by_field_id(crate::syntax::F.function)?;
                    if f.k() != "attribute"
                        || f.child_by_field_id(crate::syntax::F.attribute).is_none_or(|a| self.text(a) != "get")
                    {
                        break;
                    }
                    let args = Args::of(cur, self);
                    let obj = f.child_by_field_id(crate::syntax::F.object)?;
                    // configparser's get(section, option) names two keys.
                    let n = if self.is_config_parser(obj, scope) { 2 } else { 1 };
                    let mut ks: Vec<String> = Vec::new();
                    for a in args.positional.iter().take(n) {
                        ks.push(self.resolve(*a, scope, 0).value?);
                    }
                    if ks.len() != n {
                        return None;
                    }
                    keys.extend(ks.into_iter().rev());
                    cur = obj;
                }
                "parenthesized_expression" => cur = cur.named_child(0)?,
                _ => break,
            }
        }
        if keys.is_empty() {
            return None;
        }
        keys.reverse();
        let (loader, lscope) = match cur.k() {
            "identifier" => match self.lookup(&self.text(cur), scope, cur.start_byte())? {
                Binding { kind: BKind::Value(v), scope: vs, .. } => (v, vs),
                _ => return None,
            },
            "call" => (cur, scope),
            _ => return None,
        };
        if loader.k() != "call" {
            return None;
        }
        let q = self.qualify(loader.child_by_field_id(crate::syntax::F.function)?, lscope, loader.start_byte(), 0)?;
        let path = match q.as_str() {
            "json.load"
            | "yaml.safe_load"
            | "yaml.load"
            | "yaml.full_load"
            | "yaml.unsafe_load"
            | "toml.load"
            | "tomllib.load"
            | "tomli.load"
            | "ruamel.yaml.YAML().load"
            | "omegaconf.OmegaConf.load" => {
                let first = *Args::of(loader, self).positional.first()?;
                self.resolve(first, lscope, 0).value?
            }
            "configparser.ConfigParser" | "configparser.RawConfigParser" | "configparser.SafeConfigParser" => {
                let name = match cur.k() {
                    "identifier" => self.text(cur).into_owned(),
                    _ => return None,
                };
                self.config_parser_path(&name)?
            }
            _ => return None,
        };
        Some(crate::config::ConfigRef { path, keys })
    }

    fn is_config_parser(&self, obj: Node<'t>, scope: usize) -> bool {
        self.qualify(obj, scope, obj.start_byte(), 0).is_some_and(|q| q.starts_with("configparser.") && q.ends_with("Parser()"))
    }

    /// The file a configparser instance reads: `<name>.read("settings.ini")`.
    fn config_parser_path(&self, name: &str) -> Option<String> {
        self.calls.iter().find_map(|(c, cs)| {
            let f = c.child_by_field_id(crate::syntax::F.function).filter(|f| f.k() == "attribute")?;
            let obj = f.child_by_field_id(crate::syntax::F.object)?;
            let attr = f.child_by_field_id(crate::syntax::F.attribute)?;
            if self.text(obj) != name || self.text(attr) != "read" {
                return None;
            }
            self.resolve(*Args::of(*c, self).positional.first()?, *cs, 0).value
        })
    }

    /// A name or dotted name that refers into the repository's own modules.
    fn repo_ref(&self, node: Node<'t>, scope: usize) -> Option<String> {
        if self.repo_roots.is_empty() || !matches!(node.k(), "identifier" | "attribute") {
            return None;
        }
        let q = self.qualify(node, scope, node.start_byte(), 0)?;
        let root = q.split('.').next().unwrap_or(&q);
        (self.repo_roots.contains(root) && !q.contains("()")).then_some(q)
    }

    /// Entries of a dict literal, of `dict(k=v)`, or of a name bound to one.
    fn dict_entries(&self, node: Node<'t>, scope: usize, depth: u32) -> Vec<(String, ArgVal)> {
        match node.k() {
            "dictionary" => {
                let mut cur = node.walk();
                let pairs: Vec<Node<'t>> = node.named_children(&mut cur).filter(|c| c.k() == "pair").collect();
                pairs
                    .into_iter()
                    .filter_map(|p| {
                        let k = self.resolve(p.child_by_field_id(crate::syntax::F.key)?, scope, 0).value?;
                        Some((k, self.arg_val(p.child_by_field_id(crate::syntax::F.value)?, scope, depth + 1)))
                    })
                    .collect()
            }
            "identifier" => match self.lookup(&self.text(node), scope, node.start_byte()) {
                // Through a name, a literal inside the dict is a constant.
                Some(Binding { kind: BKind::Value(v), scope: vscope, .. }) if depth < 4 => self
                    .dict_entries(v, vscope, depth + 1)
                    .into_iter()
                    .map(|(k, mut a)| {
                        if a.kind == Some(Resolvable::Literal) {
                            a.kind = Some(Resolvable::Constant);
                        }
                        (k, a)
                    })
                    .collect(),
                _ => Vec::new(),
            },
            "call" => {
                let f = node.child_by_field_id(crate::syntax::F.function);
                // `json.dumps(payload)`: the body is the dict serialised.
                if f.and_then(|f| self.qualify(f, scope, node.start_byte(), 0)).as_deref() == Some("json.dumps") {
                    return match Args::of(node, self).positional.first() {
                        Some(a) if depth < 4 => self.dict_entries(*a, scope, depth + 1),
                        _ => Vec::new(),
                    };
                }
                let is_dict = f.is_some_and(|f| self.text(f) == "dict");
                if !is_dict {
                    return Vec::new();
                }
                Args::of(node, self).keywords.iter().map(|(k, v)| (k.clone(), self.arg_val(*v, scope, depth + 1))).collect()
            }
            _ => Vec::new(),
        }
    }

    /// What the module-level names stand for, for the files importing them.
    fn exports(&self) -> Vec<(String, Export)> {
        let mut out = Vec::new();
        let mut names: Vec<(&String, &Vec<Binding<'t>>)> = self.scopes[0].bindings.iter().collect();
        names.sort_by(|a, b| a.0.cmp(b.0));
        for (name, bs) in names {
            let Some(b) = bs.last() else { continue };
            if let BKind::Value(v) = b.kind {
                self.member_exports(name, v, 0, 0, &mut out);
            }
            let e = match b.kind {
                BKind::Value(v) => {
                    let r = self.resolve(v, 0, 0);
                    match r.value {
                        Some(s) => {
                            Some(Export::Str(s, if r.kind == Resolvable::Literal { Resolvable::Constant } else { r.kind }))
                        }
                        None => self.qualify(v, 0, v.start_byte(), 0).map(Export::Value),
                    }
                }
                BKind::Import(i) => Some(Export::Value(self.imports[i].clone())).filter(|_| self.exportable(&self.imports[i])),
                BKind::Func(_, fscope) => self.qualify_return(fscope, 0).filter(|q| self.exportable(q)).map(Export::Returns),
                BKind::Class(cs) => {
                    self.class_exports(name, cs, 0, &mut out);
                    None
                }
                _ => None,
            };
            if let Some(e) = e {
                out.push((name.clone(), e));
            }
        }
        out
    }

    /// Only names that lead to a library a rule knows, or further into the
    /// repository, are worth exporting.
    fn exportable(&self, q: &str) -> bool {
        let root = q.split('.').next().unwrap_or(q).trim_end_matches("()");
        self.repo_roots.contains(root) || self.catalog.is_root(root)
    }

    /// String constants of a class and its nested classes, as dotted names
    /// (`Config.Model.LLM`): configuration classes hold model names.
    fn class_exports(&self, prefix: &str, cs: usize, depth: u32, out: &mut Vec<(String, Export)>) {
        if depth > 4 {
            return;
        }
        let mut names: Vec<(&String, &Vec<Binding<'t>>)> = self.scopes[cs].bindings.iter().collect();
        names.sort_by(|a, b| a.0.cmp(b.0));
        for (name, bs) in names {
            if name.starts_with("self.") {
                continue;
            }
            match bs.last().map(|b| b.kind) {
                Some(BKind::Value(v)) => {
                    let r = self.resolve(v, cs, 0);
                    if let Some(s) = r.value {
                        let kind = if r.kind == Resolvable::Literal { Resolvable::Constant } else { r.kind };
                        out.push((format!("{prefix}.{name}"), Export::Str(s, kind)));
                    }
                }
                Some(BKind::Class(inner)) => self.class_exports(&format!("{prefix}.{name}"), inner, depth + 1, out),
                _ => {}
            }
            if let Some(BKind::Value(v)) = bs.last().map(|b| b.kind) {
                self.member_exports(&format!("{prefix}.{name}"), v, cs, depth + 1, out);
            }
        }
    }

    /// Members of a configuration value, as dotted names: the keywords of
    /// a namespace (`Config = SimpleNamespace(VAE="madebyollin/sdxl-vae",
    /// PIPELINES={...})` exports `Config.VAE`), and the items of a registry
    /// dict, all standing for one library (`Config.PIPELINES[]`: its first
    /// value, when every value qualifies into the same top module).
    fn member_exports(&self, prefix: &str, v: Node<'t>, scope: usize, depth: u32, out: &mut Vec<(String, Export)>) {
        if depth > 4 {
            return;
        }
        match v.k() {
            "dictionary" => {
                let mut cur = v.walk();
                let mut values = Vec::new();
                for pair in v.named_children(&mut cur).filter(|p| p.k() == "pair") {
                    let (Some(k), Some(x)) =
                        (pair.child_by_field_id(crate::syntax::F.key), pair.child_by_field_id(crate::syntax::F.value))
                    else {
                        continue;
                    };
                    let q = self.qualify(x, scope, x.start_byte(), 0).filter(|q| self.exportable(q));
                    if let (Some(key), Some(q)) = (self.resolve(k, scope, 0).value, &q) {
                        out.push((format!("{prefix}[{key}]"), Export::Value(q.clone())));
                    }
                    values.push(q);
                }
                let root = |q: &String| q.split('.').next().unwrap_or_default().to_string();
                if let Some(Some(first)) = values.first() {
                    if values.iter().all(|q| q.as_ref().is_some_and(|q| root(q) == root(first))) {
                        out.push((format!("{prefix}[]"), Export::AnyItem(first.clone())));
                    }
                }
            }
            "call" => {
                let Some(f) = v.child_by_field_id(crate::syntax::F.function) else { return };
                let callee = self.qualify(f, scope, v.start_byte(), 0).unwrap_or_default();
                let namespace = matches!(
                    callee.as_str(),
                    "types.SimpleNamespace" | "argparse.Namespace" | "dict" | "easydict.EasyDict" | "box.Box"
                ) || (f.k() == "identifier" && self.text(f) == "dict");
                let Some(args) = v.child_by_field_id(crate::syntax::F.arguments).filter(|_| namespace) else { return };
                let mut cur = args.walk();
                for kw in args.named_children(&mut cur).filter(|c| c.k() == "keyword_argument") {
                    let (Some(k), Some(x)) =
                        (kw.child_by_field_id(crate::syntax::F.name), kw.child_by_field_id(crate::syntax::F.value))
                    else {
                        continue;
                    };
                    let name = format!("{prefix}.{}", self.text(k));
                    let r = self.resolve(x, scope, 0);
                    if let Some(s) = r.value {
                        let kind = if r.kind == Resolvable::Literal { Resolvable::Constant } else { r.kind };
                        out.push((name, Export::Str(s, kind)));
                    } else if let Some(q) = self.qualify(x, scope, x.start_byte(), 0).filter(|q| self.exportable(q)) {
                        out.push((name, Export::Value(q)));
                    } else {
                        self.member_exports(&name, x, scope, depth + 1, out);
                    }
                }
            }
            _ => {}
        }
    }

    /// Is what a pickle-family call loads a model, an auxiliary artefact
    /// (a vectorizer, a scaler) or data? Judged from the file name, the name
    /// it is assigned to, and what the code later calls on it.
    fn judge_object(&self, call: Node<'t>, path: Option<&str>) -> ObjectKind {
        let target = call.parent().filter(|p| p.k() == "assignment").and_then(|p| p.child_by_field_id(crate::syntax::F.left));
        let var = target.map(|t| self.text(t).into_owned());
        let mut names = Vec::new();
        if let Some(p) = path {
            let base = p.rsplit(['/', '\\']).next().unwrap_or(p);
            names.push(base.rsplit_once('.').map(|(b, _)| b).unwrap_or(base).to_ascii_lowercase());
        }
        if let Some(v) = &var {
            names.push(v.rsplit('.').next().unwrap_or(v).to_ascii_lowercase());
        }
        let words: Vec<&str> =
            names.iter().flat_map(|n| n.split(|c: char| !c.is_ascii_alphanumeric())).filter(|w| !w.is_empty()).collect();
        let any = |set: &[&str]| words.iter().any(|w| set.iter().any(|s| w == s || (s.len() > 3 && w.contains(s))));
        // What the code does with the object afterwards.
        let mut used_as_model = false;
        let mut used_as_aux = false;
        if let Some(v) = &var {
            for (c, _) in &self.calls {
                let Some(f) = c.child_by_field_id(crate::syntax::F.function).filter(|f| f.k() == "attribute") else {
                    continue;
                };
                let (Some(obj), Some(attr)) =
                    (f.child_by_field_id(crate::syntax::F.object), f.child_by_field_id(crate::syntax::F.attribute))
                else {
                    continue;
                };
                if self.text(obj) != v.as_str() {
                    continue;
                }
                match &*self.text(attr) {
                    "predict" | "predict_proba" | "predict_log_proba" | "decision_function" | "score_samples" | "forward"
                    | "generate" | "kneighbors" | "classify" | "infer" => used_as_model = true,
                    "transform" | "inverse_transform" | "fit_transform" | "texts_to_sequences" | "encode" => used_as_aux = true,
                    _ => {}
                }
            }
        }
        const MODEL: &[&str] = &[
            "model",
            "models",
            "clf",
            "classifier",
            "regressor",
            "estimator",
            "pipeline",
            "svm",
            "svc",
            "svr",
            "rf",
            "forest",
            "xgb",
            "xgboost",
            "lgbm",
            "lightgbm",
            "gbm",
            "catboost",
            "knn",
            "tree",
            "logreg",
            "logistic",
            "kmeans",
            "cluster",
            "net",
            "network",
            "predictor",
            "booster",
            "ensemble",
            "mlp",
            "detector",
            "recognizer",
            "lda",
            "nmf",
            "bayes",
            "nb",
            "weights",
        ];
        const AUX: &[&str] = &[
            "vectorizer",
            "vectoriser",
            "tfidf",
            "scaler",
            "scalers",
            "labelencoder",
            "encoder",
            "imputer",
            "preprocessor",
            "tokenizer",
            "pca",
            "normalizer",
            "binarizer",
            "onehot",
        ];
        const DATA: &[&str] = &[
            "data",
            "dataset",
            "df",
            "dataframe",
            "features",
            "feature",
            "train",
            "test",
            "labels",
            "label",
            "vocab",
            "history",
            "results",
            "stats",
            "dict",
            "mapping",
            "index",
            "cache",
            "config",
            "params",
            "meta",
            "metadata",
            "ids",
            "embeddings",
            "corpus",
            "word2idx",
            "idx2word",
            "samples",
            "splits",
            "graph",
            "scores",
            "entries",
            "papers",
            "documents",
            "docs",
            "records",
            "rows",
            "items",
            "texts",
            "sentences",
            "db",
            "database",
            "table",
            "frame",
            "objects",
            "obj_list",
            "cache_dict",
            "history_dict",
        ];
        if used_as_model || any(MODEL) && !any(AUX) {
            ObjectKind::Model(schemas::Confidence::High)
        } else if used_as_aux || any(AUX) {
            ObjectKind::Aux
        } else if any(DATA) {
            ObjectKind::Data
        } else {
            ObjectKind::Model(schemas::Confidence::Low)
        }
    }
}

fn innermost_value(assign: Node<'_>) -> Option<Node<'_>> {
    let mut r = assign.child_by_field_id(crate::syntax::F.right);
    while let Some(n) = r {
        if n.k() == "assignment" {
            r = n.child_by_field_id(crate::syntax::F.right);
        } else {
            return Some(n);
        }
    }
    None
}

/// What a pickle-family load reads.
enum ObjectKind {
    Model(schemas::Confidence),
    Aux,
    Data,
}

/// The arguments of one call.
struct Args<'t> {
    positional: Vec<Node<'t>>,
    keywords: Vec<(String, Node<'t>)>,
    /// Index in `positional` before which a `*args` splat appeared.
    first_splat: Option<usize>,
}

impl<'t> Args<'t> {
    fn of(call: Node<'t>, a: &Analysis<'t, '_>) -> Args<'t> {
        let mut out = Args { positional: Vec::new(), keywords: Vec::new(), first_splat: None };
        let Some(list) = call.child_by_field_id(crate::syntax::F.arguments) else { return out };
        if list.k() != "argument_list" {
            // `f(x for x in y)`: one generator argument.
            out.positional.push(list);
            return out;
        }
        let mut cur = list.walk();
        for c in list.named_children(&mut cur) {
            match c.k() {
                "keyword_argument" => {
                    if let (Some(n), Some(v)) =
                        (c.child_by_field_id(crate::syntax::F.name), c.child_by_field_id(crate::syntax::F.value))
                    {
                        out.keywords.push((a.text(n).into_owned(), v));
                    }
                }
                "list_splat" => {
                    if out.first_splat.is_none() {
                        out.first_splat = Some(out.positional.len());
                    }
                }
                "dictionary_splat" | "comment" => {}
                _ => out.positional.push(c),
            }
        }
        out
    }

    fn keyword(&self, name: &str) -> Option<Node<'t>> {
        self.keywords.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
    }
}

/// `%s`-formatting with string values; None on any other conversion.
fn percent_format(f: &str, vals: &[String]) -> Option<String> {
    let mut out = String::new();
    let mut it = f.chars().peekable();
    let mut next = vals.iter();
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match it.next()? {
            '%' => out.push('%'),
            's' | 'd' | 'r' => out.push_str(next.next()?),
            _ => return None,
        }
    }
    next.next().is_none().then_some(out)
}

/// `str.format` with `{}`, `{0}` and `{name}` fields; None on format specs.
fn brace_format(f: &str, pos: &[String], named: &[(String, String)]) -> Option<String> {
    let mut out = String::new();
    let mut it = f.chars().peekable();
    let mut auto = 0;
    while let Some(c) = it.next() {
        match c {
            '{' if it.peek() == Some(&'{') => {
                it.next();
                out.push('{');
            }
            '}' if it.peek() == Some(&'}') => {
                it.next();
                out.push('}');
            }
            '{' => {
                let mut field = String::new();
                for d in it.by_ref() {
                    if d == '}' {
                        break;
                    }
                    field.push(d);
                }
                if field.contains([':', '!', '.', '[']) {
                    return None;
                }
                let v = if field.is_empty() {
                    auto += 1;
                    pos.get(auto - 1)?
                } else if let Ok(i) = field.parse::<usize>() {
                    pos.get(i)?
                } else {
                    &named.iter().find(|(k, _)| *k == field)?.1
                };
                out.push_str(v);
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// Decode the common backslash escapes of a non-raw string.
fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some('\'') => out.push('\''),
            Some('"') => out.push('"'),
            Some('\n') => {}
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The function a `functools.partial(f, key=value, ...)` call wraps, when it
/// binds keywords only: a call of the partial then passes its positional
/// arguments to `f` where `f` expects them.
fn partial_target(call: Node<'_>) -> Option<Node<'_>> {
    let args = call.child_by_field_id(crate::syntax::F.arguments)?;
    let mut cur = args.walk();
    let mut named = args.named_children(&mut cur).filter(|a| a.k() != "comment");
    let f = named.next().filter(|f| !matches!(f.k(), "keyword_argument" | "list_splat" | "dictionary_splat"))?;
    named.all(|a| a.k() == "keyword_argument").then_some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_limits_stop_deep_and_slow_files_and_the_parser_recovers() {
        let deep = format!("x = {}1{}\n", "[".repeat(300), "]".repeat(300));
        let tight = ParseLimits { depth: 100, ..Default::default() };
        assert!(parse_limited(deep.as_bytes(), tight).unwrap_err().contains("nested more than 100 levels"));
        assert!(parse_limited(deep.as_bytes(), ParseLimits::default()).is_ok());
        let big = "def f(a, b):\n    return [a + b * i for i in range(10)]\n".repeat(20_000);
        let now = ParseLimits { time: std::time::Duration::ZERO, ..Default::default() };
        assert!(parse_limited(big.as_bytes(), now).unwrap_err().contains("parse stopped after 0 s"));
        // The next file parses from scratch, not from where the cancelled one stopped.
        let t = parse_limited(b"import torch\nm = torch.load('w.pt')\n", ParseLimits::default()).expect("parses");
        assert_eq!(t.root_node().child_count(), 2);
        let facts = analyze_module(deep.as_bytes(), "deep.py", &crate::Catalog::embedded().unwrap());
        assert!(facts.error.is_none());
    }

    #[test]
    fn a_callee_is_found_through_an_optional_import_and_functools_partial() {
        // `except ImportError: name = None` cannot be what is called; a partial
        // binding keywords only calls the function it wraps; the `f` inside
        // `f = partial(f, ...)` is the binding before.
        let src = b"from functools import partial\nimport functools\nimport torch\n\
try:\n    from huggingface_hub import hf_hub_download\n    hf_hub_download = partial(hf_hub_download, library_name='x')\n\
except ImportError:\n    hf_hub_download = None\n\ndef get(repo):\n    return hf_hub_download(repo, 'model.safetensors')\n\n\
load = functools.partial(torch.load, map_location='cpu')\nm = load('w.pt')\n\
fixed = partial(torch.load, 'a.pt')\nn = fixed()\nnothing = None\nnothing('b.pt')\n";
        let r = crate::analyze_file("opt.py", schemas::FileKind::Python, src, &crate::Catalog::embedded().unwrap());
        let found: Vec<(u32, &str, Option<&str>)> = r
            .usages
            .iter()
            .map(|u| match u.location {
                Location::Line(l) => (l, u.rule.as_str(), u.model.as_deref()),
                _ => (0, "", None),
            })
            .collect();
        // Not the partial that binds a positional argument (its call's
        // arguments would be read at the wrong places), nor a call of None.
        assert_eq!(found, vec![(11, "HF008", None), (14, "PT001", Some("w.pt"))]);
    }

    #[test]
    fn click_defaults_name_the_model_of_the_decorated_command_only() {
        let src = b"import click\nfrom transformers import AutoModel\n\nclass Cli:\n    @click.command()\n    @click.option('--model-name', default='gpt2')\n    def main(model_name):\n        return AutoModel.from_pretrained(model_name)\n\ndef other(model_name):\n    return AutoModel.from_pretrained(model_name)\n\nf = lambda model_name: AutoModel.from_pretrained(model_name)\n";
        let r = crate::analyze_file("cli.py", schemas::FileKind::Python, src, &crate::Catalog::embedded().unwrap());
        let models: Vec<(u32, Option<&str>)> = r
            .usages
            .iter()
            .map(|u| match u.location {
                Location::Line(l) => (l, u.model.as_deref()),
                _ => (0, None),
            })
            .collect();
        assert_eq!(models, vec![(8, Some("gpt2")), (11, None), (13, None)]);
    }

    #[test]
    fn the_import_scans_read_only_lines_with_import_and_miss_nothing() {
        // Against the regexes run over the whole text.
        let pkg = package_of("app/api/routes.py");
        let text =
            "import os.path as p, json\r\n  from ..llm import (client,\n    MODEL)\nx = 1; import y\nfrom . import deps # c\n\
                    importlib.reload(m)\nfrom  import q\nfrom x import *\n\timport a ,b as c, 1d\nimport\n\
                    s = 'import z'\nfrom .a.b import c as d, e\nimport été\nfrom data import (\n";
        let by_regex = |text: &str| {
            let mut out = std::collections::BTreeSet::new();
            for c in import_modules_regex().captures_iter(text) {
                match (c.get(1), c.get(2), c.get(3)) {
                    (Some(m), _, _) => add_modules(&mut out, m.as_str(), None, &pkg),
                    (None, Some(m), Some(n)) => add_modules(&mut out, n.as_str(), Some(m.as_str()), &pkg),
                    _ => {}
                }
            }
            out.into_iter().collect::<Vec<_>>()
        };
        assert_eq!(quick_import_modules(text, &pkg), by_regex(text));
        // Line by line, the odd ones too.
        for line in [
            "import",
            "import ",
            "import  x",
            "import x as",
            "import x as y",
            "import x asy",
            "import x as  y ,z",
            "import x,",
            "import x, 1",
            "import x.y.z as q, r.s",
            "  import\ta\t,\tb",
            "from x import",
            "from x import ",
            "from x import  ",
            "from x import (",
            "from x import  (",
            "from x import (a, b)",
            "from x import *",
            "from x import  *",
            "from  import q",
            "from   import  q",
            "from import import x",
            "from .. import a",
            "from ..a.b import (c as d,",
            "from x importy",
            "fromx import y",
            "from x  import a # c",
            "from x import a\\",
            "from a.import import b",
            "import été",
            "from été import x",
            "from x import été, b",
            "importlib.x",
        ] {
            assert_eq!(quick_import_modules(line, &pkg), by_regex(line), "{line:?}");
        }
        let got = quick_import_modules(text, &pkg);
        for m in ["os.path", "json", "app.llm.client", "app.api.deps", "a", "b", "app.api.a.b.e"] {
            assert!(got.iter().any(|g| g == m), "{m} in {got:?}");
        }
        assert_eq!(quick_imports(text), {
            let re = regex::Regex::new(r"(?m)^[ \t]*(?:import[ \t]+([A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*)|from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b)").unwrap();
            let mut out = std::collections::BTreeSet::new();
            for c in re.captures_iter(text) {
                let names = c.get(1).or_else(|| c.get(2)).map(|m| m.as_str()).unwrap_or("");
                for n in names.split(',') {
                    if let Some(root) = n.trim().split('.').next().filter(|r| !r.is_empty()) {
                        out.insert(root.to_string());
                    }
                }
            }
            out.into_iter().collect::<Vec<_>>()
        });
    }

    #[test]
    fn quick_import_modules_resolve_relative_imports() {
        let pkg = package_of("app/api/routes.py");
        let t = "import os.path as p, json\nfrom ..llm import client, MODEL\nfrom . import deps\nfrom x.y import (a, b)\n";
        assert_eq!(
            quick_import_modules(t, &pkg),
            vec![
                "app.api",
                "app.api.deps",
                "app.llm",
                "app.llm.MODEL",
                "app.llm.client",
                "json",
                "os.path",
                "x.y",
                "x.y.a",
                "x.y.b"
            ]
        );
    }

    #[test]
    fn quick_imports_find_top_level_modules() {
        let t = "import os, torch.nn as nn\nfrom sklearn.svm import SVC\n  import numpy\nfrom . import x\n# import fake\n";
        assert_eq!(quick_imports(t), vec!["numpy", "os", "sklearn", "torch"]);
    }

    #[test]
    fn relative_imports_resolve_against_the_package() {
        let pkg = package_of("textkit/nlp/service.py");
        assert_eq!(pkg, vec!["textkit", "nlp"]);
        assert_eq!(absolute_module(&pkg, ".models"), "textkit.nlp.models");
        assert_eq!(absolute_module(&pkg, "..models"), "textkit.models");
        assert_eq!(absolute_module(&pkg, "."), "textkit.nlp");
        assert_eq!(absolute_module(&pkg, "...x"), "x");
        assert_eq!(absolute_module(&package_of("top.py"), ".x"), "x");
        assert_eq!(absolute_module(&package_of("top.py"), "..x"), "..x");
        // below a folder that cannot be a module name
        let pkg = package_of("transformers-4.46.3/src/transformers/models/bert/modeling_bert.py");
        assert_eq!(pkg, vec!["src", "transformers", "models", "bert"]);
        assert_eq!(absolute_module(&pkg, "...utils"), "src.transformers.utils");
        assert_eq!(package_of("my-app/x.py"), Vec::<String>::new());
    }

    #[test]
    fn a_repository_module_never_matches_a_library_rule() {
        let c = Catalog::embedded().expect("catalog");
        let src = b"from .torch import load\nload('x.pt')\nfrom . import joblib\njoblib.load('m.pkl')\n";
        let f = analyze_module(src, "app/main.py", &c);
        assert!(f.usages.is_empty(), "{:?}", f.usages);
        // At the root, `from . import torch` would name a top-level module
        // `torch` of the repository itself; it stays unresolved.
        let f = analyze_module(b"from .. import torch\ntorch.load('x.pt')\n", "main.py", &c);
        assert!(f.usages.is_empty(), "{:?}", f.usages);
    }
}
