//! Hostile input and faults: every case is a recorded error, never a crash,
//! a hang, a leaked token or code execution. Everything hostile is made here,
//! at test time (symlink loops, FIFOs, 50 MB files and odd names cannot be
//! committed).

mod common;

use common::*;
use rusqlite::Connection;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn w(p: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write");
}

const LOAD: &str = "from transformers import AutoModel\nm = AutoModel.from_pretrained(\"bert-base-uncased\")\n";

/// A repository of hostile files; returns the paths expected to be skipped or in error.
fn hostile_tree(root: &Path, outside: &Path) {
    // A 50 MB generated file: skipped as too large.
    let mut big = b"DATA = [\n".to_vec();
    while big.len() < 50 * 1024 * 1024 {
        big.extend_from_slice(b"    0.123456789, 0.987654321, 0.5555555, 0.42424242,\n");
    }
    big.extend_from_slice(b"]\n");
    w(&root.join("gen/huge_generated.py"), &big);
    // A 1.5 MB string literal inside a load, analysed.
    let lit = format!(
        "from transformers import AutoModel\nNOTE = \"{}\"\nm = AutoModel.from_pretrained(\"gpt2\")\n",
        "x".repeat(1_500_000)
    );
    w(&root.join("huge_literal.py"), lit.as_bytes());
    // Invalid UTF-8 around a load.
    let mut bad = b"# \xff\xfe\xc3\x28 broken bytes\n".to_vec();
    bad.extend_from_slice(LOAD.as_bytes());
    bad.extend_from_slice(b"x = '\xe9\xff'\n");
    w(&root.join("bad_utf8.py"), &bad);
    // 10,000-deep nesting is analysed; 200,000-deep is over the nesting limit and recorded.
    w(
        &root.join("deep.py"),
        format!("import torch\nx = {}1{}\nm = torch.load('w.pt', weights_only=True)\n", "(".repeat(10_000), ")".repeat(10_000))
            .as_bytes(),
    );
    w(
        &root.join("deeper.py"),
        format!("import torch\nx = {}1{}\nm = torch.load('w.pt')\n", "[".repeat(200_000), "]".repeat(200_000)).as_bytes(),
    );
    // A very long line.
    w(
        &root.join("long_line.py"),
        format!("import torch\ny = {}1\nm = torch.load('w.pt', weights_only=True)\n", "x+".repeat(40_000)).as_bytes(),
    );
    // Notebooks: not JSON, JSON of the wrong shape, UTF-16, empty.
    w(&root.join("nb/not_json.ipynb"), b"this is { not json");
    w(&root.join("nb/binary.ipynb"), b"\x00\x01\x02 a binary blob named like a notebook");
    w(&root.join("nb/wrong_shape.ipynb"), br#"{"cells": "nope", "metadata": 7}"#);
    w(&root.join("nb/empty.ipynb"), b"");
    let nb = r#"{"cells":[{"cell_type":"code","source":["import torch\n","m = torch.load('w.pt', weights_only=True)\n"]}],"metadata":{},"nbformat":4,"nbformat_minor":5}"#;
    let mut nb16 = vec![0xff, 0xfe];
    nb16.extend(nb.encode_utf16().flat_map(|u| u.to_le_bytes()));
    w(&root.join("nb/utf16.ipynb"), &nb16);
    // Encodings: BOM, Latin-1 with its coding line.
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend_from_slice(LOAD.as_bytes());
    w(&root.join("bom.py"), &bom);
    w(
        &root.join("latin1.py"),
        b"# -*- coding: latin-1 -*-\nfrom transformers import AutoModel\nm = AutoModel.from_pretrained(\"caf\xe9/mod\xe8le\")\n",
    );
    // Names: a newline, case twins, spaces and quotes.
    w(&root.join("new\nline.py"), LOAD.as_bytes());
    w(&root.join("Model.py"), LOAD.as_bytes());
    w(&root.join("model.py"), LOAD.as_bytes());
    w(&root.join("we'ird \"name\".py"), LOAD.as_bytes());
    // Path traversal: a config outside the repository names a model the analysis must never read.
    w(&outside.join("secret.json"), br#"{"model": "leaked/secret-model"}"#);
    w(
        &root.join("traversal.py"),
        b"import json\nfrom transformers import AutoModel\ncfg = json.load(open('../../outside/secret.json'))\nm = AutoModel.from_pretrained(cfg['model'])\n",
    );
    w(&root.join("requirements.txt"), b"torch==2.1\n-r ../../outside/secret.json\n-e ../../../etc\n");
    // Symlinks: a loop, a pair pointing at each other, one into /, one to a file outside.
    std::os::unix::fs::symlink("loop", root.join("loop")).expect("symlink");
    std::os::unix::fs::symlink("b", root.join("a")).expect("symlink");
    std::os::unix::fs::symlink("a", root.join("b")).expect("symlink");
    std::os::unix::fs::symlink("/", root.join("rootfs")).expect("symlink");
    std::os::unix::fs::symlink(outside.join("secret.json"), root.join("secret.py")).expect("symlink");
    std::os::unix::fs::symlink("/usr/lib", root.join("pkgs")).expect("symlink");
    std::fs::create_dir_all(root.join("linked_dir")).expect("mkdir");
    std::os::unix::fs::symlink("../../outside/secret.json", root.join("linked_dir/escape.py")).expect("symlink");
}

fn hostile_plain(root: &Path, outside: &Path) {
    hostile_tree(root, outside);
    // Only a folder can hold these: a FIFO (opening it would block) and a name that is not UTF-8.
    let fifo = root.join("pipe.py");
    assert!(Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    use std::os::unix::ffi::OsStrExt;
    w(&root.join(std::ffi::OsStr::from_bytes(b"caf\xe9.py")), LOAD.as_bytes());
}

fn files_with_error(db: &Path) -> Vec<(String, String)> {
    let c = Connection::open(db).expect("db");
    let mut st = c.prepare("SELECT path, error FROM files WHERE error IS NOT NULL ORDER BY path").expect("q");
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).expect("q").collect::<Result<_, _>>().expect("rows")
}

fn skipped(db: &Path) -> Vec<(String, String)> {
    let c = Connection::open(db).expect("db");
    let mut st = c.prepare("SELECT path, reason FROM skipped ORDER BY path").expect("q");
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).expect("q").collect::<Result<_, _>>().expect("rows")
}

fn usage_models(db: &Path, path: &str) -> Vec<String> {
    let c = Connection::open(db).expect("db");
    let mut st = c.prepare("SELECT COALESCE(model, '') FROM usages WHERE path = ?1 AND source != 'aux'").expect("q");
    st.query_map([path], |r| r.get(0)).expect("q").collect::<Result<_, _>>().expect("rows")
}

fn check_hostile(db: &Path, plain: bool) {
    let errors = files_with_error(db);
    let err = |p: &str| {
        errors.iter().find(|(x, _)| x == p).map(|(_, e)| e.clone()).unwrap_or_else(|| panic!("{p} has no error: {errors:?}"))
    };
    assert!(err("deeper.py").contains("nested more than 100000 levels"));
    assert_eq!(usage_models(db, "deep.py").len(), 1, "10,000-deep nesting is analysed");
    assert!(!err("nb/not_json.ipynb").is_empty());
    assert!(!err("nb/wrong_shape.ipynb").is_empty());
    let skips = skipped(db);
    let skip = |p: &str| {
        skips.iter().find(|(x, _)| x == p).map(|(_, r)| r.clone()).unwrap_or_else(|| panic!("{p} not skipped: {skips:?}"))
    };
    assert_eq!(skip("gen/huge_generated.py"), "too-large");
    assert_eq!(skip("nb/binary.ipynb"), "binary");
    assert!(!err("nb/empty.ipynb").is_empty());
    // A link named like a source file is recorded; none is followed (a link to / would list the whole disk).
    assert_eq!(skip("secret.py"), "symlink");
    assert_eq!(skip("linked_dir/escape.py"), "symlink");
    let c = Connection::open(db).expect("db");
    let outside: i64 = c
        .query_row("SELECT COUNT(*) FROM files WHERE path LIKE 'rootfs/%' OR path LIKE 'loop/%' OR path LIKE 'a/%' OR path LIKE 'pkgs/%'", [], |r| r.get(0))
        .expect("q");
    assert_eq!(outside, 0, "a symlinked folder was walked");
    if plain {
        assert_eq!(skip("pipe.py"), "unreadable", "the FIFO is never opened");
        assert!(skips.iter().any(|(p, r)| p.starts_with("caf") && r == "unreadable"), "{skips:?}");
    }
    // What can be analysed is, whatever its encoding or name.
    for p in ["bad_utf8.py", "bom.py", "Model.py", "model.py", "new\nline.py", "we'ird \"name\".py", "huge_literal.py"] {
        assert!(!usage_models(db, p).is_empty(), "{p}: no usage");
    }
    assert_eq!(usage_models(db, "latin1.py"), vec!["caf\u{e9}/mod\u{e8}le".to_string()]);
    assert_eq!(usage_models(db, "nb/utf16.ipynb").len(), 1);
    assert_eq!(usage_models(db, "long_line.py").len(), 1);
    // Nothing from outside the repository was read.
    let c = Connection::open(db).expect("db");
    let leaked: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM usages WHERE COALESCE(model, '') LIKE '%leaked%' OR COALESCE(model_id, '') LIKE '%leaked%'",
            [],
            |r| r.get(0),
        )
        .expect("q");
    assert_eq!(leaked, 0);
    let deps: i64 = c
        .query_row("SELECT COUNT(*) FROM dependencies WHERE name LIKE '%secret%' OR name LIKE '%etc%'", [], |r| r.get(0))
        .expect("q");
    assert_eq!(deps, 0);
}

#[test]
fn hostile_files_are_recorded_and_never_stop_the_run() {
    let tmp = tempfile::tempdir().expect("tmp");
    // As a plain folder.
    let plain = tmp.path().join("repos/plain");
    hostile_plain(&plain, &tmp.path().join("outside"));
    let db = tmp.path().join("plain.sqlite");
    let t0 = Instant::now();
    let o = mine(&["--path", plain.to_str().expect("utf8"), "--db", db.to_str().expect("utf8"), "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    check_hostile(&db, true);
    eprintln!("plain hostile folder mined in {:.1} s", t0.elapsed().as_secs_f64());
    // As a git repository, cloned over file:// and mined from its objects.
    let work = tmp.path().join("repos/work");
    hostile_tree(&work, &tmp.path().join("outside"));
    let repo = git2::Repository::init(&work).expect("init");
    commit_all(&repo, "hostile");
    let bare = tmp.path().join("served/hostile.git");
    git2::build::RepoBuilder::new().bare(true).clone(&format!("file://{}", work.display()), &bare).expect("bare");
    let (o, db) = mine_list(tmp.path(), &format!("file://{}\n", bare.display()));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    check_hostile(&db, false);
}

/// A local repository whose own config would run code on checkout, clean, or hooks.
#[test]
fn git_hooks_filters_and_submodules_never_run_or_fetch() {
    let tmp = tempfile::tempdir().expect("tmp");
    let work = tmp.path().join("evil");
    let marker = tmp.path().join("PWNED");
    copy_tree(&corpus().join("sentiment-api"), &work);
    w(&work.join(".gitattributes"), b"* filter=evil\n*.py filter=evil diff=evil\n");
    w(&work.join(".gitmodules"), b"[submodule \"vendor\"]\n\tpath = vendor\n\turl = https://example.invalid/never.git\n");
    let repo = git2::Repository::init(&work).expect("init");
    commit_all(&repo, "evil");
    {
        let mut cfg = repo.config().expect("config");
        let touch = format!("touch {}", marker.display());
        for key in [
            "filter.evil.smudge",
            "filter.evil.clean",
            "filter.evil.process",
            "diff.evil.textconv",
            "core.fsmonitor",
            "core.hooksPath",
        ] {
            cfg.set_str(key, &touch).expect("set");
        }
    }
    for hook in ["post-checkout", "pre-commit", "post-merge", "fsmonitor-watchman"] {
        let h = work.join(".git/hooks").join(hook);
        w(&h, format!("#!/bin/sh\ntouch {}\n", marker.display()).as_bytes());
        Command::new("chmod").arg("+x").arg(&h).status().expect("chmod");
    }
    // A submodule gitlink in the tree.
    let mut index = repo.index().expect("index");
    let entry = git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o160000,
        uid: 0,
        gid: 0,
        file_size: 0,
        id: git2::Oid::from_str("1234567890123456789012345678901234567890").expect("oid"),
        flags: 0,
        flags_extended: 0,
        path: b"vendor".to_vec(),
    };
    index.add(&entry).expect("add gitlink");
    index.write().expect("write");
    let tree = repo.find_tree(index.write_tree().expect("tree")).expect("tree");
    let head = repo.head().expect("head").peel_to_commit().expect("commit");
    repo.commit(Some("HEAD"), &sig(), &sig(), "submodule", &tree, &[&head]).expect("commit");
    let bare = tmp.path().join("served/evil.git");
    git2::build::RepoBuilder::new().bare(true).clone(&format!("file://{}", work.display()), &bare).expect("bare");
    let list = format!("{}\nfile://{}\n", work.display(), bare.display());
    let (o, db) = mine_list(tmp.path(), &list);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!marker.exists(), "code from the repository ran");
    assert_eq!(db_count(&db, "SELECT COUNT(*) FROM repos WHERE status = 'ok'"), 2);
    assert_eq!(db_count(&db, "SELECT COUNT(*) FROM skipped WHERE path = 'vendor' AND reason = 'submodule'"), 2);
    assert!(db_count(&db, "SELECT COUNT(*) FROM usages") > 0);
}

/// A server that answers every request with `status` (and a body), or never answers when None.
fn http_server(status: Option<&'static str>) -> (u16, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let s2 = stop.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            if s2.load(std::sync::atomic::Ordering::SeqCst) {
                break;
            }
            let Ok(mut conn) = conn else { continue };
            let mut buf = [0u8; 4096];
            let _ = conn.set_read_timeout(Some(Duration::from_millis(500)));
            let _ = conn.read(&mut buf);
            match status {
                Some(st) => {
                    let body = "no";
                    let _ = write!(conn, "HTTP/1.1 {st}\r\nWWW-Authenticate: Basic realm=\"git\"\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
                }
                None => held.push(conn),
            }
        }
    });
    (port, stop)
}

#[test]
fn clone_failures_are_recorded_per_repository_and_the_batch_goes_on() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (auth, _a) = http_server(Some("401 Unauthorized"));
    let (missing, _m) = http_server(Some("404 Not Found"));
    let (hang, _h) = http_server(None);
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    // A repository over the size cap: 3 MB that does not compress.
    let work = tmp.path().join("big");
    copy_tree(&corpus().join("llm-chat"), &work);
    w(&work.join("weights.bin"), &noise(3_000_000, 88172645463325252));
    let repo = git2::Repository::init(&work).expect("init");
    commit_all(&repo, "big");
    let bare = tmp.path().join("served/big.git");
    git2::build::RepoBuilder::new().bare(true).clone(&format!("file://{}", work.display()), &bare).expect("bare");
    let good = tmp.path().join("good");
    git_repo_from(&corpus().join("sentiment-api"), &good);
    let list = format!(
        "http://127.0.0.1:{auth}/private.git\nhttp://127.0.0.1:{missing}/gone.git\nhttp://127.0.0.1:{hang}/silent.git\nhttp://127.0.0.1:{closed}/refused.git\nfile://{}/nowhere.git\nfile://{}\n{}\n",
        tmp.path().display(),
        bare.display(),
        good.display()
    );
    let t0 = Instant::now();
    let (o, db) = mine_list_with(tmp.path(), &list, &["--clone-timeout", "3", "--max-clone-mb", "1"]);
    let took = t0.elapsed();
    assert_eq!(o.status.code(), Some(1), "failures make exit code 1: {}", stderr(&o));
    assert!(took < Duration::from_secs(60), "a silent server held the run for {took:?}");
    let c = Connection::open(&db).expect("db");
    let reason = |needle: &str| -> String {
        c.query_row(
            "SELECT status || ': ' || COALESCE(reason, '') FROM repos WHERE location LIKE ?1",
            [format!("%{needle}%")],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{needle}: {e}"))
    };
    for (needle, expect) in [
        ("private.git", "failed"),
        ("gone.git", "failed"),
        ("silent.git", "failed: no answer from"),
        ("refused.git", "failed"),
        ("nowhere.git", "failed"),
        ("big.git", "failed: clone of"),
    ] {
        let r = reason(needle);
        assert!(r.starts_with(expect), "{needle}: {r}");
    }
    assert!(reason("big.git").contains("larger than --max-clone-mb 1"), "{}", reason("big.git"));
    assert!(reason("/good").starts_with("ok"), "the batch went on");
}

fn copies(tmp: &Path, n: usize) -> PathBuf {
    let names = corpus_names();
    let mut lines = Vec::new();
    for k in 0..n {
        let name = &names[k % names.len()];
        let dest = tmp.join("copies").join(format!("{name}-{k}"));
        copy_tree(&corpus().join(name), &dest);
        lines.push(dest.display().to_string());
    }
    let list = tmp.join("copies.txt");
    std::fs::write(&list, lines.join("\n") + "\n").expect("w");
    list
}

fn run_mine(list: &Path, db: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(MINE);
    c.args(["--list", list.to_str().expect("utf8"), "--db", db.to_str().expect("utf8"), "-q"]).args(extra);
    c.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped());
    c
}

/// `n` copies of demo repositories, listed, and a clean run's database of them.
fn copies_and_clean_run(tmp: &Path, n: usize) -> (PathBuf, PathBuf) {
    let list = copies(tmp, n);
    let clean = tmp.join("clean.sqlite");
    assert!(run_mine(&list, &clean, &[]).status().expect("clean").success());
    (list, clean)
}

#[test]
fn killed_at_random_points_then_resumed_equals_a_clean_run() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (list, clean) = copies_and_clean_run(tmp.path(), 33);
    let killed = tmp.path().join("killed.sqlite");
    // Kill -9 five times at pseudo-random moments (a fixed seed: the same points every run).
    let mut seed: u64 = 0x5eed_1234_abcd;
    let mut kills = Vec::new();
    for _ in 0..5 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let after = Duration::from_millis(20 + (seed >> 33) % 400);
        let mut child = run_mine(&list, &killed, &["--jobs", "2"]).spawn().expect("spawn");
        std::thread::sleep(after);
        let _ = Command::new("kill").args(["-9", &child.id().to_string()]).status();
        let _ = child.wait();
        kills.push(after.as_millis());
        let created = killed.exists()
            && db_count(&killed, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'repos'") == 1;
        if created {
            // Every repository in the database is whole (a kill before the schema exists leaves an empty file).
            let torn = db_count(&killed, "SELECT count(*) FROM repos r WHERE r.status = 'ok' AND r.usages != (SELECT count(*) FROM usages u WHERE u.repo_id = r.id)");
            assert_eq!(torn, 0, "a torn repository after a kill at {after:?}");
        }
    }
    let o = run_mine(&list, &killed, &[]).output().expect("resume");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(snapshot(&killed), snapshot(&clean), "killed at {kills:?} ms then resumed");
}

#[test]
fn a_full_disk_a_locked_database_and_a_read_only_place_say_so_and_lose_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (list, clean) = copies_and_clean_run(tmp.path(), 22);
    // The file-size limit stands in for a full disk: writes fail with EFBIG once the database outgrows it.
    let full = tmp.path().join("full.sqlite");
    let o = Command::new("bash")
        .arg("-c")
        .arg(format!("trap '' XFSZ; ulimit -f 400; exec {MINE} --list {} --db {} --jobs 1 -q", list.display(), full.display()))
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("disk is full") || err.contains("file size limit"), "{err}");
    assert!(err.contains("full.sqlite"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    let kept = db_count(&full, "SELECT COUNT(*) FROM repos WHERE status = 'ok'");
    assert!(kept > 0 && kept < 22, "{kept} repositories written before the disk filled");
    let torn =
        db_count(&full, "SELECT count(*) FROM repos r WHERE r.usages != (SELECT count(*) FROM usages u WHERE u.repo_id = r.id)");
    assert_eq!(torn, 0);
    let o = run_mine(&list, &full, &[]).output().expect("resume");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(snapshot(&full), snapshot(&clean));
    // Another process holds the database: a clear error after --lock-timeout, nothing lost.
    let locked = tmp.path().join("locked.sqlite");
    std::fs::copy(&full, &locked).expect("copy");
    let holder = Connection::open(&locked).expect("open");
    holder.execute_batch("BEGIN EXCLUSIVE").expect("lock");
    let o = run_mine(&list, &locked, &["--lock-timeout", "1", "--force"]).output().expect("run");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_ne!(o.status.code(), Some(0));
    assert!(err.contains("locked by another process"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    holder.execute_batch("ROLLBACK").expect("unlock");
    drop(holder);
    assert_eq!(snapshot(&locked), snapshot(&clean), "the locked database lost nothing");
    // A place that cannot be written.
    let o = run_mine(&list, Path::new("/proc/mine-cannot-write-here.sqlite"), &[]).output().expect("run");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(matches!(o.status.code(), Some(1 | 2)), "{err}");
    assert!(err.contains("/proc/mine-cannot-write-here.sqlite"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn the_token_never_leaks_into_outputs_the_database_or_cached_clones() {
    let token = "ghp_SuperSecretToken1234567890abcdef";
    let tmp = tempfile::tempdir().expect("tmp");
    let served = tmp.path().join("served");
    let work = tmp.path().join("work");
    git_repo_from(&corpus().join("sentiment-api"), &work);
    git2::build::RepoBuilder::new()
        .bare(true)
        .clone(&format!("file://{}", work.display()), &served.join("ok.git"))
        .expect("bare");
    let items = serde_json::json!([
        repo_json("acme/ok", &format!("file://{}/ok.git", served.display()), false, false),
        repo_json("acme/gone", &format!("file://{}/gone.git", served.display()), false, false),
        repo_json("acme/withcreds", &format!("https://x-access-token:{token}@127.0.0.1:1/withcreds.git"), false, false),
    ]);
    let mock = mock_github(|_| {
        let mut r = Routes::new();
        r.insert("/orgs/acme/repos?type=all&per_page=100".to_string(), vec![ok(items.clone())]);
        r
    });
    let api = format!("http://127.0.0.1:{}", mock.port);
    let db = tmp.path().join("t.sqlite");
    let cache = tmp.path().join("cache");
    let list = tmp.path().join("l.txt");
    std::fs::write(&list, format!("https://user:{token}@127.0.0.1:1/listed.git\n")).expect("w");
    let o = mine(&[
        "--org",
        "acme",
        "--list",
        list.to_str().expect("utf8"),
        "--api-url",
        &api,
        "--token",
        token,
        "--db",
        db.to_str().expect("utf8"),
        "--cache",
        cache.to_str().expect("utf8"),
        "--keep-clones",
        "--clone-timeout",
        "5",
    ]);
    assert_eq!(o.status.code(), Some(1), "some repositories fail: {}", stderr(&o));
    let mut haystacks: Vec<(String, Vec<u8>)> = vec![("stdout".into(), o.stdout.clone()), ("stderr".into(), o.stderr.clone())];
    for e in walkdir::WalkDir::new(tmp.path()).into_iter().flatten().filter(|e| e.file_type().is_file()) {
        let p = e.path();
        if p.starts_with(&cache) || p.extension().is_some_and(|x| x == "sqlite" || x == "sqlite-wal") {
            haystacks.push((p.display().to_string(), std::fs::read(p).expect("read")));
        }
    }
    assert!(haystacks.iter().any(|(n, _)| n.ends_with("config")), "a cached clone's config was checked");
    for (name, bytes) in &haystacks {
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "the token is in {name}: {}",
            String::from_utf8_lossy(bytes)
        );
    }
    // Every export and report too.
    for args in [
        vec!["export", "--table", "repos"],
        vec!["export", "--table", "runs"],
        vec!["report", "--format", "sarif"],
        vec!["stats"],
    ] {
        let mut a = args.clone();
        a.extend(["--db", db.to_str().expect("utf8")]);
        let o = mine(&a);
        assert!(
            !o.stdout.windows(token.len()).any(|w| w == token.as_bytes())
                && !o.stderr.windows(token.len()).any(|w| w == token.as_bytes()),
            "{args:?}"
        );
    }
}

#[test]
fn every_bad_flag_value_is_one_line_naming_it_with_exit_2() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("never.sqlite");
    let d = db.to_str().expect("utf8");
    let path = corpus().join("llm-chat");
    let p = path.to_str().expect("utf8");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--path", p, "--db", d, "--jobs", "0"], "'0'"),
        (vec!["--path", p, "--db", d, "--jobs", "many"], "'many'"),
        (vec!["--path", p, "--db", d, "--max-file-bytes", "big"], "'big'"),
        (vec!["--path", p, "--db", d, "--clone-timeout", "-5"], "-5"),
        (vec!["--path", p, "--db", d, "--pushed-after", "yesterday"], "'yesterday'"),
        (vec!["--path", p, "--db", d, "--at", "2024-02-30x"], "'2024-02-30x'"),
        (vec!["--path", p, "--db", d, "--min-stars", "lots"], "'lots'"),
        (vec!["--path", p, "--db", d, "--shard", "2"], "'2'"),
        (vec!["--path", p, "--db", d, "--shards", "0"], "'0'"),
        (vec!["--path", p, "--db", d, "--cache-max-mb", "0"], "'0'"),
        (vec!["--path", p, "--db", d, "--max-clone-mb", "x"], "'x'"),
        (vec!["--path", p, "--db", d, "--lock-timeout", "forever"], "'forever'"),
        (vec!["--path", p, "--db", d, "--repo", "not a repo"], "'not a repo'"),
        (vec!["--path", p, "--db", d, "--no-such-flag"], "'--no-such-flag'"),
        (vec!["export", "--db", d, "--format", "xml"], "'xml'"),
        (vec!["export", "--db", d, "--table", "nope"], "'nope'"),
        (vec!["report", "--db", d, "--format", "pdf"], "'pdf'"),
        (vec!["stats", "--db", d, "--format", "xlsx"], "'xlsx'"),
        (vec!["select", "--task", "fill-mask", "--top", "0"], "'0'"),
        (vec!["select", "--task", "fill-mask", "--license", "free"], "'free'"),
        (vec!["select", "--task", "fill-mask", "--max-params", "7X"], "'7X'"),
        (vec!["labels", "sync", "--hf", "--limit", "0", "--db", d], "'0'"),
        (vec!["labels", "stats", "--labels", "colour"], "'colour'"),
        (vec!["merge", "--db", d], "IN.sqlite"),
    ];
    for (args, needle) in cases {
        let o = mine(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?} should name {needle}: {err}");
        assert!(!db.exists(), "{args:?} wrote the database");
    }
}
