"""Three fine-tuned chest X-ray classifiers averaged into one prediction."""
import torch
import torch.nn as nn
from torchvision import models

CLASSES = ("normal", "pneumonia", "effusion")


class ChestXrayEnsemble(nn.Module):
    def __init__(self, ckpt_dir: str = "checkpoints", device: str = "cpu"):
        super().__init__()
        # Architectures are built untrained; the fine-tuned weights come from disk.
        resnet = models.resnet50(weights=None)
        resnet.fc = nn.Linear(resnet.fc.in_features, len(CLASSES))
        resnet_state = torch.load(f"{ckpt_dir}/resnet50_cxr.pt", map_location=device)
        resnet.load_state_dict(resnet_state)

        densenet = models.densenet121(weights=None)
        densenet.classifier = nn.Linear(densenet.classifier.in_features, len(CLASSES))
        densenet_state = torch.load(f"{ckpt_dir}/densenet121_cxr.pt", map_location=device)
        densenet.load_state_dict(densenet_state)

        # Exported as a whole module by the EfficientNet training notebook.
        self.effnet = torch.load(
            f"{ckpt_dir}/efficientnet_b0_cxr.pt", map_location=device, weights_only=False
        )
        self.resnet = resnet
        self.densenet = densenet
        self.to(device).eval()

    @torch.no_grad()
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = torch.stack([self.resnet(x), self.densenet(x), self.effnet(x)])
        return logits.softmax(dim=-1).mean(dim=0)

    def predict(self, x: torch.Tensor) -> list[dict]:
        probs = self(x)
        results = []
        for row in probs:
            best = int(row.argmax())
            results.append({
                "label": CLASSES[best],
                "confidence": round(float(row[best]), 4),
                "probs": {c: round(float(p), 4) for c, p in zip(CLASSES, row)},
            })
        return results
