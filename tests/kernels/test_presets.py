"""The kernel registry: every preset explained, the shapes it promises, and 'cross' detecting a plus."""

import numpy as np
import pytest

from explorer.errors import ExplorerError
from explorer.kernels.colour import COLOUR_PRESETS
from explorer.kernels.convolution import ConvOptions, apply_kernel
from explorer.kernels.presets import PRESETS, Kernel, get_preset

COURSE_PRESETS = [
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
    "plus_blur",
    "difference_x",
    "difference_y",
    "central_x",
    "roberts",
    "box_2x2",
    "motion_blur",
]


def test_every_preset_the_course_needs_exists_with_a_one_line_explanation():
    assert list(PRESETS) == COURSE_PRESETS
    for kernel in [*PRESETS.values(), *COLOUR_PRESETS.values()]:
        assert kernel.explanation and "\n" not in kernel.explanation


def test_presets_include_even_and_non_square_kernels():
    shapes = {name: kernel.shape for name, kernel in PRESETS.items()}
    assert shapes["difference_x"] == (1, 2) and shapes["difference_y"] == (2, 1)
    assert shapes["central_x"] == (1, 3) and shapes["motion_blur"] == (1, 5)
    assert shapes["box_2x2"] == shapes["roberts"] == (2, 2) and shapes["sobel"] == (3, 3)


def test_blurs_keep_brightness_and_edge_detectors_ignore_flat_areas():
    for name in ["box_blur", "gaussian_3", "gaussian_5", "sharpen", "unsharp", "plus_blur", "identity", "box_2x2"]:
        assert get_preset(name).arrays()[0].sum() == pytest.approx(1.0)
    assert get_preset("motion_blur").arrays()[0].sum() == pytest.approx(1.0)
    for name in ["sobel_x", "sobel_y", "scharr_x", "prewitt_y", "laplacian_4", "laplacian_8", "outline", "cross"]:
        assert get_preset(name).arrays()[0].sum() == pytest.approx(0.0)
    for name in ["edge_vertical", "edge_horizontal", "difference_x", "difference_y", "central_x"]:
        assert get_preset(name).arrays()[0].sum() == pytest.approx(0.0)


def test_sobel_is_the_magnitude_of_sobel_x_and_sobel_y():
    sobel = get_preset("sobel")
    assert sobel.combine == "magnitude"
    assert sobel.grids == (get_preset("sobel_x").grids[0], get_preset("sobel_y").grids[0])


def drawn(shape: str) -> np.ndarray:
    """A 31x31 black picture with a white thin plus, a filled 11x11 square, or nothing, as RGB uint8."""
    picture = np.zeros((31, 31), dtype=np.uint8)
    if shape == "plus":
        picture[15, 10:21] = 255
        picture[10:21, 15] = 255
    elif shape == "square":
        picture[10:21, 10:21] = 255
    return np.repeat(picture[:, :, None], 3, axis=2)


def test_cross_responds_more_to_a_plus_than_to_a_filled_square_or_a_flat_area():
    responses = {
        shape: float(apply_kernel(drawn(shape), get_preset("cross"), ConvOptions(color="gray")).values.max())
        for shape in ("plus", "square", "flat")
    }
    assert responses["plus"] > 2 * responses["square"] > 0
    assert responses["flat"] == pytest.approx(0.0, abs=1e-3)
    plus_map = apply_kernel(drawn("plus"), get_preset("cross"), ConvOptions(color="gray")).values[:, :, 0]
    assert np.unravel_index(np.argmax(plus_map), plus_map.shape) == (15, 15)  # the strongest at the plus's centre
    # the old plus-shaped blur stays under its own name: it averages, so a flat area keeps its brightness
    assert get_preset("plus_blur").arrays()[0].sum() == pytest.approx(1.0)


def test_three_d_presets_have_one_grid_per_colour_channel():
    assert {"sobel_red_only", "red_minus_green", "luminance_sobel"} <= set(COLOUR_PRESETS)
    for kernel in COLOUR_PRESETS.values():
        assert kernel.is_3d and len(kernel.grids) == 3 and kernel.grid_names() == ("red", "green", "blue")
    red_only = get_preset("sobel_red_only").arrays()
    assert red_only[0].tolist() == get_preset("sobel_x").arrays()[0].tolist()
    assert not red_only[1].any() and not red_only[2].any()
    assert get_preset("brighter_than_grey").bias == -128.0


def test_unknown_preset_names_the_way_to_list_them():
    with pytest.raises(ExplorerError, match="python -m explorer kernels"):
        get_preset("blurry")


def test_a_kernel_with_grids_of_different_shapes_is_refused():
    with pytest.raises(ExplorerError, match="same number of rows"):
        Kernel("odd", "", (((1.0,),), ((1.0, 2.0),)), "magnitude")
