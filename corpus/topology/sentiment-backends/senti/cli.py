"""Label the sentiment of text lines with one of three interchangeable backends."""
import argparse

import numpy as np
import onnxruntime as ort
import torch
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    pipeline,
)

from senti.io import read_lines, write_labels

DISTILBERT = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
ROBERTA = "cardiffnlp/twitter-roberta-base-sentiment-latest"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("input")
    parser.add_argument("--backend", choices=["distilbert", "roberta", "onnx"],
                        default="distilbert")
    parser.add_argument("--onnx-path", default="export/sst2-int8.onnx")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--out", default="labels.tsv")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.backend == "distilbert":
        clf = pipeline("sentiment-analysis", model=DISTILBERT, truncation=True)

        def predict(batch):
            return [r["label"].lower() for r in clf(batch)]
    elif args.backend == "roberta":
        tokenizer = AutoTokenizer.from_pretrained(ROBERTA)
        model = AutoModelForSequenceClassification.from_pretrained(ROBERTA).eval()

        def predict(batch):
            enc = tokenizer(batch, padding=True, truncation=True, return_tensors="pt")
            with torch.no_grad():
                ids = model(**enc).logits.argmax(dim=-1).tolist()
            return [model.config.id2label[i].lower() for i in ids]
    else:
        tokenizer = AutoTokenizer.from_pretrained(DISTILBERT)
        session = ort.InferenceSession(args.onnx_path, providers=["CPUExecutionProvider"])

        def predict(batch):
            enc = tokenizer(batch, padding=True, truncation=True, return_tensors="np")
            feeds = {i.name: enc[i.name].astype(np.int64) for i in session.get_inputs()}
            logits = session.run(None, feeds)[0]
            return ["positive" if row.argmax() == 1 else "negative" for row in logits]

    lines = read_lines(args.input)
    labels = []
    for start in range(0, len(lines), args.batch_size):
        labels.extend(predict(lines[start:start + args.batch_size]))
    write_labels(args.out, lines, labels)
    print(f"{len(labels)} lines labelled with the {args.backend} backend")


if __name__ == "__main__":
    main()
