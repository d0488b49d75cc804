"""Feature maps as pictures: a grid of channels, one channel over the photo, both in plain NumPy.

Colours follow viridis (dark purple = low, yellow = high), readable on a projector and by people
with colour-blindness. Normalisation is either per channel (each tile uses its own min..max, to see
every pattern) or shared across the layer (one scale, to compare which channels respond most).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

_VIRIDIS_ANCHORS = np.array([
    [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
    [31, 158, 137], [53, 183, 121], [110, 206, 88], [181, 222, 43], [253, 231, 37],
], dtype=np.float32)
VIRIDIS = np.stack([np.interp(np.linspace(0, 1, 256), np.linspace(0, 1, len(_VIRIDIS_ANCHORS)), _VIRIDIS_ANCHORS[:, c])
                    for c in range(3)], axis=1).round().astype(np.uint8)
"""A 256-entry viridis lookup table (RGB uint8)."""

NORMALISE = ("per channel", "shared across layer")


def to_unit(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Scale values so ``low`` is 0 and ``high`` is 1 (a flat map becomes all 0)."""
    span = high - low
    if not np.isfinite(span) or span <= 0:
        return np.zeros(values.shape, dtype=np.float32)
    return np.clip((values.astype(np.float32) - low) / span, 0, 1)


def colourise(unit: np.ndarray) -> np.ndarray:
    """0..1 values as viridis RGB uint8."""
    return VIRIDIS[(np.nan_to_num(unit) * 255).round().astype(np.int32)]


def channel_grid(
    activation: np.ndarray, channels: Sequence[int], shared: bool = False, columns: int = 8, tile: int = 96,
) -> np.ndarray:
    """The chosen channels of a (C, H, W) activation as a grid of viridis tiles, in the given order.

    Each tile is enlarged (nearest neighbour, so single activations stay visible) to about ``tile``
    pixels on its longer side; tiles are separated by a white gap.
    """
    channels = list(channels)
    if not channels:
        return np.full((tile, tile, 3), 255, dtype=np.uint8)
    maps = activation[channels].astype(np.float32)
    if shared:
        low, high = float(activation.min()), float(activation.max())
        units = [to_unit(m, low, high) for m in maps]
    else:
        units = [to_unit(m, float(m.min()), float(m.max())) for m in maps]
    h, w = maps.shape[1:]
    scale = max(1, tile // max(h, w))
    th, tw, gap = h * scale, w * scale, 4
    columns = max(1, min(columns, len(channels)))
    rows = -(-len(channels) // columns)
    out = np.full((rows * (th + gap) + gap, columns * (tw + gap) + gap, 3), 255, dtype=np.uint8)
    for index, unit in enumerate(units):
        r, c = divmod(index, columns)
        big = colourise(unit).repeat(scale, axis=0).repeat(scale, axis=1)
        out[gap + r * (th + gap): gap + r * (th + gap) + th, gap + c * (tw + gap): gap + c * (tw + gap) + tw] = big
    return out


def upsample(channel: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A (h, w) map resized to (width, height) ``size`` so each value covers the photo area it came from.

    The network saw the whole photo resized (never cropped), so stretching the map over the whole photo
    puts every value over the pixels it was computed from (PIL maps pixel centres, like align_corners=False).
    """
    image = Image.fromarray(channel.astype(np.float32), mode="F")
    return np.asarray(image.resize(size, Image.Resampling.BILINEAR), dtype=np.float32)


def overlay(photo: np.ndarray, channel: np.ndarray, opacity: float = 0.6) -> np.ndarray:
    """One channel, upsampled to the photo's size and coloured, blended over the photo (H x W x 3 uint8)."""
    height, width = photo.shape[:2]
    values = upsample(channel, (width, height))
    colours = colourise(to_unit(values, float(values.min()), float(values.max()))).astype(np.float32)
    blended = (1 - opacity) * photo.astype(np.float32) + opacity * colours
    return blended.round().clip(0, 255).astype(np.uint8)


def page_of(channels: Sequence[int], page: int, per_page: int) -> list[int]:
    """The channels on ``page`` (0-based) when showing ``per_page`` at a time."""
    start = max(0, page) * per_page
    return list(channels[start:start + per_page])
