//! SARIF 2.1.0: one run per repository (so one repository's run uploads to
//! GitHub code scanning as it is), a rule per catalog rule and per risk
//! finding, a result per model load and per risk, locations relative to the
//! repository root (`%SRCROOT%`), and the repository's provenance.

use super::audit::Audit;
use analyzers::Catalog;
use serde_json::{json, Value};

/// The risk findings as SARIF rules: permanent id, risk name, level, GitHub security severity, help.
pub const RISK_RULES: &[(&str, &str, &str, &str, &str)] = &[
    ("MR001", "trust_remote_code", "error", "8.0", "The load passes trust_remote_code=True: Python code from the model repository runs in this process. Pin a reviewed commit with revision=, or load a model that needs no custom code."),
    ("MR002", "unpinned_revision", "warning", "5.0", "A hub model is loaded without a commit pinned: the next load can fetch different weights or code. Pass revision=<commit hash>."),
    ("MR003", "unsafe_deserialization", "error", "7.5", "The load unpickles data (torch.load without weights_only=True, pickle, joblib, dill): a crafted file runs code. Use weights_only=True or safetensors."),
    ("MR004", "plain_http", "warning", "6.0", "Weights are fetched over plain http from a remote host and can be swapped in transit. Use https and verify a checksum."),
    ("MR005", "no_checksum", "note", "4.0", "A download whose API can verify a hash is called without one. Pass the expected hash."),
];

fn rules(catalog: &Catalog) -> (Vec<Value>, std::collections::HashMap<String, usize>) {
    let mut out = Vec::new();
    let mut index = std::collections::HashMap::new();
    for r in catalog.rules() {
        index.insert(r.id.clone(), out.len());
        let first = r.doc.split(". ").next().unwrap_or(&r.doc).trim_end_matches('.');
        out.push(json!({
            "id": r.id,
            "name": r.name,
            "shortDescription": {"text": format!("Model load: {first}.")},
            "fullDescription": {"text": r.doc},
            "help": {"text": format!("{}\n\nExample:\n{}", r.doc, r.example), "markdown": format!("{}\n\nExample:\n\n```python\n{}\n```", r.doc, r.example)},
            "defaultConfiguration": {"level": "note"},
            "properties": {"tags": ["machine-learning", "model-load", r.ecosystem, r.source.as_str()]}
        }));
    }
    for (id, name, level, sev, help) in RISK_RULES {
        index.insert(name.to_string(), out.len());
        out.push(json!({
            "id": id,
            "name": name,
            "shortDescription": {"text": format!("Model load risk: {}", name.replace('_', " "))},
            "fullDescription": {"text": help},
            "help": {"text": help},
            "defaultConfiguration": {"level": level},
            "properties": {"tags": ["security", "machine-learning", name], "security-severity": sev}
        }));
    }
    (out, index)
}

/// The whole log for the audits given (one run each).
pub fn sarif(audits: &[Audit], catalog: &Catalog) -> Value {
    let (rule_list, index) = rules(catalog);
    let runs: Vec<Value> = audits
        .iter()
        .map(|a| {
            let mut results = Vec::new();
            for u in &a.usages {
                let what =
                    u.model_id.clone().or_else(|| u.model.clone()).unwrap_or_else(|| "a model not resolved statically".into());
                let at = match u.cell {
                    Some(c) => format!(" (notebook cell {c}, line {})", u.line),
                    None => String::new(),
                };
                let location = json!([{
                    "physicalLocation": {
                        "artifactLocation": {"uri": u.path, "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": u.line.max(1)}
                    }
                }]);
                let props =
                    json!({"model_id": u.model_id, "source": u.source, "ecosystem": u.ecosystem, "api": u.api, "cell": u.cell});
                if let Some(&ri) = index.get(&u.rule) {
                    results.push(json!({
                        "ruleId": u.rule, "ruleIndex": ri, "level": "note",
                        "message": {"text": format!("Loads `{what}` ({}, {}) with {}{at}.", u.source, u.ecosystem, u.api)},
                        "locations": location, "properties": props
                    }));
                }
                for r in &u.risks {
                    if let (Some(&ri), Some(rule)) = (index.get(r), RISK_RULES.iter().find(|x| x.1 == r)) {
                        results.push(json!({
                            "ruleId": rule.0, "ruleIndex": ri, "level": rule.2,
                            "message": {"text": format!("{} when loading `{what}`{at}: {}", r.replace('_', " "), rule.4)},
                            "locations": location, "properties": props
                        }));
                    }
                }
            }
            let mut run = json!({
                "tool": {"driver": {
                    "name": "modelmine",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/modelmine/modelmine",
                    "rules": rule_list
                }},
                "automationDetails": {"id": format!("modelmine/{}/", a.repo)},
                "results": results,
                "properties": {"repository": a.repo, "topology": a.topology, "catalogVersion": a.catalog_version}
            });
            let uri = a.forge.clone().or_else(|| a.url.clone()).or_else(|| {
                let p = std::path::Path::new(&a.location);
                p.is_absolute().then(|| format!("file://{}", a.location))
            });
            if let (Some(uri), Some(commit)) = (uri, &a.commit) {
                if a.commit_kind.as_deref() == Some("git") {
                    run["versionControlProvenance"] =
                        json!([{"repositoryUri": uri, "revisionId": commit, "mappedTo": {"uriBaseId": "%SRCROOT%"}}]);
                }
            }
            run
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": runs
    })
}
