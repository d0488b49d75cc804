"""What a CAM is about: which layer to look at and which class to explain.

The default layer is the last convolution whose output is still a grid (spatial size above 1): the
deepest place where "what" and "where" are both still present. Classes can be named the way a person
types them ("Egyptian cat", "espresso", "top1", "281"), with a suggestion for a near miss.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import torch
from torch import nn

from explorer.errors import ExplorerError
from explorer.network.capture import forward_capturing
from explorer.network.filters import conv_layer_names


@dataclass(frozen=True)
class ConvLayer:
    """A convolution of the network and the size of its output on a probe input."""

    name: str
    channels: int
    height: int
    width: int

    @property
    def label(self) -> str:
        """The name with its output shape, for a select box."""
        return f"{self.name}  ({self.channels}x{self.height}x{self.width})"


def conv_layers(module: nn.Module, size: tuple[int, ...] = (224, 224)) -> tuple[ConvLayer, ...]:
    """Every 2-D convolution in forward order, measured on one grey probe image of ``size`` (H, W)."""
    names = conv_layer_names(module)
    if not names:
        raise ExplorerError("This network has no convolution layers to explain.")
    device = next(module.parameters()).device
    with torch.no_grad():
        _, outputs = forward_capturing(module, torch.zeros(1, 3, *size, device=device), names)
    return tuple(
        ConvLayer(name, *outputs[name].shape[1:4]) for name in names if name in outputs and outputs[name].ndim == 4
    )


def default_layer(layers: tuple[ConvLayer, ...]) -> str:
    """The last convolution whose output is larger than 1x1."""
    for layer in reversed(layers):
        if layer.height > 1 and layer.width > 1:
            return layer.name
    raise ExplorerError("This network has no convolution with a spatial output larger than 1x1.")


def ranked_classes(module: nn.Module, inputs: torch.Tensor) -> tuple[int, ...]:
    """Every class index, most probable first, from one forward without gradients (for "topN" targets)."""
    with torch.no_grad():
        return tuple(module(inputs).reshape(-1).argsort(descending=True).tolist())


def resolve_class(text: str | int, categories: tuple[str, ...], ranked: tuple[int, ...] = ()) -> int:
    """A class index from "top1".."topK" (``ranked`` = indices best first), a number, or a class name.

    Names are matched case-insensitively; an unknown one raises an error suggesting the closest names.
    """
    wanted = str(text) if isinstance(text, int) else text.strip().lower()
    if wanted.startswith("top") and wanted[3:].isdigit():
        rank = int(wanted[3:])
        if not 1 <= rank <= len(ranked):
            raise ExplorerError(f"'{text}' is not available: use top1 to top{len(ranked)}.")
        return ranked[rank - 1]
    if wanted.lstrip("-").isdigit():
        index = int(wanted)
        if not 0 <= index < len(categories):
            raise ExplorerError(f"Class index {index} is out of range: use a number from 0 to {len(categories) - 1}.")
        return index
    lowered = [name.lower() for name in categories]
    if wanted in lowered:
        return lowered.index(wanted)
    close = difflib.get_close_matches(wanted, lowered, n=3, cutoff=0.5)
    hint = " or ".join(f"'{categories[lowered.index(name)]}'" for name in close)
    contains = [categories[i] for i, name in enumerate(lowered) if wanted and wanted in name][:3]
    hint = hint or " or ".join(f"'{name}'" for name in contains)
    suggestion = f"; did you mean {hint}?" if hint else "; use top1, a class index (0-999) or an ImageNet class name."
    raise ExplorerError(f"There is no class called '{text}'{suggestion}")
