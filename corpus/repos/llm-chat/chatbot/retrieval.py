"""Tiny in-memory FAQ retriever backed by OpenAI embeddings."""
from __future__ import annotations

import json
from pathlib import Path
from typing import List, Tuple

import numpy as np
from openai import OpenAI

EMBED_MODEL = "text-embedding-3-small"
FAQ_FILE = Path(__file__).with_name("faq.json")


def embed(texts: List[str]) -> np.ndarray:
    client = OpenAI()
    result = client.embeddings.create(model=EMBED_MODEL, input=texts)
    vectors = np.array([item.embedding for item in result.data], dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


class FaqIndex:
    def __init__(self, entries: List[Tuple[str, str]]) -> None:
        self.entries = entries
        self.matrix = embed([q for q, _ in entries]) if entries else np.zeros((0, 1))

    @classmethod
    def from_file(cls, path: Path = FAQ_FILE) -> "FaqIndex":
        if not path.exists():
            return cls([])
        with path.open() as fh:
            data = json.load(fh)
        return cls([(d["question"], d["answer"]) for d in data])

    def top_k(self, question: str, k: int = 3) -> List[Tuple[str, str, float]]:
        if not self.entries:
            return []
        q = embed([question])[0]
        scores = self.matrix @ q
        order = np.argsort(-scores)[:k]
        return [(*self.entries[i], float(scores[i])) for i in order]

    def context_for(self, question: str, k: int = 3, min_score: float = 0.3) -> str:
        hits = [h for h in self.top_k(question, k) if h[2] >= min_score]
        return "\n\n".join(f"Q: {q}\nA: {a}" for q, a, _ in hits)
