"""Class activation maps as pictures-to-be: scaled to [0, 1] and stretched to the photo's grid."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from explorer.drawing import to_unit


def normalise(maps: torch.Tensor) -> torch.Tensor:
    """ReLU, then scale each map to [0, 1] by its own range (as torchcam and pytorch-grad-cam do).

    A map that is all zero after the ReLU stays all zero (``explorer.drawing.to_unit``)."""
    return to_unit(maps.clamp(min=0))


def upsample(maps: torch.Tensor, size: tuple[int, ...]) -> torch.Tensor:
    """Bilinear upsampling of K x h x w maps to ``size`` = (height, width), staying in [0, 1].

    The feature grid covers the whole photo (nothing is cropped), so stretching it over the photo
    lines each cell up with the pixels it saw.
    """
    out = F.interpolate(maps[:, None].float(), size=size, mode="bilinear", align_corners=False)
    return out[:, 0].clamp_(0.0, 1.0)
