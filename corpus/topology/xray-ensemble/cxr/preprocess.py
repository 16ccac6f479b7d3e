"""Image loading for the X-ray models: grayscale films to 3-channel tensors."""
from pathlib import Path

import torch
from PIL import Image, ImageOps
from torchvision import transforms

IMAGE_SIZE = 320
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)

_transform = transforms.Compose([
    transforms.Resize(IMAGE_SIZE),
    transforms.CenterCrop(IMAGE_SIZE),
    transforms.ToTensor(),
    transforms.Normalize(MEAN, STD),
])


def load_film(path: Path) -> torch.Tensor:
    """Equalise the histogram (films differ a lot in exposure) and normalise."""
    image = Image.open(path).convert("L")
    image = ImageOps.equalize(image).convert("RGB")
    return _transform(image)


def load_batch(paths: list[Path]) -> torch.Tensor:
    return torch.stack([load_film(p) for p in paths])
