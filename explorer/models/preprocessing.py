"""How a photo becomes a network's input: the shorter side scaled to the training size, nothing cropped.

Keeping the aspect ratio and the whole photo means every part of the user's photo reaches the network,
and every map the network makes lines up with the whole photo.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class Preprocessing:
    """How a photo becomes the network's input: resize (aspect kept, no crop), then normalise."""

    short_side: int = 224
    max_long_side: int = 896
    min_side: int = 64
    mean: tuple[float, ...] = IMAGENET_MEAN
    std: tuple[float, ...] = IMAGENET_STD
    interpolation: str = "bilinear"

    def input_size(self, width: int, height: int) -> tuple[int, int]:
        """(width, height) of the tensor the network sees for a photo of this size."""
        scale = self.short_side / min(width, height)
        scale = min(scale, self.max_long_side / max(width, height))
        return (max(self.min_side, round(width * scale)), max(self.min_side, round(height * scale)))

    def __call__(self, image: Image.Image, device: torch.device) -> torch.Tensor:
        """A 1x3xHxW float32 tensor on ``device``."""
        pixels = torch.from_numpy(np.array(image.convert("RGB"), dtype=np.uint8)).to(device)
        x = pixels.permute(2, 0, 1).unsqueeze(0).float().div_(255.0)
        width, height = self.input_size(image.width, image.height)
        if (width, height) != image.size:
            x = F.interpolate(x, size=(height, width), mode=self.interpolation, antialias=True, align_corners=False)
            x = x.clamp_(0.0, 1.0)
        mean = torch.tensor(self.mean, device=device).view(1, 3, 1, 1)
        std = torch.tensor(self.std, device=device).view(1, 3, 1, 1)
        return (x - mean) / std

    def to_pixels(self, tensor: torch.Tensor) -> np.ndarray:
        """Undo the normalisation: the network's input as an H x W x 3 uint8 picture."""
        mean = torch.tensor(self.mean, device=tensor.device).view(1, 3, 1, 1)
        std = torch.tensor(self.std, device=tensor.device).view(1, 3, 1, 1)
        pixels = (tensor.detach() * std + mean).clamp(0, 1)[0].permute(1, 2, 0)
        return (pixels * 255).round().to(torch.uint8).cpu().numpy()
