//! Property tests: arbitrary bytes and mutated real sources never panic the
//! analyzer, a file at a time or a repository at a time (the same steps the
//! pipeline runs). The number of cases is bounded for CI; `MINE_FUZZ_CASES=N`
//! runs more (scripts/fuzz.sh).

use analyzers::Catalog;
use proptest::prelude::*;
use schemas::FileKind;
use std::path::PathBuf;
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| Catalog::embedded().expect("catalog"))
}

/// Real sources to mutate: every Python file and notebook of the demo corpus and the rule fixtures.
fn seeds() -> &'static Vec<(String, Vec<u8>)> {
    static S: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    S.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut v = Vec::new();
        for dir in ["corpus/repos", "queries/fixtures", "corpus/topology"] {
            for e in walk(&root.join(dir)) {
                let name = e.display().to_string();
                if name.ends_with(".py")
                    || name.ends_with(".ipynb")
                    || name.ends_with("requirements.txt")
                    || name.ends_with(".toml")
                {
                    if let Ok(b) = std::fs::read(&e) {
                        v.push((name, b));
                    }
                }
            }
        }
        v.sort();
        assert!(v.len() > 100, "{} seed files", v.len());
        v
    })
}

fn walk(p: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![p.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

fn cases() -> u32 {
    std::env::var("MINE_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
}

#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Replace(usize, u8),
    Duplicate(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(p, b)| Mutation::Insert(p, b)),
        (any::<usize>(), 1usize..64).prop_map(|(p, n)| Mutation::Delete(p, n)),
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Replace(p, b)),
        (any::<usize>(), 1usize..200).prop_map(|(p, n)| Mutation::Duplicate(p, n)),
        any::<usize>().prop_map(Mutation::Truncate),
        // Syntax that stresses the analysis: brackets, quotes, keywords.
        (
            any::<usize>(),
            prop::sample::select(vec![
                &b"((((("[..],
                b")))",
                b"\"\"\"",
                b"'",
                b"\\",
                b"\ndef f(:\n",
                b" lambda x: ",
                b"\n    ",
                b"from . import *\n",
                b"@dec\n",
                b"{**",
                b"f\"{x!r}\"",
                b"\xff\xfe",
                b"\x00"
            ])
        )
            .prop_map(|(p, b)| Mutation::Insert(p, b.to_vec())),
    ]
}

fn apply(src: &[u8], muts: &[Mutation]) -> Vec<u8> {
    let mut v = src.to_vec();
    for m in muts {
        let len = v.len().max(1);
        match m {
            Mutation::Insert(p, b) => {
                let at = p % (v.len() + 1);
                v.splice(at..at, b.iter().copied());
            }
            Mutation::Delete(p, n) => {
                let at = p % len;
                let end = (at + n).min(v.len());
                if at < end {
                    v.drain(at..end);
                }
            }
            Mutation::Replace(p, b) => {
                if !v.is_empty() {
                    let at = p % v.len();
                    v[at] = *b;
                }
            }
            Mutation::Duplicate(p, n) => {
                let at = p % len;
                let end = (at + n).min(v.len());
                if at < end {
                    let chunk = v[at..end].to_vec();
                    v.splice(end..end, chunk);
                }
            }
            Mutation::Truncate(p) => v.truncate(p % len),
        }
    }
    v
}

fn kind_of(name: &str) -> FileKind {
    if name.ends_with(".ipynb") {
        FileKind::Notebook
    } else if name.ends_with(".py") {
        FileKind::Python
    } else {
        FileKind::Manifest
    }
}

/// The repository-level steps the pipeline runs after the files: cross-file links, topology, the verdict.
fn analyze_repo(files: &[(String, Vec<u8>)]) {
    let cat = catalog();
    let ctx = analyzers::link::RepoContext::from_sources(files, cat);
    let mut facts: Vec<analyzers::FileFacts> =
        files.iter().map(|(p, b)| analyzers::analyze_repo_file(p, kind_of(p), b, cat, &ctx)).collect();
    analyzers::link::link_cross_file(&mut facts, cat, &analyzers::link::Configs::new());
    let _ = analyzers::topology::repository(&facts);
    let mut reports: Vec<schemas::FileReport> = facts.into_iter().map(|f| f.report).collect();
    let _ = analyzers::link::link_repo(&mut reports, &[], cat);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        for (name, kind) in [("a.py", FileKind::Python), ("n.ipynb", FileKind::Notebook), ("requirements.txt", FileKind::Manifest),
                             ("pyproject.toml", FileKind::Manifest), ("setup.py", FileKind::Python), ("environment.yml", FileKind::Manifest)] {
            let _ = analyzers::analyze_file(name, kind, &bytes, catalog());
        }
        for name in ["c.json", "c.yaml", "c.toml", "c.ini", "c.cfg"] {
            let _ = analyzers::config::parse(name, &bytes);
        }
    }

    #[test]
    fn mutated_real_sources_never_panic(i in any::<usize>(), muts in prop::collection::vec(mutation(), 1..8)) {
        let (name, src) = &seeds()[i % seeds().len()];
        let bytes = apply(src, &muts);
        let _ = analyzers::analyze_file(name, kind_of(name), &bytes, catalog());
    }

    #[test]
    fn mutated_repositories_never_panic(picks in prop::collection::vec((any::<usize>(), prop::collection::vec(mutation(), 0..4)), 1..5)) {
        let files: Vec<(String, Vec<u8>)> = picks
            .iter()
            .enumerate()
            .map(|(k, (i, muts))| {
                let (name, src) = &seeds()[i % seeds().len()];
                let file = name.rsplit('/').next().unwrap_or(name);
                (format!("pkg{}/{file}", k % 2), apply(src, muts))
            })
            .collect();
        analyze_repo(&files);
    }
}
