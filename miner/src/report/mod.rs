//! `mine report`: one system's audit (Markdown, HTML, JSON), its model graph
//! (DOT, Mermaid, SVG), its CycloneDX 1.6 ML-BOM, SARIF 2.1.0 for code
//! scanning (one run per repository), or a folder of HTML audits, one page
//! per system with an index.

pub mod audit;
pub mod cyclonedx;
pub mod graph;
pub mod html;
pub mod sarif;

pub use graph::{dot, mermaid, svg, Graph};

use crate::error::MineError;
use crate::store::Store;
use std::fmt::Write;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The audit as Markdown.
    #[value(alias = "markdown")]
    Md,
    /// The audit as one self-contained HTML page.
    Html,
    /// The audit as JSON.
    Json,
    /// SARIF 2.1.0, one run per repository (all of them without --repo).
    Sarif,
    /// CycloneDX 1.6 ML-BOM of the system.
    Cyclonedx,
    /// The model graph as Graphviz DOT.
    Dot,
    /// The model graph as Mermaid.
    Mermaid,
    /// The model graph as SVG.
    Svg,
}

fn write_out(text: &str, output: Option<&Path>) -> Result<(), MineError> {
    match output {
        Some(p) => std::fs::write(p, text).map_err(|e| MineError::usage(format!("--output '{}': {e}", p.display()))),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

fn json_text(v: &serde_json::Value) -> Result<String, MineError> {
    serde_json::to_string_pretty(v).map(|s| s + "\n").map_err(|e| MineError::Io(e.to_string()))
}

fn names(store: &Store) -> Result<Vec<String>, MineError> {
    let mut st = store.conn().prepare("SELECT name FROM repos WHERE status = 'ok' ORDER BY name").map_err(graph::db_err)?;
    let v = st.query_map([], |r| r.get(0)).map_err(graph::db_err)?.collect::<Result<Vec<String>, _>>().map_err(graph::db_err)?;
    Ok(v)
}

/// A file name for a repository's page: owner/name → owner__name.html.
pub fn page_name(repo: &str) -> String {
    let s: String =
        repo.replace('/', "__").chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    format!("{s}.html")
}

pub struct Request<'a> {
    pub db: &'a Path,
    pub repo: Option<&'a str>,
    pub format: Format,
    pub output: Option<&'a Path>,
    pub html_dir: Option<&'a Path>,
    pub catalog: &'a analyzers::Catalog,
}

pub fn run(r: Request<'_>) -> Result<(), MineError> {
    let store = Store::open_ro(r.db)?;
    let labels = crate::labels::import::store_with(Some(store.conn())).map_err(MineError::Io)?;
    let reuse = crate::labels::link::reuse(store.conn()).map_err(MineError::Io)?;
    let corpus = audit::Corpus { labels: &labels, legacy: &r.catalog.legacy_ids, reuse };
    if let Some(dir) = r.html_dir {
        return html_folder(&store, &corpus, r.repo, dir, r.catalog);
    }
    if r.format == Format::Sarif {
        let repos = match r.repo {
            Some(x) => vec![audit::repo_name(&store, x)?],
            None => names(&store)?,
        };
        let audits = repos.iter().map(|n| audit::load(&store, &corpus, n)).collect::<Result<Vec<_>, _>>()?;
        return write_out(&json_text(&sarif::sarif(&audits, r.catalog))?, r.output);
    }
    let Some(repo) = r.repo else {
        return Err(MineError::usage("--repo NAME is needed for this format (only sarif and --html DIR cover every repository)"));
    };
    let text = match r.format {
        Format::Dot => dot(&graph::graph(&store, repo)?),
        Format::Mermaid => mermaid(&graph::graph(&store, repo)?),
        Format::Svg => svg(&graph::graph(&store, repo)?),
        Format::Md => audit::load(&store, &corpus, repo)?.markdown(),
        Format::Html => audit::load(&store, &corpus, repo)?.html(),
        Format::Json => {
            json_text(&serde_json::to_value(audit::load(&store, &corpus, repo)?).map_err(|e| MineError::Io(e.to_string()))?)?
        }
        Format::Cyclonedx => json_text(&cyclonedx::bom(&audit::load(&store, &corpus, repo)?, &labels))?,
        Format::Sarif => unreachable!("handled above"),
    };
    write_out(&text, r.output)
}

/// DIR/index.html listing every system, DIR/<system>.html for each, and
/// SARIF for code scanning: DIR/modelmine.sarif (every system, a run each)
/// and DIR/sarif/<system>.sarif (one run, to upload for that repository).
fn html_folder(
    store: &Store,
    corpus: &audit::Corpus<'_>,
    repo: Option<&str>,
    dir: &Path,
    catalog: &analyzers::Catalog,
) -> Result<(), MineError> {
    let sarif_dir = dir.join("sarif");
    std::fs::create_dir_all(&sarif_dir).map_err(|e| MineError::usage(format!("--html '{}': {e}", dir.display())))?;
    let write = |p: &Path, text: &str| std::fs::write(p, text).map_err(|e| MineError::Io(format!("{}: {e}", p.display())));
    let repos = match repo {
        Some(x) => vec![audit::repo_name(store, x)?],
        None => names(store)?,
    };
    let mut rows = Vec::new();
    let mut audits = Vec::new();
    for n in &repos {
        let a = audit::load(store, corpus, n)?;
        let file = page_name(n);
        write(&dir.join(&file), &a.html())?;
        let sarif_file = format!("{}.sarif", file.trim_end_matches(".html"));
        write(&sarif_dir.join(&sarif_file), &json_text(&sarif::sarif(std::slice::from_ref(&a), catalog))?)?;
        let risky = a.usages.iter().filter(|u| !u.risks.is_empty()).count();
        rows.push(vec![
            format!("<a href=\"{}\">{}</a>", html::esc(&file), html::esc(n)),
            a.usages.len().to_string(),
            a.distinct_models.to_string(),
            html::esc(&a.topology),
            if risky > 0 { format!("<span class=\"risk\">{risky}</span>") } else { "0".into() },
            a.recommendations.iter().filter(|r| !r.alternatives.is_empty()).count().to_string(),
            format!("<a href=\"sarif/{}\">SARIF</a>", html::esc(&sarif_file)),
        ]);
        audits.push(a);
    }
    write(&dir.join("modelmine.sarif"), &json_text(&sarif::sarif(&audits, catalog))?)?;
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<h1>Model integration audits</h1><p class=\"sub\">{} systems · <a href=\"modelmine.sarif\">SARIF for every system</a></p>",
        repos.len()
    );
    body.push_str(&html::table(
        &[
            "system",
            "model loads",
            "distinct models",
            "integration",
            "loads with risks",
            "usages with alternatives",
            "code scanning",
        ],
        &rows,
    ));
    write(&dir.join("index.html"), &html::page("Model integration audits", &body))?;
    eprintln!("wrote index.html, {} system pages, modelmine.sarif and sarif/ to {}", repos.len(), dir.display());
    Ok(())
}

/// `mine stats`.
pub fn stats(db: &Path, format: StatsFormat, output: Option<&Path>, html_dir: Option<&Path>) -> Result<(), MineError> {
    let store = Store::open_ro(db)?;
    let s = crate::study::compute(&store)?;
    if let Some(dir) = html_dir {
        std::fs::create_dir_all(dir).map_err(|e| MineError::usage(format!("--html '{}': {e}", dir.display())))?;
        let p = dir.join("index.html");
        std::fs::write(&p, s.html()).map_err(|e| MineError::Io(format!("{}: {e}", p.display())))?;
        eprintln!("wrote {}", p.display());
        return Ok(());
    }
    let text = match format {
        StatsFormat::Md => s.markdown(),
        StatsFormat::Json => json_text(&s.json())?,
        StatsFormat::Csv => s.csv()?,
    };
    write_out(&text, output)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatsFormat {
    #[value(alias = "markdown")]
    Md,
    Json,
    Csv,
}
