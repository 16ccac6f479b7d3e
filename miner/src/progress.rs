//! Progress bars on stderr: repositories and files. Hidden when stderr is
//! not a terminal or with --quiet.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

pub struct Progress {
    _multi: MultiProgress,
    repos: ProgressBar,
    files: ProgressBar,
}

impl Progress {
    pub fn new(repos: u64, quiet: bool) -> Progress {
        let visible = !quiet && std::io::stderr().is_terminal();
        let multi =
            MultiProgress::with_draw_target(if visible { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() });
        let style = |t: &str| ProgressStyle::with_template(t).unwrap_or_else(|_| ProgressStyle::default_bar());
        let r = multi.add(ProgressBar::new(repos));
        r.set_style(style("{prefix:>12} [{bar:30}] {pos}/{len} {elapsed_precise}"));
        r.set_prefix("repositories");
        let f = multi.add(ProgressBar::new(0));
        f.set_style(style("{prefix:>12} [{bar:30}] {pos}/{len} {per_sec}"));
        f.set_prefix("files");
        Progress { _multi: multi, repos: r, files: f }
    }
    pub fn repo_done(&self) {
        self.repos.inc(1);
    }
    pub fn add_files(&self, n: u64) {
        self.files.inc_length(n);
    }
    pub fn file_done(&self) {
        self.files.inc(1);
    }
    pub fn finish(&self) {
        self.repos.finish_and_clear();
        self.files.finish_and_clear();
    }
}
