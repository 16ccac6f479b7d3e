"""Photo quality ranking.

A small MLP head scores CLIP embeddings for aesthetic quality; its weights
are stored as safetensors.  The final keep/drop decision is an XGBoost
classifier over the head score and simple detection statistics.
"""
from __future__ import annotations

import numpy as np
import torch
import xgboost as xgb
from safetensors.torch import load_file, save_file

HEAD_WEIGHTS = "weights/quality_head.safetensors"


class QualityHead(torch.nn.Module):
    def __init__(self, dim: int = 512) -> None:
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(dim, 256),
            torch.nn.GELU(),
            torch.nn.Dropout(0.1),
            torch.nn.Linear(256, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)


def load_head() -> QualityHead:
    head = QualityHead()
    state = load_file(HEAD_WEIGHTS)
    head.load_state_dict(state)
    return head.eval()


def export_head(head: QualityHead, path: str) -> None:
    save_file(head.state_dict(), path)
    torch.save(head.state_dict(), path.replace(".safetensors", ".pt"))


def features(head_score: float, n_objects: int, n_faces: int, sharpness: float) -> list[float]:
    return [head_score, float(n_objects), float(n_faces), sharpness, float(n_faces > 0)]


class Ranker:
    def __init__(self) -> None:
        self.head = load_head()
        ranker = xgb.XGBClassifier()
        ranker.load_model("models/xgb.json")
        self.ranker = ranker

    @torch.no_grad()
    def head_scores(self, embeddings: np.ndarray) -> np.ndarray:
        return self.head(torch.from_numpy(embeddings).float()).numpy()

    def keep_probability(self, embeddings: np.ndarray, stats: list[tuple[int, int, float]]) -> np.ndarray:
        scores = self.head_scores(embeddings)
        rows = [features(s, *st) for s, st in zip(scores, stats)]
        return self.ranker.predict_proba(np.asarray(rows))[:, 1]


def sharpness(gray: np.ndarray) -> float:
    """Variance of a discrete Laplacian: low values mean blur."""
    lap = (
        -4 * gray[1:-1, 1:-1]
        + gray[:-2, 1:-1]
        + gray[2:, 1:-1]
        + gray[1:-1, :-2]
        + gray[1:-1, 2:]
    )
    return float(lap.var())
