"""Word vectors and language identification.

GloVe vectors come from the gensim-data repository; a domain model trained
in-house is read from a word2vec binary whose path the caller passes.
Language identification uses the compressed fastText model we commit under
models/.
"""
from __future__ import annotations

import logging
from pathlib import Path

import fasttext
import gensim.downloader as gensim_api
import numpy as np
from gensim.models import KeyedVectors

log = logging.getLogger(__name__)

GLOVE_NAME = "glove-wiki-gigaword-100"
LID_MODEL = "models/lid.176.ftz"

_cache: dict[str, object] = {}


def describe_glove() -> dict:
    """Metadata only (size, licence): gensim_api.info downloads no vectors."""
    return gensim_api.info(GLOVE_NAME)


def glove() -> KeyedVectors:
    if "glove" not in _cache:
        log.info("fetching %s (first run downloads ~130MB)", GLOVE_NAME)
        _cache["glove"] = gensim_api.load("glove-wiki-gigaword-100")
    return _cache["glove"]


def domain_vectors(path: str | Path) -> KeyedVectors:
    key = f"domain:{path}"
    if key not in _cache:
        _cache[key] = KeyedVectors.load_word2vec_format(str(path), binary=True)
    return _cache[key]


def language_identifier():
    if "lid" not in _cache:
        _cache["lid"] = fasttext.load_model(LID_MODEL)
    return _cache["lid"]


def detect_language(text: str) -> tuple[str, float]:
    model = language_identifier()
    labels, probs = model.predict(text.replace("\n", " "), k=1)
    return labels[0].removeprefix("__label__"), float(probs[0])


def sentence_vector(tokens: list[str], vectors: KeyedVectors) -> np.ndarray:
    known = [vectors[t] for t in tokens if t in vectors.key_to_index]
    if not known:
        return np.zeros(vectors.vector_size, dtype=np.float32)
    return np.mean(known, axis=0)


def nearest(word: str, topn: int = 10, vectors: KeyedVectors | None = None) -> list[tuple[str, float]]:
    vectors = vectors or glove()
    if word not in vectors.key_to_index:
        return []
    return vectors.most_similar(word, topn=topn)


def save_subset(vectors: KeyedVectors, words: list[str], out: Path) -> None:
    """Write a small vocabulary subset for the unit tests."""
    keep = [w for w in words if w in vectors.key_to_index]
    sub = KeyedVectors(vector_size=vectors.vector_size)
    sub.add_vectors(keep, [vectors[w] for w in keep])
    sub.save_word2vec_format(str(out), binary=True)
