"""Train the churn models from data/customers.csv and write them to models/.

Three models are trained on the same features and averaged at serving time:
a gradient-boosting pipeline (joblib), a logistic-regression baseline
(pickle) and a small Keras network.
"""
from __future__ import annotations

import pickle
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import tensorflow as tf
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from service.features import FEATURES, build_preprocessor, to_frame

GBM_PATH = "models/churn_gbm.joblib"
DATA = Path("data/customers.csv")


def keras_net(n_inputs: int) -> tf.keras.Model:
    model = tf.keras.Sequential(
        [
            tf.keras.layers.Input(shape=(n_inputs,)),
            tf.keras.layers.Dense(64, activation="relu"),
            tf.keras.layers.Dropout(0.2),
            tf.keras.layers.Dense(32, activation="relu"),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["AUC"])
    return model


def main() -> None:
    df = pd.read_csv(DATA)
    X, y = to_frame(df), df["churned"].astype(int).values
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, stratify=y, random_state=7)
    Path("models").mkdir(exist_ok=True)

    gbm = Pipeline([("prep", build_preprocessor()), ("clf", HistGradientBoostingClassifier())])
    gbm.fit(X_tr, y_tr)
    joblib.dump(gbm, GBM_PATH)

    logreg = Pipeline([("prep", build_preprocessor()), ("clf", LogisticRegression(max_iter=500))])
    logreg.fit(X_tr, y_tr)
    with open("models/churn_logreg.pkl", "wb") as fh:
        pickle.dump(logreg, fh)

    prep = gbm.named_steps["prep"]  # already fitted on X_tr
    net = keras_net(prep.transform(X_tr[:1]).shape[1])
    net.fit(prep.transform(X_tr), y_tr, epochs=15, batch_size=128, verbose=0)
    net.save("models/churn_net.keras")

    # Round-trip check: the artefact on disk must score like the one in memory.
    reloaded = joblib.load(GBM_PATH)
    auc = roc_auc_score(y_te, reloaded.predict_proba(X_te)[:, 1])
    print(f"gbm AUC={auc:.3f} on {len(y_te)} held-out rows ({len(FEATURES)} features)")
    assert np.allclose(reloaded.predict_proba(X_te), gbm.predict_proba(X_te))


if __name__ == "__main__":
    main()
