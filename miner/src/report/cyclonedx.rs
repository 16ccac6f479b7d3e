//! CycloneDX 1.6 ML-BOM of one system: a `machine-learning-model`
//! component per distinct model (name, revision, supplier, license from the
//! hub label store, a purl for Hugging Face models) with the evidence of
//! where it is loaded.

use super::audit::{Audit, AuditUsage};
use crate::labels::LabelStore;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// SPDX license ids, from the schema CycloneDX validates against.
fn spdx_ids() -> &'static std::collections::HashMap<String, String> {
    static IDS: OnceLock<std::collections::HashMap<String, String>> = OnceLock::new();
    IDS.get_or_init(|| {
        let v: Value = serde_json::from_str(include_str!("../../../schemas/external/spdx.schema.json")).unwrap_or(Value::Null);
        v["enum"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|s| (s.to_ascii_lowercase(), s.to_string()))
            .collect()
    })
}

fn license(l: &str) -> Value {
    match spdx_ids().get(&l.to_ascii_lowercase()) {
        Some(id) => json!({"license": {"id": id}}),
        None => json!({"license": {"name": l}}),
    }
}

fn supplier(eco: &str) -> &str {
    match eco {
        "huggingface" => "Hugging Face",
        "openai" => "OpenAI",
        "anthropic" => "Anthropic",
        "google" => "Google",
        "cohere" => "Cohere",
        "mistral" => "Mistral AI",
        "torchvision" | "torchhub" | "pytorch" => "PyTorch",
        "timm" => "Hugging Face (timm)",
        "keras" | "tensorflow" | "tfhub" => "Google (TensorFlow)",
        "ollama" => "Ollama",
        "ultralytics" => "Ultralytics",
        "spacy" => "Explosion",
        e => e,
    }
}

/// A deterministic urn:uuid (version 5 layout) from the repository and commit.
fn serial(a: &Audit) -> String {
    let h = Sha256::digest(
        format!("modelmine-bom\0{}\0{}\0{}", a.repo, a.commit.as_deref().unwrap_or(""), env!("CARGO_PKG_VERSION")).as_bytes(),
    );
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x: String = b.iter().map(|v| format!("{v:02x}")).collect();
    format!("urn:uuid:{}-{}-{}-{}-{}", &x[..8], &x[8..12], &x[12..16], &x[16..20], &x[20..])
}

fn occurrence(u: &AuditUsage) -> Value {
    let location = match u.cell {
        Some(c) => format!("{}#cell{c}", u.path),
        None => u.path.clone(),
    };
    json!({"location": location, "line": u.line.max(1), "symbol": u.api, "additionalContext": format!("rule {}, {} load, model {}", u.rule, u.source, u.resolvable)})
}

pub fn bom(a: &Audit, labels: &LabelStore) -> Value {
    // Distinct models, in order of first load; unresolved loads each stand alone.
    let mut groups: BTreeMap<String, Vec<&AuditUsage>> = BTreeMap::new();
    let mut order = Vec::new();
    for u in &a.usages {
        let key = match &u.model_id {
            Some(id) => id.clone(),
            None => format!("unresolved:{}:{}:{}", u.path, u.cell.map(|c| format!("cell{c}:")).unwrap_or_default(), u.line),
        };
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        groups.entry(key).or_default().push(u);
    }
    let mut components = Vec::new();
    for key in &order {
        let us = &groups[key];
        let first = us[0];
        let (eco, rest) = key.split_once(':').unwrap_or(("unknown", key));
        let mut c = json!({"type": "machine-learning-model", "bom-ref": key});
        if key.starts_with("unresolved:") {
            c["name"] = json!(format!("{} (model not resolved statically)", first.api));
        } else if eco == "huggingface" {
            match rest.split_once('/') {
                Some((org, name)) => {
                    c["group"] = json!(org);
                    c["name"] = json!(name);
                }
                None => c["name"] = json!(rest),
            }
        } else {
            c["name"] = json!(rest);
        }
        let revisions: Vec<&str> = us.iter().filter_map(|u| u.revision.as_deref()).collect();
        if let Some(r) = revisions.first() {
            c["version"] = json!(r);
        }
        if !key.starts_with("unresolved:") && !key.starts_with("file:") && !key.starts_with("url:") {
            c["supplier"] = json!({"name": supplier(eco)});
        }
        if eco == "huggingface" {
            let pinned = us.iter().find(|u| u.revision_pinned == Some(true)).and_then(|u| u.revision.as_deref());
            c["purl"] = json!(match pinned {
                Some(rev) => format!("pkg:huggingface/{rest}@{}", rev.to_ascii_lowercase()),
                None => format!("pkg:huggingface/{rest}"),
            });
            c["externalReferences"] = json!([{"type": "distribution", "url": format!("https://huggingface.co/{rest}")}]);
        }
        let hub = first.hub_model.as_deref().and_then(|h| labels.get(h));
        if let Some(l) = hub.and_then(|m| m.license.as_deref()).filter(|l| *l != "proprietary-api") {
            c["licenses"] = json!([license(l)]);
        }
        let task = first.task.clone().or_else(|| hub.and_then(|m| m.task.clone()));
        if let Some(t) = task {
            c["modelCard"] = json!({"modelParameters": {"task": t}});
        }
        c["evidence"] = json!({"occurrences": us.iter().map(|u| occurrence(u)).collect::<Vec<_>>()});
        let mut props = vec![
            json!({"name": "modelmine:ecosystem", "value": first.ecosystem}),
            json!({"name": "modelmine:source", "value": first.source}),
        ];
        let mut risks: Vec<&str> = us.iter().flat_map(|u| u.risks.iter().map(String::as_str)).collect();
        risks.sort_unstable();
        risks.dedup();
        if !risks.is_empty() {
            props.push(json!({"name": "modelmine:risks", "value": risks.join(",")}));
        }
        if let Some(h) = &first.hub_model {
            props.push(json!({"name": "modelmine:hub-label-store", "value": h}));
        }
        c["properties"] = json!(props);
        components.push(c);
    }
    let mut system = json!({"type": "application", "bom-ref": "system", "name": a.repo});
    if let Some(cm) = &a.commit {
        system["version"] = json!(cm);
    }
    if let Some(u) = a.forge.clone().or_else(|| a.url.clone()) {
        system["externalReferences"] = json!([{"type": "vcs", "url": u}]);
    }
    let mut metadata = json!({
        "tools": {"components": [{"type": "application", "name": "modelmine", "version": env!("CARGO_PKG_VERSION")}]},
        "component": system
    });
    if let Some(t) = &a.mined_at {
        metadata["timestamp"] = json!(t);
    }
    json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial(a),
        "version": 1,
        "metadata": metadata,
        "components": components,
        "dependencies": [{"ref": "system", "dependsOn": order}]
    })
}
