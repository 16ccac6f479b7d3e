"""Flask API: POST /predict with a list of customer records."""
from __future__ import annotations

import logging
import os

from flask import Flask, jsonify, request

from service.features import validate
from service.predictor import ChurnEnsemble

logging.basicConfig(level=logging.INFO)
app = Flask(__name__)
_ensemble = None


def ensemble() -> ChurnEnsemble:
    global _ensemble
    if _ensemble is None:
        app.logger.info("loading churn models")
        _ensemble = ChurnEnsemble()
    return _ensemble


@app.get("/healthz")
def healthz():
    return jsonify(status="ok", loaded=_ensemble is not None)


@app.post("/predict")
def predict():
    payload = request.get_json(force=True, silent=True)
    if not isinstance(payload, list) or not payload:
        return jsonify(error="expected a non-empty JSON list of records"), 400
    problems = {i: validate(r) for i, r in enumerate(payload)}
    problems = {i: p for i, p in problems.items() if p}
    if problems:
        return jsonify(error="invalid records", details=problems), 422
    predictions = ensemble().predict(payload)
    return jsonify(
        [
            {
                "churn_probability": round(p.churn_probability, 4),
                "label": p.label,
                "parts": {k: round(v, 4) for k, v in p.parts.items()},
            }
            for p in predictions
        ]
    )


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "5000")))
