//! Every resolution kind of GROUND_TRUTH_FORMAT.md, each with cases that
//! resolve and cases that must stay `dynamic`. Each case is a small source
//! whose last line holds exactly one `AutoModel.from_pretrained(...)` or
//! `torch.load(...)` site.

use analyzers::{python, Catalog};
use schemas::Resolvable::{self, *};

fn catalog() -> &'static Catalog {
    static C: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    C.get_or_init(|| Catalog::embedded().expect("catalog"))
}

fn site(src: &str) -> (Option<String>, Resolvable) {
    let facts = python::analyze_source(src.as_bytes(), catalog());
    let last = src.trim_end().lines().count() as u32;
    let u = facts
        .usages
        .iter()
        .find(|u| u.location == schemas::Location::Line(last))
        .unwrap_or_else(|| panic!("no site on the last line of:\n{src}\n{:?}", facts.usages));
    (u.model.clone(), u.model_resolvable)
}

fn check(cases: &[(&str, Option<&str>, Resolvable)]) {
    let mut failures = Vec::new();
    for (src, model, kind) in cases {
        let got = site(src);
        if (got.0.as_deref(), got.1) != (*model, *kind) {
            failures.push(format!("{src}\n  expected {model:?} {kind:?}, got {:?} {:?}", got.0, got.1));
        }
    }
    assert!(failures.is_empty(), "{} cases failed:\n{}", failures.len(), failures.join("\n"));
}

const HF: &str = "from transformers import AutoModel\n";

#[test]
fn literals_and_string_building() {
    let c = |s: &str| format!("{HF}{s}");
    check(&[
        (&c("AutoModel.from_pretrained('bert-base-uncased')"), Some("bert-base-uncased"), Literal),
        (&c("AutoModel.from_pretrained('google-bert/' 'bert-base-uncased')"), Some("google-bert/bert-base-uncased"), Literal),
        (
            &c("ORG = 'google-bert'\nAutoModel.from_pretrained(f'{ORG}/bert-base-uncased')"),
            Some("google-bert/bert-base-uncased"),
            Constant,
        ),
        (&c("SIZE = 'base'\nAutoModel.from_pretrained('bert-%s-uncased' % SIZE)"), Some("bert-base-uncased"), Constant),
        (&c("A, B = 'org', 'm'\nAutoModel.from_pretrained('%s/%s' % (A, B))"), Some("org/m"), Constant),
        (&c("N = 'm'\nAutoModel.from_pretrained('{}/{}'.format('org', N))"), Some("org/m"), Constant),
        (&c("AutoModel.from_pretrained('{org}/{m}'.format(org='o', m='x'))"), Some("o/x"), Constant),
        (&c("S = 'base'\nAutoModel.from_pretrained('bert-' + S)"), Some("bert-base"), Constant),
        // must stay dynamic
        (&c("AutoModel.from_pretrained(f'{input()}/x')"), None, Dynamic),
        (&c("AutoModel.from_pretrained('{:>10}'.format('x'))"), None, Dynamic),
        (&c("AutoModel.from_pretrained('a' + input())"), None, Dynamic),
    ]);
}

#[test]
fn paths() {
    let t = "import os\nimport torch\nfrom pathlib import Path\n";
    let c = |s: &str| format!("{t}{s}");
    check(&[
        (&c("torch.load(os.path.join('ckpt', 'best.pt'))"), Some("ckpt/best.pt"), Literal),
        (&c("ROOT = Path('weights')\ntorch.load(ROOT / 'head.pt')"), Some("weights/head.pt"), Constant),
        (&c("torch.load(str(Path('w') / 'a.pt'))"), Some("w/a.pt"), Literal),
        (&c("torch.load(os.path.join(os.environ['HOME'], 'a.pt'))"), None, Dynamic),
    ]);
}

#[test]
fn assignments_classes_and_containers() {
    let c = |s: &str| format!("{HF}{s}");
    check(&[
        (&c("NAME = 'roberta-base'\nAutoModel.from_pretrained(NAME)"), Some("roberta-base"), Constant),
        (&c("def f():\n    name = 'gpt2'\n    return AutoModel.from_pretrained(name)"), Some("gpt2"), Constant),
        (&c("class C:\n    MODEL = 'gpt2'\n    def load(self):\n        return AutoModel.from_pretrained(self.MODEL)"), Some("gpt2"), Constant),
        (&c("class Cfg:\n    class Model:\n        NAME = 't5-small'\nAutoModel.from_pretrained(Cfg.Model.NAME)"), Some("t5-small"), Constant),
        (&c("class C:\n    def __init__(self, m='gpt2'):\n        self.m = m\n    def go(self):\n        return AutoModel.from_pretrained(self.m)"), Some("gpt2"), DefaultArg),
        (&c("CONFIG = {'model': 'distilgpt2'}\nAutoModel.from_pretrained(CONFIG['model'])"), Some("distilgpt2"), Constant),
        (&c("A = {'x': 'm1'}\nB = {**A, 'y': 'm2'}\nAutoModel.from_pretrained(B['x'])"), Some("m1"), Constant),
        (&c("NAMES = ['m0', 'm1']\nAutoModel.from_pretrained(NAMES[1])"), Some("m1"), Constant),
        (&c("AutoModel.from_pretrained({'a': 'm'}['a'])"), Some("m"), Literal),
        // must stay dynamic
        (&c("CONFIG = {'model': 'x'}\nAutoModel.from_pretrained(CONFIG[input()])"), None, Dynamic),
        (&c("for name in ['a', 'b']:\n    AutoModel.from_pretrained(name)"), None, Dynamic),
        (&c("def f(name):\n    return AutoModel.from_pretrained(name)"), None, Dynamic),
    ]);
}

#[test]
fn defaults_and_environment() {
    let c = |s: &str| format!("import os\nimport argparse\nimport typer\n{HF}{s}");
    check(&[
        (&c("def f(name='bert-base-cased'):\n    return AutoModel.from_pretrained(name)"), Some("bert-base-cased"), DefaultArg),
        (
            &c("p = argparse.ArgumentParser()\np.add_argument('--model-name', default='gpt2')\nargs = p.parse_args()\nAutoModel.from_pretrained(args.model_name)"),
            Some("gpt2"),
            DefaultArg,
        ),
        (
            &c("p = argparse.ArgumentParser()\np.add_argument('-m', dest='model', default='gpt2')\ndef main(args):\n    return AutoModel.from_pretrained(args.model)"),
            Some("gpt2"),
            DefaultArg,
        ),
        (
            &c("M = {'small': 'org/small'}\np = argparse.ArgumentParser()\np.add_argument('--size', default='small')\nargs = p.parse_args()\nAutoModel.from_pretrained(M[args.size])"),
            Some("org/small"),
            DefaultArg,
        ),
        (&c("def main(model: str = typer.Option('gpt2')):\n    return AutoModel.from_pretrained(model)"), Some("gpt2"), DefaultArg),
        (
            &c("import click\n@click.command()\n@click.option('--model-name', '-m', default='distilgpt2')\ndef main(model_name):\n    return AutoModel.from_pretrained(model_name)"),
            Some("distilgpt2"),
            DefaultArg,
        ),
        (&c("import click\n@click.command()\n@click.option('--model', required=True)\ndef main(model):\n    return AutoModel.from_pretrained(model)"), None, Dynamic),
        (&c("AutoModel.from_pretrained(os.getenv('MODEL', 'gpt2'))"), Some("gpt2"), EnvDefault),
        (&c("M = os.environ.get('MODEL', default='gpt2')\nAutoModel.from_pretrained(M)"), Some("gpt2"), EnvDefault),
        // must stay dynamic
        (&c("AutoModel.from_pretrained(os.getenv('MODEL'))"), None, Dynamic),
        (&c("AutoModel.from_pretrained(os.environ['MODEL'])"), None, Dynamic),
        (
            &c("p = argparse.ArgumentParser()\np.add_argument('--model', required=True)\nargs = p.parse_args()\nAutoModel.from_pretrained(args.model)"),
            None,
            Dynamic,
        ),
    ]);
}

#[test]
fn implicit_models() {
    check(&[
        (
            "from torchvision import models\nm = models.resnet18(pretrained=True)",
            Some("ResNet18_Weights.IMAGENET1K_V1"),
            Implicit,
        ),
        ("from transformers import pipeline\nclf = pipeline('sentiment-analysis')", None, Implicit),
    ]);
}
