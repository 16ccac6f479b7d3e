"""Chat backend using the OpenAI Python SDK (v1 client)."""
from __future__ import annotations

from typing import Dict, Iterator, List

from openai import OpenAI

CHAT_MODEL = "gpt-4o-mini"
SYSTEM_PROMPT = (
    "You are a helpful support assistant for Acme Cloud. Answer using the "
    "provided context; say you don't know when the context is silent."
)

# Reads OPENAI_API_KEY from the environment.
client = OpenAI(max_retries=3, timeout=30.0)

Message = Dict[str, str]


def build_messages(history: List[Message], question: str, context: str) -> List[Message]:
    messages: List[Message] = [{"role": "system", "content": SYSTEM_PROMPT}]
    messages.extend(history[-10:])
    messages.append(
        {"role": "user", "content": f"Context:\n{context}\n\nQuestion: {question}"}
    )
    return messages


def reply(history: List[Message], question: str, context: str = "") -> str:
    response = client.chat.completions.create(
        model=CHAT_MODEL,
        messages=build_messages(history, question, context),
        temperature=0.2,
    )
    return response.choices[0].message.content or ""


def stream_reply(history: List[Message], question: str, context: str = "") -> Iterator[str]:
    stream = client.chat.completions.create(
        model=CHAT_MODEL,
        messages=build_messages(history, question, context),
        temperature=0.2,
        stream=True,
    )
    for chunk in stream:
        delta = chunk.choices[0].delta.content
        if delta:
            yield delta


def summarize_thread(history: List[Message]) -> str:
    """Condense a long conversation so it fits the next prompt."""
    transcript = "\n".join(f"{m['role']}: {m['content']}" for m in history)
    response = client.chat.completions.create(
        model="gpt-4o",
        messages=[
            {"role": "system", "content": "Summarize this support chat in 5 bullet points."},
            {"role": "user", "content": transcript},
        ],
        max_tokens=300,
    )
    return response.choices[0].message.content or ""
