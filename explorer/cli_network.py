"""Sub-commands for the network: ``models`` lists the registry, ``predict`` classifies a photo."""

from __future__ import annotations

import argparse
import json

import torch

from explorer.device import friendly_oom
from explorer.errors import ExplorerError
from explorer.images import load_path
from explorer.models import DEFAULT_MODEL, MODELS, load_model, top_predictions


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``models`` and ``predict`` to ``python -m explorer``."""
    listing = commands.add_parser("models", help="list the models, their parameters and whether weights are on disk")
    listing.set_defaults(func=list_models)
    predict = commands.add_parser("predict", help="the top-k ImageNet classes for a photo")
    predict.add_argument("image", help="path to a photo")
    predict.add_argument("--model", default=DEFAULT_MODEL, choices=list(MODELS), metavar="NAME")
    predict.add_argument("--topk", type=int, default=5, metavar="K")
    predict.add_argument("--json", action="store_true", help='print [{"label", "index", "prob"}, ...], best first')
    predict.set_defaults(func=predict_image)


def list_models(_args: argparse.Namespace) -> int:
    """Print one line per model: name, title, parameters, weights on disk or to download."""
    print(f"{'name':<20} {'model':<20} {'parameters':>12}  weights")
    for spec in MODELS.values():
        where = "ship with the app" if spec.offline else ("on disk" if spec.weights_on_disk() else "download on first use")
        print(f"{spec.name:<20} {spec.title:<20} {spec.num_params:>12,}  {where}")
    return 0


def predict_image(args: argparse.Namespace) -> int:
    """Classify one photo and print the top-k as text or JSON."""
    if args.topk < 1:
        raise ExplorerError("--topk must be 1 or more.")
    image = load_path(args.image)
    model = load_model(args.model)
    with torch.no_grad(), friendly_oom():
        logits = model.module(model.preprocess(image.image))
    predictions = top_predictions(logits, model.categories, args.topk)
    if args.json:
        print(json.dumps([{"label": p.label, "index": p.index, "prob": p.prob} for p in predictions]))
    else:
        for rank, p in enumerate(predictions, 1):
            print(f"{rank}. {p.label:<30} {p.prob:7.2%}  (class {p.index})")
    return 0

