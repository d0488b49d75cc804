"""Class activation maps as pictures-to-be: scaled to [0, 1] and stretched to the photo's grid."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
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


def on_one_scale(raw_maps: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Raw (ReLU'd) maps of one method and layer scaled to [0, 1] together: 1 is the largest value of any.

    Scaled each by its own maximum, a class the network gives 0% still gets a full-red spot; on one scale
    its map stays as faint as its evidence is weak. If every map is zero, all stay zero.
    """
    low = min(float(values.min()) for values in raw_maps)
    high = max(float(values.max()) for values in raw_maps)
    return [to_unit(values, low, high) for values in raw_maps]
