"""Cheap fallback providers for when the OpenAI quota is exhausted.

Groq is tried first through LiteLLM; the Hugging Face serverless endpoint
is the last resort.
"""
from __future__ import annotations

import logging

from huggingface_hub import InferenceClient
from litellm import completion

log = logging.getLogger(__name__)

hf = InferenceClient(model="HuggingFaceH4/zephyr-7b-beta", timeout=60)

PROMPT = (
    "<|system|>\nAnswer briefly from the context.</s>\n"
    "<|user|>\nContext:\n{context}\n\nQuestion: {question}</s>\n<|assistant|>\n"
)


def groq_answer(question: str, context: str) -> str:
    resp = completion(
        model="groq/llama3-8b-8192",
        messages=[
            {"role": "system", "content": "Answer briefly from the context."},
            {"role": "user", "content": f"Context:\n{context}\n\nQuestion: {question}"},
        ],
        max_tokens=400,
    )
    return resp.choices[0].message.content


def hf_answer(question: str, context: str) -> str:
    return hf.text_generation(
        PROMPT.format(context=context, question=question),
        max_new_tokens=400,
        temperature=0.3,
    ).strip()


def fallback_answer(question: str, context: str) -> str:
    for name, fn in (("groq", groq_answer), ("hf", hf_answer)):
        try:
            return fn(question, context)
        except Exception as exc:  # noqa: BLE001 - any provider error means: try the next one
            log.warning("%s failed: %s", name, exc)
    raise RuntimeError("all fallback providers failed")
