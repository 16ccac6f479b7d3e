"""CLIP image and text embeddings.

The LAION-trained open_clip ViT-B/32 is the default; the original OpenAI
checkpoint is kept for comparison runs (--clip openai).
"""
from __future__ import annotations

import clip
import numpy as np
import open_clip
import torch
from PIL import Image


class OpenClipEmbedder:
    name = "open_clip"

    def __init__(self, device: str = "cpu") -> None:
        self.device = device
        self.model, _, self.preprocess = open_clip.create_model_and_transforms(
            "ViT-B-32", pretrained="laion2b_s34b_b79k", device=device
        )
        self.tokenizer = open_clip.get_tokenizer("ViT-B-32")
        self.model.eval()

    @torch.no_grad()
    def images(self, images: list[Image.Image]) -> np.ndarray:
        batch = torch.stack([self.preprocess(im) for im in images]).to(self.device)
        feats = self.model.encode_image(batch)
        return (feats / feats.norm(dim=-1, keepdim=True)).cpu().numpy()

    @torch.no_grad()
    def texts(self, texts: list[str]) -> np.ndarray:
        feats = self.model.encode_text(self.tokenizer(texts).to(self.device))
        return (feats / feats.norm(dim=-1, keepdim=True)).cpu().numpy()


class OpenAIClipEmbedder:
    name = "openai"

    def __init__(self, device: str = "cpu") -> None:
        self.device = device
        self.model, self.preprocess = clip.load("ViT-B/32", device=device)

    @torch.no_grad()
    def images(self, images: list[Image.Image]) -> np.ndarray:
        batch = torch.stack([self.preprocess(im) for im in images]).to(self.device)
        feats = self.model.encode_image(batch).float()
        return (feats / feats.norm(dim=-1, keepdim=True)).cpu().numpy()

    @torch.no_grad()
    def texts(self, texts: list[str]) -> np.ndarray:
        feats = self.model.encode_text(clip.tokenize(texts).to(self.device)).float()
        return (feats / feats.norm(dim=-1, keepdim=True)).cpu().numpy()


def available_tags(arch: str = "ViT-B-32") -> list[str]:
    return [tag for name, tag in open_clip.list_pretrained() if name == arch]


def untrained_tower() -> torch.nn.Module:
    """Randomly initialised tower used by the shape tests (no weights fetched)."""
    return open_clip.create_model("ViT-B-32")


def zero_shot(embedder, images: list[Image.Image], labels: list[str]) -> list[str]:
    img = embedder.images(images)
    txt = embedder.texts([f"a photo of a {label}" for label in labels])
    return [labels[i] for i in (img @ txt.T).argmax(axis=1)]
