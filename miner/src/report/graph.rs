//! A repository's model graph, read from the database, drawn as DOT,
//! Mermaid or SVG (drawn here, no external program needed).

use crate::error::MineError;
use crate::store::Store;
use std::collections::BTreeMap;
use std::fmt::Write;

/// A model node: a load site.
#[derive(Debug, Clone)]
pub struct GraphNode {
    pub key: (String, String),
    pub label: String,
    pub ecosystem: String,
}

#[derive(Debug, Clone)]
pub struct GraphEdge {
    pub kind: String,
    pub from: usize,
    pub to: usize,
    pub evidence: String,
}

#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub repo: String,
    pub class: String,
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

pub(crate) fn db_err(e: rusqlite::Error) -> MineError {
    MineError::Io(format!("reading the database: {e}"))
}

/// Read one repository's graph.
pub fn graph(store: &Store, repo: &str) -> Result<Graph, MineError> {
    let c = store.conn();
    let (id, name, class): (i64, String, Option<String>) = c
        .query_row("SELECT id, name, topology FROM repos WHERE name = ?1 OR location = ?1 ORDER BY id LIMIT 1", [repo], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .map_err(|_| MineError::usage(format!("--repo '{repo}': no such repository in the database")))?;
    let mut g = Graph { repo: name, class: class.unwrap_or_else(|| "none".into()), ..Default::default() };
    let mut index = BTreeMap::new();
    let mut st = c
        .prepare(
            "SELECT path, CASE WHEN cell IS NULL THEN CAST(line AS TEXT) ELSE 'cell:' || cell || ':' || line END, model_id, api, ecosystem
             FROM usages WHERE repo_id = ?1 AND source != 'aux' ORDER BY path, cell, line, col",
        )
        .map_err(db_err)?;
    let rows = st
        .query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })
        .map_err(db_err)?;
    for row in rows {
        let (path, loc, model, api, eco) = row.map_err(db_err)?;
        let key = (path.clone(), loc.clone());
        if index.contains_key(&key) {
            continue;
        }
        index.insert(key.clone(), g.nodes.len());
        let what = model.unwrap_or_else(|| format!("{} (dynamic)", api.rsplit('.').next().unwrap_or(&api)));
        g.nodes.push(GraphNode { key, label: format!("{what}\n{path}:{loc}"), ecosystem: eco });
    }
    let mut st = c
        .prepare("SELECT kind, from_path, from_loc, to_path, to_loc, evidence FROM edges WHERE repo_id = ?1 ORDER BY kind, from_path, from_loc")
        .map_err(db_err)?;
    let rows = st
        .query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })
        .map_err(db_err)?;
    for row in rows {
        let (kind, fp, fl, tp, tl, evidence) = row.map_err(db_err)?;
        if let (Some(&from), Some(&to)) = (index.get(&(fp, fl)), index.get(&(tp, tl))) {
            g.edges.push(GraphEdge { kind, from, to, evidence });
        }
    }
    Ok(g)
}

fn esc_dot(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

pub fn dot(g: &Graph) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "digraph \"{}\" {{", esc_dot(&g.repo));
    let _ =
        writeln!(s, "  label=\"{} ({})\"; labelloc=t; rankdir=LR; node [shape=box, style=rounded];", esc_dot(&g.repo), g.class);
    for (i, n) in g.nodes.iter().enumerate() {
        let _ = writeln!(s, "  n{i} [label=\"{}\\n[{}]\"];", esc_dot(&n.label), esc_dot(&n.ecosystem));
    }
    for e in &g.edges {
        let style = match e.kind.as_str() {
            "pipeline" => "color=\"#1f77b4\"",
            "ensemble" => "color=\"#2ca02c\", dir=none, style=bold",
            _ => "color=\"#d62728\", dir=none, style=dashed",
        };
        let _ = writeln!(s, "  n{} -> n{} [label=\"{}\", tooltip=\"{}\", {style}];", e.from, e.to, e.kind, esc_dot(&e.evidence));
    }
    s.push_str("}\n");
    s
}

pub fn mermaid(g: &Graph) -> String {
    let mut s = String::from("graph LR\n");
    let clean = |t: &str| t.replace('"', "'").replace('\n', "<br/>");
    for (i, n) in g.nodes.iter().enumerate() {
        let _ = writeln!(s, "  n{i}[\"{}<br/>[{}]\"]", clean(&n.label), clean(&n.ecosystem));
    }
    for e in &g.edges {
        let arrow = match e.kind.as_str() {
            "pipeline" => "-->",
            "ensemble" => "===",
            _ => "-.-",
        };
        let _ = writeln!(s, "  n{} {arrow}|{}| n{}", e.from, e.kind, e.to);
    }
    s
}

pub fn esc_xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A layered drawing: pipeline edges go left to right (a node's column is
/// the longest pipeline path reaching it), the other nodes stack in columns.
pub fn svg(g: &Graph) -> String {
    let n = g.nodes.len();
    let mut layer = vec![0usize; n];
    for _ in 0..n {
        let mut changed = false;
        for e in g.edges.iter().filter(|e| e.kind == "pipeline") {
            if layer[e.to] < layer[e.from] + 1 && layer[e.from] + 1 < n.max(1) {
                layer[e.to] = layer[e.from] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let (w, h, gap_x, gap_y) = (300.0, 54.0, 90.0, 26.0);
    let mut rows = vec![0usize; n.max(1)];
    let mut pos = vec![(0.0, 0.0); n];
    for i in 0..n {
        let l = layer[i];
        pos[i] = (30.0 + l as f64 * (w + gap_x), 60.0 + rows[l] as f64 * (h + gap_y));
        rows[l] += 1;
    }
    let width = 140.0 + (layer.iter().max().copied().unwrap_or(0) + 1) as f64 * (w + gap_x);
    let height = 160.0 + rows.iter().max().copied().unwrap_or(1).max(1) as f64 * (h + gap_y);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="12">"#
    );
    s.push_str(r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#1f77b4"/></marker></defs>"##);
    s.push('\n');
    let _ = writeln!(
        s,
        r#"<rect width="100%" height="100%" fill="white"/><text x="30" y="30" font-size="15" font-weight="bold">{} — {}</text>"#,
        esc_xml(&g.repo),
        esc_xml(&g.class)
    );
    for (k, e) in g.edges.iter().enumerate() {
        let (a, b) = (pos[e.from], pos[e.to]);
        let (color, extra) = match e.kind.as_str() {
            "pipeline" => ("#1f77b4", r#" stroke-width="2" marker-end="url(#arrow)""#),
            "ensemble" => ("#2ca02c", r#" stroke-width="3""#),
            _ => ("#d62728", r#" stroke-width="2" stroke-dasharray="6 4""#),
        };
        // Pipelines run left to right between columns; the other kinds arc
        // below the two nodes they relate.
        let (d, lx, ly) = if e.kind == "pipeline" {
            let (x1, y1, x2, y2) = (a.0 + w, a.1 + h / 2.0, b.0, b.1 + h / 2.0);
            (format!("M {x1:.1} {y1:.1} L {x2:.1} {y2:.1}"), (x1 + x2) / 2.0, (y1 + y2) / 2.0 - 6.0)
        } else {
            let (x1, y1, x2, y2) = (a.0 + w, a.1 + h / 2.0, b.0 + w, b.1 + h / 2.0);
            let cx = x1.max(x2) + 45.0 + (k % 4) as f64 * 18.0;
            let cy = (y1 + y2) / 2.0;
            (format!("M {x1:.1} {y1:.1} Q {cx:.1} {cy:.1} {x2:.1} {y2:.1}"), (x1.max(x2) + cx) / 2.0 + 30.0, cy + 4.0)
        };
        let _ = writeln!(
            s,
            r#"<path d="{d}" fill="none" stroke="{color}"{extra}><title>{}: {}</title></path>"#,
            e.kind,
            esc_xml(&e.evidence)
        );
        let _ =
            writeln!(s, r#"<text x="{lx:.1}" y="{ly:.1}" fill="{color}" font-size="11" text-anchor="middle">{}</text>"#, e.kind);
    }
    for (i, node) in g.nodes.iter().enumerate() {
        let (x, y) = pos[i];
        let _ = writeln!(s, r##"<rect x="{x:.1}" y="{y:.1}" width="{w}" height="{h}" rx="8" fill="#f7f7f7" stroke="#555"/>"##);
        let mut lines = node.label.lines();
        // Truncated to the box (about 6.8 px a character at this size).
        let fit = |t: &str, n: usize| {
            if t.chars().count() > n {
                format!("{}…", t.chars().take(n - 1).collect::<String>())
            } else {
                t.to_string()
            }
        };
        let first = fit(lines.next().unwrap_or(""), 40);
        let second = fit(&format!("{} [{}]", lines.next().unwrap_or(""), node.ecosystem), 46);
        let _ = writeln!(s, r#"<text x="{:.1}" y="{:.1}" font-weight="bold">{}</text>"#, x + 8.0, y + 20.0, esc_xml(&first));
        let _ = writeln!(s, r##"<text x="{:.1}" y="{:.1}" fill="#555">{}</text>"##, x + 8.0, y + 40.0, esc_xml(&second));
    }
    s.push_str("</svg>\n");
    s
}
