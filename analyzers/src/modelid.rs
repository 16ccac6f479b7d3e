//! Canonical model identities: `ecosystem:canonical-id`, with the revision
//! kept apart and local paths told from hub ids.

use schemas::Source;
use std::collections::HashMap;

/// How a rule's resolved model string is turned into a canonical id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// `<ecosystem>:<model>` as written (hosted model names, spaCy packages).
    Name,
    /// A Hugging Face repo id, URL or local folder.
    Hf,
    /// A local file path (or a URL, kept as `url:`).
    Path,
    /// torch.hub `owner/repo[:ref]#entry`.
    TorchHub,
    /// A weights URL.
    Url,
    /// A torchvision weights enum member, tag, or builder name.
    Torchvision,
    /// A timm model name (`hf-hub:` names are Hugging Face ids).
    Timm,
    /// A weights name the package downloads (`yolov8n.pt`), or a local file
    /// when written with a folder (`./models/best.pt`).
    Weights,
}

impl IdKind {
    pub fn parse(s: &str) -> Option<IdKind> {
        Some(match s {
            "name" => IdKind::Name,
            "hf" => IdKind::Hf,
            "path" => IdKind::Path,
            "torchhub" => IdKind::TorchHub,
            "url" => IdKind::Url,
            "torchvision" => IdKind::Torchvision,
            "timm" => IdKind::Timm,
            "weights" => IdKind::Weights,
            _ => return None,
        })
    }
}

/// Legacy Hugging Face ids (`bert-base-uncased`) and today's canonical ids
/// (`google-bert/bert-base-uncased`).
#[derive(Debug, Clone, Default)]
pub struct LegacyIds {
    map: HashMap<String, String>,
}

impl LegacyIds {
    /// Read `legacy_id,canonical_id,...` rows (a header line first).
    pub fn from_csv(text: &str) -> Result<LegacyIds, String> {
        let mut map = HashMap::new();
        if text.trim().is_empty() {
            return Ok(LegacyIds { map });
        }
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
        let headers = rdr.headers().map_err(|e| e.to_string())?.clone();
        let col = |name: &str| headers.iter().position(|h| h == name).ok_or(format!("no '{name}' column"));
        let (l, c) = (col("legacy_id")?, col("canonical_id")?);
        for rec in rdr.records() {
            let rec = rec.map_err(|e| e.to_string())?;
            if let (Some(a), Some(b)) = (rec.get(l), rec.get(c)) {
                if !a.is_empty() && !b.is_empty() {
                    map.insert(a.to_string(), b.to_string());
                }
            }
        }
        Ok(LegacyIds { map })
    }

    pub fn canonical<'a>(&'a self, id: &'a str) -> &'a str {
        self.map.get(id).map(String::as_str).unwrap_or(id)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// torchvision's builders: the weights `pretrained=True` implies, and the
/// tag `DEFAULT` stands for (from torchvision's own source and weights tables).
#[derive(Debug, Clone, Default)]
pub struct TorchvisionWeights {
    /// builder -> (weights enum, tag) that `pretrained=True` loads
    implied: HashMap<String, (String, String)>,
    /// builder -> weights enum
    enums: HashMap<String, String>,
    /// weights enum -> tag that DEFAULT aliases
    defaults: HashMap<String, String>,
}

impl TorchvisionWeights {
    pub fn from_csv(builders: &str, weights: &str) -> Result<TorchvisionWeights, String> {
        let mut out = TorchvisionWeights::default();
        let re = regex::Regex::new(r"weights=\('pretrained',\s*([A-Za-z0-9_]+)\.([A-Z0-9_]+)\)").map_err(|e| e.to_string())?;
        let mut rdr = csv::Reader::from_reader(builders.as_bytes());
        for rec in rdr.records() {
            let rec = rec.map_err(|e| e.to_string())?;
            let (module, builder, wtype, legacy) =
                (rec.get(0).unwrap_or(""), rec.get(1).unwrap_or(""), rec.get(2).unwrap_or(""), rec.get(3).unwrap_or(""));
            // Quantized builders share names with the float ones: the float ones win.
            let quantized = module.contains(".quantization.");
            if quantized && out.enums.contains_key(builder) {
                continue;
            }
            if let Some(c) = re.captures(legacy) {
                out.implied.insert(builder.to_string(), (c[1].to_string(), c[2].to_string()));
            }
            let inner = wtype.trim_start_matches("Optional[").trim_end_matches(']');
            if !inner.contains(',') && !inner.is_empty() {
                out.enums.insert(builder.to_string(), inner.to_string());
            }
        }
        let mut rdr = csv::Reader::from_reader(weights.as_bytes());
        for rec in rdr.records() {
            let rec = rec.map_err(|e| e.to_string())?;
            if rec.get(3).is_some_and(|a| a.split(['|', ';', ',']).any(|x| x.trim() == "DEFAULT")) {
                out.defaults.insert(rec.get(1).unwrap_or("").to_string(), rec.get(2).unwrap_or("").to_string());
            }
        }
        Ok(out)
    }

    /// The weights `pretrained=True` loads: (`ResNet18_Weights`, `IMAGENET1K_V1`).
    pub fn implied(&self, builder: &str) -> Option<(&str, &str)> {
        self.implied.get(builder).map(|(e, t)| (e.as_str(), t.as_str()))
    }

    /// The tag `DEFAULT` names for a builder's weights.
    pub fn default_tag(&self, builder: &str) -> Option<&str> {
        self.defaults.get(self.enums.get(builder)?).map(String::as_str)
    }
}

/// The canonical identity of a resolved model string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical {
    pub model_id: String,
    /// Set when the string shows the rule's source is wrong for this call
    /// (`from_pretrained("./checkpoints/best")` reads a local folder).
    pub source: Option<Source>,
    /// A revision carried inside the string (`owner/repo:v1.0`, `/resolve/<rev>/`).
    pub revision: Option<String>,
}

const WEIGHT_EXTS: &[&str] = &[
    ".bin",
    ".pt",
    ".pth",
    ".ckpt",
    ".safetensors",
    ".h5",
    ".keras",
    ".onnx",
    ".pkl",
    ".pickle",
    ".joblib",
    ".gguf",
    ".pb",
    ".tflite",
    ".msgpack",
    ".model",
];

/// Strip `./` prefixes and turn backslashes into slashes.
pub fn normalize_path(p: &str) -> String {
    let mut s = p.replace('\\', "/");
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.to_string();
    }
    s
}

fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

/// A string that can only be a local path, never a Hugging Face repo id.
pub fn looks_local_path(s: &str) -> bool {
    s.starts_with("./")
        || s.starts_with("../")
        || s.starts_with('/')
        || s.starts_with('~')
        || s.contains('\\')
        || s.matches('/').count() >= 2
        || s == "."
        || WEIGHT_EXTS.iter().any(|e| s.to_ascii_lowercase().ends_with(e))
}

/// `https://huggingface.co/<org>/<name>[/resolve|blob|tree/<rev>/...]`.
fn hf_url(s: &str) -> Option<(String, Option<String>)> {
    let rest = s.strip_prefix("https://huggingface.co/").or_else(|| s.strip_prefix("http://huggingface.co/"))?;
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    if parts.len() < 2 || ["datasets", "spaces", "api"].contains(&parts[0]) {
        return None;
    }
    let id = format!("{}/{}", parts[0], parts[1]);
    let rev = match parts.get(2) {
        Some(&("resolve" | "blob" | "tree")) => parts.get(3).map(|r| r.to_string()),
        _ => None,
    };
    Some((id, rev))
}

/// The identity a URL names, whatever loads it: a Hugging Face file or repo,
/// a TF Hub or Kaggle model (the last path segment is its version), or a
/// plain weights URL.
pub fn url_identity(model: &str, legacy: &LegacyIds) -> Option<Canonical> {
    if !is_url(model) {
        return None;
    }
    if let Some((id, rev)) = hf_url(model) {
        return Some(Canonical {
            model_id: format!("huggingface:{}", legacy.canonical(&id)),
            source: Some(Source::Hub),
            revision: rev,
        });
    }
    let rest = model.split_once("://").map(|(_, r)| r).unwrap_or(model);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path = path.split(['?', '#']).next().unwrap_or("").trim_matches('/');
    let host = host.strip_prefix("www.").unwrap_or(host);
    let versioned = |eco: &str, p: &str| {
        let (base, last) = p.rsplit_once('/').unwrap_or((p, ""));
        if !last.is_empty() && last.chars().all(|c| c.is_ascii_digit()) {
            Canonical { model_id: format!("{eco}:{base}"), source: Some(Source::Hub), revision: Some(last.to_string()) }
        } else {
            Canonical { model_id: format!("{eco}:{p}"), source: Some(Source::Hub), revision: None }
        }
    };
    match host {
        "tfhub.dev" => Some(versioned("tfhub", path)),
        "kaggle.com" if path.starts_with("models/") => Some(versioned("kaggle", &path["models/".len()..])),
        _ => Some(Canonical { model_id: format!("url:{model}"), source: Some(Source::Hub), revision: None }),
    }
}

/// Canonicalise `model` for a rule of the given kind and ecosystem.
/// `callee_last` is the last segment of the qualified callee (a torchvision builder).
pub fn canonical(kind: IdKind, ecosystem: &str, model: &str, callee_last: &str, legacy: &LegacyIds) -> Canonical {
    let plain = |id: String| Canonical { model_id: id, source: None, revision: None };
    // A URL names its model whatever the loader (hosted API names are never URLs).
    if kind != IdKind::Name {
        if let Some(c) = url_identity(model, legacy) {
            return c;
        }
    }
    match kind {
        IdKind::Name => plain(format!("{ecosystem}:{model}")),
        IdKind::Hf => {
            if let Some((id, rev)) = hf_url(model) {
                return Canonical { model_id: format!("huggingface:{}", legacy.canonical(&id)), source: None, revision: rev };
            }
            if is_url(model) {
                return plain(format!("url:{model}"));
            }
            if looks_local_path(model) {
                return Canonical {
                    model_id: format!("file:{}", normalize_path(model)),
                    source: Some(Source::File),
                    revision: None,
                };
            }
            plain(format!("huggingface:{}", legacy.canonical(model)))
        }
        IdKind::Path => {
            if is_url(model) {
                Canonical { model_id: format!("url:{model}"), source: Some(Source::Hub), revision: None }
            } else {
                Canonical { model_id: format!("file:{}", normalize_path(model)), source: Some(Source::File), revision: None }
            }
        }
        IdKind::Weights => {
            if is_url(model) {
                Canonical { model_id: format!("url:{model}"), source: Some(Source::Hub), revision: None }
            } else if model.contains('/') || model.contains('\\') || model.starts_with('.') || model.starts_with('~') {
                Canonical { model_id: format!("file:{}", normalize_path(model)), source: Some(Source::File), revision: None }
            } else {
                plain(format!("{ecosystem}:{model}"))
            }
        }
        IdKind::Url => plain(format!("url:{model}")),
        IdKind::TorchHub => {
            let (repo, entry) = model.split_once('#').unwrap_or((model, ""));
            let (repo, rev) = match repo.split_once(':') {
                Some((r, v)) if !r.contains('/') || !v.is_empty() => (r, Some(v.to_string())),
                _ => (repo, None),
            };
            let id = if entry.is_empty() { format!("torchhub:{repo}") } else { format!("torchhub:{repo}#{entry}") };
            Canonical { model_id: id, source: None, revision: rev }
        }
        IdKind::Torchvision => {
            let tag = model.rsplit('.').next().unwrap_or(model);
            if tag == callee_last || tag == "DEFAULT" || tag.is_empty() {
                plain(format!("torchvision:{callee_last}"))
            } else {
                plain(format!("torchvision:{callee_last}.{tag}"))
            }
        }
        IdKind::Timm => {
            if let Some(id) = model.strip_prefix("hf-hub:").or_else(|| model.strip_prefix("hf_hub:")) {
                plain(format!("huggingface:{}", legacy.canonical(id)))
            } else {
                plain(format!("timm:{model}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn legacy() -> LegacyIds {
        LegacyIds::from_csv(
            "legacy_id,canonical_id,org,evidence\nbert-base-uncased,google-bert/bert-base-uncased,google-bert,\"x, y\"\n",
        )
        .unwrap()
    }

    #[test]
    fn hf_ids() {
        let l = legacy();
        assert_eq!(
            canonical(IdKind::Hf, "huggingface", "bert-base-uncased", "", &l).model_id,
            "huggingface:google-bert/bert-base-uncased"
        );
        assert_eq!(canonical(IdKind::Hf, "huggingface", "org/x", "", &l).model_id, "huggingface:org/x");
        let c = canonical(IdKind::Hf, "huggingface", "./ckpt/best", "", &l);
        assert_eq!((c.model_id.as_str(), c.source), ("file:ckpt/best", Some(Source::File)));
        let c = canonical(IdKind::Hf, "huggingface", "https://huggingface.co/org/m/resolve/abc123/model.bin", "", &l);
        assert_eq!((c.model_id.as_str(), c.revision.as_deref()), ("huggingface:org/m", Some("abc123")));
        assert_eq!(canonical(IdKind::Hf, "huggingface", "models/a/b", "", &l).source, Some(Source::File));
    }

    #[test]
    fn other_kinds() {
        let l = LegacyIds::default();
        let c = canonical(IdKind::TorchHub, "torchhub", "pytorch/vision:v0.10.0#resnet18", "", &l);
        assert_eq!((c.model_id.as_str(), c.revision.as_deref()), ("torchhub:pytorch/vision#resnet18", Some("v0.10.0")));
        assert_eq!(
            canonical(IdKind::Torchvision, "torchvision", "ResNet50_Weights.IMAGENET1K_V2", "resnet50", &l).model_id,
            "torchvision:resnet50.IMAGENET1K_V2"
        );
        assert_eq!(canonical(IdKind::Torchvision, "torchvision", "DEFAULT", "resnet50", &l).model_id, "torchvision:resnet50");
        assert_eq!(canonical(IdKind::Torchvision, "torchvision", "resnet18", "resnet18", &l).model_id, "torchvision:resnet18");
        assert_eq!(canonical(IdKind::Path, "pytorch", "./w/a.pt", "", &l).model_id, "file:w/a.pt");
        assert_eq!(canonical(IdKind::Timm, "timm", "hf-hub:timm/vit", "", &l).model_id, "huggingface:timm/vit");
        assert_eq!(canonical(IdKind::Name, "openai", "gpt-4o", "", &l).model_id, "openai:gpt-4o");
    }

    #[test]
    fn hub_reference_shapes() {
        let l = LegacyIds::default();
        let c =
            canonical(IdKind::Path, "tfhub", "https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/feature_vector/5", "", &l);
        assert_eq!(
            (c.model_id.as_str(), c.revision.as_deref()),
            ("tfhub:google/imagenet/mobilenet_v2_100_224/feature_vector", Some("5"))
        );
        let c = canonical(
            IdKind::Path,
            "tfhub",
            "https://www.kaggle.com/models/google/mobilenet-v2/TensorFlow2/100-224-feature-vector/2",
            "",
            &l,
        );
        assert_eq!(
            (c.model_id.as_str(), c.revision.as_deref()),
            ("kaggle:google/mobilenet-v2/TensorFlow2/100-224-feature-vector", Some("2"))
        );
        let c = canonical(IdKind::Url, "torchhub", "https://download.pytorch.org/models/resnet18-f37072fd.pth", "", &l);
        assert_eq!(
            (c.model_id.as_str(), c.source),
            ("url:https://download.pytorch.org/models/resnet18-f37072fd.pth", Some(Source::Hub))
        );
        let c = canonical(IdKind::Path, "pytorch", "https://huggingface.co/org/m/resolve/main/model.pt", "", &l);
        assert_eq!((c.model_id.as_str(), c.revision.as_deref()), ("huggingface:org/m", Some("main")));
        let c = canonical(IdKind::Hf, "huggingface", "/abs/models/bert", "", &l);
        assert_eq!((c.model_id.as_str(), c.source), ("file:/abs/models/bert", Some(Source::File)));
        let c = canonical(IdKind::TorchHub, "torchhub", "ultralytics/yolov5#yolov5s", "", &l);
        assert_eq!((c.model_id.as_str(), c.revision), ("torchhub:ultralytics/yolov5#yolov5s".to_string().as_str(), None));
    }
}
