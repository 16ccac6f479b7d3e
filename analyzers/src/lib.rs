//! Pure analysis: bytes in, facts out. No network, no database, no file
//! system access beyond what the caller hands in.

pub mod catalog;
pub mod config;
pub mod flows;
pub mod link;
pub mod manifest;
pub mod modelid;
pub mod notebook;
pub mod python;
mod syntax;
pub mod topology;
pub mod usage;

use schemas::{FileKind, FileReport, Location};

pub use catalog::Catalog;

/// What kind of file a repository path is, or None when it is not mined.
pub fn classify_path(path: &str) -> Option<FileKind> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".py") || lower.ends_with(".pyw") {
        return Some(FileKind::Python);
    }
    if lower.ends_with(".ipynb") {
        return Some(FileKind::Notebook);
    }
    let in_req_dir = path.split('/').rev().nth(1).is_some_and(|d| d.eq_ignore_ascii_case("requirements"));
    let manifest = (lower.starts_with("requirements") && (lower.ends_with(".txt") || lower.ends_with(".in")))
        || (in_req_dir && lower.ends_with(".txt"))
        || matches!(
            lower.as_str(),
            "pyproject.toml" | "setup.cfg" | "environment.yml" | "environment.yaml" | "pipfile" | "conda.yml" | "conda.yaml"
        );
    manifest.then_some(FileKind::Manifest)
}

/// What analysing one file of a repository produced: its report, and the
/// facts the repository-level link step needs.
#[derive(Debug, Default)]
pub struct FileFacts {
    pub report: FileReport,
    pub pending: Vec<usage::PendingCall>,
    /// (index into `report.usages`, repository name its model is imported from)
    pub pending_models: Vec<(usize, usage::PendingValue)>,
    pub exports: Vec<(String, usage::Export)>,
    /// How the file's models are wired (endpoints index `report.usages`, or
    /// `foreign` at `topology::FOREIGN` and above).
    pub edges: Vec<topology::FileEdge>,
    pub foreign: Vec<String>,
    /// Models this file offers other modules: (name, or `name()` for a
    /// function returning one; usage index).
    pub model_exports: Vec<(String, usize)>,
    /// What the file's module-level functions do with its models.
    pub summaries: Vec<topology::FuncSummary>,
    /// Calls of other modules' functions, with each argument's origins.
    pub foreign_calls: Vec<topology::ForeignCall>,
    /// The topology of this file, which loads nothing, was not traced
    /// (`link::RepoContext::lazy_topology`).
    pub topology_deferred: bool,
    /// With `topology_deferred`: what its code can name of the repository's
    /// modules, for `topology::Demand::wants`.
    pub foreign_refs: Vec<String>,
}

impl FileFacts {
    /// Sort the usages by location, keeping every index into them right.
    pub fn sort_usages(&mut self) {
        let mut order: Vec<usize> = (0..self.report.usages.len()).collect();
        order.sort_by_key(|&i| (self.report.usages[i].location, self.report.usages[i].column));
        let mut new_index = vec![0; order.len()];
        for (new, &old) in order.iter().enumerate() {
            new_index[old] = new;
        }
        let mut usages: Vec<Option<schemas::ModelUsage>> =
            std::mem::take(&mut self.report.usages).into_iter().map(Some).collect();
        self.report.usages = order.iter().filter_map(|&i| usages[i].take()).collect();
        for (i, _) in self.pending_models.iter_mut() {
            *i = new_index[*i];
        }
        self.remap_models(|m| if m < topology::PENDING { Some(new_index[m]) } else { Some(m) });
    }

    /// Rewrite every model index of the file's topology facts (edges,
    /// exports, summaries, foreign-call arguments); `None` drops the entry.
    /// Foreign and parameter ids are left alone.
    pub fn remap_models(&mut self, f: impl Fn(usize) -> Option<usize>) {
        let g = |m: usize| if m < topology::FOREIGN { f(m) } else { Some(m) };
        self.edges = std::mem::take(&mut self.edges)
            .into_iter()
            .filter_map(|mut e| {
                e.from = g(e.from)?;
                e.to = g(e.to)?;
                Some(e)
            })
            .collect();
        self.model_exports = std::mem::take(&mut self.model_exports).into_iter().filter_map(|(n, i)| Some((n, g(i)?))).collect();
        for s in self.summaries.iter_mut() {
            s.feeds = std::mem::take(&mut s.feeds).into_iter().filter_map(|(p, m)| Some((p, g(m)?))).collect();
            s.returns = std::mem::take(&mut s.returns).into_iter().filter_map(g).collect();
        }
        for c in self.foreign_calls.iter_mut() {
            for o in c.args.iter_mut().chain(c.kwargs.iter_mut().map(|(_, o)| o)) {
                *o = std::mem::take(o).into_iter().filter_map(g).collect();
            }
        }
    }
}

/// Source text as UTF-8: a UTF-8 byte-order mark dropped, UTF-16 (with its
/// byte-order mark) transcoded, and a Latin-1 / Windows-1252 file that says so
/// in a PEP 263 coding line decoded. Anything else is returned as it is
/// (tree-sitter parses bytes; invalid sequences stay in place). `Err` when a
/// UTF-16 file has an odd length.
pub fn decode_source(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, String> {
    use std::borrow::Cow;
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        return Ok(Cow::Borrowed(rest));
    }
    let utf16 = |rest: &[u8], le: bool| -> Result<Cow<'_, [u8]>, String> {
        if !rest.len().is_multiple_of(2) {
            return Err("UTF-16 text with an odd number of bytes".into());
        }
        let units =
            rest.chunks_exact(2).map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) });
        Ok(Cow::Owned(char::decode_utf16(units).map(|r| r.unwrap_or('\u{fffd}')).collect::<String>().into_bytes()))
    };
    if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        return utf16(rest, false);
    }
    if std::str::from_utf8(bytes).is_err() {
        let head: Vec<&[u8]> = bytes.split(|b| *b == b'\n').take(2).collect();
        let latin = head.iter().any(|l| {
            let l = String::from_utf8_lossy(l).to_ascii_lowercase();
            l.trim_start().starts_with('#')
                && l.contains("coding")
                && ["latin-1", "latin1", "iso-8859-1", "iso8859-1", "cp1252", "windows-1252", "iso-8859-15"]
                    .iter()
                    .any(|c| l.contains(c))
        });
        if latin {
            return Ok(Cow::Owned(bytes.iter().map(|&b| b as char).collect::<String>().into_bytes()));
        }
    }
    Ok(Cow::Borrowed(bytes))
}

/// A file's source as a string: `decode_source`, then any invalid UTF-8
/// replaced. UTF-8 as read is moved, not copied.
pub fn source_text(bytes: Vec<u8>) -> String {
    use std::borrow::Cow;
    let decoded = match decode_source(&bytes) {
        Ok(Cow::Borrowed(b)) if b.len() == bytes.len() => None,
        Ok(b) => Some(String::from_utf8_lossy(&b).into_owned()),
        Err(_) => Some(String::new()),
    };
    decoded.unwrap_or_else(|| String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Analyse one file's bytes on its own.
pub fn analyze_file(path: &str, kind: FileKind, bytes: &[u8], catalog: &Catalog) -> FileReport {
    analyze_repo_file(path, kind, bytes, catalog, &link::RepoContext::default()).report
}

/// Analyse one file of a repository whose modules `repo` describes.
pub fn analyze_repo_file(path: &str, kind: FileKind, bytes: &[u8], catalog: &Catalog, repo: &link::RepoContext) -> FileFacts {
    let mut facts = FileFacts::default();
    let report = &mut facts.report;
    *report = FileReport {
        path: path.to_string(),
        kind,
        bytes: bytes.len() as u64,
        syntax_errors: false,
        error: None,
        usages: Vec::new(),
        dependencies: Vec::new(),
        imports: Vec::new(),
    };
    match kind {
        FileKind::Manifest => report.dependencies = manifest::parse(path, &String::from_utf8_lossy(bytes)),
        FileKind::Python => {
            let decoded = match decode_source(bytes) {
                Ok(d) => d,
                Err(e) => {
                    report.error = Some(e);
                    return facts;
                }
            };
            let src: &[u8] = &decoded;
            if path.rsplit('/').next() == Some("setup.py") {
                report.dependencies = manifest::parse(path, &String::from_utf8_lossy(src));
            }
            if repo.prefilter && !repo.needs_parse(path) {
                // Nothing a rule matches can be here (`link::ByteScan`), and
                // no other module reads this one: the imports, for the
                // ML-enabled verdict, come from a line scan instead of a parse.
                report.imports = python::quick_imports(&String::from_utf8_lossy(src));
                return facts;
            }
            let py = python::analyze_in_repo(src, path, catalog, &repo.roots, repo.lazy_topology, repo.demand.as_deref());
            report.syntax_errors = py.syntax_errors;
            report.error = py.error;
            report.usages = py.usages;
            report.imports = py.imported_roots;
            facts.pending = py.pending;
            facts.pending_models = py.pending_models;
            facts.exports = py.exports;
            facts.edges = py.edges;
            facts.foreign = py.foreign;
            facts.model_exports = py.model_exports;
            facts.summaries = py.summaries;
            facts.foreign_calls = py.foreign_calls;
            facts.topology_deferred = py.topology_deferred;
            facts.foreign_refs = py.foreign_refs;
        }
        FileKind::Notebook => match decode_source(bytes).and_then(|b| notebook::parse_notebook(&b)) {
            Err(e) => report.error = Some(e),
            Ok(nb) => {
                if repo.prefilter && !repo.needs_parse(path) {
                    report.imports = python::quick_imports(&nb.python);
                    return facts;
                }
                let py = python::analyze_in_repo(
                    nb.python.as_bytes(),
                    path,
                    catalog,
                    &repo.roots,
                    repo.lazy_topology,
                    repo.demand.as_deref(),
                );
                report.syntax_errors = py.syntax_errors;
                report.error = py.error;
                report.imports = py.imported_roots;
                let cell_of = |loc: Location| match loc {
                    Location::Line(l) => nb.location(l).map(|(cell, line)| Location::Cell { cell, line }),
                    other => Some(other),
                };
                let mut kept = std::collections::HashMap::new();
                for (i, mut u) in py.usages.into_iter().enumerate() {
                    if let Some(loc) = cell_of(u.location) {
                        u.location = loc;
                        kept.insert(i, report.usages.len());
                        report.usages.push(u);
                    }
                }
                facts.pending_models = py.pending_models.into_iter().filter_map(|(i, r)| kept.get(&i).map(|j| (*j, r))).collect();
                facts.foreign = py.foreign;
                facts.topology_deferred = py.topology_deferred;
                facts.foreign_refs = py.foreign_refs;
                let keep = |i: usize| if i >= topology::FOREIGN { Some(i) } else { kept.get(&i).copied() };
                facts.edges = py
                    .edges
                    .into_iter()
                    .filter_map(|mut e| {
                        e.from = keep(e.from)?;
                        e.to = keep(e.to)?;
                        e.at = cell_of(e.at)?;
                        Some(e)
                    })
                    .collect();
                facts.pending = py
                    .pending
                    .into_iter()
                    .filter_map(|mut p| {
                        p.site.location = cell_of(p.site.location)?;
                        Some(p)
                    })
                    .collect();
            }
        },
    }
    facts.sort_usages();
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_paths() {
        assert_eq!(classify_path("src/app.py"), Some(FileKind::Python));
        assert_eq!(classify_path("nb/Explore.IPYNB"), Some(FileKind::Notebook));
        assert_eq!(classify_path("requirements-dev.txt"), Some(FileKind::Manifest));
        assert_eq!(classify_path("requirements/base.txt"), Some(FileKind::Manifest));
        assert_eq!(classify_path("pyproject.toml"), Some(FileKind::Manifest));
        assert_eq!(classify_path("Pipfile"), Some(FileKind::Manifest));
        assert_eq!(classify_path("README.md"), None);
        assert_eq!(classify_path("notes.txt"), None);
    }

    #[test]
    fn sources_in_other_encodings_are_decoded_or_reported() {
        let cat = Catalog::embedded().unwrap();
        let py = "from transformers import AutoModel\nm = AutoModel.from_pretrained(\"bert-base-uncased\")\n";
        let mut le = vec![0xff, 0xfe];
        le.extend(py.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let mut be = vec![0xfe, 0xff];
        be.extend(py.encode_utf16().flat_map(|u| u.to_be_bytes()));
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend_from_slice(py.as_bytes());
        for (what, bytes) in [("utf-16le", le.clone()), ("utf-16be", be), ("utf-8 bom", bom)] {
            let r = analyze_file("m.py", FileKind::Python, &bytes, &cat);
            assert_eq!(r.usages.len(), 1, "{what}: {r:?}");
            assert_eq!(r.usages[0].model.as_deref(), Some("bert-base-uncased"), "{what}");
        }
        // Latin-1 that says so: the string decodes to the right text.
        let latin = b"# -*- coding: latin-1 -*-\nfrom transformers import AutoModel\nm = AutoModel.from_pretrained(\"caf\xe9/mod\xe8le\")\n";
        let r = analyze_file("l.py", FileKind::Python, latin, &cat);
        assert_eq!(r.usages[0].model.as_deref(), Some("caf\u{e9}/mod\u{e8}le"));
        // A UTF-16 notebook parses; a UTF-16 file cut in half is reported.
        let nb = r#"{"cells":[{"cell_type":"code","source":["import torch\n","m = torch.load('w.pt', weights_only=True)\n"]}],"metadata":{},"nbformat":4,"nbformat_minor":5}"#;
        let mut nb16 = vec![0xff, 0xfe];
        nb16.extend(nb.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let r = analyze_file("n.ipynb", FileKind::Notebook, &nb16, &cat);
        assert!(r.error.is_none() && r.usages.len() == 1, "{r:?}");
        let r = analyze_file("odd.py", FileKind::Python, &le[..le.len() - 1], &cat);
        assert_eq!(r.error.as_deref(), Some("UTF-16 text with an odd number of bytes"));
    }
}
