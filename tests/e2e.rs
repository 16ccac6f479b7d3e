//! End-to-end tests: real git repositories made at test time, the real
//! `mine` binary, the real database.

mod common;

use common::*;
use rusqlite::Connection;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bare_clone(work: &Path, dest: &Path) {
    git2::build::RepoBuilder::new().bare(true).clone(&format!("file://{}", work.display()), dest).expect("bare clone");
}

fn export_jsonl(db: &Path, extra: &[&str]) -> Vec<serde_json::Map<String, Value>> {
    let mut args = vec!["export", "--db", db.to_str().expect("utf8")];
    args.extend_from_slice(extra);
    let o = mine(&args);
    assert!(o.status.success(), "export failed: {}", stderr(&o));
    stdout(&o)
        .lines()
        .map(|l| match serde_json::from_str::<Value>(l).expect("json line") {
            Value::Object(m) => m,
            other => panic!("not an object: {other}"),
        })
        .collect()
}

/// Build the six corpus repositories as git repositories: three as work trees
/// listed by path, three as bare repositories listed by file:// URL.
fn corpus_as_git(tmp: &Path) -> (PathBuf, Vec<(String, git2::Oid)>) {
    let mut lines = vec!["# corpus built at test time".to_string()];
    let mut commits = Vec::new();
    let names = corpus_names();
    assert!(names.len() >= 6, "corpus has {} repositories", names.len());
    for (i, name) in names.iter().enumerate() {
        let work = tmp.join("work").join(name);
        let (_repo, oid) = git_repo_from(&corpus().join(name), &work);
        commits.push((name.clone(), oid));
        if i % 2 == 0 {
            lines.push(format!("work/{name}   # a local work tree"));
        } else {
            let bare = tmp.join("served").join(format!("{name}.git"));
            bare_clone(&work, &bare);
            lines.push(format!("file://{}", bare.display()));
        }
    }
    let list = tmp.join("repos.txt");
    std::fs::write(&list, lines.join("\n") + "\n").expect("write list");
    (list, commits)
}

#[test]
fn corpus_via_list_matches_expected_findings_and_resumes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (list, commits) = corpus_as_git(tmp.path());
    let db = tmp.path().join("m.sqlite");
    let cache = tmp.path().join("cache");
    let dbs = db.to_str().expect("utf8");
    let args = ["--list", list.to_str().expect("utf8"), "--db", dbs, "--cache", cache.to_str().expect("utf8"), "--quiet"];
    let o = mine(&args);
    assert!(o.status.success(), "mine failed: {}{}", stdout(&o), stderr(&o));
    let n = commits.len();
    assert!(stdout(&o).contains(&format!("{n} mined, 0 failed, 0 skipped")), "{}", stdout(&o));

    // Every repository is recorded at the commit made above.
    let repos = export_jsonl(&db, &["--table", "repos"]);
    assert_eq!(repos.len(), commits.len());
    for (name, oid) in &commits {
        let r = repos.iter().find(|r| r["repo"] == name.as_str()).unwrap_or_else(|| panic!("{name} not in repos"));
        assert_eq!(r["commit"], oid.to_string().as_str(), "{name}");
        assert_eq!(r["status"], "ok");
        assert_eq!(r["commit_kind"], "git");
    }

    // Field by field against the corpus's expected findings.
    let o = mine(&["eval", "--db", dbs, "--expected", corpus().to_str().expect("utf8"), "--strict"]);
    assert!(o.status.success(), "corpus findings differ:\n{}", stdout(&o));
    assert!(stdout(&o).contains("recall 1.000"), "{}", stdout(&o));

    // The export carries the ground-truth fields on every row.
    let usages = export_jsonl(&db, &[]);
    let total = db_count(&db, "SELECT count(*) FROM usages");
    assert_eq!(usages.len() as i64, total);
    assert!(usages.iter().any(|u| u["line"].as_str().is_some_and(|l| l.starts_with("cell:"))), "a notebook row");
    for u in &usages {
        for f in ["repo", "commit", "path", "line", "source", "ecosystem", "api", "rule", "model", "model_id", "model_resolvable"]
        {
            assert!(u.contains_key(f), "{f} missing in {u:?}");
        }
    }

    // Resume: nothing is mined twice.
    let o = mine(&args);
    assert!(o.status.success());
    assert!(stdout(&o).contains(&format!("0 mined, 0 failed, {n} skipped")), "{}", stdout(&o));
    assert_eq!(db_count(&db, "SELECT count(*) FROM usages"), total);

    // --force mines again and replaces, never duplicates.
    let mut forced = args.to_vec();
    forced.push("--force");
    let o = mine(&forced);
    assert!(stdout(&o).contains(&format!("{n} mined")), "{}", stdout(&o));
    assert_eq!(db_count(&db, "SELECT count(*) FROM usages"), total);
    assert_eq!(db_count(&db, "SELECT count(*) FROM repos"), n as i64);
    assert_eq!(db_count(&db, "SELECT count(*) FROM runs WHERE finished_at IS NOT NULL"), 3);

    // A new commit in one repository: only that one is mined again.
    let work = tmp.path().join("work").join(&commits[0].0);
    let repo = git2::Repository::open(&work).expect("open");
    std::fs::write(work.join("extra_model.py"), "import torch\nm = torch.load('new.pt')\n").expect("write");
    let new_oid = commit_all(&repo, "more");
    let o = mine(&args);
    assert!(stdout(&o).contains(&format!("1 mined, 0 failed, {} skipped", n - 1)), "{}", stdout(&o));
    assert_eq!(db_count(&db, "SELECT count(*) FROM usages"), total + 1);
    let repos = export_jsonl(&db, &["--table", "repos", "--repo", &commits[0].0]);
    assert_eq!(repos[0]["commit"], new_oid.to_string().as_str());
}

#[test]
fn export_formats_round_trip() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("m.sqlite");
    let dbs = db.to_str().expect("utf8");
    let nb = corpus().join("notebook-lab");
    let o = mine(&["--path", nb.to_str().expect("utf8"), "--db", dbs, "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let jsonl = export_jsonl(&db, &[]);
    assert!(!jsonl.is_empty());
    // CSV: same rows, same values in their text form.
    let out = tmp.path().join("u.csv");
    let o = mine(&["export", "--db", dbs, "--format", "csv", "--output", out.to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut rdr = csv::Reader::from_path(&out).expect("csv");
    let header: Vec<String> = rdr.headers().expect("header").iter().map(str::to_string).collect();
    let recs: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("record")).collect();
    assert_eq!(recs.len(), jsonl.len());
    for (rec, row) in recs.iter().zip(&jsonl) {
        for (h, cell) in header.iter().zip(rec.iter()) {
            let v = &row[h];
            let text = match v {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                o => o.to_string(),
            };
            assert_eq!(cell, text, "field {h}");
        }
    }
    // Notebook locations parse back.
    for row in &jsonl {
        assert!(schemas::Location::from_json(&row["line"]).is_some(), "{:?}", row["line"]);
    }
    check_schema("usages", &jsonl);
    for t in ["repos", "files"] {
        check_schema(t, &export_jsonl(&db, &["--table", t]));
    }
    // Repos and skipped tables export too.
    for t in ["repos", "skipped", "files"] {
        let o = mine(&["export", "--db", dbs, "--table", t, "--format", "csv"]);
        assert!(o.status.success(), "{t}: {}", stderr(&o));
        assert!(stdout(&o).lines().next().is_some_and(|h| h.starts_with("repo,")), "{t} header");
    }
}

#[test]
fn local_git_checkout_mines_tracked_files_at_head_and_flags_dirty() {
    let tmp = tempfile::tempdir().expect("tmp");
    let work = tmp.path().join("acme-app");
    std::fs::create_dir_all(&work).expect("mkdir");
    std::fs::write(work.join("app.py"), "import joblib\nclf = joblib.load('models/clf.joblib')\n").expect("w");
    std::fs::write(work.join("ignored_but_tracked.py"), "import torch\nw = torch.load('w.pt')\n").expect("w");
    let repo = git2::Repository::init(&work).expect("init");
    repo.remote("origin", "https://github.com/acme/vision-app.git").expect("remote");
    commit_all(&repo, "first");
    // .gitignore never hides a tracked file; untracked files are not mined;
    // a modified tracked file is mined as committed.
    std::fs::write(work.join(".gitignore"), "ignored_but_tracked.py\n").expect("w");
    std::fs::write(work.join("untracked.py"), "import torch\nx = torch.load('untracked.pt')\n").expect("w");
    std::fs::write(work.join("app.py"), "import joblib\nclf = joblib.load('models/CHANGED.joblib')\n").expect("w");
    let db = tmp.path().join("m.sqlite");
    let o = mine(&["--path", work.to_str().expect("utf8"), "--db", db.to_str().expect("utf8"), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let usages = export_jsonl(&db, &["--repo", "acme/vision-app"]);
    let models: Vec<&str> = usages.iter().filter_map(|u| u["model"].as_str()).collect();
    assert_eq!(models, vec!["models/clf.joblib", "w.pt"], "{usages:?}");
    let repos = export_jsonl(&db, &["--table", "repos"]);
    assert_eq!(repos[0]["repo"], "acme/vision-app");
    assert_eq!(repos[0]["dirty"], true);
    assert_eq!(repos[0]["url"], "https://github.com/acme/vision-app.git");
}

#[test]
fn folder_inside_a_work_tree_is_its_own_repository() {
    let tmp = tempfile::tempdir().expect("tmp");
    let outer = tmp.path().join("outer");
    let inner = outer.join("services").join("scorer");
    std::fs::create_dir_all(&inner).expect("mkdir");
    std::fs::write(inner.join("s.py"), "import onnxruntime as ort\ns = ort.InferenceSession('m.onnx')\n").expect("w");
    std::fs::write(outer.join("top.py"), "import torch\ntorch.load('outer.pt')\n").expect("w");
    let repo = git2::Repository::init(&outer).expect("init");
    commit_all(&repo, "outer");
    let db = tmp.path().join("m.sqlite");
    let o = mine(&["--path", inner.to_str().expect("utf8"), "--db", db.to_str().expect("utf8"), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let repos = export_jsonl(&db, &["--table", "repos"]);
    assert_eq!(repos[0]["repo"], "scorer");
    assert_eq!(repos[0]["commit_kind"], "content-hash");
    assert_eq!(repos[0]["commit"].as_str().map(str::len), Some(40));
    let usages = export_jsonl(&db, &[]);
    assert_eq!(usages.len(), 1);
    assert_eq!(usages[0]["path"], "s.py");
}

#[test]
fn plain_folder_skips_vendored_folders_links_binaries_and_large_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().join("messy");
    let load = "import torch\nm = torch.load('x.pt')\n";
    for d in ["node_modules/pkg", "__pycache__", "env/lib/python3.11/site-packages/transformers", "src"] {
        std::fs::create_dir_all(root.join(d)).expect("mkdir");
    }
    std::fs::write(root.join("env/pyvenv.cfg"), "home = /usr/bin\n").expect("w");
    std::fs::write(root.join("env/lib/python3.11/site-packages/transformers/x.py"), load).expect("w");
    std::fs::write(root.join("node_modules/pkg/x.py"), load).expect("w");
    std::fs::write(root.join("__pycache__/x.py"), load).expect("w");
    std::fs::write(root.join("src/ok.py"), load).expect("w");
    std::fs::write(root.join("src/big.py"), format!("{load}{}", "# pad\n".repeat(400))).expect("w");
    std::fs::write(root.join("src/bin.py"), b"import torch\x00\x01torch.load('b.pt')\n").expect("w");
    std::os::unix::fs::symlink(root.join("src/ok.py"), root.join("src/link.py")).expect("symlink");
    std::os::unix::fs::symlink("/", root.join("src/root_link")).expect("symlink");
    std::fs::write(root.join("src/broken.ipynb"), "{ this is not json").expect("w");
    // Model artefacts: a real file, a Git LFS pointer, and a load that reads the first.
    std::fs::create_dir_all(root.join("weights")).expect("mkdir");
    std::fs::write(root.join("weights/head.onnx"), b"\x08\x07onnx-bytes").expect("w");
    std::fs::write(
        root.join("weights/big.safetensors"),
        "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 1234567\n",
    )
    .expect("w");
    std::fs::write(root.join("src/serve.py"), "import onnxruntime as ort\ns = ort.InferenceSession('weights/head.onnx')\n")
        .expect("w");
    std::fs::write(root.join("requirements.txt"), "onnxruntime==1.17.0\nflask\n").expect("w");
    std::fs::write(root.join("src/half.py"), "import joblib\nm = joblib.load('half.pkl')\ndef broken(:\n").expect("w");
    let db = tmp.path().join("m.sqlite");
    let o = mine(&["--path", root.to_str().expect("utf8"), "--db", db.to_str().expect("utf8"), "--max-file-bytes", "1000", "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let usages = export_jsonl(&db, &[]);
    let paths: Vec<&str> = usages.iter().filter_map(|u| u["path"].as_str()).collect();
    assert_eq!(paths, vec!["src/half.py", "src/ok.py", "src/serve.py"], "{usages:?}");
    assert_eq!(usages[2]["artifact"], "weights/head.onnx");
    let artifacts = export_jsonl(&db, &["--table", "artifacts"]);
    check_schema("artifacts", &artifacts);
    let art = |p: &str| artifacts.iter().find(|a| a["path"] == p).unwrap_or_else(|| panic!("{p}: {artifacts:?}")).clone();
    assert_eq!(
        (art("weights/head.onnx")["lfs"].clone(), art("weights/head.onnx")["present"].clone()),
        (Value::Bool(false), Value::Bool(true))
    );
    let big = art("weights/big.safetensors");
    assert_eq!(
        (big["lfs"].as_bool(), big["present"].as_bool(), big["lfs_size"].as_i64()),
        (Some(true), Some(false), Some(1234567))
    );
    // The ML-enabled verdict, from the manifest and the imports.
    let repos = export_jsonl(&db, &["--table", "repos"]);
    assert_eq!(repos[0]["ml_enabled"], true);
    assert_eq!(repos[0]["ml_core"], true, "torch is imported");
    assert_eq!(repos[0]["artifacts"], 2);
    let libs: Vec<&str> = repos[0]["ml_libraries"].as_array().expect("array").iter().filter_map(Value::as_str).collect();
    assert_eq!(libs, vec!["onnxruntime", "torch"]);
    let deps = export_jsonl(&db, &["--table", "dependencies"]);
    check_schema("dependencies", &deps);
    assert!(deps.iter().any(|d| d["name"] == "onnxruntime" && d["spec"] == "==1.17.0"), "{deps:?}");
    // A notebook that is not JSON and a file with a syntax error are
    // recorded; the rest of the file with the syntax error is still mined.
    let files = export_jsonl(&db, &["--table", "files"]);
    check_schema("files", &files);
    let file = |p: &str| files.iter().find(|f| f["path"] == p).unwrap_or_else(|| panic!("{p} not in files")).clone();
    assert!(file("src/broken.ipynb")["error"].as_str().is_some_and(|e| e.contains("not valid JSON")));
    assert_eq!(file("src/half.py")["syntax_errors"], true);
    assert_eq!(file("src/ok.py")["syntax_errors"], false);
    let skipped = export_jsonl(&db, &["--table", "skipped"]);
    check_schema("skipped", &skipped);
    let reason = |p: &str| skipped.iter().find(|s| s["path"] == p).map(|s| s["reason"].as_str().unwrap_or("").to_string());
    assert_eq!(reason("src/big.py").as_deref(), Some("too-large"));
    assert_eq!(reason("src/bin.py").as_deref(), Some("binary"));
    assert_eq!(reason("src/link.py").as_deref(), Some("symlink"));
    assert_eq!(reason("node_modules/").as_deref(), Some("excluded-dir"));
    assert_eq!(reason("__pycache__/").as_deref(), Some("excluded-dir"));
    assert_eq!(reason("env/").as_deref(), Some("excluded-dir"));
}

#[test]
fn bad_inputs_exit_2_with_one_line_and_write_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("never.sqlite");
    let dbs = db.to_str().expect("utf8");
    let good = corpus().join("llm-chat");
    let bad_list = tmp.path().join("bad.txt");
    std::fs::write(&bad_list, format!("{}\n  # fine\nnot/a/real/folder\n", good.display())).expect("w");
    let ftp_list = tmp.path().join("ftp.txt");
    std::fs::write(&ftp_list, "ftp://example.org/x.git\n").expect("w");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["--path".into(), "/no/such/dir".into()], "/no/such/dir"),
        (vec!["--list".into(), tmp.path().join("missing.txt").display().to_string()], "missing.txt"),
        (vec!["--list".into(), bad_list.display().to_string()], "bad.txt:3"),
        (vec!["--list".into(), ftp_list.display().to_string()], "ftp://example.org/x.git"),
        (vec!["--path".into(), good.join("requirements.txt").display().to_string()], "not a directory"),
        (vec![], "nothing to mine"),
        (vec!["--path".into(), good.display().to_string(), "--rules".into(), "/no/rules".into()], "/no/rules"),
    ];
    for (args, needle) in cases {
        let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
        a.extend(["--db", dbs, "-q"]);
        let o = mine(&a);
        assert_eq!(o.status.code(), Some(2), "{a:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "{a:?} one line: {err}");
        assert!(err.contains(needle), "{a:?}: {err}");
        assert!(!db.exists(), "{a:?} created the database");
    }
    // A database of another schema version is refused and left as it was.
    let other = tmp.path().join("other.sqlite");
    {
        let c = Connection::open(&other).expect("open");
        c.execute_batch(
            "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('schema_version', '999');",
        )
        .expect("create");
    }
    let before = std::fs::read(&other).expect("read");
    let o = mine(&["--path", good.to_str().expect("utf8"), "--db", other.to_str().expect("utf8"), "-q"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("schema version 999"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&other).expect("read"), before);
    // Bad flag values are clap's usage errors (exit 2).
    let o = mine(&["--path", good.to_str().expect("utf8"), "--jobs", "0", "--db", dbs]);
    assert_eq!(o.status.code(), Some(2));
    // Export of a database that does not exist.
    let o = mine(&["export", "--db", dbs]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("does not exist"));
    assert!(!db.exists());
}

#[test]
fn a_failing_repository_never_stops_the_batch() {
    let tmp = tempfile::tempdir().expect("tmp");
    let work = tmp.path().join("good");
    git_repo_from(&corpus().join("tabular-service"), &work);
    let missing = tmp.path().join("gone.git");
    let empty = tmp.path().join("empty");
    git2::Repository::init(&empty).expect("init empty");
    let entries = format!("file://{}\n{}\n{}\n", missing.display(), work.display(), empty.display());
    let (o, db) = mine_list(tmp.path(), &entries);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("1 mined, 1 failed, 1 skipped (0 already mined at the same commit, 1 empty)"), "{}", stdout(&o));
    let repos = export_jsonl(&db, &["--table", "repos"]);
    check_schema("repos", &repos);
    let failed = repos.iter().find(|r| r["status"] == "failed").expect("failed row");
    assert_eq!(failed["repo"], "gone");
    assert!(failed["reason"].as_str().is_some_and(|r| !r.is_empty()));
    let skipped = repos.iter().find(|r| r["status"] == "skipped").expect("skipped row");
    assert_eq!(skipped["repo"], "empty");
    assert!(skipped["reason"].as_str().is_some_and(|r| r.contains("empty repository")), "{skipped:?}");
    assert!(repos.iter().any(|r| r["repo"] == "good" && r["status"] == "ok"));
    let runs = export_jsonl(&db, &["--table", "runs"]);
    check_schema("runs", &runs);
    assert_eq!(runs.len(), 1);
    assert_eq!(
        (runs[0]["repos_ok"].as_i64(), runs[0]["repos_failed"].as_i64(), runs[0]["repos_skipped"].as_i64()),
        (Some(1), Some(1), Some(1))
    );
    assert!(runs[0]["args"].as_array().is_some_and(|a| a.iter().any(|x| x == "--list")), "{runs:?}");
    assert!(db_count(&db, "SELECT count(*) FROM usages") > 0);
}

struct KillOnDrop(std::process::Child);

impl KillOnDrop {
    fn stop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Serve a folder of bare repositories with git-daemon on 127.0.0.1; the
/// process is killed however the test ends.
fn git_daemon(served: &Path) -> (KillOnDrop, u16) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    // `git daemon` runs git-daemon as a child that killing `git` would
    // orphan: start the daemon binary itself so the test owns the process.
    let exec_path = Command::new("git").arg("--exec-path").output().expect("git (must be installed)");
    let daemon_bin = PathBuf::from(String::from_utf8_lossy(&exec_path.stdout).trim()).join("git-daemon");
    let daemon = Command::new(&daemon_bin)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .args([
            "--reuseaddr",
            "--export-all",
            "--timeout=30",
            "--init-timeout=10",
            "--listen=127.0.0.1",
            &format!("--port={port}"),
            &format!("--base-path={}", served.display()),
            served.to_str().expect("utf8"),
        ])
        .spawn()
        .expect("git daemon (git must be installed)");
    let daemon = KillOnDrop(daemon);
    let ready = (0..100).any(|_| {
        let up = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
        if !up {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        up
    });
    assert!(ready, "git daemon did not start");
    (daemon, port)
}

/// Depth-1 clones need a transport that allows them: serve a repository with
/// `git daemon` on 127.0.0.1 and check the cached clone is shallow.
#[test]
fn clones_over_git_protocol_are_shallow() {
    let tmp = tempfile::tempdir().expect("tmp");
    let work = tmp.path().join("work");
    let (repo, _) = git_repo_from(&corpus().join("vision-batch"), &work);
    std::fs::write(work.join("second.py"), "import timm\nm = timm.create_model('resnet50', pretrained=True)\n").expect("w");
    let head = commit_all(&repo, "second");
    let served = tmp.path().join("served");
    bare_clone(&work, &served.join("vision-batch.git"));
    let (mut daemon, port) = git_daemon(&served);
    let url = format!("git://127.0.0.1:{port}/vision-batch.git");
    let (o, db) = mine_list(tmp.path(), &format!("{url}\n"));
    daemon.stop();
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let repos = export_jsonl(&db, &["--table", "repos"]);
    assert_eq!(repos[0]["shallow"], true, "{repos:?}");
    assert_eq!(repos[0]["commit"], head.to_string().as_str());
    assert_eq!(repos[0]["repo"], "vision-batch");
    let usages = export_jsonl(&db, &[]);
    assert!(usages.iter().any(|u| u["path"] == "second.py" && u["model_id"] == "timm:resnet50"));
}

/// The miner's own wiring of repository-level resolution: configuration
/// files read from the commit's blobs, and a client made in one module and
/// called in another.
#[test]
fn model_names_from_configuration_files_and_other_modules() {
    let tmp = tempfile::tempdir().expect("tmp");
    let work = tmp.path().join("svc");
    std::fs::create_dir_all(work.join("app")).expect("mkdir");
    std::fs::create_dir_all(work.join("conf")).expect("mkdir");
    std::fs::write(work.join("config.json"), r#"{"BERT_MODEL": "bert-base-cased", "WEIGHTS": "assets/head.bin"}"#).expect("w");
    std::fs::write(work.join("conf/settings.yaml"), "llm:\n  name: gpt-4o-mini\n").expect("w");
    std::fs::write(work.join("app/__init__.py"), "").expect("w");
    std::fs::write(work.join("app/llm.py"), "from openai import OpenAI\nclient = OpenAI()\n").expect("w");
    std::fs::write(
        work.join("app/chat.py"),
        "import json\nimport yaml\nimport torch\nfrom transformers import AutoModel\nfrom .llm import client\n\
         with open('config.json') as f:\n    config = json.load(f)\n\
         settings = yaml.safe_load(open('conf/settings.yaml'))\n\
         bert = AutoModel.from_pretrained(config['BERT_MODEL'])\n\
         head = torch.load(config['WEIGHTS'], weights_only=True)\n\
         def ask(q):\n    return client.chat.completions.create(model=settings['llm']['name'], messages=[q])\n",
    )
    .expect("w");
    let repo = git2::Repository::init(&work).expect("init");
    commit_all(&repo, "svc");
    let db = tmp.path().join("m.sqlite");
    let o = mine(&["--path", work.to_str().expect("utf8"), "--db", db.to_str().expect("utf8"), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let usages = export_jsonl(&db, &[]);
    let rows: Vec<(i64, &str, &str, &str)> = usages
        .iter()
        .map(|u| {
            (
                u["line"].as_i64().unwrap_or(0),
                u["api"].as_str().unwrap_or(""),
                u["model_id"].as_str().unwrap_or("null"),
                u["model_resolvable"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (9, "transformers.AutoModel.from_pretrained", "huggingface:google-bert/bert-base-cased", "config"),
            (10, "torch.load", "file:assets/head.bin", "config"),
            (12, "openai.OpenAI.chat.completions.create", "openai:gpt-4o-mini", "config"),
        ],
        "{usages:?}"
    );
    let risks: Vec<&Value> = usages.iter().map(|u| &u["risks"]).collect();
    assert_eq!(risks[0], &serde_json::json!(["unpinned_revision"]));
    assert_eq!(risks[1], &serde_json::json!([]), "weights_only=True is safe");
}

// ---------------------------------------------------------------- GitHub

#[test]
fn mines_a_github_organisation_user_search_and_repos_through_the_api() {
    let tmp = tempfile::tempdir().expect("tmp");
    let served = tmp.path().join("served");
    let mut urls = std::collections::HashMap::new();
    for (name, src) in [
        ("repo-a", "llm-chat"),
        ("repo-b", "tabular-service"),
        ("repo-c", "vision-batch"),
        ("repo-fork", "llm-chat"),
        ("repo-old", "llm-chat"),
    ] {
        let work = tmp.path().join("work").join(name);
        git_repo_from(&corpus().join(src), &work);
        let bare = served.join(format!("{name}.git"));
        bare_clone(&work, &bare);
        urls.insert(name, format!("file://{}", bare.display()));
    }
    // One repository is cloned over git:// on loopback, which allows depth 1.
    let (_daemon, dport) = git_daemon(&served);
    urls.insert("repo-b", format!("git://127.0.0.1:{dport}/repo-b.git"));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let a = repo_json("acme/repo-a", &urls["repo-a"], false, false);
    let mock = mock_github(|base| {
        let mut routes = Routes::new();
        routes.insert(
            "/orgs/acme/repos?type=all&per_page=100".to_string(),
            vec![(
                200,
                vec![("Link".to_string(), format!("<{base}/orgs/acme/repos?type=all&per_page=100&page=2>; rel=\"next\""))],
                serde_json::json!([
                    a,
                    repo_json("acme/repo-fork", &urls["repo-fork"], true, false),
                    repo_json("acme/repo-old", &urls["repo-old"], false, true)
                ])
                .to_string(),
            )],
        );
        routes.insert(
            "/orgs/acme/repos?type=all&per_page=100&page=2".to_string(),
            vec![
                (
                    403,
                    vec![("x-ratelimit-remaining".into(), "0".into()), ("x-ratelimit-reset".into(), (now + 1).to_string())],
                    r#"{"message":"API rate limit exceeded"}"#.into(),
                ),
                ok(serde_json::json!([repo_json("acme/repo-b", &urls["repo-b"], false, false)])),
            ],
        );
        routes.insert(
            "/users/bob/repos?type=owner&per_page=100".to_string(),
            vec![
                (502, vec![], r#"{"message":"Bad Gateway"}"#.into()),
                ok(serde_json::json!([repo_json("bob/repo-c", &urls["repo-c"], false, false)])),
            ],
        );
        routes.insert(
            "/search/repositories?q=topic%3Aml+language%3Apython&per_page=100".to_string(),
            vec![ok(serde_json::json!({"total_count": 1, "items": [a.clone()]}))],
        );
        routes
    });
    let api = format!("http://127.0.0.1:{}", mock.port);
    let db = tmp.path().join("gh.sqlite");
    let cache = tmp.path().join("cache");
    let token = "ghp_SECRET_TOKEN_0123456789";
    let o = Command::new(MINE)
        .args(["--org", "acme", "--user", "bob", "--search", "topic:ml language:python", "--repo", "acme/gone"])
        .args(["--api-url", &api, "--db", db.to_str().expect("utf8"), "--cache", cache.to_str().expect("utf8"), "-q"])
        .env("GITHUB_TOKEN", token)
        .output()
        .expect("run mine");
    let (out, err) = (stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(1), "acme/gone failed, the rest mined:\n{out}\n{err}");
    assert!(out.contains("3 mined, 1 failed, 2 skipped"), "{out}\n{err}");
    let repos = export_jsonl(&db, &["--table", "repos"]);
    check_schema("repos", &repos);
    let status = |n: &str| repos.iter().find(|r| r["repo"] == n).map(|r| r["status"].as_str().unwrap_or("").to_string());
    assert_eq!(status("acme/repo-a").as_deref(), Some("ok"));
    assert_eq!(status("acme/repo-b").as_deref(), Some("ok"), "the rate-limited page was waited for and read");
    assert_eq!(status("bob/repo-c").as_deref(), Some("ok"), "the 502 was retried");
    assert_eq!(status("acme/repo-fork").as_deref(), Some("skipped"));
    assert_eq!(status("acme/repo-old").as_deref(), Some("skipped"));
    assert_eq!(status("acme/gone").as_deref(), Some("failed"));
    let b = repos.iter().find(|r| r["repo"] == "acme/repo-b").expect("repo-b");
    assert_eq!(b["shallow"], true, "the git:// clone is depth 1");
    let a = repos.iter().find(|r| r["repo"] == "acme/repo-a").expect("repo-a");
    assert_eq!((a["stars"].as_i64(), a["language"].as_str(), a["license"].as_str()), (Some(42), Some("Python"), Some("MIT")));
    let usages = export_jsonl(&db, &["--repo", "acme/repo-a"]);
    assert!(!usages.is_empty(), "the org's repositories are mined");
    // The token went to the API as a header, and nowhere else.
    let seen = mock.seen.lock().expect("lock").clone();
    assert!(seen.iter().all(|(_, auth)| auth.contains(token)), "{seen:?}");
    let mut haystacks = vec![out.clone(), err.clone()];
    for f in walkdir::WalkDir::new(tmp.path()).into_iter().flatten().filter(|e| e.file_type().is_file()) {
        let p = f.path().to_string_lossy().to_string();
        if p.contains("/work/") || p.contains("/served/") {
            continue;
        }
        haystacks.push(String::from_utf8_lossy(&std::fs::read(f.path()).unwrap_or_default()).into_owned());
    }
    for h in &haystacks {
        assert!(!h.contains(token), "the token leaked");
    }
    // A second run resumes: nothing is cloned or mined again.
    let o = Command::new(MINE)
        .args([
            "--org",
            "acme",
            "--api-url",
            &api,
            "--db",
            db.to_str().expect("utf8"),
            "--cache",
            cache.to_str().expect("utf8"),
            "-q",
        ])
        .output()
        .expect("run mine");
    assert!(stdout(&o).contains("0 mined, 0 failed, 4 skipped (2 already mined"), "{}{}", stdout(&o), stderr(&o));
}

/// `URL@REF` entries mine the pinned tag, branch or commit, each recorded at
/// that commit; clones are deleted after mining unless `--keep-clones`.
#[test]
fn pinned_refs_mine_the_commit_they_name() {
    let tmp = tempfile::tempdir().expect("tmp");
    let work = tmp.path().join("work");
    let (repo, first) = git_repo_from(&corpus().join("tabular-service"), &work);
    repo.tag_lightweight("v1", &repo.find_object(first, None).expect("obj"), false).expect("tag");
    std::fs::write(work.join("later.py"), "import torch\nm = torch.load('later.pt')\n").expect("w");
    let second = commit_all(&repo, "later");
    let bare = tmp.path().join("served/tab.git");
    bare_clone(&work, &bare);
    let url = format!("file://{}", bare.display());
    let entries = format!("{url}@v1\n{url}@{first}\n{url}\n");
    let (o, db) = mine_list(tmp.path(), &entries);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let repos = export_jsonl(&db, &["--table", "repos"]);
    let commit_of =
        |loc: &str| repos.iter().find(|r| r["location"] == loc).and_then(|r| r["commit"].as_str()).map(str::to_string);
    assert_eq!(commit_of(&format!("{url}@v1")), Some(first.to_string()));
    assert_eq!(commit_of(&format!("{url}@{first}")), Some(first.to_string()));
    assert_eq!(commit_of(&url), Some(second.to_string()));
    let later = db_count(&db, "SELECT count(*) FROM usages WHERE path = 'later.py'");
    assert_eq!(later, 1, "only the unpinned entry has the later commit's file");
    let cache = tmp.path().join("cache");
    let left = std::fs::read_dir(&cache).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "clones are deleted after mining by default");
    // An unknown ref fails that entry only.
    let (o, _) = mine_list(tmp.path(), &format!("{url}@no-such-tag\n"));
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("no branch, tag or commit 'no-such-tag'"), "{}", stdout(&o));
}

/// A run killed mid-batch leaves whole repositories only; the next run
/// mines the rest, and the result equals an uninterrupted run's.
#[test]
fn a_killed_org_run_resumes_to_the_same_rows() {
    let tmp = tempfile::tempdir().expect("tmp");
    let served = tmp.path().join("served");
    let work = tmp.path().join("work");
    git_repo_from(&corpus().join("sentiment-api"), &work);
    bare_clone(&work, &served.join("base.git"));
    let n = 40;
    let mut items = Vec::new();
    for i in 0..n {
        std::os::unix::fs::symlink("base.git", served.join(format!("r{i}.git"))).expect("symlink");
        items.push(repo_json(&format!("acme/r{i}"), &format!("file://{}/r{i}.git", served.display()), false, false));
    }
    let body = Value::Array(items);
    let mock = mock_github(|_| {
        let mut r = Routes::new();
        r.insert("/orgs/acme/repos?type=all&per_page=100".to_string(), vec![ok(body.clone())]);
        r
    });
    let api = format!("http://127.0.0.1:{}", mock.port);
    let run = |db: &Path| -> Command {
        let mut c = Command::new(MINE);
        c.args(["--org", "acme", "--api-url", &api, "--db", db.to_str().expect("utf8"), "--jobs", "1", "-q"]);
        c.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
        c
    };
    let killed = tmp.path().join("killed.sqlite");
    let mut child = run(&killed).spawn().expect("spawn");
    let t0 = std::time::Instant::now();
    loop {
        let done = Connection::open(&killed)
            .ok()
            .and_then(|c| c.query_row("SELECT count(*) FROM repos WHERE status = 'ok'", [], |r| r.get::<_, i64>(0)).ok())
            .unwrap_or(0);
        if done >= 3 || t0.elapsed() > std::time::Duration::from_secs(60) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().expect("kill");
    let _ = child.wait();
    let partial = db_count(&killed, "SELECT count(*) FROM repos WHERE status = 'ok'");
    assert!(partial >= 3 && partial < n, "killed after {partial} repositories");
    // Every repository in the database is whole: its usage count matches.
    let torn = db_count(
        &killed,
        "SELECT count(*) FROM repos r WHERE r.usages != (SELECT count(*) FROM usages u WHERE u.repo_id = r.id)",
    );
    assert_eq!(torn, 0);
    let o = run(&killed).output().expect("resume");
    assert!(o.status.success());
    let clean = tmp.path().join("clean.sqlite");
    assert!(run(&clean).output().expect("clean run").status.success());
    let q = "SELECT r.name || '|' || u.path || '|' || u.line || '|' || coalesce(u.model_id, '') FROM usages u JOIN repos r ON r.id = u.repo_id ORDER BY 1";
    let rows = |db: &Path| -> Vec<String> {
        let c = Connection::open(db).expect("open");
        let mut st = c.prepare(q).expect("prepare");
        st.query_map([], |r| r.get::<_, String>(0)).expect("query").map(|r| r.expect("row")).collect()
    };
    let (a, b) = (rows(&killed), rows(&clean));
    assert_eq!(a.len(), b.len());
    assert_eq!(a, b, "the resumed database equals a clean run's");
    assert_eq!(db_count(&killed, "SELECT count(*) FROM repos WHERE status = 'ok'"), n);
}

/// `--repo OWNER/NAME@REF` and `--at DATE` pin what a GitHub source mines.
#[test]
fn github_pins_and_dates_mine_the_commit_they_name() {
    let tmp = tempfile::tempdir().expect("tmp");
    let work = tmp.path().join("work");
    let (repo, first) = git_repo_from(&corpus().join("llm-chat"), &work);
    std::fs::write(work.join("later.py"), "import torch\nm = torch.load('later.pt')\n").expect("w");
    let second = commit_all(&repo, "later");
    let bare = tmp.path().join("served/x.git");
    bare_clone(&work, &bare);
    let url = format!("file://{}", bare.display());
    let x = repo_json("acme/x", &url, false, false);
    let commits = serde_json::json!([{ "sha": first.to_string() }]);
    let mock = mock_github(|_| {
        let mut r = Routes::new();
        r.insert("/repos/acme/x".to_string(), vec![ok(x.clone())]);
        r.insert("/repos/acme/x/commits?sha=main&until=2024-06-01T00:00:00Z&per_page=1".to_string(), vec![ok(commits.clone())]);
        r
    });
    let api = format!("http://127.0.0.1:{}", mock.port);
    let db = tmp.path().join("p.sqlite");
    let dbs = db.to_str().expect("utf8");
    let o = mine(&["--repo", &format!("acme/x@{first}"), "--api-url", &api, "--db", dbs, "-q"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let o = mine(&["--repo", "acme/x", "--at", "2024-06-01", "--api-url", &api, "--db", dbs, "-q", "--force"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    // `owner/name` lines of a list file are GitHub repositories too.
    let list = tmp.path().join("gh.txt");
    std::fs::write(&list, "acme/x   # looked up through the API\n").expect("w");
    let o = Command::new(MINE)
        .args(["--list", list.to_str().expect("utf8"), "--db", dbs, "-q"])
        .env("GITHUB_API_URL", &api)
        .output()
        .expect("run mine");
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let repos = export_jsonl(&db, &["--table", "repos"]);
    let commits: std::collections::BTreeSet<String> =
        repos.iter().filter_map(|r| r["commit"].as_str().map(str::to_string)).collect();
    assert_eq!(commits, [first.to_string(), second.to_string()].into_iter().collect(), "{repos:?}");
    assert!(repos.iter().all(|r| r["repo"] == "acme/x"));
    assert!(repos.iter().any(|r| r["location"].as_str().is_some_and(|l| l.ends_with(&format!("@{first}")))));
}

/// The model graph: edges found, the class and edges exported, and the
/// pictures drawn.
#[test]
fn topology_is_exported_and_drawn() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().join("duo");
    std::fs::create_dir_all(&root).expect("mkdir");
    std::fs::write(
        root.join("ens.py"),
        "import joblib\nimport numpy as np\n\na = joblib.load('models/rf.joblib')\nb = joblib.load('models/gb.joblib')\n\n\
         def predict(x):\n    p1 = a.predict_proba(x)\n    p2 = b.predict_proba(x)\n    return np.mean([p1, p2], axis=0)\n",
    )
    .expect("w");
    std::fs::write(root.join("other.py"), "import torch\nw = torch.load('w.pt', weights_only=True)\nnp_save = None\n")
        .expect("w");
    let db = tmp.path().join("t.sqlite");
    let dbs = db.to_str().expect("utf8");
    let o = mine(&["--path", root.to_str().expect("utf8"), "--db", dbs, "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let topo = export_jsonl(&db, &["--table", "topology"]);
    check_schema("topology", &topo);
    assert_eq!(topo.len(), 1);
    assert_eq!(topo[0]["class"], "ensemble");
    assert_eq!(topo[0]["models"], 3);
    let edges = export_jsonl(&db, &["--table", "edges"]);
    check_schema("edges", &edges);
    assert_eq!(edges.len(), 1, "{edges:?}");
    assert_eq!(
        (edges[0]["kind"].as_str(), edges[0]["from_line"].as_str(), edges[0]["to_line"].as_str()),
        (Some("ensemble"), Some("4"), Some("5"))
    );
    assert!(edges[0]["evidence"].as_str().is_some_and(|e| e.starts_with("ens.py:10:")), "{edges:?}");
    for (format, needle) in [("dot", "digraph"), ("mermaid", "graph LR"), ("svg", "<svg")] {
        let o = mine(&["report", "--db", dbs, "--repo", "duo", "--format", format]);
        assert!(o.status.success(), "{format}: {}", stderr(&o));
        let out = stdout(&o);
        assert!(out.starts_with(needle) && out.contains("file:models/rf.joblib") && out.contains("ensemble"), "{format}: {out}");
    }
    let o = mine(&["report", "--db", dbs, "--repo", "nope"]);
    assert_eq!(o.status.code(), Some(2));
}

/// Topology fixtures (`corpus/topology/*/topology.json`): class, model count
/// and edges (kind and both load sites; ensemble and alternative edges
/// unordered). The fixtures listed in MATCHING must match; the others are
/// the analysis's known gaps (issue 6), reported by name.
#[test]
fn topology_fixtures() {
    const MATCHING: &[&str] = &[
        "asr-backends",
        "caption-translate",
        "chat-backends",
        "churn-blend",
        "doc-qa",
        "edge-classifier",
        "embed-export",
        "embedder-select",
        "fraud-vote",
        "gate-camera",
        "ner-service",
        "notes-rag",
        "pdf-chat",
        "podcast-subtitles",
        "sdxl-studio",
        "semsearch-registry",
        "sentiment-backends",
        "shelf-scanner",
        "shop-captions",
        "sign-reader",
        "split-tools",
        "standup-minutes",
        "voice-memo-digest",
        "xray-ensemble",
    ];
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/topology");
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("t.sqlite");
    let mut args: Vec<String> = vec![];
    let mut names = Vec::new();
    for e in std::fs::read_dir(&root).expect("corpus/topology").flatten() {
        if e.path().join("topology.json").is_file() {
            names.push(e.file_name().to_string_lossy().into_owned());
            args.push("--path".into());
            args.push(e.path().display().to_string());
        }
    }
    args.extend(["--db".into(), db.display().to_string(), "-q".into()]);
    let o = mine(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = export_jsonl(&db, &["--table", "topology"]);
    check_schema("topology", &rows);
    let key = |e: &Value| {
        let end = |s: &str| {
            let line = e[s]["line"].as_str().map(str::to_string).unwrap_or_else(|| e[s]["line"].to_string());
            (e[s]["path"].as_str().unwrap_or("").to_string(), line.rsplit(':').next().unwrap_or("").to_string())
        };
        let (a, b) = (end("from"), end("to"));
        let kind = e["kind"].as_str().unwrap_or("").to_string();
        // Pipelines are directed; ensembles and alternatives are not.
        if kind == "pipeline" || a <= b {
            (kind, a, b)
        } else {
            (kind, b, a)
        }
    };
    let mut matching = Vec::new();
    let mut report = Vec::new();
    for name in &names {
        let exp: Value =
            serde_json::from_str(&std::fs::read_to_string(root.join(name).join("topology.json")).expect("read")).expect("json");
        let got = rows.iter().find(|r| r["repo"] == name.as_str()).unwrap_or_else(|| panic!("{name} not mined"));
        let ge: std::collections::BTreeSet<_> = got["edges"].as_array().expect("edges").iter().map(key).collect();
        let ee: std::collections::BTreeSet<_> = exp["edges"].as_array().expect("edges").iter().map(key).collect();
        let ok = got["class"] == exp["class"] && got["models"] == exp["models"] && ge == ee;
        if ok {
            matching.push(name.as_str());
        } else {
            report.push(format!(
                "{name}: class {} (expected {}), missing {:?}, extra {:?}",
                got["class"],
                exp["class"],
                ee.difference(&ge).collect::<Vec<_>>(),
                ge.difference(&ee).collect::<Vec<_>>()
            ));
        }
    }
    eprintln!("topology fixtures matching: {} of {}\n{}", matching.len(), names.len(), report.join("\n"));
    for m in MATCHING {
        assert!(matching.contains(m), "{m} no longer matches:\n{}", report.join("\n"));
    }
    // sdxl-studio's loads go through a registry of another module: a keyed
    // item resolves to its class (and the model to the namespace's constant),
    // an item for a run-time key keeps the api as written.
    let usages = export_jsonl(&db, &["--table", "usages", "--repo", "sdxl-studio"]);
    let row = |line: u64| {
        usages
            .iter()
            .find(|u| u["line"] == line)
            .map(|u| (u["api"].as_str().unwrap_or("").to_string(), u["model"].clone(), u["ecosystem"].clone()))
    };
    assert_eq!(
        row(19),
        Some((
            "diffusers.StableDiffusionXLImg2ImgPipeline.from_pretrained".to_string(),
            Value::from("stabilityai/stable-diffusion-xl-refiner-1.0"),
            Value::from("huggingface")
        ))
    );
    assert_eq!(row(13), Some(("Pipeline.from_single_file".to_string(), Value::Null, Value::from("huggingface"))));
    assert_eq!(row(15), Some(("Pipeline.from_pretrained".to_string(), Value::Null, Value::from("huggingface"))));
}

// ---------------------------------------------------------------- hub label store

/// `mine` with an empty home and cache folder and no database: the embedded store only.
fn mine_fresh(home: &Path, args: &[&str]) -> Output {
    Command::new(MINE)
        .args(args)
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("HF_TOKEN")
        .env_remove("HF_ENDPOINT")
        .output()
        .expect("run mine")
}

#[test]
fn select_works_offline_from_the_embedded_store() {
    let home = tempfile::tempdir().expect("tmp");
    let o = mine_fresh(
        home.path(),
        &[
            "select",
            "--task",
            "image-classification",
            "--label",
            "dataset:imagenet-1k",
            "--max-params",
            "30M",
            "--top",
            "5",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Vec<Value> = serde_json::from_str(&stdout(&o)).expect("json array");
    assert_eq!(v.len(), 5);
    check_schema("selection", &objects(&v));
    let mut last = (f64::MAX, f64::MAX);
    for m in &v {
        for k in ["model", "score", "labels", "params", "license"] {
            assert!(m.get(k).is_some(), "{k} missing in {m}");
        }
        assert!(m["params"].as_u64().expect("known size") <= 30_000_000, "{m}");
        assert!(m["labels"].as_array().expect("labels").iter().any(|l| l == "dataset:imagenet-1k"));
        let key = (m["score"].as_f64().expect("score"), m["quality"].as_f64().unwrap_or(0.0));
        assert!(key <= last, "best first: {key:?} after {last:?}");
        last = key;
    }
    // Unknown sizes are left out under --max-params unless asked for.
    let o = mine_fresh(home.path(), &["select", "--task", "fill-mask", "--label", "language:fr", "--max-params", "7B", "--json"]);
    assert_eq!(serde_json::from_str::<Vec<Value>>(&stdout(&o)).expect("json").len(), 0, "{}", stdout(&o));
    let o = mine_fresh(
        home.path(),
        &["select", "--task", "fill-mask", "--label", "language:fr", "--max-params", "7B", "--include-unknown-size", "--json"],
    );
    let v: Vec<Value> = serde_json::from_str(&stdout(&o)).expect("json");
    assert!(!v.is_empty() && v.iter().all(|m| m["params"].is_null()));
    // No single model: the smallest covering set is returned and marked.
    let o = mine_fresh(
        home.path(),
        &["select", "--task", "text-classification", "--label", "language:fr", "--label", "domain:medical"],
    );
    assert!(stdout(&o).contains("the smallest set that does"), "{}", stdout(&o));
    // A sub-task resolves under its task, and a task typed wrong is one line naming it.
    let o = mine_fresh(home.path(), &["select", "--task", "sentiment-analysis", "--top", "3", "--json"]);
    let v: Vec<Value> = serde_json::from_str(&stdout(&o)).expect("json");
    assert!(v.iter().all(|m| m["score"] == 1.0), "{v:?}");
    for (args, needle) in [
        (vec!["select", "--task", "sentimental"], "--task: unknown label 'sentimental'"),
        (vec!["select", "--task", "fill-mask", "--label", "flavour:sweet"], "--label: unknown label 'flavour:sweet'"),
        (vec!["select", "--task", "fill-mask", "--max-params", "lots"], "'lots' is not a parameter count"),
        (vec!["select", "--task", "fill-mask", "--db", "/no/such.sqlite"], "/no/such.sqlite"),
    ] {
        let o = mine_fresh(home.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
    assert!(!home.path().join("cache").exists(), "select wrote into the cache folder");
    // The store's statistics name where the rows came from.
    let o = mine_fresh(home.path(), &["labels", "stats"]);
    assert!(stdout(&o).contains("seed:hf_models_top9715_normalized.csv"), "{}", stdout(&o));
}

#[test]
fn the_selection_benchmark_prints_its_table() {
    let o = mine(&["select", "--evaluate", "--max-params", "200M"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("38 datasets") && out.contains("of at most 200M parameters"), "{out}");
    for line in ["labels (mine select)", "average on other datasets", "largest model", "EuroSAT"] {
        assert!(out.contains(line), "{line} missing: {out}");
    }
}

/// Three repositories loading Hub models and a hosted LLM, mined into one database.
fn mined_label_corpus(tmp: &Path) -> PathBuf {
    let files: [(&str, &str); 3] = [
        (
            "encoder-app",
            "from transformers import AutoModel, AutoTokenizer, pipeline\nfrom openai import OpenAI\n\n\
             tok = AutoTokenizer.from_pretrained(\"bert-base-uncased\")\n\
             enc = AutoModel.from_pretrained(\"bert-base-uncased\", trust_remote_code=True)\n\
             ghost = AutoModel.from_pretrained(\"nobody-at-all/not-on-the-hub\")\n\
             client = OpenAI()\n\
             reply = client.chat.completions.create(model=\"gpt-3.5-turbo\", messages=[])\n",
        ),
        ("distil-one", "from transformers import AutoModel\n\nm = AutoModel.from_pretrained(\"distilbert-base-uncased\")\n"),
        ("distil-two", "from transformers import AutoModelForMaskedLM\n\nm = AutoModelForMaskedLM.from_pretrained(\"distilbert/distilbert-base-uncased\")\n"),
    ];
    let mut list = String::new();
    for (name, code) in files {
        let dir = tmp.join(name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("app.py"), code).expect("write");
        let repo = git2::Repository::init(&dir).expect("init");
        commit_all(&repo, "app");
        list.push_str(&format!("{}\n", dir.display()));
    }
    let (o, db) = mine_list(tmp, &list);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("linked to the store"), "{}", stdout(&o));
    db
}

#[test]
fn usages_are_linked_and_recommendations_stored_and_reported() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = mined_label_corpus(tmp.path());
    let dbs = db.to_str().expect("utf8");
    assert_eq!(
        db_count(&db, "SELECT COUNT(*) FROM links WHERE hub_model = 'huggingface:google-bert/bert-base-uncased'"),
        1,
        "the legacy id links to the canonical model (the tokenizer is an aux load, not linked)"
    );
    assert_eq!(db_count(&db, "SELECT COUNT(*) FROM hub_models"), 0, "mining does not copy the store");
    let o = mine(&["recommend", "--db", dbs, "--repo", "encoder-app", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let recs: Vec<Value> = serde_json::from_str(&stdout(&o)).expect("json");
    assert!(recs.iter().all(|r| r["repo"] == "encoder-app"));
    check_schema("recommendations", &objects(&recs));
    for r in &recs {
        for k in ["repo", "path", "line", "model_id", "linked", "labels", "findings", "alternatives"] {
            assert!(r.get(k).is_some(), "{k} missing in {r}");
        }
        for a in r["alternatives"].as_array().expect("alternatives") {
            assert!(!a["reasons"].as_array().expect("reasons").is_empty(), "{a}");
        }
    }
    let at = |line: u64| recs.iter().find(|r| r["line"] == line).unwrap_or_else(|| panic!("no usage at line {line}: {recs:?}"));
    let bert = at(5);
    assert_eq!(bert["linked"], true);
    assert!(bert["labels"].as_array().expect("labels").iter().any(|l| l == "task:fill-mask"), "{bert}");
    let findings: Vec<&str> = bert["findings"].as_array().expect("f").iter().filter_map(Value::as_str).collect();
    assert!(
        findings.iter().any(|f| f.starts_with("legacy id: 'bert-base-uncased' now lives at 'google-bert/bert-base-uncased'")),
        "{findings:?}"
    );
    assert!(findings.iter().any(|f| f.starts_with("trust_remote_code")), "{findings:?}");
    assert!(findings.iter().any(|f| f.starts_with("unpinned revision")), "{findings:?}");
    // distilbert is loaded by two repositories, bert by one: more reused.
    let alt = &bert["alternatives"][0];
    assert_eq!(alt["model"], "huggingface:distilbert/distilbert-base-uncased", "{bert}");
    assert!(alt["reasons"][0].as_str().expect("reason").contains("more reused: 2 repositories"), "{alt}");
    let ghost = at(6);
    assert_eq!(ghost["linked"], false);
    assert!(ghost["findings"]
        .as_array()
        .expect("f")
        .iter()
        .any(|f| f.as_str().is_some_and(|f| f.starts_with("model not in the hub label store"))));
    let gpt = at(8);
    assert!(
        gpt["findings"].as_array().expect("f").iter().any(|f| f.as_str().is_some_and(|f| f.starts_with("deprecated"))),
        "{gpt}"
    );
    assert_eq!(
        db_count(&db, "SELECT COUNT(*) FROM recommendations r JOIN repos p ON p.id = r.repo_id WHERE p.name = 'encoder-app'"),
        recs.len() as i64
    );
    // The report shows them.
    let o = mine(&["report", "--db", dbs, "--repo", "encoder-app", "--format", "markdown"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = stdout(&o);
    assert!(
        md.contains("legacy id: 'bert-base-uncased'")
            && md.contains("`huggingface:distilbert/distilbert-base-uncased`: more reused"),
        "{md}"
    );
    // Link shares by ecosystem.
    let o = mine(&["labels", "stats", "--db", dbs]);
    assert!(stdout(&o).contains("usages linked to the store, by ecosystem"), "{}", stdout(&o));
    let o = mine(&["recommend", "--db", dbs, "--repo", "no-such-repo"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--repo 'no-such-repo'"));
}

#[test]
fn imported_models_join_the_store_and_bad_files_write_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = mined_label_corpus(tmp.path());
    let dbs = db.to_str().expect("utf8");
    let jsonl = tmp.path().join("models.jsonl");
    let lines = "{\"id\":\"huggingface:acme/tiny-fill\",\"task\":\"fill-mask\",\"params\":11000000,\"license\":\"mit\",\
         \"labels\":[{\"label\":\"language:en\"},{\"label\":\"dataset:wikipedia\",\"weight\":0.61}]}\n\
         {\"id\":\"huggingface:nobody-at-all/not-on-the-hub\",\"task\":\"feature-extraction\",\"license\":\"cc-by-nc-4.0\",\"gated\":true}\n";
    let rows: Vec<Value> = lines.lines().map(|l| serde_json::from_str(l).expect("json")).collect();
    check_schema("hub_models", &objects(&rows));
    std::fs::write(&jsonl, lines).expect("write");
    let csv = tmp.path().join("models.csv");
    std::fs::write(&csv, "id,task,params,license,labels\nhuggingface:acme/small-fill,fill-mask,40M,apache-2.0,language:en;dataset:wikipedia=0.55\n")
        .expect("write");
    let o = mine(&["labels", "import", jsonl.to_str().expect("utf8"), csv.to_str().expect("utf8"), "--db", dbs]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("imported 3 models"), "{}", stdout(&o));
    assert_eq!(db_count(&db, "SELECT COUNT(*) FROM hub_models"), 3);
    assert_eq!(
        db_count(&db, "SELECT COUNT(*) FROM hub_model_labels WHERE model_id = 'huggingface:acme/tiny-fill' AND weight = 0.61"),
        1
    );
    // The imported model now links the usage that was not in the store.
    assert_eq!(db_count(&db, "SELECT COUNT(*) FROM links WHERE hub_model = 'huggingface:nobody-at-all/not-on-the-hub'"), 1);
    let o = mine(&["select", "--db", dbs, "--task", "fill-mask", "--label", "language:en", "--max-params", "50M", "--json"]);
    let v: Vec<Value> = serde_json::from_str(&stdout(&o)).expect("json");
    let ids: Vec<&str> = v.iter().filter_map(|m| m["model"].as_str()).collect();
    assert_eq!(ids, ["huggingface:acme/tiny-fill", "huggingface:acme/small-fill"], "weights rank: 0.61 over 0.55");
    assert_eq!(v[0]["origin"], format!("import:{}:1", jsonl.display()));
    let o = mine(&["recommend", "--db", dbs, "--repo", "encoder-app", "--json"]);
    let recs: Vec<Value> = serde_json::from_str(&stdout(&o)).expect("json");
    let ghost = recs.iter().find(|r| r["line"] == 6).expect("line 6");
    assert!(
        ghost["findings"].as_array().expect("f").iter().any(|f| f.as_str().is_some_and(|f| f.starts_with("gated model"))),
        "{ghost}"
    );
    // Reuse across the corpus ranks select's models when --db is given.
    let o = mine(&["select", "--db", dbs, "--task", "fill-mask", "--label", "language:en", "--top", "1", "--json"]);
    let v: Vec<Value> = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v[0]["model"], "huggingface:distilbert/distilbert-base-uncased", "{v:?}");
    assert_eq!(v[0]["reuse"], 2);
    // A bad row anywhere: one line naming file and line, nothing written.
    let bad = tmp.path().join("bad.csv");
    std::fs::write(&bad, "id,labels\nhuggingface:acme/ok,language:en\nhuggingface:acme/bad,dataset:x=1.7\n").expect("write");
    let before = db_count(&db, "SELECT COUNT(*) FROM hub_models");
    for (file, needle) in [
        (bad.clone(), "bad.csv:3: label 'dataset:x': weight 1.7 is not between 0 and 1"),
        (tmp.path().join("missing.jsonl"), "missing.jsonl"),
    ] {
        let o = mine(&["labels", "import", file.to_str().expect("utf8"), "--db", dbs]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert_eq!(stderr(&o).trim_end().lines().count(), 1, "{}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{}", stderr(&o));
    }
    assert_eq!(db_count(&db, "SELECT COUNT(*) FROM hub_models"), before);
}

fn hf_item(id: &str, task: &str, downloads: u64) -> Value {
    serde_json::json!({
        "id": id, "pipeline_tag": task, "library_name": "transformers", "downloads": downloads, "likes": 3,
        "tags": ["transformers", "safetensors", "en", "license:apache-2.0", "dataset:imdb"],
        "cardData": {"license": "apache-2.0"}, "safetensors": {"total": 4_400_000}, "gated": false
    })
}

#[test]
fn labels_sync_pages_through_the_hub_api_mock() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("labels.sqlite");
    let dbs = db.to_str().expect("utf8");
    let first = |base: &str, limit: usize| miner::labels::sync::first_url(base, limit)[base.len()..].to_string();
    let mock = mock_github(|base| {
        let mut r = Routes::new();
        let next = |p: &str| vec![("Link".to_string(), format!("<{base}/api/models?cursor={p}>; rel=\"next\""))];
        r.insert(
            first(base, 3),
            vec![(
                200,
                next("page2"),
                serde_json::json!([hf_item("acme/a", "text-classification", 900), hf_item("acme/b", "fill-mask", 800)])
                    .to_string(),
            )],
        );
        r.insert(
            "/api/models?cursor=page2".into(),
            vec![
                (429, vec![("Retry-After".into(), "0".into())], "{\"error\":\"slow down\"}".into()),
                (200, next("page3"), serde_json::json!([{"downloads": 5}, hf_item("acme/c", "translation", 700), hf_item("acme/d", "summarization", 600)]).to_string()),
            ],
        );
        r.insert("/api/models?cursor=page3".into(), vec![ok(serde_json::json!([hf_item("acme/e", "fill-mask", 1)]))]);
        // A second sync whose second page keeps failing.
        r.insert(
            first(base, 5),
            vec![(200, next("broken"), serde_json::json!([hf_item("acme/f", "fill-mask", 500)]).to_string())],
        );
        r.insert("/api/models?cursor=broken".into(), vec![(503, vec![("Retry-After".into(), "0".into())], "down".into())]);
        r
    });
    let api = format!("http://127.0.0.1:{}", mock.port);
    let o = mine(&["labels", "sync", "--hf", "--api-url", &api, "--limit", "3", "--token", "hf_secret_token", "--db", dbs]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("synced 3 models") && stdout(&o).contains("1 retries, 1 items skipped"), "{}", stdout(&o));
    assert_eq!(db_count(&db, "SELECT COUNT(*) FROM hub_models"), 3);
    assert_eq!(db_count(&db, "SELECT params FROM hub_models WHERE id = 'huggingface:acme/a'"), 4_400_000);
    assert_eq!(
        db_count(&db, "SELECT COUNT(*) FROM hub_model_labels WHERE label IN ('task:translation', 'language:en', 'dataset:imdb')"),
        7
    );
    assert_eq!(db_count(&db, "SELECT COUNT(*) FROM hub_models WHERE origin LIKE 'hf-api:http://127.0.0.1:%'"), 3);
    let seen = mock.seen.lock().expect("lock").clone();
    assert!(seen.iter().all(|(_, auth)| auth == "Bearer hf_secret_token"), "{seen:?}");
    assert!(!seen.iter().any(|(p, _)| p.contains("page3")), "stopped at the limit");
    let raw = std::fs::read(&db).expect("read db");
    assert!(!raw.windows(15).any(|w| w == b"hf_secret_token"), "the token reached the database");
    // The synced models are selectable.
    let o = mine(&["select", "--db", dbs, "--task", "translation", "--max-params", "5M", "--json"]);
    let v: Vec<Value> = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v[0]["model"], "huggingface:acme/c");
    // A sync that fails mid-way: one line, exit 1, the page already fetched kept.
    let o = mine(&["labels", "sync", "--hf", "--api-url", &api, "--limit", "5", "--db", dbs]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stderr(&o).trim_end().lines().count(), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("HTTP 503") && stderr(&o).contains("1 models already written are kept"), "{}", stderr(&o));
    assert_eq!(db_count(&db, "SELECT COUNT(*) FROM hub_models WHERE id = 'huggingface:acme/f'"), 1);
    let o = mine(&["labels", "sync", "--hf", "--api-url", "ftp://example.org", "--db", dbs]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--api-url 'ftp://example.org'"));
}
