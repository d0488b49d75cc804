"""Every layer's activations from ONE forward pass, in the order the network runs them.

``run_network`` pushes the photo through the shared model once (hooks scoped to that call, under the
model's lock) and brings back, as NumPy on the CPU: the class probabilities, the output of every conv,
activation, pooling layer and block, per-channel statistics, and each layer's shape and receptive
field. Pages cache the result per (model, image), so stepping through layers or channels only redraws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from torch import nn

from explorer.device import friendly_oom
from explorer.errors import ExplorerError
from explorer.models import LoadedModel, Prediction, top_predictions
from explorer.network.capture import forward_capturing
from explorer.network.receptive import Receptive, ReceptiveFieldTracker

_ACTIVATIONS = (nn.ReLU, nn.ReLU6, nn.SiLU, nn.Hardswish, nn.GELU, nn.LeakyReLU, nn.ELU, nn.Mish, nn.Tanh)
_POOLS = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)
_CONTAINERS = (nn.Sequential, nn.ModuleList, nn.ModuleDict)
FLOAT16_LIMIT = 60_000.0
"""Layers whose values stay below this magnitude travel as float16 (half the memory), others as float32."""


def layer_kind(module: nn.Module) -> str:
    """A word for what a layer does: conv, activation, pool, norm, linear or block."""
    if isinstance(module, nn.Conv2d):
        return "conv"
    if isinstance(module, _ACTIVATIONS):
        return "activation"
    if isinstance(module, _POOLS):
        return "pool"
    if isinstance(module, (nn.BatchNorm2d, nn.LayerNorm, nn.GroupNorm)) or "Norm" in type(module).__name__:
        return "norm"
    if isinstance(module, nn.Linear):
        return "linear"
    return "block" if any(True for _ in module.children()) else "other"


def candidate_layers(model: nn.Module) -> list[str]:
    """Names worth stepping through: conv, activation and pooling layers and blocks, in module order.

    Squeeze-and-excitation internals (1x1 gates) and the channels-last inside of ConvNeXt blocks
    (after their Permute) are left out: their outputs are not pictures of the photo.
    """
    skipped: list[str] = []
    names: list[str] = []
    for name, module in model.named_modules():
        if not name or any(name.startswith(prefix + ".") for prefix in skipped):
            continue
        if "SqueezeExcitation" in type(module).__name__:
            skipped.append(name)
            continue
        skipped.extend(f"{name}.{child}" for child in _after_permute(module))
        if name in skipped:
            continue
        kind = layer_kind(module)
        if kind in {"conv", "activation", "pool"} or (kind == "block" and type(module) not in _CONTAINERS):
            names.append(name)
    return names


def _after_permute(module: nn.Module) -> list[str]:
    """Children that come after a channels-last Permute (ConvNeXt): their outputs are not CxHxW maps."""
    names = [name for name, _ in module.named_children()]
    kinds = [type(child).__name__ for child in module.children()]
    return names[kinds.index("Permute") :] if "Permute" in kinds else []


@dataclass(frozen=True)
class LayerOutput:
    """One displayed layer: its name, kind and type, output shape (C, H, W) and receptive field."""

    name: str
    kind: str
    type_name: str
    shape: tuple[int, int, int]
    receptive: Receptive


@dataclass(frozen=True)
class ChannelStats:
    """Per-channel mean, maximum and share of exact zeros (what ReLU switched off)."""

    mean: np.ndarray
    max: np.ndarray
    zeros: np.ndarray


@dataclass(frozen=True, eq=False)
class NetworkRun:
    """Everything one forward pass tells about one photo, as plain NumPy (picklable, cacheable)."""

    model_name: str
    view: np.ndarray
    probabilities: np.ndarray
    predictions: tuple[Prediction, ...]
    layers: tuple[LayerOutput, ...]
    activations: dict[str, np.ndarray]
    stats: dict[str, ChannelStats]
    leaf_shapes: dict[str, tuple[int, ...]]
    leaf_receptive: dict[str, Receptive]

    def layer(self, name: str) -> LayerOutput:
        """The displayed layer called ``name``."""
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ExplorerError(f"The model has no displayed layer called '{name}'.")

    def names(self) -> list[str]:
        """Displayed layer names, in the order the network runs them."""
        return [layer.name for layer in self.layers]


def run_network(loaded: LoadedModel, image: Image.Image, top_k: int = 10) -> NetworkRun:
    """One forward pass of ``loaded`` on ``image``: predictions, all displayed activations and shapes."""
    model = loaded.module
    modules = dict(model.named_modules())
    leaves = [name for name, module in modules.items() if name and not any(True for _ in module.children())]
    wanted = list(dict.fromkeys(candidate_layers(model) + leaves))
    with friendly_oom(), torch.no_grad():
        inputs = loaded.preprocess(image)
        with ReceptiveFieldTracker(inputs) as tracker:
            logits, captured = forward_capturing(model, inputs, wanted)
        receptive = {name: tracker.of(out) for name, out in captured.items() if isinstance(out, torch.Tensor)}
        displayed = _displayed(captured, set(candidate_layers(model)))
        layers, activations, stats = [], {}, {}
        for name in displayed:
            out = _value(name, displayed, captured, tracker)[0].float()
            layers.append(
                LayerOutput(
                    name,
                    layer_kind(modules[name]),
                    type(modules[name]).__name__,
                    (int(out.shape[0]), int(out.shape[1]), int(out.shape[2])),
                    receptive[name] or Receptive(1, 1),
                )
            )
            stats[name] = ChannelStats(
                out.mean(dim=(1, 2)).cpu().numpy(),
                out.amax(dim=(1, 2)).cpu().numpy(),
                (out == 0).float().mean(dim=(1, 2)).cpu().numpy(),
            )
            small = bool(out.abs().max() < FLOAT16_LIMIT) if out.numel() else True
            activations[name] = out.to(torch.float16 if small else torch.float32).cpu().numpy()
            activations[name].flags.writeable = False  # shared by every session that views this run
        probabilities = torch.softmax(logits.float().reshape(-1), dim=0)
        return NetworkRun(
            loaded.name,
            loaded.view_of(inputs),
            probabilities.cpu().numpy(),
            top_predictions(logits, loaded.categories, top_k),
            tuple(layers),
            activations,
            stats,
            {
                name: tuple(out.shape[1:])
                for name, out in captured.items()
                if name in leaves and isinstance(out, torch.Tensor)
            },
            {name: info for name, info in receptive.items() if info is not None and name in leaves},
        )


def _displayed(captured: dict[str, torch.Tensor], candidates: set[str]) -> list[str]:
    """Candidates with a 4-D output, in execution order, without a block repeating its own last layer.

    A block that returns its last layer's tensor (or whose shared ReLU's last call is the block
    output) shows once, under the block's name: it was registered last and sits where the tensor is made.
    """
    names = [n for n, out in captured.items() if n in candidates and isinstance(out, torch.Tensor) and out.dim() == 4]
    return [
        name for name in names if not any(_inside(name, other) and captured[other] is captured[name] for other in names)
    ]


def _inside(name: str, block: str) -> bool:
    return name.startswith(block + ".")


def _value(
    name: str, names: list[str], captured: dict[str, torch.Tensor], tracker: ReceptiveFieldTracker
) -> torch.Tensor:
    """The layer's output as it was when the layer ran, even if a later in-place op (ReLU) overwrote it."""
    tensor = captured[name]
    later = [other for other in names[names.index(name) + 1 :] if captured[other] is tensor]
    if later:
        snapshot = tracker.before_inplace(tensor)
        return tensor if snapshot is None else snapshot
    return tensor


def channel_order(stats: ChannelStats, by: str = "index") -> np.ndarray:
    """Channel indices sorted by ``by``: "index", "mean" or "max" (strongest first)."""
    if by == "mean":
        return np.argsort(-stats.mean, kind="stable")
    if by == "max":
        return np.argsort(-stats.max, kind="stable")
    return np.arange(len(stats.mean))
