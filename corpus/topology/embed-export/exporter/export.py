"""Precompute artefacts for the support-ticket dashboard.

Writes two files that the (separate, JavaScript) dashboard reads:
  embeddings.npy  sentence embeddings, one row per ticket
  topics.json     the zero-shot topic of every ticket
"""
import argparse
import json
from pathlib import Path

import numpy as np
from sentence_transformers import SentenceTransformer
from transformers import pipeline

from exporter.tickets import TOPICS, load_tickets


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("tickets", type=Path)
    parser.add_argument("--out-dir", type=Path, default=Path("dashboard/data"))
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)

    tickets = load_tickets(args.tickets)
    texts = [t["subject"] + ". " + t["body"] for t in tickets]

    encoder = SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")
    embeddings = encoder.encode(texts, batch_size=64, show_progress_bar=True)
    np.save(args.out_dir / "embeddings.npy", embeddings.astype(np.float16))

    classifier = pipeline("zero-shot-classification", model="facebook/bart-large-mnli")
    topics = []
    for ticket, text in zip(tickets, texts):
        result = classifier(text[:1500], candidate_labels=TOPICS)
        topics.append({"id": ticket["id"], "topic": result["labels"][0],
                       "score": round(result["scores"][0], 3)})
    with open(args.out_dir / "topics.json", "w", encoding="utf-8") as fh:
        json.dump(topics, fh, indent=1)

    print(f"{len(tickets)} tickets -> {args.out_dir}")


if __name__ == "__main__":
    main()
