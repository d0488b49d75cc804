"""The registry: a real offline default, every torchvision architecture, aspect-keeping input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from explorer.errors import ExplorerError
from explorer.models import DEFAULT_MODEL, MODELS, get_spec, imagenet_categories, load_model, top_predictions
from explorer.network.capture import forward_capturing, hook_count

CAT_CLASSES = {281, 282, 283, 284, 285}  # tabby, tiger cat, Persian, Siamese, Egyptian cat
ESPRESSO = 967


def classify(model, loaded, k=5):
    with torch.no_grad():
        return top_predictions(model.module(model.preprocess(loaded.image)), model.categories, k)


def test_default_model_sees_a_cat_in_the_cat_photo(lite0, chelsea):
    top = classify(lite0, chelsea)
    assert top[0].index in CAT_CLASSES, top


def test_default_model_sees_espresso_in_the_coffee_photo(lite0, coffee):
    top = classify(lite0, coffee)
    assert (top[0].label, top[0].index) == ("espresso", ESPRESSO)
    assert top[0].prob > 0.4


def test_predictions_are_best_first_probabilities(lite0, chelsea):
    top = classify(lite0, chelsea, k=10)
    probs = [p.prob for p in top]
    assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1.0001 and len(top) == 10


def test_default_model_needs_no_download_and_has_its_known_size(lite0):
    spec = get_spec(DEFAULT_MODEL)
    assert spec.offline and spec.weights_on_disk()
    assert sum(p.numel() for p in lite0.module.parameters()) == spec.num_params == 4_652_008


def test_loaded_model_is_frozen_for_sharing(lite0):
    assert not lite0.module.training
    assert not any(p.requires_grad for p in lite0.module.parameters())
    assert hook_count(lite0.module) == 0


def test_preprocessing_keeps_the_whole_photo_and_its_aspect_ratio(lite0, chelsea):
    x = lite0.preprocess(chelsea.image)
    assert tuple(x.shape) == (1, 3, 224, 337)  # 451x300 -> shorter side 224, nothing cropped
    seen = lite0.view_of(x)
    assert seen.shape == (224, 337, 3)
    small = chelsea.image.resize((337, 224))
    assert abs(seen.astype(int) - np.asarray(small, dtype=int)).mean() < 4


def test_extreme_aspect_ratio_still_gives_a_usable_input(lite0):
    from PIL import Image

    x = lite0.preprocess(Image.new("RGB", (3000, 10), "white"))
    assert min(x.shape[-2:]) >= 64 and max(x.shape[-2:]) <= 896
    with torch.no_grad():
        assert lite0.module(x).shape == (1, 1000)


@pytest.mark.parametrize("name", [n for n in MODELS if n != DEFAULT_MODEL])
def test_every_torchvision_model_builds_and_runs_without_weights(name, chelsea):
    model = load_model(name, pretrained=False)
    with torch.no_grad():
        logits = model.module(model.preprocess(chelsea.image))
    assert logits.shape == (1, 1000) and torch.isfinite(logits).all()
    assert sum(p.numel() for p in model.module.parameters()) == MODELS[name].num_params
    assert len(model.categories) == 1000


def test_random_weights_are_the_same_twin_on_every_build_and_leave_the_callers_random_numbers_alone():
    """The sanity check's random-weights map must not change between reruns, sessions or the hand-out: with a
    fresh draw per build, about one build in twelve gives a blank map for the cat photo's top class."""
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    first = load_model(pretrained=False).module.state_dict()
    assert torch.equal(torch.rand(3), expected), "building the network drew from the caller's random numbers"
    second = load_model(pretrained=False).module.state_dict()
    assert all(torch.equal(first[key], second[key]) for key in first)
    trained = load_model().module.state_dict()
    assert not torch.equal(first["_conv_stem.weight"], trained["_conv_stem.weight"])


def test_known_parameter_counts():
    assert MODELS["resnet18"].num_params == 11_689_512
    assert MODELS["vgg16"].num_params == 138_357_544


@pytest.mark.parametrize("name", [n for n in MODELS if n != DEFAULT_MODEL])
def test_zoo_facts_written_in_the_registry_are_torchvisions_own(name):
    """The registry states each zoo network's facts so the app need not import torchvision: they must stay
    what torchvision's DEFAULT weights say (file, parameter count, crop, mean, std, interpolation)."""
    from torchvision import models as tv

    weights = tv.get_model_weights(name).DEFAULT
    transform = weights.transforms()
    spec = MODELS[name]
    assert spec.weights_url == weights.url
    assert spec.num_params == weights.meta["num_params"]
    assert spec.preprocessing.short_side == transform.crop_size[0]
    assert spec.preprocessing.mean == tuple(transform.mean)
    assert spec.preprocessing.std == tuple(transform.std)
    assert spec.preprocessing.interpolation == transform.interpolation.value


def test_class_names_read_without_torchvision_are_torchvisions_list():
    from torchvision import models as tv

    names = imagenet_categories()
    assert names == tuple(tv.ResNet18_Weights.DEFAULT.meta["categories"])
    assert (names[0], names[281], names[967], names[999]) == ("tench", "tabby", "espresso", "toilet tissue")


def test_unknown_model_name_lists_the_choices():
    with pytest.raises(ExplorerError, match="efficientnet_lite0"):
        load_model("lenet")


def test_capture_returns_layers_and_leaves_no_hook(lite0, chelsea):
    x = lite0.preprocess(chelsea.image)
    with torch.no_grad():
        logits, acts = forward_capturing(lite0.module, x, ["_conv_stem", "_blocks.15", "_conv_head"])
        plain = lite0.module(x)
    assert torch.equal(logits, plain)
    assert acts["_conv_stem"].shape == (1, 32, 112, 169)  # TF "same": ceil(224/2), ceil(337/2)
    assert acts["_conv_head"].shape == (1, 1280, 7, 11)
    assert hook_count(lite0.module) == 0


def test_capture_removes_its_hooks_after_an_error(lite0):
    with pytest.raises(RuntimeError):
        forward_capturing(lite0.module, torch.zeros(1, 5, 64, 64), ["_conv_stem"])
    assert hook_count(lite0.module) == 0
    with pytest.raises(ExplorerError, match="no layer called 'nope'"):
        forward_capturing(lite0.module, torch.zeros(1, 3, 64, 64), ["nope"])
