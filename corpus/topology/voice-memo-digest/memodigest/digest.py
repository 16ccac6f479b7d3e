"""Turn a recorded meeting into action items.

Whisper transcribes the audio, a BART summariser condenses the transcript
chunk by chunk, and a hosted chat model turns the summary into a to-do list.
"""
import logging
import os

import whisper
from openai import OpenAI
from transformers import pipeline

log = logging.getLogger(__name__)

SUMMARY_MODEL = "facebook/bart-large-cnn"
CHUNK_CHARS = 2800
SYSTEM_PROMPT = (
    "You turn meeting summaries into a short list of action items. "
    "Answer with one item per line, each line starting with '- '."
)


def _chunks(text: str, size: int = CHUNK_CHARS):
    for start in range(0, len(text), size):
        yield text[start:start + size]


def digest_recording(audio_path: str, whisper_size: str = "base",
                     chat_model: str = "gpt-4o-mini") -> list[str]:
    asr = whisper.load_model(whisper_size)
    result = asr.transcribe(audio_path, fp16=False)
    transcript = result["text"].strip()
    log.info("transcribed %s: %d characters", audio_path, len(transcript))

    summarizer = pipeline("summarization", model=SUMMARY_MODEL)
    parts = []
    for chunk in _chunks(transcript):
        out = summarizer(chunk, max_length=130, min_length=30, do_sample=False)
        parts.append(out[0]["summary_text"])
    summary = " ".join(parts)

    client = OpenAI(api_key=os.environ.get("OPENAI_API_KEY"))
    prompt = f"Meeting summary:\n{summary}\n\nList the action items."
    response = client.chat.completions.create(
        model=chat_model,
        messages=[
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": prompt},
        ],
        temperature=0.2,
    )
    lines = (response.choices[0].message.content or "").splitlines()
    return [line[2:].strip() for line in lines if line.startswith("- ")]
