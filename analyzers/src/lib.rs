//! Pure analysis: bytes in, facts out. No network, no database, no file
//! system access beyond what the caller hands in.

pub mod catalog;
pub mod link;
pub mod manifest;
pub mod modelid;
pub mod notebook;
pub mod python;
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

/// Analyse one file's bytes.
pub fn analyze_file(path: &str, kind: FileKind, bytes: &[u8], catalog: &Catalog) -> FileReport {
    let mut report = FileReport {
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
            if !catalog.mentions_any_root(src) {
                // Nothing a rule matches can be here: the imports, for the
                // ML-enabled verdict, come from a line scan instead of a parse.
                report.imports = python::quick_imports(&String::from_utf8_lossy(src));
                return report;
            }
            let facts = python::analyze_module(src, path, catalog);
            report.syntax_errors = facts.syntax_errors;
            report.usages = facts.usages;
            report.imports = facts.imported_roots;
        }
        FileKind::Notebook => match notebook::parse_notebook(bytes) {
            Err(e) => report.error = Some(e),
            Ok(nb) => {
                if !catalog.mentions_any_root(nb.python.as_bytes()) {
                    report.imports = python::quick_imports(&nb.python);
                    return report;
                }
                let facts = python::analyze_module(nb.python.as_bytes(), path, catalog);
                report.syntax_errors = facts.syntax_errors;
                report.imports = facts.imported_roots;
                for mut u in facts.usages {
                    if let Location::Line(l) = u.location {
                        if let Some((cell, line)) = nb.location(l) {
                            u.location = Location::Cell { cell, line };
                            report.usages.push(u);
                        }
                    }
                }
            }
        },
    }
    report.usages.sort_by_key(|u| (u.location, u.column));
    report
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
