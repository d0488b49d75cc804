"""The kernels a network learned, as pictures, and which first-layer filters look like a classic kernel.

Weights are signed, so every picture maps zero to a visible middle (mid-grey for colour tiles, white
for the blue-white-red scale) and uses one scale for the whole layer, so tiles compare honestly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from torch import nn

from explorer.drawing import NEAR_WHITE, signed_colours, tile_grid
from explorer.errors import ExplorerError


def conv_layer_names(model: nn.Module) -> list[str]:
    """Names of every 2-D convolution, in module order (the first is the one that sees pixels)."""
    return [name for name, module in model.named_modules() if isinstance(module, nn.Conv2d)]


@dataclass(frozen=True, eq=False)
class LearnedFilters:
    """A conv layer's weights as a float32 CPU copy (out, in per group, kh, kw), with how to draw them."""

    name: str
    weights: np.ndarray
    groups: int
    kind: str


def learned_filters(model: nn.Module, name: str) -> LearnedFilters:
    """Copy the weights of conv layer ``name`` to the CPU (the shared model is only read)."""
    module = dict(model.named_modules()).get(name)
    if not isinstance(module, nn.Conv2d):
        raise ExplorerError(f"'{name}' is not a convolution layer of this model.")
    weights = module.weight.detach().float().cpu().numpy().copy()
    return LearnedFilters(name, weights, module.groups, conv_kind(weights, module.groups))


def conv_kind(weights: np.ndarray, groups: int) -> str:
    """ "first" (RGB in), "depthwise", "pointwise" (1x1) or "standard", to choose how to draw it."""
    _, per_group, kh, kw = weights.shape
    if per_group == 3 and groups == 1:
        return "first"
    if per_group == 1 and groups > 1:
        return "depthwise"
    if kh == kw == 1:
        return "pointwise"
    return "standard"


def _tile_scale(kernel: int, target: int = 56) -> int:
    return max(1, target // kernel)


def colour_tiles(weights: np.ndarray, columns: int = 16, per_filter: bool = True) -> np.ndarray:
    """First-layer filters as RGB pictures: 0 is mid-grey, the largest |weight| reaches 0 or 255.

    ``per_filter`` scales each filter by its own largest |weight| (every pattern visible); otherwise
    one scale for the layer (compare strengths, but a few strong filters leave the rest grey).
    """
    if weights.shape[1] != 3:
        raise ExplorerError("Colour tiles need a layer that looks at the three RGB channels.")
    if per_filter:
        limit = np.abs(weights).max(axis=(1, 2, 3)).reshape(-1, 1, 1, 1)
        limit[limit == 0] = 1.0
    else:
        limit = float(np.abs(weights).max()) or 1.0
    tiles = np.clip(weights.transpose(0, 2, 3, 1) / limit * 127.5 + 127.5, 0, 255)
    return tile_grid(tiles.round().astype(np.uint8), columns, _tile_scale(weights.shape[-1]), gap=4)


def signed_tiles(kernels: np.ndarray, columns: int = 16) -> np.ndarray:
    """(N, kh, kw) kernels as blue-white-red tiles on one shared scale (depthwise, or one filter's inputs)."""
    limit = float(np.abs(kernels).max()) or 1.0
    return tile_grid(signed_colours(kernels, limit, NEAR_WHITE), columns, _tile_scale(kernels.shape[-1], 48), gap=3)


def filter_inputs(weights: np.ndarray, index: int) -> np.ndarray:
    """One output filter of a standard conv: its kernel for each input channel, (in channels, kh, kw)."""
    if not 0 <= index < weights.shape[0]:
        raise ExplorerError(f"This layer has filters 0 to {weights.shape[0] - 1}; there is no filter {index}.")
    return weights[index]


def pointwise_matrix(weights: np.ndarray) -> np.ndarray:
    """A 1x1 conv is a matrix mixing channels: (out channels, in channels)."""
    return weights[:, :, 0, 0]


def histogram(weights: np.ndarray, bins: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Counts and bin edges of all weights in the layer."""
    return np.histogram(weights.ravel(), bins=bins)


@dataclass(frozen=True)
class FilterMatch:
    """A learned filter and how much it looks like the classic kernel (cosine, -1..1; flipped if negated)."""

    index: int
    similarity: float
    flipped: bool


def resize_kernel(kernel: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Stretch a classic kernel (e.g. 3x3 Sobel) to a filter's size, keeping its shape of light and dark."""
    kernel = np.asarray(kernel, dtype=np.float32)
    if kernel.shape == size:
        return kernel
    image = Image.fromarray(kernel, mode="F").resize((size[1], size[0]), Image.Resampling.BILINEAR)
    return np.asarray(image, dtype=np.float32)


def similar_filters(
    weights: np.ndarray, kernel: np.ndarray, top: int = 6, allow_flip: bool = True
) -> tuple[FilterMatch, ...]:
    """First-layer filters most like ``kernel``, by cosine similarity of the channel-averaged filter.

    A classic kernel works on brightness, so each RGB filter is averaged over its input channels (how
    it responds to grey edges). With ``allow_flip`` a filter equal to minus the kernel counts as a match
    too (flipped): it finds the same edges with the opposite sign (dark-to-light instead of light-to-dark).
    """
    grey = weights.mean(axis=1)
    target = resize_kernel(kernel, grey.shape[1:]).ravel()
    norm_target = float(np.linalg.norm(target))
    if norm_target == 0:
        raise ExplorerError("The kernel is all zeros, so nothing can be similar to it.")
    flat = grey.reshape(grey.shape[0], -1)
    norms = np.linalg.norm(flat, axis=1)
    cosine = flat @ target / np.maximum(norms * norm_target, 1e-12)
    score = np.abs(cosine) if allow_flip else cosine
    order = np.argsort(-score, kind="stable")[:top]
    return tuple(FilterMatch(int(i), float(score[i]), bool(cosine[i] < 0)) for i in order)
