//! The seed of the store, embedded gzip-compressed by `build.rs` from
//! `corpus/hub-labels/` (see its README for where every file came from),
//! plus torchvision's weights table the rule catalog already carries.
//! Each model's `origin` names its seed file and row.

use super::dag::{slug, Dag};
use super::HubModel;
use serde_json::Value;
use std::collections::HashMap;
use std::io::Read;

macro_rules! seed_file {
    ($name:literal) => {
        ($name, include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".gz")) as &[u8])
    };
}

const HF_MODELS: (&str, &[u8]) = seed_file!("hf_models_top9715_normalized.csv");
const HF_EXTRA: (&str, &[u8]) = seed_file!("hf_model_extra_labels.csv");
const HF_TASKS: (&str, &[u8]) = seed_file!("hf_tasks_catalog.json");
const HOSTED: (&str, &[u8]) = seed_file!("hosted_models_litellm.csv");
const TIMM: (&str, &[u8]) = seed_file!("results-imagenet.csv");
const TIMM_PRETRAIN: (&str, &[u8]) = seed_file!("model_metadata-in1k.csv");
pub const OPENCLIP: (&str, &[u8]) = seed_file!("openclip_results.csv");
pub const OPENCLIP_DATASETS: (&str, &[u8]) = seed_file!("openclip_dataset_labels.csv");
const KERAS: (&str, &[u8]) = seed_file!("keras_applications.csv");

/// Where each seed file came from, for `labels stats` and the README.
pub const PROVENANCE: &[(&str, &str)] = &[
    ("hf_models_top9715_normalized.csv", "Hugging Face Hub list_models by downloads (2024-09-20), via GitHub enochlev/CS573_Documentation_Quality@0766572, tags parsed"),
    ("hf_model_extra_labels.csv", "languages and domain tags of the same rows (scripts/derive-hf-extra.py)"),
    ("hf_tasks_catalog.json", "npm @huggingface/tasks 0.21.54: pipelines, sub-tasks, modalities, libraries (MIT)"),
    ("hosted_models_litellm.csv", "PyPI litellm 1.110.2 model_prices_and_context_window.json, flattened (MIT)"),
    ("results-imagenet.csv", "GitHub huggingface/pytorch-image-models@aa4b585 results/ (Apache-2.0)"),
    ("model_metadata-in1k.csv", "GitHub huggingface/pytorch-image-models@aa4b585 results/ (Apache-2.0)"),
    ("openclip_results.csv", "GitHub mlfoundations/open_clip@89fb801 docs/ zero-shot results on 38 datasets"),
    ("openclip_dataset_labels.csv", "written for modelmine: each benchmark dataset's task and domains from its own description"),
    ("keras_applications.csv", "GitHub keras-team/keras-io templates/api/applications/index.md (Apache-2.0)"),
    ("torchvision_weights.csv", "PyPI torchvision 0.29.2 wheel, weights enums read from source (BSD-3-Clause)"),
];

pub fn unpack((name, gz): (&str, &[u8])) -> Result<String, String> {
    let mut s = String::new();
    flate2::read::GzDecoder::new(gz).read_to_string(&mut s).map_err(|e| format!("embedded seed {name}: {e}"))?;
    Ok(s)
}

/// One row of an embedded CSV table: its cells, read by column name.
pub struct Row {
    columns: std::sync::Arc<rustc_hash::FxHashMap<String, usize>>,
    cells: csv::StringRecord,
}

impl Row {
    /// The cell of column `k` as written; None when the table has no such column.
    pub fn cell(&self, k: &str) -> Option<&str> {
        self.cells.get(*self.columns.get(k)?)
    }
}

/// The rows of a CSV text (one allocation a row: the cells share one buffer
/// and the column names are shared by every row).
pub fn csv_rows(name: &str, text: &str) -> Result<Vec<Row>, String> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let columns: rustc_hash::FxHashMap<String, usize> =
        r.headers().map_err(|e| format!("{name}: {e}"))?.iter().enumerate().map(|(i, h)| (h.to_string(), i)).collect();
    let columns = std::sync::Arc::new(columns);
    let mut out = Vec::new();
    for (i, rec) in r.into_records().enumerate() {
        let cells = rec.map_err(|e| format!("{name} row {}: {e}", i + 1))?;
        out.push(Row { columns: columns.clone(), cells });
    }
    Ok(out)
}

/// A cell, trimmed; None when it is missing or blank.
fn get<'a>(r: &'a Row, k: &str) -> Option<&'a str> {
    r.cell(k).map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn num(s: Option<&str>) -> Option<f64> {
    s.and_then(|v| v.replace(',', "").parse::<f64>().ok()).filter(|v| v.is_finite())
}

/// The whole seed: models and the label DAG.
pub fn load() -> Result<(Vec<HubModel>, Dag), String> {
    let mut dag = Dag::default();
    tasks_dag(&mut dag)?;
    let mut models = Vec::with_capacity(17_000);
    hf_models(&mut models)?;
    hosted(&mut models)?;
    timm(&mut models)?;
    openclip(&mut models, &mut dag)?;
    keras(&mut models)?;
    torchvision(&mut models)?;
    Ok((models, dag))
}

/// modality → task → sub-task from @huggingface/tasks.
fn tasks_dag(dag: &mut Dag) -> Result<(), String> {
    let text = unpack(HF_TASKS)?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("embedded seed hf_tasks_catalog.json: {e}"))?;
    if let Some(m) = v["modality_labels"].as_object() {
        for (k, name) in m {
            dag.set_name(&format!("modality:{k}"), name.as_str().unwrap_or(k));
        }
    }
    for p in v["pipelines"].as_array().into_iter().flatten() {
        let Some(id) = p["id"].as_str() else { continue };
        let task = format!("task:{id}");
        dag.set_name(&task, p["name"].as_str().unwrap_or(id));
        if let Some(m) = p["modality"].as_str() {
            dag.add_edge(&task, &format!("modality:{m}"))?;
        }
        for s in p["subtasks"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            dag.add_edge(&format!("subtask:{s}"), &task)?;
        }
    }
    for l in v["libraries"].as_array().into_iter().flatten() {
        if let Some(k) = l["key"].as_str() {
            dag.set_name(&format!("library:{k}"), l["prettyLabel"].as_str().unwrap_or(k));
        }
    }
    // Tasks of the hosted catalog and benchmark tables the Hub has no pipeline for.
    for (t, m) in [("image-text-retrieval", "multimodal"), ("visual-association", "multimodal")] {
        dag.add_edge(&format!("task:{t}"), &format!("modality:{m}"))?;
    }
    Ok(())
}

/// `kind:value`, as `format!` would write it, without its machinery (the
/// seed writes tens of thousands of them at every start).
fn tagged(kind: &str, value: &str) -> String {
    [kind, ":", value].concat()
}

fn hf_models(out: &mut Vec<HubModel>) -> Result<(), String> {
    let extra_text = unpack(HF_EXTRA)?;
    let mut extra: HashMap<String, [String; 3]> = HashMap::new();
    for r in csv_rows(HF_EXTRA.0, &extra_text)? {
        if let Some(id) = get(&r, "model_id") {
            let col = |c: &str| r.cell(c).map(str::to_string).unwrap_or_default();
            extra.insert(id.to_string(), [col("languages"), col("domains"), col("subtasks")]);
        }
    }
    let text = unpack(HF_MODELS)?;
    for (i, r) in csv_rows(HF_MODELS.0, &text)?.into_iter().enumerate() {
        let Some(id) = get(&r, "model_id") else { continue };
        let formats: Vec<&str> = get(&r, "weight_formats").map(|f| f.split(';').collect()).unwrap_or_default();
        let mut m = HubModel {
            id: tagged("huggingface", id),
            ecosystem: "huggingface".into(),
            aliases: get(&r, "legacy_alias").map(|a| vec![tagged("huggingface", a)]).unwrap_or_default(),
            task: get(&r, "pipeline_tag").map(str::to_string),
            library: get(&r, "library").map(str::to_string),
            license: get(&r, "license").map(str::to_string),
            downloads: num(get(&r, "downloads_30d")).map(|d| d as u64),
            safetensors: (!formats.is_empty()).then(|| formats.contains(&"safetensors")),
            custom_code: get(&r, "custom_code").map(|c| c == "true"),
            base_model: get(&r, "base_models").and_then(|b| b.split(';').next()).map(|b| tagged("huggingface", b)),
            origin: format!("seed:{}#{}", HF_MODELS.0, i + 2),
            ..Default::default()
        };
        if let Some(t) = &m.task {
            m.add_label(tagged("task", t), None);
        }
        if let Some(l) = &m.library {
            m.add_label(tagged("library", l), None);
        }
        for d in get(&r, "datasets").into_iter().flat_map(|d| d.split(';')) {
            let s = slug(d.rsplit('/').next().unwrap_or(d));
            if !s.is_empty() {
                m.add_label(tagged("dataset", &s), None);
            }
        }
        if let Some([langs, domains, subtasks]) = extra.get(id) {
            for (kind, list) in [("language", langs), ("domain", domains), ("subtask", subtasks)] {
                for v in list.split(';').filter(|s| !s.is_empty()) {
                    m.add_label(tagged(kind, v), None);
                }
            }
        }
        out.push(m);
    }
    Ok(())
}

/// The ecosystem the rule catalog gives a hosted provider's calls.
pub fn provider_ecosystem(p: &str) -> Option<&str> {
    Some(match p {
        "" | "huggingface" => return None,
        "openai" | "text-completion-openai" => "openai",
        "anthropic" => "anthropic",
        "cohere" | "cohere_chat" => "cohere",
        "gemini" => "google",
        p if p.starts_with("vertex_ai") => "google",
        "mistral" | "text-completion-codestral" | "codestral" => "mistral",
        "groq" => "groq",
        "together_ai" => "together",
        "replicate" => "replicate",
        "ollama" | "ollama_chat" => "ollama",
        p if p.starts_with("watsonx") => "watsonx",
        "bedrock" | "bedrock_converse" => "bedrock",
        "azure" | "azure_text" => "azure",
        p => p,
    })
}

fn hosted(out: &mut Vec<HubModel>) -> Result<(), String> {
    let text = unpack(HOSTED)?;
    let mut seen = std::collections::HashSet::new();
    for (i, r) in csv_rows(HOSTED.0, &text)?.into_iter().enumerate() {
        let (Some(key), Some(provider)) = (get(&r, "model"), get(&r, "litellm_provider")) else { continue };
        let Some(eco) = provider_ecosystem(provider) else { continue };
        let name = key
            .split_once('/')
            .filter(|(p, _)| *p == provider || provider_ecosystem(p) == Some(eco))
            .map(|(_, n)| n)
            .unwrap_or(key);
        let id = format!("{eco}:{name}");
        if !seen.insert(id.to_ascii_lowercase()) {
            continue;
        }
        let task = match get(&r, "mode").unwrap_or("") {
            "chat" | "completion" | "responses" | "realtime" => Some("text-generation"),
            "embedding" => Some("feature-extraction"),
            "image_generation" | "image_edit" => Some("text-to-image"),
            "audio_transcription" => Some("automatic-speech-recognition"),
            "audio_speech" => Some("text-to-speech"),
            "rerank" => Some("text-ranking"),
            "moderation" => Some("text-classification"),
            "video_generation" => Some("text-to-video"),
            _ => None,
        };
        let mut m = HubModel {
            id,
            ecosystem: eco.to_string(),
            aliases: vec![format!("litellm:{key}")],
            task: task.map(str::to_string),
            license: Some("proprietary-api".into()),
            deprecation_date: get(&r, "deprecation_date").map(str::to_string),
            successor: get(&r, "successor_model").map(|s| {
                let n = s.split_once('/').filter(|(p, _)| provider_ecosystem(p) == Some(eco)).map(|(_, n)| n).unwrap_or(s);
                format!("{eco}:{n}")
            }),
            origin: format!("seed:{}#{}", HOSTED.0, i + 2),
            ..Default::default()
        };
        if let Some(t) = task {
            m.add_label(format!("task:{t}"), None);
        }
        for (col, cap) in [
            ("supports_vision", "vision"),
            ("supports_function_calling", "function-calling"),
            ("supports_reasoning", "reasoning"),
        ] {
            if get(&r, col).is_some_and(|v| v.eq_ignore_ascii_case("true")) {
                m.add_label(format!("capability:{cap}"), None);
            }
        }
        out.push(m);
    }
    Ok(())
}

/// timm's pretraining tags to dataset labels.
fn pretrain_dataset(tag: &str) -> String {
    match tag {
        "in1k" => "imagenet-1k".into(),
        "in21k" => "imagenet-21k".into(),
        "in22k" => "imagenet-22k".into(),
        t => slug(t),
    }
}

fn timm(out: &mut Vec<HubModel>) -> Result<(), String> {
    let meta_text = unpack(TIMM_PRETRAIN)?;
    let pretrain: HashMap<String, String> = csv_rows(TIMM_PRETRAIN.0, &meta_text)?
        .into_iter()
        .filter_map(|r| Some((get(&r, "model")?.to_string(), get(&r, "pretrain")?.to_string())))
        .collect();
    let text = unpack(TIMM)?;
    let mut seen = std::collections::HashSet::new();
    for (i, r) in csv_rows(TIMM.0, &text)?.into_iter().enumerate() {
        let Some(name) = get(&r, "model") else { continue };
        // A model evaluated at several image sizes: the first (best) row stands.
        if !seen.insert(name.to_string()) {
            continue;
        }
        let mut m = HubModel {
            id: format!("timm:{name}"),
            ecosystem: "timm".into(),
            aliases: vec![format!("huggingface:timm/{name}")],
            task: Some("image-classification".into()),
            library: Some("timm".into()),
            params: num(get(&r, "param_count")).map(|p| (p * 1e6).round() as u64),
            origin: format!("seed:{}#{}", TIMM.0, i + 2),
            ..Default::default()
        };
        m.add_label("task:image-classification", None);
        m.add_label("library:timm", None);
        m.add_label("dataset:imagenet-1k", num(get(&r, "top1")).map(|t| t / 100.0));
        let arch = name.split('.').next().unwrap_or(name);
        if let Some(p) = pretrain.get(name).or_else(|| pretrain.get(arch)) {
            for part in p.split('-').filter(|s| s.starts_with("in") || s.len() > 3) {
                let d = pretrain_dataset(part);
                if d != "imagenet-1k" && !d.is_empty() {
                    m.add_label(format!("dataset:{d}"), None);
                }
            }
        }
        out.push(m);
    }
    Ok(())
}

/// A benchmark dataset of the open_clip table and the labels written for it.
#[derive(Debug, Clone)]
pub struct BenchDataset {
    /// The column of `openclip_results.csv`.
    pub column: String,
    /// `dataset:SLUG`.
    pub label: String,
    /// `task:TASK`.
    pub task: String,
    pub domains: Vec<String>,
}

/// The benchmark datasets of the open_clip table.
pub fn openclip_datasets() -> Result<Vec<BenchDataset>, String> {
    let text = unpack(OPENCLIP_DATASETS)?;
    let mut v = Vec::new();
    for r in csv_rows(OPENCLIP_DATASETS.0, &text)? {
        let (Some(col), Some(label), Some(task)) = (get(&r, "column"), get(&r, "label"), get(&r, "task")) else {
            return Err(format!("{}: a row lacks column, label or task", OPENCLIP_DATASETS.0));
        };
        let domains = get(&r, "domains").map(|d| d.split(';').map(str::to_string).collect()).unwrap_or_default();
        v.push(BenchDataset {
            column: col.to_string(),
            label: format!("dataset:{label}"),
            task: format!("task:{task}"),
            domains,
        });
    }
    Ok(v)
}

fn openclip(out: &mut Vec<HubModel>, dag: &mut Dag) -> Result<(), String> {
    let datasets = openclip_datasets()?;
    for d in &datasets {
        dag.add_edge(&d.label, &d.task)?;
        for dom in &d.domains {
            dag.add_edge(&d.label, &format!("domain:{dom}"))?;
        }
    }
    let text = unpack(OPENCLIP)?;
    for (i, r) in csv_rows(OPENCLIP.0, &text)?.into_iter().enumerate() {
        let (Some(name), Some(pre)) = (get(&r, "name"), get(&r, "pretrained")) else { continue };
        let mut m = HubModel {
            id: format!("open_clip:{name}:{pre}"),
            ecosystem: "open_clip".into(),
            task: Some("zero-shot-image-classification".into()),
            library: Some("open_clip".into()),
            params: num(get(&r, "params (M)")).map(|p| (p * 1e6).round() as u64),
            origin: format!("seed:{}#{}", OPENCLIP.0, i + 2),
            ..Default::default()
        };
        m.add_label("task:zero-shot-image-classification", None);
        m.add_label("library:open_clip", None);
        for d in &datasets {
            if let Some(s) = num(get(&r, &d.column)) {
                m.add_label(d.label.clone(), Some(s));
            }
        }
        out.push(m);
    }
    Ok(())
}

fn keras(out: &mut Vec<HubModel>) -> Result<(), String> {
    let text = unpack(KERAS)?;
    for (i, r) in csv_rows(KERAS.0, &text)?.into_iter().enumerate() {
        let Some(name) = get(&r, "model") else { continue };
        let mut m = HubModel {
            id: format!("keras:{name}"),
            ecosystem: "keras".into(),
            task: Some("image-classification".into()),
            library: Some("keras".into()),
            params: num(get(&r, "num_params")).map(|p| p as u64),
            safetensors: Some(false),
            origin: format!("seed:{}#{}", KERAS.0, i + 2),
            ..Default::default()
        };
        m.add_label("task:image-classification", None);
        m.add_label("library:keras", None);
        m.add_label("dataset:imagenet-1k", num(get(&r, "imagenet_top1")));
        out.push(m);
    }
    Ok(())
}

fn torchvision(out: &mut Vec<HubModel>) -> Result<(), String> {
    let name = "torchvision_weights.csv";
    let builders = csv_rows("torchvision_builders.csv", analyzers::catalog::EMBEDDED_TORCHVISION_BUILDERS)?;
    let mut by_enum: HashMap<String, Vec<String>> = HashMap::new();
    for b in &builders {
        if let (Some(builder), Some(wt)) = (get(b, "builder"), get(b, "weights_type")) {
            let e = wt.trim_start_matches("Optional[").trim_end_matches(']').to_string();
            by_enum.entry(e).or_default().push(builder.to_string());
        }
    }
    for (i, r) in csv_rows(name, analyzers::catalog::EMBEDDED_TORCHVISION_WEIGHTS)?.into_iter().enumerate() {
        let (Some(module), Some(en), Some(tag)) = (get(&r, "module"), get(&r, "weights_enum"), get(&r, "tag")) else { continue };
        let task = if module.contains(".detection") {
            "object-detection"
        } else if module.contains(".segmentation") {
            "image-segmentation"
        } else if module.contains(".video") {
            "video-classification"
        } else if module.contains(".optical_flow") {
            "other"
        } else {
            "image-classification"
        };
        let metrics: Value = get(&r, "metrics").and_then(|m| serde_json::from_str(m).ok()).unwrap_or(Value::Null);
        let is_default = get(&r, "aliases").is_some_and(|a| a.split(';').any(|x| x.trim() == "DEFAULT"));
        for builder in by_enum.get(en).map(Vec::as_slice).unwrap_or(&[]) {
            let mut m = HubModel {
                id: format!("torchvision:{builder}.{tag}"),
                ecosystem: "torchvision".into(),
                aliases: if is_default {
                    vec![format!("torchvision:{builder}"), format!("torchvision:{builder}.DEFAULT")]
                } else {
                    vec![]
                },
                task: Some(task.into()),
                library: Some("torchvision".into()),
                license: get(&r, "license").map(str::to_string).or(Some("bsd-3-clause".into())),
                params: num(get(&r, "num_params")).map(|p| p as u64),
                safetensors: Some(false),
                origin: format!("seed:{name}#{}", i + 2),
                ..Default::default()
            };
            m.add_label(format!("task:{task}"), None);
            m.add_label("library:torchvision", None);
            for (ds, vals) in metrics.as_object().into_iter().flatten() {
                // The first metric of each dataset (acc@1, box_map, miou, ...), on a 0..1 scale.
                let w = vals.as_object().and_then(|o| o.values().next()).and_then(Value::as_f64).map(|v| v / 100.0);
                m.add_label(format!("dataset:{}", slug(ds)), w);
            }
            out.push(m);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::LabelStore;

    #[test]
    fn the_seed_loads_every_source_with_its_origin() {
        let s = LabelStore::seed().expect("seed");
        assert!(s.models.len() > 15_000, "{}", s.models.len());
        let bert = s.get("huggingface:bert-base-uncased").expect("legacy alias");
        assert_eq!(bert.id, "huggingface:google-bert/bert-base-uncased");
        assert!(bert.labels.iter().any(|l| l.label == "task:fill-mask"));
        assert!(bert.labels.iter().any(|l| l.label == "language:en"));
        assert!(bert.origin.starts_with("seed:hf_models_top9715_normalized.csv#"));
        assert!(s.get("openai:gpt-4o").is_some());
        assert!(s.get("torchvision:resnet50").is_some_and(|m| m.id == "torchvision:resnet50.IMAGENET1K_V2"));
        assert!(s.get("keras:ResNet50").is_some());
        assert!(s.models.iter().any(|m| m.ecosystem == "open_clip"));
        assert!(s.dag.ancestors("subtask:sentiment-analysis").contains("modality:nlp"));
        assert!(s.dag.ancestors("dataset:eurosat").contains("domain:satellite-imagery"));
    }
}
