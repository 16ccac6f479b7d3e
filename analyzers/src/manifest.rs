//! Dependency manifests: requirements*.txt / *.in, pyproject.toml (PEP 621,
//! Poetry, dependency groups), setup.py (install_requires), setup.cfg,
//! environment.yml (conda and its pip section), Pipfile.

use regex::Regex;
use schemas::Dependency;
use std::sync::OnceLock;

/// Normalise a distribution name (PEP 503): lowercase, runs of `-_.` as `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if c == '-' || c == '_' || c == '.' {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// One PEP 508 requirement string: `name[extra] (>=1.0) ; marker`.
pub fn parse_requirement(s: &str) -> Option<Dependency> {
    let s = s.split(';').next()?.trim();
    let s = s.split(" #").next()?.trim();
    if s.is_empty() || s.starts_with('-') || s.starts_with('#') || s.contains("://") && !s.contains(" @ ") {
        return None;
    }
    let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')).unwrap_or(s.len());
    let name = &s[..end];
    if name.is_empty() {
        return None;
    }
    let mut rest = s[end..].trim();
    if rest.starts_with('[') {
        rest = rest.find(']').map(|i| rest[i + 1..].trim()).unwrap_or("");
    }
    let spec = rest.trim_matches(|c| c == '(' || c == ')').trim();
    Some(Dependency { name: normalize(name), spec: (!spec.is_empty()).then(|| spec.to_string()) })
}

fn requirements_txt(text: &str) -> Vec<Dependency> {
    text.lines().filter_map(|l| parse_requirement(l.split('#').next().unwrap_or(""))).collect()
}

fn toml_strings(v: Option<&toml::Value>) -> Vec<String> {
    match v {
        Some(toml::Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

fn poetry_table(v: Option<&toml::Value>, out: &mut Vec<Dependency>) {
    if let Some(t) = v.and_then(toml::Value::as_table) {
        for (k, spec) in t {
            if k == "python" {
                continue;
            }
            let spec = match spec {
                toml::Value::String(s) if s != "*" => Some(s.clone()),
                toml::Value::Table(t) => t.get("version").and_then(|v| v.as_str()).map(str::to_string),
                _ => None,
            };
            out.push(Dependency { name: normalize(k), spec });
        }
    }
}

fn pyproject(text: &str) -> Vec<Dependency> {
    let Ok(doc) = text.parse::<toml::Table>() else { return Vec::new() };
    let mut out = Vec::new();
    let mut reqs = Vec::new();
    if let Some(project) = doc.get("project") {
        reqs.extend(toml_strings(project.get("dependencies")));
        if let Some(t) = project.get("optional-dependencies").and_then(toml::Value::as_table) {
            for v in t.values() {
                reqs.extend(toml_strings(Some(v)));
            }
        }
    }
    if let Some(t) = doc.get("dependency-groups").and_then(toml::Value::as_table) {
        for v in t.values() {
            reqs.extend(toml_strings(Some(v)));
        }
    }
    out.extend(reqs.iter().filter_map(|r| parse_requirement(r)));
    if let Some(poetry) = doc.get("tool").and_then(|t| t.get("poetry")) {
        poetry_table(poetry.get("dependencies"), &mut out);
        poetry_table(poetry.get("dev-dependencies"), &mut out);
        if let Some(groups) = poetry.get("group").and_then(toml::Value::as_table) {
            for g in groups.values() {
                poetry_table(g.get("dependencies"), &mut out);
            }
        }
    }
    out
}

fn pipfile(text: &str) -> Vec<Dependency> {
    let Ok(doc) = text.parse::<toml::Table>() else { return Vec::new() };
    let mut out = Vec::new();
    poetry_table(doc.get("packages"), &mut out);
    poetry_table(doc.get("dev-packages"), &mut out);
    out
}

/// `install_requires = [...]` / `install_requires=REQS` lists of string literals in setup.py.
pub fn setup_py(text: &str) -> Vec<Dependency> {
    static LIST: OnceLock<Regex> = OnceLock::new();
    static STR: OnceLock<Regex> = OnceLock::new();
    let list = LIST.get_or_init(|| {
        Regex::new(r#"(?s)(?:install_requires|extras_require|requirements|REQUIRED|INSTALL_REQUIRES)\s*=\s*[\[{](.*?)[\]}]"#)
            .expect("regex")
    });
    let s = STR.get_or_init(|| Regex::new(r#"["']([A-Za-z0-9][^"'\n]*)["']"#).expect("regex"));
    let mut out = Vec::new();
    for c in list.captures_iter(text) {
        for m in s.captures_iter(&c[1]) {
            if let Some(d) = parse_requirement(&m[1]) {
                out.push(d);
            }
        }
    }
    out
}

fn setup_cfg(text: &str) -> Vec<Dependency> {
    let mut out = Vec::new();
    let mut in_list = false;
    for line in text.lines() {
        let indented = line.starts_with(' ') || line.starts_with('\t');
        let t = line.trim();
        if in_list && indented && !t.is_empty() {
            out.extend(parse_requirement(t));
            continue;
        }
        in_list = false;
        if let Some((k, v)) = t.split_once('=') {
            let k = k.trim();
            if k == "install_requires" || k.ends_with("_requires") {
                in_list = true;
                out.extend(parse_requirement(v.trim()));
            }
        }
    }
    out
}

/// environment.yml: `dependencies:` entries (`- numpy=1.2`, `- pip:` sub-list).
fn environment_yml(text: &str) -> Vec<Dependency> {
    let mut out = Vec::new();
    let mut in_deps = false;
    for line in text.lines() {
        let t = line.trim_end();
        if !t.starts_with(' ') && !t.starts_with('-') && !t.is_empty() {
            in_deps = t.starts_with("dependencies:");
            continue;
        }
        if !in_deps {
            continue;
        }
        let Some(item) = t.trim_start().strip_prefix("- ") else { continue };
        let item = item.split('#').next().unwrap_or("").trim().trim_matches(|c| c == '"' || c == '\'');
        if item.ends_with(':') || item.is_empty() {
            continue;
        }
        // conda: `channel::name=1.2=build`, pip: PEP 508.
        let item = item.rsplit("::").next().unwrap_or(item);
        let conda = item.replacen('=', "==", 1);
        let conda = if item.contains("==") || item.contains(">=") || item.contains("<=") { item.to_string() } else { conda };
        out.extend(parse_requirement(&conda));
    }
    out
}

/// The dependencies a manifest declares, by its file name.
pub fn parse(path: &str, text: &str) -> Vec<Dependency> {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let mut deps = match name.as_str() {
        "pyproject.toml" => pyproject(text),
        "pipfile" => pipfile(text),
        "setup.cfg" => setup_cfg(text),
        "setup.py" => setup_py(text),
        n if n.ends_with(".yml") || n.ends_with(".yaml") => environment_yml(text),
        _ => requirements_txt(text),
    };
    deps.sort_by(|a, b| a.name.cmp(&b.name));
    deps.dedup_by(|a, b| a.name == b.name);
    deps
}

/// The exact version pinned by `==X` (or `===X`, or a bare conda `=X`), if any.
pub fn pinned_version(spec: &str) -> Option<String> {
    let s = spec.trim();
    let v = s.strip_prefix("===").or_else(|| s.strip_prefix("=="))?;
    let v = v.split(',').next()?.trim();
    (!v.is_empty() && !v.contains('*')).then(|| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(d: &[Dependency]) -> Vec<String> {
        d.iter().map(|d| format!("{}{}", d.name, d.spec.as_deref().unwrap_or(""))).collect()
    }

    #[test]
    fn requirements() {
        let t = "# c\ntorch==2.1.0\nscikit_learn>=1.0 ; python_version>'3'\n-r base.txt\n-e .\ntransformers[torch] (==4.37.2)\nhttps://x/y.whl\nSentence.Transformers\n";
        assert_eq!(
            names(&parse("requirements.txt", t)),
            vec!["scikit-learn>=1.0", "sentence-transformers", "torch==2.1.0", "transformers==4.37.2"]
        );
    }

    #[test]
    fn pyproject_and_pipfile() {
        let t = "[project]\ndependencies = [\"torch>=2\", \"numpy\"]\n[project.optional-dependencies]\nnlp = [\"transformers==4.46.3\"]\n[tool.poetry.dependencies]\npython = \"^3.10\"\ntensorflow = \"^2.15\"\nkeras = { version = \"3.0\" }\n";
        assert_eq!(
            names(&parse("pyproject.toml", t)),
            vec!["keras3.0", "numpy", "tensorflow^2.15", "torch>=2", "transformers==4.46.3"]
        );
        assert_eq!(names(&parse("Pipfile", "[packages]\nopenai = \"*\"\njoblib = \"==1.3\"\n")), vec!["joblib==1.3", "openai"]);
        assert!(parse("pyproject.toml", "not [toml").is_empty());
    }

    #[test]
    fn setup_files_and_conda() {
        let py = "setup(name='x', install_requires=[\n 'torch>=1.8',\n \"timm\",\n])";
        assert_eq!(names(&parse("setup.py", py)), vec!["timm", "torch>=1.8"]);
        let cfg = "[options]\ninstall_requires =\n    onnxruntime>=1.16\n    numpy\npython_requires = >=3.8\n";
        assert_eq!(names(&parse("setup.cfg", cfg)), vec!["numpy", "onnxruntime>=1.16"]);
        let yml = "name: env\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.10\n  - pytorch::pytorch=2.1\n  - scikit-learn\n  - pip:\n    - transformers==4.37.2\n";
        assert_eq!(
            names(&parse("environment.yml", yml)),
            vec!["python==3.10", "pytorch==2.1", "scikit-learn", "transformers==4.37.2"]
        );
    }

    #[test]
    fn pins() {
        assert_eq!(pinned_version("==4.37.2").as_deref(), Some("4.37.2"));
        assert_eq!(pinned_version(">=4.37"), None);
        assert_eq!(pinned_version("==4.*"), None);
    }
}
