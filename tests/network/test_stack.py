"""The stack calculator against numbers known by hand and against PyTorch layers built from the same words."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from explorer.errors import ExplorerError
from explorer.network.stack import calculate, gap_saving, separable_counts


def fields(text: str, size=(224, 224, 3)):
    return [row.receptive_field for row in calculate(text, size).rows]


def test_stack_receptive_fields_by_hand():
    assert fields("conv 3x3 s1; conv 3x3 s1") == [(3, 3), (5, 5)]
    assert fields("conv 3x3 s2; conv 3x3 s1") == [(3, 3), (7, 7)]
    # conv3 (3), pool 2 (3 + 1*1 = 4, jump 2), conv3 (4 + 2*2 = 8)
    rows = calculate("conv 3x3 p1; pool 2; conv 3x3 p1").rows
    assert [r.receptive_field for r in rows] == [(3, 3), (4, 4), (8, 8)]
    assert [r.jump for r in rows] == [(1, 1), (2, 2), (2, 2)]


def test_non_square_kernels_and_strides_grow_each_axis_on_its_own():
    rows = calculate("conv 3x5 s1x2 c8; conv 1x7 s2x1; pool 3x1", (40, 40, 3)).rows
    assert [r.shape for r in rows] == [(38, 18, 8), (19, 12, 8), (6, 12, 8)]
    assert [r.receptive_field for r in rows] == [(3, 5), (3, 17), (7, 17)]
    assert [r.jump for r in rows] == [(1, 2), (2, 2), (6, 2)]
    assert rows[0].params == 3 * 3 * 5 * 8 + 8


def test_stack_sizes_params_and_multiply_adds():
    rows = calculate("conv 3x3 s1 p1 c64; pool 2; conv 3x3 c128", (32, 32, 3)).rows
    assert [r.shape for r in rows] == [(32, 32, 64), (16, 16, 64), (14, 14, 128)]
    assert [r.params for r in rows] == [3 * 9 * 64 + 64, 0, 64 * 9 * 128 + 128]
    assert rows[2].mult_adds == 128 * 14 * 14 * 64 * 9


def test_lenet_5_by_hand_has_61706_parameters():
    result = calculate("conv 5x5 c6; pool 2; conv 5x5 c16; pool 2; flatten; fc 120; fc 84; fc 10", (32, 32, 1))
    assert [r.params for r in result.rows] == [156, 0, 2416, 0, 0, 48120, 10164, 850]
    assert [r.output for r in result.rows][3:6] == ["5 x 5 x 16", "400", "120"]
    assert result.total_params == 61_706
    assert result.rows[-1].whole_input and result.rows[-1].receptive_text == "whole input"
    assert result.rows[-1].receptive_field == (32, 32)


def test_zero_parameter_steps_bias_and_batch_norm():
    result = calculate("input 8x8x2; conv 3x3 p1 c4 nobias; bn; relu; gap; fc 3 nobias; softmax", (1, 1, 1))
    assert result.input_from_text and result.input_shape == (8, 8, 2)
    assert [r.number for r in result.rows] == [1, 2, 3, 4, 5, 6]
    assert [r.params for r in result.rows] == [2 * 9 * 4, 2 * 4, 0, 0, 4 * 3, 0]
    assert [r.shape for r in result.rows][3:] == [(4,), (3,), (3,)]
    assert [r.jump for r in result.rows][3] is None


def test_input_lines_in_several_spellings():
    assert calculate("input 227 x 227 x 3\nconv 11x11 s4 c96").rows[0].shape == (55, 55, 96)
    assert calculate("input 32x24; conv 3x3").input_shape == (32, 24, 3)


def test_same_padding_for_even_kernels_matches_pytorch():
    for kernel in ((2, 2), (4, 3), (1, 6)):
        result = calculate(f"conv {kernel[0]}x{kernel[1]} same d2 c5", (9, 10, 3))
        layer = nn.Conv2d(3, 5, kernel, padding="same", dilation=2)
        assert result.rows[0].shape == tuple(layer(torch.zeros(1, 3, 9, 10)).shape[2:]) + (5,) == (9, 10, 5)


@pytest.mark.parametrize("size", range(5, 15))
@pytest.mark.parametrize("kernel, stride, padding", [(3, 2, 0), (2, 2, 1), (3, 3, 1), (4, 3, 2)])
def test_ceil_mode_pooling_matches_pytorch(size, kernel, stride, padding):
    result = calculate(f"pool {kernel} s{stride} p{padding} ceil", (size, size + 1, 2))
    pooled = nn.MaxPool2d(kernel, stride, padding, ceil_mode=True)(torch.zeros(1, 2, size, size + 1))
    assert result.rows[0].shape == (*pooled.shape[2:], 2)


def test_gap_instead_of_flatten_saves_what_the_first_fc_layer_loses():
    result = calculate("conv 3x3 p1 c16; pool 2; flatten; relu; fc 10", (8, 8, 3))
    saving = gap_saving(result)
    assert saving is not None and saving.flatten_number == 3
    assert (saving.fc_before.params, saving.fc_after.params) == (4 * 4 * 16 * 10 + 10, 16 * 10 + 10)
    assert saving.saved == saving.fc_before.params - saving.fc_after.params
    assert gap_saving(calculate("conv 3x3; gap; fc 2", (8, 8, 3))) is None


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "at least one layer"),
        ("banana 3", "Layer 1 'banana 3' should start with one of conv, pool, fc"),
        ("conv", "Layer 1 'conv' needs a kernel size"),
        ("conv 3x3; conv 3x3 q7", "Layer 2 'conv 3x3 q7': 'q7' is not understood; try e.g. 'conv 3x3 s2 p1 c64'"),
        ("conv 3x3 c4 dw", "depthwise conv keeps the channel count (3)"),
        ("conv 9x9", "Layer 1 'conv 9x9' reaches 9 pixels but the padded input is only 4 (height)"),
        ("pool 0", "at least 1"),
        ("conv 3x3; fc 10", "Layer 2 'fc 10' needs a flat list of numbers: put 'flatten' or 'gap' before it"),
        ("flatten; pool 2", "Layer 2 'pool 2' needs a picture"),
        ("relu 2", "'relu' takes no numbers"),
        ("fc", "needs a number of outputs"),
        ("conv 3x3; input 3x3x3", "Layer 2 'input 3x3x3': 'input' can only be the first line"),
        ("input 3x", "The input line 'input 3x' should give the input as height x width x channels"),
        ("input 0x4x4; conv 1", "must be at least 1"),
        ("input 4x4x1", "After the input line, type at least one layer"),
        ("pool 2 s99999999999999999999", "the number 99999999999999999999 is too large; numbers go up to 100,000"),
        ("conv 3x3 c" + "9" * 5000, "is too large"),
        ("input 100000x100000x100000; conv 100000x1 c100000", "more than 10^15"),
        ("conv 1;" * 501, "up to 500"),
        ("conv 3x3; ,", "Layer 2 ',' is empty: type a layer such as 'conv 3x3 c16'"),
    ],
)
def test_bad_text_is_one_sentence_naming_the_line(text, message):
    with pytest.raises(ExplorerError) as error:
        calculate(text, (4, 4, 3))
    assert message in str(error.value)
    assert "\n" not in str(error.value) and str(error.value).endswith(".") and len(str(error.value)) < 250


def test_separable_counts_by_hand():
    counts = separable_counts(3, 32, 64)
    assert (counts.standard, counts.depthwise, counts.pointwise) == (3 * 3 * 32 * 64, 3 * 3 * 32, 32 * 64)
    assert counts.separable == 288 + 2048
    assert counts.ratio == pytest.approx(18432 / 2336)
    with pytest.raises(ExplorerError):
        separable_counts(0, 3, 3)
