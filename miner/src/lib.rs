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
