"""Command line: stand-up recording in, minutes out."""
import sys

from minutes.condense import minutes_of
from minutes.hearing import transcribe


def main(argv=None):
    args = argv if argv is not None else sys.argv[1:]
    for path in args:
        text = transcribe(path)
        print(minutes_of(transcript=text, max_len=80))


if __name__ == "__main__":
    main()
