//! Shards: a run takes only the repositories whose stable hash falls in
//! shard I of N, so a cluster engine (a Slurm job array, a Kubernetes Indexed
//! Job) can run N processes over one list without a scheduler of our own.
//!
//! The hash is 64-bit FNV-1a of the repository's key: `owner/name` (lower
//! case) for anything on a forge (a GitHub name, a clone URL), else the
//! last path component of a folder or URL. The same list always splits the
//! same way, on every machine, whatever its paths.

use crate::source::{forge_name, last_component_name, RepoSpec};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The key a repository is sharded by.
pub fn key(spec: &RepoSpec) -> String {
    let k = match spec {
        RepoSpec::Local(p) => last_component_name(&p.display().to_string()),
        RepoSpec::Remote(u) => {
            let bare = crate::fetch::split_pin(u).0;
            forge_name(bare).unwrap_or_else(|| last_component_name(bare))
        }
        RepoSpec::GitHubName(n) => n.clone(),
        RepoSpec::GitHub(r) => r.full_name.clone(),
        RepoSpec::Filtered { name, .. } | RepoSpec::Unavailable { name, .. } => name.clone(),
    };
    k.to_ascii_lowercase()
}

impl Shard {
    pub fn contains(&self, spec: &RepoSpec) -> bool {
        fnv1a(&key(spec)) % self.count == self.index
    }

    /// `I/N` with I below N.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (i, n) = s.split_once('/').ok_or_else(|| format!("--shard '{s}': expected I/N, e.g. 0/8"))?;
        let index: u64 = i.trim().parse().map_err(|_| format!("--shard '{s}': '{i}' is not a number"))?;
        let count: u64 = n.trim().parse().map_err(|_| format!("--shard '{s}': '{n}' is not a number"))?;
        Shard::new(index, count).map_err(|e| format!("--shard '{s}': {e}"))
    }

    fn new(index: u64, count: u64) -> Result<Shard, String> {
        if count == 0 {
            return Err("the number of shards must be at least 1".into());
        }
        if index >= count {
            return Err(format!("shard {index} does not exist: shards are numbered 0 to {}", count - 1));
        }
        Ok(Shard { index, count })
    }

    /// The shard from the flags, else from a cluster engine's environment:
    /// a Slurm job array (`SLURM_ARRAY_TASK_ID`, minus `SLURM_ARRAY_TASK_MIN`
    /// when the array does not start at 0, of `SLURM_ARRAY_TASK_COUNT`) or a
    /// Kubernetes Indexed Job (`JOB_COMPLETION_INDEX` of `--shards N`).
    pub fn resolve(
        flag: Option<&str>,
        shards: Option<u64>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<Shard>, String> {
        if let Some(f) = flag {
            return Shard::parse(f).map(Some);
        }
        let num = |name: &str| -> Result<Option<u64>, String> {
            match env(name).filter(|v| !v.trim().is_empty()) {
                None => Ok(None),
                Some(v) => v.trim().parse().map(Some).map_err(|_| format!("${name} '{v}' is not a number")),
            }
        };
        if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
            let count = match (shards, num("SLURM_ARRAY_TASK_COUNT")?) {
                (Some(n), _) | (None, Some(n)) => n,
                (None, None) => {
                    return Err("$SLURM_ARRAY_TASK_ID is set but not $SLURM_ARRAY_TASK_COUNT (give --shards N)".into())
                }
            };
            let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let index =
                id.checked_sub(min).ok_or_else(|| format!("$SLURM_ARRAY_TASK_ID {id} is below $SLURM_ARRAY_TASK_MIN {min}"))?;
            return Shard::new(index, count).map(Some).map_err(|e| format!("Slurm array task {id}: {e}"));
        }
        if let Some(index) = num("JOB_COMPLETION_INDEX")? {
            let Some(count) = shards else {
                return Err(
                    "$JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job): give --shards N, the Job's completions".into()
                );
            };
            return Shard::new(index, count).map(Some).map_err(|e| format!("Kubernetes completion index {index}: {e}"));
        }
        match shards {
            Some(_) => {
                Err("--shards N needs --shard I/N, or $JOB_COMPLETION_INDEX or $SLURM_ARRAY_TASK_ID to say which shard".into())
            }
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn flags_and_cluster_environments() {
        assert_eq!(Shard::resolve(Some("2/5"), None, &env(&[])), Ok(Some(Shard { index: 2, count: 5 })));
        assert!(Shard::resolve(Some("5/5"), None, &env(&[])).unwrap_err().contains("numbered 0 to 4"));
        assert!(Shard::resolve(Some("x"), None, &env(&[])).unwrap_err().contains("expected I/N"));
        let slurm = [("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "4")];
        assert_eq!(Shard::resolve(None, None, &env(&slurm)), Ok(Some(Shard { index: 3, count: 4 })));
        let slurm1 = [("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "4")];
        assert_eq!(Shard::resolve(None, None, &env(&slurm1)), Ok(Some(Shard { index: 3, count: 4 })));
        let k8s = [("JOB_COMPLETION_INDEX", "1")];
        assert_eq!(Shard::resolve(None, Some(3), &env(&k8s)), Ok(Some(Shard { index: 1, count: 3 })));
        assert!(Shard::resolve(None, None, &env(&k8s)).unwrap_err().contains("give --shards N"));
        assert!(Shard::resolve(None, Some(3), &env(&[])).unwrap_err().contains("--shards N needs"));
        assert_eq!(Shard::resolve(None, None, &env(&[])), Ok(None));
    }

    #[test]
    fn every_repository_lands_in_exactly_one_shard_the_same_way_everywhere() {
        let specs = vec![
            RepoSpec::Local(PathBuf::from("/home/a/work/vision-app")),
            RepoSpec::Remote("https://github.com/Acme/Chat-Bot.git".into()),
            RepoSpec::GitHubName("acme/chat-bot".into()),
            RepoSpec::Remote("file:///srv/git/tabular.git".into()),
        ];
        assert_eq!(key(&specs[1]), key(&specs[2]), "a GitHub URL and its name shard together");
        assert_eq!(key(&RepoSpec::Local(PathBuf::from("/other/mount/vision-app"))), key(&specs[0]));
        for s in &specs {
            let n = (0..7).filter(|i| Shard { index: *i, count: 7 }.contains(s)).count();
            assert_eq!(n, 1);
        }
        // FNV-1a 64's published test vectors: the split never changes between versions.
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
