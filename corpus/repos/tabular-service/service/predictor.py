"""Churn ensemble: average of three independently trained models."""
from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import Dict, List

import joblib
import numpy as np
import tensorflow as tf

from service.features import to_frame

GBM_PATH = "models/churn_gbm.joblib"
WEIGHTS = {"gbm": 0.5, "logreg": 0.2, "net": 0.3}


@dataclass
class Prediction:
    churn_probability: float
    parts: Dict[str, float]

    @property
    def label(self) -> str:
        return "churn" if self.churn_probability >= 0.5 else "stay"


class ChurnEnsemble:
    def __init__(self) -> None:
        self.gbm = joblib.load(GBM_PATH)
        with open("models/churn_logreg.pkl", "rb") as fh:
            self.logreg = pickle.load(fh)
        self.net = tf.keras.models.load_model("models/churn_net.keras")
        self.net_prep = self.gbm.named_steps["prep"]  # the net was trained on it

    def _parts(self, rows: List[dict]) -> Dict[str, np.ndarray]:
        X = to_frame(rows)
        return {
            "gbm": self.gbm.predict_proba(X)[:, 1],
            "logreg": self.logreg.predict_proba(X)[:, 1],
            "net": self.net.predict(self.net_prep.transform(X), verbose=0)[:, 0],
        }

    def predict(self, rows: List[dict]) -> List[Prediction]:
        parts = self._parts(rows)
        combined = sum(WEIGHTS[name] * probs for name, probs in parts.items())
        return [
            Prediction(
                churn_probability=float(combined[i]),
                parts={name: float(p[i]) for name, p in parts.items()},
            )
            for i in range(len(rows))
        ]
