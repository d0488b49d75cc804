"""``models`` lists the registry; ``predict`` classifies a photo."""

from __future__ import annotations

import argparse
import json

from explorer.cli.common import load_image_and_model, network_command
from explorer.errors import ExplorerError


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``models`` and ``predict`` to ``python -m explorer``."""
    listing = commands.add_parser("models", help="list the models, their parameters and whether weights are on disk")
    listing.set_defaults(func=list_models)
    predict = network_command(commands, "predict", "the top-k ImageNet classes for a photo")
    predict.add_argument("--topk", type=int, default=5, metavar="K")
    predict.add_argument("--json", action="store_true", help='print [{"label", "index", "prob"}, ...], best first')
    predict.set_defaults(func=predict_image)


def list_models(_args: argparse.Namespace) -> int:
    """Print one line per model: name, title, parameters, weights on disk or to download."""
    from explorer.models import MODELS

    print(f"{'name':<20} {'model':<20} {'parameters':>12}  weights")
    for spec in MODELS.values():
        where = (
            "ship with the app" if spec.offline else ("on disk" if spec.weights_on_disk() else "download on first use")
        )
        print(f"{spec.name:<20} {spec.title:<20} {spec.num_params:>12,}  {where}")
    return 0


def predict_image(args: argparse.Namespace) -> int:
    """Classify one photo and print the top-k as text or JSON."""
    import torch

    from explorer.device import friendly_oom
    from explorer.models import top_predictions

    if args.topk < 1:
        raise ExplorerError("--topk must be 1 or more.")
    image, model = load_image_and_model(args)
    with torch.no_grad(), friendly_oom():
        logits = model.module(model.preprocess(image.image))
    predictions = top_predictions(logits, model.categories, args.topk)
    if args.json:
        print(json.dumps([{"label": p.label, "index": p.index, "prob": p.prob} for p in predictions]))
    else:
        for rank, p in enumerate(predictions, 1):
            print(f"{rank}. {p.label:<30} {p.prob:7.2%}  (class {p.index})")
    return 0
