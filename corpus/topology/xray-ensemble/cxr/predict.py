"""Classify a folder of chest X-rays and print a CSV to stdout."""
import argparse
import csv
import sys
from pathlib import Path

import torch

from cxr.ensemble import CLASSES, ChestXrayEnsemble
from cxr.preprocess import load_batch


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--ckpt-dir", default="checkpoints")
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args(argv)

    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = ChestXrayEnsemble(args.ckpt_dir, device=device)
    paths = sorted(args.folder.glob("*.png")) + sorted(args.folder.glob("*.jpg"))

    writer = csv.writer(sys.stdout)
    writer.writerow(["file", "label", "confidence", *CLASSES])
    for start in range(0, len(paths), args.batch_size):
        chunk = paths[start:start + args.batch_size]
        batch = load_batch(chunk).to(device)
        for path, result in zip(chunk, model.predict(batch)):
            writer.writerow([path.name, result["label"], result["confidence"],
                             *(result["probs"][c] for c in CLASSES)])


if __name__ == "__main__":
    main()
