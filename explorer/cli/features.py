"""``features``: save a grid of one layer's feature maps for a photo as a PNG, or list the layers."""

from __future__ import annotations

import argparse
from pathlib import Path

from explorer.cli.common import check_suffix, load_image_and_model, network_command, write_output
from explorer.errors import ExplorerError


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``features`` to ``python -m explorer``."""
    features = network_command(commands, "features", "save a grid of one layer's feature maps as a PNG")
    features.add_argument("--layer", help="layer name (omit, or use --list, to see them all)")
    features.add_argument(
        "--out", default=Path("grid.png"), type=Path, help="where to write the PNG (default grid.png)"
    )
    features.add_argument("--sort", choices=("index", "mean", "max"), default="index")
    features.add_argument("--shared", action="store_true", help="one colour scale for the whole layer")
    features.add_argument("--max-channels", type=int, default=64, metavar="N", help="show at most N channels")
    features.add_argument("--list", action="store_true", help="print the layer names and shapes, then stop")
    features.set_defaults(func=save_feature_grid)


def save_feature_grid(args: argparse.Namespace) -> int:
    """Run the photo through the network once and write the chosen layer's channels as a grid."""
    from PIL import Image

    from explorer.network.display import channel_grid
    from explorer.network.features import channel_order, run_network

    if args.max_channels < 1:
        raise ExplorerError("--max-channels must be 1 or more.")
    if not args.list and args.layer:
        check_suffix(args.out, {".png": "a picture"}, "--out")
    image, model = load_image_and_model(args)
    run = run_network(model, image.image)
    if args.list or not args.layer:
        for layer in run.layers:
            c, h, w = layer.shape
            print(f"{layer.name:<32} {layer.type_name:<20} {c}x{h}x{w}  RF {layer.receptive.size}")
        return 0
    if args.layer not in run.activations:
        raise ExplorerError(
            f"{model.title} has no layer called '{args.layer}' with feature maps; run with --list to see the names."
        )
    layer = run.layer(args.layer)
    order = channel_order(run.stats[layer.name], args.sort)[: args.max_channels]
    grid = channel_grid(run.activations[layer.name], order, shared=args.shared, columns=8)
    write_output(args.out, lambda path: Image.fromarray(grid).save(path))
    c, h, w = layer.shape
    print(f"{layer.name}: {c} channels of {h}x{w}; wrote {len(order)} to {args.out}")
    return 0
