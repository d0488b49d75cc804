"""``cam``: a class activation map for a photo, as an overlay PNG and/or a .npy heatmap."""

from __future__ import annotations

import argparse
from pathlib import Path

from explorer.cli.common import check_suffix, load_image_and_model, network_command, write_output


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``cam`` to ``python -m explorer``."""
    cam = network_command(commands, "cam", "which parts of a photo made the network choose a class (Grad-CAM family)")
    cam.add_argument("--layer", help="layer name (default: the last block with a grid larger than 1x1, e.g. layer4)")
    cam.add_argument(
        "--method",
        default="Grad-CAM",
        help="Grad-CAM (default), Grad-CAM++, XGrad-CAM, HiResCAM, LayerCAM or Score-CAM",
    )
    cam.add_argument(
        "--target", default="top1", help='topN (top1 = most likely), a class index, or a class name ("tabby")'
    )
    cam.add_argument("--out", type=Path, help="write the overlay on the photo as PNG (a .png name)")
    cam.add_argument("--heatmap", type=Path, help="write the map as float32 H x W in [0, 1], photo-sized (a .npy name)")
    cam.add_argument("--colormap", default="jet", help="jet (default), viridis, cividis, inferno or turbo")
    cam.add_argument("--opacity", type=float, default=0.5, help="how strongly the map covers the photo, 0 to 1")
    cam.set_defaults(func=run_cam)


def run_cam(args: argparse.Namespace) -> int:
    """Compute one CAM, print what it explains, and write the requested files."""
    import numpy as np

    from explorer.cam.methods import compute_cams, method_name
    from explorer.cam.targets import cam_layers, default_layer, ranked_classes, resolve_class
    from explorer.drawing import COLORMAPS, heatmap, overlay, png_bytes
    from explorer.errors import ExplorerError

    method_name(args.method)
    if args.colormap not in COLORMAPS:
        raise ExplorerError(f"--colormap must be one of {', '.join(COLORMAPS)}, not '{args.colormap}'.")
    if not 0.0 <= args.opacity <= 1.0:
        raise ExplorerError(f"--opacity must be from 0 to 1, not {args.opacity:g}.")
    if args.out:
        check_suffix(args.out, {".png": "the overlay picture"}, "--out")
    if args.heatmap:
        check_suffix(args.heatmap, {".npy": "the map as a NumPy array"}, "--heatmap")
    image, model = load_image_and_model(args)
    inputs = model.preprocess(image.image)
    layer = args.layer or default_layer(cam_layers(model.module, tuple(inputs.shape[-2:])))
    wants_rank = str(args.target).strip().lower().startswith("top")
    ranked = ranked_classes(model.module, inputs) if wants_rank else ()
    index = resolve_class(args.target, model.categories, ranked)
    cams = compute_cams(model.module, inputs, layer, args.method, classes=[index])
    if cams.map_for(index).size == 1:
        raise ExplorerError(
            f"Layer {layer}'s output is 1x1 for this photo, so its map would be one flat colour; "
            "choose an earlier layer (the default is the last one larger than 1x1)."
        )
    heat = heatmap(cams.map_for(index), image.size)
    print(
        f"{cams.method} of '{model.categories[index]}' (class {index}, p={cams.probabilities[index]:.2%}) "
        f"at layer {layer} of {model.title}"
    )
    if args.heatmap:
        write_output(args.heatmap, lambda path: np.save(path, heat.astype(np.float32)))
        print(f"heatmap: {args.heatmap} ({heat.shape[0]}x{heat.shape[1]} float32 in [0, 1])")
    if args.out:
        picture = overlay(image.to_array(), heat, args.opacity, args.colormap)
        write_output(args.out, lambda path: path.write_bytes(png_bytes(picture)))
        print(f"overlay: {args.out}")
    return 0
