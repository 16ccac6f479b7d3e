"""Move photos into sub-folders named after their ImageNet class."""
import argparse
import shutil
from pathlib import Path

import torch
from PIL import Image
from torchvision.models import ResNet50_Weights, resnet50

from tools.common import iter_files, safe_name


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("photos", type=Path)
    parser.add_argument("--min-prob", type=float, default=0.5)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)

    weights = ResNet50_Weights.IMAGENET1K_V2
    model = resnet50(weights=weights).eval()
    preprocess = weights.transforms()
    categories = weights.meta["categories"]

    for path in iter_files(args.photos, (".jpg", ".jpeg", ".png")):
        with Image.open(path) as image:
            batch = preprocess(image.convert("RGB")).unsqueeze(0)
        with torch.no_grad():
            probs = model(batch).softmax(dim=-1)[0]
        prob, idx = probs.max(dim=0)
        folder = safe_name(categories[int(idx)]) if prob >= args.min_prob else "unsorted"
        target = args.photos / folder / path.name
        print(f"{path.name} -> {folder} ({float(prob):.2f})")
        if not args.dry_run:
            target.parent.mkdir(exist_ok=True)
            shutil.move(str(path), target)


if __name__ == "__main__":
    main()
