"""Talking to a local Ollama server over its REST API.

Used when documents must not leave the machine: chat goes to /api/chat and
embeddings to /api/embeddings, without the ollama client package.
"""
from __future__ import annotations

import asyncio
import logging

import httpx
import requests

log = logging.getLogger(__name__)

OLLAMA = "http://localhost:11434"
MODEL = "mistral"


def chat(messages: list[dict], temperature: float = 0.1) -> str:
    resp = requests.post(
        f"{OLLAMA}/api/chat",
        json={"model": MODEL, "messages": messages, "stream": False, "options": {"temperature": temperature}},
        timeout=120,
    )
    resp.raise_for_status()
    return resp.json()["message"]["content"]


def installed_models() -> list[str]:
    resp = requests.get(f"{OLLAMA}/api/tags", timeout=5)
    resp.raise_for_status()
    return [m["name"] for m in resp.json().get("models", [])]


def healthy() -> bool:
    try:
        return requests.get(OLLAMA, timeout=2).ok
    except requests.RequestException:
        return False


async def embed_many(texts: list[str]) -> list[list[float]]:
    url = f"{OLLAMA}/api/embeddings"
    vectors: list[list[float]] = []
    async with httpx.AsyncClient(timeout=60) as client:
        for text in texts:
            payload = {"model": "nomic-embed-text", "prompt": text}
            resp = await client.post(url, json=payload)
            resp.raise_for_status()
            vectors.append(resp.json()["embedding"])
    return vectors


def embed(texts: list[str]) -> list[list[float]]:
    log.debug("embedding %d texts locally", len(texts))
    return asyncio.run(embed_many(texts))
