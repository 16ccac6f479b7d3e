//! The one-screen summary printed at the end of a run.

use crate::pipeline::Analysed;
use schemas::FileKind;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

#[derive(Debug, Default)]
pub struct Summary {
    pub ok: u64,
    pub resumed: u64,
    pub failures: Vec<(String, String)>,
    pub skipped: Vec<(String, String)>,
    pub py_files: u64,
    pub notebooks: u64,
    pub manifests: u64,
    pub skipped_files: u64,
    pub error_files: u64,
    pub syntax_error_files: u64,
    pub usages: u64,
    pub artifacts: u64,
    pub lfs_pointers: u64,
    pub ml_enabled: u64,
    pub by_source: BTreeMap<String, u64>,
    pub by_ecosystem: BTreeMap<String, u64>,
    pub elapsed: Duration,
    pub db: String,
    pub run_id: i64,
    /// GitHub API requests made by the sources (retries included).
    pub api_calls: u64,
    /// Usages of the whole database linked to the hub label store: linked, with a
    /// model id; and of those loading a hub or hosted model: linked, all.
    pub linked: Option<[u64; 4]>,
    /// The shard this run took (I/N) and how many repositories were listed before the split.
    pub shard: Option<(String, usize)>,
}

impl Summary {
    pub fn add_mined(&mut self, a: &Analysed) {
        self.ok += 1;
        self.skipped_files += a.skipped.len() as u64;
        self.artifacts += a.artifacts.len() as u64;
        self.lfs_pointers += a.artifacts.iter().filter(|x| x.lfs).count() as u64;
        self.ml_enabled += a.verdict.ml_enabled as u64;
        for f in &a.files {
            match f.kind {
                FileKind::Python => self.py_files += 1,
                FileKind::Notebook => self.notebooks += 1,
                FileKind::Manifest => self.manifests += 1,
            }
            self.error_files += f.error.is_some() as u64;
            self.syntax_error_files += f.syntax_errors as u64;
            for u in &f.usages {
                self.usages += 1;
                *self.by_source.entry(u.source.as_str().to_string()).or_default() += 1;
                *self.by_ecosystem.entry(u.ecosystem.clone()).or_default() += 1;
            }
        }
    }

    pub fn failed(&self) -> u64 {
        self.failures.len() as u64
    }

    pub fn render(&self) -> String {
        let mut s = String::new();
        let skipped = self.resumed + self.skipped.len() as u64;
        let total = self.ok + self.failed() + skipped;
        if let Some((sh, listed)) = &self.shard {
            let _ = writeln!(s, "shard         {sh}: {total} of the {listed} repositories listed");
        }
        let _ = writeln!(
            s,
            "repositories  {total}: {} mined, {} failed, {skipped} skipped ({} already mined at the same commit, {} empty)",
            self.ok,
            self.failed(),
            self.resumed,
            self.skipped.len()
        );
        let files = self.py_files + self.notebooks + self.manifests;
        let _ = writeln!(
            s,
            "files         {files} analysed ({} Python, {} notebooks, {} manifests); {} skipped; {} unreadable; {} with syntax errors",
            self.py_files, self.notebooks, self.manifests, self.skipped_files, self.error_files, self.syntax_error_files
        );
        let _ = writeln!(s, "ml-enabled    {} of {} mined repositories", self.ml_enabled, self.ok);
        let _ = writeln!(s, "artifacts     {} model files committed ({} Git LFS pointers)", self.artifacts, self.lfs_pointers);
        let _ = writeln!(s, "usages        {}", self.usages);
        let join = |m: &BTreeMap<String, u64>| {
            let mut v: Vec<_> = m.iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            v.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
        };
        if self.usages > 0 {
            let _ = writeln!(s, "  by source     {}", join(&self.by_source));
            let _ = writeln!(s, "  by ecosystem  {}", join(&self.by_ecosystem));
        }
        if let Some([l, n, hl, h]) = self.linked {
            let pct = |a: u64, b: u64| if b > 0 { 100.0 * a as f64 / b as f64 } else { 0.0 };
            let _ = writeln!(
                s,
                "hub labels    {l} of {n} usages with a model id linked to the store ({:.1}%), {hl} of {h} hub and API models ({:.1}%); mine labels stats --db",
                pct(l, n),
                pct(hl, h)
            );
        }
        let secs = self.elapsed.as_secs_f64();
        let rate = if secs > 0.0 { files as f64 / secs } else { 0.0 };
        let _ = writeln!(s, "elapsed       {secs:.2} s ({rate:.0} files/s)");
        let _ = writeln!(s, "database      {} (run {})", self.db, self.run_id);
        if self.api_calls > 0 {
            let _ = writeln!(s, "github api    {} requests", self.api_calls);
        }
        if !self.failures.is_empty() {
            let _ = writeln!(s, "failed repositories:");
            for (name, reason) in self.failures.iter().take(20) {
                let _ = writeln!(s, "  {name}: {reason}");
            }
            if self.failures.len() > 20 {
                let _ = writeln!(s, "  ... and {} more (mine export --table repos)", self.failures.len() - 20);
            }
        }
        s
    }
}
