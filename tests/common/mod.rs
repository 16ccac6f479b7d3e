//! Helpers shared by the end-to-end test binaries.
#![allow(dead_code)]

use rusqlite::types::ValueRef;
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

/// A mock of the GitHub REST API on 127.0.0.1: serves the routes a run
/// needs, a rate-limited page, a 502 and a 404, and records every request's
/// path and Authorization header.
pub struct MockGitHub {
    pub port: u16,
    pub seen: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
    pub stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Drop for MockGitHub {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
    }
}

pub fn repo_json(full_name: &str, clone_url: &str, fork: bool, archived: bool) -> Value {
    serde_json::json!({
        "full_name": full_name, "clone_url": clone_url, "html_url": format!("https://github.com/{full_name}"),
        "default_branch": "main", "fork": fork, "archived": archived, "stargazers_count": 42, "forks_count": 3,
        "language": "Python", "license": {"spdx_id": "MIT"}, "topics": ["ml"], "pushed_at": "2025-05-01T00:00:00Z",
        "created_at": "2023-01-01T00:00:00Z", "size": 120
    })
}

pub type Routes = std::collections::HashMap<String, Vec<(u16, Vec<(String, String)>, String)>>;

/// `make` builds the routes from the mock's base URL (for Link headers).
pub fn mock_github(make: impl FnOnce(&str) -> Routes) -> MockGitHub {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let routes = make(&format!("http://127.0.0.1:{port}"));
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Each route answers its responses in order, the last one from then on.
    let routes = std::sync::Arc::new(std::sync::Mutex::new(routes));
    let (s2, st2) = (seen.clone(), stop.clone());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            if st2.load(std::sync::atomic::Ordering::SeqCst) {
                break;
            }
            let Ok(mut conn) = conn else { continue };
            let (seen, routes) = (s2.clone(), routes.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(conn.try_clone().expect("clone stream"));
                loop {
                    let mut first = String::new();
                    if reader.read_line(&mut first).unwrap_or(0) == 0 {
                        return;
                    }
                    let path = first.split_whitespace().nth(1).unwrap_or("").to_string();
                    let mut auth = String::new();
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':') {
                            if k.eq_ignore_ascii_case("authorization") {
                                auth = v.trim().to_string();
                            }
                        }
                    }
                    seen.lock().expect("lock").push((path.clone(), auth));
                    let (status, headers, body) = {
                        let mut r = routes.lock().expect("lock");
                        match r.get_mut(&path) {
                            Some(list) if list.len() > 1 => list.remove(0),
                            Some(list) => list[0].clone(),
                            None => (404, vec![], r#"{"message":"Not Found"}"#.to_string()),
                        }
                    };
                    let mut resp =
                        format!("HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n", body.len());
                    for (k, v) in headers {
                        resp.push_str(&format!("{k}: {v}\r\n"));
                    }
                    resp.push_str("\r\n");
                    resp.push_str(&body);
                    if conn.write_all(resp.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    MockGitHub { port, seen, stop }
}

pub fn ok(body: Value) -> (u16, Vec<(String, String)>, String) {
    (200, vec![], body.to_string())
}

// Row-by-row comparison of databases: every table as sorted text rows.

pub const VOLATILE: &[&str] = &["id", "repo_id", "usage_id", "run_id", "mined_at", "elapsed_ms"];

pub fn cell(v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Null => "NULL".into(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8_lossy(t).into_owned(),
    }
}

/// Every row of a query as text, volatile columns left out, sorted.
pub fn rows(c: &Connection, q: &str) -> Vec<String> {
    let mut st = c.prepare(q).expect("query");
    let cols: Vec<String> = st.column_names().map(|s| s.to_string()).collect();
    let mut out: Vec<String> = st
        .query_map([], |r| {
            Ok(cols
                .iter()
                .enumerate()
                .filter(|(_, c)| !VOLATILE.contains(&c.as_str()))
                .map(|(i, c)| format!("{c}={}", cell(r.get_ref(i).expect("cell"))))
                .collect::<Vec<_>>()
                .join("|"))
        })
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    out.sort();
    out
}

pub fn snapshot(db: &Path) -> Vec<(String, Vec<String>)> {
    let c = Connection::open(db).expect("db");
    let mut v = vec![("repos".to_string(), rows(&c, "SELECT * FROM repos"))];
    for t in ["files", "skipped", "usages", "artifacts", "dependencies", "edges"] {
        v.push((
            t.to_string(),
            rows(&c, &format!("SELECT r.location AS repo_location, t.* FROM {t} t JOIN repos r ON r.id = t.repo_id")),
        ));
    }
    v.push((
        "links".to_string(),
        rows(&c, "SELECT r.location AS repo_location, u.path AS u_path, u.line AS u_line, u.col AS u_col, l.* FROM links l JOIN usages u ON u.id = l.usage_id JOIN repos r ON r.id = l.repo_id"),
    ));
    v
}

/// `n` bytes that do not compress (xorshift), so a file weighs what it says.
pub fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}
