//! Helpers shared by the end-to-end test binaries.
#![allow(dead_code)]

use rusqlite::Connection;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const MINE: &str = env!("CARGO_BIN_EXE_mine");

pub fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/repos")
}

pub fn mine(args: &[&str]) -> Output {
    Command::new(MINE).args(args).env("NO_COLOR", "1").output().expect("run mine")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn sig() -> git2::Signature<'static> {
    git2::Signature::new("Test", "test@example.org", &git2::Time::new(1_700_000_000, 0)).expect("signature")
}

/// Copy a folder's files into `dest` (created), skipping nothing.
pub fn copy_tree(src: &Path, dest: &Path) {
    for e in walkdir::WalkDir::new(src).into_iter().flatten() {
        let rel = e.path().strip_prefix(src).expect("prefix");
        let to = dest.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&to).expect("mkdir");
        } else {
            std::fs::copy(e.path(), &to).expect("copy");
        }
    }
}

/// Commit every file of the work tree (what `git add -A && git commit` does).
pub fn commit_all(repo: &git2::Repository, msg: &str) -> git2::Oid {
    let mut index = repo.index().expect("index");
    index.add_all(["*"].iter(), git2::IndexAddOption::DEFAULT | git2::IndexAddOption::FORCE, None).expect("add");
    index.write().expect("write index");
    let tree_id = index.write_tree().expect("tree");
    let tree = repo.find_tree(tree_id).expect("find tree");
    let parents: Vec<git2::Commit> = repo.head().ok().and_then(|h| h.peel_to_commit().ok()).into_iter().collect();
    let refs: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig(), &sig(), msg, &tree, &refs).expect("commit")
}

/// A git work tree holding a copy of `src`, committed.
pub fn git_repo_from(src: &Path, dest: &Path) -> (git2::Repository, git2::Oid) {
    copy_tree(src, dest);
    let repo = git2::Repository::init(dest).expect("init");
    let oid = commit_all(&repo, "fixture");
    (repo, oid)
}

/// A bare copy of a work-tree repository, as a server would hold it.
pub fn db_count(db: &Path, sql: &str) -> i64 {
    Connection::open(db).expect("open db").query_row(sql, [], |r| r.get(0)).expect("query")
}

/// Validate values against the JSON Schema `schemas::JSON_SCHEMAS` has for a
/// table (a real draft 2020-12 validator); panics with every violation.
pub fn check_schema(table: &str, rows: &[serde_json::Map<String, Value>]) {
    let text = schemas::JSON_SCHEMAS.iter().find(|(t, _)| *t == table).unwrap_or_else(|| panic!("no schema for {table}")).1;
    let schema: Value = serde_json::from_str(text).expect("schema is JSON");
    let v = jsonschema::options().should_validate_formats(true).build(&schema).unwrap_or_else(|e| panic!("{table} schema: {e}"));
    for row in rows {
        let inst = Value::Object(row.clone());
        let errors: Vec<String> = v.iter_errors(&inst).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{table}: {row:?}\n{}", errors.join("\n"));
    }
}

pub fn objects(v: &[Value]) -> Vec<serde_json::Map<String, Value>> {
    v.iter().map(|x| x.as_object().expect("object").clone()).collect()
}

/// The demo corpus's repositories (folders of corpus/repos), sorted.
pub fn corpus_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus())
        .expect("corpus")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Write a list file in `tmp` and mine it into `tmp/m.sqlite` with a cache in `tmp/cache`.
pub fn mine_list(tmp: &Path, entries: &str) -> (Output, PathBuf) {
    mine_list_with(tmp, entries, &[])
}

/// As `mine_list`, with more arguments.
pub fn mine_list_with(tmp: &Path, entries: &str, extra: &[&str]) -> (Output, PathBuf) {
    let list = tmp.join("l.txt");
    std::fs::write(&list, entries).expect("write list");
    let db = tmp.join("m.sqlite");
    let cache = tmp.join("cache");
    let mut args = vec![
        "--list",
        list.to_str().expect("utf8"),
        "--db",
        db.to_str().expect("utf8"),
        "--cache",
        cache.to_str().expect("utf8"),
        "-q",
    ];
    args.extend_from_slice(extra);
    (mine(&args), db)
}
