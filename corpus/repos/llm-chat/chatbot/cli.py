"""Terminal chat loop: python -m chatbot.cli

LLM_BACKEND selects the backend: "openai" (default), "azure" or "legacy".
"""
from __future__ import annotations

import os
import sys
from typing import Callable, Dict, List

from chatbot import azure_backend, legacy_backend, openai_backend
from chatbot.retrieval import FaqIndex

Backend = Callable[[List[Dict[str, str]], str, str], str]

BACKENDS: Dict[str, Backend] = {
    "openai": openai_backend.reply,
    "azure": azure_backend.reply,
    "legacy": legacy_backend.reply,
}


def pick_backend() -> Backend:
    name = os.environ.get("LLM_BACKEND", "openai").lower()
    try:
        return BACKENDS[name]
    except KeyError:
        sys.exit(f"LLM_BACKEND must be one of {sorted(BACKENDS)}, got {name!r}")


def main() -> None:
    backend = pick_backend()
    index = FaqIndex.from_file()
    history: List[Dict[str, str]] = []
    print("Acme support bot. Empty line to quit.")
    while True:
        try:
            question = input("> ").strip()
        except EOFError:
            break
        if not question:
            break
        context = index.context_for(question)
        answer = backend(history, question, context)
        print(answer)
        history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer},
        ]
        if len(history) > 40 and backend is openai_backend.reply:
            summary = openai_backend.summarize_thread(history)
            history = [{"role": "system", "content": f"Earlier conversation: {summary}"}]


if __name__ == "__main__":
    main()
