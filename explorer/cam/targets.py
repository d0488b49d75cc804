"""What a CAM is about: which layer to look at and which class to explain.

The layers offered are the network's blocks first (ResNet's ``layer4`` and ``layer4.1``, DenseNet's
dense blocks and ``features``, GoogLeNet's inception modules, ConvNeXt's stages, VGG's ReLU and pool
outputs, Lite0's ``_blocks.N``), then every convolution. The default is the last block the forward
finishes whose output is still a grid (spatial size above 1) and is not a pooling layer's output: the
deepest place where "what" and "where" are both present, as torchcam's automatic choice and the
Grad-CAM paper take it (ResNet ``layer4``, DenseNet ``features``, GoogLeNet ``inception5b``, VGG-16
``features.29``), never a convolution inside a block before its normalisation or skip connection.
Classes can be named the way a person types them ("Egyptian cat", "espresso", "top1", "281"), with a
suggestion for a near miss.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import torch
from torch import nn

from explorer.errors import ExplorerError
from explorer.network.capture import ForwardHook, hooked_forward
from explorer.network.filters import conv_layer_names

BLOCK = "block"
CONVOLUTION = "convolution"
_NOT_BLOCKS = (
    nn.Conv2d, nn.BatchNorm2d, nn.LayerNorm, nn.GroupNorm, nn.LocalResponseNorm,
    nn.Linear, nn.Dropout, nn.Dropout2d, nn.Flatten, nn.Identity,
)  # fmt: skip
"""Leaves that are parts of a block, not blocks: convolutions have their own group, the rest are not maps."""
_POOLS = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d, nn.LPPool2d)


@dataclass(frozen=True)
class CamLayer:
    """A layer a CAM can look at, its group, and its output on a probe input of the photo's size.

    ``finished`` is when the forward finished it among the listed layers (a block finishes after the
    layers inside it); ``pooled`` says its output is a pooling layer's (VGG's ``features`` ends in one).
    """

    name: str
    group: str
    channels: int
    height: int
    width: int
    finished: int
    pooled: bool

    @property
    def label(self) -> str:
        """Group, name and output shape, for a select box: "block · layer4 (512x7x11)"."""
        return f"{self.group} · {self.name} ({self.channels}x{self.height}x{self.width})"


def block_names(module: nn.Module) -> list[str]:
    """The network's blocks in module order: its children, and the members of every plain
    ``nn.Sequential`` among them (ResNet's ``layer4`` and ``layer4.0``, VGG's ``features.29``),
    leaving out convolutions, normalisations, dropout and fully connected layers."""
    names: list[str] = []

    def visit(prefix: str, parent: nn.Module) -> None:
        for child_name, child in parent.named_children():
            if isinstance(child, _NOT_BLOCKS):
                continue
            names.append(prefix + child_name)
            if type(child) is nn.Sequential:
                visit(f"{prefix}{child_name}.", child)

    visit("", module)
    return names


def cam_layers(module: nn.Module, size: tuple[int, ...] = (224, 224)) -> tuple[CamLayer, ...]:
    """Every block whose output is a grid of maps (larger than 1x1), then every 2-D convolution, each
    group in the order the forward finishes them (``layer4.0``, ``layer4.1``, then ``layer4``),
    measured on one grey probe image of ``size`` (H, W)."""
    convolutions = conv_layer_names(module)
    blocks = [name for name in block_names(module) if name not in convolutions]
    pools = [name for name, layer in module.named_modules() if isinstance(layer, _POOLS)]
    maps: dict[str, tuple[int, int, int, int, bool]] = {}  # name -> (when it finished, C, H, W, pooled)
    finished: list[str] = []
    pooled: list[torch.Tensor] = []  # kept alive during the forward, so identity means "made by a pool"

    def record(name: str) -> ForwardHook:
        def keep(_module: nn.Module, _args: object, output: torch.Tensor) -> None:
            if not isinstance(output, torch.Tensor):
                return
            made_by_pool = name in pools or any(output is made for made in pooled)
            if name in pools:
                pooled.append(output)
            finished.append(name)
            maps.pop(name, None)
            if output.ndim == 4:
                maps[name] = (len(finished), *output.shape[1:4], made_by_pool)

        return keep

    device = next(module.parameters()).device
    with torch.no_grad():
        probe = torch.zeros(1, 3, *size, device=device)
        hooked_forward(module, probe, {name: record(name) for name in dict.fromkeys(blocks + convolutions + pools)})
    layers = [
        CamLayer(name, group, channels, height, width, finished=order, pooled=made_by_pool)
        for group, names in ((BLOCK, blocks), (CONVOLUTION, convolutions))
        for name in names
        if name in maps
        for order, channels, height, width, made_by_pool in [maps[name]]
        if group == CONVOLUTION or height * width > 1
    ]
    if not any(layer.group == CONVOLUTION for layer in layers):
        raise ExplorerError("This network has no convolution layers to explain.")
    return tuple(sorted(layers, key=lambda layer: (layer.group != BLOCK, layer.finished)))


def default_layer(layers: tuple[CamLayer, ...]) -> str:
    """The last block the forward finishes whose output is larger than 1x1 and not a pool's (else the
    last such convolution)."""
    for group in (BLOCK, CONVOLUTION):
        grids = [
            layer
            for layer in layers
            if layer.group == group and layer.height > 1 and layer.width > 1 and not layer.pooled
        ]
        if grids:
            return max(grids, key=lambda layer: layer.finished).name
    raise ExplorerError("This network has no layer with a spatial output larger than 1x1.")


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
