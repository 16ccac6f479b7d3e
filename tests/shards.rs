//! Shards and merge: a corpus mined in one process equals the same corpus
//! mined as three shards (by flag, by a Slurm array's environment, by a
//! Kubernetes Indexed Job's) and merged, row by row.

mod common;

use common::*;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The demo corpus as git work trees, listed in a file.
fn corpus_list(tmp: &Path) -> PathBuf {
    let mut lines = Vec::new();
    for n in corpus_names() {
        let work = tmp.join("work").join(&n);
        git_repo_from(&corpus().join(&n), &work);
        lines.push(format!("work/{n}"));
    }
    let list = tmp.join("repos.txt");
    std::fs::write(&list, lines.join("\n") + "\n").expect("list");
    list
}

fn mine_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(MINE);
    c.args(args);
    for k in ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "JOB_COMPLETION_INDEX"] {
        c.env_remove(k);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run mine")
}

/// A command line and the environment it runs with.
type Invocation<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>);

#[test]
fn three_shards_merged_equal_one_run_row_by_row() {
    let tmp = tempfile::tempdir().expect("tmp");
    let list = corpus_list(tmp.path());
    let l = list.to_str().expect("utf8");
    let db = |n: &str| tmp.path().join(n).display().to_string();
    let single = db("single.sqlite");
    let o = mine_env(&["--list", l, "--db", &single, "-q"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Shard 0 by flag, 1 as Slurm array task 2 of an array numbered from 1, 2 as a Kubernetes completion index.
    let (s0, s1, s2) = (db("s0.sqlite"), db("s1.sqlite"), db("s2.sqlite"));
    let runs: [Invocation<'_>; 3] = [
        (vec!["--list", l, "--db", &s0, "--shard", "0/3", "-q"], vec![]),
        (
            vec!["--list", l, "--db", &s1, "-q"],
            vec![("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "3")],
        ),
        (vec!["--list", l, "--db", &s2, "--shards", "3", "-q"], vec![("JOB_COMPLETION_INDEX", "2")]),
    ];
    let mut total = 0;
    for (args, env) in &runs {
        let o = mine_env(args, env);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).contains(" of the 11 repositories listed"), "{}", stdout(&o));
        total += db_count(Path::new(args[3]), "SELECT COUNT(*) FROM repos");
    }
    assert_eq!(total, 11, "each repository in exactly one shard");
    let merged = db("merged.sqlite");
    let o = mine(&["merge", "--db", &merged, &s0, &s1, &s2]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("11 repositories added"), "{}", stdout(&o));
    let (a, b) = (snapshot(Path::new(&single)), snapshot(Path::new(&merged)));
    for ((t, ra), (_, rb)) in a.iter().zip(&b) {
        assert!(!ra.is_empty() || t == "skipped", "{t} is empty");
        assert_eq!(ra.len(), rb.len(), "{t}: row counts");
        for (x, y) in ra.iter().zip(rb) {
            assert_eq!(x, y, "{t}");
        }
    }
    // Merging again changes nothing.
    let o = mine(&["merge", "--db", &merged, &s0, &s1, &s2]);
    assert!(stdout(&o).contains("0 repositories added, 0 replaced") && stdout(&o).contains("0 runs"), "{}", stdout(&o));
    assert_eq!(snapshot(Path::new(&merged)), b);
    // The merged database reads like any other.
    let o = mine(&["stats", "--db", &merged, "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn an_empty_shard_writes_a_valid_empty_database() {
    let tmp = tempfile::tempdir().expect("tmp");
    let list = corpus_list(tmp.path());
    let specs: Vec<miner::source::RepoSpec> =
        corpus_names().iter().map(|n| miner::source::RepoSpec::Local(tmp.path().join("work").join(n))).collect();
    let count = 64;
    let empty = (0..count)
        .find(|i| !specs.iter().any(|s| miner::shard::Shard { index: *i, count }.contains(s)))
        .expect("an empty shard among 64");
    let db = tmp.path().join("empty.sqlite");
    let o = mine_env(
        &[
            "--list",
            list.to_str().expect("utf8"),
            "--db",
            db.to_str().expect("utf8"),
            "--shard",
            &format!("{empty}/{count}"),
            "-q",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(db_count(&db, "SELECT COUNT(*) FROM repos"), 0);
    assert_eq!(db_count(&db, "SELECT COUNT(*) FROM runs"), 1);
    let o = mine(&["stats", "--db", db.to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn bad_shards_and_merges_are_refused_in_one_line() {
    let tmp = tempfile::tempdir().expect("tmp");
    let list = corpus_list(tmp.path());
    let l = list.to_str().expect("utf8");
    let out = tmp.path().join("out.sqlite");
    let o = mine(&["--list", l, "--db", out.to_str().expect("utf8"), "--shard", "0/2", "-q"]);
    assert!(o.status.success());
    let notdb = tmp.path().join("notes.txt");
    std::fs::write(&notdb, "not a database").expect("w");
    let other = tmp.path().join("v999.sqlite");
    Connection::open(&other)
        .expect("open")
        .execute_batch("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('schema_version', '999');")
        .expect("create");
    let o_s = out.to_str().expect("utf8");
    let never = |n: &str| tmp.path().join(n).display().to_string();
    let (x, m, m2, m3) = (never("x.sqlite"), never("m.sqlite"), never("m2.sqlite"), never("m3.sqlite"));
    let cases: Vec<(Invocation<'_>, &str)> = vec![
        ((vec!["--list", l, "--db", &x, "--shard", "3/3"], vec![]), "numbered 0 to 2"),
        ((vec!["--list", l, "--db", &x, "--shard", "one/3"], vec![]), "'one' is not a number"),
        ((vec!["--list", l, "--db", &x], vec![("JOB_COMPLETION_INDEX", "1")]), "give --shards N"),
        (
            (vec!["--list", l, "--db", &x], vec![("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_COUNT", "4")]),
            "Slurm array task 5",
        ),
        ((vec!["merge", "--db", &m, "/no/such.sqlite"], vec![]), "'/no/such.sqlite': no such database"),
        ((vec!["merge", "--db", o_s, o_s], vec![]), "is the output database"),
        ((vec!["merge", "--db", &m2, other.to_str().expect("utf8")], vec![]), "schema version 999"),
        ((vec!["merge", "--db", &m3, notdb.to_str().expect("utf8")], vec![]), "notes.txt"),
    ];
    for ((args, env), needle) in cases {
        let o = mine_env(&args, &env);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o).trim_end().lines().count(), 1, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
    for f in [&x, &m, &m2, &m3] {
        assert!(!Path::new(f).exists(), "{f} was written");
    }
}

fn deploy() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../deploy")
}

/// PATH with the directory of the `mine` under test first.
fn path_with_mine() -> String {
    let bin = Path::new(MINE).parent().expect("bin dir").display().to_string();
    format!("{bin}:{}", std::env::var("PATH").unwrap_or_default())
}

#[test]
fn the_slurm_scripts_run_as_documented() {
    let tmp = tempfile::tempdir().expect("tmp");
    let list = corpus_list(tmp.path());
    let slurm = deploy().join("slurm");
    // Every #SBATCH line names an sbatch option, and the scripts are valid bash.
    const SBATCH: &[&str] =
        &["job-name", "array", "cpus-per-task", "mem", "time", "output", "error", "partition", "account", "ntasks", "nodes"];
    for f in ["mine-array.sbatch", "merge.sbatch", "submit.sh"] {
        let p = slurm.join(f);
        let o = Command::new("bash").arg("-n").arg(&p).output().expect("bash");
        assert!(o.status.success(), "{f}: {}", String::from_utf8_lossy(&o.stderr));
        for line in std::fs::read_to_string(&p).expect("read").lines().filter(|l| l.starts_with("#SBATCH")) {
            let opt = line.trim_start_matches("#SBATCH").trim().trim_start_matches("--");
            let name = opt.split(['=', ' ']).next().unwrap_or("");
            assert!(SBATCH.contains(&name), "{f}: unknown sbatch option in '{line}'");
        }
    }
    // The array: three tasks as Slurm would start them, then the merge.
    let out = tmp.path().join("shards");
    let db = tmp.path().join("study.sqlite");
    let run = |script: &str, env: &[(&str, String)]| {
        let mut c = Command::new("bash");
        c.arg(slurm.join(script)).current_dir(tmp.path()).env("PATH", path_with_mine()).env("TMPDIR", tmp.path());
        c.env("LIST", &list).env("OUT", &out).env("DB", &db).env("SLURM_CPUS_PER_TASK", "2").env("SLURM_ARRAY_JOB_ID", "77");
        for (k, v) in env {
            c.env(k, v);
        }
        let o = c.output().expect("run script");
        assert!(
            o.status.success(),
            "{script} {env:?}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    };
    for i in 0..3 {
        run("mine-array.sbatch", &[("SLURM_ARRAY_TASK_ID", i.to_string()), ("SLURM_ARRAY_TASK_COUNT", "3".into())]);
    }
    assert_eq!(std::fs::read_dir(&out).expect("shards").count(), 3);
    run("merge.sbatch", &[]);
    assert_eq!(db_count(&db, "SELECT COUNT(*) FROM repos WHERE status = 'ok'"), 11);
    assert!(!tmp.path().join("mine-cache-77-0").exists(), "the scratch cache is removed");
    // submit.sh: an array of N tasks, then the merge once they all succeed (a stand-in sbatch records the calls).
    let bin = tmp.path().join("fakebin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let calls = tmp.path().join("sbatch-calls");
    std::fs::write(bin.join("sbatch"), format!("#!/bin/sh\necho \"$@\" >> {}\necho 4242\n", calls.display())).expect("w");
    Command::new("chmod").arg("+x").arg(bin.join("sbatch")).status().expect("chmod");
    let o = Command::new("bash")
        .arg(slurm.join("submit.sh"))
        .arg("5")
        .arg(&list)
        .current_dir(tmp.path())
        .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()))
        .output()
        .expect("submit");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let c = std::fs::read_to_string(&calls).expect("calls");
    let lines: Vec<&str> = c.lines().collect();
    assert!(lines[0].contains("--array=0-4") && lines[0].ends_with("mine-array.sbatch"), "{c}");
    assert!(lines[1].contains("--dependency=afterok:4242") && lines[1].ends_with("merge.sbatch"), "{c}");
}

#[test]
fn the_kubernetes_manifests_are_valid_and_their_commands_run() {
    let k8s = deploy().join("k8s");
    let shards = k8s.join("mine-indexed-job.yaml");
    let merge = k8s.join("merge-job.yaml");
    // Validated by kubernetes-validate against the API's own schemas (scripts/test.sh installs it).
    let o = Command::new("python3")
        .args(["-m", "kubernetes_validate", "--strict", "-k", "1.31.0"])
        .arg(&shards)
        .arg(&merge)
        .output()
        .unwrap_or_else(|e| panic!("kubernetes-validate: {e} (scripts/test.sh installs it from PyPI)"));
    assert!(o.status.success(), "{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    let docs = |p: &Path| -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(p).expect("read");
        text.split("\n---\n").map(|d| serde_norway::from_str::<serde_json::Value>(d).expect("yaml")).collect()
    };
    let job = docs(&shards).into_iter().find(|d| d["kind"] == "Job").expect("the Job");
    assert_eq!(job["spec"]["completionMode"], "Indexed");
    let n = job["spec"]["completions"].as_u64().expect("completions");
    assert_eq!(job["spec"]["parallelism"].as_u64(), Some(n));
    let script = job["spec"]["template"]["spec"]["containers"][0]["command"][2].as_str().expect("command").to_string();
    assert!(script.contains(&format!("--shards {n}")), "the command's --shards matches completions: {script}");
    let merge_script =
        docs(&merge)[0]["spec"]["template"]["spec"]["containers"][0]["command"][2].as_str().expect("command").to_string();
    // Run the pods' commands here: each completion index, then the merge, with the volumes as folders.
    let tmp = tempfile::tempdir().expect("tmp");
    let list = corpus_list(tmp.path());
    let (data, study, cache) = (tmp.path().join("data"), tmp.path().join("study"), tmp.path().join("cache"));
    std::fs::create_dir_all(&study).expect("mkdir");
    let listed: String =
        std::fs::read_to_string(&list).expect("list").lines().map(|l| format!("{}\n", tmp.path().join(l).display())).collect();
    std::fs::write(study.join("study.txt"), listed).expect("w");
    let local = |s: &str| {
        s.replace("/study/", &format!("{}/", study.display()))
            .replace("/data/", &format!("{}/", data.display()))
            .replace("/cache", &cache.display().to_string())
    };
    for i in 0..n {
        let o = Command::new("sh")
            .arg("-c")
            .arg(local(&script))
            .env("PATH", path_with_mine())
            .env("JOB_COMPLETION_INDEX", i.to_string())
            .env_remove("SLURM_ARRAY_TASK_ID")
            .output()
            .expect("pod");
        assert!(o.status.success(), "index {i}: {}", String::from_utf8_lossy(&o.stderr));
    }
    let o = Command::new("sh").arg("-c").arg(local(&merge_script)).env("PATH", path_with_mine()).output().expect("merge pod");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(db_count(&data.join("study.sqlite"), "SELECT COUNT(*) FROM repos WHERE status = 'ok'"), 11);
}

#[test]
fn the_clone_cache_stays_under_its_cap_evicting_the_least_recently_used() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut lines = Vec::new();
    for (i, n) in ["llm-chat", "sentiment-api", "speech-app"].iter().enumerate() {
        let work = tmp.path().join("work").join(n);
        copy_tree(&corpus().join(n), &work);
        // ~700 KB that does not compress, so each clone weighs that much.
        std::fs::write(work.join("blob.bin"), noise(700_000, 0x9e37_79b9_7f4a_7c15 ^ i as u64)).expect("w");
        let repo = git2::Repository::init(&work).expect("init");
        commit_all(&repo, "with a blob");
        let bare = tmp.path().join("served").join(format!("{n}.git"));
        git2::build::RepoBuilder::new().bare(true).clone(&format!("file://{}", work.display()), &bare).expect("bare");
        lines.push(format!("file://{}", bare.display()));
    }
    let (o, db) =
        mine_list_with(tmp.path(), &(lines.join("\n") + "\n"), &["--keep-clones", "--cache-max-mb", "1", "--jobs", "1"]);
    let (list, cache) = (tmp.path().join("l.txt"), tmp.path().join("cache"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(db_count(&db, "SELECT COUNT(*) FROM repos WHERE status = 'ok'"), 3);
    let bytes: u64 = walkdir::WalkDir::new(&cache)
        .into_iter()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    let clones: Vec<String> =
        std::fs::read_dir(&cache).expect("cache").flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(clones.len(), 1, "two clones evicted: {clones:?}");
    assert!(bytes < 1024 * 1024, "{bytes} bytes in the cache");
    // Without a cap, --keep-clones keeps all three.
    let cache2 = tmp.path().join("cache2");
    let o = mine(&[
        "--list",
        list.to_str().expect("utf8"),
        "--db",
        tmp.path().join("d.sqlite").to_str().expect("utf8"),
        "--cache",
        cache2.to_str().expect("utf8"),
        "--keep-clones",
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(&cache2).expect("cache").count(), 3);
}

/// The prefilter skips parsing files that cannot hold a load; it must not
/// change a single row: the demo corpus, the topology fixtures and the rule
/// fixtures, mined with it and without it, compared row by row.
#[test]
fn the_prefilter_loses_no_finding() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut lines: Vec<String> = corpus_names().iter().map(|n| corpus().join(n).display().to_string()).collect();
    for e in std::fs::read_dir(root.join("corpus/topology")).expect("topology fixtures").flatten() {
        if e.path().is_dir() {
            lines.push(e.path().display().to_string());
        }
    }
    lines.push(root.join("queries/fixtures").display().to_string());
    assert!(lines.len() > 30, "{} repositories", lines.len());
    let list = tmp.path().join("all.txt");
    std::fs::write(&list, lines.join("\n") + "\n").expect("w");
    let (on, off) = (tmp.path().join("on.sqlite"), tmp.path().join("off.sqlite"));
    for (db, extra) in [(&on, None), (&off, Some("--no-prefilter"))] {
        let mut args = vec!["--list", list.to_str().expect("utf8"), "--db", db.to_str().expect("utf8"), "-q"];
        args.extend(extra);
        let o = mine(&args);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let (a, b) = (snapshot(&on), snapshot(&off));
    assert!(a.iter().find(|(t, _)| t == "usages").is_some_and(|(_, r)| r.len() > 300), "the corpus has findings");
    for ((t, ra), (_, rb)) in a.iter().zip(&b) {
        assert_eq!(ra.len(), rb.len(), "{t}: row counts with and without the prefilter");
        for (x, y) in ra.iter().zip(rb) {
            assert_eq!(x, y, "{t}");
        }
    }
}
