"""Property-based: whatever is typed into the calculator gives a displayable table or one sentence, and
random valid stacks agree with the PyTorch layers they describe (shapes from a real forward, parameters)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
import torch
from hypothesis import event, given, settings
from hypothesis import strategies as st
from torch import nn

from explorer.errors import ExplorerError
from explorer.network.stack import calculate
from explorer.network.stack_syntax import KINDS, Layer, parse_lines
from ui.stack import table_rows

NUMBER = st.one_of(st.integers(0, 12), st.integers(0, 10**25), st.integers(0, 10**6)).map(str)
WORD = st.one_of(
    NUMBER,
    st.tuples(NUMBER, NUMBER).map("x".join),
    st.tuples(st.sampled_from("spcdx"), NUMBER).map("".join),
    st.tuples(st.sampled_from("sp"), NUMBER, NUMBER).map(lambda t: f"{t[0]}{t[1]}x{t[2]}"),
    st.sampled_from(["same", "valid", "dw", "max", "avg", "ceil", "bias", "nobias", "**b**", "$x$", "x", ""]),
    st.text(max_size=6),
)
LINE = st.tuples(st.sampled_from([*KINDS, "input", "linear", "avgpool", "banana", ""]), st.lists(WORD, max_size=5))
TYPED = st.lists(LINE.map(lambda line: " ".join([line[0], *line[1]])), min_size=0, max_size=8).map("\n".join)
INPUT = st.one_of(
    st.tuples(st.integers(1, 64), st.integers(1, 64), st.integers(1, 8)),
    st.tuples(st.integers(-5, 10**6), st.integers(-5, 10**6), st.integers(-5, 10**6)),
)


def one_sentence(error: ExplorerError) -> None:
    event("one sentence")
    message = str(error)
    assert message.endswith(".") and "\n" not in message and len(message) < 300, message


def displayable(result) -> None:
    """The page's table converts to Arrow (as st.dataframe does) and every count fits in 64 bits."""
    event("a table")
    table = pa.Table.from_pandas(pd.DataFrame(table_rows(result)))
    assert table.num_rows == len(result.rows)
    assert 0 <= result.total_params < 2**63 and 0 <= result.total_mult_adds < 2**63


@settings(max_examples=200, deadline=None)
@given(st.data(), INPUT)
def test_random_calculator_lines_give_a_table_or_one_sentence(data, size):
    text = data.draw(st.one_of(TYPED, valid_stacks(), st.tuples(valid_stacks(), WORD).map(" ".join)))
    try:
        result = calculate(text, size)
    except ExplorerError as error:
        one_sentence(error)
        return
    displayable(result)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.lists(st.integers(0, 40).map(str), min_size=2, max_size=3).map("x".join),
        st.tuples(NUMBER, NUMBER, NUMBER).map("x".join),
        st.text(max_size=20),
        WORD,
    ),
    st.booleans(),
)
def test_random_input_lines_give_a_table_or_one_sentence(shape, with_word):
    try:
        result = calculate(f"{'input ' if with_word else ''}{shape}\nconv 3x3 p1 c2; pool 2 ceil; flatten; fc 3")
    except ExplorerError as error:
        one_sentence(error)
        return
    displayable(result)


def conv_words(draw, stride: int) -> str:
    kernel = draw(st.tuples(st.integers(1, 4), st.integers(1, 4)))
    padding = draw(st.sampled_from(["same", "p0", "p1", "p2x1"] if stride == 1 else ["p0", "p1", "p1x2"]))
    extras = draw(st.sampled_from(["c3", "c5 nobias", "dw", "dw nobias", "d2 c4", ""]))
    strides = "s1" if padding == "same" else f"s{stride}x{draw(st.integers(1, 2))}"  # PyTorch: 'same' only at stride 1
    return f"conv {kernel[0]}x{kernel[1]} {strides} {padding} {extras}"


@st.composite
def valid_stacks(draw) -> str:
    """A stack of pictures-first layers (conv, pool, bn, relu), then maybe flatten or gap and fully connected."""
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["conv", "conv", "pool", "bn", "relu"]))
        if kind == "conv":
            lines.append(conv_words(draw, draw(st.integers(1, 3))))
        elif kind == "pool":
            size = draw(st.integers(1, 3))
            padding = draw(st.integers(0, size // 2))
            options = draw(st.sampled_from(["", "avg", "ceil", "avg ceil"]))
            lines.append(f"pool {size} s{draw(st.integers(1, 3))} p{padding} {options}")
        else:
            lines.append(kind)
    if draw(st.booleans()):
        lines += [draw(st.sampled_from(["flatten", "gap"])), f"fc {draw(st.integers(1, 5))}", "softmax"]
    return "; ".join(lines)


def torch_layer(layer: Layer, shape: tuple[int, ...]) -> nn.Module:
    """The PyTorch module the calculator's words describe, for an input of ``shape`` (H, W, C) or (N,)."""
    channels = shape[-1]
    if layer.kind == "conv":
        groups = channels if layer.depthwise else 1
        out = layer.units or channels
        padding = layer.padding if isinstance(layer.padding, str) else layer.padding
        return nn.Conv2d(channels, out, layer.kernel, layer.stride, padding, layer.dilation, groups, layer.bias)
    if layer.kind == "pool":
        pool = nn.AvgPool2d if layer.average else nn.MaxPool2d
        return pool(layer.kernel, layer.stride, layer.padding, ceil_mode=layer.ceil)
    if layer.kind == "fc":
        return nn.Linear(shape[0], layer.units, layer.bias)
    modules = {"flatten": nn.Flatten(), "gap": nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())}
    modules |= {"relu": nn.ReLU(), "softmax": nn.Softmax(1)}
    if layer.kind == "bn":
        return nn.BatchNorm2d(channels) if len(shape) == 3 else nn.BatchNorm1d(channels)
    return modules[layer.kind]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(max_examples=150, deadline=None)
@given(valid_stacks(), st.tuples(st.integers(1, 12), st.integers(1, 12), st.integers(1, 4)))
def test_random_valid_stacks_agree_with_the_pytorch_layers_they_describe(text, size):
    _, layers = parse_lines(text)
    try:
        result = calculate(text, size)
    except ExplorerError as error:
        assert "nothing is left" in str(error), error
        event("nothing left, and PyTorch agrees")
        with pytest.raises(RuntimeError):  # PyTorch refuses the same stack: its output would be empty
            shape: tuple[int, ...] = size
            data = torch.zeros(1, size[2], size[0], size[1])
            for layer in layers:
                module = torch_layer(layer, shape).eval()
                data = module(data)
                shape = (*data.shape[2:], data.shape[1]) if data.dim() == 4 else (data.shape[1],)
        return
    event("a table that PyTorch agrees with")
    data = torch.zeros(1, size[2], size[0], size[1])
    for row in result.rows:
        module = torch_layer(row.layer, row.in_shape).eval()
        with torch.no_grad():
            data = module(data)
        assert row.shape == ((*data.shape[2:], data.shape[1]) if data.dim() == 4 else (data.shape[1],)), row.text
        assert row.params == sum(p.numel() for p in module.parameters()), row.text
