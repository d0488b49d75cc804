"""Convolution one output cell at a time (window, products, sum) and 2x2 pooling, for the step-by-step view.

The step numbers are recomputed here in float64 from the very input the device saw, so a student can
check that the sum of the products is what landed in the output (up to float32 rounding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from explorer.device import default_device, friendly_oom
from explorer.errors import ExplorerError
from explorer.kernels.convolution import KernelResult, applied_weights

MAX_REGION = 9
"""The step-by-step region is at most this many output cells on a side."""


@dataclass(frozen=True)
class Region:
    """A block of output cells: top-left (row, col) and its height and width, inside the output."""

    top: int
    left: int
    height: int
    width: int

    def cells(self) -> list[tuple[int, int]]:
        """The (row, col) of every cell, row by row, in the order the steps visit them."""
        return [(self.top + r, self.left + c) for r in range(self.height) for c in range(self.width)]


@dataclass(frozen=True)
class ConvolutionStep:
    """One output cell: the input values under the kernel taps, the products, their sum and the output."""

    row: int
    col: int
    tap_rows: np.ndarray
    tap_cols: np.ndarray
    patch: np.ndarray
    weights: tuple[np.ndarray, ...]
    products: tuple[np.ndarray, ...]
    sums: tuple[float, ...]
    value: float


def make_region(result: KernelResult, top: int, left: int, size: int) -> Region:
    """A size x size region at (top, left), shrunk to fit inside the output."""
    out_h, out_w = result.values.shape[:2]
    if not 1 <= size <= MAX_REGION:
        raise ExplorerError(f"The region must be 1 to {MAX_REGION} cells on a side, not {size}.")
    if not (0 <= top < out_h and 0 <= left < out_w):
        raise ExplorerError(f"The region must start inside the output (rows 0..{out_h - 1}, columns 0..{out_w - 1}).")
    return Region(top, left, min(size, out_h - top), min(size, out_w - left))


def convolution_step(result: KernelResult, row: int, col: int, channel: int = 0) -> ConvolutionStep:
    """The window, products and sum that make output cell (row, col) of one channel."""
    opts, k = result.options, result.kernel.size
    pad = opts.pad_amount(k)
    offsets = np.arange(k) * opts.dilation
    tap_rows, tap_cols = row * opts.stride - pad + offsets, col * opts.stride - pad + offsets
    plane = result.source_plane(channel)
    patch = np.zeros((k, k))
    inside_r = (tap_rows >= 0) & (tap_rows < plane.shape[0])
    inside_c = (tap_cols >= 0) & (tap_cols < plane.shape[1])
    patch[np.ix_(inside_r, inside_c)] = plane[np.ix_(tap_rows[inside_r], tap_cols[inside_c])]
    weights = tuple(applied_weights(result.kernel, opts))
    products = tuple(patch * w for w in weights)
    sums = tuple(float(p.sum()) for p in products)
    value = float(np.sqrt(sum(s * s for s in sums))) if result.kernel.combine == "magnitude" else sums[0]
    return ConvolutionStep(row, col, tap_rows, tap_cols, patch, weights, products, sums, value)


def input_window(result: KernelResult, region: Region, channel: int = 0) -> tuple[np.ndarray, int, int]:
    """The input values (zeros where padded) that a region's windows cover, and its top-left input position."""
    opts, k = result.options, result.kernel.size
    pad, k_eff = opts.pad_amount(k), opts.effective_size(k)
    top, left = region.top * opts.stride - pad, region.left * opts.stride - pad
    rows, cols = (region.height - 1) * opts.stride + k_eff, (region.width - 1) * opts.stride + k_eff
    plane = result.source_plane(channel)
    window = np.zeros((rows, cols))
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + rows, plane.shape[0]), min(left + cols, plane.shape[1])
    if r1 > r0 and c1 > c0:
        window[r0 - top : r1 - top, c0 - left : c1 - left] = plane[r0:r1, c0:c1]
    return window, top, left


def pool(values: np.ndarray, kind: str) -> np.ndarray:
    """2x2 max or average pooling with stride 2 on the device (an odd last row or column is dropped)."""
    if kind not in ("max", "average"):
        raise ExplorerError(f"Pooling must be 'max' or 'average', not '{kind}'.")
    array = np.asarray(values, dtype=np.float32)
    planar = array if array.ndim == 3 else array[:, :, None]
    if min(planar.shape[:2]) < 2:
        raise ExplorerError("Pooling 2x2 needs at least 2 rows and 2 columns of output.")
    device = default_device().device
    with friendly_oom(), torch.inference_mode():
        planar = np.require(planar, np.float32, ["C_CONTIGUOUS", "WRITEABLE"])  # cached results are read-only
        tensor = torch.from_numpy(planar).to(device).permute(2, 0, 1).unsqueeze(0)
        pooled = F.max_pool2d(tensor, 2, 2) if kind == "max" else F.avg_pool2d(tensor, 2, 2)
        out = pooled[0].permute(1, 2, 0).cpu().numpy()
    return np.ascontiguousarray(out if array.ndim == 3 else out[:, :, 0])
