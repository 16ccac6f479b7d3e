"""Nightly training of the three voters and the calibrator.

    python -m judge.train tickets.jsonl
"""
from __future__ import annotations

import pickle
import sys

import joblib
import lightgbm as lgb
import numpy as np
from catboost import CatBoostClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.isotonic import IsotonicRegression
from sklearn.model_selection import train_test_split

from judge import data
from judge.models import WEIGHTS


def main(tickets_path: str) -> int:
    accounts = data.account_snapshot()
    texts, feats = data.join(data.tickets(tickets_path), accounts)
    y = data.labels(accounts.loc[feats.index])
    idx_train, idx_cal = train_test_split(np.arange(len(y)), test_size=0.2, stratify=y, random_state=7)

    vectorizer = TfidfVectorizer(min_df=3, max_features=50_000, ngram_range=(1, 2))
    X_text = vectorizer.fit_transform(texts)
    clf = RandomForestClassifier(n_estimators=400, min_samples_leaf=3, n_jobs=-1, random_state=7)
    clf.fit(X_text[idx_train], y[idx_train])

    X = feats.to_numpy(dtype=np.float32)
    booster = lgb.train(
        {"objective": "binary", "learning_rate": 0.05, "num_leaves": 31, "verbose": -1},
        lgb.Dataset(X[idx_train], y[idx_train]),
        num_boost_round=300,
    )
    cb = CatBoostClassifier(iterations=500, depth=6, verbose=False, random_seed=7)
    cb.fit(X[idx_train], y[idx_train])

    raw = (
        WEIGHTS["rf"] * clf.predict_proba(X_text[idx_cal])[:, 1]
        + WEIGHTS["lgb"] * booster.predict(X[idx_cal])
        + WEIGHTS["cb"] * cb.predict_proba(X[idx_cal])[:, 1]
    )
    calibrator = IsotonicRegression(out_of_bounds="clip").fit(raw, y[idx_cal])

    joblib.dump(clf, "models/rf.joblib")
    joblib.dump(vectorizer, "models/tfidf.joblib")
    joblib.dump(vectorizer.vocabulary_, "cache/vocab.joblib")
    booster.save_model("models/lgb.txt")
    cb.save_model("models/cb.cbm")
    with open("models/isotonic.pkl", "wb") as fh:
        pickle.dump(calibrator, fh)
    # previous = joblib.load("models/rf.joblib")  # compare with yesterday's model
    print(f"trained on {len(idx_train)} rows, calibrated on {len(idx_cal)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
