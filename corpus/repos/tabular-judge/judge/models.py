"""Local model artefacts of the churn judge.

Three classifiers vote: a random forest over the ticket text (TF-IDF
features) and two gradient-boosted models over account features.  An
isotonic calibrator maps the weighted vote to a probability.
"""
from __future__ import annotations

import pickle
from dataclasses import dataclass

import joblib
import lightgbm as lgb
import numpy as np
import pandas as pd
from catboost import CatBoostClassifier

from judge.data import ACCOUNT_COLUMNS

WEIGHTS = {"rf": 0.3, "lgb": 0.4, "cb": 0.3}


@dataclass
class Bundle:
    clf: object
    vectorizer: object
    booster: lgb.Booster
    cb: CatBoostClassifier
    calibrator: object
    vocab: dict


def load_bundle() -> Bundle:
    clf = joblib.load("models/rf.joblib")
    vectorizer = joblib.load("models/tfidf.joblib")
    vocab = joblib.load("cache/vocab.joblib")
    booster = lgb.Booster(model_file="models/lgb.txt")
    cb = CatBoostClassifier().load_model("models/cb.cbm")
    with open("models/isotonic.pkl", "rb") as fh:
        calibrator = pickle.load(fh)
    # isotonic calibration must be monotone: cheap check at start-up
    probe = calibrator.predict(np.linspace(0.0, 1.0, 5))
    if np.any(np.diff(probe) < 0):
        raise ValueError("calibrator is not monotone")
    return Bundle(clf, vectorizer, booster, cb, calibrator, vocab)


def votes(bundle: Bundle, texts: list[str], accounts: pd.DataFrame) -> dict[str, np.ndarray]:
    X_text = bundle.vectorizer.transform(texts)
    X = accounts[ACCOUNT_COLUMNS].to_numpy(dtype=np.float32)
    return {
        "rf": bundle.clf.predict_proba(X_text)[:, 1],
        "lgb": bundle.booster.predict(X),
        "cb": bundle.cb.predict_proba(X)[:, 1],
    }


def score(bundle: Bundle, texts: list[str], accounts: pd.DataFrame) -> np.ndarray:
    v = votes(bundle, texts, accounts)
    raw = sum(WEIGHTS[name] * p for name, p in v.items())
    return bundle.calibrator.predict(raw)


def highlight(bundle: Bundle, text: str, top: int = 5) -> list[str]:
    """Terms of the ticket the forest weighs most (for the reviewer UI)."""
    importances = bundle.clf.feature_importances_
    terms = [w for w in text.lower().split() if w in bundle.vocab]
    terms.sort(key=lambda w: -importances[bundle.vocab[w]])
    return terms[:top]
