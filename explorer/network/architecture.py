"""How a network is built: the per-layer table of the real network on the user's photo.

The table reads shapes and receptive fields from the one forward pass the feature maps already made
(``NetworkRun``), and parameters and multiply-adds from the modules themselves, so the numbers are
the real network's on the user's photo. Multiply-adds count convolutions and fully connected layers
only (norms, activations and pools are cheap by comparison), per image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from torch import nn

from explorer.errors import ExplorerError
from explorer.models.layers import Conv2dSame
from explorer.network.features import NetworkRun, layer_kind


@dataclass(frozen=True)
class LayerRow:
    """One row of the layer table."""

    name: str
    type_name: str
    kernel: str
    stride: str
    padding: str
    output_shape: tuple[int, ...]
    params: int
    receptive_field: int | None
    mult_adds: int
    receptive_whole: str = ""
    """Why one value sees the whole image ("global gate" after squeeze-excite, "global pool"), or ""."""

    @property
    def receptive_text(self) -> str:
        """The receptive field for the table: "195", "whole image (global gate)", or "" for a flat output."""
        if self.receptive_whole:
            return f"whole image ({self.receptive_whole})"
        return "" if self.receptive_field is None else str(self.receptive_field)


@dataclass(frozen=True)
class LayerTable:
    """The rows in execution order, and totals over the whole model."""

    rows: tuple[LayerRow, ...]
    total_params: int
    total_mult_adds: int


def _pair(value: object) -> str:
    if isinstance(value, (tuple, list)):
        return "x".join(str(v) for v in value) if len(set(value)) > 1 else str(value[0])
    return str(value)


def describe(module: nn.Module) -> tuple[str, str, str]:
    """(kernel, stride, padding) of a conv or pool as short text; "same" for TensorFlow-style padding."""
    if isinstance(module, nn.Conv2d):
        padding = "same" if isinstance(module, Conv2dSame) else _pair(module.padding)
        kernel = _pair(module.kernel_size)
        if module.groups > 1:
            kernel += " depthwise" if module.groups == module.in_channels else f" groups={module.groups}"
        return kernel, _pair(module.stride), padding
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        return _pair(module.kernel_size), _pair(module.stride), _pair(module.padding)
    if isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        return f"to {_pair(module.output_size)}", "-", "-"
    return "-", "-", "-"


def layer_facts(model: nn.Module, name: str) -> dict[str, str]:
    """Type, kernel, stride, padding and parameters (including sub-layers) of one named layer."""
    module = dict(model.named_modules()).get(name)
    if module is None:
        raise ExplorerError(f"The model has no layer called '{name}'.")
    kernel, stride, padding = describe(module)
    params = sum(p.numel() for p in module.parameters())
    return {
        "type": type(module).__name__,
        "kernel": kernel,
        "stride": stride,
        "padding": padding,
        "parameters": f"{params:,}",
    }


def own_params(module: nn.Module) -> int:
    """Parameters held by this module itself (not its children)."""
    return sum(p.numel() for p in module.parameters(recurse=False))


def mult_adds(module: nn.Module, output_shape: tuple[int, ...]) -> int:
    """Multiply-adds for one image: a conv does (in/groups * kh * kw) per output value, a linear in_features."""
    outputs = math.prod(output_shape)
    if isinstance(module, nn.Conv2d):
        kh, kw = module.kernel_size
        return outputs * (module.in_channels // module.groups) * kh * kw
    if isinstance(module, nn.Linear):
        return outputs * module.in_features
    return 0


def layer_table(model: nn.Module, run: NetworkRun) -> LayerTable:
    """Every conv, pool, norm and linear layer that ran, with its numbers for the photo in ``run``."""
    modules = dict(model.named_modules())
    rows = []
    for name, shape in run.leaf_shapes.items():
        module = modules[name]
        if layer_kind(module) not in {"conv", "pool", "norm", "linear"} and not own_params(module):
            continue
        kernel, stride, padding = describe(module)
        info = run.leaf_receptive.get(name) if len(shape) == 3 else None
        rows.append(
            LayerRow(
                name,
                type(module).__name__,
                kernel,
                stride,
                padding,
                shape,
                own_params(module),
                info.size if info else None,
                mult_adds(module, shape),
                info.whole if info else "",
            )
        )
    total = sum(p.numel() for p in model.parameters())
    return LayerTable(tuple(rows), total, sum(row.mult_adds for row in rows))
