//! The label DAG. A label is `kind:value` (`modality:nlp`,
//! `task:text-classification`, `subtask:sentiment-analysis`,
//! `dataset:imagenet-1k`, `domain:medical`, `language:fr`, `library:timm`,
//! `capability:vision`); edges point from a label to its parents (a sub-task
//! to its task, a task to its modality, a benchmark dataset to its task and
//! domains). A label may have several parents.

use std::collections::{HashMap, HashSet, VecDeque};

/// The kinds of label, in the order `--label VALUE` without a kind tries them.
pub const KINDS: &[&str] = &["task", "subtask", "modality", "dataset", "domain", "language", "library", "capability"];

#[derive(Debug, Default, Clone)]
pub struct Dag {
    parents: HashMap<String, Vec<String>>,
    children: HashMap<String, Vec<String>>,
    names: HashMap<String, String>,
}

impl Dag {
    /// Add a node (no-op when present).
    pub fn ensure(&mut self, label: &str) {
        self.parents.entry(label.to_string()).or_default();
    }

    pub fn contains(&self, label: &str) -> bool {
        self.parents.contains_key(label)
    }

    pub fn len(&self) -> usize {
        self.parents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parents.is_empty()
    }

    pub fn set_name(&mut self, label: &str, name: &str) {
        self.ensure(label);
        self.names.insert(label.to_string(), name.to_string());
    }

    pub fn name(&self, label: &str) -> Option<&str> {
        self.names.get(label).map(String::as_str)
    }

    /// Add the edge child → parent (both nodes created); a cycle is refused.
    pub fn add_edge(&mut self, child: &str, parent: &str) -> Result<(), String> {
        if child == parent || self.ancestors(parent).contains(child) {
            return Err(format!("label edge {child} → {parent} would make a cycle"));
        }
        self.ensure(parent);
        let p = self.parents.entry(child.to_string()).or_default();
        if !p.iter().any(|x| x == parent) {
            p.push(parent.to_string());
            self.children.entry(parent.to_string()).or_default().push(child.to_string());
        }
        Ok(())
    }

    pub fn parents(&self, label: &str) -> &[String] {
        self.parents.get(label).map(Vec::as_slice).unwrap_or(&[])
    }

    fn walk(&self, start: &str, next: &HashMap<String, Vec<String>>) -> HashSet<String> {
        let mut seen = HashSet::new();
        let mut q: VecDeque<&str> = VecDeque::from([start]);
        while let Some(l) = q.pop_front() {
            for n in next.get(l).map(Vec::as_slice).unwrap_or(&[]) {
                if seen.insert(n.clone()) {
                    q.push_back(n);
                }
            }
        }
        seen
    }

    /// Every label above `label` (not itself).
    pub fn ancestors(&self, label: &str) -> HashSet<String> {
        self.walk(label, &self.parents)
    }

    /// Every label below `label` (not itself).
    pub fn descendants(&self, label: &str) -> HashSet<String> {
        self.walk(label, &self.children)
    }

    /// Labels of one kind, sorted.
    pub fn of_kind(&self, kind: &str) -> Vec<&str> {
        let p = format!("{kind}:");
        let mut v: Vec<&str> = self.parents.keys().filter(|k| k.starts_with(&p)).map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// Resolve what a user typed: `kind:value` as is when known; a bare value
    /// tried as each kind in [`KINDS`] order. Unknown labels are an error
    /// naming the closest known ones.
    pub fn resolve(&self, typed: &str) -> Result<String, String> {
        let t = typed.trim();
        if t.is_empty() {
            return Err("empty label".into());
        }
        let norm = t.to_ascii_lowercase();
        if self.contains(&norm) {
            return Ok(norm);
        }
        if let Some((kind, _)) = norm.split_once(':') {
            if KINDS.contains(&kind) {
                return Err(self.unknown(typed, &norm));
            }
        }
        for k in KINDS {
            let l = format!("{k}:{norm}");
            if self.contains(&l) {
                return Ok(l);
            }
        }
        Err(self.unknown(typed, &norm))
    }

    fn unknown(&self, typed: &str, norm: &str) -> String {
        let value = norm.split_once(':').map(|(_, v)| v).unwrap_or(norm);
        let mut near: Vec<&str> = self
            .parents
            .keys()
            .filter(|k| {
                let v = k.split_once(':').map(|(_, v)| v).unwrap_or(k);
                v.contains(value) || (value.len() > 3 && value.contains(v) && v.len() > 3)
            })
            .map(String::as_str)
            .collect();
        near.sort_unstable_by_key(|k| (k.len(), *k));
        near.truncate(5);
        if near.is_empty() {
            format!("unknown label '{typed}' (mine labels stats --labels KIND lists the known ones)")
        } else {
            format!("unknown label '{typed}'; did you mean {}?", near.join(", "))
        }
    }
}

/// `Image Net-1K` → `image-net-1k`: lower case, runs of other characters to one dash.
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_both_ways_and_refuses_cycles() {
        let mut d = Dag::default();
        d.add_edge("task:text-classification", "modality:nlp").unwrap();
        d.add_edge("subtask:sentiment-analysis", "task:text-classification").unwrap();
        assert!(d.descendants("modality:nlp").contains("subtask:sentiment-analysis"));
        assert!(d.ancestors("subtask:sentiment-analysis").contains("modality:nlp"));
        assert!(d.add_edge("modality:nlp", "subtask:sentiment-analysis").unwrap_err().contains("cycle"));
        assert_eq!(d.resolve("Sentiment-Analysis").unwrap(), "subtask:sentiment-analysis");
        assert_eq!(d.resolve("text-classification").unwrap(), "task:text-classification");
        assert!(d.resolve("task:sentiment").unwrap_err().contains("did you mean subtask:sentiment-analysis"));
        assert!(d.resolve("zzz").unwrap_err().starts_with("unknown label 'zzz'"));
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("ImageNet-1K"), "imagenet-1k");
        assert_eq!(slug(" COCO val2017 "), "coco-val2017");
        assert_eq!(slug("Oxford-IIIT Pet"), "oxford-iiit-pet");
    }
}
