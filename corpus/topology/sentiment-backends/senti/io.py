"""Reading input text and writing labels as TSV."""
import csv
from collections import Counter


def read_lines(path: str) -> list[str]:
    """Non-empty lines, stripped; very long lines are cut to keep batches small."""
    with open(path, encoding="utf-8") as fh:
        return [line.strip()[:2000] for line in fh if line.strip()]


def write_labels(path: str, lines: list[str], labels: list[str]) -> None:
    if len(lines) != len(labels):
        raise ValueError("one label per line expected")
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter="\t")
        writer.writerow(["label", "text"])
        for text, label in zip(lines, labels):
            writer.writerow([label, text])


def label_counts(labels: list[str]) -> dict[str, int]:
    return dict(Counter(labels).most_common())
