"""HTTP service of the churn judge (Flask).

JUDGE_SOURCE=local (default) serves the voters under models/;
JUDGE_SOURCE=registry serves the MLflow Production model instead.
"""
from __future__ import annotations

import logging
import os

import pandas as pd
from flask import Flask, jsonify, request

from judge import models, registry

app = Flask(__name__)
log = logging.getLogger("judge")

STARTUP_MESSAGE = "voters ready: joblib.load('models/rf.joblib'), lgb.Booster, CatBoost"


def load_model(kind: str):
    """Pick the judge implementation (our dispatcher, not a library loader)."""
    if kind == "registry":
        return ("registry", registry.registry_model())
    return ("local", models.load_bundle())


SOURCE = os.environ.get("JUDGE_SOURCE", "local")
_judge = load_model(SOURCE)
_fast = None
log.info(STARTUP_MESSAGE)


def _frame(payload: dict) -> tuple[list[str], pd.DataFrame]:
    rows = payload["accounts"]
    texts = [r.pop("ticket_text", "") for r in rows]
    return texts, pd.DataFrame(rows)


@app.post("/judge")
def judge():
    texts, accounts = _frame(request.get_json(force=True))
    kind, impl = _judge
    if kind == "registry":
        probs = registry.registry_score(impl, texts, accounts)
    else:
        probs = models.score(impl, texts, accounts)
    return jsonify({"churn_probability": [round(float(p), 4) for p in probs], "source": kind})


@app.post("/judge/fast")
def judge_fast():
    global _fast
    if _fast is None:
        _fast = registry.FastScorer()
    _, accounts = _frame(request.get_json(force=True))
    return jsonify({"churn_probability": [round(float(p), 4) for p in _fast.score(accounts)]})


@app.get("/explain")
def explain():
    kind, impl = _judge
    if kind != "local":
        return jsonify({"error": "explanations need the local voters"}), 400
    return jsonify({"terms": models.highlight(impl, request.args.get("text", ""))})


@app.get("/healthz")
def healthz():
    return jsonify({"source": _judge[0], "registry_version": registry.current_version()})
