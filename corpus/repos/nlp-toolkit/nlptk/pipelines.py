"""spaCy and stanza pipelines used by the toolkit.

The small English pipeline is the default for entities; the medium one ships
word vectors and is only used for similarity.  Stanza gives us better lemmas
for the glossary builder.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field

import en_core_web_md
import spacy
import stanza

log = logging.getLogger(__name__)


@dataclass
class Entity:
    text: str
    label: str
    start: int
    end: int


@dataclass
class Analysis:
    tokens: list[str] = field(default_factory=list)
    lemmas: list[str] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)


@functools.lru_cache(maxsize=1)
def entity_pipeline():
    # nlp = spacy.load("en_core_web_trf")  # too slow on the CI runners
    nlp = spacy.load("en_core_web_sm", disable=["lemmatizer"])
    log.info("entity pipeline: %s", nlp.pipe_names)
    return nlp


@functools.lru_cache(maxsize=1)
def vector_pipeline():
    """The medium package has 20k vectors; we use it for similarity only."""
    nlp = en_core_web_md.load(exclude=["ner", "parser"])
    return nlp


@functools.lru_cache(maxsize=1)
def sentence_splitter():
    """Rule-based sentence splitting: no trained weights involved."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@functools.lru_cache(maxsize=1)
def lemma_pipeline():
    return stanza.Pipeline("en", processors="tokenize,pos,lemma", verbose=False)


def analyse(text: str) -> Analysis:
    doc = entity_pipeline()(text)
    result = Analysis(tokens=[t.text for t in doc])
    for ent in doc.ents:
        result.entities.append(Entity(ent.text, ent.label_, ent.start_char, ent.end_char))
    sdoc = lemma_pipeline()(text)
    for sent in sdoc.sentences:
        result.lemmas.extend(w.lemma or w.text for w in sent.words)
    return result


def sentences(text: str) -> list[str]:
    return [s.text.strip() for s in sentence_splitter()(text).sents]


def similarity(a: str, b: str) -> float:
    nlp = vector_pipeline()
    da, db = nlp(a), nlp(b)
    if not da.vector_norm or not db.vector_norm:
        return 0.0
    return float(da.similarity(db))


def glossary(texts: list[str], min_count: int = 2) -> dict[str, int]:
    counts: dict[str, int] = {}
    for text in texts:
        for lemma in analyse(text).lemmas:
            key = lemma.lower()
            if key.isalpha() and len(key) > 2:
                counts[key] = counts.get(key, 0) + 1
    return {k: v for k, v in sorted(counts.items(), key=lambda kv: -kv[1]) if v >= min_count}
