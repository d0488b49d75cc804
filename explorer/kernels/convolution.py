"""Apply a kernel to a photo on the chosen device: stride, padding, dilation, colour mode, operation.

The default operation is cross-correlation: the kernel slides as written, which is what CNN layers
(``torch.nn.functional.conv2d``) and ``cv2.filter2D`` compute; 'conv' flips it both ways first (the
mathematical convolution). Kernels may be any K_h x K_w, odd or even, and each axis is padded on its own:
'same' adds K_eff - 1 zeros in total, half before and half after, the odd one after (bottom / right),
as PyTorch's padding='same' and TensorFlow do; so with stride 1 the output is the input's size and
with stride S it is ceil(W / S). 'full' pads K_eff - 1 on each side, a number P pads P on each side.
The formula floor((W - K_eff + P_before + P_after) / S) + 1 per axis is always the real output shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from explorer.device import default_device, friendly_oom
from explorer.errors import ExplorerError
from explorer.kernels.colour import LUMA
from explorer.kernels.presets import Kernel

PADDINGS = ("valid", "same", "full")
COLOURS = ("rgb", "gray", "rgb-sum")
"""Each RGB channel on its own, one grey (luma) channel, or one 3-D filter summing R, G and B into one map."""
GREY_WEIGHTS = LUMA


@dataclass(frozen=True)
class ConvOptions:
    """How to slide the kernel: stride, padding ('valid', 'same', 'full' or a number), dilation, colour, mode."""

    stride: int = 1
    padding: str | int = "same"
    dilation: int = 1
    color: str = "rgb"
    mode: str = "corr"

    def __post_init__(self) -> None:
        if not isinstance(self.stride, int) or not 1 <= self.stride <= 64:
            raise ExplorerError(f"The stride must be a whole number from 1 to 64, not {self.stride}.")
        if not isinstance(self.dilation, int) or not 1 <= self.dilation <= 32:
            raise ExplorerError(f"The dilation must be a whole number from 1 to 32, not {self.dilation}.")
        if isinstance(self.padding, str) and self.padding not in PADDINGS:
            raise ExplorerError(f"Padding must be 'valid', 'same', 'full' or a number, not '{self.padding[:24]}'.")
        if not isinstance(self.padding, str) and (not isinstance(self.padding, int) or not 0 <= self.padding <= 512):
            raise ExplorerError(f"A padding number must be a whole number from 0 to 512, not {self.padding}.")
        if self.color not in COLOURS:
            raise ExplorerError(f"Colour must be 'rgb', 'gray' or 'rgb-sum', not '{self.color}'.")
        if self.mode not in ("conv", "corr"):
            raise ExplorerError(f"Mode must be 'corr' (cross-correlation) or 'conv' (convolution), not '{self.mode}'.")

    def effective_size(self, kernel_size: int) -> int:
        """K_eff = D*(K-1)+1: how far the dilated kernel reaches along one axis."""
        return self.dilation * (kernel_size - 1) + 1

    def pads(self, kernel_size: int) -> tuple[int, int]:
        """(before, after): the zeros added before (top / left) and after (bottom / right) along one axis."""
        k_eff = self.effective_size(kernel_size)
        if self.padding == "valid":
            return 0, 0
        if self.padding == "same":
            return (k_eff - 1) // 2, k_eff - 1 - (k_eff - 1) // 2
        if self.padding == "full":
            return k_eff - 1, k_eff - 1
        return int(self.padding), int(self.padding)


@dataclass(frozen=True)
class OutputSize:
    """One axis of the output-size formula, with the user's numbers plugged in."""

    axis: str
    size: int
    kernel: int
    dilation: int
    pad_before: int
    pad_after: int
    stride: int

    @property
    def effective_kernel(self) -> int:
        return self.dilation * (self.kernel - 1) + 1

    @property
    def output(self) -> int:
        """floor((W - K_eff + P_before + P_after) / S) + 1."""
        return (self.size - self.effective_kernel + self.pad_before + self.pad_after) // self.stride + 1

    @property
    def names(self) -> tuple[str, str, str, str]:
        """The symbols of this axis: size, kernel side, padding before, padding after."""
        return ("H", "K_h", "P_top", "P_bottom") if self.axis == "height" else ("W", "K_w", "P_left", "P_right")

    def formula(self) -> str:
        """The formula with this axis's numbers, e.g. 'width: floor((W - K_eff + 2P) / S) + 1 = ... = 451'."""
        size, _, before, after = self.names
        if self.pad_before == self.pad_after:
            symbols, numbers = "2P", f"2*{self.pad_before}"
        else:
            symbols, numbers = f"{before} + {after}", f"{self.pad_before} + {self.pad_after}"
        return (
            f"{self.axis}: floor(({size} - K_eff + {symbols}) / S) + 1 = floor(({self.size} - {self.effective_kernel} "
            f"+ {numbers}) / {self.stride}) + 1 = {self.output}"
        )

    def effective_formula(self) -> str:
        """How far the dilated kernel reaches on this axis: 'height: K_eff = D*(K_h-1)+1 = 2*(3-1)+1 = 5'."""
        kernel = self.names[1]
        return f"{self.axis}: K_eff = D*({kernel}-1)+1 = {self.dilation}*({self.kernel}-1)+1 = {self.effective_kernel}"

    def padding_text(self) -> str:
        """The zeros on each side of this axis: 'P_left = 0, P_right = 1'."""
        _, _, before, after = self.names
        return f"{before} = {self.pad_before}, {after} = {self.pad_after}"


def output_sizes(
    height: int, width: int, kernel_shape: tuple[int, int], options: ConvOptions
) -> tuple[OutputSize, OutputSize]:
    """The (height, width) output-size formulas for an input of this size and a K_h x K_w kernel."""
    (k_h, k_w), d, s = kernel_shape, options.dilation, options.stride
    return (
        OutputSize("height", height, k_h, d, *options.pads(k_h), s),
        OutputSize("width", width, k_w, d, *options.pads(k_w), s),
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
        """The names of the output channels: red, green, blue; grey; or the one summed feature map."""
        return {"rgb": ("red", "green", "blue"), "gray": ("grey",), "rgb-sum": ("feature map",)}[self.options.color]

    def source_plane(self, channel: int) -> np.ndarray:
        """One channel of the input the kernel slid over (an RGB channel, or the grey luma), as float64."""
        if self.options.color == "gray":
            return source_image(self.pixels, "gray")[:, :, 0].astype(np.float64)
        return self.pixels[:, :, channel].astype(np.float64)


def applied_weights(kernel: Kernel, options: ConvOptions) -> list[np.ndarray]:
    """The grids as they multiply the image: as written for correlation, flipped both ways for convolution."""
    return [grid[::-1, ::-1].copy() if options.mode == "conv" else grid for grid in kernel.arrays()]


def source_image(pixels: np.ndarray, color: str) -> np.ndarray:
    """The H x W x C float32 input the kernel slides over: the RGB channels, or one luma channel."""
    rgb = np.asarray(pixels, dtype=np.float32)
    if color != "gray":
        return rgb
    return (rgb @ np.array(GREY_WEIGHTS, dtype=np.float32))[:, :, None]


def check_pairing(kernel: Kernel, options: ConvOptions) -> None:
    """A 3-D filter goes with the 'rgb-sum' colour mode, and only it does."""
    if kernel.is_3d and options.color != "rgb-sum":
        raise ExplorerError(
            f"'{kernel.name}' is a 3-D filter (one kernel per colour channel): use it with the colour mode rgb-sum."
        )
    if options.color == "rgb-sum" and not kernel.is_3d:
        raise ExplorerError(
            "The rgb-sum colour mode needs a 3-D filter: a 3-D preset, or three kernels separated by '|'."
        )


def apply_kernel(
    pixels: np.ndarray, kernel: Kernel, options: ConvOptions, device: torch.device | None = None
) -> KernelResult:
    """Correlate (or convolve) an H x W x 3 uint8 image with ``kernel`` in float32 on the device.

    'rgb' and 'gray' filter each channel separately; 'rgb-sum' applies one 3-D filter and sums R, G and
    B (plus its bias) into one feature map.
    """
    check_pairing(kernel, options)
    pixels = np.require(pixels, np.uint8, ["C_CONTIGUOUS", "WRITEABLE"])  # torch refuses read-only arrays
    height, width = pixels.shape[:2]
    sizes = output_sizes(height, width, kernel.shape, options)
    if min(sizes[0].output, sizes[1].output) < 1:
        reach = " x ".join(str(size.effective_kernel) for size in sizes)
        padded = " x ".join(str(size.size + size.pad_before + size.pad_after) for size in sizes)
        raise ExplorerError(
            f"The kernel reaches {reach} pixels (K_eff) but the padded image is only {padded}; "
            "use a smaller kernel or dilation, or more padding."
        )
    source = pixels if options.color != "gray" else source_image(pixels, "gray")
    device = device or default_device().device
    with friendly_oom(), torch.inference_mode():
        image = torch.from_numpy(source).to(device)
        values = _conv_on_device(image, applied_weights(kernel, options), kernel, options)
    if not np.all(np.isfinite(values)):
        raise ExplorerError("The kernel's numbers are so large that the result overflows; use smaller numbers.")
    values.flags.writeable = False  # results are cached and shared between sessions: read-only
    return KernelResult(values, pixels, kernel, options, sizes)


def _conv_on_device(image: torch.Tensor, grids: list[np.ndarray], kernel: Kernel, options: ConvOptions) -> np.ndarray:
    """conv2d in channels-last layout, so no copy in or out of H x W x C.

    Per-channel modes are depthwise (one group per channel); 'rgb-sum' is one (1, 3, K_h, K_w) filter.
    Measured on the CPU (see benchmarks/kernels.py): channels-last is about 10x faster than the planar
    layout, and cutting the photo into strips stacked as extra channels did not pay for its copies.
    An uneven 'same' padding (even K_eff) is added with F.pad; otherwise conv2d pads by itself.
    """
    channels, parts = image.shape[2], len(grids)
    batch = image.to(torch.float32).unsqueeze(0).permute(0, 3, 1, 2)
    weight = torch.from_numpy(np.stack(grids).astype(np.float32)).to(image.device)
    (top, bottom), (left, right) = (options.pads(size) for size in kernel.shape)
    padding: tuple[int, int] = (top, left)
    if (top, left) != (bottom, right):
        batch, padding = F.pad(batch, (left, right, top, bottom)), (0, 0)
    if kernel.is_3d:
        bias = torch.tensor([kernel.bias], dtype=torch.float32, device=image.device)
        out = F.conv2d(
            batch, weight.unsqueeze(0), bias, stride=options.stride, padding=padding, dilation=options.dilation
        )
        return np.ascontiguousarray(out[0].permute(1, 2, 0).cpu().numpy())
    weight = weight.unsqueeze(1).repeat(channels, 1, 1, 1)
    out = F.conv2d(batch, weight, stride=options.stride, padding=padding, dilation=options.dilation, groups=channels)
    out = out[0].permute(1, 2, 0)
    if kernel.combine == "magnitude":
        out = out.unflatten(2, (channels, parts)).square().sum(dim=3).sqrt()
    return np.ascontiguousarray(out.cpu().numpy())
