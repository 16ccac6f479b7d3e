//! How much of a folder's Python the prefilter lets through (bench/run.sh):
//! the bytes whose code holds a rule's root and final name as whole words,
//! and the bytes a default `mine --path` parses, which adds every file that
//! imports a module of the repository or is imported by one (a call through
//! it may be a load; its names may be a model). Then, with every file
//! analysed in the pipeline's order (the files with a rule's words first,
//! and within each, a module after those it imports: `link::analysis_order`),
//! how many files load nothing, how many of those were traced at once
//! because what the files done before offered already wanted them
//! (`topology::SharedDemand`), and how many the demand wanted only at the
//! end, so that they are parsed a second time (`topology::deferred_wanted`).
//! Each DIR is one repository; with several, the last line sums them.
//!   cargo run --release -p miner --example prefilter_reach -- DIR...

mod common;

use rayon::prelude::*;

fn main() {
    common::each_folder("prefilter_reach", reach, print);
}

fn print(what: &str, r: &[usize; 9]) {
    let [files, total, n_words, words, n_parsed, parsed, nothing, at_once, again] = *r;
    let pct = |x: usize| 100.0 * x as f64 / total.max(1) as f64;
    println!(
        "{what}: {files} .py files, {:.1} MB; a rule's words in the code: {n_words} files, {:.1}% of bytes; parsed by default: {n_parsed} files, {:.1}% of bytes; {nothing} files load nothing: {at_once} of them traced at once, {again} parsed again to be traced",
        total as f64 / 1e6,
        pct(words),
        pct(parsed)
    );
}

/// [files, bytes, files with a rule's words, their bytes, files parsed, their
/// bytes, files that load nothing, those traced at once, those parsed again]
fn reach(dir: &str, catalog: &analyzers::catalog::Catalog) -> [usize; 9] {
    let files = common::python_files(dir);
    let scans = analyzers::link::scan_sources(&files, catalog);
    let graph = analyzers::link::import_graph(&scans);
    let ctx = analyzers::link::RepoContext::build(&scans, &graph);
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    let hits: Vec<bool> = scans.iter().map(|(_, s)| s.words).collect();
    let (mut words, mut parsed, mut n_words, mut n_parsed) = (0usize, 0usize, 0usize, 0usize);
    for ((p, b), hit) in files.iter().zip(&hits) {
        if *hit {
            words += b.len();
            n_words += 1;
        }
        if ctx.needs_parse(p) {
            parsed += b.len();
            n_parsed += 1;
        }
    }
    // As the pipeline does: the files with a rule's words first, then the
    // rest, each traced at once when what the files done before offer
    // already wants it; what is still wanted after all are parsed a second
    // time.
    let mut lazy = ctx.clone();
    lazy.prefilter = false;
    lazy.lazy_topology = true;
    let order = analyzers::link::analysis_order(&scans, &graph);
    let analyse = |ctx: &analyzers::link::RepoContext, first: bool| -> Vec<analyzers::FileFacts> {
        order
            .iter()
            .filter(|&&i| hits[i] == first)
            .par_bridge()
            .map(|&i| {
                let (p, b) = &files[i];
                let f = analyzers::analyze_repo_file(p, schemas::FileKind::Python, b, catalog, ctx);
                if let Some(d) = &ctx.demand {
                    d.add(&f);
                }
                f
            })
            .collect()
    };
    let demand = analyzers::topology::Demand::with_roots(lazy.roots.clone());
    lazy.demand = Some(std::sync::Arc::new(analyzers::topology::SharedDemand::new(demand)));
    let mut facts = analyse(&lazy, true);
    let loads_nothing =
        |f: &analyzers::FileFacts| f.pending.is_empty() && f.report.usages.iter().all(|u| u.source == schemas::Source::Aux);
    let mut at_once = facts.iter().filter(|f| loads_nothing(f) && !f.topology_deferred).count();
    let rest = analyse(&lazy, false);
    at_once += rest.iter().filter(|f| loads_nothing(f) && !f.topology_deferred).count();
    facts.extend(rest);
    let nothing = facts.iter().filter(|f| loads_nothing(f)).count();
    let again = analyzers::topology::deferred_wanted(&facts).len();
    [files.len(), total, n_words, words, n_parsed, parsed, nothing, at_once, again]
}
