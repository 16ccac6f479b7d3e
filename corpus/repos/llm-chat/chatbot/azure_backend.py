"""Chat backend for customers whose data must stay in our Azure tenant."""
from __future__ import annotations

import os
from typing import Dict, List

from openai import AzureOpenAI

DEPLOYMENT = "gpt-4o"
API_VERSION = "2024-02-01"

client = AzureOpenAI(
    api_key=os.environ.get("AZURE_OPENAI_API_KEY"),
    api_version=API_VERSION,
    azure_endpoint=os.environ.get("AZURE_OPENAI_ENDPOINT", "https://acme.openai.azure.com"),
)

Message = Dict[str, str]


def _with_context(question: str, context: str) -> str:
    if not context:
        return question
    return f"Use only this context:\n{context}\n\nQuestion: {question}"


def reply(history: List[Message], question: str, context: str = "") -> str:
    messages = [{"role": "system", "content": "You are Acme Cloud's support assistant."}]
    messages += history[-10:]
    messages.append({"role": "user", "content": _with_context(question, context)})
    response = client.chat.completions.create(
        model=DEPLOYMENT,
        messages=messages,
        temperature=0.2,
    )
    return response.choices[0].message.content or ""


def complete_with(deployment: str, prompt: str) -> str:
    """Ad-hoc call against any deployment (used by the eval scripts)."""
    response = client.chat.completions.create(
        model=deployment,
        messages=[{"role": "user", "content": prompt}],
    )
    return response.choices[0].message.content or ""


def healthcheck() -> bool:
    try:
        complete_with(DEPLOYMENT, "ping")
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return False
    return True
