"""The Grad-CAM family: same maths as torchcam and pytorch-grad-cam, class-discriminative on real photos,
one forward for the top-5, and the shared model left exactly as it was, even under threads and errors."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch
import torchvision
from PIL import Image

from explorer.cam.gradients import forward_to_layer, layer_gradients
from explorer.cam.methods import GRADIENT_METHODS, METHODS, compute_cams, method_name
from explorer.cam.score_cam import MAX_CHANNELS
from explorer.cam.targets import cam_layers, default_layer, resolve_class
from explorer.errors import ExplorerError
from explorer.network.capture import hook_count


@pytest.fixture(scope="module")
def resnet() -> torch.nn.Module:
    torch.manual_seed(0)
    return torchvision.models.resnet18(weights=None).eval()


@pytest.fixture(scope="module")
def inputs() -> torch.Tensor:
    return torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(1))


def _state(model: torch.nn.Module) -> tuple:
    return (model.training, [m.training for m in model.modules()], [p.requires_grad for p in model.parameters()])


@pytest.mark.parametrize("layer", ["layer4", "layer3", "layer4.1.conv2"])
def test_grad_cam_equals_torchcam(resnet, inputs, layer):
    from torchcam.methods import GradCAM

    ours = compute_cams(resnet, inputs, layer, "Grad-CAM", classes=[7])
    with GradCAM(resnet, layer) as extractor:
        theirs = extractor(7, resnet(inputs))[0][0]
    assert ours.maps[0].max() > 0.99
    assert np.abs(ours.maps[0] - theirs.numpy()).max() < 1e-4
    resnet.zero_grad(set_to_none=True)


PEERS = {
    "Grad-CAM": "GradCAM",
    "Grad-CAM++": "GradCAMPlusPlus",
    "XGrad-CAM": "XGradCAM",
    "HiResCAM": "HiResCAM",
    "LayerCAM": "LayerCAM",
    "Score-CAM": "ScoreCAM",
}


def peer_map(resnet: torch.nn.Module, inputs: torch.Tensor, method: str, layer: torch.nn.Module) -> np.ndarray:
    """pytorch-grad-cam's map of class 7, at the input's resolution."""
    import pytorch_grad_cam as pgc
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    with getattr(pgc, PEERS[method])(model=resnet, target_layers=[layer]) as extractor:
        extractor.batch_size = 64
        theirs = extractor(input_tensor=inputs, targets=[ClassifierOutputTarget(7)])[0]
    resnet.zero_grad(set_to_none=True)
    return theirs


def correlation_at_input_size(maps: np.ndarray, theirs: np.ndarray) -> float:
    ours = torch.nn.functional.interpolate(torch.from_numpy(maps)[None], size=theirs.shape, mode="bilinear")
    return float(np.corrcoef(ours.flatten().numpy(), theirs.flatten())[0, 1])


@pytest.mark.parametrize("method", list(GRADIENT_METHODS))
def test_every_gradient_method_equals_pytorch_grad_cam(resnet, inputs, method):
    maps = compute_cams(resnet, inputs, "layer4", method, classes=[7]).maps
    assert correlation_at_input_size(maps, peer_map(resnet, inputs, method, resnet.layer4)) > 0.995


def test_score_cam_as_the_app_runs_it_equals_pytorch_grad_cam(resnet):
    """The app's setting (the 64 strongest channels, a few per batch) on a 64-channel layer tries every channel,
    exactly as pytorch-grad-cam does; a small input keeps the 64 masked forwards quick."""
    small = torch.randn(1, 3, 112, 112, generator=torch.Generator().manual_seed(2))
    assert resnet.layer1[-1].conv2.out_channels == MAX_CHANNELS
    maps = compute_cams(resnet, small, "layer1", "Score-CAM", classes=[7]).maps
    assert correlation_at_input_size(maps, peer_map(resnet, small, "Score-CAM", resnet.layer1)) > 0.995


def test_score_cam_tries_only_the_64_strongest_channels_of_a_wide_layer(resnet, inputs):
    calls: list[int] = []
    handle = resnet.fc.register_forward_hook(lambda _m, args, _o: calls.append(args[0].shape[0]))
    try:
        compute_cams(resnet, inputs, "layer4", "Score-CAM", classes=[7])
    finally:
        handle.remove()
    assert calls[0] == 1 and sum(calls[1:]) <= MAX_CHANNELS < resnet.fc.in_features  # 512 channels, at most 64 masks
    assert hook_count(resnet) == 0


def _composite(chelsea, coffee) -> tuple[Image.Image, float]:
    height = 320
    cat = chelsea.image.resize((round(chelsea.size[0] * height / chelsea.size[1]), height))
    cup = coffee.image.resize((round(coffee.size[0] * height / coffee.size[1]), height))
    both = Image.new("RGB", (cat.width + cup.width, height))
    both.paste(cat, (0, 0))
    both.paste(cup, (cat.width, 0))
    return both, cat.width / both.width


def test_cam_is_class_discriminative_on_a_cat_and_coffee_composite(lite0, chelsea, coffee):
    photo, split = _composite(chelsea, coffee)
    cat, espresso = resolve_class("Egyptian cat", lite0.categories), resolve_class("espresso", lite0.categories)
    layer = default_layer(cam_layers(lite0.module))
    cams = compute_cams(lite0.module, lite0.preprocess(photo), layer, "Grad-CAM", classes=[cat, espresso])
    columns = (np.arange(cams.maps.shape[2]) + 0.5) / cams.maps.shape[2]
    on_cat_half = [m[:, columns < split].sum() / m.sum() for m in cams.maps]
    assert on_cat_half[0] > 0.7, on_cat_half
    assert on_cat_half[1] < 0.3, on_cat_half


def test_real_photos_top1(lite0, chelsea, coffee):
    layer = default_layer(cam_layers(lite0.module))
    cat = compute_cams(lite0.module, lite0.preprocess(chelsea.image), layer)
    cup = compute_cams(lite0.module, lite0.preprocess(coffee.image), layer)
    assert "cat" in lite0.categories[cat.classes[0]]
    assert lite0.categories[cup.classes[0]] == "espresso"


def test_default_layer_is_the_last_block_output_with_a_grid(resnet, lite0):
    assert default_layer(cam_layers(resnet)) == "layer4"
    assert default_layer(cam_layers(lite0.module)) == "_head_act"


def test_one_forward_serves_the_top5(resnet, inputs):
    calls = []
    handle = resnet.fc.register_forward_hook(lambda *_: calls.append(1))
    try:
        captured = layer_gradients(resnet, inputs, "layer4", top_k=5)
    finally:
        handle.remove()
    assert len(calls) == 1 and len(captured.classes) == 5 and captured.gradients.shape[0] == 5
    expected = resnet(inputs).detach()[0].topk(5).indices.tolist()
    assert list(captured.classes) == expected
    alone = compute_cams(resnet, inputs, "layer4", classes=[expected[3]])
    together = compute_cams(resnet, inputs, "layer4", top_k=5)
    assert np.allclose(alone.maps[0], together.maps[3], atol=1e-6)


def test_only_the_head_is_differentiated(resnet, inputs):
    logits, activation = forward_to_layer(resnet, inputs, "layer4")
    assert activation.is_leaf and activation.requires_grad and logits.requires_grad
    assert torch.is_grad_enabled()


def test_shared_model_untouched_after_success_and_errors(lite0, chelsea):
    module = lite0.module
    before = _state(module)
    inputs = lite0.preprocess(chelsea.image)
    for method in METHODS:
        compute_cams(module, inputs, "_conv_head", method, top_k=2)
    for bad in (
        {"layer": "layer9"},
        {"classes": [1000]},
        {"method": "SuperCAM"},
        {"classes": [-1]},
        {"layer": "layer9", "method": "Score-CAM"},
        {"classes": [1000], "method": "Score-CAM"},
    ):
        kwargs = {"layer": "_conv_head", "method": "Grad-CAM", "classes": [1]} | bad
        with pytest.raises(ExplorerError):
            compute_cams(module, inputs, kwargs["layer"], kwargs["method"], kwargs["classes"])
    assert hook_count(module) == 0
    assert all(p.grad is None for p in module.parameters())
    assert _state(module) == before
    assert not module.training and not any(p.requires_grad for p in module.parameters())
    assert torch.is_grad_enabled()


def test_eight_threads_give_the_sequential_results(lite0, chelsea):
    inputs = lite0.preprocess(chelsea.image)
    classes = [281, 282, 285, 287, 967, 504, 1, 999]
    sequential = [compute_cams(lite0.module, inputs, "_conv_head", "Grad-CAM", [c]).maps for c in classes]
    with ThreadPoolExecutor(8) as pool:
        parallel = list(
            pool.map(lambda c: compute_cams(lite0.module, inputs, "_conv_head", "Grad-CAM", [c]).maps, classes * 2)
        )
    for got, want in zip(parallel, sequential * 2):
        assert np.array_equal(got, want)
    assert hook_count(lite0.module) == 0


def test_class_names_indices_and_suggestions(lite0):
    categories = lite0.categories
    assert resolve_class("ESPRESSO", categories) == 967
    assert resolve_class("281", categories) == 281
    assert resolve_class("top2", categories, (5, 9, 3)) == 9
    with pytest.raises(ExplorerError, match="did you mean 'tabby'"):
        resolve_class("tabby cat", categories)
    with pytest.raises(ExplorerError, match="out of range"):
        resolve_class("1000", categories)


def test_method_names_are_forgiving():
    assert method_name("gradcam++") == "Grad-CAM++"
    assert method_name("score-cam") == "Score-CAM"
    with pytest.raises(ExplorerError, match="choose one of"):
        method_name("nope")
