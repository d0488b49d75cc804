"""Sub-commands for the kernels capability: ``kernels`` lists the presets, ``kernel`` applies one to a photo."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

from explorer.convolution import PADDINGS, ConvOptions, KernelResult, apply_kernel
from explorer.errors import ExplorerError
from explorer.images import load_path
from explorer.kernel_display import DISPLAY_MODES, display_image
from explorer.kernels import PRESETS, Kernel, custom_kernel, get_preset, parse_kernel_text


def register(commands: argparse._SubParsersAction) -> None:
    """Add this module's sub-commands to ``python -m explorer``."""
    listing = commands.add_parser("kernels", help="list the preset kernels and what each one does")
    listing.set_defaults(func=list_kernels)
    apply = commands.add_parser("kernel", help="apply a kernel to an image and save the result")
    apply.add_argument("image", help="the photo to filter (PNG, JPEG, WebP, GIF, BMP or TIFF)")
    apply.add_argument("--kernel", help="a preset name (see 'python -m explorer kernels')")
    apply.add_argument("--custom", help="your own kernel, e.g. \"1 0 -1; 2 0 -2; 1 0 -1\" (fractions like 1/9 work)")
    apply.add_argument("--normalise", action="store_true", help="scale a custom kernel so its numbers sum to 1")
    apply.add_argument("--stride", type=int, default=1, help="step between windows (default 1)")
    apply.add_argument("--padding", default="same", help="valid, same, full or a number of zeros per side")
    apply.add_argument("--dilation", type=int, default=1, help="gap between kernel taps (default 1)")
    apply.add_argument("--color", choices=["rgb", "gray"], default="rgb", help="each RGB channel, or grey")
    apply.add_argument("--mode", choices=["conv", "corr"], default="conv",
                       help="conv flips the kernel (true convolution); corr does not (cross-correlation)")
    apply.add_argument("--display", choices=list(DISPLAY_MODES), default="clip",
                       help="how signed values become a picture (for .png output)")
    apply.add_argument("--out", required=True, help="OUT.png (the picture as displayed) or OUT.npy (raw float32 H x W x C)")
    apply.set_defaults(func=run_kernel)


def list_kernels(args: argparse.Namespace) -> int:
    """Print each preset's name and what it detects or does."""
    width = max(len(name) for name in PRESETS)
    for name, kernel in PRESETS.items():
        print(f"{name:<{width}}  {kernel.explanation}")
    return 0


def run_kernel(args: argparse.Namespace) -> int:
    """Apply the chosen kernel and save the displayed picture or the raw values."""
    out = Path(args.out)
    if out.suffix.lower() not in (".png", ".npy"):
        raise ExplorerError(f"--out must end in .png (a picture) or .npy (raw values), not '{out.name}'.")
    kernel = chosen_kernel(args.kernel, args.custom, args.normalise)
    options = ConvOptions(stride=args.stride, padding=parse_padding(args.padding), dilation=args.dilation,
                          color=args.color, mode=args.mode)
    result = apply_kernel(load_path(args.image).to_array(), kernel, options)
    save_result(result, out, args.display)
    height, width = result.values.shape[:2]
    print(f"{kernel.name}: {height}x{width}x{result.values.shape[2]} output, values "
          f"{result.values.min():.4g}..{result.values.max():.4g}, saved to {out}")
    print(f"  {result.sizes[0].effective_formula()}, P = {options.pad_amount(kernel.size)}")
    for size in result.sizes:
        print(f"  {size.formula()}")
    return 0


def chosen_kernel(name: str | None, custom: str | None, normalise: bool) -> Kernel:
    """The preset or the parsed custom kernel; exactly one must be given."""
    if (name is None) == (custom is None):
        raise ExplorerError("Give exactly one of --kernel NAME or --custom \"1 0 -1; 2 0 -2; 1 0 -1\".")
    if custom is not None:
        return custom_kernel(parse_kernel_text(custom), normalise=normalise)
    if normalise:
        raise ExplorerError("--normalise only applies to a --custom kernel; the presets are used as defined.")
    return get_preset(name)


def parse_padding(text: str) -> str | int:
    """'valid', 'same', 'full' or a whole number of zeros per side."""
    value = text.strip().lower()
    if value in PADDINGS:
        return value
    try:
        return int(value)
    except ValueError:
        raise ExplorerError(f"--padding must be valid, same, full or a whole number, not '{text}'.") from None


def save_result(result: KernelResult, out: Path, display: str) -> None:
    """Write the raw float32 values (.npy) or the picture as displayed (.png)."""
    try:
        if out.suffix.lower() == ".npy":
            np.save(out, result.values.astype(np.float32))
        else:
            Image.fromarray(display_image(result.values, display)).save(out)
    except OSError as error:
        raise ExplorerError(f"Cannot write '{out}' ({error.strerror or error}).") from error
