"""Signed results are shown honestly: clip, absolute value, diverging with zero at mid-grey; histogram."""

import numpy as np
import pytest

from explorer.errors import ExplorerError
from explorer.kernels.display import display_image, histogram, value_summary

VALUES = np.array([[[-300.0, 0.0, 100.0], [255.0, 400.0, -50.0]]], dtype=np.float32)


def test_clip_turns_negatives_black_and_large_values_white():
    assert display_image(VALUES, "clip")[0].tolist() == [[0, 0, 100], [255, 255, 0]]


def test_abs_shows_negative_responses_as_bright():
    assert display_image(VALUES, "abs")[0].tolist() == [[255, 0, 100], [255, 255, 50]]


def test_diverging_puts_zero_at_mid_grey_and_the_extremes_at_full_strength():
    plane = VALUES[:, :, :1]
    shown = display_image(np.concatenate([plane, np.zeros_like(plane)], axis=1), "diverging")
    assert shown[0, 2].tolist() == [128, 128, 128]
    assert shown[0, 0].tolist() == [33, 102, 172]
    assert shown[0, 1][0] > shown[0, 1][2]


def test_diverging_all_channels_maps_zero_to_mid_grey_per_channel():
    shown = display_image(VALUES, "diverging")
    assert shown[0, 0, 1] == 128 and shown[0, 1, 1] == 255 and shown[0, 0, 0] == 32


def test_one_channel_is_shown_as_a_grey_picture():
    shown = display_image(VALUES, "clip", channel=2)
    assert shown.shape == (1, 2, 3) and shown[0, 0].tolist() == [100, 100, 100]


def test_unknown_display_mode_is_a_clear_error():
    with pytest.raises(ExplorerError, match="clip, abs, diverging"):
        display_image(VALUES, "rainbow")


def test_histogram_counts_every_value_of_every_channel():
    counts, edges = histogram(VALUES, bins=8)
    assert counts.shape == (3, 8) and counts.sum() == VALUES.size
    assert edges[0] == -300 and edges[-1] == 400


def test_summary_reports_how_much_clipping_would_hide():
    assert value_summary(VALUES)["outside_0_255"] == pytest.approx(3 / 6)
