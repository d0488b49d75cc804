"""The ``features`` command: save a grid of one layer's feature maps for a photo as a PNG."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

from explorer.errors import ExplorerError
from explorer.feature_display import channel_grid
from explorer.features import channel_order, run_network
from explorer.images import load_path
from explorer.models import DEFAULT_MODEL, MODELS, load_model


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``features`` to ``python -m explorer``."""
    features = commands.add_parser("features", help="save a grid of one layer's feature maps as a PNG")
    features.add_argument("image", help="path to a photo")
    features.add_argument("--model", default=DEFAULT_MODEL, choices=list(MODELS), metavar="NAME")
    features.add_argument("--layer", help="layer name (omit, or use --list, to see them all)")
    features.add_argument("--out", default="grid.png", help="where to write the PNG (default grid.png)")
    features.add_argument("--sort", choices=("index", "mean", "max"), default="index")
    features.add_argument("--shared", action="store_true", help="one colour scale for the whole layer")
    features.add_argument("--max-channels", type=int, default=64, metavar="N", help="show at most N channels")
    features.add_argument("--list", action="store_true", help="print the layer names and shapes, then stop")
    features.set_defaults(func=save_feature_grid)


def save_feature_grid(args: argparse.Namespace) -> int:
    """Run the photo through the network once and write the chosen layer's channels as a grid."""
    if args.max_channels < 1:
        raise ExplorerError("--max-channels must be 1 or more.")
    image = load_path(args.image)
    model = load_model(args.model)
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
    out = Path(args.out)
    try:
        Image.fromarray(np.ascontiguousarray(grid)).save(out)
    except (OSError, ValueError) as error:
        raise ExplorerError(f"Cannot write '{out}': {error}.") from error
    c, h, w = layer.shape
    print(f"{layer.name}: {c} channels of {h}x{w}; wrote {len(order)} to {out}")
    return 0
