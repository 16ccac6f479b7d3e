"""Sequence tagging and topic modelling.

flair's English NER tagger complements spaCy's entities on noisy text; the
topic model is a pretrained BERTopic model published on the Hugging Face Hub.
"""
from __future__ import annotations

import logging
from collections import Counter

from bertopic import BERTopic
from flair.data import Sentence
from flair.models import SequenceTagger

log = logging.getLogger(__name__)

TOPIC_MODEL_ID = "MaartenGr/BERTopic_Wikipedia"


class NerTagger:
    """Thin wrapper around flair's 4-class English tagger."""

    def __init__(self) -> None:
        # self.tagger = SequenceTagger.load("flair/ner-english-large")
        self.tagger = SequenceTagger.load("ner")

    def tag(self, text: str) -> list[dict]:
        sentence = Sentence(text)
        self.tagger.predict(sentence)
        spans = []
        for span in sentence.get_spans("ner"):
            spans.append({
                "text": span.text,
                "label": span.get_label("ner").value,
                "score": round(span.get_label("ner").score, 4),
            })
        return spans


class TopicModel:
    def __init__(self) -> None:
        self.model = BERTopic.load(TOPIC_MODEL_ID)

    def topics(self, docs: list[str]) -> list[int]:
        topics, _ = self.model.transform(docs)
        return list(topics)

    def describe(self, topic: int, words: int = 5) -> str:
        terms = self.model.get_topic(topic) or []
        return ", ".join(term for term, _ in terms[:words])


def entity_histogram(texts: list[str], tagger: NerTagger | None = None) -> Counter:
    tagger = tagger or NerTagger()
    counts: Counter = Counter()
    for text in texts:
        for span in tagger.tag(text):
            counts[span["label"]] += 1
    return counts


def topic_report(docs: list[str], model: TopicModel | None = None) -> list[str]:
    model = model or TopicModel()
    lines = []
    for doc, topic in zip(docs, model.topics(docs)):
        label = "outlier" if topic == -1 else model.describe(topic)
        lines.append(f"{topic:>4}  {label:<40}  {doc[:60]}")
    log.debug("topic report with %d lines", len(lines))
    return lines
