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
            let src = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
            if path.rsplit('/').next() == Some("setup.py") {
                report.dependencies = manifest::parse(path, &String::from_utf8_lossy(src));
            }
            if !catalog.mentions_any_root(src) && !repo.needs_parse(path) {
                // Nothing a rule matches can be here, and no other module
                // reads this one: the imports, for the ML-enabled verdict,
                // come from a line scan instead of a parse.
                report.imports = python::quick_imports(&String::from_utf8_lossy(src));
                return facts;
            }
            let py = python::analyze_in_repo(src, path, catalog, &repo.roots);
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
        }
        FileKind::Notebook => match notebook::parse_notebook(bytes) {
            Err(e) => report.error = Some(e),
            Ok(nb) => {
                if !catalog.mentions_any_root(nb.python.as_bytes()) && !repo.needs_parse(path) {
                    report.imports = python::quick_imports(&nb.python);
                    return facts;
                }
                let py = python::analyze_in_repo(nb.python.as_bytes(), path, catalog, &repo.roots);
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
}
