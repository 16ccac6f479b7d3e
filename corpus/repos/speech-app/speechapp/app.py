"""Meeting transcription CLI.

    python -m speechapp.app meeting.wav --backend faster --enroll alice=alice.wav

Transcribes, attributes each segment to a speaker and, with --words, adds
word timestamps.  The JSON result can be posted to a webhook.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys

import requests

from speechapp.align import Aligner
from speechapp.speakers import SpeakerTools
from speechapp.transcribe import FasterWhisperBackend, WhisperBackend, merge_short, timed_transcribe

log = logging.getLogger("speechapp")

HELP_BACKEND = "whisper = whisper.load_model('base'); faster = faster-whisper 'small' (int8 on CPU)"


def load_model(backend: str, device: str):
    """Pick a transcription backend by name (our own classes, not a library loader)."""
    if backend == "faster":
        return FasterWhisperBackend(device=device)
    return WhisperBackend(device=device)


def attribute(segments, turns):
    for seg in segments:
        mid = (seg.start + seg.end) / 2
        for start, end, speaker in turns:
            if start <= mid <= end:
                seg.speaker = speaker
                break
    return segments


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="speechapp")
    parser.add_argument("audio")
    parser.add_argument("--backend", choices=["whisper", "faster"], default="faster", help=HELP_BACKEND)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--enroll", action="append", default=[], metavar="NAME=WAV")
    parser.add_argument("--words", action="store_true")
    parser.add_argument("--webhook")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)

    backend = load_model(args.backend, args.device)
    segments, elapsed = timed_transcribe(backend, args.audio)
    segments = merge_short(segments)

    speakers = SpeakerTools(device=args.device)
    for item in args.enroll:
        name, path = item.split("=", 1)
        speakers.enroll(name, path)
    segments = attribute(segments, speakers.identify(args.audio))

    result = {"audio": args.audio, "seconds": round(elapsed, 1), "segments": [s.__dict__ for s in segments]}
    if args.words:
        aligner = Aligner(device=args.device)
        text = " ".join(s.text for s in segments)
        result["words"] = [w.__dict__ for w in aligner.align(args.audio, text)]

    print(json.dumps(result, indent=2))
    if args.webhook:
        resp = requests.post(args.webhook, json={"event": "transcript.ready", "payload": result}, timeout=10)
        log.info("webhook answered %s", resp.status_code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
