//! The read side: study tables, audits, SARIF, CycloneDX, HTML pages, and
//! every exported table — on a database mined at test time from the demo
//! corpus built as git repositories with a GitHub remote.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The demo corpus as git work trees whose origin is github.com/demo-org/NAME,
/// mined into one database, with recommendations stored.
fn report_corpus(tmp: &Path) -> PathBuf {
    let names = corpus_names();
    let db = tmp.join("reports.sqlite");
    let mut args: Vec<String> = Vec::new();
    for n in &names {
        let work = tmp.join("work").join(n);
        let (repo, _) = git_repo_from(&corpus().join(n), &work);
        repo.remote("origin", &format!("https://github.com/demo-org/{n}.git")).expect("remote");
        args.push("--path".into());
        args.push(work.display().to_string());
    }
    args.extend(["--db".into(), db.display().to_string(), "-q".into()]);
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = mine(&a);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = mine(&["recommend", "--db", db.to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", stderr(&o));
    db
}

/// Replace what differs between runs: the temporary folder, timestamps, the catalog's content hash.
fn normalize(text: &str, tmp: &Path, db: &Path) -> String {
    let catalog: String = rusqlite::Connection::open(db)
        .expect("db")
        .query_row("SELECT catalog_version FROM repos LIMIT 1", [], |r| r.get(0))
        .expect("catalog version");
    let t = text.replace(&tmp.display().to_string(), "<TMP>").replace(&catalog, "<CATALOG>");
    let re = regex_lite(&t);
    re.replace(env!("CARGO_PKG_VERSION"), "<VERSION>")
}

/// ISO timestamps → <TIME> (no regex crate needed in the tests).
fn regex_lite(t: &str) -> String {
    let b = t.as_bytes();
    let mut out = String::with_capacity(t.len());
    let mut i = 0;
    while i < b.len() {
        let is = |k: usize, f: fn(u8) -> bool| b.get(i + k).is_some_and(|c| f(*c));
        let d = |c: u8| c.is_ascii_digit();
        if is(0, d) && is(3, d) && b.get(i + 4) == Some(&b'-') && b.get(i + 10) == Some(&b'T') && b.get(i + 13) == Some(&b':') {
            let mut j = i + 11;
            while j < b.len() && (b[j].is_ascii_digit() || b[j] == b':' || b[j] == b'.') {
                j += 1;
            }
            if b.get(j) == Some(&b'Z') {
                out.push_str("<TIME>");
                i = j + 1;
                continue;
            }
        }
        let ch = t[i..].chars().next().expect("char");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// Compare with tests/golden/NAME; UPDATE_GOLDEN=1 rewrites the file.
fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    if expected != actual {
        let (i, (e, a)) = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .find(|(_, (e, a))| e != a)
            .unwrap_or((expected.lines().count().min(actual.lines().count()), ("<end>", "<end>")));
        panic!("{name} differs from its golden file at line {}:\n  golden: {e}\n  actual: {a}\n(UPDATE_GOLDEN=1 cargo test rewrites it after review)", i + 1);
    }
}

/// A validator for a shipped schema, string formats (uri, date-time, ...) checked.
fn validator(schema_file: &str) -> jsonschema::Validator {
    struct Local;
    impl jsonschema::Retrieve for Local {
        fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
            let name = uri.as_str().rsplit('/').next().unwrap_or("").split('#').next().unwrap_or("").to_string();
            let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas/external").join(&name);
            Ok(serde_json::from_str(&std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?)?)
        }
    }
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas/external").join(schema_file);
    // SARIF 2.1.0's run.language pattern has a stray `]`, a literal in ECMA-262's
    // non-unicode mode but refused by the validator's meta-schema check; escaping
    // it keeps its meaning. The shipped file stays as published.
    let text = std::fs::read_to_string(p).expect("schema").replace(r#"{2}-[a-zA-Z]{2}]?$"#, r#"{2}-[a-zA-Z]{2}\\]?$"#);
    let schema: Value = serde_json::from_str(&text).expect("json");
    jsonschema::options().with_retriever(Local).should_validate_formats(true).build(&schema).expect("schema compiles")
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v.iter_errors(doc).take(20).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} is not valid:\n{}", errors.join("\n"));
}

#[test]
fn study_tables_and_audits_match_their_golden_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = report_corpus(tmp.path());
    let dbs = db.to_str().expect("utf8");
    let run = |args: &[&str]| {
        let o = mine(args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        normalize(&stdout(&o), tmp.path(), &db)
    };
    golden("stats.md", &run(&["stats", "--db", dbs]));
    let json = run(&["stats", "--db", dbs, "--format", "json"]);
    golden("stats.json", &json);
    let v: Value = serde_json::from_str(&json).expect("stats json");
    assert_eq!(v["mined"], 11);
    assert!(v["tables"]["ml_libraries"]["rows"].as_array().is_some_and(|r| !r.is_empty()));
    let csv = run(&["stats", "--db", dbs, "--format", "csv"]);
    assert!(csv.starts_with("table,row,column,value\n") && csv.contains("topology,"), "{csv}");
    let md = run(&["report", "--db", dbs, "--repo", "demo-org/notebook-lab"]);
    golden("report-notebook-lab.md", &md);
    // Every usage links to its line on the forge at the mined commit.
    let commit: String = rusqlite::Connection::open(&db)
        .expect("db")
        .query_row("SELECT commit_id FROM repos WHERE name = 'demo-org/sentiment-api'", [], |r| r.get(0))
        .expect("commit");
    let md = run(&["report", "--db", dbs, "--repo", "demo-org/sentiment-api", "--format", "md"]);
    assert!(md.contains(&format!("(https://github.com/demo-org/sentiment-api/blob/{commit}/")), "{md}");
    golden("report-sentiment-api.md", &md);
    let json = run(&["report", "--db", dbs, "--repo", "demo-org/vision-suite", "--format", "json"]);
    golden("report-vision-suite.json", &json);
    let v: Value = serde_json::from_str(&json).expect("audit json");
    assert_eq!(v["repo"], "demo-org/vision-suite");
    assert!(v["usages"].as_array().is_some_and(|u| u.iter().all(|x| x["link"].as_str().is_some_and(|l| l.contains("#L")))));
}

#[test]
fn sarif_is_valid_sarif_2_1_0_with_one_run_per_repository() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = report_corpus(tmp.path());
    let dbs = db.to_str().expect("utf8");
    let v = validator("sarif-schema-2.1.0.json");
    let out = tmp.path().join("all.sarif");
    let o = mine(&["report", "--db", dbs, "--format", "sarif", "-o", out.to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("read")).expect("json");
    assert_valid(&v, &doc, "the SARIF log");
    let runs = doc["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 11, "one run per repository");
    let mut risk_results = 0;
    for run in runs {
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        assert!(rules.len() > 200 && rules.iter().any(|r| r["id"] == "MR001"), "catalog and risk rules");
        let prov = &run["versionControlProvenance"][0];
        assert!(prov["repositoryUri"].as_str().is_some_and(|u| u.starts_with("https://github.com/demo-org/")), "{prov}");
        assert_eq!(prov["revisionId"].as_str().map(str::len), Some(40));
        for r in run["results"].as_array().expect("results") {
            let idx = r["ruleIndex"].as_u64().expect("index") as usize;
            assert_eq!(rules[idx]["id"], r["ruleId"], "ruleIndex points at ruleId");
            let loc = &r["locations"][0]["physicalLocation"];
            assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            let uri = loc["artifactLocation"]["uri"].as_str().expect("uri");
            assert!(!uri.starts_with('/') && !uri.contains("://"), "relative to the repository root: {uri}");
            risk_results += r["ruleId"].as_str().is_some_and(|id| id.starts_with("MR")) as usize;
        }
    }
    assert!(risk_results > 0);
    // One repository's log is one run, as code scanning takes it.
    let o = mine(&["report", "--db", dbs, "--format", "sarif", "--repo", "demo-org/notebook-lab"]);
    let one: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_valid(&v, &one, "notebook-lab's SARIF");
    assert_eq!(one["runs"].as_array().map(Vec::len), Some(1));
    let msgs: Vec<&str> =
        one["runs"][0]["results"].as_array().expect("r").iter().filter_map(|r| r["message"]["text"].as_str()).collect();
    assert!(msgs.iter().any(|m| m.contains("huggingface:facebook/opt-350m")), "model id in the message: {msgs:?}");
}

#[test]
fn cyclonedx_is_a_valid_1_6_ml_bom() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = report_corpus(tmp.path());
    let dbs = db.to_str().expect("utf8");
    let v = validator("bom-1.6.schema.json");
    for repo in ["demo-org/notebook-lab", "demo-org/llm-chat", "demo-org/vision-suite", "demo-org/sentiment-api"] {
        let o = mine(&["report", "--db", dbs, "--repo", repo, "--format", "cyclonedx"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let bom: Value = serde_json::from_str(&stdout(&o)).expect("json");
        assert_valid(&v, &bom, &format!("{repo}'s BOM"));
        assert_eq!(bom["specVersion"], "1.6");
        let comps = bom["components"].as_array().expect("components");
        assert!(!comps.is_empty());
        assert!(comps
            .iter()
            .all(|c| c["type"] == "machine-learning-model" && c["evidence"]["occurrences"][0]["line"].as_u64().is_some()));
        let ids: std::collections::HashSet<&str> = comps.iter().filter_map(|c| c["bom-ref"].as_str()).collect();
        assert_eq!(ids.len(), comps.len(), "one component per distinct model");
    }
    let o = mine(&["report", "--db", dbs, "--repo", "demo-org/notebook-lab", "--format", "cyclonedx"]);
    let bom: Value = serde_json::from_str(&stdout(&o)).expect("json");
    let opt = bom["components"]
        .as_array()
        .expect("c")
        .iter()
        .find(|c| c["bom-ref"] == "huggingface:facebook/opt-350m")
        .expect("opt-350m");
    assert_eq!(opt["purl"], "pkg:huggingface/facebook/opt-350m");
    assert_eq!(opt["group"], "facebook");
    assert_eq!(opt["licenses"][0]["license"]["name"], "other", "license from the hub label store");
}

fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return PathBuf::from(p);
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Some(dir) = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()).find(|d| d.join(name).is_file()) {
            return dir.join(name);
        }
    }
    panic!("no chromium on PATH: scripts/test.sh installs Debian's chromium (or set CHROMIUM)");
}

#[test]
fn html_pages_load_in_chromium_and_show_their_charts() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = report_corpus(tmp.path());
    let dbs = db.to_str().expect("utf8");
    let stats_dir = tmp.path().join("study");
    let audits = tmp.path().join("audits");
    for args in [
        vec!["stats", "--db", dbs, "--html", stats_dir.to_str().expect("utf8")],
        vec!["report", "--db", dbs, "--html", audits.to_str().expect("utf8")],
    ] {
        let o = mine(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    }
    assert_eq!(std::fs::read_dir(&audits).expect("dir").count(), 14, "index, a page per system, modelmine.sarif, sarif/");
    assert_eq!(std::fs::read_dir(audits.join("sarif")).expect("dir").count(), 11, "a SARIF file per system");
    // A harness page measures the charts inside the two pages once everything has loaded.
    let harness = tmp.path().join("harness.html");
    std::fs::write(
        &harness,
        r#"<!DOCTYPE html><html><body><pre id="out">pending</pre>
<iframe id="a" src="study/index.html" width="1280" height="2400"></iframe>
<iframe id="b" src="audits/demo-org__vision-suite.html" width="1280" height="2400"></iframe>
<script>
window.onload = () => {
  const res = {};
  for (const id of ["a", "b"]) {
    try {
      const d = document.getElementById(id).contentDocument;
      const charts = [...d.querySelectorAll("svg.chart")].map(s => { const r = s.getBoundingClientRect(); return [s.id, Math.round(r.width), Math.round(r.height)]; });
      const external = d.querySelectorAll("script[src], link[href], img[src], iframe, object, embed").length;
      res[id] = { title: d.title, charts, external, tables: d.querySelectorAll("table").length };
    } catch (e) { res[id] = { error: String(e) }; }
  }
  document.getElementById("out").textContent = "RESULT" + JSON.stringify(res) + "END";
};
</script></body></html>"#,
    )
    .expect("harness");
    let o = Command::new(chromium())
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--allow-file-access-from-files",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
            "--dump-dom",
        ])
        .arg(format!("file://{}", harness.display()))
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&o.stdout);
    let log = String::from_utf8_lossy(&o.stderr);
    let json =
        dom.split("RESULT").nth(1).and_then(|r| r.split("END").next()).unwrap_or_else(|| panic!("no result: {dom}\n{log}"));
    let res: Value =
        serde_json::from_str(&json.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")).expect("result json");
    for (id, title, min_charts) in
        [("a", "Model-integration study", 6), ("b", "demo-org/vision-suite — model integration audit", 1)]
    {
        let r = &res[id];
        assert!(r["error"].is_null(), "{id}: {r}");
        assert_eq!(r["title"], title);
        assert_eq!(r["external"], 0, "{id} fetches nothing");
        let charts = r["charts"].as_array().expect("charts");
        assert!(charts.len() >= min_charts, "{id}: {charts:?}");
        for c in charts {
            assert!(c[1].as_u64().unwrap_or(0) > 100 && c[2].as_u64().unwrap_or(0) > 40, "{id}: chart {c} has no size");
        }
    }
    for bad in ["Uncaught", "Failed to load resource", "Refused to"] {
        assert!(!log.lines().any(|l| l.contains(bad) && l.contains("CONSOLE")), "{bad} in chromium's log:\n{log}");
    }
}

#[test]
fn every_table_exports_and_validates_against_its_schema() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = report_corpus(tmp.path());
    let dbs = db.to_str().expect("utf8");
    let models = tmp.path().join("m.jsonl");
    std::fs::write(
        &models,
        "{\"id\":\"huggingface:acme/tiny\",\"task\":\"fill-mask\",\"labels\":[{\"label\":\"language:en\",\"weight\":0.5}]}\n",
    )
    .expect("w");
    let o = mine(&["labels", "import", models.to_str().expect("utf8"), "--db", dbs]);
    assert!(o.status.success(), "{}", stderr(&o));
    for (table, schema) in [
        ("usages", "usages"),
        ("repos", "repos"),
        ("skipped", "skipped"),
        ("files", "files"),
        ("runs", "runs"),
        ("artifacts", "artifacts"),
        ("dependencies", "dependencies"),
        ("topology", "topology"),
        ("edges", "edges"),
        ("recommendations", "recommendations"),
        ("links", "links"),
        ("hub-models", "hub_models"),
    ] {
        let o = mine(&["export", "--db", dbs, "--table", table]);
        assert!(o.status.success(), "{table}: {}", stderr(&o));
        let rows: Vec<serde_json::Map<String, Value>> = stdout(&o)
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("json").as_object().expect("object").clone())
            .collect();
        assert!(!rows.is_empty() || table == "skipped", "{table} exported nothing");
        check_schema(schema, &rows);
        let o = mine(&["export", "--db", dbs, "--table", table, "--format", "csv"]);
        assert!(o.status.success(), "{table} csv: {}", stderr(&o));
    }
    // The store's export is the import format: it goes back in.
    let out = tmp.path().join("hub.jsonl");
    let o = mine(&["export", "--db", dbs, "--table", "hub-models", "-o", out.to_str().expect("utf8")]);
    assert!(o.status.success());
    let o = mine(&["labels", "import", out.to_str().expect("utf8"), "--db", dbs]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn report_and_stats_refuse_bad_inputs_in_one_line() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = report_corpus(tmp.path());
    let dbs = db.to_str().expect("utf8");
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").expect("w");
    for (args, needle) in [
        (vec!["report", "--db", dbs], "--repo NAME is needed"),
        (vec!["report", "--db", dbs, "--repo", "nope", "--format", "cyclonedx"], "--repo 'nope'"),
        (vec!["report", "--db", dbs, "--html", file.to_str().expect("utf8")], "--html"),
        (vec!["stats", "--db", "/no/such.sqlite"], "/no/such.sqlite"),
        (
            vec!["report", "--db", dbs, "--repo", "demo-org/notebook-lab", "-o", "/no/such/dir/out.md"],
            "--output '/no/such/dir/out.md'",
        ),
    ] {
        let o = mine(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o).trim_end().lines().count(), 1, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
}
