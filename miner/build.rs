//! Compress the seed of the hub label store (`corpus/hub-labels/`) into
//! OUT_DIR so the binary carries it gzip-compressed (see `labels::seed`).

use std::io::Write;
use std::path::PathBuf;

const SEED_FILES: &[&str] = &[
    "hf_models_top9715_normalized.csv",
    "hf_model_extra_labels.csv",
    "hf_tasks_catalog.json",
    "hosted_models_litellm.csv",
    "results-imagenet.csv",
    "model_metadata-in1k.csv",
    "openclip_results.csv",
    "openclip_dataset_labels.csv",
    "keras_applications.csv",
];

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let dir = manifest.join("../corpus/hub-labels");
    for name in SEED_FILES {
        let src = dir.join(name);
        println!("cargo:rerun-if-changed={}", src.display());
        let data = std::fs::read(&src).unwrap_or_else(|e| panic!("seed file {}: {e}", src.display()));
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&data).expect("compress");
        let gz = enc.finish().expect("compress");
        std::fs::write(out.join(format!("{name}.gz")), gz).expect("write compressed seed");
    }
}
