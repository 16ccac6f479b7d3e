//! `mine labels sync --hf`: models from the Hugging Face Hub API
//! (`GET /api/models`, most downloaded first, following the `Link: rel="next"`
//! cursor), each page written to the database as it arrives so an
//! interrupted sync keeps what it fetched.

use super::dag::slug;
use super::{HubModel, ModelLabel};
use serde_json::Value;
use std::time::Duration;

/// The fields asked of the API.
const EXPAND: &[&str] = &["pipeline_tag", "tags", "library_name", "downloads", "likes", "cardData", "safetensors", "gated"];

#[derive(Debug, Default)]
pub struct SyncReport {
    pub pages: usize,
    pub models: usize,
    pub skipped: Vec<String>,
    pub retries: usize,
}

fn as_list(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => vec![],
    }
}

/// One `/api/models` item as a store model; `Err` names what is missing.
pub fn model_from_api(v: &Value, origin: &str) -> Result<HubModel, String> {
    let id = v["id"].as_str().or_else(|| v["modelId"].as_str()).ok_or("an item without id")?;
    if !id.contains('/') && id.contains(char::is_whitespace) {
        return Err(format!("'{id}' is not a model id"));
    }
    let tags = as_list(&v["tags"]);
    let card = &v["cardData"];
    let mut license = as_list(&card["license"]).into_iter().next();
    let mut languages = as_list(&card["language"]);
    let mut datasets = as_list(&card["datasets"]);
    let mut base = as_list(&card["base_model"]).into_iter().next();
    let mut custom_code = false;
    let mut safetensors_tag = false;
    for t in &tags {
        if let Some(l) = t.strip_prefix("license:") {
            license.get_or_insert_with(|| l.to_string());
        } else if let Some(d) = t.strip_prefix("dataset:") {
            datasets.push(d.to_string());
        } else if let Some(b) = t.strip_prefix("base_model:") {
            // base_model:org/name or base_model:finetune:org/name
            let b = b.rsplit_once(':').map(|(_, b)| b).unwrap_or(b);
            base.get_or_insert_with(|| b.to_string());
        } else if t == "custom_code" {
            custom_code = true;
        } else if t == "safetensors" {
            safetensors_tag = true;
        } else if t.len() == 2 && t.chars().all(|c| c.is_ascii_lowercase()) && !languages.contains(t) {
            languages.push(t.clone());
        }
    }
    let params = v["safetensors"]["total"].as_u64();
    let gated = match &v["gated"] {
        Value::Bool(b) => Some(*b),
        Value::String(_) => Some(true),
        _ => None,
    };
    let task = v["pipeline_tag"].as_str().map(str::to_string);
    let library = v["library_name"].as_str().map(str::to_string);
    let mut m = HubModel {
        id: format!("huggingface:{id}"),
        ecosystem: "huggingface".into(),
        task: task.clone(),
        library: library.clone(),
        license,
        params,
        downloads: v["downloads"].as_u64(),
        likes: v["likes"].as_u64(),
        gated,
        safetensors: Some(safetensors_tag || v["safetensors"].is_object()),
        custom_code: Some(custom_code),
        base_model: base.map(|b| format!("huggingface:{b}")),
        origin: origin.to_string(),
        ..Default::default()
    };
    if let Some(t) = task {
        m.labels.push(ModelLabel { label: format!("task:{t}"), weight: None });
    }
    if let Some(l) = library {
        m.labels.push(ModelLabel { label: format!("library:{l}"), weight: None });
    }
    for d in datasets {
        let s = slug(d.rsplit('/').next().unwrap_or(&d));
        if !s.is_empty() {
            m.add_label(format!("dataset:{s}"), None);
        }
    }
    for l in languages {
        let l = l.to_ascii_lowercase();
        if !l.is_empty() && l.len() <= 12 {
            m.add_label(format!("language:{l}"), None);
        }
    }
    Ok(m)
}

/// The URL of the next page from a `Link` header.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (url, rest) = part.split_once(';')?;
        rest.contains("rel=\"next\"").then(|| url.trim().trim_start_matches('<').trim_end_matches('>').to_string())
    })
}

pub fn first_url(api: &str, page: usize) -> String {
    let mut u = format!("{}/api/models?sort=downloads&direction=-1&limit={page}", api.trim_end_matches('/'));
    for e in EXPAND {
        u.push_str("&expand%5B%5D=");
        u.push_str(e);
    }
    u
}

/// Fetch up to `limit` models, handing each page to `sink` as it arrives.
pub fn sync_hf(
    api: &str,
    token: Option<&str>,
    limit: usize,
    mut sink: impl FnMut(&[HubModel]) -> Result<(), String>,
) -> Result<SyncReport, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(120)))
        .http_status_as_error(false)
        .user_agent(concat!("modelmine/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let page = limit.clamp(1, 100);
    let mut url = Some(first_url(api, page));
    let mut report = SyncReport::default();
    let date = today();
    while let Some(u) = url.take() {
        if report.models >= limit {
            break;
        }
        let mut attempt = 0;
        let (body, link) = loop {
            let mut req = agent.get(&u);
            if let Some(t) = token {
                req = req.header("Authorization", &format!("Bearer {t}"));
            }
            let shown = crate::fetch::redact_url(&u);
            let mut resp = req.call().map_err(|e| format!("Hugging Face API {shown}: {e}"))?;
            let status = resp.status().as_u16();
            if (status == 429 || status >= 500) && attempt < 3 {
                attempt += 1;
                report.retries += 1;
                let wait = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .unwrap_or(1 << attempt)
                    .min(60);
                std::thread::sleep(Duration::from_secs(wait));
                continue;
            }
            if status != 200 {
                return Err(format!(
                    "Hugging Face API {shown}: HTTP {status}{}; {} models already written are kept",
                    if status == 401 { " (token refused)" } else { "" },
                    report.models
                ));
            }
            let link = resp.headers().get("link").and_then(|v| v.to_str().ok()).map(str::to_string);
            let body = resp
                .body_mut()
                .with_config()
                .limit(256 * 1024 * 1024)
                .read_to_string()
                .map_err(|e| format!("Hugging Face API {shown}: {e}"))?;
            break (body, link);
        };
        let items: Value = serde_json::from_str(&body)
            .map_err(|e| format!("Hugging Face API {}: not JSON ({e})", crate::fetch::redact_url(&u)))?;
        let Some(items) = items.as_array() else {
            return Err(format!("Hugging Face API {}: expected a JSON array of models", crate::fetch::redact_url(&u)));
        };
        report.pages += 1;
        let mut models = Vec::new();
        for it in items {
            if report.models + models.len() >= limit {
                break;
            }
            match model_from_api(it, &format!("hf-api:{}/api/models {date}", api.trim_end_matches('/'))) {
                Ok(m) => models.push(m),
                Err(e) => report.skipped.push(e),
            }
        }
        sink(&models)?;
        report.models += models.len();
        if items.is_empty() {
            break;
        }
        url = link.as_deref().and_then(next_link);
    }
    Ok(report)
}

fn today() -> String {
    let days =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() / 86_400).unwrap_or(0) as i64;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    format!("{:04}-{:02}-{:02}", if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_items_become_models() {
        let v: Value = serde_json::json!({
            "id": "acme/tiny-sent", "pipeline_tag": "text-classification", "library_name": "transformers",
            "downloads": 1234, "likes": 5, "gated": "manual",
            "tags": ["transformers", "safetensors", "en", "license:apache-2.0", "dataset:stanfordnlp/sst2", "base_model:finetune:distilbert/distilbert-base-uncased", "custom_code"],
            "cardData": {"license": "mit", "language": ["en", "fr"]},
            "safetensors": {"total": 66955010}
        });
        let m = model_from_api(&v, "hf-api:test").unwrap();
        assert_eq!(m.id, "huggingface:acme/tiny-sent");
        assert_eq!(m.license.as_deref(), Some("mit"), "the card's license wins over the tag");
        assert_eq!(m.params, Some(66_955_010));
        assert_eq!(m.gated, Some(true));
        assert_eq!(m.custom_code, Some(true));
        assert_eq!(m.base_model.as_deref(), Some("huggingface:distilbert/distilbert-base-uncased"));
        let labels: Vec<&str> = m.labels.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, ["task:text-classification", "library:transformers", "dataset:sst2", "language:en", "language:fr"]);
        assert!(model_from_api(&serde_json::json!({"downloads": 3}), "x").unwrap_err().contains("without id"));
    }

    #[test]
    fn link_headers() {
        let h = r#"<https://huggingface.co/api/models?cursor=abc&limit=100>; rel="next""#;
        assert_eq!(next_link(h).as_deref(), Some("https://huggingface.co/api/models?cursor=abc&limit=100"));
        assert_eq!(next_link(r#"<https://x/y>; rel="prev""#), None);
        assert_eq!(today().len(), 10);
    }
}
