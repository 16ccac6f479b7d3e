"""Semantic search over a folder of Markdown notes.

The encoder is picked by name from MODELS; each entry is a factory so only
the chosen model is downloaded.
"""
import argparse
from pathlib import Path

from sentence_transformers import SentenceTransformer

from semsearch.corpus import load_passages
from semsearch.index import VectorIndex

MODELS = {
    "small": lambda: SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2"),
    "large": lambda: SentenceTransformer("sentence-transformers/all-mpnet-base-v2"),
    "multilingual": lambda: SentenceTransformer(
        "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"
    ),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notes", type=Path)
    parser.add_argument("query", nargs="+")
    parser.add_argument("--model", choices=sorted(MODELS), default="small")
    parser.add_argument("-k", "--top-k", type=int, default=5)
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    encoder = MODELS[args.model]()
    passages = load_passages(args.notes)
    index = VectorIndex(encoder.encode([p.text for p in passages], batch_size=64,
                                       normalize_embeddings=True))
    query_vec = encoder.encode(" ".join(args.query), normalize_embeddings=True)
    for rank, (i, score) in enumerate(index.top_k(query_vec, args.top_k), start=1):
        hit = passages[i]
        print(f"{rank}. {score:.3f}  {hit.source}#{hit.heading}")
        print(f"   {hit.text[:160]}")


if __name__ == "__main__":
    main()
