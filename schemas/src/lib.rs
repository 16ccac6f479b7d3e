//! Shared data types of modelmine, the SQLite DDL and the JSON Schemas of
//! every exported format.
//!
//! The row types here are the contract between the analyzer (which produces
//! them), the store (which persists them) and the exporters (which write them
//! with the field names of `GROUND_TRUTH_FORMAT.md`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Version of the SQLite schema. A database carrying another version is
/// refused, never migrated silently.
pub const SCHEMA_VERSION: i64 = 3;

/// The SQLite DDL, one statement list per schema version.
pub const SQLITE_DDL: &str = include_str!("../sqlite/003_schema.sql");

/// JSON Schemas of the exported formats, by table name.
pub const JSON_SCHEMAS: &[(&str, &str)] = &[
    ("usages", include_str!("../json/usage.schema.json")),
    ("repos", include_str!("../json/repo.schema.json")),
    ("skipped", include_str!("../json/skipped.schema.json")),
    ("files", include_str!("../json/file.schema.json")),
    ("runs", include_str!("../json/run.schema.json")),
    ("artifacts", include_str!("../json/artifact.schema.json")),
    ("dependencies", include_str!("../json/dependency.schema.json")),
    ("topology", include_str!("../json/topology.schema.json")),
    ("edges", include_str!("../json/edge.schema.json")),
    ("hub_models", include_str!("../json/hub-model.schema.json")),
    ("selection", include_str!("../json/selection.schema.json")),
    ("recommendations", include_str!("../json/recommendation.schema.json")),
    ("links", include_str!("../json/link.schema.json")),
];

/// Where a model comes from (see GROUND_TRUTH_FORMAT.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Hub,
    File,
    Api,
    Aux,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Hub => "hub",
            Source::File => "file",
            Source::Api => "api",
            Source::Aux => "aux",
        }
    }
    pub fn parse(s: &str) -> Option<Source> {
        match s {
            "hub" => Some(Source::Hub),
            "file" => Some(Source::File),
            "api" => Some(Source::Api),
            "aux" => Some(Source::Aux),
            _ => None,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the model string was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolvable {
    Literal,
    Constant,
    DefaultArg,
    EnvDefault,
    Config,
    Implicit,
    Dynamic,
}

impl Resolvable {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolvable::Literal => "literal",
            Resolvable::Constant => "constant",
            Resolvable::DefaultArg => "default_arg",
            Resolvable::EnvDefault => "env_default",
            Resolvable::Config => "config",
            Resolvable::Implicit => "implicit",
            Resolvable::Dynamic => "dynamic",
        }
    }
    /// How far a value is from the call: 0 for a literal, 6 for dynamic.
    pub fn rank(self) -> u8 {
        match self {
            Resolvable::Literal => 0,
            Resolvable::Constant => 1,
            Resolvable::Config => 2,
            Resolvable::EnvDefault => 3,
            Resolvable::DefaultArg => 4,
            Resolvable::Implicit => 5,
            Resolvable::Dynamic => 6,
        }
    }

    /// Of two ways a value's parts were found, the weaker one decides.
    pub fn weakest(self, other: Resolvable) -> Resolvable {
        if self.rank() >= other.rank() {
            self
        } else {
            other
        }
    }

    pub fn parse(s: &str) -> Option<Resolvable> {
        Some(match s {
            "literal" => Resolvable::Literal,
            "constant" => Resolvable::Constant,
            "default_arg" => Resolvable::DefaultArg,
            "env_default" => Resolvable::EnvDefault,
            "config" => Resolvable::Config,
            "implicit" => Resolvable::Implicit,
            "dynamic" => Resolvable::Dynamic,
            _ => return None,
        })
    }
}

/// A location inside a file: a plain line, or a notebook cell and line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Location {
    /// 1-based line of a `.py` file.
    Line(u32),
    /// 0-based cell index over all cells, 1-based line within the cell.
    Cell { cell: u32, line: u32 },
}

impl Location {
    /// The exported form: an integer line, or the string `cell:I:L`.
    pub fn to_json(self) -> serde_json::Value {
        match self {
            Location::Line(l) => serde_json::Value::from(l),
            Location::Cell { cell, line } => serde_json::Value::from(format!("cell:{cell}:{line}")),
        }
    }
    /// Parse the exported form back.
    pub fn from_json(v: &serde_json::Value) -> Option<Location> {
        if let Some(n) = v.as_u64() {
            return u32::try_from(n).ok().map(Location::Line);
        }
        let s = v.as_str()?;
        let rest = s.strip_prefix("cell:")?;
        let (c, l) = rest.split_once(':')?;
        Some(Location::Cell { cell: c.parse().ok()?, line: l.parse().ok()? })
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(l) => write!(f, "{l}"),
            Location::Cell { cell, line } => write!(f, "cell:{cell}:{line}"),
        }
    }
}

/// One model-load site found in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelUsage {
    pub location: Location,
    /// 1-based column of the call's first character.
    pub column: u32,
    pub source: Source,
    pub ecosystem: String,
    /// Fully qualified callee after alias resolution.
    pub api: String,
    /// Permanent id of the catalog rule that matched.
    pub rule: String,
    /// The model string as written, after static resolution.
    pub model: Option<String>,
    /// Canonical identity `ecosystem:canonical-id`.
    pub model_id: Option<String>,
    pub model_resolvable: Resolvable,
    pub revision: Option<String>,
    pub trust_remote_code: Option<bool>,
    pub weights_only: Option<bool>,
    pub download_only: bool,
    /// First line of the call, trimmed and cut to 200 characters.
    pub snippet: String,
    /// How sure the rule is that this is a model load: `high`, or `medium` /
    /// `low` for pickle-family loads whose object may be data.
    pub confidence: Confidence,
    /// How a value was decided when the code alone does not say it (a
    /// pipeline's default model for the pinned transformers version).
    pub notes: Option<String>,
    /// The committed weights file this load reads, when one matches.
    pub artifact: Option<String>,
    /// The task the call names (`pipeline("sentiment-analysis")`), when it names one.
    pub task: Option<String>,
    /// The revision is a commit hash (true), a branch or tag (false); None
    /// when no revision applies or none is given.
    pub revision_pinned: Option<bool>,
    /// Risk findings, by name (see `Risk`).
    pub risks: Vec<Risk>,
}

/// What an auditor should look at in a load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// `trust_remote_code=True`: the model repository's Python code runs.
    TrustRemoteCode,
    /// A hub model without a revision pinned to a commit hash: what loads can change.
    UnpinnedRevision,
    /// Unpickling (`torch.load` without `weights_only=True`, pickle, joblib, dill):
    /// the file can run code.
    UnsafeDeserialization,
    /// Weights fetched over plain http from a remote host.
    PlainHttp,
    /// A download whose API can verify a checksum, called without one.
    NoChecksum,
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::TrustRemoteCode => "trust_remote_code",
            Risk::UnpinnedRevision => "unpinned_revision",
            Risk::UnsafeDeserialization => "unsafe_deserialization",
            Risk::PlainHttp => "plain_http",
            Risk::NoChecksum => "no_checksum",
        }
    }
}

/// How sure a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    High,
    Medium,
    Low,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }
}

/// A dependency declared in a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// Normalised distribution name: lowercase, `_` and `.` as `-`.
    pub name: String,
    /// The version specifier as written (`==4.37.2`, `>=2.0`), if any.
    pub spec: Option<String>,
}

/// A model artefact committed to the repository (or its Git LFS pointer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub path: String,
    /// Lowercase extension with the dot: `.safetensors`.
    pub ext: String,
    /// Size in the repository (for an LFS pointer: the pointer's size).
    pub bytes: u64,
    /// The file is a Git LFS pointer.
    pub lfs: bool,
    /// The size the LFS pointer announces.
    pub lfs_size: Option<u64>,
    /// The weights themselves are in the repository (not only a pointer).
    pub present: bool,
}

/// Kind of a mined file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    #[default]
    Python,
    Notebook,
    Manifest,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Python => "python",
            FileKind::Notebook => "notebook",
            FileKind::Manifest => "manifest",
        }
    }
}

/// Why a candidate file was not analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SkipReason {
    TooLarge,
    Binary,
    Symlink,
    Submodule,
    Unreadable,
    ExcludedDir,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::TooLarge => "too-large",
            SkipReason::Binary => "binary",
            SkipReason::Symlink => "symlink",
            SkipReason::Submodule => "submodule",
            SkipReason::Unreadable => "unreadable",
            SkipReason::ExcludedDir => "excluded-dir",
        }
    }
}

/// A file that was listed but not analysed, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedFile {
    pub path: String,
    pub reason: SkipReason,
    pub bytes: Option<u64>,
    pub detail: Option<String>,
}

/// Outcome of analysing one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileReport {
    pub path: String,
    pub kind: FileKind,
    pub bytes: u64,
    /// tree-sitter found syntax errors (the rest of the file was still analysed).
    pub syntax_errors: bool,
    /// The file could not be analysed at all (e.g. a notebook that is not JSON).
    pub error: Option<String>,
    pub usages: Vec<ModelUsage>,
    /// Dependencies a manifest (or setup.py) declares.
    pub dependencies: Vec<Dependency>,
    /// Top-level modules the file imports.
    pub imports: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_round_trip_through_their_exported_form() {
        for loc in
            [Location::Line(1), Location::Line(4242), Location::Cell { cell: 0, line: 1 }, Location::Cell { cell: 17, line: 3 }]
        {
            assert_eq!(Location::from_json(&loc.to_json()), Some(loc));
        }
        assert_eq!(Location::from_json(&serde_json::json!("cell:x:1")), None);
        assert_eq!(Location::from_json(&serde_json::json!("12")), None);
    }

    #[test]
    fn enums_round_trip_through_their_names() {
        for s in [Source::Hub, Source::File, Source::Api, Source::Aux] {
            assert_eq!(Source::parse(s.as_str()), Some(s));
        }
        for r in [
            Resolvable::Literal,
            Resolvable::Constant,
            Resolvable::DefaultArg,
            Resolvable::EnvDefault,
            Resolvable::Config,
            Resolvable::Implicit,
            Resolvable::Dynamic,
        ] {
            assert_eq!(Resolvable::parse(r.as_str()), Some(r));
        }
    }

    #[test]
    fn every_json_schema_is_json_and_names_its_table() {
        for (table, text) in JSON_SCHEMAS {
            let v: serde_json::Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{table}: {e}"));
            assert!(v["properties"].is_object(), "{table}");
            assert!(v["title"].as_str().is_some_and(|t| t.contains(table)), "{table}");
        }
    }

    #[test]
    fn the_ddl_declares_the_tables_the_store_writes() {
        for t in [
            "meta",
            "runs",
            "repos",
            "files",
            "skipped",
            "usages",
            "artifacts",
            "dependencies",
            "edges",
            "hub_models",
            "hub_model_labels",
            "links",
            "recommendations",
        ] {
            assert!(SQLITE_DDL.contains(&format!("CREATE TABLE IF NOT EXISTS {t} ")), "{t}");
        }
    }
}
