"""The stack calculator and separable counts, checked against numbers known by hand."""

from __future__ import annotations

import pytest

from explorer.errors import ExplorerError
from explorer.network.stack import parse_stack, separable_counts


def test_stack_receptive_fields_by_hand():
    assert [r.receptive_field for r in parse_stack("conv 3x3 s1; conv 3x3 s1")] == [3, 5]
    assert [r.receptive_field for r in parse_stack("conv 3x3 s2; conv 3x3 s1")] == [3, 7]
    # conv3 (3), pool 2 (3 + 1*1 = 4, jump 2), conv3 (4 + 2*2 = 8)
    rows = parse_stack("conv 3x3 p1; pool 2; conv 3x3 p1")
    assert [r.receptive_field for r in rows] == [3, 4, 8]
    assert [r.jump for r in rows] == [1, 2, 2]


def test_stack_sizes_params_and_multiply_adds():
    rows = parse_stack("conv 3x3 s1 p1 c64; pool 2; conv 3x3 c128", size=(32, 32), channels=3)
    assert [(r.channels, r.size) for r in rows] == [(64, (32, 32)), (64, (16, 16)), (128, (14, 14))]
    assert [r.params for r in rows] == [3 * 9 * 64 + 64, 0, 64 * 9 * 128 + 128]
    assert rows[2].mult_adds == 128 * 14 * 14 * 64 * 9


def test_stack_options_same_padding_dilation_and_depthwise():
    rows = parse_stack("conv 5x5 p same d2 c8\nconv 3x3 s2 dw", size=(20, 20), channels=3)
    assert rows[0].size == (20, 20) and rows[0].receptive_field == 9
    assert rows[1].channels == 8 and rows[1].params == 8 * 9 + 8
    assert rows[1].size == (9, 9)  # (20 - 3) // 2 + 1, no padding


@pytest.mark.parametrize("text", ["", "banana 3", "conv", "conv 3x3 q7", "conv 3x3 c4 dw", "conv 9x9", "pool 0"])
def test_stack_bad_text_is_one_clear_sentence(text):
    with pytest.raises(ExplorerError) as error:
        parse_stack(text, size=(4, 4))
    assert "\n" not in str(error.value) and str(error.value).endswith(".")


def test_separable_counts_by_hand():
    counts = separable_counts(3, 32, 64)
    assert (counts.standard, counts.depthwise, counts.pointwise) == (3 * 3 * 32 * 64, 3 * 3 * 32, 32 * 64)
    assert counts.separable == 288 + 2048
    assert counts.ratio == pytest.approx(18432 / 2336)
    with pytest.raises(ExplorerError):
        separable_counts(0, 3, 3)
