"""Kernels written the textbook way: whole numbers times one common fraction."""

import numpy as np

from explorer.kernels.presets import get_preset
from explorer.kernels.whole import whole_numbers


def test_the_gaussian_is_binomial_numbers_over_256():
    scale, grid = whole_numbers(get_preset("gaussian_5").arrays()[0])
    assert scale == 256 and np.array_equal(grid, np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]))


def test_the_box_blur_is_ones_over_nine_and_sobel_stays_as_it_is():
    assert whole_numbers(get_preset("box_blur").arrays()[0])[0] == 9
    scale, grid = whole_numbers(get_preset("sobel_x").arrays()[0])
    assert scale == 1 and np.array_equal(grid, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])


def test_weights_without_a_small_common_fraction_are_left_alone():
    weights = np.array([[np.pi, 1.0], [0.5, np.e]])
    scale, grid = whole_numbers(weights)
    assert scale == 1 and np.array_equal(grid, weights)
