"""3-D filters: one K_h x K_w grid per colour channel, summed with a bias into ONE feature map.

This is exactly what one output channel of ``torch.nn.Conv2d(3, 1, (K_h, K_w))`` computes: at every
position, (red patch x red grid) + (green patch x green grid) + (blue patch x blue grid) + bias.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike

from explorer.kernels.presets import SOBEL_X, Kernel, grid

LUMA = (0.299, 0.587, 0.114)
"""ITU-R BT.601 luma weights, the same ones PIL uses for convert('L') and the lab's greyscale mode."""
_ZERO_3 = np.zeros((3, 3))


def _filter(name: str, explanation: str, grids: Iterable[ArrayLike], bias: float = 0.0) -> Kernel:
    """A 3-D preset from its red, green and blue grids."""
    return Kernel(name, explanation, tuple(grid(np.asarray(g, dtype=np.float64)) for g in grids), "channels", bias)


_FILTERS = (
    _filter(
        "sobel_red_only",
        "Sobel x on the red channel only (green and blue weights are 0): vertical edges seen in red.",
        (SOBEL_X, _ZERO_3, _ZERO_3),
    ),
    _filter(
        "luminance_sobel",
        "Sobel x on brightness: each channel's Sobel weighted by 0.299, 0.587, 0.114 (the same as greyscale).",
        [np.multiply(SOBEL_X, weight) for weight in LUMA],
    ),
    _filter(
        "red_minus_green",
        "Colour-opponent 1x1 filter, red minus green: positive on red things, negative on green ones.",
        ([[1.0]], [[-1.0]], [[0.0]]),
    ),
    _filter(
        "blue_minus_yellow",
        "Colour-opponent 1x1 filter, blue minus yellow (the mean of red and green): positive on blue things.",
        ([[-0.5]], [[-0.5]], [[1.0]]),
    ),
    _filter(
        "red_green_edge",
        "Sobel x on red minus Sobel x on green: edges between red and green areas, even of equal brightness.",
        (SOBEL_X, np.negative(SOBEL_X), _ZERO_3),
    ),
    _filter(
        "luminance",
        "1x1 filter 0.299 R + 0.587 G + 0.114 B: the greyscale picture, made by a convolution.",
        [[[weight]] for weight in LUMA],
    ),
    _filter(
        "brighter_than_grey",
        "1x1 filter averaging R, G and B with bias -128: positive where a pixel is brighter than mid-grey.",
        [[[1 / 3]]] * 3,
        bias=-128.0,
    ),
)
COLOUR_PRESETS: dict[str, Kernel] = {kernel.name: kernel for kernel in _FILTERS}
"""Every 3-D preset, by name, in the order the app lists them."""
