"""Split Markdown notes into heading-sized passages."""
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Passage:
    source: str
    heading: str
    text: str


def _split(source: str, markdown: str, max_chars: int) -> list[Passage]:
    passages, heading, buf = [], "top", []
    for line in markdown.splitlines() + ["# end"]:
        if line.startswith("#"):
            text = " ".join(buf).strip()
            if text:
                for start in range(0, len(text), max_chars):
                    passages.append(Passage(source, heading, text[start:start + max_chars]))
            heading, buf = line.lstrip("# ").strip() or heading, []
        else:
            buf.append(line.strip())
    return passages


def load_passages(folder: Path, max_chars: int = 1200) -> list[Passage]:
    passages = []
    for path in sorted(folder.rglob("*.md")):
        passages.extend(_split(str(path.relative_to(folder)), path.read_text("utf-8"), max_chars))
    return passages
