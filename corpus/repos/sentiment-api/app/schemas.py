"""Request and response bodies for the HTTP API."""
from __future__ import annotations

from typing import Dict, List, Optional

from pydantic import BaseModel, Field


class TextIn(BaseModel):
    text: str = Field(..., min_length=1, max_length=10_000)


class BatchIn(BaseModel):
    texts: List[str] = Field(..., min_items=1, max_items=64)


class SentimentOut(BaseModel):
    label: str
    score: float


class EmotionOut(BaseModel):
    scores: Dict[str, float]


class TopicIn(BaseModel):
    text: str
    candidates: List[str] = Field(default_factory=lambda: ["billing", "shipping", "quality"])


class TopicOut(BaseModel):
    scores: Dict[str, float]


class IndexIn(BaseModel):
    documents: List[str]


class SearchIn(BaseModel):
    query: str
    k: int = Field(5, ge=1, le=50)


class SearchHit(BaseModel):
    text: str
    score: float


class PairIn(BaseModel):
    a: str
    b: str


class SummaryOut(BaseModel):
    summary: str
    # which backend produced the answer; informational only
    model: Optional[str] = None


class Health(BaseModel):
    status: str = "ok"
    loaded: List[str] = Field(default_factory=list)
