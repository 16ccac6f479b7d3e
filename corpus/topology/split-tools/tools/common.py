"""Small helpers shared by the scripts in tools/."""
import re
from pathlib import Path
from typing import Iterable, Iterator


def iter_files(folder: Path, suffixes: Iterable[str]) -> Iterator[Path]:
    """Files directly inside folder with one of the suffixes, sorted by name."""
    wanted = {s.lower() for s in suffixes}
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix.lower() in wanted:
            yield path


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " ..."


def safe_name(label: str) -> str:
    """A class name usable as a folder name: 'tabby, tabby cat' -> 'tabby'."""
    first = label.split(",")[0].strip().lower()
    return re.sub(r"[^a-z0-9]+", "_", first).strip("_") or "other"
