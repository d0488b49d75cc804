"""``python -m explorer cam``: a class activation map for a photo, as an overlay PNG and/or a .npy heatmap."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from explorer.cam import METHODS, compute_cams
from explorer.drawing import COLORMAPS, heatmap, overlay, png_bytes
from explorer.cam_targets import conv_layers, default_layer, ranked_classes, resolve_class
from explorer.errors import ExplorerError
from explorer.images import load_path
from explorer.models import DEFAULT_MODEL, MODELS, load_model


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``cam`` to ``python -m explorer``."""
    cam = commands.add_parser("cam", help="which parts of a photo made the network choose a class (Grad-CAM family)")
    cam.add_argument("image", help="path to a photo")
    cam.add_argument("--model", default=DEFAULT_MODEL, choices=list(MODELS), metavar="NAME")
    cam.add_argument("--layer", help="layer name (default: the last convolution larger than 1x1)")
    cam.add_argument("--method", default="Grad-CAM", help=f"one of: {', '.join(METHODS)}")
    cam.add_argument("--target", default="top1", help='topN (top1 = most likely), a class index, or a class name ("tabby")')
    cam.add_argument("--out", type=Path, help="write the overlay on the photo as PNG")
    cam.add_argument("--heatmap", type=Path, help="write the map as float32 H x W in [0, 1] (.npy), photo-sized")
    cam.add_argument("--colormap", default="jet", choices=list(COLORMAPS))
    cam.add_argument("--opacity", type=float, default=0.5)
    cam.set_defaults(func=run_cam)


def run_cam(args: argparse.Namespace) -> int:
    """Compute one CAM, print what it explains, and write the requested files."""
    image = load_path(args.image)
    model = load_model(args.model)
    inputs = model.preprocess(image.image)
    layer = args.layer or default_layer(conv_layers(model.module, tuple(inputs.shape[-2:])))
    wants_rank = str(args.target).strip().lower().startswith("top")
    ranked = ranked_classes(model.module, inputs) if wants_rank else ()
    index = resolve_class(args.target, model.categories, ranked)
    cams = compute_cams(model.module, inputs, layer, args.method, classes=[index])
    heat = heatmap(cams.map_for(index), image.size)
    print(
        f"{cams.method} of '{model.categories[index]}' (class {index}, p={cams.probabilities[index]:.2%}) "
        f"at layer {layer} of {model.title}"
    )
    if args.heatmap:
        _write(args.heatmap, lambda path: np.save(path, heat.astype(np.float32)))
        print(f"heatmap: {args.heatmap} ({heat.shape[0]}x{heat.shape[1]} float32 in [0, 1])")
    if args.out:
        picture = overlay(image.to_array(), heat, args.opacity, args.colormap)
        _write(args.out, lambda path: path.write_bytes(png_bytes(picture)))
        print(f"overlay: {args.out}")
    return 0


def _write(path: Path, writer) -> None:
    """Write a file, turning a bad path into one plain sentence."""
    try:
        writer(path)
    except OSError as error:
        raise ExplorerError(f"Cannot write '{path}' ({error.strerror or error}).") from error
