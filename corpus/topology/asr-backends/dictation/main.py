"""Dictate a note: speech to text with the chosen engine, then a title."""
import argparse

from transformers import pipeline

from dictation.engines import FastWhisper, ReferenceWhisper


def engine_for(name):
    if name == "fast":
        return FastWhisper()
    return ReferenceWhisper()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("audio")
    parser.add_argument("--engine", choices=["fast", "reference"], default="fast")
    args = parser.parse_args()
    text = engine_for(args.engine).transcribe(args.audio)
    titler = pipeline("summarization", model="google/flan-t5-small")
    print(titler(text, max_length=12)[0]["summary_text"])
    print(text)


if __name__ == "__main__":
    main()
