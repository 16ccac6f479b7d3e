//! The benchmark's floor: read and parse every `.py` file under a folder with
//! tree-sitter-python and nothing else (no walk of the tree), on N threads
//! (bench/run.sh).
//!   cargo run --release -p miner --example parse_only -- DIR [JOBS]

mod common;

use rayon::prelude::*;
use std::time::Instant;

fn main() {
    miner::init_allocator();
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: parse_only DIR [JOBS]");
    let jobs: usize = args.next().and_then(|j| j.parse().ok()).unwrap_or(1);
    let files = common::python_paths(&dir);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build().expect("pool");
    let t0 = Instant::now();
    let (bytes, nodes) = pool.install(|| {
        files
            .par_iter()
            .map(|p| {
                let src = std::fs::read(p).unwrap_or_default();
                let n = analyzers::python::parse_timed(&src, Default::default())
                    .map(|t| t.root_node().descendant_count())
                    .unwrap_or(0);
                (src.len(), n)
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    let s = t0.elapsed().as_secs_f64();
    println!(
        "files {} bytes {} nodes {} seconds {:.3} files/s {:.0} MB/s {:.2}",
        files.len(),
        bytes,
        nodes,
        s,
        files.len() as f64 / s,
        bytes as f64 / 1e6 / s
    );
}
