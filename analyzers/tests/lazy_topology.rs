//! Tracing only the files that load something, then the deferred files the
//! demand asks for (`topology::deferred_wanted`), gives the same repository
//! topology as tracing every file: on the demo corpus, the topology fixtures
//! and the rule fixtures. So does the pipeline's order: the files with a
//! rule's words first, then the rest, within each a module after those it
//! imports (`link::analysis_order`), each traced at once when what the
//! files before it offer wants it (`RepoContext::demand`,
//! `topology::SharedDemand`).

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

#[derive(Clone, Copy, PartialEq)]
enum Order {
    /// Every file traced.
    Every,
    /// Files that load nothing deferred; the wanted ones parsed again.
    Lazy,
    /// As `Lazy`, the files with a rule's words first, each traced at once
    /// when what the files before it offer wants it.
    WordsFirst,
}

/// The topology, how many files were deferred, how many of those were
/// parsed again, and how many were traced at once.
fn analyse(files: &[(String, Vec<u8>)], cat: &Catalog, order: Order) -> (analyzers::topology::RepoTopology, usize, usize, usize) {
    // One byte scan of the files, as the pipeline's first pass, for the
    // context, the two groups and the order within each: a module after
    // those it imports, each file's keys and re-exports added to the demand
    // once it is done (`SharedDemand`).
    let scans = analyzers::link::scan_sources(files, cat);
    let graph = analyzers::link::import_graph(&scans);
    let mut ctx = RepoContext::build(&scans, &graph);
    ctx.prefilter = false;
    ctx.lazy_topology = order != Order::Every;
    let run = |ctx: &RepoContext, (p, b): &(String, Vec<u8>)| {
        analyzers::analyze_repo_file(p, analyzers::classify_path(p).expect("python"), b, cat, ctx)
    };
    let first: Vec<bool> = scans.iter().map(|(_, s)| order != Order::WordsFirst || s.words).collect();
    let ordered = analyzers::link::analysis_order(&scans, &graph);
    let mut facts: Vec<Option<analyzers::FileFacts>> = files.iter().map(|_| None).collect();
    let mut at_once = 0;
    if order == Order::WordsFirst {
        ctx.demand = Some(std::sync::Arc::new(analyzers::topology::SharedDemand::new(analyzers::topology::Demand::with_roots(
            ctx.roots.clone(),
        ))));
    }
    for phase in [true, false] {
        for &i in ordered.iter().filter(|&&i| first[i] == phase) {
            let got = run(&ctx, &files[i]);
            if let Some(d) = &ctx.demand {
                d.add(&got);
            }
            at_once += usize::from(!got.topology_deferred && got.pending.is_empty() && got.report.usages.is_empty());
            facts[i] = Some(got);
        }
    }
    let mut facts: Vec<analyzers::FileFacts> = facts.into_iter().map(|f| f.expect("analysed")).collect();
    let deferred = facts.iter().filter(|f| f.topology_deferred).count();
    let wanted = analyzers::topology::deferred_wanted(&facts);
    let mut full = ctx.clone();
    full.lazy_topology = false;
    full.demand = None;
    for &i in &wanted {
        facts[i] = run(&full, &files[i]);
    }
    analyzers::link::link_cross_file(&mut facts, cat, &Configs::new());
    (analyzers::topology::repository(&facts), deferred, wanted.len(), at_once)
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
    let (mut deferred, mut traced, mut edges, mut at_once) = (0, 0, 0, 0);
    for repo in &repos {
        let files = python_files(repo);
        let (every, _, _, _) = analyse(&files, &cat, Order::Every);
        let (lazy, d, w, _) = analyse(&files, &cat, Order::Lazy);
        assert_eq!(every, lazy, "{}", repo.display());
        let (ordered, _, _, n) = analyse(&files, &cat, Order::WordsFirst);
        assert_eq!(every, ordered, "words first: {}", repo.display());
        deferred += d;
        traced += w;
        at_once += n;
        edges += every.edges.len();
    }
    // The comparison means something: files were deferred, some of them
    // were traced after all or at once, and the corpus has cross-file edges.
    assert!(repos.len() > 30, "{} repositories", repos.len());
    assert!(deferred > 50 && traced > 0 && traced < deferred, "deferred {deferred}, traced again {traced}");
    assert!(at_once > 0, "no file was traced at once");
    assert!(edges > 50, "{edges} edges");
}
