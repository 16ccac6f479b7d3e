"""Detect objects with YOLOv5, crop them and classify each crop.

The detector finds candidate boxes; the classifier decides the fine-grained
class of each box. Output: one JSON line per crop.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
from PIL import Image

from vision_batch.backbones import build_backbone, to_device
from vision_batch.classify import PREPROCESS, iter_images

MIN_CONF = 0.35
NUM_CLASSES = 37


def load_detector():
    detector = torch.hub.load("ultralytics/yolov5", "yolov5s")
    detector.conf = MIN_CONF
    return detector


def crops_for(detector, image: Image.Image):
    results = detector(image)
    for x1, y1, x2, y2, conf, cls in results.xyxy[0].tolist():
        if conf < MIN_CONF:
            continue
        box = tuple(int(v) for v in (x1, y1, x2, y2))
        yield box, conf, int(cls), image.crop(box)


@torch.no_grad()
def main(folder: str, out_path: str) -> None:
    detector = load_detector()
    classifier = to_device(build_backbone("convnext", NUM_CLASSES))
    device = next(classifier.parameters()).device
    n = 0
    with open(out_path, "w") as out:
        for path in iter_images(Path(folder)):
            image = Image.open(path).convert("RGB")
            for box, det_conf, det_cls, crop in crops_for(detector, image):
                x = PREPROCESS(crop).unsqueeze(0).to(device)
                probs = classifier(x).softmax(dim=-1)[0]
                p, c = probs.max(dim=0)
                record = {
                    "image": str(path),
                    "box": box,
                    "detector_class": det_cls,
                    "detector_conf": round(det_conf, 3),
                    "class": int(c),
                    "prob": round(float(p), 4),
                }
                out.write(json.dumps(record) + "\n")
                n += 1
    print(f"wrote {n} crops to {out_path}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m vision_batch.detect_crop IMAGES_DIR OUT.jsonl")
    main(sys.argv[1], sys.argv[2])
