"""Every registry model loads trained weights of the shape its publisher ships, from torchvision's cache.

The files are built here in their published form (nothing is downloaded): GoogLeNet's with its two
training-only auxiliary classifiers, DenseNet's with the old 'norm.1' key names, the 2017 ResNet and
DenseNet files without BatchNorm's 'num_batches_tracked' (added by PyTorch 0.4.1), the others as
torchvision's ``state_dict``. Each is loaded exactly as the app loads it, and must arrive unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch
from torch import nn
from torchvision import models as tv

from explorer.models import DEFAULT_MODEL, MODELS, get_spec, load_model
from explorer.models.weights import MIRROR_ENV, cached_path

BEFORE_NUM_BATCHES_TRACKED = {"resnet18", "resnet50", "densenet121"}
_NEW_DENSE_KEY = re.compile(r"^(.*denselayer\d+\.(?:norm|relu|conv))([12])\.(weight|bias|running_mean|running_var)$")


def published(name: str) -> dict[str, torch.Tensor]:
    """A state dict in the form of the file torchvision's URL serves for ``name``, with random values."""
    torch.manual_seed(1)
    if name == "googlenet":
        state = tv.googlenet(weights=None, aux_logits=True, init_weights=False).state_dict()
        assert any(key.startswith("aux1.") for key in state)
    else:
        state = tv.get_model(name, weights=None).state_dict()
    if name == "densenet121":
        state = {_NEW_DENSE_KEY.sub(r"\1.\2.\3", key): value for key, value in state.items()}
        assert "features.denseblock1.denselayer1.norm.1.weight" in state
    if name in BEFORE_NUM_BATCHES_TRACKED:
        state = {key: value for key, value in state.items() if not key.endswith("num_batches_tracked")}
    return dict(state)


def counted(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The learned tensors and statistics (BatchNorm's step counter is not in every published file)."""
    return {key: value for key, value in state.items() if not key.endswith("num_batches_tracked")}


def assert_loaded_unchanged(module: nn.Module, adapted: dict[str, torch.Tensor]) -> None:
    """The loaded network holds exactly the file's tensors, each under its (adapted) name."""
    loaded, expected = counted(module.state_dict()), counted(adapted)
    assert loaded.keys() == expected.keys()
    for key, value in expected.items():
        assert torch.equal(loaded[key].cpu(), value), key


@pytest.mark.parametrize("name", [name for name in MODELS if name != DEFAULT_MODEL])
def test_published_weights_load_from_the_cache_without_a_network(name, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv(MIRROR_ENV, "http://127.0.0.1:9")  # a download would fail: the file must be used
    spec = get_spec(name)
    state = published(name)
    target = cached_path(spec.weights_url or "")
    target.parent.mkdir(parents=True)
    torch.save(state, target)
    model = load_model(name, device=torch.device("cpu"))
    assert model.pretrained and not model.module.training
    assert_loaded_unchanged(model.module, spec.adapt_state(state))


def test_the_bundled_default_loads_its_file_unchanged():
    spec = get_spec(DEFAULT_MODEL)
    path: Path = spec.weights_path()
    state = torch.load(path, map_location="cpu", weights_only=True)
    model = load_model(device=torch.device("cpu"))
    assert_loaded_unchanged(model.module, spec.adapt_state(state))


def test_googlenet_description_matches_its_branches():
    """torchvision's Inception 'branch3' is 1x1 then 3x3 (the paper drew 5x5; the weights are 3x3)."""
    block = tv.googlenet(weights=None, aux_logits=False, init_weights=False).inception3a
    kernels = {
        branch: [m.kernel_size for m in getattr(block, branch).modules() if isinstance(m, nn.Conv2d)]
        for branch in ("branch1", "branch2", "branch3", "branch4")
    }
    assert kernels == {
        "branch1": [(1, 1)],
        "branch2": [(1, 1), (3, 3)],
        "branch3": [(1, 1), (3, 3)],
        "branch4": [(1, 1)],
    }
    blurb = get_spec("googlenet").blurb
    assert "1x1 then 3x3" in blurb and "5x5" not in blurb.replace("the paper's 5x5", "")
