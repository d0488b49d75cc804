"""apply_kernel against independent references (OpenCV, SciPy, torch.nn.functional) and the size formula."""

import math

import cv2
import numpy as np
import pytest
import scipy.ndimage
import torch
import torch.nn.functional as F

from explorer.errors import ExplorerError
from explorer.kernels.colour import COLOUR_PRESETS
from explorer.kernels.convolution import ConvOptions, apply_kernel, output_sizes, source_image
from explorer.kernels.parsing import colour_kernel, custom_kernel
from explorer.kernels.presets import PRESETS, Kernel, get_preset


@pytest.fixture(scope="module")
def photo(chelsea):
    """A real photo, cropped so the many reference runs stay quick."""
    return chelsea.to_array()[40:160, 100:260]


def scipy_reference(plane, grid, stride, pads, dilation, mode):
    """Pad with zeros ((top, bottom), (left, right)), correlate with the dilated (and, for convolution,
    flipped) grid placed at its top-left, keep every stride-th."""
    grid = grid[::-1, ::-1] if mode == "conv" else grid
    k_h, k_w = (dilation * (n - 1) + 1 for n in grid.shape)
    dilated = np.zeros((k_h, k_w))
    dilated[::dilation, ::dilation] = grid
    padded = np.pad(plane.astype(np.float64), pads)
    # scipy centres the kernel at index k // 2; the origin shift puts the top-left tap on the output cell
    origin = (-(k_h // 2), -(k_w // 2))
    full = scipy.ndimage.correlate(padded, dilated, mode="constant", cval=0.0, origin=origin)
    valid = full[: padded.shape[0] - k_h + 1, : padded.shape[1] - k_w + 1]
    return valid[::stride, ::stride]


def torch_reference(photo, kernel, padding="same", stride=1, dilation=1):
    """torch.nn.functional.conv2d in float64: a 3-D filter as one (1, 3, K_h, K_w) weight plus its bias, else
    each channel on its own (groups=3)."""
    image = torch.tensor(photo, dtype=torch.float64).permute(2, 0, 1)[None]
    grids = torch.tensor(np.stack(kernel.arrays()))
    if kernel.is_3d:
        bias = torch.tensor([kernel.bias], dtype=torch.float64)
        out = F.conv2d(image, grids[None], bias, stride=stride, padding=padding, dilation=dilation)
    else:
        out = F.conv2d(image, grids[:1, None].repeat(3, 1, 1, 1), None, stride, padding, dilation, groups=3)
    return out[0].permute(1, 2, 0).numpy()


@pytest.mark.parametrize("name", [n for n, k in PRESETS.items() if k.combine == "single"])
def test_every_preset_matches_opencv_filter2d_by_default(photo, name):
    kernel = PRESETS[name]
    result = apply_kernel(photo, kernel, ConvOptions())
    # filter2D slides the kernel as written (cross-correlation), as the lab does by default. For an even
    # side OpenCV's default anchor is the tap after the middle; PyTorch's 'same' (and ours) uses the one
    # before it (the extra zero goes bottom/right), so the anchor is given explicitly.
    k_h, k_w = kernel.shape
    grid, anchor = kernel.arrays()[0], ((k_w - 1) // 2, (k_h - 1) // 2)
    expected = cv2.filter2D(photo.astype(np.float64), cv2.CV_64F, grid, anchor=anchor, borderType=cv2.BORDER_CONSTANT)
    assert result.values.shape == photo.shape and result.values.dtype == np.float32
    np.testing.assert_allclose(result.values, expected, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("name, dx, dy", [("sobel_x", 1, 0), ("sobel_y", 0, 1)])
def test_sobel_matches_cv2_sobel_sign_and_values_on_the_default_settings(photo, name, dx, dy):
    result = apply_kernel(photo, get_preset(name), ConvOptions())
    expected = cv2.Sobel(photo.astype(np.float64), cv2.CV_64F, dx, dy, ksize=3, borderType=cv2.BORDER_CONSTANT)
    assert np.abs(result.values - expected).max() < 1e-3


def test_sobel_magnitude_matches_opencv_sobel_derivatives(photo):
    result = apply_kernel(photo, get_preset("sobel"), ConvOptions())
    image = photo.astype(np.float64)
    gx = cv2.Sobel(image, cv2.CV_64F, 1, 0, ksize=3, borderType=cv2.BORDER_CONSTANT)
    gy = cv2.Sobel(image, cv2.CV_64F, 0, 1, ksize=3, borderType=cv2.BORDER_CONSTANT)
    np.testing.assert_allclose(result.values, np.hypot(gx, gy), rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize(
    "stride, padding, dilation, mode",
    [
        (1, "valid", 1, "corr"),
        (2, "same", 1, "conv"),
        (3, "full", 2, "corr"),
        (2, 4, 3, "conv"),
        (1, "same", 2, "conv"),
    ],
)
def test_every_preset_with_stride_padding_dilation_matches_scipy(photo, name, stride, padding, dilation, mode):
    kernel = PRESETS[name]
    options = ConvOptions(stride=stride, padding=padding, dilation=dilation, mode=mode)
    result = apply_kernel(photo, kernel, options)
    pads = tuple(options.pads(size) for size in kernel.shape)
    planes = []
    for channel in range(3):
        parts = [scipy_reference(photo[:, :, channel], g, stride, pads, dilation, mode) for g in kernel.arrays()]
        planes.append(np.sqrt(sum(p**2 for p in parts)) if kernel.combine == "magnitude" else parts[0])
    np.testing.assert_allclose(result.values, np.stack(planes, axis=2), rtol=1e-5, atol=1e-3)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
@pytest.mark.parametrize("shape", [(1, 3), (3, 1), (2, 2), (1, 5), (4, 4), (2, 5), (1, 2), (6, 3)])
@pytest.mark.parametrize("dilation", [1, 2])
def test_even_and_non_square_kernels_match_torch_same_padding(photo, shape, dilation):
    kernel = custom_kernel(np.random.default_rng(sum(shape)).normal(size=shape))
    result = apply_kernel(photo, kernel, ConvOptions(padding="same", dilation=dilation))
    expected = torch_reference(photo, kernel, "same", dilation=dilation)
    assert result.values.shape == photo.shape
    assert np.abs(result.values - expected).max() < 1e-3


@pytest.mark.parametrize("shape, stride, padding", [((2, 3), 2, "valid"), ((4, 1), 3, 2), ((2, 2), 2, "full")])
def test_non_square_kernels_with_strides_match_torch(photo, shape, stride, padding):
    kernel = custom_kernel(np.arange(1, shape[0] * shape[1] + 1).reshape(shape))
    options = ConvOptions(stride=stride, padding=padding)
    pads = [options.pads(size)[0] for size in shape]  # valid, a number and full are symmetric
    expected = torch_reference(photo, kernel, pads, stride)
    result = apply_kernel(photo, kernel, options)
    assert result.values.shape == expected.shape
    np.testing.assert_allclose(result.values, expected, rtol=1e-5, atol=1e-3)


def test_an_even_kernel_with_same_padding_pads_one_more_zero_bottom_right_by_hand():
    image = np.repeat(np.arange(1, 10, dtype=np.uint8).reshape(3, 3)[:, :, None], 3, axis=2)
    result = apply_kernel(image, custom_kernel([[1, 2], [3, 4]]), ConvOptions(padding="same"))
    # [[1 2 3] [4 5 6] [7 8 9]], zeros added below and to the right only
    assert result.values[:, :, 0].tolist() == [[37, 47, 21], [67, 77, 33], [23, 26, 9]]
    rows, cols = result.sizes
    assert (rows.pad_before, rows.pad_after, cols.pad_before, cols.pad_after) == (0, 1, 0, 1)


@pytest.mark.parametrize("name", list(COLOUR_PRESETS))
def test_every_3d_preset_is_one_output_channel_of_a_torch_conv2d(photo, name):
    kernel = COLOUR_PRESETS[name]
    result = apply_kernel(photo, kernel, ConvOptions(color="rgb-sum"))
    expected = torch_reference(photo, kernel)
    assert result.values.shape == (*photo.shape[:2], 1) and result.channels == ("feature map",)
    assert np.abs(result.values - expected).max() < 2e-3


def test_a_typed_3d_filter_with_a_bias_stride_and_dilation_matches_torch_conv2d(photo):
    grids = np.random.default_rng(3).normal(size=(3, 2, 3))
    kernel = colour_kernel(list(grids), bias=17.5)
    result = apply_kernel(photo, kernel, ConvOptions(color="rgb-sum", stride=2, padding=1, dilation=2))
    layer = torch.nn.Conv2d(3, 1, (2, 3), stride=2, padding=1, dilation=2, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(grids)[None])
        layer.bias.fill_(17.5)
        expected = layer(torch.tensor(photo, dtype=torch.float64).permute(2, 0, 1)[None])[0, 0].numpy()
    assert np.abs(result.values[:, :, 0] - expected).max() < 1e-3


def test_luminance_sobel_3d_filter_equals_sobel_on_the_grey_picture(photo):
    summed = apply_kernel(photo, get_preset("luminance_sobel"), ConvOptions(color="rgb-sum")).values
    grey = apply_kernel(photo, get_preset("sobel_x"), ConvOptions(color="gray")).values
    np.testing.assert_allclose(summed, grey, atol=1e-3)


def test_3d_filters_and_the_rgb_sum_mode_go_together():
    image = np.zeros((8, 8, 3), dtype=np.uint8)
    with pytest.raises(ExplorerError, match="use it with the colour mode rgb-sum"):
        apply_kernel(image, get_preset("red_minus_green"), ConvOptions())
    with pytest.raises(ExplorerError, match="needs a 3-D filter"):
        apply_kernel(image, get_preset("sobel_x"), ConvOptions(color="rgb-sum"))


def test_convolution_flips_the_kernel_and_correlation_does_not(photo):
    kernel = custom_kernel([[0, 0, 0], [1, 0, 0], [0, 0, 0]])
    conv = apply_kernel(photo, kernel, ConvOptions(padding="valid", mode="conv")).values
    corr = apply_kernel(photo, kernel, ConvOptions(padding="valid")).values
    image = photo.astype(np.float32)
    np.testing.assert_array_equal(corr, image[1:-1, :-2])
    np.testing.assert_array_equal(conv, image[1:-1, 2:])
    np.testing.assert_allclose(
        conv[:, :, 0], scipy.ndimage.convolve(image[:, :, 0], kernel.arrays()[0], mode="constant")[1:-1, 1:-1]
    )


def test_grey_mode_convolves_one_luma_channel(photo):
    result = apply_kernel(photo, get_preset("laplacian_8"), ConvOptions(color="gray", padding="valid"))
    luma = photo.astype(np.float64) @ [0.299, 0.587, 0.114]
    assert result.values.shape == (photo.shape[0] - 2, photo.shape[1] - 2, 1)
    expected = scipy_reference(luma, get_preset("laplacian_8").arrays()[0], 1, 0, 1, "corr")
    np.testing.assert_allclose(result.values[:, :, 0], expected, rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(source_image(photo, "gray")[:, :, 0], luma, rtol=1e-6, atol=1e-3)


@pytest.mark.parametrize("height, width", [(7, 9), (16, 15)])
def test_the_displayed_formula_always_equals_the_real_output_shape(height, width):
    image = np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)
    checked = 0
    for shape in ((1, 1), (3, 3), (2, 2), (1, 4), (5, 2)):
        kernel = custom_kernel(np.ones(shape))
        for dilation in (1, 3):
            for stride in (1, 2, 3):
                for padding in ("valid", "same", "full", 2):
                    options = ConvOptions(stride=stride, padding=padding, dilation=dilation)
                    rows, cols = output_sizes(height, width, shape, options)
                    checked += 1
                    if min(rows.output, cols.output) < 1:
                        with pytest.raises(ExplorerError, match="K_eff"):
                            apply_kernel(image, kernel, options)
                        continue
                    result = apply_kernel(image, kernel, options)
                    assert result.values.shape[:2] == (rows.output, cols.output)
                    assert rows.formula().endswith(f"= {rows.output}") and cols.formula().endswith(f"= {cols.output}")
                    k_eff = dilation * (shape[1] - 1) + 1
                    assert cols.effective_formula().endswith(f"= {dilation}*({shape[1]}-1)+1 = {k_eff}")
    assert checked == 5 * 2 * 3 * 4


@pytest.mark.parametrize("stride", [1, 2, 3, 5])
@pytest.mark.parametrize("shape", [(5, 5), (2, 4)])
def test_same_padding_gives_ceil_of_size_over_stride(photo, stride, shape):
    kernel = custom_kernel(np.ones(shape))
    result = apply_kernel(photo, kernel, ConvOptions(stride=stride, padding="same", dilation=2))
    assert result.values.shape[:2] == (math.ceil(photo.shape[0] / stride), math.ceil(photo.shape[1] / stride))


def test_formula_text_plugs_in_the_users_numbers_per_axis():
    rows, cols = output_sizes(300, 451, (3, 3), ConvOptions(stride=2, padding=1))
    assert cols.formula() == "width: floor((W - K_eff + 2P) / S) + 1 = floor((451 - 3 + 2*1) / 2) + 1 = 226"
    rows, cols = output_sizes(300, 451, (1, 2), ConvOptions(padding="same"))
    assert rows.formula() == "height: floor((H - K_eff + 2P) / S) + 1 = floor((300 - 1 + 2*0) / 1) + 1 = 300"
    assert cols.formula() == (
        "width: floor((W - K_eff + P_left + P_right) / S) + 1 = floor((451 - 2 + 0 + 1) / 1) + 1 = 451"
    )
    assert cols.padding_text() == "P_left = 0, P_right = 1"
    assert rows.effective_formula() == "height: K_eff = D*(K_h-1)+1 = 1*(1-1)+1 = 1"


def test_a_kernel_larger_than_the_image_is_a_clear_error():
    tiny = np.zeros((4, 4, 3), dtype=np.uint8)
    with pytest.raises(ExplorerError, match="reaches 7 x 2 pixels"):
        apply_kernel(tiny, custom_kernel(np.ones((7, 2))), ConvOptions(padding="valid"))


def test_a_kernel_whose_result_would_overflow_float32_is_refused_not_shown_as_inf():
    huge = Kernel("huge", "", (((1e38,) * 3,) * 3,))  # built directly, past the parser's bounds
    with pytest.raises(ExplorerError, match="overflows"):
        apply_kernel(np.full((6, 6, 3), 255, dtype=np.uint8), huge, ConvOptions())


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("stride", 0, "stride"),
        ("dilation", 0, "dilation"),
        ("padding", "mirror", "Padding"),
        ("padding", -1, "padding number"),
        ("color", "hsv", "Colour"),
        ("mode", "fft", "Mode"),
    ],
)
def test_bad_options_are_refused_with_a_sentence(field, value, message):
    with pytest.raises(ExplorerError, match=message):
        ConvOptions(**{field: value})


def test_cross_correlation_is_the_default_operation():
    assert ConvOptions().mode == "corr"


def test_results_are_read_only_so_sessions_can_share_one_cached_copy(photo):
    result = apply_kernel(photo, get_preset("sobel"), ConvOptions())
    with pytest.raises(ValueError, match="read-only"):
        result.values[0, 0, 0] = 1.0
