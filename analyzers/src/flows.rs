//! Flow rules: library calls that wire models together inside the library,
//! out of the repository's sight (`RetrievalQA.from_chain_type(llm=llm,
//! retriever=db.as_retriever())`: the documents found with the embedding
//! model reach the LLM). Data in `queries/flows/flows.toml`, each rule with
//! a permanent id, a doc and a fixture `queries/fixtures/<ID>.py`.
//!
//! - `carry`: the call's result carries the models handed to it (arguments,
//!   receiver): a vector store built with an embedding model, its retriever.
//! - `compose`: the models carried by the `upstream` arguments feed those
//!   carried by the `downstream` ones: a pipeline edge each.
//! - `pipe`: the operands of a chain of `operator` (LangChain's `|`) feed the
//!   next operand that carries a model.

use crate::catalog::{pattern_to_regex, CatalogError};
use regex::Regex;
use serde::Deserialize;

pub const EMBEDDED_FLOWS: &str = include_str!("../../queries/flows/flows.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFlows {
    methods: Methods,
    flow: Vec<RawFlow>,
}

/// Method and function names the topology reads (`[methods]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Methods {
    /// Calling one on a model object runs the model.
    pub invoke: std::collections::HashSet<String>,
    /// Calling one on a library object the flow rules built runs it.
    pub run_carrier: std::collections::HashSet<String>,
    /// These return the same model object (`model.to(device)`).
    pub keep: std::collections::HashSet<String>,
    /// Functions whose result combines their inputs.
    pub combine: std::collections::HashSet<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFlow {
    id: String,
    name: String,
    kind: String,
    #[serde(default)]
    callees: Vec<String>,
    #[serde(default)]
    upstream: Vec<String>,
    #[serde(default)]
    downstream: Vec<String>,
    #[serde(default)]
    operator: Option<String>,
    #[serde(default)]
    imports: Vec<String>,
    doc: String,
    example: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowKind {
    Carry,
    Compose,
    Pipe,
}

/// An argument of a call: by keyword, or by position (`@0`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Keyword(String),
    Position(usize),
    /// The receiver of a method call.
    Receiver,
}

#[derive(Debug, Clone)]
pub struct Flow {
    pub id: String,
    pub name: String,
    pub kind: FlowKind,
    pub callees: Vec<String>,
    matchers: Vec<Regex>,
    pub upstream: Vec<Arg>,
    pub downstream: Vec<Arg>,
    pub operator: Option<String>,
    /// A pipe applies only in a file that imports one of these modules.
    pub imports: Vec<String>,
    pub doc: String,
    pub example: String,
}

impl Flow {
    pub fn matches(&self, qualified: &str) -> bool {
        self.matchers.iter().any(|m| m.is_match(qualified))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Flows {
    pub rules: Vec<Flow>,
    /// First segments of the carry and compose rules' qualified patterns
    /// (`langchain`, `llama_index`): a file importing none of them can only
    /// meet their `?.method` patterns.
    pub roots: Vec<String>,
    /// Methods of their `?.method` patterns.
    pub method_patterns: std::collections::HashSet<String>,
    pub methods: Methods,
}

fn invalid(message: String) -> CatalogError {
    CatalogError::Invalid { file: "flows/flows.toml".into(), message }
}

fn parse_args(id: &str, v: &[String]) -> Result<Vec<Arg>, CatalogError> {
    v.iter()
        .map(|a| match a.strip_prefix('@') {
            Some(n) => n
                .parse()
                .map(Arg::Position)
                .map_err(|_| invalid(format!("flow {id}: argument '{a}' is not @N (a position) or a keyword"))),
            None if a == "self" => Ok(Arg::Receiver),
            None if !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => Ok(Arg::Keyword(a.clone())),
            None => Err(invalid(format!("flow {id}: argument '{a}' is not @N (a position) or a keyword"))),
        })
        .collect()
}

impl Flows {
    pub fn embedded() -> Result<Flows, CatalogError> {
        Flows::parse(EMBEDDED_FLOWS)
    }

    pub fn parse(text: &str) -> Result<Flows, CatalogError> {
        let raw: RawFlows = toml::from_str(text).map_err(|e| invalid(e.to_string().replace('\n', " ")))?;
        let mut rules = Vec::new();
        let mut roots = Vec::new();
        let mut methods = std::collections::HashSet::new();
        let mut seen = std::collections::HashSet::new();
        for r in raw.flow {
            if !seen.insert(r.id.clone()) {
                return Err(invalid(format!("flow id {} is defined twice", r.id)));
            }
            let ok = r.id.len() == 5 && r.id.starts_with("WF") && r.id[2..].chars().all(|c| c.is_ascii_digit());
            if !ok {
                return Err(invalid(format!("flow id {} must be WF followed by three digits", r.id)));
            }
            let kind = match r.kind.as_str() {
                "carry" => FlowKind::Carry,
                "compose" => FlowKind::Compose,
                "pipe" => FlowKind::Pipe,
                k => return Err(invalid(format!("flow {}: kind '{k}' is not carry|compose|pipe", r.id))),
            };
            let mut matchers = Vec::new();
            for c in &r.callees {
                let (rx, root) = pattern_to_regex(c).map_err(|e| invalid(format!("flow {}: {e}", r.id)))?;
                matchers.push(rx);
                if c.starts_with("?.") {
                    methods.insert(root);
                } else if !roots.contains(&root) {
                    roots.push(root);
                }
            }
            match kind {
                FlowKind::Pipe if r.operator.is_none() => {
                    return Err(invalid(format!("flow {}: a pipe needs an operator", r.id)))
                }
                FlowKind::Carry | FlowKind::Compose if matchers.is_empty() => {
                    return Err(invalid(format!("flow {}: callees is empty", r.id)))
                }
                FlowKind::Compose if r.upstream.is_empty() || r.downstream.is_empty() => {
                    return Err(invalid(format!("flow {}: a compose flow needs upstream and downstream arguments", r.id)))
                }
                _ => {}
            }
            rules.push(Flow {
                upstream: parse_args(&r.id, &r.upstream)?,
                downstream: parse_args(&r.id, &r.downstream)?,
                id: r.id,
                name: r.name,
                kind,
                callees: r.callees,
                matchers,
                operator: r.operator,
                imports: r.imports,
                doc: r.doc,
                example: r.example,
            });
        }
        Ok(Flows { rules, roots, method_patterns: methods, methods: raw.methods })
    }

    /// The first carry or compose rule whose callees match one of the names
    /// a call goes by (its qualified name, `?.method`).
    pub fn for_call<'f>(&'f self, names: &[String]) -> Option<&'f Flow> {
        self.rules.iter().filter(|r| r.kind != FlowKind::Pipe).find(|r| names.iter().any(|n| r.matches(n)))
    }

    pub fn pipe_operators(&self) -> impl Iterator<Item = (&str, &Flow)> {
        self.rules.iter().filter_map(|r| r.operator.as_deref().map(|o| (o, r)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_flows_parse() {
        let f = Flows::embedded().expect("embedded flows");
        assert!(f.rules.iter().any(|r| r.kind == FlowKind::Compose));
        assert!(f.rules.iter().any(|r| r.kind == FlowKind::Pipe));
    }

    const M: &str = "[methods]\ninvoke=[]\nrun_carrier=[]\nkeep=[]\ncombine=[]\n";

    #[test]
    fn bad_flows_are_refused_with_the_reason() {
        let e = Flows::parse(&format!("{M}[[flow]]\nid='FL1'\nname='x'\nkind='carry'\ncallees=['a.b']\ndoc=''\nexample=''\n"))
            .unwrap_err();
        assert!(e.to_string().contains("WF followed by three digits"), "{e}");
        let e =
            Flows::parse(&format!("{M}[[flow]]\nid='WF001'\nname='x'\nkind='compose'\ncallees=['a.b']\ndoc=''\nexample=''\n"))
                .unwrap_err();
        assert!(e.to_string().contains("upstream and downstream"), "{e}");
        let e = Flows::parse(&format!(
            "{M}[[flow]]\nid='WF001'\nname='x'\nkind='compose'\ncallees=['a.b']\nupstream=['@x']\ndownstream=['llm']\ndoc=''\nexample=''\n"
        ))
        .unwrap_err();
        assert!(e.to_string().contains("'@x'"), "{e}");
        let e = Flows::parse("[[flow]]\nid='WF001'\nname='x'\nkind='carry'\ncallees=['a.b']\ndoc=''\nexample=''\n").unwrap_err();
        assert!(e.to_string().contains("missing field `methods`"), "{e}");
    }
}
