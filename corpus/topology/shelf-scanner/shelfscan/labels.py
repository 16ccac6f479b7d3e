"""ImageNet-1k class names, read from the text file shipped with the tool."""
from functools import lru_cache
from pathlib import Path

LABEL_FILE = Path(__file__).with_name("imagenet_classes.txt")


@lru_cache(maxsize=1)
def load_labels(path: Path = LABEL_FILE) -> list[str]:
    """One class name a line, in index order; blank lines are skipped."""
    names = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            name = line.strip()
            if name:
                names.append(name.split(",")[0])
    if len(names) != 1000:
        raise ValueError(f"{path} lists {len(names)} classes, expected 1000")
    return names


def short_label(name: str, width: int = 18) -> str:
    """Trim a class name for on-image overlays."""
    return name if len(name) <= width else name[: width - 1] + "…"
