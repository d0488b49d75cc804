"""How a network is built: the per-layer table, a calculator for a typed stack, separable-conv counts.

The table reads shapes and receptive fields from the one forward pass the feature maps already made
(``NetworkRun``), and parameters and multiply-adds from the modules themselves, so the numbers are
the real network's on the user's photo. Multiply-adds count convolutions and fully connected layers
only (norms, activations and pools are cheap by comparison), per image.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from torch import nn

from explorer.errors import ExplorerError
from explorer.features import NetworkRun, layer_kind
from explorer.models import Conv2dSame


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
    return {"type": type(module).__name__, "kernel": kernel, "stride": stride, "padding": padding,
            "parameters": f"{params:,}"}


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
        info = run.leaf_receptive.get(name)
        rows.append(LayerRow(name, type(module).__name__, kernel, stride, padding, shape, own_params(module),
                             info.size if info and len(shape) == 3 else None, mult_adds(module, shape)))
    total = sum(p.numel() for p in model.parameters())
    return LayerTable(tuple(rows), total, sum(row.mult_adds for row in rows))


@dataclass(frozen=True)
class StackRow:
    """One layer of a typed stack: what it is and what comes out."""

    text: str
    size: tuple[int, int]
    channels: int
    params: int
    receptive_field: int
    jump: int
    mult_adds: int


STACK_SYNTAX = """One layer per line or separated by ';'. Numbers after letters, in any order:
  conv KxK [sS] [pP | same] [cC] [dD] [dw]   e.g. conv 3x3 s1 p1 c64   (dw = depthwise; bias included)
  pool K [sS] [pP] [max | avg]                 e.g. pool 2   (stride defaults to K)
Defaults: stride 1 for conv, padding 0, channels unchanged, dilation 1."""

_TOKEN = re.compile(
    r"^(?:(?P<k>\d+)(?:x(?P<k2>\d+))?|s(?P<s>\d+)|p(?P<p>\d+|same)|c(?P<c>\d+)|d(?P<d>\d+)|(?P<w>dw|max|avg))$"
)


def parse_stack(text: str, size: tuple[int, int] = (224, 224), channels: int = 3) -> tuple[StackRow, ...]:
    """Work out the output size, parameters, receptive field and multiply-adds of each typed layer.

    ``size`` is the input (height, width). Raises ExplorerError naming the first line it cannot read.
    """
    parts = [part.strip() for part in re.split(r"[;\n]", text) if part.strip()]
    if not parts:
        raise ExplorerError("Type at least one layer, for example 'conv 3x3 s1 p1 c64; pool 2'.")
    height, width = size
    rf, jump, rows = 1, 1, []
    for part in parts:
        words = re.sub(r"\b(?:p\s*)?same\b", "psame", part.lower().replace(",", " ")).split()
        kind = words[0]
        if kind not in {"conv", "pool"}:
            raise ExplorerError(f"'{part}' should start with 'conv' or 'pool'.")
        fields: dict[str, str] = {}
        for word in words[1:]:
            match = _TOKEN.match(word)
            if not match:
                raise ExplorerError(f"In '{part}', '{word}' is not understood (try e.g. 'conv 3x3 s2 p1 c64').")
            fields.update({key: value for key, value in match.groupdict().items() if value is not None})
        if "k" not in fields:
            raise ExplorerError(f"'{part}' needs a kernel size, like '3x3' or '2'.")
        kh = int(fields["k"])
        kw = int(fields.get("k2", kh))
        stride = int(fields.get("s", 1 if kind == "conv" else kh))
        dilation = int(fields.get("d", 1))
        if min(kh, kw, stride, dilation) < 1:
            raise ExplorerError(f"In '{part}', kernel, stride and dilation must be at least 1.")
        same = fields.get("p") == "same"
        pad_h = (dilation * (kh - 1)) // 2 if same else int(fields.get("p", 0))
        pad_w = (dilation * (kw - 1)) // 2 if same else int(fields.get("p", 0))
        out_c = int(fields.get("c", channels)) if kind == "conv" else channels
        depthwise = fields.get("w") == "dw"
        if depthwise and out_c != channels:
            raise ExplorerError(f"In '{part}', a depthwise conv keeps the channel count ({channels}).")
        height = (height + 2 * pad_h - dilation * (kh - 1) - 1) // stride + 1
        width = (width + 2 * pad_w - dilation * (kw - 1) - 1) // stride + 1
        if height < 1 or width < 1 or out_c < 1:
            raise ExplorerError(f"After '{part}' nothing is left of the image: the input is too small for it.")
        rf += (kh - 1) * dilation * jump
        jump *= stride
        params = macs = 0
        if kind == "conv":
            per_output = (1 if depthwise else channels) * kh * kw
            params = per_output * out_c + out_c
            macs = per_output * out_c * height * width
        rows.append(StackRow(part, (height, width), out_c, params, rf, jump, macs))
        channels = out_c
    return tuple(rows)


@dataclass(frozen=True)
class SeparableCounts:
    """Weights of a standard conv versus its depthwise-separable replacement (no biases)."""

    standard: int
    depthwise: int
    pointwise: int

    @property
    def separable(self) -> int:
        return self.depthwise + self.pointwise

    @property
    def ratio(self) -> float:
        """How many times fewer weights the separable version needs."""
        return self.standard / self.separable


def separable_counts(kernel: int, in_channels: int, out_channels: int) -> SeparableCounts:
    """k*k*C_in*C_out for a standard conv; k*k*C_in (depthwise) plus C_in*C_out (1x1 pointwise)."""
    if min(kernel, in_channels, out_channels) < 1:
        raise ExplorerError("Kernel size and channel counts must be at least 1.")
    return SeparableCounts(kernel * kernel * in_channels * out_channels, kernel * kernel * in_channels,
                           in_channels * out_channels)
