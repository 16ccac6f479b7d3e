"""Text classification helpers for the sentiment service.

Models are loaded lazily the first time a request needs them, so the
container starts quickly and the health check passes before any weights
have been downloaded.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Dict, List

import torch
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    pipeline,
)

logger = logging.getLogger(__name__)

SENTIMENT_MODEL = "cardiffnlp/twitter-roberta-base-sentiment-latest"
EMOTION_MODEL = "j-hartmann/emotion-english-distilroberta-base"
EMOTION_REVISION = "0e1cd914e3d46199ed785853e12b57304e04178b"
REVIEW_CLASSIFIER_DIR = "./artifacts/review-classifier"
MAX_LENGTH = 256

_device = "cuda" if torch.cuda.is_available() else "cpu"


@lru_cache(maxsize=1)
def sentiment_pipeline():
    logger.info("loading sentiment pipeline %s", SENTIMENT_MODEL)
    return pipeline(
        "sentiment-analysis",
        model=SENTIMENT_MODEL,
        truncation=True,
        device=0 if _device == "cuda" else -1,
    )


@lru_cache(maxsize=1)
def topic_pipeline():
    # The task's default checkpoint is good enough for coarse topic tags.
    return pipeline("zero-shot-classification")


class EmotionClassifier:
    """Seven-way emotion classifier (anger, disgust, fear, joy, ...)."""

    def __init__(self) -> None:
        self.tokenizer = AutoTokenizer.from_pretrained(
            EMOTION_MODEL, revision=EMOTION_REVISION
        )
        self.model = AutoModelForSequenceClassification.from_pretrained(
            EMOTION_MODEL, revision=EMOTION_REVISION
        )
        self.model.to(_device).eval()
        self.labels = self.model.config.id2label

    @torch.no_grad()
    def predict(self, texts: List[str]) -> List[Dict[str, float]]:
        batch = self.tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=MAX_LENGTH,
            return_tensors="pt",
        ).to(_device)
        probs = self.model(**batch).logits.softmax(dim=-1).cpu()
        return [
            {self.labels[i]: round(float(p), 4) for i, p in enumerate(row)}
            for row in probs
        ]


class ReviewClassifier:
    """Our own fine-tuned product-review classifier (see training repo)."""

    def __init__(self) -> None:
        self.tokenizer = AutoTokenizer.from_pretrained("distilbert-base-uncased")
        self.model = AutoModelForSequenceClassification.from_pretrained(
            REVIEW_CLASSIFIER_DIR
        )
        self.model.eval()

    @torch.no_grad()
    def score(self, text: str) -> Dict[str, float]:
        enc = self.tokenizer(text, truncation=True, return_tensors="pt")
        logits = self.model(**enc).logits[0]
        probs = logits.softmax(dim=-1).tolist()
        return {self.model.config.id2label[i]: p for i, p in enumerate(probs)}


def tag_topics(text: str, candidates: List[str]) -> Dict[str, float]:
    result = topic_pipeline()(text, candidate_labels=candidates, multi_label=True)
    return dict(zip(result["labels"], result["scores"]))
