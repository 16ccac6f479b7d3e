"""Flag transactions by majority vote of three independently trained models."""
from collections import Counter

import joblib

from fraudvote.schema import to_matrix

MODEL_DIR = "models"


def majority_vote(transactions: list[dict], model_dir: str = MODEL_DIR) -> list[dict]:
    forest = joblib.load(f"{model_dir}/random_forest.pkl")
    svm = joblib.load(f"{model_dir}/svm_rbf.pkl")
    knn = joblib.load(f"{model_dir}/knn_k15.pkl")

    X = to_matrix(transactions)
    votes = [forest.predict(X), svm.predict(X), knn.predict(X)]

    decisions = []
    for i, tx in enumerate(transactions):
        label, count = Counter(int(v[i]) for v in votes).most_common(1)[0]
        decisions.append({
            "transaction_id": tx["id"],
            "fraud": bool(label),
            "agreement": f"{count}/{len(votes)}",
        })
    return decisions


def summarize(decisions: list[dict]) -> str:
    flagged = [d for d in decisions if d["fraud"]]
    split = sum(1 for d in decisions if d["agreement"] != "3/3")
    return (f"{len(flagged)} of {len(decisions)} transactions flagged; "
            f"{split} decided by a split vote")
