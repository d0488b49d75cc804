"""Drawing a CAM over the whole photo: colour maps, opacity, threshold, PNG bytes.

Shared by the page (download button) and the command line (``--out``), so both draw the same picture.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
import torch
from PIL import Image

from explorer.cam import upsample
from explorer.errors import ExplorerError

COLORMAPS: dict[str, int] = {
    "viridis": cv2.COLORMAP_VIRIDIS,
    "cividis": cv2.COLORMAP_CIVIDIS,
    "inferno": cv2.COLORMAP_INFERNO,
    "turbo": cv2.COLORMAP_TURBO,
    "jet": cv2.COLORMAP_JET,
}


def heatmap(cam: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The h x w CAM stretched over a photo of ``size`` = (width, height): float32 H x W in [0, 1]."""
    width, height = size
    return upsample(torch.as_tensor(cam, dtype=torch.float32)[None], (height, width))[0].numpy()


def colorize(values: np.ndarray, colormap: str) -> np.ndarray:
    """Values in [0, 1] as an H x W x 3 uint8 RGB picture in the named colour map."""
    if colormap not in COLORMAPS:
        raise ExplorerError(f"Unknown colour map '{colormap}': choose one of {', '.join(COLORMAPS)}.")
    levels = np.clip(values * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return cv2.applyColorMap(levels, COLORMAPS[colormap])[..., ::-1]


def overlay(
    photo: np.ndarray, heat: np.ndarray, opacity: float = 0.5, colormap: str = "jet", threshold: float = 0.0
) -> np.ndarray:
    """Blend the coloured heatmap onto the photo; values below ``threshold`` leave the photo as it is."""
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
