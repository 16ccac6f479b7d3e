"""Speech-to-text backends.

Two interchangeable backends: the reference openai-whisper package and
faster-whisper (CTranslate2), which is several times faster on CPU.  The
caller picks one with --backend (speechapp/app.py).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import whisper
from faster_whisper import WhisperModel

log = logging.getLogger(__name__)

FAST_SIZE = "small"


@dataclass
class Segment:
    start: float
    end: float
    text: str
    speaker: str | None = None


class WhisperBackend:
    name = "whisper"

    def __init__(self, device: str = "cpu") -> None:
        self.model = whisper.load_model("base", device=device)

    def transcribe(self, path: str, language: str | None = None) -> list[Segment]:
        audio = whisper.load_audio(path)
        result = self.model.transcribe(audio, language=language, fp16=False)
        return [Segment(s["start"], s["end"], s["text"].strip()) for s in result["segments"]]

    def detect_language(self, path: str) -> str:
        audio = whisper.pad_or_trim(whisper.load_audio(path))
        mel = whisper.log_mel_spectrogram(audio).to(self.model.device)
        _, probs = self.model.detect_language(mel)
        return max(probs, key=probs.get)


class FasterWhisperBackend:
    name = "faster-whisper"

    def __init__(self, device: str = "cpu") -> None:
        compute = "int8" if device == "cpu" else "float16"
        self.model = WhisperModel(FAST_SIZE, device=device, compute_type=compute)

    def transcribe(self, path: str, language: str | None = None) -> list[Segment]:
        segments, info = self.model.transcribe(path, language=language, vad_filter=True, beam_size=5)
        log.info("detected %s (p=%.2f)", info.language, info.language_probability)
        return [Segment(s.start, s.end, s.text.strip()) for s in segments]

    def detect_language(self, path: str) -> str:
        _, info = self.model.transcribe(path, beam_size=1)
        return info.language


def timed_transcribe(backend, path: str, language: str | None = None) -> tuple[list[Segment], float]:
    started = time.perf_counter()
    segments = backend.transcribe(path, language=language)
    elapsed = time.perf_counter() - started
    log.info("%s transcribed %s in %.1fs", backend.name, path, elapsed)
    return segments, elapsed


def merge_short(segments: list[Segment], min_len: float = 1.0) -> list[Segment]:
    """Glue segments shorter than min_len seconds onto their predecessor."""
    merged: list[Segment] = []
    for seg in segments:
        if merged and seg.end - seg.start < min_len:
            last = merged[-1]
            merged[-1] = Segment(last.start, seg.end, f"{last.text} {seg.text}".strip(), last.speaker)
        else:
            merged.append(seg)
    return merged
