//! Values read from the repository's configuration files (JSON, YAML, TOML,
//! INI) by a literal path and literal keys: `json.load(open("config.json"))
//! ["BERT_MODEL"]`.

use serde_json::Value;

/// A value the code reads from a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigRef {
    /// The path as the code writes it (relative to where the program runs).
    pub path: String,
    /// Keys from the document's root: object keys, list indices, or an INI
    /// section and option.
    pub keys: Vec<String>,
}

/// Parse a configuration file by its extension into a JSON value; INI files
/// become `{section: {option: value}}`.
pub fn parse(path: &str, bytes: &[u8]) -> Option<Value> {
    let lower = path.to_ascii_lowercase();
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)).ok()?;
    if lower.ends_with(".json") {
        serde_json::from_str(text).ok()
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        serde_norway::from_str::<Value>(text).ok()
    } else if lower.ends_with(".toml") {
        let t: toml::Table = text.parse().ok()?;
        serde_json::to_value(t).ok()
    } else if lower.ends_with(".ini") || lower.ends_with(".cfg") || lower.ends_with(".conf") {
        let ini = ini::Ini::load_from_str(text).ok()?;
        let mut root = serde_json::Map::new();
        for (section, props) in ini.iter() {
            let mut m = serde_json::Map::new();
            for (k, v) in props.iter() {
                m.insert(k.to_string(), Value::from(v));
            }
            root.insert(section.unwrap_or("DEFAULT").to_string(), Value::Object(m));
        }
        Some(Value::Object(root))
    } else {
        None
    }
}

/// The string at `keys` in a parsed document.
pub fn lookup(doc: &Value, keys: &[String]) -> Option<String> {
    let mut cur = doc;
    for k in keys {
        cur = match cur {
            Value::Object(m) => m.get(k)?,
            Value::Array(a) => a.get(k.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    match cur {
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// Is this a configuration file the resolution may read?
pub fn is_config_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".json", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf"].iter().any(|e| lower.ends_with(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_format() {
        let j = parse("c.json", br#"{"model": {"name": "bert-base-cased", "list": ["a", "b"]}}"#).unwrap();
        assert_eq!(lookup(&j, &k(&["model", "name"])).as_deref(), Some("bert-base-cased"));
        assert_eq!(lookup(&j, &k(&["model", "list", "1"])).as_deref(), Some("b"));
        let y = parse("c.yaml", b"model:\n  name: gpt2\n").unwrap();
        assert_eq!(lookup(&y, &k(&["model", "name"])).as_deref(), Some("gpt2"));
        let t = parse("pyproject.toml", b"[tool.app]\nmodel = \"t5-small\"\n").unwrap();
        assert_eq!(lookup(&t, &k(&["tool", "app", "model"])).as_deref(), Some("t5-small"));
        let i = parse("settings.ini", b"[model]\nname = distilgpt2\n").unwrap();
        assert_eq!(lookup(&i, &k(&["model", "name"])).as_deref(), Some("distilgpt2"));
        assert!(parse("c.json", b"{not json").is_none());
        assert_eq!(lookup(&j, &k(&["model"])), None, "an object is not a model name");
    }
}
