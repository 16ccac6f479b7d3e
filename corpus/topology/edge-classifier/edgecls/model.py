"""Pick the classifier that fits the hardware the service runs on."""
from typing import Optional

import timm
import torch

LARGE = "convnext_base.fb_in22k_ft_in1k"
SMALL = "mobilenetv3_small_100.lamb_in1k"


class Classifier:
    def __init__(self, use_gpu: Optional[bool] = None, top_k: int = 3):
        use_gpu = torch.cuda.is_available() if use_gpu is None else use_gpu
        self.device = torch.device("cuda" if use_gpu else "cpu")
        self.model = (
            timm.create_model(LARGE, pretrained=True)
            if use_gpu
            else timm.create_model(SMALL, pretrained=True)
        )
        self.model.to(self.device).eval()
        cfg = timm.data.resolve_data_config({}, model=self.model)
        self.transform = timm.data.create_transform(**cfg)
        self.top_k = top_k

    @property
    def name(self) -> str:
        return self.model.default_cfg.get("architecture", "unknown")

    @torch.no_grad()
    def classify(self, image) -> list[tuple[int, float]]:
        batch = self.transform(image.convert("RGB")).unsqueeze(0).to(self.device)
        probs = self.model(batch).softmax(dim=-1)[0]
        values, indices = probs.topk(self.top_k)
        return [(int(i), float(v)) for i, v in zip(indices, values)]
