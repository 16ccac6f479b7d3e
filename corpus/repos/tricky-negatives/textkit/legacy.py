"""Things we used to do, kept for reference while the migration finishes.

Old loading code (do NOT re-enable, the checkpoint format changed)::

    model = torch.load("old/bag_v1.pt")
    clf = joblib.load("old/spam.joblib")
"""
from __future__ import annotations

import json
import logging
import os

import onnxruntime as rt
import timm
from sentence_transformers import SentenceTransformer as ST

log = logging.getLogger(__name__)

USAGE = 'Restore a checkpoint with torch.load("bag.pt") or AutoModel.from_pretrained("bert-base-uncased").'
MIGRATION_NOTE = """
encoder = SentenceTransformer("all-mpnet-base-v2")
sess = onnxruntime.InferenceSession("old/bag.onnx")
"""
ENCODER_NAME = "sentence-transformers/paraphrase-MiniLM-L3-v2"

# encoder = SentenceTransformer("all-mpnet-base-v2")
# tokenizer = AutoTokenizer.from_pretrained("roberta-base")
# model = AutoModelForSequenceClassification.from_pretrained("roberta-base")
# session = rt.InferenceSession("old/bag.onnx")


def describe_old_loader() -> str:
    """Return how v1 loaded its model: ``pickle.load(open("bag.pkl", "rb"))``."""
    return f"v1 used {USAGE!r}"


def read_settings(path: str = "settings.json") -> dict:
    if not os.path.exists(path):
        return {}
    with open(path) as fh:
        return json.load(fh)


def new_encoder():
    log.info("loading %s", ENCODER_NAME)
    return ST(ENCODER_NAME)


def onnx_session():
    return rt.InferenceSession("exports/bag.onnx", providers=["CPUExecutionProvider"])


def untrained_backbone():
    # timm's default is pretrained=False: architecture only, no download
    return timm.create_model("resnet18", num_classes=2)


def explain_paths() -> None:
    print(os.path.join("checkpoints", "bag.pt"), os.path.basename("models/spam_svm.joblib"))
    log.debug("torch.load(%r) is no longer used", "old/bag_v1.pt")
