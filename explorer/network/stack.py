"""The stack calculator: type a stack of layers, see what comes out of each, and what depthwise-separable saves.

Pure arithmetic (no network is built, nothing imports torch): per axis the output is
floor((W + P_before + P_after - D(K-1) - 1) / S) + 1 (ceil instead of floor for ``pool ... ceil``, as
PyTorch's ceil_mode, which also drops a last window that would start in the right padding); parameters
are weights plus biases (batch norm: its scale and shift, 2 per channel; its running mean and variance are
buffers, not parameters, as PyTorch counts); multiply-adds count convolutions and fully connected layers;
the receptive field grows by (K-1)*D*jump per layer and the jump by the stride, per axis. After ``gap`` or
an ``fc`` every output sees the whole input.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from explorer.errors import ExplorerError, quoted
from explorer.network.stack_syntax import MAX_NUMBER, STACK_SYNTAX, Layer, parse_lines

__all__ = ["STACK_SYNTAX", "StackResult", "StackRow", "calculate", "gap_saving", "run_layers", "separable_counts"]
MAX_COUNT = 10**15
"""The most parameters, multiply-adds or receptive-field pixels one layer may reach (far beyond any real network)."""

Shape = tuple[int, ...]
"""(height, width, channels) for a picture, (numbers,) once flattened."""


@dataclass(frozen=True)
class StackRow:
    """One layer of a typed stack: what goes in, what comes out, what it costs, what one output value sees."""

    layer: Layer
    in_shape: Shape
    shape: Shape
    params: int
    mult_adds: int
    receptive_field: tuple[int, int]
    jump: tuple[int, int] | None
    whole_input: bool

    @property
    def number(self) -> int:
        """Which layer of the typed stack this is: 1, 2, ... in the order typed (an input line is not one)."""
        return self.layer.number

    @property
    def text(self) -> str:
        return self.layer.text

    @property
    def kind(self) -> str:
        return self.layer.kind

    @property
    def output(self) -> str:
        """The output shape as text: '28 x 28 x 6' (height x width x channels) or '120'."""
        return " x ".join(str(n) for n in self.shape)

    @property
    def receptive_text(self) -> str:
        """'5 x 5', or 'whole input' once every output value sees all of it."""
        return "whole input" if self.whole_input else f"{self.receptive_field[0]} x {self.receptive_field[1]}"


@dataclass(frozen=True)
class StackResult:
    """Every row of a stack, the input it started from, and whether an ``input`` line gave it."""

    input_shape: tuple[int, int, int]
    input_from_text: bool
    rows: tuple[StackRow, ...]

    @property
    def total_params(self) -> int:
        return sum(row.params for row in self.rows)

    @property
    def total_mult_adds(self) -> int:
        return sum(row.mult_adds for row in self.rows)

    def largest(self) -> StackRow:
        """The layer holding the most parameters (the first of equals)."""
        return max(self.rows, key=lambda row: row.params)


def calculate(text: str, input_shape: tuple[int, int, int] = (224, 224, 3)) -> StackResult:
    """Parse the typed stack and work out every layer; an ``input`` first line overrides ``input_shape``."""
    typed_input, layers = parse_lines(text)
    shape = typed_input or input_shape
    if not all(1 <= side <= MAX_NUMBER for side in shape):
        raise ExplorerError(f"The input's height, width and channels must be whole numbers from 1 to {MAX_NUMBER:,}.")
    return StackResult(shape, typed_input is not None, run_layers(layers, shape))


def run_layers(layers: list[Layer], input_shape: tuple[int, int, int]) -> tuple[StackRow, ...]:
    """The arithmetic of each layer in turn, from an input of (height, width, channels)."""
    shape: Shape = input_shape
    field, jump, whole = (1, 1), (1, 1), False
    rows = []
    for layer in layers:
        where = f"Layer {layer.number} {quoted(layer.text)}"
        out, params, mult_adds = _layer_output(layer, shape, where)
        if layer.kind in ("conv", "pool"):
            reach = tuple(layer.dilation * (k - 1) if layer.kind == "conv" else k - 1 for k in layer.kernel)
            field = (field[0] + reach[0] * jump[0], field[1] + reach[1] * jump[1])
            jump = (jump[0] * layer.stride[0], jump[1] * layer.stride[1])
        whole = whole or layer.kind in ("fc", "gap")
        if max(params, mult_adds, *field, *jump) > MAX_COUNT:
            raise ExplorerError(
                f"{where} reaches more than 10^15 parameters, multiply-adds or pixels; use smaller numbers."
            )
        seen = input_shape[:2] if whole else field
        rows.append(StackRow(layer, shape, out, params, mult_adds, seen, None if len(out) == 1 else jump, whole))
        shape = out
    return tuple(rows)


def _layer_output(layer: Layer, shape: Shape, where: str) -> tuple[Shape, int, int]:
    """(output shape, parameters, multiply-adds) of one layer on an input of ``shape``."""
    flat = len(shape) == 1
    if layer.kind in ("conv", "pool", "gap") and flat:
        raise ExplorerError(
            f"{where} needs a picture (height x width x channels), but after flatten or gap the data is "
            f"{shape[0]} numbers in a row."
        )
    if layer.kind == "fc":
        if not flat:
            raise ExplorerError(f"{where} needs a flat list of numbers: put 'flatten' or 'gap' before it.")
        units = layer.units or 1
        return (units,), shape[0] * units + (units if layer.bias else 0), shape[0] * units
    if layer.kind == "flatten":
        return (shape[0] * shape[1] * shape[2],) if not flat else shape, 0, 0
    if layer.kind == "gap":
        return (shape[2],), 0, 0
    if layer.kind == "bn":
        return shape, 2 * shape[-1], 0
    if layer.kind not in ("conv", "pool"):
        return shape, 0, 0
    height, width, channels = shape
    out_h, out_w = (_side(layer, axis, size, where) for axis, size in enumerate((height, width)))
    if layer.kind == "pool":
        return (out_h, out_w, channels), 0, 0
    out_c = layer.units or channels
    if layer.depthwise and out_c != channels:
        raise ExplorerError(f"{where}: a depthwise conv keeps the channel count ({channels}); drop c{out_c}.")
    per_output = (1 if layer.depthwise else channels) * layer.kernel[0] * layer.kernel[1]
    params = per_output * out_c + (out_c if layer.bias else 0)
    return (out_h, out_w, out_c), params, per_output * out_c * out_h * out_w


def _side(layer: Layer, axis: int, size: int, where: str) -> int:
    """One axis of the output size (floor, or PyTorch's ceil mode for a pool)."""
    dilation = layer.dilation if layer.kind == "conv" else 1
    reach = dilation * (layer.kernel[axis] - 1) + 1
    if isinstance(layer.padding, str):  # 'same': K_eff - 1 zeros, the odd one after (as PyTorch and the lab)
        before, after = (reach - 1) // 2, reach - 1 - (reach - 1) // 2
    else:
        before = after = layer.padding[axis]
    span, stride = size + before + after - reach, layer.stride[axis]
    out = (-(-span // stride) if layer.ceil else span // stride) + 1
    if layer.ceil and (out - 1) * stride >= size + before:
        out -= 1  # PyTorch: the last window must start inside the input or the left padding
    if out < 1 or (span < 0 and not layer.ceil):
        raise ExplorerError(
            f"{where} reaches {reach} pixels but the padded input is only {size + before + after} "
            f"({('height', 'width')[axis]}); nothing is left of it."
        )
    return out


@dataclass(frozen=True)
class GapSaving:
    """What replacing a stack's 'flatten' by global average pooling saves in the fully connected layer after it."""

    flatten_number: int
    fc_before: StackRow
    fc_after: StackRow
    total_before: int
    total_after: int

    @property
    def saved(self) -> int:
        return self.total_before - self.total_after


def gap_saving(result: StackResult) -> GapSaving | None:
    """The same stack with its first 'flatten' of a map bigger than 1x1 (followed by an fc) replaced by 'gap'."""
    rows = result.rows
    for index, row in enumerate(rows):
        following = [r for r in rows[index + 1 :] if r.params or r.kind == "fc"]
        if row.kind != "flatten" or len(row.in_shape) != 3 or row.in_shape[0] * row.in_shape[1] == 1:
            continue
        if not following or following[0].kind != "fc":
            return None
        layers = [replace(r.layer, kind="gap", text="gap") if r is row else r.layer for r in rows]
        changed = run_layers(layers, result.input_shape)
        fc_index = rows.index(following[0])
        return GapSaving(
            row.number, rows[fc_index], changed[fc_index], result.total_params, sum(r.params for r in changed)
        )
    return None


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
