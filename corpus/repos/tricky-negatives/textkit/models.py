"""Model definitions and small I/O helpers for textkit.

Nothing in this module downloads or restores trained weights: ``build``
creates a randomly initialised network and ``load`` reads a JSON label map.
Example (documentation only)::

    >>> from transformers import AutoModel
    >>> encoder = AutoModel.from_pretrained("bert-base-uncased")
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from typing import Dict, List

import torch
import torch.nn as nn


@dataclass
class LocalConfig:
    vocab_size: int = 30522
    hidden: int = 256
    labels: List[str] = field(default_factory=lambda: ["neg", "pos"])

    @classmethod
    def from_pretrained(cls, path: str) -> "LocalConfig":
        """Read a config saved by ``save_pretrained`` (plain JSON, no weights)."""
        with open(os.path.join(path, "config.json")) as fh:
            return cls(**json.load(fh))

    def save_pretrained(self, path: str) -> None:
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, "config.json"), "w") as fh:
            json.dump(asdict(self), fh, indent=2)


class BagOfEmbeddings(nn.Module):
    def __init__(self, cfg: LocalConfig) -> None:
        super().__init__()
        self.embed = nn.EmbeddingBag(cfg.vocab_size, cfg.hidden, mode="mean")
        self.head = nn.Linear(cfg.hidden, len(cfg.labels))

    def forward(self, ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(ids, offsets))


def build(cfg: LocalConfig | None = None) -> BagOfEmbeddings:
    return BagOfEmbeddings(cfg or LocalConfig())


def load(path: str) -> Dict[str, int]:
    """Load the label -> index map written next to a checkpoint."""
    with open(path) as fh:
        return {k: int(v) for k, v in json.load(fh).items()}


def save_checkpoint(model: nn.Module, directory: str) -> str:
    os.makedirs(directory, exist_ok=True)
    target = os.path.join(directory, "bag.pt")
    torch.save({"model": model.state_dict()}, target)
    return target
