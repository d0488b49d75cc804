"""Apply a kernel to a photo on the chosen device: stride, padding, dilation, per channel or grey.

Padding is always symmetric zeros, P on each side. Kernels are odd-sized, so the effective size
K_eff = D*(K-1)+1 is odd too, and 'same' pads P = (K_eff-1)/2 on each side: with stride 1 the output is
exactly the input size, with stride S it is ceil(W/S) (the centre of every S-th pixel), and the
textbook formula floor((W - K_eff + 2P)/S) + 1 stays true for every setting the app offers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from explorer.device import default_device, friendly_oom
from explorer.errors import ExplorerError
from explorer.kernels.presets import Kernel

PADDINGS = ("valid", "same", "full")
GREY_WEIGHTS = (0.299, 0.587, 0.114)
"""ITU-R BT.601 luma weights, the same ones PIL uses for convert('L')."""


@dataclass(frozen=True)
class ConvOptions:
    """How to slide the kernel: stride, padding ('valid', 'same', 'full' or a number), dilation, colour, mode."""

    stride: int = 1
    padding: str | int = "same"
    dilation: int = 1
    color: str = "rgb"
    mode: str = "conv"

    def __post_init__(self) -> None:
        if not isinstance(self.stride, int) or not 1 <= self.stride <= 64:
            raise ExplorerError(f"The stride must be a whole number from 1 to 64, not {self.stride}.")
        if not isinstance(self.dilation, int) or not 1 <= self.dilation <= 32:
            raise ExplorerError(f"The dilation must be a whole number from 1 to 32, not {self.dilation}.")
        if isinstance(self.padding, str) and self.padding not in PADDINGS:
            raise ExplorerError(f"Padding must be 'valid', 'same', 'full' or a number, not '{self.padding}'.")
        if not isinstance(self.padding, str) and (not isinstance(self.padding, int) or not 0 <= self.padding <= 512):
            raise ExplorerError(f"A padding number must be a whole number from 0 to 512, not {self.padding}.")
        if self.color not in ("rgb", "gray"):
            raise ExplorerError(f"Colour must be 'rgb' or 'gray', not '{self.color}'.")
        if self.mode not in ("conv", "corr"):
            raise ExplorerError(f"Mode must be 'conv' (convolution) or 'corr' (cross-correlation), not '{self.mode}'.")

    def effective_size(self, kernel_size: int) -> int:
        """K_eff = D*(K-1)+1: how far the dilated kernel reaches."""
        return self.dilation * (kernel_size - 1) + 1

    def pad_amount(self, kernel_size: int) -> int:
        """P, the zeros added on each side for this kernel size."""
        k_eff = self.effective_size(kernel_size)
        if self.padding == "valid":
            return 0
        if self.padding == "same":
            return (k_eff - 1) // 2
        if self.padding == "full":
            return k_eff - 1
        return int(self.padding)


@dataclass(frozen=True)
class OutputSize:
    """One axis of the output-size formula, with the user's numbers plugged in."""

    axis: str
    size: int
    kernel: int
    dilation: int
    padding: int
    stride: int

    @property
    def effective_kernel(self) -> int:
        return self.dilation * (self.kernel - 1) + 1

    @property
    def output(self) -> int:
        """floor((W - K_eff + 2P) / S) + 1."""
        return (self.size - self.effective_kernel + 2 * self.padding) // self.stride + 1

    def formula(self) -> str:
        """The formula as text with this axis's numbers, e.g. 'floor((451 - 3 + 2*1) / 1) + 1 = 451'."""
        sym = "W" if self.axis == "width" else "H"
        return (
            f"{self.axis}: floor(({sym} - K_eff + 2P) / S) + 1 = floor(({self.size} - {self.effective_kernel} "
            f"+ 2*{self.padding}) / {self.stride}) + 1 = {self.output}"
        )

    def effective_formula(self) -> str:
        """How far the dilated kernel reaches, with the numbers: 'K_eff = D*(K-1)+1 = 2*(3-1)+1 = 5'."""
        return f"K_eff = D*(K-1)+1 = {self.dilation}*({self.kernel}-1)+1 = {self.effective_kernel}"


def output_sizes(height: int, width: int, kernel_size: int, options: ConvOptions) -> tuple[OutputSize, OutputSize]:
    """The (height, width) output-size formulas for an input of this size."""
    pad = options.pad_amount(kernel_size)
    return (
        OutputSize("height", height, kernel_size, options.dilation, pad, options.stride),
        OutputSize("width", width, kernel_size, options.dilation, pad, options.stride),
    )


@dataclass(frozen=True)
class KernelResult:
    """The raw float32 output (H x W x C, read-only), the uint8 photo it came from, and the formulas."""

    values: np.ndarray
    pixels: np.ndarray
    kernel: Kernel
    options: ConvOptions
    sizes: tuple[OutputSize, OutputSize]

    @property
    def channels(self) -> tuple[str, ...]:
        return ("grey",) if self.values.shape[2] == 1 else ("red", "green", "blue")

    def source_plane(self, channel: int) -> np.ndarray:
        """One channel of the input the kernel slid over (an RGB channel, or the grey luma), as float64."""
        if self.options.color == "rgb":
            return self.pixels[:, :, channel].astype(np.float64)
        return source_image(self.pixels, "gray")[:, :, 0].astype(np.float64)


def applied_weights(kernel: Kernel, options: ConvOptions) -> list[np.ndarray]:
    """The grids as they multiply the image: flipped both ways for convolution, as written for correlation."""
    return [grid[::-1, ::-1].copy() if options.mode == "conv" else grid for grid in kernel.arrays()]


def source_image(pixels: np.ndarray, color: str) -> np.ndarray:
    """The H x W x C float32 input the kernel slides over: the RGB channels, or one luma channel."""
    rgb = np.asarray(pixels, dtype=np.float32)
    if color == "rgb":
        return rgb
    return (rgb @ np.array(GREY_WEIGHTS, dtype=np.float32))[:, :, None]


def apply_kernel(
    pixels: np.ndarray, kernel: Kernel, options: ConvOptions, device: torch.device | None = None
) -> KernelResult:
    """Convolve (or correlate) an H x W x 3 uint8 image with ``kernel``; each channel separately, float32."""
    pixels = np.require(pixels, np.uint8, ["C_CONTIGUOUS", "WRITEABLE"])  # torch refuses read-only arrays
    height, width = pixels.shape[:2]
    sizes = output_sizes(height, width, kernel.size, options)
    k_eff, pad = options.effective_size(kernel.size), options.pad_amount(kernel.size)
    if min(sizes[0].output, sizes[1].output) < 1:
        raise ExplorerError(
            f"The kernel reaches {k_eff} pixels (K_eff) but the padded image is only "
            f"{height + 2 * pad}x{width + 2 * pad}; use a smaller kernel or dilation, or more padding."
        )
    source = pixels if options.color == "rgb" else source_image(pixels, "gray")
    device = device or default_device().device
    with friendly_oom(), torch.inference_mode():
        image = torch.from_numpy(source).to(device)
        values = _conv_on_device(image, applied_weights(kernel, options), kernel.combine, options)
    values.flags.writeable = False  # results are cached and shared between sessions: read-only
    return KernelResult(values, pixels, kernel, options, sizes)


def _conv_on_device(image: torch.Tensor, grids: list[np.ndarray], combine: str, options: ConvOptions) -> np.ndarray:
    """Depthwise conv2d (one group per channel) in channels-last layout, so no copy in or out of H x W x C.

    Measured on the CPU (see benchmarks/kernels.py): channels-last is about 10x faster than the planar
    layout, and cutting the photo into strips stacked as extra channels did not pay for its copies.
    """
    channels, parts, size = image.shape[2], len(grids), len(grids[0])
    batch = image.to(torch.float32).unsqueeze(0).permute(0, 3, 1, 2)
    weight = torch.from_numpy(np.stack(grids).astype(np.float32)).to(image.device)
    weight = weight.unsqueeze(1).repeat(channels, 1, 1, 1)
    out = F.conv2d(
        batch,
        weight,
        stride=options.stride,
        padding=options.pad_amount(size),
        dilation=options.dilation,
        groups=channels,
    )
    out = out[0].permute(1, 2, 0)
    if combine == "magnitude":
        out = out.unflatten(2, (channels, parts)).square().sum(dim=3).sqrt()
    return np.ascontiguousarray(out.cpu().numpy())
