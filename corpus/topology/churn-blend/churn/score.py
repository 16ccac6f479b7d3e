"""Score customers for churn with a blend of two trained classifiers."""
from pathlib import Path

import joblib
import numpy as np
import pandas as pd

from churn.features import FEATURE_COLUMNS, prepare

DEFAULT_MODEL_DIR = Path("artifacts")


def score_customers(csv_path: str, model_dir: Path = DEFAULT_MODEL_DIR) -> pd.DataFrame:
    """Average the churn probabilities of the boosted trees and the logistic model.

    The logistic regression was trained on standardised features, so the
    fitted scaler is applied to its input only; the trees use raw features.
    """
    frame = pd.read_csv(csv_path)
    scaler = joblib.load(model_dir / "scaler.joblib")
    gbm = joblib.load(model_dir / "gbm_classifier.joblib")
    logreg = joblib.load(model_dir / "logreg_classifier.joblib")

    features = prepare(frame)[FEATURE_COLUMNS]
    p_gbm = gbm.predict_proba(features)[:, 1]
    p_logreg = logreg.predict_proba(scaler.transform(features))[:, 1]
    churn_prob = (p_gbm + p_logreg) / 2

    out = frame[["customer_id"]].copy()
    out["churn_prob"] = np.round(churn_prob, 4)
    out["risk"] = pd.cut(
        out["churn_prob"], bins=[0, 0.3, 0.6, 1.0],
        labels=["low", "medium", "high"], include_lowest=True,
    )
    return out.sort_values("churn_prob", ascending=False)


if __name__ == "__main__":
    import sys

    table = score_customers(sys.argv[1])
    table.to_csv(sys.argv[2] if len(sys.argv) > 2 else "churn_scores.csv", index=False)
    print(table.head(20).to_string(index=False))
