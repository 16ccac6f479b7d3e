"""Detect objects on shelf photos and classify every detected crop."""
import argparse
import json
from pathlib import Path

import timm
import torch
from PIL import Image
from torchvision.models.detection import (
    FasterRCNN_ResNet50_FPN_V2_Weights,
    fasterrcnn_resnet50_fpn_v2,
)
from torchvision.transforms.functional import to_tensor

from shelfscan.labels import load_labels


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("images", type=Path)
    parser.add_argument("--min-score", type=float, default=0.6)
    parser.add_argument("--min-side", type=int, default=24)
    parser.add_argument("--out", type=Path, default=Path("detections.jsonl"))
    args = parser.parse_args(argv)

    detector = fasterrcnn_resnet50_fpn_v2(
        weights=FasterRCNN_ResNet50_FPN_V2_Weights.COCO_V1
    ).eval()
    classifier = timm.create_model("convnext_tiny.fb_in22k_ft_in1k", pretrained=True)
    classifier.eval()
    data_cfg = timm.data.resolve_data_config({}, model=classifier)
    preprocess = timm.data.create_transform(**data_cfg)
    labels = load_labels()

    written = 0
    with args.out.open("w", encoding="utf-8") as sink, torch.no_grad():
        for path in sorted(args.images.glob("*.jpg")):
            image = Image.open(path).convert("RGB")
            found = detector([to_tensor(image)])[0]
            keep = found["scores"] >= args.min_score
            for box, score in zip(found["boxes"][keep], found["scores"][keep]):
                x0, y0, x1, y1 = (int(v) for v in box.tolist())
                if min(x1 - x0, y1 - y0) < args.min_side:
                    continue
                crop = image.crop((x0, y0, x1, y1))
                logits = classifier(preprocess(crop).unsqueeze(0))
                prob, idx = logits.softmax(dim=-1)[0].max(dim=0)
                record = {
                    "image": path.name,
                    "box": [x0, y0, x1, y1],
                    "det_score": round(float(score), 3),
                    "label": labels[int(idx)],
                    "cls_score": round(float(prob), 3),
                }
                sink.write(json.dumps(record) + "\n")
                written += 1
    print(f"{written} crops classified -> {args.out}")


if __name__ == "__main__":
    main()
