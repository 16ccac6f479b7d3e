"""Interactive question answering over a folder of text files."""
import argparse
from pathlib import Path

from docqa.answerer import Answerer
from docqa.passages import read_folder


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--backend", choices=["local", "openai"], default="local")
    parser.add_argument("-k", type=int, default=4, help="passages per answer")
    parser.add_argument("--question", help="answer one question and exit")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    passages = read_folder(args.folder)
    print(f"{len(passages)} passages from {args.folder}")
    answerer = Answerer(passages, backend=args.backend)
    if args.question:
        print(answerer.answer(args.question, k=args.k))
        return
    while True:
        try:
            question = input("? ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            break
        if question:
            print(answerer.answer(question, k=args.k), end="\n\n")


if __name__ == "__main__":
    main()
