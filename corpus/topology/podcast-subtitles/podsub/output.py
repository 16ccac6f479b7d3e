"""Sentence splitting for the translator and plain-text subtitle output."""
import re
from pathlib import Path

_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[A-Za-z0-9])")
MAX_WORDS = 40


def split_sentences(text: str) -> list[str]:
    """Split on sentence punctuation; cut run-ons (wav2vec2 has no punctuation)."""
    sentences = []
    for piece in _BOUNDARY.split(text.strip()):
        words = piece.split()
        for start in range(0, len(words), MAX_WORDS):
            chunk = " ".join(words[start:start + MAX_WORDS])
            if chunk:
                sentences.append(chunk)
    return sentences


def write_text(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for number, line in enumerate(lines, start=1):
            fh.write(f"{number}\n{line}\n\n")
