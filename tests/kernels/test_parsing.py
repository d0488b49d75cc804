"""Typed and edited kernels: text parsed, any size 1x1..15x15, bad or huge input told in one sentence."""

import numpy as np
import pytest

from explorer.errors import ExplorerError
from explorer.kernels.parsing import colour_kernel, custom_kernel, parse_colour_text, parse_kernel_text


def test_text_with_semicolons_newlines_commas_and_fractions_is_parsed():
    grid = parse_kernel_text("1/9, 1/9, 1/9; 1 1 1\n -0.5  2e-1 3")
    np.testing.assert_allclose(grid, [[1 / 9] * 3, [1, 1, 1], [-0.5, 0.2, 3]])


@pytest.mark.parametrize(
    "text, shape", [("-1 1", (1, 2)), ("1; 0; -1", (3, 1)), ("1 2; 3 4", (2, 2)), ("1 1 1 1 1", (1, 5))]
)
def test_even_and_non_square_kernels_are_read_as_typed(text, shape):
    assert custom_kernel(parse_kernel_text(text)).shape == shape


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("  ;\n ", "empty"),
        ("1 0 -1; 2 x -2; 1 0 -1", "'x' is not a number"),
        ("1 0 -1; 2 0; 1 0 -1", "same number of values"),
        ("1/0", "'1/0' divides by zero"),
        ("nan 0 0; 0 0 0; 0 0 0", "'nan' is not a number"),
        ("inf 0 0; 0 0 0; 0 0 0", "'inf' is too large"),
        ("9" * 400 + "/1", "'" + "9" * 47 + "…' is too large"),
        ("1e400", "'1e400' is too large"),
        ("1e300 0; 0 0", "'1e300' is too large"),
        ("1" * 5000 + "/3", "is too large"),
        ("1" * 30_000, "characters long"),
    ],
)
def test_malformed_or_huge_kernel_text_gets_one_sentence(text, message):
    with pytest.raises(ExplorerError, match=message) as error:
        parse_kernel_text(text)
    assert "\n" not in str(error.value) and len(str(error.value)) < 200


@pytest.mark.parametrize(
    "rows, message",
    [
        (np.ones((16, 3)), "from 1x1 to 15x15; it is 16x3"),
        ([[1, np.nan, 0], [0, 0, 0]], "empty cell"),
        (np.full((3, 3), 1e38), "size 1e\\+38"),
        ([[1e300]], "from -1,000,000 to 1,000,000"),
        ([[1, 2], [3]], "rows of numbers"),
        ([1, 2, 3], "grid of rows and columns"),
    ],
)
def test_edited_grids_must_be_complete_and_bounded(rows, message):
    with pytest.raises(ExplorerError, match=message):
        custom_kernel(rows)


def test_every_size_from_1x1_to_15x15_is_accepted():
    for rows in range(1, 16):
        for cols in range(1, 16):
            assert custom_kernel(np.ones((rows, cols))).shape == (rows, cols)


def test_normalise_scales_a_kernel_to_sum_one():
    kernel = custom_kernel(parse_kernel_text("1 2 1; 2 4 2; 1 2 1"), normalise=True)
    assert kernel.arrays()[0].sum() == pytest.approx(1.0)
    assert kernel.arrays()[0][1, 1] == pytest.approx(4 / 16)


def test_normalising_a_zero_sum_or_nearly_zero_sum_kernel_is_a_clear_error():
    with pytest.raises(ExplorerError, match="add up to 0"):
        custom_kernel(parse_kernel_text("1 0 -1; 2 0 -2; 1 0 -1"), normalise=True)
    with pytest.raises(ExplorerError, match="far too large"):
        custom_kernel([[1e6, -1e6 + 1e-6]], normalise=True)


def test_three_kernels_separated_by_bars_make_one_3d_filter_with_its_bias():
    kernel = colour_kernel(parse_colour_text("1 0 -1 | 0 0 0 | 1/2 1/2 1/2"), bias=-3)
    assert kernel.is_3d and kernel.shape == (1, 3) and kernel.bias == -3
    np.testing.assert_allclose(kernel.arrays()[2], [[0.5, 0.5, 0.5]])


@pytest.mark.parametrize(
    "text, bias, message",
    [
        ("1 | 2", 0, "three kernels separated by '\\|'"),
        ("1 | 2 | 3 | 4", 0, "this has 4"),
        ("1 | oops | 3", 0, "In the green kernel: 'oops' is not a number"),
        ("1 2 | 1 | 1", 0, "one shape; they are 1x2, 1x1, 1x1"),
        ("1 | 1 | 1", 1e300, "The bias is too large"),
        ("1 | 1 | 1", float("nan"), "The bias is not a number"),
    ],
)
def test_bad_3d_filters_get_one_sentence(text, bias, message):
    with pytest.raises(ExplorerError, match=message):
        colour_kernel(parse_colour_text(text), bias=bias)
