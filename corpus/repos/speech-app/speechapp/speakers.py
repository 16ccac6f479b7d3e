"""Who spoke when: pyannote diarization plus ECAPA speaker embeddings.

Diarization yields anonymous turns (SPEAKER_00, ...); each turn's audio is
embedded with the SpeechBrain ECAPA model and matched against enrolled
voices so the transcript can carry real names.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
import torchaudio
from pyannote.audio import Pipeline
from speechbrain.inference.speaker import EncoderClassifier

DIARIZATION_PIPELINE = "pyannote/speaker-diarization-3.1"
ECAPA_SOURCE = "speechbrain/spkrec-ecapa-voxceleb"
SAMPLE_RATE = 16000


class SpeakerTools:
    def __init__(self, savedir: str = "pretrained_models/spkrec-ecapa", device: str = "cpu") -> None:
        token = os.environ.get("HF_TOKEN")
        self.diarizer = Pipeline.from_pretrained(DIARIZATION_PIPELINE, use_auth_token=token)
        self.diarizer.to(torch.device(device))
        self.encoder = EncoderClassifier.from_hparams(
            source=ECAPA_SOURCE,
            savedir=savedir,
            run_opts={"device": device},
        )
        self.enrolled: dict[str, np.ndarray] = {}

    def _read(self, path: str) -> torch.Tensor:
        wav, sr = torchaudio.load(path)
        if sr != SAMPLE_RATE:
            wav = torchaudio.functional.resample(wav, sr, SAMPLE_RATE)
        return wav.mean(dim=0, keepdim=True)

    def embed(self, wav: torch.Tensor) -> np.ndarray:
        with torch.no_grad():
            emb = self.encoder.encode_batch(wav).squeeze()
        return (emb / emb.norm()).cpu().numpy()

    def enroll(self, name: str, path: str) -> None:
        self.enrolled[name] = self.embed(self._read(path))

    def save_enrolled(self, path: Path) -> None:
        np.savez(path, **self.enrolled)
        torch.save({k: torch.from_numpy(v) for k, v in self.enrolled.items()}, path.with_suffix(".pt"))

    def turns(self, path: str) -> list[tuple[float, float, str]]:
        diarization = self.diarizer(path)
        return [(t.start, t.end, label) for t, _, label in diarization.itertracks(yield_label=True)]

    def identify(self, path: str, threshold: float = 0.35) -> list[tuple[float, float, str]]:
        wav = self._read(path)
        named = []
        for start, end, label in self.turns(path):
            clip = wav[:, int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)]
            if clip.shape[1] < SAMPLE_RATE // 2:
                named.append((start, end, label))
                continue
            emb = self.embed(clip)
            scores = {n: float(np.dot(emb, ref)) for n, ref in self.enrolled.items()}
            best = max(scores, key=scores.get, default=None)
            named.append((start, end, best if best and scores[best] >= threshold else label))
        return named
