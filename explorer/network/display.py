"""Feature maps as pictures: a grid of channels, and one channel over the photo.

Colours follow viridis (dark purple = low, yellow = high), readable on a projector and by people
with colour-blindness. Normalisation is either per channel (each tile uses its own min..max, to see
every pattern) or shared across the layer (one scale, to compare which channels respond most).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from explorer.drawing import colorize, heatmap, tile_grid, to_unit
from explorer.drawing import overlay as blend

NORMALISE = ("per channel", "shared across layer")


def channel_grid(
    activation: np.ndarray,
    channels: Sequence[int] | np.ndarray,
    shared: bool = False,
    columns: int = 8,
    tile: int = 96,
) -> np.ndarray:
    """The chosen channels of a (C, H, W) activation as a grid of viridis tiles, in the given order.

    Each tile is enlarged (nearest neighbour, so single activations stay visible) to about ``tile``
    pixels on its longer side; tiles are separated by a white gap.
    """
    channels = list(channels)
    if not channels:
        return np.full((tile, tile, 3), 255, dtype=np.uint8)
    maps = activation[channels].astype(np.float32)
    units = to_unit(maps, float(activation.min()), float(activation.max())) if shared else to_unit(maps)
    scale = max(1, tile // max(maps.shape[1:]))
    return tile_grid(colorize(units, "viridis"), columns, scale, gap=4)


def overlay(photo: np.ndarray, channel: np.ndarray, opacity: float = 0.6) -> np.ndarray:
    """One channel, scaled to [0, 1], stretched to the photo's size and blended over it in viridis."""
    height, width = photo.shape[:2]
    unit = to_unit(np.asarray(channel, dtype=np.float32))
    return blend(photo, heatmap(unit, (width, height)), opacity, "viridis")


def page_of(channels: Sequence[int], page: int, per_page: int) -> list[int]:
    """The channels on ``page`` (0-based) when showing ``per_page`` at a time."""
    start = max(0, page) * per_page
    return list(channels[start : start + per_page])
