"""Pictures from numbers, shared by every page and the command line: the one min-max scaling, colour
maps, signed colours, tile grids, maps stretched and blended over the photo, PNG bytes.

A map from a network covers the whole photo (nothing is cropped), so stretching it to the photo's
size with pixel-centre bilinear interpolation puts every value over the pixels it was computed from.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, overload

import cv2
import numpy as np
from PIL import Image

from explorer.errors import ExplorerError

COLORMAPS: dict[str, int] = {
    "viridis": cv2.COLORMAP_VIRIDIS,
    "cividis": cv2.COLORMAP_CIVIDIS,
    "inferno": cv2.COLORMAP_INFERNO,
    "turbo": cv2.COLORMAP_TURBO,
    "jet": cv2.COLORMAP_JET,
}
"""The colour maps offered everywhere, by the name both OpenCV (here) and Plotly (the same lowercase name) know."""
BLUE, RED = (33.0, 102.0, 172.0), (178.0, 24.0, 43.0)
MID_GREY, NEAR_WHITE = (128.0, 128.0, 128.0), (247.0, 247.0, 247.0)

if TYPE_CHECKING:
    import torch


@overload
def to_unit(values: np.ndarray, low: float | None = None, high: float | None = None) -> np.ndarray: ...
@overload
def to_unit(values: torch.Tensor, low: float | None = None, high: float | None = None) -> torch.Tensor: ...


def to_unit(values: Any, low: float | None = None, high: float | None = None) -> Any:
    """Min-max scale into [0, 1]: each map (the last two axes) by its own range, or all by ``low``..``high``.

    The one normaliser of the project, for NumPy arrays and torch tensors alike. It is relative to the
    map's own range, with no epsilon: a map whose values span 1e-10 still fills 0..1, and only a map with
    no range at all (flat, or not finite) becomes all zeros.
    """
    if isinstance(values, np.ndarray):
        data = values.astype(np.float32, copy=False)
        lo = data.min(axis=(-2, -1), keepdims=True) if low is None else np.float32(low)
        hi = data.max(axis=(-2, -1), keepdims=True) if high is None else np.float32(high)
        span = hi - lo
        usable = np.isfinite(span) & (span > 0)
        return np.where(usable, np.clip((data - lo) / np.where(usable, span, 1), 0, 1), 0).astype(np.float32)
    import torch

    data = values.float()
    lo = data.amin(dim=(-2, -1), keepdim=True) if low is None else torch.tensor(low, device=data.device)
    hi = data.amax(dim=(-2, -1), keepdim=True) if high is None else torch.tensor(high, device=data.device)
    span = hi - lo
    usable = torch.isfinite(span) & (span > 0)
    scaled = ((data - lo) / torch.where(usable, span, torch.ones_like(span))).clamp(0, 1)
    return torch.where(usable, scaled, torch.zeros_like(scaled))


def heatmap(values: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """An h x w map in [0, 1] stretched over a photo of ``size`` = (width, height): float32 H x W in [0, 1]."""
    width, height = size
    stretched = cv2.resize(np.asarray(values, dtype=np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    return np.clip(stretched.reshape(height, width), 0.0, 1.0)


def colorize(values: np.ndarray, colormap: str) -> np.ndarray:
    """Values in [0, 1] (any shape, e.g. H x W or N x H x W) as uint8 RGB in the named colour map."""
    if colormap not in COLORMAPS:
        raise ExplorerError(f"Unknown colour map '{colormap}': choose one of {', '.join(COLORMAPS)}.")
    levels = np.clip(np.nan_to_num(values) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    flat = levels.reshape(-1, levels.shape[-1]) if levels.ndim > 2 else levels.reshape(levels.shape[0], -1)
    return cv2.applyColorMap(flat, COLORMAPS[colormap])[..., ::-1].reshape(*levels.shape, 3)


def signed_colours(values: np.ndarray, limit: float | None = None, middle: tuple = MID_GREY) -> np.ndarray:
    """Signed numbers as RGB: blue below zero, ``middle`` at zero, red above; |value| >= limit is full colour."""
    limit = limit or float(np.abs(values).max(initial=0.0)) or 1.0
    t = np.clip(np.asarray(values, dtype=np.float32) / limit, -1.0, 1.0)[..., None]
    zero = np.array(middle, dtype=np.float32)
    far = np.where(t < 0, np.array(BLUE, dtype=np.float32), np.array(RED, dtype=np.float32))
    return np.rint(zero + np.abs(t) * (far - zero)).astype(np.uint8)


def tile_grid(tiles: np.ndarray, columns: int, scale: int, gap: int, background: int = 255) -> np.ndarray:
    """Lay (N, h, w, 3) uint8 tiles out in rows, each enlarged ``scale`` times (nearest), with a gap between."""
    count, h, w, _ = tiles.shape
    columns = max(1, min(columns, count))
    rows = -(-count // columns)
    th, tw = h * scale, w * scale
    out = np.full((rows * (th + gap) + gap, columns * (tw + gap) + gap, 3), background, dtype=np.uint8)
    big = tiles.repeat(scale, axis=1).repeat(scale, axis=2)
    for index in range(count):
        r, c = divmod(index, columns)
        top, left = gap + r * (th + gap), gap + c * (tw + gap)
        out[top : top + th, left : left + tw] = big[index]
    return out


def overlay(
    photo: np.ndarray, heat: np.ndarray, opacity: float = 0.5, colormap: str = "jet", threshold: float = 0.0
) -> np.ndarray:
    """Blend the coloured photo-sized ``heat`` (in [0, 1]) onto the photo; values below ``threshold`` leave it be."""
    if photo.shape[:2] != heat.shape:
        raise ExplorerError("The heatmap and the photo have different sizes.")
    alpha = (float(np.clip(opacity, 0.0, 1.0)) * (heat >= threshold))[..., None]
    blended = photo.astype(np.float32) * (1 - alpha) + colorize(heat, colormap).astype(np.float32) * alpha
    return np.clip(blended + 0.5, 0, 255).astype(np.uint8)


def png_bytes(picture: np.ndarray) -> bytes:
    """An RGB uint8 array encoded as PNG."""
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="PNG")
    return buffer.getvalue()
