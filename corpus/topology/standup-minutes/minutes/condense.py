"""Turn a long transcript into a few lines of minutes."""
from transformers import pipeline

_summarizer = pipeline("summarization", model="facebook/bart-large-cnn")


def minutes_of(transcript, max_len=120):
    pieces = [transcript[i : i + 3000] for i in range(0, len(transcript), 3000)]
    lines = []
    for piece in pieces:
        lines.append(_summarizer(piece, max_length=max_len)[0]["summary_text"])
    return "\n".join(lines)
