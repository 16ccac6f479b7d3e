"""Helpers for prompt_to_image.ipynb: prompt writing, scoring and plotting."""
from __future__ import annotations

from typing import List, Sequence

import matplotlib.pyplot as plt
import torch
import torch.nn as nn
from huggingface_hub import hf_hub_download
from PIL import Image
from transformers import CLIPModel, CLIPProcessor

AESTHETIC_REPO = "camenduru/improved-aesthetic-predictor"
AESTHETIC_FILE = "sac+logos+ava1-l14-linearMSE.pth"
PROMPT_TEMPLATE = "Write a vivid, detailed image prompt about: {idea}\nPrompt:"


class AestheticHead(nn.Module):
    """MLP mapping a CLIP ViT-L/14 image embedding to a 1-10 aesthetic score."""

    def __init__(self, dim: int = 768) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(dim, 1024),
            nn.Dropout(0.2),
            nn.Linear(1024, 128),
            nn.Dropout(0.2),
            nn.Linear(128, 64),
            nn.Dropout(0.1),
            nn.Linear(64, 16),
            nn.Linear(16, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


def load_aesthetic_head(device: str = "cpu") -> AestheticHead:
    weights_path = hf_hub_download(repo_id=AESTHETIC_REPO, filename=AESTHETIC_FILE)
    head = AestheticHead()
    head.load_state_dict(torch.load(weights_path, map_location=device, weights_only=True))
    return head.to(device).eval()


class Scorer:
    """CLIP image embeddings followed by the aesthetic head."""

    def __init__(self, clip_dir: str, device: str = "cpu") -> None:
        self.device = device
        self.clip = CLIPModel.from_pretrained(clip_dir).to(device).eval()
        self.processor = CLIPProcessor.from_pretrained(clip_dir)
        self.head = load_aesthetic_head(device)

    @torch.no_grad()
    def score(self, images: Sequence[Image.Image]) -> List[float]:
        inputs = self.processor(images=list(images), return_tensors="pt").to(self.device)
        emb = self.clip.get_image_features(**inputs)
        emb = emb / emb.norm(dim=-1, keepdim=True)
        return self.head(emb.float()).squeeze(-1).tolist()


@torch.no_grad()
def generate_prompt(llm, tokenizer, idea: str, max_new_tokens: int = 60) -> str:
    text = PROMPT_TEMPLATE.format(idea=idea)
    inputs = tokenizer(text, return_tensors="pt").to(llm.device)
    out = llm.generate(
        **inputs,
        max_new_tokens=max_new_tokens,
        do_sample=True,
        top_p=0.9,
        temperature=0.8,
    )
    completion = tokenizer.decode(out[0][inputs["input_ids"].shape[1]:], skip_special_tokens=True)
    return completion.strip().split("\n")[0]


def show_grid(images: Sequence[Image.Image], titles: Sequence[str], cols: int = 4) -> None:
    rows = (len(images) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 4 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, img, title in zip(axes.flat, images, titles):
        ax.imshow(img)
        ax.set_title(title)
    fig.tight_layout()
    plt.show()
