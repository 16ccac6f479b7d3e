"""Remote and exported variants of the judge.

Production can pull the current registered model from MLflow instead of the
files under models/; the ONNX export of the LightGBM model serves the
low-latency endpoint.
"""
from __future__ import annotations

import logging
import os

import mlflow
import numpy as np
import onnxruntime as ort
import pandas as pd
from mlflow import MlflowClient

from judge.data import ACCOUNT_COLUMNS

log = logging.getLogger(__name__)

REGISTRY_NAME = "churn"
ONNX_PATH = "exports/churn_lgb.onnx"


def _tracking() -> None:
    mlflow.set_tracking_uri(os.environ.get("MLFLOW_TRACKING_URI", "http://mlflow.internal:5000"))


def current_version() -> str:
    """Which version is in Production (metadata only, nothing is loaded)."""
    _tracking()
    versions = MlflowClient().get_latest_versions(REGISTRY_NAME, stages=["Production"])
    return versions[0].version if versions else "none"


def registry_model():
    _tracking()
    model = mlflow.pyfunc.load_model("models:/churn/Production")
    log.info("loaded %s from the registry", REGISTRY_NAME)
    return model


def registry_score(model, texts: list[str], accounts: pd.DataFrame) -> np.ndarray:
    frame = accounts[ACCOUNT_COLUMNS].copy()
    frame["ticket_text"] = texts
    return np.asarray(model.predict(frame), dtype=np.float32)


class FastScorer:
    def __init__(self) -> None:
        self.session = ort.InferenceSession(ONNX_PATH, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name
        self.output_name = self.session.get_outputs()[-1].name

    def score(self, accounts: pd.DataFrame) -> np.ndarray:
        X = accounts[ACCOUNT_COLUMNS].to_numpy(dtype=np.float32)
        (probs,) = self.session.run([self.output_name], {self.input_name: X})
        probs = np.asarray(probs)
        return probs[:, 1] if probs.ndim == 2 else probs
