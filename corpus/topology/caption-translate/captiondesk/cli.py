"""Command line entry point: caption every image of a folder into a CSV."""
import argparse
import csv
import sys
from pathlib import Path

from captiondesk.describer import ImageDescriber

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


def find_images(folder: Path):
    return sorted(
        p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES
    )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path, default=Path("captions.csv"))
    parser.add_argument("--gpu", action="store_true")
    parser.add_argument("--max-new-tokens", type=int, default=40)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    images = find_images(args.folder)
    if not images:
        print(f"no images under {args.folder}", file=sys.stderr)
        return 1
    describer = ImageDescriber(
        device=0 if args.gpu else -1, max_new_tokens=args.max_new_tokens
    )
    rows = describer.describe_many([str(p) for p in images])
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "caption_en", "caption_de"])
        for row in rows:
            writer.writerow([row.source, row.caption_en, row.caption_de])
    print(f"wrote {len(rows)} captions to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
