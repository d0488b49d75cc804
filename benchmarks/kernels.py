"""Kernel lab speed next to its peers: 3x3 and 5x5 kernels on a 1920x1080 RGB photo, printed as ratios.

Ours is ``explorer.convolution.apply_kernel`` (what the app and CLI call) on the default device;
the peers are cv2.filter2D, scipy.ndimage.correlate and the textbook nested Python loop, which runs on
a small crop and is scaled per pixel. Every method returns H x W x 3 float32 with zero padding ('same'),
and every one computes the same thing: cross-correlation (the kernel slid as written), the lab's default
and what cv2.filter2D does. SciPy's ``correlate`` is used for the same reason.
Run: ``python -m benchmarks.kernels [--repeats N]``. Timings only; nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import ctypes
import statistics
import time
from collections.abc import Callable

import cv2
import numpy as np
import scipy.ndimage
import torch

from explorer.device import default_device
from explorer.images import load_sample
from explorer.kernels.convolution import ConvOptions, apply_kernel
from explorer.kernels.presets import Kernel, get_preset

SIZE = (1920, 1080)
NAIVE_CROP = 48


def photo() -> np.ndarray:
    """The astronaut sample resized up to 1920x1080 RGB uint8."""
    return np.ascontiguousarray(cv2.resize(load_sample("astronaut").to_array(), SIZE, interpolation=cv2.INTER_CUBIC))


def median_seconds(
    runs: dict[str, Callable[[], object]], repeats: int, threads: dict[str, int] | None = None
) -> dict[str, float]:
    """Median wall time of each run after a warm-up; the runs take turns, so they share the machine's load.

    ``threads`` sets torch's intra-op thread count for a run (outside the timed region).
    """
    default, threads = torch.get_num_threads(), threads or {}
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for name, run in runs.items():
        torch.set_num_threads(threads.get(name, default))
        run()
    for _ in range(repeats):
        for name, run in runs.items():
            torch.set_num_threads(threads.get(name, default))
            start = time.perf_counter()
            run()
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            samples[name].append(time.perf_counter() - start)
    torch.set_num_threads(default)
    return {name: statistics.median(times) for name, times in samples.items()}


def naive(pixels: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """The textbook loop: for each pixel and channel, multiply the kernel by the patch under it and add up."""
    k, half = grid.shape[0], grid.shape[0] // 2
    padded = np.pad(pixels.astype(np.float32), ((half, half), (half, half), (0, 0)))
    height, width, channels = pixels.shape
    out = np.zeros((height, width, channels), dtype=np.float32)
    for y in range(height):
        for x in range(width):
            for c in range(channels):
                total = 0.0
                for i in range(k):
                    for j in range(k):
                        total += padded[y + i, x + j, c] * grid[i, j]
                out[y, x, c] = total
    return out


def compare(kernel: Kernel, pixels: np.ndarray, repeats: int) -> None:
    """Time every method on one kernel, check they agree, and print times and ratios to cv2.filter2D."""
    grid = kernel.arrays()[0].astype(np.float32)
    options = ConvOptions(padding="same", mode="corr")
    ours = apply_kernel(pixels, kernel, options).values
    reference = cv2.filter2D(pixels, cv2.CV_32F, grid, borderType=cv2.BORDER_CONSTANT)
    assert np.allclose(ours, reference, atol=1e-2), "ours and cv2.filter2D disagree"
    crop = pixels[:NAIVE_CROP, :NAIVE_CROP]
    assert np.allclose(naive(crop, grid)[1:-2, 1:-2], reference[1 : NAIVE_CROP - 2, 1 : NAIVE_CROP - 2], atol=1e-2)
    ours = f"ours, {torch.get_num_threads()} torch threads"
    timings = median_seconds(
        {
            ours: lambda: apply_kernel(pixels, kernel, options),
            "ours, 1 torch thread": lambda: apply_kernel(pixels, kernel, options),
            "cv2.filter2D": lambda: cv2.filter2D(pixels, cv2.CV_32F, grid, borderType=cv2.BORDER_CONSTANT),
            "scipy.ndimage.correlate": lambda: scipy.ndimage.correlate(
                pixels.astype(np.float32), grid[:, :, None], mode="constant"
            ),
        },
        repeats,
        threads={"ours, 1 torch thread": 1},
    )
    per_pixel = median_seconds({"naive": lambda: naive(crop, grid)}, 3)["naive"] / (NAIVE_CROP * NAIVE_CROP)
    timings["naive Python loop (scaled)"] = per_pixel * SIZE[0] * SIZE[1]
    base = timings["cv2.filter2D"]
    print(f"\n{kernel.name} ({kernel.shape[0]}x{kernel.shape[1]}) on {SIZE[0]}x{SIZE[1]} RGB:")
    for name, seconds in timings.items():
        print(f"  {name:<28} {seconds * 1000:>12.2f} ms   {seconds / base:>10.2f}x cv2.filter2D")


def keep_large_buffers() -> bool:
    """Opt-in for this benchmark only: let glibc keep freed photo-sized buffers instead of unmapping them.

    A 1920x1080x3 float32 tensor is 24 MB; by default glibc maps each one fresh and unmaps it on free, so
    every convolution pays page faults. The app does NOT do this (a server would keep what it freed).
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    return bool(libc.mallopt(-3, 64 << 20)) and bool(libc.mallopt(-1, 1 << 30))  # M_MMAP_THRESHOLD, M_TRIM_THRESHOLD


def main() -> None:
    """Run the comparison for a 3x3 and a 5x5 kernel."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21, help="timed runs per method (median reported)")
    parser.add_argument(
        "--keep-large-buffers",
        action="store_true",
        help="let glibc keep freed large buffers (as a dedicated process could; the app does not)",
    )
    args = parser.parse_args()
    if args.keep_large_buffers:
        print(f"glibc keeps large buffers: {keep_large_buffers()}")
    pixels = photo()
    choice = default_device()
    print(
        f"device: {choice.name} ({choice.reason}); torch threads: {torch.get_num_threads()}; "
        f"OpenCV threads: {cv2.getNumThreads()}"
    )
    for name in ("sobel_x", "gaussian_5"):
        compare(get_preset(name), pixels, args.repeats)


if __name__ == "__main__":
    main()
