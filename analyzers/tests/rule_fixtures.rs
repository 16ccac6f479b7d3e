//! Every catalog rule has a fixture in `queries/fixtures/<ID>.py` with cases
//! that must fire (`# expect: ID [model=VALUE]`) and cases that must not
//! (`# expect-none`). Every finding in a fixture must be expected, and every
//! expectation found.

use analyzers::{python, Catalog};
use std::path::PathBuf;

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../queries/fixtures")
}

struct Expect {
    line: u32,
    rule: String,
    model: Option<Option<String>>,
    /// Other fields asserted as `field=value`: source, confidence, model_id, resolvable.
    fields: Vec<(String, String)>,
}

fn expectations(src: &str) -> (Vec<Expect>, Vec<u32>) {
    let mut exp = Vec::new();
    let mut none = Vec::new();
    for (i, line) in src.lines().enumerate() {
        let n = i as u32 + 1;
        if let Some(idx) = line.find("# expect: ") {
            let mut words = line[idx + 10..].split_whitespace();
            let rule = words.next().expect("rule id after # expect:").to_string();
            let mut model = None;
            let mut fields = Vec::new();
            for w in words {
                match w.split_once('=') {
                    Some(("model", m)) => model = Some(if m == "null" { None } else { Some(m.to_string()) }),
                    Some((k, v)) => fields.push((k.to_string(), v.to_string())),
                    None => {}
                }
            }
            exp.push(Expect { line: n, rule, model, fields });
        } else if line.contains("# expect-none") {
            none.push(n);
        }
    }
    (exp, none)
}

#[test]
fn every_rule_has_a_fixture_that_passes() {
    let catalog = Catalog::embedded().expect("embedded catalog");
    let mut failures = Vec::new();
    for rule in catalog.rules() {
        let path = fixtures_dir().join(format!("{}.py", rule.id));
        let Ok(src) = std::fs::read_to_string(&path) else {
            failures.push(format!("{}: no fixture at {}", rule.id, path.display()));
            continue;
        };
        let (exp, none) = expectations(&src);
        if !exp.iter().any(|e| e.rule == rule.id) {
            failures.push(format!("{}: fixture has no case that fires", rule.id));
        }
        if none.is_empty() {
            failures.push(format!("{}: fixture has no case that must not fire", rule.id));
        }
        let facts = python::analyze_source(src.as_bytes(), &catalog);
        for u in &facts.usages {
            let schemas::Location::Line(l) = u.location else { unreachable!("python source") };
            match exp.iter().find(|e| e.line == l) {
                None => failures.push(format!("{}.py:{l}: unexpected {} finding ({})", rule.id, u.rule, u.snippet)),
                Some(e) if e.rule != u.rule => failures.push(format!("{}.py:{l}: expected {}, got {}", rule.id, e.rule, u.rule)),
                Some(e) => {
                    if let Some(m) = &e.model {
                        if &u.model != m {
                            failures.push(format!("{}.py:{l}: model {:?}, expected {:?}", rule.id, u.model, m));
                        }
                    }
                    for (k, v) in &e.fields {
                        let got = match k.as_str() {
                            "source" => u.source.as_str().to_string(),
                            "confidence" => u.confidence.as_str().to_string(),
                            "resolvable" => u.model_resolvable.as_str().to_string(),
                            "model_id" => u.model_id.clone().unwrap_or_else(|| "null".into()),
                            "revision" => u.revision.clone().unwrap_or_else(|| "null".into()),
                            "task" => u.task.clone().unwrap_or_else(|| "null".into()),
                            "pinned" => u.revision_pinned.map(|b| b.to_string()).unwrap_or_else(|| "null".into()),
                            "risks" => {
                                let r: Vec<&str> = u.risks.iter().map(|r| r.as_str()).collect();
                                if r.is_empty() {
                                    "none".into()
                                } else {
                                    r.join(",")
                                }
                            }
                            other => {
                                failures.push(format!("{}.py:{l}: unknown field {other}= in the fixture", rule.id));
                                continue;
                            }
                        };
                        if &got != v {
                            failures.push(format!("{}.py:{l}: {k} {got:?}, expected {v:?}", rule.id));
                        }
                    }
                }
            }
        }
        for e in &exp {
            if !facts.usages.iter().any(|u| u.location == schemas::Location::Line(e.line)) {
                failures.push(format!("{}.py:{}: expected {} did not fire", rule.id, e.line, e.rule));
            }
        }
        for n in none {
            if facts.usages.iter().any(|u| u.location == schemas::Location::Line(n)) {
                failures.push(format!("{}.py:{n}: fired on a must-not line", rule.id));
            }
        }
    }
    assert!(failures.is_empty(), "{} fixture failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_fixture_belongs_to_a_rule() {
    let catalog = Catalog::embedded().expect("embedded catalog");
    for entry in std::fs::read_dir(fixtures_dir()).expect("fixtures dir") {
        let p = entry.expect("entry").path();
        let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        let flow = catalog.flows.rules.iter().any(|f| f.id == stem);
        assert!(catalog.rule(&stem).is_some() || flow, "fixture {} names no rule", p.display());
    }
}

/// Every flow rule (`queries/flows/flows.toml`) has a fixture with edges that
/// must be drawn (`# expect-edge: ID from=LINE to=LINE` on the line the edge
/// is evidenced at, the load lines as endpoints) and a line where none may be
/// (`# expect-none`); no other flow edge may appear.
#[test]
fn every_flow_rule_has_a_fixture_that_passes() {
    let catalog = Catalog::embedded().expect("embedded catalog");
    let mut failures = Vec::new();
    for flow in &catalog.flows.rules {
        let path = fixtures_dir().join(format!("{}.py", flow.id));
        let Ok(src) = std::fs::read_to_string(&path) else {
            failures.push(format!("{}: no fixture at {}", flow.id, path.display()));
            continue;
        };
        let mut expected: Vec<(u32, String, u32, u32)> = Vec::new();
        let mut none = Vec::new();
        for (i, line) in src.lines().enumerate() {
            let n = i as u32 + 1;
            for part in line.split("expect-edge: ").skip(1) {
                let mut w = part.split_whitespace();
                let id = w.next().unwrap_or_default().to_string();
                let num = |x: Option<&str>, k: &str| x.and_then(|v| v.strip_prefix(k)).and_then(|v| v.parse::<u32>().ok());
                match (num(w.next(), "from="), num(w.next(), "to=")) {
                    (Some(f), Some(t)) => expected.push((n, id, f, t)),
                    _ => failures.push(format!("{}.py:{n}: expect-edge needs from=LINE to=LINE", flow.id)),
                }
            }
            if line.contains("# expect-none") {
                none.push(n);
            }
        }
        if expected.is_empty() || none.is_empty() {
            failures.push(format!("{}: the fixture needs an expect-edge case and an expect-none case", flow.id));
        }
        let facts = python::analyze_source(src.as_bytes(), &catalog);
        let line_of = |i: usize| match facts.usages[i].location {
            schemas::Location::Line(l) => l,
            _ => 0,
        };
        let mut got: Vec<(u32, String, u32, u32)> = facts
            .edges
            .iter()
            .filter(|e| e.why.starts_with("WF"))
            .map(|e| {
                let schemas::Location::Line(at) = e.at else { unreachable!("python source") };
                (at, e.why.split_whitespace().next().unwrap_or_default().to_string(), line_of(e.from), line_of(e.to))
            })
            .collect();
        got.sort();
        expected.sort();
        for e in &expected {
            if !got.contains(e) {
                failures
                    .push(format!("{}.py:{}: expected {} edge {} -> {} not drawn (drawn: {got:?})", flow.id, e.0, e.1, e.2, e.3));
            }
        }
        for g in &got {
            if !expected.contains(g) {
                failures.push(format!("{}.py:{}: unexpected {} edge {} -> {}", flow.id, g.0, g.1, g.2, g.3));
            }
        }
        for n in &none {
            if facts.edges.iter().any(|e| e.at == schemas::Location::Line(*n)) {
                failures.push(format!("{}.py:{n}: an edge on a must-not line", flow.id));
            }
        }
    }
    assert!(failures.is_empty(), "{} flow fixture failures:\n{}", failures.len(), failures.join("\n"));
}
