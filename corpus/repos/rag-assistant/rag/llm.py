"""Direct SDK calls.

OpenAI writes the answers and the document summaries; Claude reviews an
answer against its sources before it is shown.
"""
from __future__ import annotations

import logging

import anthropic
from openai import OpenAI

log = logging.getLogger(__name__)

ANSWER_MODEL = "gpt-4o"
CLAUDE_MODEL = "claude-3-5-sonnet-20241022"

SYSTEM = (
    "Answer only from the numbered sources. Cite them as [n]. "
    "If the sources do not contain the answer, say so."
)

claude = anthropic.Anthropic()


def get_client() -> OpenAI:
    return OpenAI(timeout=30.0, max_retries=2)


def format_sources(chunks: list[str]) -> str:
    return "\n\n".join(f"[{i}] {c}" for i, c in enumerate(chunks, 1))


def answer(question: str, chunks: list[str]) -> str:
    client = get_client()
    resp = client.chat.completions.create(
        model=ANSWER_MODEL,
        messages=[
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"{format_sources(chunks)}\n\nQuestion: {question}"},
        ],
        temperature=0.2,
    )
    return resp.choices[0].message.content


def review(question: str, draft: str, chunks: list[str]) -> dict:
    msg = claude.messages.create(
        model=CLAUDE_MODEL,
        max_tokens=400,
        system="You check answers for claims the sources do not support. Reply 'OK' or list the problems.",
        messages=[{
            "role": "user",
            "content": f"Sources:\n{format_sources(chunks)}\n\nQuestion: {question}\n\nAnswer:\n{draft}",
        }],
    )
    verdict = msg.content[0].text.strip()
    return {"ok": verdict.upper().startswith("OK"), "verdict": verdict}


class Summarizer:
    """Summaries for the document list page, cached by document id."""

    client = OpenAI()

    def __init__(self) -> None:
        self.cache: dict[str, str] = {}

    def summarize(self, doc_id: str, text: str) -> str:
        if doc_id in self.cache:
            return self.cache[doc_id]
        # resp = self.client.chat.completions.create(model="gpt-4-turbo", messages=...)
        resp = self.client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": f"Summarise in two sentences:\n\n{text[:6000]}"}],
            max_tokens=120,
        )
        self.cache[doc_id] = resp.choices[0].message.content.strip()
        return self.cache[doc_id]


def available_models() -> list[str]:
    """Model ids the key can use (for the settings page); runs no model."""
    return sorted(m.id for m in get_client().models.list())
