"""Word-level timestamps by CTC forced alignment.

The transcript produced by whisper is aligned against the audio with the
wav2vec2 ASR bundle that ships with torchaudio.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import torch
import torchaudio


@dataclass
class Word:
    text: str
    start: float
    end: float
    score: float


class Aligner:
    def __init__(self, device: str = "cpu") -> None:
        bundle = torchaudio.pipelines.WAV2VEC2_ASR_BASE_960H
        self.device = torch.device(device)
        self.model = bundle.get_model().to(self.device).eval()
        self.labels = bundle.get_labels()
        self.sample_rate = bundle.sample_rate
        self.index = {c: i for i, c in enumerate(self.labels)}

    def _normalise(self, text: str) -> list[str]:
        words = re.sub(r"[^A-Za-z' ]", " ", text).upper().split()
        return [w for w in words if all(c in self.index for c in w)]

    def emissions(self, path: str) -> tuple[torch.Tensor, int]:
        wav, sr = torchaudio.load(path)
        wav = torchaudio.functional.resample(wav.mean(0, keepdim=True), sr, self.sample_rate)
        with torch.inference_mode():
            emission, _ = self.model(wav.to(self.device))
        return torch.log_softmax(emission, dim=-1), wav.shape[1]

    def align(self, path: str, transcript: str) -> list[Word]:
        words = self._normalise(transcript)
        if not words:
            return []
        emission, num_samples = self.emissions(path)
        tokens = [self.index[c] for c in "|".join(words)]
        targets = torch.tensor([tokens], dtype=torch.int32, device=self.device)
        aligned, scores = torchaudio.functional.forced_align(emission, targets, blank=0)
        spans = torchaudio.functional.merge_tokens(aligned[0], scores[0].exp())
        seconds = num_samples / emission.shape[1] / self.sample_rate
        out: list[Word] = []
        chars = [s for s in spans if self.labels[s.token] != "|"]
        pos = 0
        for word in words:
            span = chars[pos:pos + len(word)]
            pos += len(word)
            if not span:
                continue
            score = sum(s.score for s in span) / len(span)
            out.append(Word(word.lower(), span[0].start * seconds, span[-1].end * seconds, score))
        return out
