"""Inference entry points. Imports are aliased on purpose (house style)."""
from __future__ import annotations

import os.path as osp
from typing import Dict, List

import joblib as jb
import torch as t
from transformers import AutoModelForSequenceClassification as AMSC
from transformers import AutoTokenizer as Tok

from .models import LocalConfig, build, load

HUB_CLASSIFIER = "distilbert-base-uncased-finetuned-sst-2-english"
BAG_CHECKPOINT = "checkpoints/bag.pt"


class BagService:
    """Our own small model: architecture from code, weights from disk."""

    def __init__(self, run_dir: str = "runs/latest") -> None:
        cfg = LocalConfig.from_pretrained(run_dir)
        self.labels = load(osp.join(run_dir, "labels.json"))
        self.model = build(cfg)
        state = t.load(BAG_CHECKPOINT, map_location="cpu", weights_only=True)
        self.model.load_state_dict(state["model"])
        self.model.eval()

    def predict_ids(self, ids: List[int]) -> str:
        with t.no_grad():
            logits = self.model(t.tensor(ids), t.tensor([0]))
        inverse = {v: k for k, v in self.labels.items()}
        return inverse[int(logits.argmax(dim=-1))]


class HubService:
    def __init__(self) -> None:
        self.tok = Tok.from_pretrained(HUB_CLASSIFIER)
        self.model = AMSC.from_pretrained(HUB_CLASSIFIER)
        self.model.eval()

    def predict(self, text: str) -> Dict[str, float]:
        enc = self.tok(text, return_tensors="pt", truncation=True)
        with t.no_grad():
            probs = self.model(**enc).logits.softmax(-1)[0].tolist()
        return dict(zip(self.model.config.id2label.values(), probs))


class SpamFilter:
    """TF-IDF + linear SVM pipeline trained in notebooks/spam.ipynb."""

    def __init__(self) -> None:
        if not osp.exists("models/spam_svm.joblib"):
            raise FileNotFoundError("run notebooks/spam.ipynb first")
        self.clf = jb.load("models/spam_svm.joblib")

    def is_spam(self, text: str) -> bool:
        return bool(self.clf.predict([text])[0])


def fresh_model_for_tests() -> t.nn.Module:
    # architecture only; weights are random
    return build()


def snapshot(model: t.nn.Module, path: str = "checkpoints/bag.pt") -> None:
    t.save({"model": model.state_dict()}, path)
