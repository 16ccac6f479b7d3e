"""Digest every recording of a folder into one Markdown file per meeting."""
import argparse
import logging
from pathlib import Path

from memodigest.digest import digest_recording
from memodigest.render import render_markdown

AUDIO_SUFFIXES = (".m4a", ".mp3", ".wav", ".ogg")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("recordings", type=Path)
    parser.add_argument("--out-dir", type=Path, default=Path("digests"))
    parser.add_argument("--whisper-size", default="base",
                        choices=["tiny", "base", "small", "medium"])
    parser.add_argument("--chat-model", default="gpt-4o-mini")
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for audio in sorted(args.recordings.iterdir()):
        if audio.suffix.lower() not in AUDIO_SUFFIXES:
            continue
        actions = digest_recording(
            str(audio), whisper_size=args.whisper_size, chat_model=args.chat_model
        )
        target = args.out_dir / f"{audio.stem}.md"
        target.write_text(render_markdown(audio.stem, actions), encoding="utf-8")
        print(f"{audio.name}: {len(actions)} action items -> {target}")


if __name__ == "__main__":
    main()
