"""A brute-force cosine index: enough for a few thousand passages."""
import numpy as np


class VectorIndex:
    def __init__(self, vectors: np.ndarray):
        vectors = np.asarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self.vectors = vectors / np.clip(norms, 1e-12, None)

    def __len__(self) -> int:
        return self.vectors.shape[0]

    def top_k(self, query: np.ndarray, k: int = 5) -> list[tuple[int, float]]:
        if len(self) == 0:
            return []
        query = np.asarray(query, dtype=np.float32)
        query = query / max(float(np.linalg.norm(query)), 1e-12)
        scores = self.vectors @ query
        k = min(k, len(self))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best])]
        return [(int(i), float(scores[i])) for i in best]

    def save(self, path: str) -> None:
        np.save(path, self.vectors)
