"""Read text files and cut them into overlapping word windows."""
from pathlib import Path

WINDOW = 180
STRIDE = 140


def windows(text: str, window: int = WINDOW, stride: int = STRIDE) -> list[str]:
    words = text.split()
    if len(words) <= window:
        return [" ".join(words)] if words else []
    out = []
    for start in range(0, len(words) - window + stride, stride):
        chunk = words[start:start + window]
        if chunk:
            out.append(" ".join(chunk))
    return out


def read_folder(folder: Path, suffixes=(".txt", ".md")) -> list[str]:
    passages = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() in suffixes and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            passages.extend(windows(text))
    return passages
