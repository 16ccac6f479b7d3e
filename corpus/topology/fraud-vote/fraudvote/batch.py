"""Read a CSV export of transactions, vote, and write the flagged ones."""
import csv
import sys

from fraudvote.vote import majority_vote, summarize


def read_transactions(path: str) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write_flagged(decisions: list[dict], path: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["transaction_id", "agreement"])
        writer.writeheader()
        for d in decisions:
            if d["fraud"]:
                writer.writerow({"transaction_id": d["transaction_id"],
                                 "agreement": d["agreement"]})


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: python -m fraudvote.batch transactions.csv flagged.csv")
    decisions = majority_vote(read_transactions(sys.argv[1]))
    write_flagged(decisions, sys.argv[2])
    print(summarize(decisions))
