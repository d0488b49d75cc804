"""The stack calculator: type a stack of layers, see what comes out of each, and what depthwise-separable saves.

Pure arithmetic (no network is built): output size floor((W + 2P - D(K-1) - 1) / S) + 1 per axis,
parameters, multiply-adds and the receptive field, which grows by (K-1)*D*jump per layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from explorer.errors import ExplorerError


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
    return SeparableCounts(
        kernel * kernel * in_channels * out_channels, kernel * kernel * in_channels, in_channels * out_channels
    )
