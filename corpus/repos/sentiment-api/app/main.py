"""FastAPI entry point: uvicorn app.main:app --port 8080"""
from __future__ import annotations

from functools import lru_cache
from typing import List

from fastapi import FastAPI, HTTPException
from transformers import pipeline

from app.embeddings import EmbeddingService, LongDocumentEncoder
from app.nlp import EmotionClassifier, ReviewClassifier, sentiment_pipeline, tag_topics
from app.schemas import (
    BatchIn,
    EmotionOut,
    Health,
    IndexIn,
    PairIn,
    SearchHit,
    SearchIn,
    SentimentOut,
    SummaryOut,
    TextIn,
    TopicIn,
    TopicOut,
)

app = FastAPI(title="sentiment-api", version="0.4.1")
_loaded: List[str] = []


@lru_cache(maxsize=1)
def summarizer():
    _loaded.append("summarizer")
    return pipeline(
        "summarization",
        model="sshleifer/distilbart-"
        "cnn-12-6",
    )


@lru_cache(maxsize=1)
def emotions() -> EmotionClassifier:
    _loaded.append("emotions")
    return EmotionClassifier()


@lru_cache(maxsize=1)
def reviews() -> ReviewClassifier:
    _loaded.append("reviews")
    return ReviewClassifier()


@lru_cache(maxsize=1)
def embeddings() -> EmbeddingService:
    _loaded.append("embeddings")
    return EmbeddingService()


@lru_cache(maxsize=1)
def long_docs() -> LongDocumentEncoder:
    _loaded.append("long_docs")
    return LongDocumentEncoder()


@app.get("/health", response_model=Health)
def health() -> Health:
    return Health(loaded=_loaded)


@app.post("/sentiment", response_model=List[SentimentOut])
def sentiment(body: BatchIn) -> List[SentimentOut]:
    results = sentiment_pipeline()(body.texts)
    return [SentimentOut(label=r["label"], score=r["score"]) for r in results]


@app.post("/emotion", response_model=List[EmotionOut])
def emotion(body: BatchIn) -> List[EmotionOut]:
    return [EmotionOut(scores=s) for s in emotions().predict(body.texts)]


@app.post("/review", response_model=EmotionOut)
def review(body: TextIn) -> EmotionOut:
    return EmotionOut(scores=reviews().score(body.text))


@app.post("/topics", response_model=TopicOut)
def topics(body: TopicIn) -> TopicOut:
    return TopicOut(scores=tag_topics(body.text, body.candidates))


@app.post("/summarize", response_model=SummaryOut)
def summarize(body: TextIn) -> SummaryOut:
    if len(body.text.split()) < 30:
        raise HTTPException(status_code=422, detail="text too short to summarize")
    out = summarizer()(body.text, max_length=120, min_length=20)[0]
    return SummaryOut(summary=out["summary_text"], model="distilbart")


@app.post("/index")
def index(body: IndexIn) -> dict:
    return {"indexed": embeddings().index(body.documents)}


@app.post("/search", response_model=List[SearchHit])
def search(body: SearchIn) -> List[SearchHit]:
    hits = embeddings().search(body.query, k=body.k)
    return [SearchHit(text=t, score=s) for t, s in hits]


@app.post("/similarity")
def similarity(body: PairIn) -> dict:
    return {"score": embeddings().similarity(body.a, body.b)}


@app.post("/embed-long")
def embed_long(body: TextIn) -> dict:
    return {"embedding": long_docs().encode(body.text)}
