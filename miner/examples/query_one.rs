//! The issue's reference rows measured on this machine (bench/run.sh): read
//! every `.py` file under a folder, or read and parse it with
//! tree-sitter-python and run one query for `$X.from_pretrained(...)` calls,
//! with or without a keyword prefilter that skips files not holding
//! `from_pretrained`, on N threads.
//!   cargo run --release -p miner --example query_one -- read|query|prefilter DIR [JOBS]

mod common;

use rayon::prelude::*;
use std::time::Instant;
use tree_sitter::StreamingIterator;

/// The query of the issue's reference figures: the call sites semgrep's
/// `$X.from_pretrained(...)` matches.
const QUERY: &str = r#"(call function: (attribute attribute: (identifier) @m (#eq? @m "from_pretrained"))) @call"#;

fn main() {
    miner::init_allocator();
    let mut args = std::env::args().skip(1);
    let usage = "usage: query_one read|query|prefilter DIR [JOBS]";
    let mode = args.next().expect(usage);
    if !matches!(mode.as_str(), "read" | "query" | "prefilter") {
        eprintln!("query_one: unknown mode '{mode}'; {usage}");
        std::process::exit(2);
    }
    let dir = args.next().expect(usage);
    if !std::path::Path::new(&dir).is_dir() {
        eprintln!("query_one: no folder at {dir}");
        std::process::exit(2);
    }
    let jobs: usize = args.next().and_then(|j| j.parse().ok()).unwrap_or(1);
    let files = common::python_paths(&dir);
    let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
    let query = tree_sitter::Query::new(&language, QUERY).expect("the query compiles");
    let call = query.capture_index_for_name("call").expect("@call");
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build().expect("pool");
    let t0 = Instant::now();
    // (bytes read, files parsed, sites found)
    let (bytes, parsed, sites) = pool.install(|| {
        files
            .par_iter()
            .map_init(tree_sitter::QueryCursor::new, |cursor, p| {
                let src = std::fs::read(p).unwrap_or_default();
                let skip = match mode.as_str() {
                    "read" => true,
                    "prefilter" => memchr::memmem::find(&src, b"from_pretrained").is_none(),
                    _ => false,
                };
                if skip {
                    return (src.len(), 0, 0);
                }
                let Ok(tree) = analyzers::python::parse_timed(&src, Default::default()) else {
                    return (src.len(), 1, 0);
                };
                let mut n = 0;
                let mut matches = cursor.matches(&query, tree.root_node(), src.as_slice());
                while let Some(m) = matches.next() {
                    n += m.captures().iter().filter(|c| c.index == call).count();
                }
                (src.len(), 1, n)
            })
            .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2))
    });
    let s = t0.elapsed().as_secs_f64();
    println!(
        "mode {mode} files {} parsed {parsed} sites {sites} bytes {bytes} seconds {s:.3} files/s {:.0} MB/s {:.2}",
        files.len(),
        files.len() as f64 / s,
        bytes as f64 / 1e6 / s
    );
}
