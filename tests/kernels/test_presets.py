"""The kernel registry and custom kernels: every preset explained, text parsed, bad input told plainly."""

import numpy as np
import pytest

from explorer.errors import ExplorerError
from explorer.kernels.presets import PRESETS, custom_kernel, get_preset, parse_kernel_text

ISSUE_PRESETS = [
    "identity",
    "box_blur",
    "gaussian_3",
    "gaussian_5",
    "sharpen",
    "unsharp",
    "sobel_x",
    "sobel_y",
    "sobel",
    "scharr_x",
    "scharr_y",
    "prewitt_x",
    "prewitt_y",
    "laplacian_4",
    "laplacian_8",
    "emboss",
    "outline",
    "edge_vertical",
    "edge_horizontal",
    "cross",
]


def test_every_preset_the_course_needs_exists_with_a_one_line_explanation():
    assert list(PRESETS) == ISSUE_PRESETS
    for kernel in PRESETS.values():
        assert kernel.explanation and "\n" not in kernel.explanation


def test_presets_are_square_and_odd_sized():
    for kernel in PRESETS.values():
        for grid in kernel.arrays():
            assert grid.shape[0] == grid.shape[1] and grid.shape[0] % 2 == 1


def test_blurs_keep_brightness_and_edge_detectors_ignore_flat_areas():
    for name in ["box_blur", "gaussian_3", "gaussian_5", "sharpen", "unsharp", "cross", "identity"]:
        assert get_preset(name).arrays()[0].sum() == pytest.approx(1.0)
    for name in [
        "sobel_x",
        "sobel_y",
        "scharr_x",
        "prewitt_y",
        "laplacian_4",
        "laplacian_8",
        "outline",
        "edge_vertical",
        "edge_horizontal",
    ]:
        assert get_preset(name).arrays()[0].sum() == pytest.approx(0.0)


def test_sobel_is_the_magnitude_of_sobel_x_and_sobel_y():
    sobel = get_preset("sobel")
    assert sobel.combine == "magnitude"
    assert sobel.grids == (get_preset("sobel_x").grids[0], get_preset("sobel_y").grids[0])


def test_unknown_preset_names_the_way_to_list_them():
    with pytest.raises(ExplorerError, match="python -m explorer kernels"):
        get_preset("blurry")


def test_text_with_semicolons_newlines_commas_and_fractions_is_parsed():
    grid = parse_kernel_text("1/9, 1/9, 1/9; 1 1 1\n -0.5  2e-1 3")
    np.testing.assert_allclose(grid, [[1 / 9] * 3, [1, 1, 1], [-0.5, 0.2, 3]])


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("  ;\n ", "empty"),
        ("1 0 -1; 2 x -2; 1 0 -1", "'x' is not a number"),
        ("1 0 -1; 2 0; 1 0 -1", "same number of values"),
        ("1/0", "'1/0' is not a number"),
        ("inf 0 0; 0 0 0; 0 0 0", "not a finite number"),
    ],
)
def test_malformed_kernel_text_gets_a_clear_sentence(text, message):
    with pytest.raises(ExplorerError, match=message):
        parse_kernel_text(text)


@pytest.mark.parametrize(
    "rows, message",
    [
        ([[1, 2, 3], [4, 5, 6]], "square"),
        ([[1, 2], [3, 4]], "odd size"),
        (np.ones((17, 17)), "odd size from 1x1 to 15x15"),
        ([[1, np.nan, 0], [0, 0, 0], [0, 0, 0]], "empty cell"),
    ],
)
def test_custom_kernels_must_be_square_odd_and_complete(rows, message):
    with pytest.raises(ExplorerError, match=message):
        custom_kernel(rows)


def test_custom_kernels_from_1x1_to_15x15_are_accepted():
    for size in range(1, 16, 2):
        assert custom_kernel(np.ones((size, size))).size == size


def test_normalise_scales_a_kernel_to_sum_one():
    kernel = custom_kernel(parse_kernel_text("1 2 1; 2 4 2; 1 2 1"), normalise=True)
    assert kernel.arrays()[0].sum() == pytest.approx(1.0)
    assert kernel.arrays()[0][1, 1] == pytest.approx(4 / 16)


def test_normalising_a_zero_sum_kernel_is_a_clear_error():
    with pytest.raises(ExplorerError, match="add up to 0"):
        custom_kernel(parse_kernel_text("1 0 -1; 2 0 -2; 1 0 -1"), normalise=True)
