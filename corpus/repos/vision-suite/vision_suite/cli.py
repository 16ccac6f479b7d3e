"""vision-suite command line.

    python -m vision_suite.cli rank photos/*.jpg
    python -m vision_suite.cli scene photo.jpg [--edge]
    python -m vision_suite.cli segment photo.jpg
"""
from __future__ import annotations

import argparse
import json
import sys

import cv2
import numpy as np
from PIL import Image

from vision_suite import keras_models
from vision_suite.detect import FaceDetector, ObjectDetector
from vision_suite.embed import OpenAIClipEmbedder, OpenClipEmbedder
from vision_suite.quality import Ranker, sharpness


def rank(paths: list[str], clip_kind: str, face_model: str | None) -> list[dict]:
    detector = ObjectDetector()
    faces = FaceDetector(onnx_path=face_model)
    embedder = OpenAIClipEmbedder() if clip_kind == "openai" else OpenClipEmbedder()
    ranker = Ranker()
    images, stats = [], []
    for path in paths:
        bgr = cv2.imread(path)
        if bgr is None:
            continue
        gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float32)
        stats.append((len(detector.detect(bgr)), len(faces.detect(bgr)), sharpness(gray)))
        images.append(Image.fromarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)))
    probs = ranker.keep_probability(embedder.images(images), stats)
    return [{"path": p, "keep": round(float(pr), 3)} for p, pr in zip(paths, probs)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vision-suite")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("rank")
    r.add_argument("images", nargs="+")
    r.add_argument("--clip", choices=["open_clip", "openai"], default="open_clip")
    r.add_argument("--face-model", help="ONNX face detector; the Haar cascade is used without it")
    s = sub.add_parser("scene")
    s.add_argument("image")
    s.add_argument("--edge", action="store_true", help="use the int8 TFLite build")
    g = sub.add_parser("segment")
    g.add_argument("image")
    args = parser.parse_args(argv)

    if args.command == "rank":
        print(json.dumps(rank(args.images, args.clip, args.face_model), indent=2))
    elif args.command == "scene":
        rgb = cv2.cvtColor(cv2.imread(args.image), cv2.COLOR_BGR2RGB)
        if args.edge:
            label, p = keras_models.EdgeClassifier().classify(rgb)
        else:
            label, p = keras_models.classify(keras_models.load_classifier(), rgb)
        print(f"{label}\t{p:.3f}")
    else:
        rgb = cv2.cvtColor(cv2.imread(args.image), cv2.COLOR_BGR2RGB)
        mask = keras_models.Segmenter().masks(rgb)
        cv2.imwrite("mask.png", (mask.argmax(-1) * 40).astype(np.uint8))
    return 0


if __name__ == "__main__":
    sys.exit(main())
