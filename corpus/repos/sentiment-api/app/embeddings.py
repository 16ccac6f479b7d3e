"""Sentence embeddings, semantic search and pair scoring."""
from __future__ import annotations

from typing import List, Sequence, Tuple

import numpy as np
import torch
from sentence_transformers import CrossEncoder, SentenceTransformer
from transformers import AutoModel, AutoTokenizer

EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
LONG_DOC_MODEL = "jinaai/jina-embeddings-v2-small-en"


class EmbeddingService:
    def __init__(self, device: str = "cpu") -> None:
        self.encoder = SentenceTransformer(EMBEDDING_MODEL, device=device)
        self.pair_scorer = CrossEncoder(
            "cross-encoder/stsb-roberta-base", max_length=256
        )
        self._corpus: List[str] = []
        self._matrix: np.ndarray | None = None

    def index(self, documents: Sequence[str]) -> int:
        self._corpus = list(documents)
        self._matrix = self.encoder.encode(
            self._corpus, normalize_embeddings=True, batch_size=64
        )
        return len(self._corpus)

    def search(self, query: str, k: int = 5) -> List[Tuple[str, float]]:
        if self._matrix is None:
            return []
        q = self.encoder.encode([query], normalize_embeddings=True)[0]
        scores = self._matrix @ q
        top = np.argsort(-scores)[:k]
        return [(self._corpus[i], float(scores[i])) for i in top]

    def similarity(self, a: str, b: str) -> float:
        return float(self.pair_scorer.predict([(a, b)])[0])


class LongDocumentEncoder:
    """Mean-pooled embeddings for documents up to 8k tokens."""

    def __init__(self) -> None:
        self.tokenizer = AutoTokenizer.from_pretrained(LONG_DOC_MODEL)
        self.model = AutoModel.from_pretrained(LONG_DOC_MODEL, trust_remote_code=True)
        self.model.eval()

    @torch.no_grad()
    def encode(self, text: str) -> List[float]:
        enc = self.tokenizer(
            text, truncation=True, max_length=8192, return_tensors="pt"
        )
        hidden = self.model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1)
        return pooled[0].tolist()
