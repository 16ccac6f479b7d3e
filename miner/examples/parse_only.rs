//! The benchmark's floor and the issue's reference rows (bench/run.sh): over
//! every `.py` file under a folder, on N threads, one of
//!   parse      read and parse with tree-sitter-python, nothing else (the
//!              floor: no walk of the tree);
//!   read       read only;
//!   query      parse and run one query for `$X.from_pretrained(...)` calls;
//!   prefilter  the same, skipping the files that do not hold `from_pretrained`.
//!   cargo run --release -p miner --example parse_only -- DIR [JOBS] [MODE]

mod common;

use rayon::prelude::*;
use std::time::Instant;
use tree_sitter::StreamingIterator;

/// The query of the issue's reference figures: the call sites semgrep's
/// `$X.from_pretrained(...)` matches.
const QUERY: &str = r#"(call function: (attribute attribute: (identifier) @m (#eq? @m "from_pretrained"))) @call"#;

fn main() {
    miner::init_allocator();
    let usage = "usage: parse_only DIR [JOBS] [parse|read|query|prefilter]";
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect(usage);
    let jobs: usize = args.next().and_then(|j| j.parse().ok()).unwrap_or(1);
    let mode = args.next().unwrap_or_else(|| "parse".to_string());
    if !matches!(mode.as_str(), "parse" | "read" | "query" | "prefilter") {
        eprintln!("parse_only: unknown mode '{mode}'; {usage}");
        std::process::exit(2);
    }
    if !std::path::Path::new(&dir).is_dir() {
        eprintln!("parse_only: no folder at {dir}");
        std::process::exit(2);
    }
    let files = common::python_paths(&dir);
    // Compiled only for the modes that run it: the floor does nothing else.
    let query = matches!(mode.as_str(), "query" | "prefilter").then(|| {
        let q = tree_sitter::Query::new(&tree_sitter_python::LANGUAGE.into(), QUERY).expect("the query compiles");
        let call = q.capture_index_for_name("call").expect("@call");
        (q, call)
    });
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build().expect("pool");
    let t0 = Instant::now();
    // (bytes read, files parsed, syntax nodes, sites found)
    let (bytes, parsed, nodes, sites) = pool.install(|| {
        files
            .par_iter()
            .map_init(
                || None::<tree_sitter::QueryCursor>,
                |cursor, p| {
                    let src = std::fs::read(p).unwrap_or_default();
                    let skip = match mode.as_str() {
                        "read" => true,
                        "prefilter" => memchr::memmem::find(&src, b"from_pretrained").is_none(),
                        _ => false,
                    };
                    if skip {
                        return (src.len(), 0, 0, 0);
                    }
                    let Ok(tree) = analyzers::python::parse_timed(&src, Default::default()) else {
                        return (src.len(), 1, 0, 0);
                    };
                    let mut n = 0;
                    if let Some((query, call)) = &query {
                        let cursor = cursor.get_or_insert_with(tree_sitter::QueryCursor::new);
                        let mut matches = cursor.matches(query, tree.root_node(), src.as_slice());
                        while let Some(m) = matches.next() {
                            n += m.captures().iter().filter(|c| c.index == *call).count();
                        }
                    }
                    (src.len(), 1, tree.root_node().descendant_count(), n)
                },
            )
            .reduce(|| (0, 0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2, a.3 + b.3))
    });
    let s = t0.elapsed().as_secs_f64();
    println!(
        "mode {mode} files {} parsed {parsed} nodes {nodes} sites {sites} bytes {bytes} seconds {s:.3} files/s {:.0} MB/s {:.2}",
        files.len(),
        files.len() as f64 / s,
        bytes as f64 / 1e6 / s
    );
}
