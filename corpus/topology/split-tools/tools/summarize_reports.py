"""Print a short summary of every weekly report in a folder."""
import argparse
from pathlib import Path

from transformers import AutoTokenizer, pipeline

from tools.common import iter_files, shorten

SUMMARY_MODEL = "sshleifer/distilbart-cnn-12-6"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("reports", type=Path)
    parser.add_argument("--max-length", type=int, default=120)
    args = parser.parse_args(argv)

    tokenizer = AutoTokenizer.from_pretrained(SUMMARY_MODEL)
    summarizer = pipeline("summarization", model=SUMMARY_MODEL, tokenizer=tokenizer)
    limit = tokenizer.model_max_length

    for path in iter_files(args.reports, (".txt", ".md")):
        text = path.read_text(encoding="utf-8")
        ids = tokenizer(text, truncation=True, max_length=limit)["input_ids"]
        body = tokenizer.decode(ids, skip_special_tokens=True)
        summary = summarizer(body, max_length=args.max_length, min_length=25)
        print(f"== {path.name}")
        print(shorten(summary[0]["summary_text"], 400))
        print()


if __name__ == "__main__":
    main()
