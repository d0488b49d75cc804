"""Turn signed float results into pictures honestly: clip, absolute value, or a diverging map (0 = mid-grey).

A kernel's output can be negative or above 255 (edges, sharpening); how it is shown is a choice the
student makes and should see, so each mode is a small pure function over the raw values.
"""

from __future__ import annotations

import numpy as np

from explorer.drawing import signed_colours
from explorer.errors import ExplorerError

DISPLAY_MODES = {
    "clip": "Clip to 0..255: negatives become black, values over 255 white.",
    "abs": "Absolute value: negative and positive responses both show as bright (then clipped at 255).",
    "diverging": "Diverging: 0 is mid-grey and the scale runs to the largest |value|; one channel shows negatives "
    "blue and positives red, all channels show each one darker below 0 and brighter above.",
}
"""Display modes and what each one does to the numbers."""


def display_image(values: np.ndarray, mode: str, channel: int | None = None) -> np.ndarray:
    """An H x W x 3 uint8 picture of ``values`` (H x W x C), all channels or the one at index ``channel``."""
    if mode not in DISPLAY_MODES:
        raise ExplorerError(f"Display must be one of {', '.join(DISPLAY_MODES)}, not '{mode}'.")
    data = values if channel is None else values[:, :, channel : channel + 1]
    if mode == "clip":
        shown = np.clip(data, 0, 255)
    elif mode == "abs":
        shown = np.clip(np.abs(data), 0, 255)
    elif data.shape[2] == 1:
        return signed_colours(data[:, :, 0], symmetric_limit(data))
    else:
        shown = 127.5 + 127.5 * data / symmetric_limit(data)
    shown = np.rint(shown).astype(np.uint8)
    return np.repeat(shown, 3, axis=2) if shown.shape[2] == 1 else shown


def symmetric_limit(values: np.ndarray) -> float:
    """The largest |value| (1 if all are zero), so the diverging scale runs from -limit to +limit."""
    limit = float(np.max(np.abs(values))) if values.size else 0.0
    return limit if limit > 0 else 1.0


def histogram(values: np.ndarray, bins: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel counts (C x bins) over shared bin edges (bins + 1) spanning the output's range."""
    low, high = float(values.min()), float(values.max())
    if high <= low:
        low, high = low - 0.5, high + 0.5
    edges = np.linspace(low, high, bins + 1)
    counts = np.stack([np.histogram(values[:, :, c], bins=edges)[0] for c in range(values.shape[2])])
    return counts, edges


def value_summary(values: np.ndarray) -> dict[str, float]:
    """Minimum, maximum, mean, and the share of values outside 0..255 that clipping would hide."""
    outside = float(np.mean((values < 0) | (values > 255)))
    return {
        "min": float(values.min()),
        "max": float(values.max()),
        "mean": float(values.mean()),
        "outside_0_255": outside,
    }
