//! `mine`: the command-line tool and its library — sources, fetch, walk,
//! the parallel pipeline, the SQLite store and the exporters. Analysis lives
//! in the `analyzers` crate; shared types in `schemas`.

pub mod cli;
pub mod error;
pub mod eval;
pub mod export;
pub mod fetch;
pub mod merge;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod shard;
pub mod source;
pub mod store;
pub mod study;
pub mod summary;
pub mod walk;

pub use error::MineError;
pub mod github;
pub mod labels;

/// tree-sitter's C allocations (parse trees are built and freed node by
/// node) go to mimalloc instead of the C library's malloc: 8% less time per
/// run on the benchmark corpus (issue 11). The tool's own allocations stay
/// with the system allocator, which measured no slower for them. Call once,
/// before any parser exists: `main` and the benchmark's parse floor do.
pub fn init_allocator() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // The one unsafe block of the workspace: tree-sitter requires that the
    // four functions come from one allocator and are installed before any
    // tree-sitter object is made, which the `Once` at the start of `main` ensures.
    #[allow(unsafe_code)]
    ONCE.call_once(|| unsafe {
        tree_sitter::set_allocator(Some(tree_sitter::Allocator {
            malloc: libmimalloc_sys::mi_malloc,
            calloc: libmimalloc_sys::mi_calloc,
            realloc: libmimalloc_sys::mi_realloc,
            free: libmimalloc_sys::mi_free,
        }))
    });
}
