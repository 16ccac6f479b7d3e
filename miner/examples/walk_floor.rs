//! What one walk over every syntax tree costs on top of the parse: the floor
//! of any analysis that visits each node once (issue 11's profile).
//! Prints the time of parse only, parse plus a cursor walk over every node,
//! and parse plus a walk over named children (the scope pass's way).
//!   cargo run --release -p miner --example walk_floor -- DIR

use std::time::Instant;

fn main() {
    miner::init_allocator();
    let dir = std::env::args().nth(1).expect("usage: walk_floor DIR");
    let files: Vec<Vec<u8>> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "py"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .collect();
    for (mode, what) in ["parse only", "parse + cursor walk", "parse + named-children walk"].iter().enumerate() {
        let t0 = Instant::now();
        let mut named = 0usize;
        for src in &files {
            let Ok(tree) = analyzers::python::parse_timed(src, Default::default()) else { continue };
            match mode {
                1 => {
                    let mut c = tree.walk();
                    'walk: loop {
                        named += usize::from(c.node().is_named());
                        if c.goto_first_child() {
                            continue;
                        }
                        while !c.goto_next_sibling() {
                            if !c.goto_parent() {
                                break 'walk;
                            }
                        }
                    }
                }
                2 => {
                    let mut cur = tree.walk();
                    let mut stack = vec![tree.root_node()];
                    while let Some(n) = stack.pop() {
                        named += 1;
                        let start = stack.len();
                        stack.extend(n.named_children(&mut cur));
                        stack[start..].reverse();
                    }
                }
                _ => {}
            }
        }
        println!("{what:<28} {:6.2} s  ({named} named nodes visited, {} files)", t0.elapsed().as_secs_f64(), files.len());
    }
}
