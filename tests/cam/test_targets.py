"""Which layer a CAM looks at: blocks first, then every convolution, and by default the last block
output that is still a grid, the layer torchcam picks by itself, with the same map as torchcam's."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torchcam.methods import GradCAM
from torchcam.methods._utils import locate_candidate_layer

from explorer.cam.methods import compute_cams
from explorer.cam.targets import BLOCK, CONVOLUTION, cam_layers, default_layer
from explorer.models import LoadedModel, load_model
from explorer.network.capture import hook_count

SMALL = (128, 128)
"""A probe size that keeps every layer of these networks a grid, for tests that only read the list."""


@pytest.fixture(scope="module")
def densenet() -> LoadedModel:
    torch.manual_seed(0)
    return load_model("densenet121", pretrained=False)


@pytest.fixture(scope="module")
def googlenet() -> LoadedModel:
    torch.manual_seed(0)
    return load_model("googlenet", pretrained=False)


@pytest.fixture(scope="module")
def vgg() -> LoadedModel:
    torch.manual_seed(0)
    return load_model("vgg16", pretrained=False)


def scaled(cam: torch.Tensor) -> np.ndarray:
    """A raw map scaled by its own range, as every CAM is drawn (NumPy, independent of our normaliser)."""
    values = cam.detach().double().numpy()
    return (values - values.min()) / (values.max() - values.min())


def torchcam_maps(model: LoadedModel, inputs: torch.Tensor, layers: list[str], index: int) -> list[np.ndarray]:
    """torchcam's Grad-CAM of class ``index`` at each layer, from one forward.

    The hooked layers hand the rest of the network a copy of their output, so an in-place op further on
    (DenseNet's functional ReLU after ``features``) cannot overwrite the tensor torchcam kept. The raw
    maps are compared: torchcam's normaliser adds 1e-8, which swamps maps of random GoogLeNet (values
    near 1e-14). The input asks for gradients because the shared model's parameters do not.
    """
    modules = dict(model.module.named_modules())
    with GradCAM(model.module, layers, input_shape=tuple(inputs.shape[1:])) as extractor:
        copies = [modules[name].register_forward_hook(lambda _m, _a, out: out.clone()) for name in layers]
        try:
            scores = model.module(inputs.clone().requires_grad_(True))
        finally:
            for handle in copies:
                handle.remove()
        raw = extractor(index, scores, normalized=False)
    return [scaled(cam[0]) for cam in raw]


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [("resnet18_random", "layer4"), ("densenet", "features"), ("googlenet", "inception5b")],
)
def test_default_layer_is_torchcams_choice_with_torchcams_map(request, chelsea, fixture, expected):
    model = request.getfixturevalue(fixture)
    inputs = model.preprocess(chelsea.image)
    layer = default_layer(cam_layers(model.module, tuple(inputs.shape[-2:])))
    assert layer == expected == locate_candidate_layer(model.module, tuple(inputs.shape[1:]))
    ours = compute_cams(model.module, inputs, layer, "Grad-CAM", top_k=1)
    (theirs,) = torchcam_maps(model, inputs, [layer], ours.classes[0])
    assert ours.maps[0].max() == 1.0 and theirs.shape == ours.maps[0].shape
    assert np.abs(ours.maps[0] - theirs).max() < 1e-4
    assert hook_count(model.module) == 0


def test_densenet_map_is_of_features_as_the_block_returned_them(densenet, chelsea):
    """DenseNet rectifies ``features`` with an in-place functional ReLU after the block: our map is of
    the block's own output (negative values included), not of the tensor that ReLU overwrote."""
    inputs = densenet.preprocess(chelsea.image)
    with torch.no_grad():
        features = densenet.module.features(inputs)
    leaf = features.clone().requires_grad_(True)
    pooled = torch.nn.functional.adaptive_avg_pool2d(torch.relu(leaf), 1).flatten(1)
    index = int(densenet.module.classifier(pooled).argmax())
    (grad,) = torch.autograd.grad(densenet.module.classifier(pooled)[0, index], leaf)
    expected = scaled(torch.relu((grad.mean(dim=(2, 3))[:, :, None, None] * leaf).sum(dim=1))[0])
    ours = compute_cams(densenet.module, inputs, "features", "Grad-CAM", classes=[index])
    assert (features < 0).any()
    assert np.abs(ours.maps[0] - expected).max() < 1e-4


def test_vgg_last_relu_and_pool_equal_torchcam(vgg, chelsea):
    inputs = vgg.preprocess(chelsea.image)
    layers = cam_layers(vgg.module, tuple(inputs.shape[-2:]))
    assert default_layer(layers) == "features.29"  # the last conv's ReLU, 14x21: the Grad-CAM paper's relu5_3
    top = compute_cams(vgg.module, inputs, "features.29", "Grad-CAM", top_k=1)
    ours = [top, compute_cams(vgg.module, inputs, "features.30", "Grad-CAM", classes=top.classes)]
    theirs = torchcam_maps(vgg, inputs, ["features.29", "features.30"], top.classes[0])
    assert [cam.maps[0].shape for cam in ours] == [(14, 21), (7, 10)]
    for mine, peer in zip(ours, theirs):
        assert mine.maps[0].max() == 1.0
        assert np.abs(mine.maps[0] - peer).max() < 1e-4


def test_a_convolution_before_an_in_place_relu_shows_its_own_output(vgg, chelsea):
    """VGG's ``features.29`` is ``ReLU(inplace=True)``: it overwrites ``features.28``'s output in place.
    The map at ``features.28`` is still the convolution's, computed here by hand with torch."""
    inputs = vgg.preprocess(chelsea.image)
    features = vgg.module.features
    with torch.no_grad():
        conv = features[:29](inputs)
    leaf = conv.clone().requires_grad_(True)
    logits = vgg.module.classifier(torch.flatten(vgg.module.avgpool(features[29:](leaf.clone())), 1))
    index = int(logits.argmax())
    (grad,) = torch.autograd.grad(logits[0, index], leaf)
    expected = scaled(torch.relu((grad.mean(dim=(2, 3))[:, :, None, None] * leaf).sum(dim=1))[0])
    ours = compute_cams(vgg.module, inputs, "features.28", "Grad-CAM", classes=[index]).maps[0]
    after_relu = compute_cams(vgg.module, inputs, "features.29", "Grad-CAM", classes=[index]).maps[0]
    assert (conv < 0).any()
    assert np.abs(ours - expected).max() < 1e-4
    assert np.abs(ours - after_relu).max() > 0.01


def test_layers_are_grouped_blocks_first_with_the_photos_shapes(resnet18_random, chelsea):
    inputs = resnet18_random.preprocess(chelsea.image)  # 451x300 -> 337x224
    layers = cam_layers(resnet18_random.module, tuple(inputs.shape[-2:]))
    groups = [layer.group for layer in layers]
    assert groups == sorted(groups, key=lambda group: group != BLOCK) and set(groups) == {BLOCK, CONVOLUTION}
    names = {layer.name: layer for layer in layers}
    assert {"layer1", "layer2", "layer3", "layer4", "layer4.0", "layer4.1"} <= names.keys()
    assert names["layer4"].label == "block · layer4 (512x7x11)"
    assert names["layer4.1.conv2"].label == "convolution · layer4.1.conv2 (512x7x11)"
    assert "avgpool" not in names and "fc" not in names  # a 1x1 map or no map at all
    convolutions = [layer.name for layer in layers if layer.group == CONVOLUTION]
    assert convolutions == [n for n, m in resnet18_random.module.named_modules() if isinstance(m, torch.nn.Conv2d)]
    blocks = [layer.name for layer in layers if layer.group == BLOCK]
    assert blocks.index("layer4.0") < blocks.index("layer4.1") < blocks.index("layer4")  # the order they finish


def test_each_family_offers_its_own_blocks(densenet, googlenet, vgg, lite0):
    def blocks(model: LoadedModel) -> list[str]:
        return [layer.name for layer in cam_layers(model.module, SMALL) if layer.group == BLOCK]

    assert {"features", "features.denseblock1", "features.transition3", "features.denseblock4"} <= set(blocks(densenet))
    inceptions = [name for name in blocks(googlenet) if name.startswith("inception")]
    assert inceptions == [f"inception{n}" for n in ("3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b")]
    assert {"features.29", "features.30", "features.4"} <= set(blocks(vgg))
    assert "features.28" not in blocks(vgg)  # a convolution: in the other group
    assert {f"_blocks.{i}" for i in range(16)} | {"_head_act"} <= set(blocks(lite0))
    assert default_layer(cam_layers(lite0.module, SMALL)) == "_head_act"


@pytest.mark.parametrize(
    ("name", "stages", "expected"),
    [
        ("convnext_tiny", ["features.1", "features.3", "features.5", "features.7", "features.7.2"], "features"),
        ("alexnet", ["features.1", "features.2", "features.11", "features.12"], "features.11"),
    ],
)
def test_convnext_stages_and_alexnet_relus(name, stages, expected):
    torch.manual_seed(0)
    module = load_model(name, pretrained=False).module
    layers = cam_layers(module, SMALL)
    assert set(stages) <= {layer.name for layer in layers if layer.group == BLOCK}
    assert default_layer(layers) == expected
