//! Every library + method signature of the PeaTMOSS study is matched by some
//! rule of the catalog. A signature names a library (its import name) and a
//! method or symbol; the test tries the shapes such a call takes in code.

use analyzers::Catalog;
use std::path::PathBuf;

/// The qualified callees a (library, method) signature stands for.
fn shapes(lib: &str, method: &str) -> Vec<String> {
    let lib = lib.replace('-', "_");
    vec![
        // `lib.method(...)`, `lib.hub.load(...)`
        format!("{lib}.{method}"),
        // a class method: `lib.models.Model.from_pretrained(...)`
        format!("{lib}.Model.{method}"),
        format!("{lib}.models.Model.{method}"),
        // a zoo builder: `torchvision.models.resnet50(...)`
        format!("{lib}.models.{method}"),
        // a pretrained bundle: `torchaudio.pipelines.WAV2VEC2_BASE.get_model()`
        format!("{lib}.pipelines.{method}.get_model"),
        format!("{lib}.models.{method}.get_model"),
    ]
}

#[test]
fn every_peatmoss_signature_is_matched_by_a_rule() {
    let catalog = Catalog::embedded().expect("catalog");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/peatmoss/ptm_reuse_signatures.csv");
    let mut rdr = csv::Reader::from_path(&path).expect("signatures csv");
    let mut total = 0;
    let mut missing = Vec::new();
    for rec in rdr.records() {
        let rec = rec.expect("record");
        let (lib, methods) = (rec.get(1).unwrap_or("").trim(), rec.get(2).unwrap_or("").trim());
        // The study marks one row "N/A" (huggingface_hub `load`): not a signature.
        if rec.get(3).is_some_and(|n| n.trim() == "N/A") {
            continue;
        }
        for method in methods.split([',', ';']).map(str::trim).filter(|m| !m.is_empty()) {
            total += 1;
            let hit = shapes(lib, method).iter().find_map(|q| catalog.rule_for(q).map(|r| r.id.clone()));
            if hit.is_none() {
                missing.push(format!("{lib} {method}"));
            }
        }
    }
    assert!(total >= 470, "read {total} signatures");
    assert!(missing.is_empty(), "{} of {total} PeaTMOSS signatures match no rule:\n{}", missing.len(), missing.join("\n"));
}
