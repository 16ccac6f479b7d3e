//! The command line.

use crate::error::MineError;
use crate::export::{Format, Table};
use crate::pipeline::{self, Settings};
use crate::source::{self, RepoSpec};
use analyzers::Catalog;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(
    name = "mine",
    version,
    about = "Find where software loads machine-learning models, and store it all in SQLite.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub mine: MineArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a table of the database as JSONL or CSV.
    Export(ExportArgs),
    /// List the rule catalog.
    Rules(RulesArgs),
    /// Compare the database with expected findings: precision, recall, field accuracy.
    Eval(EvalArgs),
    /// A system's audit (md, html, json), its graph (dot, mermaid, svg), CycloneDX ML-BOM, or SARIF.
    Report(ReportArgs),
    /// The study's tables from the database (md, json, csv, or an HTML page with charts).
    Stats(StatsArgs),
    /// Combine shard databases into one (deduplicated by repository and commit; idempotent).
    Merge(MergeArgs),
    /// The hub label store: import, sync from the Hugging Face Hub, link usages, statistics.
    Labels(LabelsArgs),
    /// Rank the store's models for a task and labels (works offline from the embedded store).
    Select(SelectArgs),
    /// For each usage: findings and alternatives with reasons, stored in the database.
    Recommend(RecommendArgs),
}

#[derive(Debug, Args)]
pub struct LabelsArgs {
    #[command(subcommand)]
    pub command: LabelsCommand,
}

#[derive(Debug, Subcommand)]
pub enum LabelsCommand {
    /// Add models to the database's store from JSONL or CSV files (schemas/json/hub-model.schema.json).
    Import {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The database to write.
        #[arg(long, value_name = "FILE", default_value = "mine.sqlite")]
        db: PathBuf,
    },
    /// Add models from the Hugging Face Hub API, most downloaded first.
    Sync {
        /// Sync from the Hugging Face Hub (the one source so far).
        #[arg(long, required = true)]
        hf: bool,
        /// The Hub [default: $HF_ENDPOINT, else https://huggingface.co].
        #[arg(long, value_name = "URL")]
        api_url: Option<String>,
        /// At most this many models.
        #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
        limit: u64,
        /// A Hugging Face token [default: $HF_TOKEN]; never stored or printed.
        #[arg(long, value_name = "TOKEN")]
        token: Option<String>,
        #[arg(long, value_name = "FILE", default_value = "mine.sqlite")]
        db: PathBuf,
    },
    /// Summarise the store (seed, and a database's additions and links when --db is given).
    Stats {
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// List the labels of one kind (task, subtask, modality, dataset, domain, language, library, capability).
        #[arg(long, value_name = "KIND")]
        labels: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Link the database's usages to the store again (after an import or sync, done for you).
    Link {
        #[arg(long, value_name = "FILE", default_value = "mine.sqlite")]
        db: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct SelectArgs {
    /// The task (a Hub pipeline tag such as text-classification, or a sub-task such as sentiment-analysis).
    #[arg(long, value_name = "TASK", required_unless_present = "evaluate")]
    pub task: Option<String>,
    /// Another required label, kind:value or a bare value (repeatable): dataset:imagenet-1k, language:fr, domain:medical.
    #[arg(long = "label", value_name = "LABEL")]
    pub labels: Vec<String>,
    /// Only models whose license is at least this permissive.
    #[arg(long, value_name = "FAMILY", value_parser = ["permissive", "copyleft", "restricted", "unknown"])]
    pub license: Option<String>,
    /// Only models of at most this many parameters (30000000, 200M, 7B).
    #[arg(long, value_name = "N", value_parser = crate::labels::parse_count)]
    pub max_params: Option<u64>,
    /// Keep models of unknown size under --max-params.
    #[arg(long)]
    pub include_unknown_size: bool,
    /// Only models of this ecosystem (huggingface, timm, torchvision, openai, ...).
    #[arg(long, value_name = "NAME")]
    pub ecosystem: Option<String>,
    #[arg(long, value_name = "K", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub top: u64,
    /// A mined database: its imported models join the store and reuse across its repositories ranks models.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
    /// Run the leave-one-dataset-out benchmark on the open_clip table instead (honours --max-params).
    #[arg(long)]
    pub evaluate: bool,
}

#[derive(Debug, Args)]
pub struct RecommendArgs {
    #[arg(long, value_name = "FILE", default_value = "mine.sqlite")]
    pub db: PathBuf,
    /// Only this repository (its name or location as stored).
    #[arg(long, value_name = "NAME")]
    pub repo: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The database to read.
    #[arg(long, value_name = "FILE", default_value = "mine.sqlite")]
    pub db: PathBuf,
    /// The repository (its name or location as stored); sarif and --html cover every repository without it.
    #[arg(long, value_name = "NAME")]
    pub repo: Option<String>,
    #[arg(long, value_enum, default_value_t = crate::report::Format::Md)]
    pub format: crate::report::Format,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write a folder of HTML audits instead: index.html and one page per system.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["output", "format"])]
    pub html: Option<PathBuf>,
    /// Read the rule catalog (SARIF rule help) from this folder instead of the built-in one.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The database to write (created when missing; merging into it again changes nothing).
    #[arg(long, value_name = "FILE", required = true)]
    pub db: PathBuf,
    /// The shard databases.
    #[arg(value_name = "IN.sqlite", required = true)]
    pub inputs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The database to read.
    #[arg(long, value_name = "FILE", default_value = "mine.sqlite")]
    pub db: PathBuf,
    #[arg(long, value_enum, default_value_t = crate::report::StatsFormat::Md)]
    pub format: crate::report::StatsFormat,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write one self-contained HTML page with the tables and charts to DIR/index.html instead.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["output", "format"])]
    pub html: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The database to read.
    #[arg(long, value_name = "FILE", default_value = "mine.sqlite")]
    pub db: PathBuf,
    /// A folder searched for expected.jsonl files, or one such file (repeatable).
    #[arg(long, value_name = "PATH", required = true)]
    pub expected: Vec<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Exit with 1 unless every expected row is found with every field right and nothing else is found.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct MineArgs {
    /// A local repository folder, taken as the root itself (repeatable).
    #[arg(long = "path", value_name = "DIR")]
    pub paths: Vec<String>,
    /// A file listing repositories: a local path or a git URL a line, `#` comments (repeatable).
    #[arg(long = "list", value_name = "FILE")]
    pub lists: Vec<String>,
    /// The SQLite database to write.
    #[arg(long, value_name = "FILE", default_value = "mine.sqlite")]
    pub db: PathBuf,
    /// Where cloned repositories are kept [default: the user cache folder/modelmine/repos].
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Worker threads [default: all cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,
    /// Files larger than this many bytes are skipped and recorded.
    #[arg(long, value_name = "BYTES", default_value_t = 2_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_file_bytes: u64,
    /// Mine again repositories already mined at the same commit.
    #[arg(long)]
    pub force: bool,
    /// No progress bars.
    #[arg(long, short)]
    pub quiet: bool,
    /// Read the rule catalog from this folder instead of the built-in one.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Every repository of a GitHub organisation (repeatable).
    #[arg(long = "org", value_name = "NAME")]
    pub orgs: Vec<String>,
    /// Every repository a GitHub user owns (repeatable).
    #[arg(long = "user", value_name = "NAME")]
    pub users: Vec<String>,
    /// The repositories a GitHub search finds (split by creation date past the API's 1,000 results).
    #[arg(long = "search", value_name = "QUERY")]
    pub searches: Vec<String>,
    /// One GitHub repository, OWNER/NAME (repeatable).
    #[arg(long = "repo", value_name = "OWNER/NAME")]
    pub repos: Vec<String>,
    /// The GitHub API [default: $GITHUB_API_URL, else https://api.github.com].
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// A GitHub token [default: $GITHUB_TOKEN]; never stored or printed.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Mine forks too.
    #[arg(long)]
    pub include_forks: bool,
    /// Mine archived repositories too.
    #[arg(long)]
    pub include_archived: bool,
    /// Only repositories with at least this many stars.
    #[arg(long, value_name = "N")]
    pub min_stars: Option<u64>,
    /// Only repositories whose main language is this.
    #[arg(long, value_name = "LANG")]
    pub language: Option<String>,
    /// Only repositories pushed on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub pushed_after: Option<String>,
    /// Only repositories with this topic.
    #[arg(long, value_name = "TOPIC")]
    pub topic: Option<String>,
    /// Leave out repositories larger than this (the API's size).
    #[arg(long, value_name = "MB")]
    pub max_repo_mb: Option<u64>,
    /// Keep cloned repositories in --cache after mining (default: delete each after analysis).
    #[arg(long)]
    pub keep_clones: bool,
    /// Abandon a clone still transferring after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..))]
    pub clone_timeout: u64,
    /// Mine this branch, tag or commit of every cloned repository that names none (`URL@REF` per entry).
    #[arg(long = "ref", value_name = "REF")]
    pub default_ref: Option<String>,
    /// Mine the last commit before this date (GitHub sources), to rerun a study as of that day.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub at: Option<String>,
    /// Mine only shard I of N (0 ≤ I < N) of the repositories, split by a stable hash of their names
    /// [default: from $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT, or $JOB_COMPLETION_INDEX with --shards].
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// The number of shards, for a Kubernetes Indexed Job ($JOB_COMPLETION_INDEX gives the index).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub shards: Option<u64>,
    /// Parse every Python file, even those the prefilter shows cannot hold a load (slower; same findings).
    #[arg(long)]
    pub no_prefilter: bool,
    /// Wait at most this many seconds for another process's lock on the database.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(0..=86_400))]
    pub lock_timeout: u64,
    /// Abandon a clone that transfers more than this many MB (recorded as failed).
    #[arg(long, value_name = "MB", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_clone_mb: Option<u64>,
    /// Keep the clone cache under this many MB with --keep-clones, evicting the least recently used clones.
    #[arg(long, value_name = "MB", value_parser = clap::value_parser!(u64).range(1..))]
    pub cache_max_mb: Option<u64>,
    /// Mine at most N repositories from the GitHub sources.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,
}

fn parse_date(s: &str) -> Result<String, String> {
    let ok = s.len() == 10 && s.char_indices().all(|(i, c)| if i == 4 || i == 7 { c == '-' } else { c.is_ascii_digit() });
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!("'{s}' is not a date (YYYY-MM-DD)"))
    }
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The database to read.
    #[arg(long, value_name = "FILE", default_value = "mine.sqlite")]
    pub db: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    #[arg(long, value_enum, default_value_t = Table::Usages)]
    pub table: Table,
    /// Only this repository (its name or location as stored).
    #[arg(long, value_name = "NAME")]
    pub repo: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Read the rule catalog from this folder instead of the built-in one.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Print one JSON object per rule.
    #[arg(long)]
    pub json: bool,
}

fn load_catalog(dir: Option<&PathBuf>) -> Result<Catalog, MineError> {
    match dir {
        Some(d) => Catalog::from_dir(d).map_err(MineError::usage),
        None => Catalog::embedded().map_err(|e| MineError::Io(format!("built-in catalog: {e}"))),
    }
}

/// Arguments as recorded in the database: values of secret-bearing flags are redacted.
pub fn redacted_args(args: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut hide_next = false;
    for a in args {
        if hide_next {
            out.push("<redacted>".into());
            hide_next = false;
        } else if a == "--token" {
            out.push(a.clone());
            hide_next = true;
        } else if a.starts_with("--token=") {
            out.push("--token=<redacted>".into());
        } else {
            out.push(crate::fetch::redact_url(a));
        }
    }
    out
}

/// Run the command line; returns the exit code.
pub fn run(cli: Cli, raw_args: &[String]) -> Result<i32, MineError> {
    match cli.command {
        Some(Command::Export(a)) => {
            crate::export::export(&a.db, a.format, a.table, a.repo.as_deref(), a.output.as_deref())?;
            Ok(0)
        }
        Some(Command::Rules(a)) => {
            let c = load_catalog(a.rules.as_ref())?;
            print_rules(&c, a.json);
            Ok(0)
        }
        Some(Command::Report(a)) => {
            let catalog = load_catalog(a.rules.as_ref())?;
            crate::report::run(crate::report::Request {
                db: &a.db,
                repo: a.repo.as_deref(),
                format: a.format,
                output: a.output.as_deref(),
                html_dir: a.html.as_deref(),
                catalog: &catalog,
            })?;
            Ok(0)
        }
        Some(Command::Merge(a)) => {
            let r = crate::merge::merge(&a.db, &a.inputs)?;
            print!("{}", r.render(&a.db));
            Ok(0)
        }
        Some(Command::Stats(a)) => {
            crate::report::stats(&a.db, a.format, a.output.as_deref(), a.html.as_deref())?;
            Ok(0)
        }
        Some(Command::Eval(a)) => {
            let r = crate::eval::evaluate(&a.db, &a.expected)?;
            if a.json {
                println!("{}", serde_json::to_string_pretty(&r).map_err(|e| MineError::Io(e.to_string()))?);
            } else {
                print!("{}", r.render());
            }
            Ok(if a.strict && !r.is_perfect() { 1 } else { 0 })
        }
        Some(Command::Labels(a)) => crate::labels::commands::labels(a.command),
        Some(Command::Select(a)) => crate::labels::commands::select(a),
        Some(Command::Recommend(a)) => crate::labels::commands::recommend(a),
        None => run_mine(cli.mine, raw_args),
    }
}

fn print_rules(c: &Catalog, json: bool) {
    for r in c.rules() {
        if json {
            let v = serde_json::json!({
                "id": r.id, "name": r.name, "ecosystem": r.ecosystem, "source": r.source.as_str(),
                "callees": r.callees, "file": r.file, "doc": r.doc, "example": r.example,
            });
            println!("{v}");
        } else {
            println!("{:<6} {:<5} {:<12} {:<40} {}", r.id, r.source.as_str(), r.ecosystem, r.name, r.doc);
        }
    }
    for f in &c.flows.rules {
        let kind = match f.kind {
            analyzers::flows::FlowKind::Carry => "carry",
            analyzers::flows::FlowKind::Compose => "compose",
            analyzers::flows::FlowKind::Pipe => "pipe",
        };
        if json {
            let v = serde_json::json!({
                "id": f.id, "name": f.name, "flow": kind, "callees": f.callees, "operator": f.operator,
                "file": "flows/flows.toml", "doc": f.doc, "example": f.example,
            });
            println!("{v}");
        } else {
            println!("{:<6} {:<5} {:<12} {:<40} {}", f.id, "flow", kind, f.name, f.doc);
        }
    }
    if !json {
        println!("{} rules and {} flow rules, catalog version {}", c.rules().len(), c.flows.rules.len(), c.version());
    }
}

fn run_mine(a: MineArgs, raw_args: &[String]) -> Result<i32, MineError> {
    // Validate every input before anything is written.
    let mut specs = Vec::new();
    for p in &a.paths {
        specs.push(RepoSpec::Local(source::local_dir(p, "--path")?));
    }
    for l in &a.lists {
        specs.extend(source::read_list(l)?);
    }
    let github_names: Vec<String> = specs
        .iter()
        .filter_map(|s| match s {
            RepoSpec::GitHubName(n) => Some(n.clone()),
            _ => None,
        })
        .collect();
    for r in &a.repos {
        if !source::is_github_name(crate::fetch::split_pin(r).0) {
            return Err(MineError::usage(format!("--repo '{r}': expected OWNER/NAME")));
        }
    }
    let shard =
        crate::shard::Shard::resolve(a.shard.as_deref(), a.shards, &|k| std::env::var(k).ok()).map_err(MineError::usage)?;
    let uses_github =
        !(a.orgs.is_empty() && a.users.is_empty() && a.searches.is_empty() && a.repos.is_empty() && github_names.is_empty());
    if a.paths.is_empty() && a.lists.is_empty() && !uses_github {
        return Err(MineError::usage(
            "nothing to mine: give --path DIR, --list FILE, --org, --user, --search or --repo (see mine --help)",
        ));
    }
    let token = a.token.clone().or_else(|| std::env::var("GITHUB_TOKEN").ok()).filter(|t| !t.trim().is_empty());
    let mut api_calls = 0;
    if uses_github {
        let api_url = a
            .api_url
            .clone()
            .or_else(|| std::env::var("GITHUB_API_URL").ok())
            .unwrap_or_else(|| "https://api.github.com".to_string());
        let gh = crate::github::GitHub::new(&api_url, token.as_deref()).map_err(MineError::usage)?;
        let filters = crate::github::Filters {
            include_forks: a.include_forks,
            include_archived: a.include_archived,
            min_stars: a.min_stars,
            language: a.language.clone(),
            pushed_after: a.pushed_after.clone(),
            topic: a.topic.clone(),
            max_repo_mb: a.max_repo_mb,
        };
        specs.retain(|s| !matches!(s, RepoSpec::GitHubName(_)));
        specs.extend(github_specs(&gh, &a, &github_names, &filters)?);
        api_calls = gh.calls.load(std::sync::atomic::Ordering::Relaxed);
    }
    let listed = specs.len();
    if let Some(s) = shard {
        specs.retain(|r| s.contains(r));
    }
    let jobs = a.jobs.map(usize::from).unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    // The label store's seed takes a fixed ~0.1 s to build: with more than
    // one worker it is built beside the catalog and the mining, not after them.
    let seeded = (jobs > 1).then(|| std::thread::spawn(crate::labels::LabelStore::seed));
    let catalog = load_catalog(a.rules.as_ref())?;
    crate::store::set_lock_timeout(std::time::Duration::from_secs(a.lock_timeout));
    crate::store::Store::preflight(&a.db)?;
    let cache = match a.cache {
        Some(c) => c,
        None => dirs::cache_dir().unwrap_or_else(std::env::temp_dir).join("modelmine").join("repos"),
    };
    let settings = Settings {
        db: a.db,
        cache,
        jobs,
        max_file_bytes: a.max_file_bytes,
        force: a.force,
        quiet: a.quiet,
        catalog: Arc::new(catalog),
        args: redacted_args(raw_args),
        token,
        keep_clones: a.keep_clones,
        clone_timeout: std::time::Duration::from_secs(a.clone_timeout),
        default_ref: a.default_ref.clone(),
        cache_max_bytes: a.cache_max_mb.map(|m| m * 1024 * 1024),
        max_clone_bytes: a.max_clone_mb.map(|m| m * 1024 * 1024),
        prefilter: !a.no_prefilter,
    };
    let mut summary = pipeline::run(specs, &settings)?;
    summary.api_calls = api_calls;
    summary.shard = shard.map(|s| (s.to_string(), listed));
    let seed = match seeded.map(|h| h.join()) {
        Some(Ok(s)) => Some(s.map_err(MineError::Io)?),
        Some(Err(_)) => return Err(MineError::Io("building the label store's seed failed".into())),
        None => None,
    };
    summary.linked = crate::labels::commands::link_after_mining(&settings.db, &settings.catalog, seed)?;
    print!("{}", summary.render());
    Ok(if summary.failed() > 0 { 1 } else { 0 })
}

/// The repositories the GitHub sources name, each either to mine, left out
/// by a filter (recorded as skipped), or unavailable (recorded as failed).
fn github_specs(
    gh: &crate::github::GitHub,
    a: &MineArgs,
    names: &[String],
    filters: &crate::github::Filters,
) -> Result<Vec<RepoSpec>, MineError> {
    use crate::github::GhError;
    let fatal = |what: String, e: GhError| match e.status() {
        Some(404) => MineError::usage(format!("{what}: not found on GitHub ({e})")),
        _ => MineError::Io(format!("{what}: {e}")),
    };
    let mut found = Vec::new();
    let mut out = Vec::new();
    for o in &a.orgs {
        found.extend(gh.org_repos(o, None).map_err(|e| fatal(format!("--org {o}"), e))?);
    }
    for u in &a.users {
        found.extend(gh.user_repos(u, None).map_err(|e| fatal(format!("--user {u}"), e))?);
    }
    for q in &a.searches {
        found.extend(gh.search(q, a.limit.map(|l| l as usize)).map_err(|e| fatal(format!("--search {q}"), e))?);
    }
    for spec in a.repos.iter().chain(names) {
        let (n, pin) = crate::fetch::split_pin(spec);
        let n = &n.to_string();
        match gh.repo(n) {
            Ok(mut r) => {
                r.pin = pin.map(str::to_string);
                found.push(r)
            }
            Err(e) if matches!(e.status(), Some(404 | 451 | 403)) => out.push(RepoSpec::Unavailable {
                name: n.clone(),
                location: format!("https://github.com/{n}.git"),
                reason: e.to_string(),
            }),
            Err(e) => return Err(MineError::Io(format!("{n}: {e}"))),
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut mined = 0u64;
    for r in found {
        if !seen.insert(r.full_name.to_ascii_lowercase()) {
            continue;
        }
        if let Some(reason) = filters.reject(&r) {
            let location = crate::fetch::redact_url(&r.clone_url);
            out.push(RepoSpec::Filtered { name: r.full_name.clone(), location, reason });
            continue;
        }
        if a.limit.is_some_and(|l| mined >= l) {
            continue;
        }
        let mut r = r;
        if let (Some(date), None) = (&a.at, &r.pin) {
            let branch = r.default_branch.clone().unwrap_or_else(|| "HEAD".into());
            match gh.commit_before(&r.full_name, &branch, date) {
                Ok(Some(sha)) => r.pin = Some(sha),
                Ok(None) => {
                    out.push(RepoSpec::Filtered {
                        name: r.full_name.clone(),
                        location: crate::fetch::redact_url(&r.clone_url),
                        reason: format!("no commit before --at {date}"),
                    });
                    continue;
                }
                Err(e) => return Err(MineError::Io(format!("{}: {e}", r.full_name))),
            }
        }
        mined += 1;
        out.push(RepoSpec::GitHub(Box::new(r)));
    }
    Ok(out)
}
