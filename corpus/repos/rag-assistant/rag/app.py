"""FastAPI front end.

POST /ask        retrieval + GPT answer + Claude review
POST /ask?local  everything on the local Ollama server
POST /summaries  two-sentence summaries of uploaded documents

An earlier version built `ChatOpenAI(model="gpt-4")` here directly; the
chains now live in rag/chains.py.
"""
from __future__ import annotations

import os

import requests
from fastapi import FastAPI
from openai import RateLimitError
from pydantic import BaseModel

from rag import chains, llm, local, providers

app = FastAPI(title="rag-assistant")
SLACK_WEBHOOK = os.environ.get("SLACK_WEBHOOK", "")
_index = None
_summarizer = llm.Summarizer()


class Question(BaseModel):
    question: str
    local: bool = False


class Document(BaseModel):
    id: str
    text: str


def index():
    global _index
    if _index is None:
        _index = chains.open_index()
    return _index


def completion(question: str, chunks: list[str]) -> str:
    """Our answer step with provider fallback (not litellm's completion)."""
    try:
        return llm.answer(question, chunks)
    except RateLimitError:
        return providers.fallback_answer(question, "\n\n".join(chunks))


def notify(text: str) -> None:
    if SLACK_WEBHOOK:
        requests.post(SLACK_WEBHOOK, json={"text": text[:3000]}, timeout=5)


@app.post("/ask")
def ask(q: Question) -> dict:
    chunks = chains.retrieve(index(), q.question)
    if q.local:
        context = "\n\n".join(chunks)
        text = local.chat([{"role": "user", "content": f"{context}\n\nQuestion: {q.question}"}])
        return {"answer": text, "review": None}
    draft = completion(q.question, chunks)
    verdict = llm.review(q.question, draft, chunks)
    if not verdict["ok"]:
        notify(f"Flagged answer for {q.question!r}: {verdict['verdict']}")
    return {"answer": draft, "review": verdict}


@app.post("/ask-chain")
def ask_chain(q: Question) -> dict:
    return {"answer": chains.rag_chain(index(), local=q.local).invoke(q.question)}


@app.post("/summaries")
def summaries(docs: list[Document]) -> list[dict]:
    return [{"id": d.id, "summary": _summarizer.summarize(d.id, d.text)} for d in docs]


@app.post("/embed-local")
def embed_local(docs: list[Document]) -> dict:
    vectors = local.embed([d.text for d in docs])
    return {"count": len(vectors), "dim": len(vectors[0]) if vectors else 0}
