"""Step-by-step numbers equal the real output, and pooling matches NumPy."""

import numpy as np
import pytest

from explorer.errors import ExplorerError
from explorer.kernels.convolution import ConvOptions, apply_kernel
from explorer.kernels.presets import custom_kernel, get_preset, parse_kernel_text
from explorer.kernels.steps import convolution_step, input_window, make_region, pool


@pytest.fixture(scope="module")
def photo(chelsea):
    return chelsea.to_array()[:90, :120]


@pytest.mark.parametrize(
    "name, options",
    [
        ("sobel_x", ConvOptions()),
        ("emboss", ConvOptions(mode="corr", padding="full")),
        ("sobel", ConvOptions(stride=2, padding=3, dilation=2)),
        ("gaussian_5", ConvOptions(color="gray", stride=3, padding="valid")),
    ],
)
def test_every_step_in_a_region_sums_to_the_real_output(photo, name, options):
    result = apply_kernel(photo, get_preset(name), options)
    region = make_region(result, 0, 0, 9)
    for channel in range(result.values.shape[2]):
        for row, col in region.cells():
            step = convolution_step(result, row, col, channel)
            assert step.sums[0] == pytest.approx(step.products[0].sum())
            assert step.value == pytest.approx(float(result.values[row, col, channel]), rel=1e-5, abs=1e-3)


def test_a_step_shows_the_input_under_each_tap_and_the_flipped_weights(photo):
    kernel = custom_kernel(parse_kernel_text("1 2 3; 4 5 6; 7 8 9"))
    result = apply_kernel(photo, kernel, ConvOptions(padding="valid", dilation=2, mode="conv"))
    step = convolution_step(result, 10, 20, 1)
    np.testing.assert_array_equal(step.tap_rows, [10, 12, 14])
    np.testing.assert_array_equal(step.patch, photo[10:15:2, 20:25:2, 1])
    np.testing.assert_array_equal(step.weights[0], [[9, 8, 7], [6, 5, 4], [3, 2, 1]])


def test_steps_at_the_border_read_zeros_from_the_padding(photo):
    result = apply_kernel(photo, get_preset("box_blur"), ConvOptions(padding="same"))
    step = convolution_step(result, 0, 0, 0)
    assert step.patch[0].tolist() == [0, 0, 0] and step.patch[:, 0].tolist() == [0, 0, 0]
    assert step.value == pytest.approx(result.values[0, 0, 0], rel=1e-5)


def test_input_window_covers_every_window_of_the_region(photo):
    result = apply_kernel(photo, get_preset("sharpen"), ConvOptions(stride=2, padding=1))
    region = make_region(result, 3, 4, 5)
    window, top, left = input_window(result, region, 2)
    assert (top, left) == (3 * 2 - 1, 4 * 2 - 1)
    assert window.shape == ((5 - 1) * 2 + 3, (5 - 1) * 2 + 3)
    np.testing.assert_array_equal(window, photo[top : top + 11, left : left + 11, 2])


def test_regions_are_shrunk_to_fit_and_must_start_inside(photo):
    result = apply_kernel(photo, get_preset("identity"), ConvOptions())
    assert make_region(result, 85, 115, 9).cells()[-1] == (89, 119)
    with pytest.raises(ExplorerError, match="inside the output"):
        make_region(result, 90, 0, 3)
    with pytest.raises(ExplorerError, match="1 to 9"):
        make_region(result, 0, 0, 10)


def numpy_pool(plane, kind):
    h, w = plane.shape[0] // 2 * 2, plane.shape[1] // 2 * 2
    blocks = plane[:h, :w].reshape(h // 2, 2, w // 2, 2, *plane.shape[2:])
    return blocks.max(axis=(1, 3)) if kind == "max" else blocks.mean(axis=(1, 3))


@pytest.mark.parametrize("kind", ["max", "average"])
def test_pooling_the_whole_result_matches_numpy(photo, kind):
    values = apply_kernel(photo[:89, :117], get_preset("sobel_y"), ConvOptions()).values
    pooled = pool(values, kind)
    assert pooled.shape == (44, 58, 3)
    np.testing.assert_allclose(pooled, numpy_pool(values, kind), rtol=1e-6, atol=1e-4)


@pytest.mark.parametrize("kind", ["max", "average"])
def test_pooling_a_9x9_region_matches_numpy(photo, kind):
    values = apply_kernel(photo, get_preset("laplacian_4"), ConvOptions()).values[5:14, 7:16, 0]
    pooled = pool(values, kind)
    assert pooled.shape == (4, 4)
    np.testing.assert_allclose(pooled, numpy_pool(values, kind), rtol=1e-6, atol=1e-4)


def test_pooling_refuses_a_single_row_and_unknown_kinds():
    with pytest.raises(ExplorerError, match="at least 2"):
        pool(np.zeros((1, 5)), "max")
    with pytest.raises(ExplorerError, match="'max' or 'average'"):
        pool(np.zeros((4, 4)), "median")
