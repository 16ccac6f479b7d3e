//! Errors of the `mine` library. Usage errors exit with 2 and write nothing.

use std::fmt;

#[derive(Debug, thiserror::Error)]
pub enum MineError {
    /// Bad command-line input: exit 2, nothing written.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("{0}")]
    Io(String),
}

impl MineError {
    pub fn usage(msg: impl fmt::Display) -> MineError {
        MineError::Usage(msg.to_string())
    }

    /// The process exit code this error ends the run with.
    pub fn exit_code(&self) -> i32 {
        match self {
            MineError::Usage(_) => 2,
            MineError::Store(e) if e.is_usage() => 2,
            _ => 1,
        }
    }
}
