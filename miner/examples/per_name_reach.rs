//! An experiment kept for the record (issue 11): could a prefilter that
//! follows imports name by name, instead of module by module, parse less?
//! For each DIR it prints the share of the Python bytes parsed by the
//! product's rule (`link::RepoContext`: catalog words, or an import of a
//! repository module, or imported by one) and by a per-name rule:
//! 1. *Loads*: a file's code holds a catalog rule's words, or it imports a
//!    **tainted** name of the repository: anything a file with loads
//!    defines, a re-export of a tainted name, a module holding such a file.
//!    A file without catalog words can only reach a load through such a name.
//! 2. *Names read*: every import of a file parsed for its loads needs the
//!    file that defines the name; a name that file only re-exports needs the
//!    file it comes from, and so on; a name it defines needs all its imports.
//!
//! and, as a floor, the files with loads alone (step 1 without step 2).
//! Import statements are read by a scan of logical lines; a file with an
//! `import` the scan cannot read counts as having loads.
//! On the 16 real applications and on the 5 sdists the per-name rule parsed
//! no less than the module rule (2026-11-27), so the product keeps the
//! module rule.
//!   cargo run --release -p miner --example per_name_reach -- DIR...

mod common;

use std::collections::{HashMap, HashSet};

use analyzers::catalog::{code_view, Catalog};
use analyzers::link::module_names;
use analyzers::python::{absolute_module, package_of, quick_import_modules};

/// One name an import statement binds.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Binding {
    /// The absolute module (relative imports resolved).
    module: String,
    /// `from module import name`; None for `import module`; `*` for a star.
    name: Option<String>,
    /// The local name bound (`a` for `import a.b`).
    bound: String,
}

/// What the prefilter knows of one file.
#[derive(Debug, Clone, Default)]
struct FileScan {
    /// A catalog rule's words are in the code.
    words: bool,
    /// Every binding of every import statement, at any depth.
    bindings: Vec<Binding>,
    /// An `import` the scan could not read: the file counts as having loads.
    opaque: bool,
    /// Names bound by a `from` import that the code also mentions outside
    /// import statements (so they may be rebound, and are not plain
    /// re-exports); with a star import, every word outside them.
    used: HashSet<String>,
}

impl FileScan {
    /// Scan a repository file's bytes: a Python source or a notebook. What
    /// cannot be decoded is scanned as it is (its parse reports the error).
    fn of_file(path: &str, bytes: &[u8], catalog: &Catalog) -> FileScan {
        if path.to_ascii_lowercase().ends_with(".ipynb") {
            let code =
                analyzers::decode_source(bytes).ok().and_then(|b| analyzers::notebook::parse_notebook(&b).ok()).map(|n| n.python);
            return FileScan::of(code.unwrap_or_default().as_bytes(), path, catalog);
        }
        match analyzers::decode_source(bytes) {
            Ok(src) => FileScan::of(&src, path, catalog),
            Err(_) => FileScan::of(bytes, path, catalog),
        }
    }

    /// Scan a decoded Python source at `path`.
    fn of(src: &[u8], path: &str, catalog: &Catalog) -> FileScan {
        let package = package_of(path);
        let code = code_view(src);
        let words = catalog.may_match(src, &package);
        let mut scan = FileScan { words, ..Default::default() };
        let spans = import_statements(&code);
        for &(a, b) in &spans {
            let ok = std::str::from_utf8(&code[a..b]).is_ok_and(|s| parse_statement(s, &package, &mut scan.bindings));
            scan.opaque |= !ok;
        }
        if scan.opaque {
            // What the line scan of the old rule finds still names modules
            // the file needs.
            for m in quick_import_modules(&String::from_utf8_lossy(src), &package) {
                scan.bindings.push(Binding { bound: m.clone(), module: m, name: None });
            }
        }
        // Which bound names the rest of the code mentions (with a star
        // import, every word: any may come from the star): one pass over its
        // words, skipping the import statements.
        let star = scan.bindings.iter().any(|b| b.name.as_deref() == Some("*"));
        let names: HashSet<&[u8]> =
            scan.bindings.iter().filter(|b| b.name.as_deref().is_some_and(|n| n != "*")).map(|b| b.bound.as_bytes()).collect();
        if star || !names.is_empty() {
            let longest = if star { usize::MAX } else { names.iter().map(|n| n.len()).max().unwrap_or(0) };
            let mut first = [star; 256];
            for n in &names {
                first[n[0] as usize] = true;
            }
            let mut span = spans.iter().peekable();
            let (n, mut i) = (code.len(), 0usize);
            while i < n {
                if !is_word_byte(code[i]) {
                    i += 1;
                    continue;
                }
                let start = i;
                while i < n && is_word_byte(code[i]) {
                    i += 1;
                }
                if !first[code[start] as usize] || i - start > longest || code[start].is_ascii_digit() {
                    continue;
                }
                while span.next_if(|&&(_, b)| b <= start).is_some() {}
                if span.peek().is_some_and(|&&(a, _)| a <= start) {
                    continue;
                }
                let w = &code[start..i];
                if star || names.contains(w) {
                    scan.used.insert(String::from_utf8_lossy(w).into_owned());
                }
            }
        }
        scan
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The spans of the logical statements that hold the word `import`, in a
/// code view (comments and docstrings blanked).
fn import_statements(code: &[u8]) -> Vec<(usize, usize)> {
    let mut hits = memchr::memmem::find_iter(code, b"import")
        .filter(|&at| {
            at.checked_sub(1).is_none_or(|i| !is_word_byte(code[i])) && code.get(at + 6).is_none_or(|&c| !is_word_byte(c))
        })
        .peekable();
    let mut out = Vec::new();
    if hits.peek().is_none() {
        return out;
    }
    static SPECIAL: std::sync::LazyLock<[bool; 256]> = std::sync::LazyLock::new(|| {
        let mut t = [false; 256];
        for b in *b"\"'()[]{}\\\n;" {
            t[b as usize] = true;
        }
        t
    });
    let n = code.len();
    let (mut i, mut start, mut depth, mut holds) = (0usize, 0usize, 0usize, false);
    while i < n {
        while i < n && !SPECIAL[code[i] as usize] {
            i += 1;
        }
        if i >= n {
            break;
        }
        match code[i] {
            q @ (b'"' | b'\'') => {
                // The word inside a string is no statement.
                while hits.next_if(|&h| h < i).is_some() {
                    holds = true;
                }
                i += 1;
                while i < n && code[i] != q && code[i] != b'\n' {
                    i += if code[i] == b'\\' { 2 } else { 1 };
                }
                while hits.next_if(|&h| h < i).is_some() {}
                if i < n && code[i] == b'\n' {
                    continue;
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'\\' => i += 1,
            b'\n' | b';' if depth == 0 => {
                while hits.next_if(|&h| h < i).is_some() {
                    holds = true;
                }
                if std::mem::take(&mut holds) {
                    out.push((start, i));
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if hits.next().is_some() || holds {
        out.push((start, n));
    }
    out
}

/// Read one statement holding `import`; false when it is not one the scan
/// understands (the caller then treats the file as opaque).
fn parse_statement(s: &str, package: &[String], out: &mut Vec<Binding>) -> bool {
    let s = s.trim_matches(|c: char| c.is_whitespace() || c == '\\');
    if let Some(rest) = keyword(s, "import") {
        return parse_import(rest, out);
    }
    if let Some(rest) = keyword(s, "from") {
        return parse_from(rest, package, out);
    }
    // `try: import x`, `if flag: from a import b`: the import after a colon.
    let compound = ["if", "elif", "else", "try", "except", "finally", "with", "while", "for"];
    if compound.iter().any(|k| keyword(s, k).is_some() || s.starts_with(&format!("{k}:"))) {
        for (at, _) in s.match_indices(':') {
            let rest = s[at + 1..].trim_start();
            if keyword(rest, "import").is_some() || keyword(rest, "from").is_some() {
                return parse_statement(rest, package, out);
            }
        }
    }
    false
}

/// `s` without its leading keyword `kw`, when it starts with that word.
fn keyword<'a>(s: &'a str, kw: &str) -> Option<&'a str> {
    let rest = s.strip_prefix(kw)?;
    match rest.chars().next() {
        Some(c) if c.is_whitespace() || c == '\\' || c == '(' || c == '.' => Some(rest),
        _ => None,
    }
}

fn is_dotted(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(is_name)
}

fn is_name(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next().is_some_and(|c| c.is_alphabetic() || c == '_') && cs.all(|c| c.is_alphanumeric() || c == '_')
}

/// The words of a clause, with line joins and brackets removed.
fn words(s: &str) -> Vec<&str> {
    s.split(|c: char| c.is_whitespace() || c == '\\').filter(|w| !w.is_empty()).collect()
}

/// `import a.b [as c], d`
fn parse_import(rest: &str, out: &mut Vec<Binding>) -> bool {
    for part in rest.split(',') {
        match words(part).as_slice() {
            [m] if is_dotted(m) => {
                out.push(Binding { module: m.to_string(), name: None, bound: m.split('.').next().unwrap_or(m).to_string() })
            }
            [m, "as", a] if is_dotted(m) && is_name(a) => {
                out.push(Binding { module: m.to_string(), name: None, bound: a.to_string() })
            }
            _ => return false,
        }
    }
    true
}

/// `from .a import (b as c, d,)`, `from a import *`
fn parse_from(rest: &str, package: &[String], out: &mut Vec<Binding>) -> bool {
    // The module runs to the keyword; tokens may stand apart (`from . x`).
    let Some(at) = rest
        .match_indices("import")
        .map(|(i, _)| i)
        .find(|&i| !rest[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') && keyword(&rest[i..], "import").is_some())
    else {
        return false;
    };
    let module: String = rest[..at].chars().filter(|c| !c.is_whitespace() && *c != '\\').collect();
    let module = module.as_str();
    let names = &rest[at + "import".len()..];
    let dots = module.chars().take_while(|&c| c == '.').count();
    if module.is_empty() || (dots < module.len() && !is_dotted(&module[dots..])) {
        return false;
    }
    let module = if dots > 0 { absolute_module(package, module) } else { module.to_string() };
    let names = names.trim_matches(|c: char| c.is_whitespace() || c == '\\');
    let names = match names.strip_prefix('(') {
        Some(inner) => match inner.strip_suffix(')') {
            Some(inner) => inner,
            None => return false,
        },
        None => names,
    };
    let parts: Vec<&str> = names.split(',').collect();
    let mut bound = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        match words(part).as_slice() {
            [] if i + 1 == parts.len() && i > 0 => {}
            ["*"] if parts.len() == 1 => bound.push(("*", "*")),
            [n] if is_name(n) => bound.push((n, n)),
            [n, "as", a] if is_name(n) && is_name(a) => bound.push((n, a)),
            _ => return false,
        }
    }
    // Above the repository root nothing can match: understood, nothing bound.
    if !module.starts_with('.') {
        out.extend(bound.into_iter().map(|(n, a)| Binding {
            module: module.clone(),
            name: Some(n.to_string()),
            bound: a.to_string(),
        }));
    }
    true
}

/// The files this rule parses: those with loads and those whose names a
/// parsed file reads; and the files with loads alone.
fn parse_set(files: &[(String, FileScan)]) -> (HashSet<String>, HashSet<String>) {
    let graph = Graph::new(files);
    let loads = graph.loads();
    let mut need = Need { graph: &graph, full: vec![false; files.len()], names: vec![HashSet::new(); files.len()] };
    for (i, _) in loads.iter().enumerate().filter(|(_, l)| **l) {
        need.full(i);
    }
    let parse = (0..files.len()).filter(|&i| need.full[i] || !need.names[i].is_empty()).map(|i| files[i].0.clone()).collect();
    let with_loads = (0..files.len()).filter(|&i| loads[i]).map(|i| files[i].0.clone()).collect();
    (parse, with_loads)
}

struct Graph<'a> {
    files: &'a [(String, FileScan)],
    /// Module name to the files that may define it (every suffix of a path).
    modules: HashMap<String, Vec<usize>>,
    /// Per file, per bound name, the bindings that bind it.
    bound: Vec<HashMap<&'a str, Vec<&'a Binding>>>,
}

impl<'a> Graph<'a> {
    fn new(files: &'a [(String, FileScan)]) -> Graph<'a> {
        let mut modules: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, (path, _)) in files.iter().enumerate() {
            for m in module_names(path) {
                modules.entry(m).or_default().push(i);
            }
        }
        let bound = files
            .iter()
            .map(|(_, s)| {
                let mut m: HashMap<&str, Vec<&Binding>> = HashMap::new();
                for b in &s.bindings {
                    m.entry(b.bound.as_str()).or_default().push(b);
                }
                m
            })
            .collect();
        Graph { files, modules, bound }
    }

    fn files_of(&self, module: &str) -> &[usize] {
        self.modules.get(module).map_or(&[], Vec::as_slice)
    }

    /// Where `name` in file `f` comes from when the file only re-exports
    /// it: bound by imports alone (a star import's module may bind it when
    /// no import names it), never mentioned elsewhere, and the file's
    /// imports all read. None when the file may define it.
    fn reexport(&self, f: usize, name: &str) -> Option<Vec<Src<'a>>> {
        let scan = &self.files[f].1;
        if scan.opaque || scan.used.contains(name) {
            return None;
        }
        let stars = self.bound[f].get("*").map_or(&[][..], Vec::as_slice);
        let named = self.bound[f].get(name).map_or(&[][..], Vec::as_slice);
        if named.is_empty() && stars.is_empty() {
            // Not bound by an import: it may be defined here.
            return None;
        }
        let mut out: Vec<Src<'a>> = named
            .iter()
            .map(|b| match b.name.as_deref() {
                Some(n) => Src::Name(&b.module, n.to_string()),
                None => Src::Module(&b.module),
            })
            .collect();
        out.extend(stars.iter().map(|b| Src::Name(&b.module, name.to_string())));
        Some(out)
    }

    /// Files that may hold a load: catalog words, an unread import, or an
    /// import of a tainted name; to the least fixpoint.
    fn loads(&self) -> Vec<bool> {
        let mut t =
            Taint { graph: self, loads: self.files.iter().map(|(_, s)| s.words || s.opaque).collect(), prefixes: HashSet::new() };
        for i in 0..self.files.len() {
            if t.loads[i] {
                t.add_prefixes(i);
            }
        }
        loop {
            let mut changed = false;
            for i in 0..self.files.len() {
                if t.loads[i] {
                    continue;
                }
                let mut seen = HashSet::new();
                let scan = &self.files[i].1;
                let tainted = scan.bindings.iter().any(|b| match (b.name.as_deref(), b.name.is_none()) {
                    (_, true) => t.module(b),
                    (Some("*"), _) => scan.used.iter().any(|w| t.name(&b.module, w, &mut seen)),
                    (Some(n), _) => t.name(&b.module, n, &mut seen),
                    (None, false) => false,
                });
                if tainted {
                    t.loads[i] = true;
                    t.add_prefixes(i);
                    changed = true;
                }
            }
            if !changed {
                return t.loads;
            }
        }
    }
}

/// Where a re-exported name comes from.
enum Src<'a> {
    /// `from module import name`, or a star import of the module.
    Name(&'a str, String),
    /// `import module as name`.
    Module(&'a str),
}

struct Taint<'g, 'a> {
    graph: &'g Graph<'a>,
    loads: Vec<bool>,
    /// Every module name, and package above it, of a file with loads.
    prefixes: HashSet<String>,
}

impl Taint<'_, '_> {
    fn add_prefixes(&mut self, i: usize) {
        for m in module_names(&self.graph.files[i].0) {
            let mut p = m.as_str();
            loop {
                self.prefixes.insert(p.to_string());
                match p.rsplit_once('.') {
                    Some((head, _)) => p = head,
                    None => break,
                }
            }
        }
    }

    /// `import a.b` binds `a`, and any module under it can be reached;
    /// `import a.b as c` reaches what is under `a.b`.
    fn module(&self, b: &Binding) -> bool {
        let root = b.module.split('.').next().unwrap_or(&b.module);
        self.prefixes.contains(if b.bound == root { root } else { b.module.as_str() })
    }

    /// Can `module.name` stand for a load, a loader or a client?
    fn name(&self, module: &str, name: &str, seen: &mut HashSet<(usize, String)>) -> bool {
        let graph = self.graph;
        if self.prefixes.contains(&format!("{module}.{name}")) {
            return true;
        }
        graph.files_of(module).iter().any(|&f| {
            if !self.loads[f] || !seen.insert((f, name.to_string())) {
                return false;
            }
            match graph.reexport(f, name) {
                Some(sources) => sources.iter().any(|s| match s {
                    Src::Name(m, n) => self.name(m, n, seen),
                    Src::Module(m) => self.prefixes.contains(*m),
                }),
                None => true,
            }
        })
    }
}

/// The closure of names read, from the files with loads.
struct Need<'g, 'a> {
    graph: &'g Graph<'a>,
    /// Every name of the file is read: all its imports are followed.
    full: Vec<bool>,
    /// Names of the file read so far (re-exports followed one by one).
    names: Vec<HashSet<String>>,
}

impl Need<'_, '_> {
    fn full(&mut self, f: usize) {
        if std::mem::replace(&mut self.full[f], true) {
            return;
        }
        let graph = self.graph;
        let scan = &graph.files[f].1;
        for b in &scan.bindings {
            match b.name.as_deref() {
                None => self.module(&b.module),
                Some("*") => {
                    for w in &scan.used {
                        self.name(&b.module, w);
                    }
                }
                Some(n) => self.name(&b.module, n),
            }
        }
    }

    fn module(&mut self, module: &str) {
        for &f in self.graph.files_of(module) {
            self.full(f);
        }
    }

    /// `module.name` is read: a submodule, or a name of the module's file.
    fn name(&mut self, module: &str, name: &str) {
        let graph = self.graph;
        self.module(&format!("{module}.{name}"));
        for &f in graph.files_of(module) {
            if self.full[f] || !self.names[f].insert(name.to_string()) {
                continue;
            }
            match graph.reexport(f, name) {
                Some(sources) => {
                    for s in sources {
                        match s {
                            Src::Name(m, n) => self.name(m, &n),
                            Src::Module(m) => self.module(m),
                        }
                    }
                }
                None => self.full(f),
            }
        }
    }
}

fn main() {
    common::each_folder("per_name_reach", measure, print);
}

fn print(what: &str, r: &[usize; 4]) {
    let pct = |x: usize| 100.0 * x as f64 / r[0].max(1) as f64;
    println!(
        "{what}: {:.1} MB of Python; parsed by the module rule {:.1}%, by the per-name rule {:.1}%, files with loads alone {:.1}%",
        r[0] as f64 / 1e6,
        pct(r[1]),
        pct(r[2]),
        pct(r[3])
    );
}

/// [bytes, parsed by the module rule, by the per-name rule, with loads]
fn measure(dir: &str, catalog: &Catalog) -> [usize; 4] {
    let files = common::python_files(dir);
    let module_rule = analyzers::link::RepoContext::from_sources(&files, catalog);
    let scans: Vec<(String, FileScan)> = files.iter().map(|(p, b)| (p.clone(), FileScan::of_file(p, b, catalog))).collect();
    let (per_name, with_loads) = parse_set(&scans);
    let mut r = [0usize; 4];
    for (p, b) in &files {
        r[0] += b.len();
        if module_rule.needs_parse(p) {
            r[1] += b.len();
        }
        if per_name.contains(p) {
            r[2] += b.len();
        }
        if with_loads.contains(p) {
            r[3] += b.len();
        }
    }
    r
}
