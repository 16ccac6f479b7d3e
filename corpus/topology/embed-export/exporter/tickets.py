"""Ticket loading: one JSON object a line, as exported by the help desk."""
import json
from pathlib import Path

TOPICS = [
    "billing",
    "login problems",
    "bug report",
    "feature request",
    "shipping",
    "account deletion",
]

REQUIRED = ("id", "subject", "body")


def load_tickets(path: Path) -> list[dict]:
    tickets = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            line = line.strip()
            if not line:
                continue
            record = json.loads(line)
            missing = [key for key in REQUIRED if not record.get(key)]
            if missing:
                print(f"line {number}: skipped, missing {', '.join(missing)}")
                continue
            tickets.append(record)
    return tickets
