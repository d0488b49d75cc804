"""``kernels`` lists the presets; ``kernel`` applies one to a photo. Listing never imports torch."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from explorer.cli.common import add_image_argument, check_suffix, load_image_arg, write_output
from explorer.errors import ExplorerError

if TYPE_CHECKING:
    from explorer.kernels.convolution import KernelResult
    from explorer.kernels.presets import Kernel

OUTPUTS = {".png": "the picture as displayed", ".npy": "raw float32 H x W x C"}


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``kernels`` and ``kernel`` to ``python -m explorer``."""
    listing = commands.add_parser("kernels", help="list the preset kernels and what each one does")
    listing.set_defaults(func=list_kernels)
    apply = commands.add_parser("kernel", help="apply a kernel to an image and save the result")
    add_image_argument(apply)
    apply.add_argument("--kernel", help="a preset name, 2-D or 3-D (see 'python -m explorer kernels')")
    apply.add_argument(
        "--custom",
        help='your own kernel, any size, e.g. "1 0 -1; 2 0 -2; 1 0 -1" or "-1 1" (fractions like 1/9 work); '
        'with --color rgb-sum three kernels separated by "|" (red | green | blue)',
    )
    apply.add_argument("--normalise", action="store_true", help="scale a custom kernel so its numbers sum to 1")
    apply.add_argument("--bias", type=float, help="the bias added to a 3-D filter's sum (--color rgb-sum)")
    apply.add_argument("--stride", type=int, default=1, help="step between windows (default 1)")
    apply.add_argument("--padding", default="same", help="valid, same, full or a number of zeros per side")
    apply.add_argument("--dilation", type=int, default=1, help="gap between kernel taps (default 1)")
    apply.add_argument(
        "--color",
        choices=["rgb", "gray", "rgb-sum"],
        help="rgb: each channel separately; gray: one luma channel; rgb-sum: one 3-D filter summed into one map "
        "(default: rgb-sum for a 3-D preset or a custom kernel with '|', else rgb)",
    )
    apply.add_argument(
        "--mode",
        choices=["corr", "conv"],
        default="corr",
        help="corr (default) slides the kernel as written, as CNN layers and cv2.filter2D do; conv flips it first",
    )
    apply.add_argument(
        "--display",
        default="clip",
        help="how signed values become a picture in a .png: clip (default), abs or diverging",
    )
    apply.add_argument(
        "--out", required=True, type=Path, help="OUT.png (the picture as displayed) or OUT.npy (raw float32 H x W x C)"
    )
    apply.set_defaults(func=run_kernel)


def list_kernels(args: argparse.Namespace) -> int:
    """Print each preset's name, its size and what it detects or does: the 2-D ones, then the 3-D filters."""
    from explorer.kernels.colour import COLOUR_PRESETS
    from explorer.kernels.presets import PRESETS

    width = max(len(name) for name in [*PRESETS, *COLOUR_PRESETS])
    for name, kernel in PRESETS.items():
        print(f"{name:<{width}}  {kernel.shape[0]}x{kernel.shape[1]}  {kernel.explanation}")
    print("\n3-D filters, one kernel per colour channel summed into one map (--color rgb-sum):")
    for name, kernel in COLOUR_PRESETS.items():
        print(f"{name:<{width}}  {kernel.shape[0]}x{kernel.shape[1]}x3  {kernel.explanation}")
    return 0


def run_kernel(args: argparse.Namespace) -> int:
    """Apply the chosen kernel and save the displayed picture or the raw values."""
    from explorer.kernels.convolution import ConvOptions, apply_kernel
    from explorer.kernels.display import DISPLAY_MODES

    check_suffix(args.out, OUTPUTS, "--out")
    if args.display not in DISPLAY_MODES:
        raise ExplorerError(f"--display must be one of {', '.join(DISPLAY_MODES)}, not '{args.display}'.")
    kernel = chosen_kernel(args.kernel, args.custom, args.normalise, args.color, args.bias)
    options = ConvOptions(
        stride=args.stride,
        padding=parse_padding(args.padding),
        dilation=args.dilation,
        color=args.color or ("rgb-sum" if kernel.is_3d else "rgb"),
        mode=args.mode,
    )
    result = apply_kernel(load_image_arg(args).to_array(), kernel, options)
    save_result(result, args.out, args.display)
    height, width = result.values.shape[:2]
    print(
        f"{kernel.name}: {height}x{width}x{result.values.shape[2]} output, values "
        f"{result.values.min():.4g}..{result.values.max():.4g}, saved to {args.out}"
    )
    for size in result.sizes:
        print(f"  {size.effective_formula()}; {size.padding_text()}")
        print(f"  {size.formula()}")
    return 0


def chosen_kernel(
    name: str | None, custom: str | None, normalise: bool, color: str | None, bias: float | None
) -> Kernel:
    """The preset or the parsed custom kernel (a 3-D filter for rgb-sum); exactly one must be given."""
    from dataclasses import replace

    from explorer.kernels.parsing import bounded, colour_kernel, custom_kernel, parse_colour_text, parse_kernel_text
    from explorer.kernels.presets import get_preset

    if (name is None) == (custom is None):
        raise ExplorerError('Give exactly one of --kernel NAME or --custom "1 0 -1; 2 0 -2; 1 0 -1".')
    three_d = color == "rgb-sum" or (color is None and custom is not None and "|" in custom)
    if custom is not None:
        if three_d:
            return colour_kernel(parse_colour_text(custom), bias or 0.0, normalise=normalise)
        kernel = custom_kernel(parse_kernel_text(custom), normalise=normalise)
    else:
        if normalise:
            raise ExplorerError("--normalise only applies to a --custom kernel; the presets are used as defined.")
        kernel = get_preset(str(name))
    if bias is not None:
        if not kernel.is_3d:
            raise ExplorerError("--bias only applies to a 3-D filter (--color rgb-sum).")
        return replace(kernel, bias=bounded(bias, "--bias"))
    return kernel


def parse_padding(text: str) -> str | int:
    """'valid', 'same', 'full' or a whole number of zeros per side."""
    from explorer.kernels.convolution import PADDINGS

    value = text.strip().lower()
    if value in PADDINGS:
        return value
    try:
        return int(value)
    except ValueError:
        raise ExplorerError(f"--padding must be valid, same, full or a whole number, not '{text}'.") from None


def save_result(result: KernelResult, out: Path, display: str) -> None:
    """Write the raw float32 values (.npy) or the picture as displayed (.png)."""
    import numpy as np
    from PIL import Image

    from explorer.kernels.display import display_image

    if out.suffix.lower() == ".npy":
        write_output(out, lambda path: np.save(path, result.values.astype(np.float32)))
    else:
        write_output(out, lambda path: Image.fromarray(display_image(result.values, display)).save(path))
