"""Step-by-step numbers equal the real output (2-D, even, non-square and 3-D kernels); pooling matches NumPy."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from explorer.errors import ExplorerError
from explorer.kernels.convolution import ConvOptions, apply_kernel
from explorer.kernels.parsing import colour_kernel, custom_kernel, parse_kernel_text
from explorer.kernels.presets import get_preset
from explorer.kernels.steps import convolution_step, input_window, make_region, pool


@pytest.fixture(scope="module")
def photo(chelsea):
    return chelsea.to_array()[:90, :120]


@pytest.mark.parametrize(
    "name, options",
    [
        ("sobel_x", ConvOptions()),
        ("emboss", ConvOptions(mode="conv", padding="full")),
        ("sobel", ConvOptions(stride=2, padding=3, dilation=2)),
        ("gaussian_5", ConvOptions(color="gray", stride=3, padding="valid")),
        ("difference_x", ConvOptions()),
        ("roberts", ConvOptions(mode="conv", dilation=2)),
        ("motion_blur", ConvOptions(stride=2)),
        ("sobel_red_only", ConvOptions(color="rgb-sum", padding="valid")),
        ("brighter_than_grey", ConvOptions(color="rgb-sum", stride=2)),
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
    np.testing.assert_array_equal(step.patches[0], photo[10:15:2, 20:25:2, 1])
    np.testing.assert_array_equal(step.weights[0], [[9, 8, 7], [6, 5, 4], [3, 2, 1]])


def test_a_non_square_even_step_reads_the_window_same_padding_chose(photo):
    result = apply_kernel(photo, custom_kernel([[1, 2, 3, 4], [5, 6, 7, 8]]), ConvOptions(padding="same"))
    step = convolution_step(result, 30, 40, 0)
    # 'same' for K_h = 2 pads 0 above, 1 below; for K_w = 4 pads 1 left, 2 right
    np.testing.assert_array_equal(step.tap_rows, [30, 31])
    np.testing.assert_array_equal(step.tap_cols, [39, 40, 41, 42])
    np.testing.assert_array_equal(step.patches[0], photo[30:32, 39:43, 0])
    last = convolution_step(result, 89, 119, 0)
    assert last.patches[0][1].tolist() == [0, 0, 0, 0] and last.patches[0][:, 3].tolist() == [0, 0]


def test_a_3d_step_shows_three_channel_products_their_sum_and_the_bias(photo):
    grids = [np.full((2, 2), 1.0), np.full((2, 2), -1.0), np.eye(2)]
    result = apply_kernel(photo, colour_kernel(grids, bias=10.0), ConvOptions(color="rgb-sum", padding="valid"))
    step = convolution_step(result, 5, 7)
    window = photo[5:7, 7:9].astype(np.float64)
    assert len(step.patches) == len(step.products) == 3 and step.bias == 10.0
    for channel in range(3):
        np.testing.assert_array_equal(step.patches[channel], window[:, :, channel])
        np.testing.assert_array_equal(step.products[channel], window[:, :, channel] * grids[channel])
    expected = window[:, :, 0].sum() - window[:, :, 1].sum() + window[0, 0, 2] + window[1, 1, 2] + 10.0
    assert step.value == pytest.approx(expected) == pytest.approx(sum(step.sums) + 10.0)
    assert step.value == pytest.approx(float(result.values[5, 7, 0]), abs=1e-3)


def test_steps_at_the_border_read_zeros_from_the_padding(photo):
    result = apply_kernel(photo, get_preset("box_blur"), ConvOptions(padding="same"))
    step = convolution_step(result, 0, 0, 0)
    assert step.patches[0][0].tolist() == [0, 0, 0] and step.patches[0][:, 0].tolist() == [0, 0, 0]
    assert step.value == pytest.approx(result.values[0, 0, 0], rel=1e-5)


def test_input_window_covers_every_window_of_the_region(photo):
    result = apply_kernel(photo, get_preset("sharpen"), ConvOptions(stride=2, padding=1))
    region = make_region(result, 3, 4, 5)
    window, top, left = input_window(result, region, 2)
    assert (top, left) == (3 * 2 - 1, 4 * 2 - 1)
    assert window.shape == ((5 - 1) * 2 + 3, (5 - 1) * 2 + 3)
    np.testing.assert_array_equal(window, photo[top : top + 11, left : left + 11, 2])


def test_input_window_of_a_1x5_kernel_is_one_row_high_per_output_row(photo):
    result = apply_kernel(photo, get_preset("motion_blur"), ConvOptions(padding="valid"))
    window, top, left = input_window(result, make_region(result, 2, 3, 4), 0)
    assert (top, left) == (2, 3) and window.shape == (4, 3 + 5)
    np.testing.assert_array_equal(window, photo[2:6, 3:11, 0])


def test_regions_are_shrunk_to_fit_and_must_start_inside(photo):
    result = apply_kernel(photo, get_preset("identity"), ConvOptions())
    assert make_region(result, 85, 115, 9).cells()[-1] == (89, 119)
    with pytest.raises(ExplorerError, match="inside the output"):
        make_region(result, 90, 0, 3)
    with pytest.raises(ExplorerError, match="1 to 9"):
        make_region(result, 0, 0, 10)


def numpy_pool(plane, kind, size=(2, 2), stride=2):
    rows = range(0, plane.shape[0] - size[0] + 1, stride)
    cols = range(0, plane.shape[1] - size[1] + 1, stride)
    reduce = np.max if kind == "max" else np.mean
    return np.array([[reduce(plane[r : r + size[0], c : c + size[1]], axis=(0, 1)) for c in cols] for r in rows])


@pytest.mark.parametrize("kind", ["max", "average"])
def test_pooling_the_whole_result_matches_numpy(photo, kind):
    values = apply_kernel(photo[:89, :117], get_preset("sobel_y"), ConvOptions()).values
    pooled = pool(values, kind)
    assert pooled.shape == (44, 58, 3)
    np.testing.assert_allclose(pooled, numpy_pool(values, kind), rtol=1e-6, atol=1e-4)


@pytest.mark.parametrize("kind", ["max", "average"])
@pytest.mark.parametrize("size, stride", [((2, 2), 2), ((3, 3), 2), ((1, 2), 2), ((2, 1), 1), ((4, 4), 3)])
def test_pooling_a_9x9_region_with_any_window_matches_numpy(photo, kind, size, stride):
    values = apply_kernel(photo, get_preset("laplacian_4"), ConvOptions()).values[5:14, 7:16, 0]
    pooled = pool(values, kind, size, stride)
    expected = numpy_pool(values, kind, size, stride)
    assert pooled.shape == expected.shape
    np.testing.assert_allclose(pooled, expected, rtol=1e-6, atol=1e-4)


def test_pooling_the_one_row_output_of_a_1x5_kernel_with_a_1x2_window_matches_torch(photo):
    values = apply_kernel(photo[:5, :40], get_preset("motion_blur"), ConvOptions(padding="valid")).values
    assert values.shape[0] == 5
    pooled = pool(values, "max", (1, 2), 2)
    expected = F.max_pool2d(torch.tensor(values).permute(2, 0, 1), (1, 2), 2).permute(1, 2, 0).numpy()
    np.testing.assert_array_equal(pooled, expected)


def test_pooling_refuses_a_too_small_map_and_unknown_kinds():
    with pytest.raises(ExplorerError, match="at least 2 rows"):
        pool(np.zeros((1, 5)), "max")
    with pytest.raises(ExplorerError, match="'max' or 'average'"):
        pool(np.zeros((4, 4)), "median")
    with pytest.raises(ExplorerError, match="1 to 8"):
        pool(np.zeros((4, 4)), "max", (2, 2), 0)
