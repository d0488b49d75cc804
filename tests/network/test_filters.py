"""Learned filters: honest pictures of signed weights, and the Sobel bridge finding planted filters."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from explorer.drawing import NEAR_WHITE, signed_colours
from explorer.errors import ExplorerError
from explorer.kernels.presets import get_preset
from explorer.network.filters import (
    colour_tiles,
    conv_layer_names,
    filter_inputs,
    histogram,
    learned_filters,
    pointwise_matrix,
    resize_kernel,
    signed_tiles,
    similar_filters,
)

SOBEL_X = get_preset("sobel_x").arrays()[0]


def test_conv_layers_start_with_the_one_that_sees_pixels(lite0):
    names = conv_layer_names(lite0.module)
    assert names[0] == "_conv_stem" and names[-1] == "_conv_head"
    assert learned_filters(lite0.module, names[0]).kind == "first"


def test_each_kind_of_conv_is_recognised(lite0, resnet18_random):
    kinds = {
        name: learned_filters(lite0.module, name).kind
        for name in ("_blocks.1._expand_conv", "_blocks.1._depthwise_conv", "_blocks.1._project_conv")
    }
    assert kinds == {
        "_blocks.1._expand_conv": "pointwise",
        "_blocks.1._depthwise_conv": "depthwise",
        "_blocks.1._project_conv": "pointwise",
    }
    resnet = resnet18_random.module
    assert learned_filters(resnet, "layer1.0.conv1").kind == "standard"
    with pytest.raises(ExplorerError):
        learned_filters(lite0.module, "_bn0")


def test_weights_are_a_copy_the_shared_model_never_sees_changed(lite0):
    filters = learned_filters(lite0.module, "_conv_stem")
    filters.weights[:] = 0
    assert lite0.module._conv_stem.weight.abs().sum() > 0
    assert filters.weights.shape == (32, 3, 3, 3)


def test_colour_tiles_put_zero_at_mid_grey():
    weights = np.zeros((2, 3, 3, 3), dtype=np.float32)
    weights[0, 0, 0, 0], weights[1, 2, 2, 2] = 1.0, -1.0
    tiles = colour_tiles(weights, columns=2)
    scale = 56 // 3
    assert tiles[4 + scale + 1, 4 + scale + 1].tolist() == [128, 128, 128]  # a zero weight: mid-grey
    assert tiles[4, 4].tolist() == [255, 128, 128]  # +1 in red: bright red channel
    assert tiles.dtype == np.uint8


def test_colour_tiles_scale_each_filter_or_share_one_scale():
    weights = np.zeros((2, 3, 3, 3), dtype=np.float32)
    weights[0, 0, 0, 0], weights[1, 0, 0, 0] = 1.0, 0.25
    second = 4 + 3 * (56 // 3) + 4  # left edge of the second tile
    assert colour_tiles(weights, columns=2)[4, second].tolist() == [255, 128, 128]  # weak filter, own scale
    assert colour_tiles(weights, columns=2, per_filter=False)[4, second].tolist() == [159, 128, 128]


def test_signed_colours_white_at_zero_blue_negative_red_positive():
    colours = signed_colours(np.array([-1.0, 0.0, 1.0]), middle=NEAR_WHITE)
    assert colours[1].tolist() == [247, 247, 247]
    assert colours[0, 2] > colours[0, 0] and colours[2, 0] > colours[2, 2]


def test_deeper_depthwise_and_pointwise_views(lite0, resnet18_random):
    resnet = resnet18_random.module
    standard = learned_filters(resnet, "layer1.0.conv1").weights
    assert filter_inputs(standard, 5).shape == (64, 3, 3)
    assert signed_tiles(filter_inputs(standard, 5)).ndim == 3
    with pytest.raises(ExplorerError):
        filter_inputs(standard, 64)
    depthwise = learned_filters(lite0.module, "_blocks.1._depthwise_conv").weights
    assert signed_tiles(depthwise[:, 0]).shape[2] == 3
    pointwise = learned_filters(lite0.module, "_blocks.1._project_conv").weights
    assert pointwise_matrix(pointwise).shape == (24, 96)
    counts, edges = histogram(pointwise)
    assert counts.sum() == pointwise.size and len(edges) == len(counts) + 1


def test_sobel_bridge_finds_planted_filters_and_flips():
    rng = np.random.default_rng(0)
    weights = rng.normal(0, 0.05, (16, 3, 3, 3)).astype(np.float32)
    weights[7] = SOBEL_X[None] * 0.2  # a grey Sobel-x filter
    weights[11] = -SOBEL_X[None] * 0.3  # its opposite: dark-to-light edges
    matches = similar_filters(weights, SOBEL_X, top=2)
    assert {m.index for m in matches} == {7, 11}
    assert all(m.similarity > 0.99 for m in matches)
    assert {m.index: m.flipped for m in matches} == {7: False, 11: True}
    unflipped = similar_filters(weights, SOBEL_X, top=1, allow_flip=False)
    assert unflipped[0].index == 7
    assert similar_filters(weights, SOBEL_X.T, top=1)[0].similarity < 0.9  # Sobel-y is not Sobel-x


def test_sobel_bridge_compares_over_the_averaged_channels():
    weights = np.zeros((2, 3, 3, 3), dtype=np.float32)
    weights[0, 0], weights[0, 1], weights[0, 2] = SOBEL_X, SOBEL_X, SOBEL_X
    weights[1, 0] = SOBEL_X  # only the red channel
    weights[1, 1] = -SOBEL_X  # green opposite: averaged, it cancels to a much weaker edge
    weights[1, 2] = np.eye(3)
    first = similar_filters(weights, SOBEL_X, top=2)
    assert first[0].index == 0 and first[0].similarity == pytest.approx(1.0)
    assert first[1].similarity < 0.1  # red edge minus green edge averages to (almost) nothing


def test_classic_kernel_is_stretched_to_a_bigger_filter(resnet18_random):
    stretched = resize_kernel(SOBEL_X, (7, 7))
    assert stretched.shape == (7, 7)
    assert stretched[:, 0].sum() < 0 < stretched[:, -1].sum()  # still dark on the left, light on the right
    resnet = resnet18_random.module
    weights = learned_filters(resnet, "conv1").weights.copy()
    weights[3] = resize_kernel(SOBEL_X, (7, 7))[None]
    assert similar_filters(weights, SOBEL_X, top=1)[0].index == 3
    with pytest.raises(ExplorerError):
        similar_filters(weights, np.zeros((3, 3)))


def test_first_layer_feature_map_of_a_match_is_the_filter_applied(lite0, chelsea):
    from explorer.network.features import run_network

    run = run_network(lite0, chelsea.image)
    match = similar_filters(learned_filters(lite0.module, "_conv_stem").weights, SOBEL_X, top=1)[0]
    with torch.no_grad():
        expected = lite0.module._conv_stem(lite0.preprocess(chelsea.image))[0, match.index].cpu().numpy()
    np.testing.assert_allclose(
        run.activations["_conv_stem"][match.index].astype(np.float32), expected, atol=1e-2 * np.abs(expected).max()
    )
