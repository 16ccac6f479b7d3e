"""Command line entry point: `python -m nlptk.cli <command> FILE`."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nlptk import pipelines, taggers, vectors

REGISTRY = Path(__file__).with_name("registry.json")


def load_model(name: str) -> dict:
    """Look a pipeline up in our registry file (a JSON description only)."""
    with REGISTRY.open() as fh:
        entries = json.load(fh)
    return entries.get(name, {"name": name, "kind": "unknown"})


def read_lines(path: str) -> list[str]:
    return [line.strip() for line in Path(path).read_text().splitlines() if line.strip()]


def cmd_entities(args) -> None:
    for text in read_lines(args.file):
        spacy_ents = [(e.text, e.label) for e in pipelines.analyse(text).entities]
        flair_ents = [(s["text"], s["label"]) for s in taggers.NerTagger().tag(text)]
        print(json.dumps({"text": text, "spacy": spacy_ents, "flair": flair_ents}))


def cmd_language(args) -> None:
    for text in read_lines(args.file):
        lang, prob = vectors.detect_language(text)
        print(f"{lang}\t{prob:.3f}\t{text[:50]}")


def cmd_neighbours(args) -> None:
    vecs = vectors.domain_vectors(args.vectors) if args.vectors else None
    for word in read_lines(args.file):
        print(word, vectors.nearest(word, topn=5, vectors=vecs))


def cmd_topics(args) -> None:
    for line in taggers.topic_report(read_lines(args.file)):
        print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="nlptk",
        description="Text utilities. Entities use spacy.load('en_core_web_sm') plus flair.",
    )
    parser.add_argument("command", choices=["entities", "language", "neighbours", "topics", "info"])
    parser.add_argument("file")
    parser.add_argument("--vectors", help="word2vec binary with domain vectors")
    parser.add_argument("--pipeline", default="default")
    args = parser.parse_args(argv)
    if args.command == "info":
        print(json.dumps(load_model(args.pipeline), indent=2))
        return 0
    handlers = {
        "entities": cmd_entities,
        "language": cmd_language,
        "neighbours": cmd_neighbours,
        "topics": cmd_topics,
    }
    handlers[args.command](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
