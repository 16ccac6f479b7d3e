"""Backend for the on-prem install that is still pinned to openai<1.0.

Kept until the last customer migrates; do not add features here.
"""
from __future__ import annotations

import os
import time
from typing import Dict, List

import openai

openai.api_key = os.environ.get("OPENAI_API_KEY")

Message = Dict[str, str]
RETRIES = 3


def _call(messages: List[Message]) -> str:
    last_error = None
    for attempt in range(RETRIES):
        try:
            response = openai.ChatCompletion.create(
                model="gpt-3.5-turbo",
                messages=messages,
                temperature=0.2,
            )
            return response["choices"][0]["message"]["content"]
        except openai.error.RateLimitError as err:
            last_error = err
            time.sleep(2**attempt)
    raise RuntimeError(f"OpenAI call failed after {RETRIES} attempts") from last_error


def reply(history: List[Message], question: str, context: str = "") -> str:
    messages = [{"role": "system", "content": "You are Acme Cloud's support assistant."}]
    messages += history[-6:]
    if context:
        question = f"Context:\n{context}\n\nQuestion: {question}"
    messages.append({"role": "user", "content": question})
    return _call(messages)


def describe() -> str:
    return "openai<1.0 ChatCompletion backend"


if __name__ == "__main__":
    print(describe())
    print(reply([], "How do I rotate my API key?"))
