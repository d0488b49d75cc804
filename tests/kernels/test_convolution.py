"""apply_kernel against independent references (OpenCV, SciPy, NumPy) and the output-size formula."""

import math

import cv2
import numpy as np
import pytest
import scipy.ndimage

from explorer.errors import ExplorerError
from explorer.kernels.convolution import ConvOptions, apply_kernel, output_sizes, source_image
from explorer.kernels.presets import PRESETS, custom_kernel, get_preset


@pytest.fixture(scope="module")
def photo(chelsea):
    """A real photo, cropped so the many reference runs stay quick."""
    return chelsea.to_array()[40:160, 100:260]


def scipy_reference(plane, grid, stride, pad, dilation, mode):
    """Pad with zeros, correlate with the dilated (and, for convolution, flipped) grid, keep every stride-th."""
    grid = grid[::-1, ::-1] if mode == "conv" else grid
    k_eff = dilation * (grid.shape[0] - 1) + 1
    dilated = np.zeros((k_eff, k_eff))
    dilated[::dilation, ::dilation] = grid
    padded = np.pad(plane.astype(np.float64), pad)
    full = scipy.ndimage.correlate(padded, dilated, mode="constant", cval=0.0)
    half = k_eff // 2
    valid = full[half : padded.shape[0] - half, half : padded.shape[1] - half]
    return valid[::stride, ::stride]


@pytest.mark.parametrize("name", [n for n, k in PRESETS.items() if k.combine == "single"])
def test_every_preset_matches_opencv_filter2d(photo, name):
    kernel = PRESETS[name]
    grid = kernel.arrays()[0]
    result = apply_kernel(photo, kernel, ConvOptions(padding="same", mode="conv"))
    # filter2D correlates, so flipping the grid makes it a convolution; BORDER_CONSTANT pads with zeros.
    expected = cv2.filter2D(
        photo.astype(np.float64), cv2.CV_64F, grid[::-1, ::-1].copy(), borderType=cv2.BORDER_CONSTANT
    )
    assert result.values.shape == photo.shape and result.values.dtype == np.float32
    np.testing.assert_allclose(result.values, expected, rtol=1e-5, atol=1e-3)


def test_sobel_magnitude_matches_opencv_sobel_derivatives(photo):
    result = apply_kernel(photo, get_preset("sobel"), ConvOptions(padding="same", mode="corr"))
    image = photo.astype(np.float64)
    gx = cv2.Sobel(image, cv2.CV_64F, 1, 0, ksize=3, borderType=cv2.BORDER_CONSTANT)
    gy = cv2.Sobel(image, cv2.CV_64F, 0, 1, ksize=3, borderType=cv2.BORDER_CONSTANT)
    np.testing.assert_allclose(result.values, np.hypot(gx, gy), rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("stride, padding, dilation", [(1, "valid", 1), (2, "same", 1), (3, "full", 2), (2, 4, 3)])
def test_every_preset_with_stride_padding_dilation_matches_scipy(photo, name, stride, padding, dilation):
    kernel = PRESETS[name]
    options = ConvOptions(stride=stride, padding=padding, dilation=dilation, mode="conv")
    result = apply_kernel(photo, kernel, options)
    pad = options.pad_amount(kernel.size)
    planes = []
    for channel in range(3):
        parts = [scipy_reference(photo[:, :, channel], g, stride, pad, dilation, "conv") for g in kernel.arrays()]
        planes.append(np.sqrt(sum(p**2 for p in parts)) if kernel.combine == "magnitude" else parts[0])
    np.testing.assert_allclose(result.values, np.stack(planes, axis=2), rtol=1e-5, atol=1e-3)


def test_convolution_flips_the_kernel_and_correlation_does_not(photo):
    kernel = custom_kernel([[0, 0, 0], [1, 0, 0], [0, 0, 0]])
    conv = apply_kernel(photo, kernel, ConvOptions(padding="valid", mode="conv")).values
    corr = apply_kernel(photo, kernel, ConvOptions(padding="valid", mode="corr")).values
    image = photo.astype(np.float32)
    np.testing.assert_array_equal(corr, image[1:-1, :-2])
    np.testing.assert_array_equal(conv, image[1:-1, 2:])
    np.testing.assert_allclose(
        conv[:, :, 0], scipy.ndimage.convolve(image[:, :, 0], kernel.arrays()[0], mode="constant")[1:-1, 1:-1]
    )


def test_grey_mode_convolves_one_luma_channel(photo):
    result = apply_kernel(photo, get_preset("laplacian_8"), ConvOptions(color="gray", padding="valid", mode="corr"))
    luma = photo.astype(np.float64) @ [0.299, 0.587, 0.114]
    assert result.values.shape == (photo.shape[0] - 2, photo.shape[1] - 2, 1)
    expected = scipy_reference(luma, get_preset("laplacian_8").arrays()[0], 1, 0, 1, "corr")
    np.testing.assert_allclose(result.values[:, :, 0], expected, rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(source_image(photo, "gray")[:, :, 0], luma, rtol=1e-6, atol=1e-3)


@pytest.mark.parametrize("height, width", [(7, 9), (16, 15), (31, 20)])
def test_the_displayed_formula_always_equals_the_real_output_shape(height, width):
    image = np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)
    checked = 0
    for size in (1, 3, 5, 7):
        kernel = custom_kernel(np.ones((size, size)))
        for dilation in (1, 2, 3):
            for stride in (1, 2, 3, 4):
                for padding in ("valid", "same", "full", 0, 2):
                    options = ConvOptions(stride=stride, padding=padding, dilation=dilation)
                    rows, cols = output_sizes(height, width, size, options)
                    if min(rows.output, cols.output) < 1:
                        with pytest.raises(ExplorerError, match="K_eff"):
                            apply_kernel(image, kernel, options)
                        checked += 1
                        continue
                    result = apply_kernel(image, kernel, options)
                    assert result.values.shape[:2] == (rows.output, cols.output)
                    assert rows.formula().endswith(f"= {rows.output}")
                    assert cols.formula().endswith(f"= {cols.output}")
                    assert rows.effective_formula().endswith(f"= {dilation}*({size}-1)+1 = {dilation * (size - 1) + 1}")
                    checked += 1
    assert checked == 4 * 3 * 4 * 5


@pytest.mark.parametrize("stride", [1, 2, 3, 5])
def test_same_padding_gives_ceil_of_size_over_stride(photo, stride):
    result = apply_kernel(photo, get_preset("gaussian_5"), ConvOptions(stride=stride, padding="same", dilation=2))
    assert result.values.shape[:2] == (math.ceil(photo.shape[0] / stride), math.ceil(photo.shape[1] / stride))


def test_formula_text_plugs_in_the_users_numbers():
    rows, cols = output_sizes(300, 451, 3, ConvOptions(stride=2, padding=1, dilation=1))
    assert cols.formula().startswith("width: floor((W - K_eff + 2P) / S) + 1 = floor((451 - 3 + 2*1) / 2) + 1 = 226")


def test_a_kernel_larger_than_the_image_is_a_clear_error():
    tiny = np.zeros((4, 4, 3), dtype=np.uint8)
    with pytest.raises(ExplorerError, match="K_eff"):
        apply_kernel(tiny, custom_kernel(np.ones((7, 7))), ConvOptions(padding="valid"))


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


def test_results_are_read_only_so_sessions_can_share_one_cached_copy(photo):
    result = apply_kernel(photo, get_preset("sobel"), ConvOptions())
    with pytest.raises(ValueError, match="read-only"):
        result.values[0, 0, 0] = 1.0
