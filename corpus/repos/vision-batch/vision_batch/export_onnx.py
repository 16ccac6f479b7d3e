"""Export the fine-tuned MobileNetV3 to ONNX and check it with onnxruntime."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
import torch.nn as nn
from torchvision import models

ONNX_PATH = "exports/mobilenet_v3_small.onnx"
NUM_CLASSES = 37


def rebuild() -> nn.Module:
    net = models.mobilenet_v3_small()
    last = net.classifier[-1]
    net.classifier[-1] = nn.Linear(last.in_features, NUM_CLASSES)
    ckpt = torch.load("checkpoints/best.pt", map_location="cpu")
    net.load_state_dict(ckpt["model"])
    return net.eval()


def export(net: nn.Module, path: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    dummy = torch.randn(1, 3, 224, 224)
    torch.onnx.export(
        net,
        dummy,
        path,
        input_names=["pixels"],
        output_names=["logits"],
        dynamic_axes={"pixels": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=17,
    )


def verify(net: nn.Module, atol: float = 1e-4) -> float:
    session = ort.InferenceSession(ONNX_PATH, providers=["CPUExecutionProvider"])
    x = torch.randn(4, 3, 224, 224)
    with torch.no_grad():
        expected = net(x).numpy()
    (got,) = session.run(["logits"], {"pixels": x.numpy()})
    err = float(np.abs(expected - got).max())
    if err > atol:
        raise SystemExit(f"ONNX output differs from PyTorch by {err:.2e}")
    return err


if __name__ == "__main__":
    model = rebuild()
    export(model, ONNX_PATH)
    print(f"exported {ONNX_PATH}; max abs diff {verify(model):.2e}")
