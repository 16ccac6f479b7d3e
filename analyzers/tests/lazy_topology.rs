//! Tracing only the files that load something, then the deferred files the
//! demand asks for (`topology::deferred_wanted`), gives the same repository
//! topology as tracing every file: on the demo corpus, the topology fixtures
//! and the rule fixtures.

use analyzers::catalog::Catalog;
use analyzers::link::{Configs, RepoContext};
use std::path::{Path, PathBuf};

fn python_files(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "py"))
        .map(|e| {
            let rel = e.path().strip_prefix(root).expect("under root").to_string_lossy().replace('\\', "/");
            (rel, std::fs::read(e.path()).expect("read"))
        })
        .collect();
    out.sort();
    out
}

fn analyse(files: &[(String, Vec<u8>)], cat: &Catalog, lazy: bool) -> (analyzers::topology::RepoTopology, usize, usize) {
    let mut ctx = RepoContext::from_sources(files);
    ctx.prefilter = false;
    ctx.lazy_topology = lazy;
    let run = |ctx: &RepoContext, (p, b): &(String, Vec<u8>)| {
        analyzers::analyze_repo_file(p, analyzers::classify_path(p).expect("python"), b, cat, ctx)
    };
    let mut facts: Vec<analyzers::FileFacts> = files.iter().map(|f| run(&ctx, f)).collect();
    let deferred = facts.iter().filter(|f| f.topology_deferred).count();
    let wanted = analyzers::topology::deferred_wanted(&facts);
    let mut full = ctx.clone();
    full.lazy_topology = false;
    for &i in &wanted {
        facts[i] = run(&full, &files[i]);
    }
    analyzers::link::link_cross_file(&mut facts, cat, &Configs::new());
    (analyzers::topology::repository(&facts), deferred, wanted.len())
}

#[test]
fn lazy_topology_equals_tracing_every_file() {
    let cat = Catalog::embedded().expect("catalog");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus");
    let mut repos: Vec<PathBuf> = Vec::new();
    for group in ["repos", "topology"] {
        for e in std::fs::read_dir(root.join(group)).expect("corpus group").flatten() {
            if e.path().is_dir() {
                repos.push(e.path());
            }
        }
    }
    repos.push(root.join("../queries/fixtures"));
    repos.sort();
    let (mut deferred, mut traced, mut edges) = (0, 0, 0);
    for repo in &repos {
        let files = python_files(repo);
        let (every, _, _) = analyse(&files, &cat, false);
        let (lazy, d, w) = analyse(&files, &cat, true);
        assert_eq!(every, lazy, "{}", repo.display());
        deferred += d;
        traced += w;
        edges += every.edges.len();
    }
    // The comparison means something: files were deferred, some of them
    // were traced after all, and the corpus has cross-file edges.
    assert!(repos.len() > 30, "{} repositories", repos.len());
    assert!(deferred > 50 && traced > 0 && traced < deferred, "deferred {deferred}, traced again {traced}");
    assert!(edges > 50, "{edges} edges");
}
