"""Convolution one output cell at a time (window, products, sum) and pooling, for the step-by-step view.

The step numbers are recomputed here in float64 from the very input the device saw, so a student can
check that the sum of the products is what landed in the output (up to float32 rounding). A 3-D filter
shows three windows (red, green, blue), three sets of products, and their sum plus the bias.
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
POOL_KINDS = ("max", "average")


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
    """One output cell: the input values under the kernel taps, the products, their sums, bias and output.

    ``patches``, ``weights``, ``products`` and ``sums`` have one entry per grid of the kernel: one; gx and
    gy (the same patch twice); or red, green and blue (each channel's own patch).
    """

    row: int
    col: int
    tap_rows: np.ndarray
    tap_cols: np.ndarray
    patches: tuple[np.ndarray, ...]
    weights: tuple[np.ndarray, ...]
    products: tuple[np.ndarray, ...]
    sums: tuple[float, ...]
    bias: float
    value: float


def make_region(result: KernelResult, top: int, left: int, size: int) -> Region:
    """A size x size region at (top, left), shrunk to fit inside the output."""
    out_h, out_w = result.values.shape[:2]
    if not 1 <= size <= MAX_REGION:
        raise ExplorerError(f"The region must be 1 to {MAX_REGION} cells on a side, not {size}.")
    if not (0 <= top < out_h and 0 <= left < out_w):
        raise ExplorerError(f"The region must start inside the output (rows 0..{out_h - 1}, columns 0..{out_w - 1}).")
    return Region(top, left, min(size, out_h - top), min(size, out_w - left))


def window_origin(result: KernelResult, row: int, col: int) -> tuple[int, int]:
    """The input (row, col) under the kernel's top-left tap for output cell (row, col); negative in the padding."""
    opts = result.options
    (top, _), (left, _) = (opts.pads(size) for size in result.kernel.shape)
    return row * opts.stride - top, col * opts.stride - left


def convolution_step(result: KernelResult, row: int, col: int, channel: int = 0) -> ConvolutionStep:
    """The window(s), products and sums that make output cell (row, col) of one output channel."""
    opts, (k_h, k_w), kernel = result.options, result.kernel.shape, result.kernel
    first_row, first_col = window_origin(result, row, col)
    tap_rows = first_row + np.arange(k_h) * opts.dilation
    tap_cols = first_col + np.arange(k_w) * opts.dilation
    planes = [result.source_plane(c) for c in range(3)] if kernel.is_3d else [result.source_plane(channel)]
    inside_r = (tap_rows >= 0) & (tap_rows < planes[0].shape[0])
    inside_c = (tap_cols >= 0) & (tap_cols < planes[0].shape[1])
    patches = []
    for plane in planes:
        patch = np.zeros((k_h, k_w))
        patch[np.ix_(inside_r, inside_c)] = plane[np.ix_(tap_rows[inside_r], tap_cols[inside_c])]
        patches.append(patch)
    if not kernel.is_3d:
        patches *= len(kernel.grids)  # gx and gy look at the same window
    weights = tuple(applied_weights(kernel, opts))
    products = tuple(patch * w for patch, w in zip(patches, weights))
    sums = tuple(float(p.sum()) for p in products)
    magnitude = kernel.combine == "magnitude"
    value = float(np.sqrt(sum(s * s for s in sums))) if magnitude else sum(sums) + kernel.bias
    return ConvolutionStep(row, col, tap_rows, tap_cols, tuple(patches), weights, products, sums, kernel.bias, value)


def input_window(result: KernelResult, region: Region, channel: int = 0) -> tuple[np.ndarray, int, int]:
    """The input values (zeros where padded) of one input channel that a region's windows cover, and its
    top-left input position."""
    opts, (k_h, k_w) = result.options, result.kernel.shape
    top, left = window_origin(result, region.top, region.left)
    rows = (region.height - 1) * opts.stride + opts.effective_size(k_h)
    cols = (region.width - 1) * opts.stride + opts.effective_size(k_w)
    plane = result.source_plane(channel)
    window = np.zeros((rows, cols))
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + rows, plane.shape[0]), min(left + cols, plane.shape[1])
    if r1 > r0 and c1 > c0:
        window[r0 - top : r1 - top, c0 - left : c1 - left] = plane[r0:r1, c0:c1]
    return window, top, left


def pool(values: np.ndarray, kind: str, size: tuple[int, int] = (2, 2), stride: int = 2) -> np.ndarray:
    """Max or average pooling over size = (rows, cols) windows with ``stride``, on the device.

    Windows that would run past the last row or column are dropped (PyTorch's default, floor mode).
    """
    if kind not in POOL_KINDS:
        raise ExplorerError(f"Pooling must be 'max' or 'average', not '{kind}'.")
    if not (min(size) >= 1 and max(size) <= 8 and 1 <= stride <= 8):
        raise ExplorerError("Pooling windows and strides must be 1 to 8 cells.")
    array = np.asarray(values, dtype=np.float32)
    planar = array if array.ndim == 3 else array[:, :, None]
    if planar.shape[0] < size[0] or planar.shape[1] < size[1]:
        raise ExplorerError(
            f"Pooling {size[0]}x{size[1]} needs at least {size[0]} rows and {size[1]} columns of output."
        )
    device = default_device().device
    with friendly_oom(), torch.inference_mode():
        planar = np.require(planar, np.float32, ["C_CONTIGUOUS", "WRITEABLE"])  # cached results are read-only
        tensor = torch.from_numpy(planar).to(device).permute(2, 0, 1).unsqueeze(0)
        pooling = F.max_pool2d if kind == "max" else F.avg_pool2d
        out = pooling(tensor, size, stride)[0].permute(1, 2, 0).cpu().numpy()
    return np.ascontiguousarray(out if array.ndim == 3 else out[:, :, 0])
