//! Jupyter notebooks: the code cells of nbformat 3 and 4, joined into one
//! Python source with IPython magics and shell escapes neutralised, and a map
//! from the joined source's lines back to `cell:I:L`.

use serde_json::Value;

/// The joined Python source of a notebook's code cells.
#[derive(Debug, Default)]
pub struct NotebookSource {
    pub python: String,
    /// For line `n` (1-based) of `python`: (cell index over all cells, 1-based line in the cell).
    pub lines: Vec<(u32, u32)>,
    pub code_cells: usize,
}

impl NotebookSource {
    pub fn location(&self, line: u32) -> Option<(u32, u32)> {
        self.lines.get(line.checked_sub(1)? as usize).copied()
    }
}

/// Cell magics whose body is still Python.
const PYTHON_CELL_MAGICS: &[&str] = &["time", "timeit", "capture", "prun", "debug", "tensorflow_version"];

fn cell_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts.iter().filter_map(|p| p.as_str()).collect::<String>(),
        _ => String::new(),
    }
}

/// Read a notebook. Errors name what is wrong in one line.
pub fn parse_notebook(bytes: &[u8]) -> Result<NotebookSource, String> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| format!("notebook is not valid JSON: {e}"))?;
    let Some(obj) = doc.as_object() else { return Err("notebook is not a JSON object".into()) };
    // nbformat 4: top-level `cells`; nbformat 3: `worksheets[].cells`, code in `input`.
    let cells: Vec<&Value> = if let Some(cells) = obj.get("cells").and_then(Value::as_array) {
        cells.iter().collect()
    } else if let Some(ws) = obj.get("worksheets").and_then(Value::as_array) {
        ws.iter().filter_map(|w| w.get("cells").and_then(Value::as_array)).flatten().collect()
    } else {
        return Err("notebook has neither `cells` (nbformat 4) nor `worksheets` (nbformat 3)".into());
    };
    let mut out = NotebookSource::default();
    for (idx, cell) in cells.iter().enumerate() {
        if cell.get("cell_type").and_then(Value::as_str) != Some("code") {
            continue;
        }
        out.code_cells += 1;
        let src = match cell.get("source") {
            Some(s) => cell_text(Some(s)),
            None => cell_text(cell.get("input")),
        };
        let lines: Vec<&str> = src.lines().collect();
        let mut non_python = false;
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let indent = &line[..line.len() - trimmed.len()];
            let code = if i == 0 && trimmed.starts_with("%%")
                || (i > 0 && lines[..i].iter().all(|l| l.trim().is_empty()) && trimmed.starts_with("%%"))
            {
                let name = trimmed[2..].split_whitespace().next().unwrap_or("");
                non_python = !PYTHON_CELL_MAGICS.contains(&name);
                String::new()
            } else if non_python {
                String::new()
            } else if trimmed.starts_with('%') || trimmed.starts_with('!') || is_help(trimmed) || is_shell_assign(trimmed) {
                format!("{indent}pass")
            } else {
                (*line).to_string()
            };
            out.python.push_str(&code);
            out.python.push('\n');
            out.lines.push((idx as u32, i as u32 + 1));
        }
        // A blank separator line keeps one cell's unfinished block from
        // swallowing the next cell.
        out.python.push('\n');
        out.lines.push((idx as u32, lines.len() as u32 + 1));
    }
    Ok(out)
}

/// `obj?` / `obj??`: IPython help.
fn is_help(t: &str) -> bool {
    let t = t.trim_end();
    t.ends_with('?')
        && !t.starts_with('#')
        && t.trim_end_matches('?').chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.')
}

/// `files = !ls` / `x = %time f()`.
fn is_shell_assign(t: &str) -> bool {
    match t.split_once('=') {
        Some((lhs, rhs)) => {
            let lhs_ok = !lhs.is_empty() && lhs.chars().all(|c| c.is_alphanumeric() || c == '_' || c == ',' || c == ' ');
            let r = rhs.trim_start();
            lhs_ok && !rhs.starts_with('=') && (r.starts_with('!') && !r.starts_with("!=") || r.starts_with('%'))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_code_cells_and_maps_lines() {
        let nb = r##"{"nbformat": 4, "cells": [
            {"cell_type": "markdown", "source": ["# Title\n"]},
            {"cell_type": "code", "source": ["!pip install x\n", "%matplotlib inline\n", "import torch\n"]},
            {"cell_type": "code", "source": "%%bash\nls -la\n"},
            {"cell_type": "code", "source": ["files = !ls\n", "m = torch.load('a.pt')"]}
        ]}"##;
        let s = parse_notebook(nb.as_bytes()).unwrap();
        assert_eq!(s.code_cells, 3);
        let lines: Vec<&str> = s.python.lines().collect();
        assert_eq!(lines[0], "pass");
        assert_eq!(lines[2], "import torch");
        let idx = lines.iter().position(|l| l.contains("torch.load")).unwrap();
        assert_eq!(s.location(idx as u32 + 1), Some((3, 2)));
        assert!(!s.python.contains("ls -la"));
        assert!(!s.python.contains("!ls"));
    }

    #[test]
    fn nbformat3_and_errors() {
        let nb = r#"{"worksheets": [{"cells": [{"cell_type": "code", "input": ["x = 1\n", "y = 2"]}]}]}"#;
        let s = parse_notebook(nb.as_bytes()).unwrap();
        assert_eq!(s.location(2), Some((0, 2)));
        assert!(parse_notebook(b"not json").unwrap_err().contains("not valid JSON"));
        assert!(parse_notebook(b"[1]").unwrap_err().contains("not a JSON object"));
        assert!(parse_notebook(b"{}").unwrap_err().contains("neither"));
    }
}
