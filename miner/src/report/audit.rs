//! One system's audit: what it loads, from where, at which revision, how
//! safely, how the models are wired, and the reuse recommendations — as
//! Markdown, a self-contained HTML page, or JSON. Every usage links to its
//! line on the forge at the mined commit when the repository has a forge URL.

use super::graph::{self, db_err, Graph};
use super::html;
use crate::error::MineError;
use crate::labels::recommend::{self, Recommendation};
use crate::labels::LabelStore;
use crate::store::Store;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

#[derive(Debug, Clone, Serialize)]
pub struct AuditUsage {
    pub path: String,
    pub line: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    pub source: String,
    pub ecosystem: String,
    pub api: String,
    pub rule: String,
    pub model: Option<String>,
    pub model_id: Option<String>,
    pub resolvable: String,
    pub revision: Option<String>,
    pub revision_pinned: Option<bool>,
    pub trust_remote_code: Option<bool>,
    pub weights_only: Option<bool>,
    pub risks: Vec<String>,
    pub hub_model: Option<String>,
    pub task: Option<String>,
    pub license: Option<String>,
    pub license_family: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEdge {
    pub kind: String,
    pub from: String,
    pub to: String,
    pub evidence: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    pub repo: String,
    pub location: String,
    pub url: Option<String>,
    pub forge: Option<String>,
    pub commit: Option<String>,
    pub commit_kind: Option<String>,
    pub dirty: Option<bool>,
    pub mined_at: Option<String>,
    pub tool_version: Option<String>,
    pub catalog_version: Option<String>,
    pub ml_enabled: Option<bool>,
    pub ml_libraries: Vec<String>,
    pub topology: String,
    pub models: i64,
    pub distinct_models: i64,
    pub usages: Vec<AuditUsage>,
    pub aux_loads: i64,
    pub risks: BTreeMap<String, u64>,
    pub edges: Vec<AuditEdge>,
    pub recommendations: Vec<Recommendation>,
    #[serde(skip)]
    pub graph: Graph,
}

/// The web address of a repository on its forge, from the GitHub API's
/// `html_url` or a GitHub / GitLab / Bitbucket / Codeberg remote URL.
pub fn forge_base(html_url: Option<&str>, url: Option<&str>) -> Option<String> {
    if let Some(h) = html_url.filter(|h| h.starts_with("https://")) {
        return Some(h.trim_end_matches('/').to_string());
    }
    let u = url?.trim();
    let rest = if let Some(r) = u.strip_prefix("git@") {
        r.replacen(':', "/", 1)
    } else {
        let r = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://")).or_else(|| u.strip_prefix("ssh://git@"))?;
        // Drop credentials (user:token@host).
        r.rsplit_once('@').filter(|(c, _)| !c.contains('/')).map(|(_, h)| h.to_string()).unwrap_or_else(|| r.to_string())
    };
    let rest = rest.trim_end_matches('/').trim_end_matches(".git");
    let rest = rest.split('@').next().unwrap_or(rest); // a pinned URL@REF
    let host = rest.split('/').next()?;
    if !["github.com", "gitlab.com", "bitbucket.org", "codeberg.org"].contains(&host) || rest.split('/').count() < 3 {
        return None;
    }
    Some(format!("https://{rest}"))
}

/// The address of a line at a commit on the forge.
pub fn line_link(base: &str, commit: &str, path: &str, line: i64, notebook: bool) -> String {
    let anchor = |a: String| if notebook { String::new() } else { a };
    if base.starts_with("https://gitlab.com/") {
        format!("{base}/-/blob/{commit}/{path}{}", anchor(format!("#L{line}")))
    } else if base.starts_with("https://bitbucket.org/") {
        format!("{base}/src/{commit}/{path}{}", anchor(format!("#lines-{line}")))
    } else if base.starts_with("https://codeberg.org/") {
        format!("{base}/src/commit/{commit}/{path}{}", anchor(format!("#L{line}")))
    } else {
        format!("{base}/blob/{commit}/{path}{}", anchor(format!("#L{line}")))
    }
}

/// Resolve `--repo` to the stored name.
pub fn repo_name(store: &Store, repo: &str) -> Result<String, MineError> {
    store
        .conn()
        .query_row("SELECT name FROM repos WHERE name = ?1 OR location = ?1 ORDER BY id LIMIT 1", [repo], |r| r.get(0))
        .map_err(|_| MineError::usage(format!("--repo '{repo}': no such repository in the database")))
}

/// What every system's audit reads from the whole corpus, read once.
pub struct Corpus<'a> {
    pub labels: &'a LabelStore,
    pub legacy: &'a analyzers::modelid::LegacyIds,
    /// Repositories whose usages link to each store model.
    pub reuse: std::collections::HashMap<String, u64>,
}

pub fn load(store: &Store, corpus: &Corpus<'_>, repo: &str) -> Result<Audit, MineError> {
    let (labels, legacy) = (corpus.labels, corpus.legacy);
    let c = store.conn();
    type Meta = (
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<bool>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<bool>,
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<i64>,
    );
    let m: Meta = c
        .query_row(
            "SELECT id, name, location, url, html_url, commit_id, commit_kind, dirty, mined_at, tool_version, catalog_version,
                    ml_enabled, ml_libraries, topology, models, distinct_models
             FROM repos WHERE name = ?1 OR location = ?1 ORDER BY id LIMIT 1",
            [repo],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                    r.get(11)?,
                    r.get(12)?,
                    r.get(13)?,
                    r.get(14)?,
                    r.get(15)?,
                ))
            },
        )
        .map_err(|_| MineError::usage(format!("--repo '{repo}': no such repository in the database")))?;
    let (id, name) = (m.0, m.1.clone());
    let forge = forge_base(m.4.as_deref(), m.3.as_deref()).filter(|_| m.6.as_deref() == Some("git"));
    let commit = m.5.clone();
    let mut st = c
        .prepare(
            "SELECT u.path, u.line, u.cell, u.source, u.ecosystem, u.api, u.rule, u.model, u.model_id, u.model_resolvable,
                    u.revision, u.revision_pinned, u.trust_remote_code, u.weights_only, u.risks, u.task, l.hub_model
             FROM usages u LEFT JOIN links l ON l.usage_id = u.id
             WHERE u.repo_id = ?1 AND u.source != 'aux' ORDER BY u.path, u.cell, u.line, u.col",
        )
        .map_err(db_err)?;
    let mut risks: BTreeMap<String, u64> = BTreeMap::new();
    let usages: Vec<AuditUsage> = st
        .query_map([id], |r| {
            let risks: String = r.get(14)?;
            Ok(AuditUsage {
                path: r.get(0)?,
                line: r.get(1)?,
                cell: r.get(2)?,
                link: None,
                source: r.get(3)?,
                ecosystem: r.get(4)?,
                api: r.get(5)?,
                rule: r.get(6)?,
                model: r.get(7)?,
                model_id: r.get(8)?,
                resolvable: r.get(9)?,
                revision: r.get(10)?,
                revision_pinned: r.get(11)?,
                trust_remote_code: r.get(12)?,
                weights_only: r.get(13)?,
                risks: serde_json::from_str(&risks).unwrap_or_default(),
                task: r.get(15)?,
                hub_model: r.get(16)?,
                license: None,
                license_family: None,
            })
        })
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?
        .into_iter()
        .map(|mut u| {
            if let (Some(b), Some(cm)) = (&forge, &commit) {
                u.link = Some(line_link(b, cm, &u.path, u.line, u.cell.is_some()));
            }
            if let Some(hm) = u.hub_model.as_deref().and_then(|h| labels.get(h)) {
                u.license = hm.license.clone();
                u.license_family = Some(hm.license_family().as_str().to_string());
                if u.task.is_none() {
                    u.task = hm.task.clone();
                }
            }
            for r in &u.risks {
                *risks.entry(r.clone()).or_default() += 1;
            }
            u
        })
        .collect();
    let aux_loads: i64 =
        c.query_row("SELECT COUNT(*) FROM usages WHERE repo_id = ?1 AND source = 'aux'", [id], |r| r.get(0)).map_err(db_err)?;
    let g = graph::graph(store, &name)?;
    let node = |i: usize| {
        let n = &g.nodes[i];
        format!("{}:{}", n.key.0, n.key.1)
    };
    let edges = g
        .edges
        .iter()
        .map(|e| AuditEdge { kind: e.kind.clone(), from: node(e.from), to: node(e.to), evidence: e.evidence.clone() })
        .collect();
    let recommendations = recommend::compute(c, labels, legacy, &corpus.reuse, Some(&name)).map_err(MineError::Io)?;
    Ok(Audit {
        repo: name,
        location: m.2,
        url: m.3.map(|u| crate::fetch::redact_url(&u)),
        forge,
        commit,
        commit_kind: m.6,
        dirty: m.7,
        mined_at: m.8,
        tool_version: m.9,
        catalog_version: m.10,
        ml_enabled: m.11,
        ml_libraries: m.12.as_deref().and_then(|l| serde_json::from_str(l).ok()).unwrap_or_default(),
        topology: m.13.unwrap_or_else(|| "none".into()),
        models: m.14.unwrap_or(0),
        distinct_models: m.15.unwrap_or(0),
        usages,
        aux_loads,
        risks,
        edges,
        recommendations,
        graph: g,
    })
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn loc(u: &AuditUsage) -> String {
    match u.cell {
        Some(c) => format!("{} cell {}:{}", u.path, c, u.line),
        None => format!("{}:{}", u.path, u.line),
    }
}

fn revision_text(u: &AuditUsage) -> String {
    match (&u.revision, u.revision_pinned) {
        (Some(r), Some(true)) => format!("{r} (pinned)"),
        (Some(r), _) => format!("{r} (not a commit)"),
        (None, Some(false)) => "none (unpinned)".into(),
        (None, _) => "–".into(),
    }
}

fn risk_doc(r: &str) -> &'static str {
    match r {
        "trust_remote_code" => "runs Python code from the model repository",
        "unpinned_revision" => "no commit pinned: what loads can change under you",
        "unsafe_deserialization" => "pickle-based load: a crafted file runs code",
        "plain_http" => "weights fetched over plain http",
        "no_checksum" => "download that could verify a hash does not",
        _ => "",
    }
}

impl Audit {
    fn header_lines(&self) -> Vec<(String, String)> {
        let mut v = vec![];
        if let Some(u) = &self.forge {
            v.push(("repository".into(), u.clone()));
        } else {
            v.push(("repository".into(), self.url.clone().unwrap_or_else(|| self.location.clone())));
        }
        if let Some(c) = &self.commit {
            let kind = if self.commit_kind.as_deref() == Some("git") { "commit" } else { "content hash" };
            v.push((kind.into(), format!("{c}{}", if self.dirty == Some(true) { " (work tree dirty)" } else { "" })));
        }
        v.push(("ML libraries".into(), if self.ml_libraries.is_empty() { "none".into() } else { self.ml_libraries.join(", ") }));
        v.push((
            "integration".into(),
            format!("{} — {} load sites, {} distinct models", self.topology, self.models, self.distinct_models),
        ));
        if let (Some(t), Some(c)) = (&self.tool_version, &self.catalog_version) {
            v.push(("mined by".into(), format!("modelmine {t}, rule catalog {c}")));
        }
        v
    }

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# {}\n", self.repo);
        for (k, v) in self.header_lines() {
            let _ = writeln!(s, "- **{k}**: {v}");
        }
        let _ = writeln!(s, "\n## What it loads\n");
        if self.usages.is_empty() {
            let _ = writeln!(s, "No model loads found.");
        } else {
            let _ = writeln!(s, "| where | model | source | ecosystem / API | revision | risks | hub label store |\n|---|---|---|---|---|---|---|");
            for u in &self.usages {
                let wh = match &u.link {
                    Some(l) => format!("[{}]({l})", md_cell(&loc(u))),
                    None => md_cell(&loc(u)),
                };
                let model = match (&u.model_id, &u.model) {
                    (Some(id), _) => format!("`{id}`"),
                    (None, Some(m)) => format!("`{}` ({})", md_cell(m), u.resolvable),
                    _ => format!("not resolved ({})", u.resolvable),
                };
                let store = match &u.hub_model {
                    Some(h) => format!(
                        "{}{}{}",
                        if Some(h) == u.model_id.as_ref() { "linked".to_string() } else { format!("`{h}`") },
                        u.task.as_ref().map(|t| format!(", {t}")).unwrap_or_default(),
                        u.license.as_ref().map(|l| format!(", {l}")).unwrap_or_default()
                    ),
                    None => "not linked".into(),
                };
                let _ = writeln!(
                    s,
                    "| {wh} | {model} | {} | {} `{}` | {} | {} | {store} |",
                    u.source,
                    u.ecosystem,
                    md_cell(&u.api),
                    md_cell(&revision_text(u)),
                    if u.risks.is_empty() { "–".into() } else { u.risks.join(", ") }
                );
            }
        }
        if self.aux_loads > 0 {
            let _ = writeln!(s, "\nPlus {} tokenizer/processor loads (not models).", self.aux_loads);
        }
        let _ = writeln!(s, "\n## Risk findings\n");
        if self.risks.is_empty() {
            let _ = writeln!(s, "None.");
        }
        for (r, n) in &self.risks {
            let _ = writeln!(s, "- **{r}** × {n}: {}", risk_doc(r));
        }
        let _ = writeln!(s, "\n## How the models are wired: {}\n", self.topology);
        for e in &self.edges {
            let _ = writeln!(s, "- {} `{}` → `{}` ({})", e.kind, e.from, e.to, md_cell(&e.evidence));
        }
        if !self.graph.nodes.is_empty() {
            let _ = writeln!(s, "\n```mermaid\n{}```", graph::mermaid(&self.graph));
        }
        let _ = writeln!(s, "\n## Recommendations\n");
        let mut any = false;
        for r in &self.recommendations {
            if r.findings.is_empty() && r.alternatives.is_empty() {
                continue;
            }
            any = true;
            let w = match r.cell {
                Some(c) => format!("{} cell {}:{}", r.path, c, r.line),
                None => format!("{}:{}", r.path, r.line),
            };
            let _ = writeln!(s, "- `{}` at {w}", r.model_id.as_deref().unwrap_or("(model not resolved)"));
            for f in &r.findings {
                let _ = writeln!(s, "  - finding: {}", md_cell(f));
            }
            for a in &r.alternatives {
                let _ = writeln!(s, "  - consider `{}`: {}", a.model, md_cell(&a.reasons.join("; ")));
            }
        }
        if !any {
            let _ = writeln!(s, "None.");
        }
        s
    }

    pub fn html(&self) -> String {
        let mut b = String::new();
        let _ = writeln!(b, "<h1>{}</h1><p class=\"sub\">model integration audit</p>", html::esc(&self.repo));
        b.push_str("<table>");
        for (k, v) in self.header_lines() {
            let val = if v.starts_with("https://") { format!("<a href=\"{0}\">{0}</a>", html::esc(&v)) } else { html::esc(&v) };
            let _ = write!(b, "<tr><th>{}</th><td>{val}</td></tr>", html::esc(&k));
        }
        b.push_str("</table>\n");
        let risky = self.usages.iter().filter(|u| !u.risks.is_empty()).count();
        b.push_str(&html::cards(&[
            (self.usages.len().to_string(), "model loads"),
            (self.distinct_models.to_string(), "distinct models"),
            (self.topology.clone(), "integration"),
            (risky.to_string(), "loads with risk findings"),
            (self.usages.iter().filter(|u| u.hub_model.is_some()).count().to_string(), "linked to the hub label store"),
        ]));
        b.push_str("<h2>What it loads</h2>\n");
        let rows: Vec<Vec<String>> = self
            .usages
            .iter()
            .map(|u| {
                let wh = match &u.link {
                    Some(l) => format!("<a href=\"{}\"><code>{}</code></a>", html::esc(l), html::esc(&loc(u))),
                    None => format!("<code>{}</code>", html::esc(&loc(u))),
                };
                let model = match (&u.model_id, &u.model) {
                    (Some(id), _) => format!("<code>{}</code>", html::esc(id)),
                    (None, Some(m)) => {
                        format!("<code>{}</code> <span class=\"muted\">({})</span>", html::esc(m), html::esc(&u.resolvable))
                    }
                    _ => format!("<span class=\"muted\">not resolved ({})</span>", html::esc(&u.resolvable)),
                };
                let risks = if u.risks.is_empty() {
                    "<span class=\"ok\">–</span>".to_string()
                } else {
                    format!("<span class=\"risk\">{}</span>", html::esc(&u.risks.join(", ")))
                };
                let store = match &u.hub_model {
                    Some(h) => html::esc(&format!(
                        "{}{}{}",
                        if Some(h) == u.model_id.as_ref() { "linked".to_string() } else { h.clone() },
                        u.task.as_ref().map(|t| format!(", {t}")).unwrap_or_default(),
                        u.license.as_ref().map(|l| format!(", {l}")).unwrap_or_default()
                    )),
                    None => "<span class=\"muted\">not linked</span>".into(),
                };
                vec![
                    wh,
                    model,
                    html::esc(&u.source),
                    format!("{} <code>{}</code>", html::esc(&u.ecosystem), html::esc(&u.api)),
                    html::esc(&revision_text(u)),
                    risks,
                    store,
                ]
            })
            .collect();
        b.push_str(&html::table(&["where", "model", "source", "ecosystem / API", "revision", "risks", "hub label store"], &rows));
        b.push_str("<h2>Risk findings</h2>\n");
        if self.risks.is_empty() {
            b.push_str("<p class=\"ok\">None.</p>\n");
        } else {
            b.push_str("<ul>");
            for (r, n) in &self.risks {
                let _ = write!(b, "<li><span class=\"risk\">{}</span> × {n}: {}</li>", html::esc(r), html::esc(risk_doc(r)));
            }
            b.push_str("</ul>\n");
        }
        let _ = writeln!(b, "<h2>How the models are wired: {}</h2>", html::esc(&self.topology));
        if !self.graph.nodes.is_empty() {
            let svg = graph::svg(&self.graph).replacen("<svg ", "<svg class=\"chart\" id=\"topology\" ", 1);
            let _ = writeln!(b, "<div class=\"graph\">{svg}</div>");
        }
        if !self.edges.is_empty() {
            let rows: Vec<Vec<String>> = self
                .edges
                .iter()
                .map(|e| {
                    vec![
                        html::esc(&e.kind),
                        format!("<code>{}</code>", html::esc(&e.from)),
                        format!("<code>{}</code>", html::esc(&e.to)),
                        html::esc(&e.evidence),
                    ]
                })
                .collect();
            b.push_str(&html::table(&["kind", "from", "to", "evidence"], &rows));
        }
        b.push_str("<h2>Recommendations</h2>\n");
        let rows: Vec<Vec<String>> = self
            .recommendations
            .iter()
            .filter(|r| !r.findings.is_empty() || !r.alternatives.is_empty())
            .map(|r| {
                let w = match r.cell {
                    Some(c) => format!("{} cell {}:{}", r.path, c, r.line),
                    None => format!("{}:{}", r.path, r.line),
                };
                let f = format!(
                    "<ul class=\"f\">{}</ul>",
                    r.findings.iter().map(|x| format!("<li>{}</li>", html::esc(x))).collect::<String>()
                );
                let a = format!(
                    "<ul class=\"f\">{}</ul>",
                    r.alternatives
                        .iter()
                        .map(|x| format!("<li><code>{}</code>: {}</li>", html::esc(&x.model), html::esc(&x.reasons.join("; "))))
                        .collect::<String>()
                );
                vec![
                    format!(
                        "<code>{}</code><br><span class=\"muted\">{}</span>",
                        html::esc(r.model_id.as_deref().unwrap_or("(not resolved)")),
                        html::esc(&w)
                    ),
                    f,
                    a,
                ]
            })
            .collect();
        if rows.is_empty() {
            b.push_str("<p class=\"ok\">None.</p>\n");
        } else {
            b.push_str(&html::table(&["usage", "findings", "alternatives"], &rows));
        }
        html::page(&format!("{} — model integration audit", self.repo), &b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forge_links() {
        assert_eq!(forge_base(None, Some("https://github.com/acme/app.git")).as_deref(), Some("https://github.com/acme/app"));
        assert_eq!(forge_base(None, Some("git@github.com:acme/app.git")).as_deref(), Some("https://github.com/acme/app"));
        assert_eq!(
            forge_base(None, Some("https://user:tok@github.com/acme/app")).as_deref(),
            Some("https://github.com/acme/app")
        );
        assert_eq!(forge_base(None, Some("file:///srv/app.git")), None);
        assert_eq!(forge_base(Some("https://github.com/a/b"), None).as_deref(), Some("https://github.com/a/b"));
        assert_eq!(
            line_link("https://github.com/a/b", "abc", "src/x.py", 7, false),
            "https://github.com/a/b/blob/abc/src/x.py#L7"
        );
        assert_eq!(line_link("https://gitlab.com/a/b", "abc", "x.py", 7, false), "https://gitlab.com/a/b/-/blob/abc/x.py#L7");
        assert_eq!(line_link("https://github.com/a/b", "abc", "n.ipynb", 7, true), "https://github.com/a/b/blob/abc/n.ipynb");
    }
}
