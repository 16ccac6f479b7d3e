"""Backbone factory for the nightly image classification job.

The backbone is picked on the command line (``--backbone``); every choice
returns a module that maps a normalised 224x224 batch to class logits.
"""
from __future__ import annotations

import logging

import timm
import torch
import torch.nn as nn
from torchvision import models
from torchvision.models import ResNet50_Weights

log = logging.getLogger(__name__)

CONVNEXT_NAME = "convnext_tiny.fb_in22k_ft_in1k"
CHOICES = ("resnet50", "convnext", "mobilenet", "resnet18", "scratch")


def _replace_head(net: nn.Module, attr: str, num_classes: int) -> nn.Module:
    old = getattr(net, attr)
    setattr(net, attr, nn.Linear(old.in_features, num_classes))
    return net


def build_backbone(name: str, num_classes: int) -> nn.Module:
    if name not in CHOICES:
        raise ValueError(f"unknown backbone {name!r}; pick one of {CHOICES}")
    log.info("building backbone %s (%d classes)", name, num_classes)

    if name == "resnet50":
        net = models.resnet50(weights=ResNet50_Weights.IMAGENET1K_V2)
        net = _replace_head(net, "fc", num_classes)
    elif name == "convnext":
        net = timm.create_model(CONVNEXT_NAME, pretrained=True, num_classes=num_classes)
    elif name == "mobilenet":
        net = models.mobilenet_v3_small(weights="DEFAULT")
        last = net.classifier[-1]
        net.classifier[-1] = nn.Linear(last.in_features, num_classes)
    elif name == "resnet18":
        net = models.resnet18(pretrained=True)
        net = _replace_head(net, "fc", num_classes)
    else:
        # randomly initialised, used for ablations only
        net = timm.create_model("resnet26d", pretrained=False, num_classes=num_classes)
    return net


def debug_model(num_classes: int = 10) -> nn.Module:
    """Tiny untrained network for unit tests of the data path."""
    return models.resnet18(num_classes=num_classes)


def count_parameters(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters() if p.requires_grad)


def freeze_all_but_head(net: nn.Module) -> None:
    for name, p in net.named_parameters():
        p.requires_grad = name.startswith(("fc.", "head.", "classifier."))


def to_device(net: nn.Module) -> nn.Module:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    return net.to(device).eval()
