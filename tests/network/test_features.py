"""Every layer's activations from one forward pass: right values, right order, no hooks left behind."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from torch import nn

from explorer.drawing import heatmap
from explorer.models import load_model
from explorer.network.capture import forward_capturing, hook_count
from explorer.network.display import channel_grid, overlay, page_of
from explorer.network.features import channel_order, run_network


@pytest.fixture(scope="module")
def resnet(resnet18_random):
    return resnet18_random


@pytest.fixture(scope="module")
def resnet_run(resnet, chelsea):
    return run_network(resnet, chelsea.image)


def _close(captured: np.ndarray, reference: torch.Tensor) -> None:
    expected = reference[0].float().cpu().numpy()
    scale = float(np.abs(expected).max())
    np.testing.assert_allclose(captured.astype(np.float32), expected, atol=2e-3 * scale, rtol=2e-3)


def test_captured_activations_equal_the_truncated_network_by_hand(resnet, resnet_run, chelsea):
    m = resnet.module
    with torch.no_grad():
        x = resnet.preprocess(chelsea.image)
        conv1 = m.conv1(x)
        stem = m.maxpool(m.relu(m.bn1(conv1.clone())))
        layer1 = m.layer1(stem)
        layer2_0 = m.layer2[0](layer1)
        layer3 = m.layer3(m.layer2(layer1))
    _close(resnet_run.activations["conv1"], conv1)  # before the in-place ReLU overwrote it
    _close(resnet_run.activations["maxpool"], stem)
    _close(resnet_run.activations["layer1.1"], layer1)
    _close(resnet_run.activations["layer2.0"], layer2_0)
    _close(resnet_run.activations["layer3.1"], layer3)


def test_conv_output_survives_an_in_place_relu_in_vgg(chelsea):
    vgg = load_model("vgg16", pretrained=False)
    run = run_network(vgg, chelsea.image)
    with torch.no_grad():
        x = vgg.preprocess(chelsea.image)
        conv = vgg.module.features[0](x)
    _close(run.activations["features.0"], conv)
    assert (run.activations["features.0"] < 0).any() and not (run.activations["features.1"] < 0).any()


def test_layers_come_in_execution_order_with_blocks_once(resnet_run):
    names = resnet_run.names()
    assert names[:9] == [
        "conv1",
        "relu",
        "maxpool",
        "layer1.0.conv1",
        "layer1.0.conv2",
        "layer1.0",
        "layer1.1.conv1",
        "layer1.1.conv2",
        "layer1.1",
    ]
    assert names[-1] == "avgpool" and "layer1.0.relu" not in names
    kinds = {layer.kind for layer in resnet_run.layers}
    assert kinds == {"conv", "activation", "pool", "block"}


def test_default_model_layers_shapes_and_prediction(lite0, chelsea):
    lite = lite0
    run = run_network(lite, chelsea.image)
    assert run.view.shape == (224, 337, 3)  # short side 224, aspect kept, nothing cropped
    assert run.layer("_conv_stem").shape == (32, 112, 169)  # "same" padding: ceil(224 / 2), ceil(337 / 2)
    assert "_blocks.15" in run.names() and run.layer("_head_act").shape[0] == 1280
    assert run.predictions[0].label in {"tabby", "tiger cat", "Egyptian cat"}
    assert run.probabilities.sum() == pytest.approx(1.0, abs=1e-4)
    assert hook_count(lite.module) == 0


def test_receptive_fields_follow_the_graph(resnet_run):
    assert resnet_run.layer("conv1").receptive.size == 7
    assert resnet_run.layer("maxpool").receptive.size == 11
    assert resnet_run.layer("layer1.0").receptive.size == 27  # two 3x3 convs at step 4: 11 + 8 + 8
    assert resnet_run.layer("layer4.1").receptive.size == 435  # the textbook ResNet-18 value
    assert resnet_run.layer("layer4.1").receptive.jump == 32


def test_activations_are_read_only_so_sessions_can_share_one_cached_run(resnet_run):
    with pytest.raises(ValueError, match="read-only"):
        resnet_run.activations["layer1.0"][0, 0, 0] = 1.0


def test_one_forward_pass_per_run(chelsea):
    private = load_model("resnet18", pretrained=False)  # a hook of our own must not sit on a shared fixture
    seen: list[int] = []
    handle = private.module.fc.register_forward_hook(lambda *_: seen.append(1))
    try:
        run = run_network(private, chelsea.image)
    finally:
        handle.remove()
    assert len(seen) == 1 and len(run.layers) > 20


def test_no_hooks_left_after_success_or_error(resnet, resnet_run, chelsea):
    assert hook_count(resnet.module) == 0
    broken_module = load_model("resnet18", pretrained=False).module
    broken_module.fc = nn.Linear(3, 3)  # a private copy whose last layer cannot take 512 features
    broken = dataclasses.replace(resnet, module=broken_module)
    with pytest.raises(RuntimeError):
        run_network(broken, chelsea.image)
    assert hook_count(broken_module) == 0


def test_results_are_compact_numpy_with_channel_stats(resnet_run):
    activation = resnet_run.activations["relu"]
    assert isinstance(activation, np.ndarray) and activation.dtype == np.float16
    stats = resnet_run.stats["relu"]
    np.testing.assert_allclose(stats.mean, activation.astype(np.float32).mean(axis=(1, 2)), rtol=1e-2, atol=1e-3)
    assert stats.zeros.mean() > 0.2  # ReLU switches off a good share
    assert resnet_run.stats["conv1"].zeros.mean() < 0.01


def test_channel_order_by_mean_and_max(resnet_run):
    stats = resnet_run.stats["layer1.0"]
    by_mean = channel_order(stats, "mean")
    assert stats.mean[by_mean[0]] == stats.mean.max() and list(np.diff(stats.mean[by_mean]) <= 0) == [True] * 63
    assert stats.max[channel_order(stats, "max")[0]] == stats.max.max()
    assert list(channel_order(stats, "index")) == list(range(64))


def test_channel_grid_pages_and_normalisation():
    activation = np.stack([np.full((4, 6), 1.0), np.full((4, 6), 3.0), np.arange(24.0).reshape(4, 6)])
    own = channel_grid(activation, [0, 1, 2], shared=False, columns=3, tile=24)
    shared = channel_grid(activation, [0, 1, 2], shared=True, columns=3, tile=24)
    assert own.shape == shared.shape and own.dtype == np.uint8
    assert not np.array_equal(own, shared)  # flat maps: own scale gives the low colour, shared differs
    assert page_of(list(range(1280)), 19, 64) == list(range(1216, 1280))
    assert page_of(list(range(1280)), 20, 64) == []


def test_overlay_is_the_photo_size_and_pixel_aligned():
    photo = np.zeros((60, 90, 3), dtype=np.uint8)
    channel = np.zeros((2, 3), dtype=np.float32)
    channel[0, 2] = 1.0  # top-right cell of the map
    blended = overlay(photo, channel, opacity=1.0)
    assert blended.shape == photo.shape
    brightness = blended.astype(float).sum(axis=2)
    assert brightness[:30, 60:].mean() > brightness[30:, :30].mean() + 100
    big = heatmap(np.array([[0.0, 1.0]], dtype=np.float32), (4, 1))
    np.testing.assert_allclose(big[0], [0.0, 0.25, 0.75, 1.0])  # pixel centres, like align_corners=False


@pytest.mark.parametrize("name", ["googlenet", "mobilenet_v3_large", "densenet121", "efficientnet_b0", "convnext_tiny"])
def test_every_family_steps_through_channel_first_maps(name, chelsea):
    model = load_model(name, pretrained=False)
    run = run_network(model, chelsea.image)
    assert hook_count(model.module) == 0
    assert len(run.layers) > 20 and {"conv", "block"} <= {layer.kind for layer in run.layers}
    for layer in run.layers:
        assert run.activations[layer.name].shape == layer.shape
        assert layer.receptive.jump <= 32 or layer.shape[1:] == (1, 1)  # no step bigger than the network's stride
    if name == "convnext_tiny":  # the 7x7 depthwise conv shows; the channels-last inside of the block does not
        assert "features.1.0.block.0" in run.names() and "features.1.0.block.4" not in run.names()
    if name == "mobilenet_v3_large":  # after a squeeze-excite gate a value depends on the whole photo
        assert not any(name.endswith(("fc1", "fc2")) for name in run.names())
        assert run.layer("features.4").receptive.size >= run.view.shape[0]


@pytest.fixture(scope="module")
def mobilenet():
    torch.manual_seed(0)
    return load_model("mobilenet_v3_large", pretrained=False)


def test_after_a_squeeze_excite_gate_every_value_sees_the_whole_image(mobilenet, chelsea):
    """MobileNetV3's first squeeze-excite gate is in features.4: before it a value sees a window, from it
    on the whole image. Checked by hand: a corner pixel far outside the window changes a centre value
    of features.4 but not of features.3."""
    run = run_network(mobilenet, chelsea.image)
    before, gated = run.layer("features.3").receptive, run.layer("features.4").receptive
    assert (before.whole, before.size) == ("", 19) and before.text == "19 x 19 input pixels"
    assert gated.whole == "global gate" and gated.text == "whole image (global gate)"
    later = run.names()[run.names().index("features.4") :]
    assert all(run.layer(name).receptive.whole for name in later)
    assert not any(layer.receptive.whole for layer in run.layers[: run.names().index("features.4.block.1.2") + 1])
    inputs = mobilenet.preprocess(chelsea.image)
    corner = inputs.clone()
    corner[..., :8, :8] += 3.0
    with torch.no_grad():
        _, plain = forward_capturing(mobilenet.module, inputs, ["features.3", "features.4"])
        _, moved = forward_capturing(mobilenet.module, corner, ["features.3", "features.4"])
    centre = (slice(None), slice(None), plain["features.4"].shape[2] // 2, plain["features.4"].shape[3] // 2)
    middle = (slice(None), slice(None), plain["features.3"].shape[2] // 2, plain["features.3"].shape[3] // 2)
    assert torch.equal(plain["features.3"][middle], moved["features.3"][middle])
    assert not torch.equal(plain["features.4"][centre], moved["features.4"][centre])
