"""Classify every image under a folder and write predictions to CSV.

    python -m vision_batch.classify --backbone convnext --images data/in \
        --checkpoint runs/convnext/best.pt --out preds.csv
"""
from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Iterator, List, Tuple

import torch
from PIL import Image
from torchvision import transforms

from vision_batch.backbones import CHOICES, build_backbone, to_device

RESNET50_V2_URL = "https://download.pytorch.org/models/resnet50-11ad3fa6.pth"
EXTS = {".jpg", ".jpeg", ".png", ".webp"}

PREPROCESS = transforms.Compose(
    [
        transforms.Resize(256),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ]
)


def load_checkpoint(net: torch.nn.Module, path: str) -> torch.nn.Module:
    state = torch.load(path, map_location="cpu", weights_only=True)
    if "model" in state:
        state = state["model"]
    missing, unexpected = net.load_state_dict(state, strict=False)
    if unexpected:
        print(f"ignored {len(unexpected)} unexpected keys")
    return net


def reference_resnet50() -> torch.nn.Module:
    """ImageNet ResNet-50 rebuilt from the published state dict (sanity runs)."""
    from torchvision.models import resnet50

    net = resnet50()
    net.load_state_dict(torch.hub.load_state_dict_from_url(RESNET50_V2_URL, progress=True))
    return net


def iter_images(root: Path) -> Iterator[Path]:
    for p in sorted(root.rglob("*")):
        if p.suffix.lower() in EXTS:
            yield p


def batches(paths: List[Path], size: int) -> Iterator[Tuple[List[Path], torch.Tensor]]:
    for i in range(0, len(paths), size):
        chunk = paths[i : i + size]
        tensors = [PREPROCESS(Image.open(p).convert("RGB")) for p in chunk]
        yield chunk, torch.stack(tensors)


@torch.no_grad()
def run(net: torch.nn.Module, images: Path, out: Path, batch_size: int) -> int:
    device = next(net.parameters()).device
    paths = list(iter_images(images))
    with out.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "class", "prob"])
        for chunk, x in batches(paths, batch_size):
            probs = net(x.to(device)).softmax(dim=-1)
            top_p, top_i = probs.max(dim=-1)
            for p, c, s in zip(chunk, top_i.tolist(), top_p.tolist()):
                writer.writerow([str(p), c, f"{s:.4f}"])
    return len(paths)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backbone", choices=CHOICES, required=True)
    ap.add_argument("--images", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--num-classes", type=int, required=True)
    ap.add_argument("--checkpoint")
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args()

    net = build_backbone(args.backbone, args.num_classes)
    if args.checkpoint:
        net = load_checkpoint(net, args.checkpoint)
    n = run(to_device(net), args.images, args.out, args.batch_size)
    print(f"classified {n} images -> {args.out}")


if __name__ == "__main__":
    main()
