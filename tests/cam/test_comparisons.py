"""Comparing maps honestly: classes of different kinds, one scale for two classes, a zero map said to be
zero, every gradient method from one pass, Score-CAM's progress, and a GPU out of memory as a sentence."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from torchvision.datasets import Imagenette
from torchvision.models import ResNet18_Weights

from explorer.cam.gradients import layer_gradients
from explorer.cam.kinds import TABLE, contrast_class, imagenet_kinds
from explorer.cam.maps import on_one_scale
from explorer.cam.methods import GRADIENT_METHODS, cams_from_gradients, compute_cams
from explorer.cam.score_cam import BATCH_SIZE, MAX_CHANNELS
from explorer.errors import ExplorerError

TABLE_ROWS = [line.split("\t") for line in TABLE.read_text().splitlines()[1:]]


def ranking(model, photo) -> tuple[int, ...]:
    with torch.no_grad():
        return tuple(model.module(model.preprocess(photo.image)).reshape(-1).argsort(descending=True).tolist())


def test_the_kinds_table_names_imagenets_own_synsets():
    """torchvision's Imagenette lists ten ImageNet synset ids with their names: the table agrees."""
    by_wnid = {row[1]: row[2] for row in TABLE_ROWS}
    for wnid, names in Imagenette._WNID_TO_CLASS.items():
        assert by_wnid[wnid].lower() in {name.lower() for name in names}
    assert [row[2] for row in TABLE_ROWS] == ResNet18_Weights.DEFAULT.meta["categories"]


def test_cats_are_one_kind_and_dogs_another():
    kinds = imagenet_kinds()
    assert {kinds[i] for i in range(281, 294)} == {"feline"}  # tabby ... cheetah
    assert {kinds[i] for i in range(151, 269)} == {"canine"}  # every dog breed
    assert kinds[967] != kinds[504]  # espresso (a drink) and coffee mug (a container)


def test_the_default_pair_is_the_top_class_against_another_kind(lite0, chelsea, coffee):
    cat = ranking(lite0, chelsea)
    assert cat[:3] == (285, 282, 281)  # Egyptian cat, tiger cat, tabby
    assert contrast_class(cat, 1000) == 728  # plastic bag: the best class that is not a cat
    cup = ranking(lite0, coffee)
    assert cup[:2] == (967, 968)  # espresso, then "cup" (the drink)
    assert contrast_class(cup, 1000) == 504  # coffee mug
    assert contrast_class((3, 1, 2), 10) == 1  # not ImageNet: simply the runner-up


def test_one_scale_keeps_a_weak_map_faint_and_each_own_scale_fills_it():
    strong = np.array([[0.0, 4.0], [2.0, 0.0]], dtype=np.float32)
    weak = np.array([[0.0, 0.4], [0.2, 0.0]], dtype=np.float32)
    together = on_one_scale([strong, weak])
    np.testing.assert_allclose(together[0], strong / 4)
    np.testing.assert_allclose(together[1], weak / 4)
    assert on_one_scale([np.zeros((2, 2)), np.zeros((2, 2))])[1].max() == 0


class NegativeHead(nn.Module):
    """A conv, a ReLU and a head whose every weight is negative: no position can raise the class score."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.relu = nn.ReLU()
        self.head = nn.Linear(4, 2)
        with torch.no_grad():
            self.head.weight.fill_(-1.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.relu(self.conv(x)).mean(dim=(2, 3)))


def test_a_map_that_nothing_raises_is_reported_zero_not_stretched():
    torch.manual_seed(0)
    module = NegativeHead().eval()
    cams = compute_cams(module, torch.rand(1, 3, 16, 16), "relu", "Grad-CAM", classes=[0])
    assert cams.is_zero(0)
    assert cams.map_for(0).max() == 0 and cams.raw_for(0).max() == 0


def test_every_gradient_method_derives_from_one_pass_exactly(lite0, chelsea):
    inputs = lite0.preprocess(chelsea.image)
    captured = layer_gradients(lite0.module, inputs, "_conv_head", (285, 728))
    for method in GRADIENT_METHODS:
        derived = cams_from_gradients(method, captured)
        direct = compute_cams(lite0.module, inputs, "_conv_head", method, classes=[285, 728])
        np.testing.assert_allclose(derived.maps, direct.maps, atol=1e-5)
        np.testing.assert_allclose(derived.probabilities, direct.probabilities, atol=1e-6)
    with pytest.raises(ExplorerError, match="does not use gradients"):
        cams_from_gradients("Score-CAM", captured)


def test_score_cam_reports_its_progress_to_the_end(resnet18_random):
    heard: list[float] = []
    inputs = torch.rand(1, 3, 64, 64)
    compute_cams(resnet18_random.module, inputs, "layer4", "Score-CAM", classes=[1], progress=heard.append)
    assert heard == sorted(heard) and heard[-1] == 1.0 and len(heard) == MAX_CHANNELS // BATCH_SIZE


class RunsOutOfMemoryOnce(nn.Module):
    """A tiny network whose first forward fails the way a full GPU does; later forwards work."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.head = nn.Linear(4, 3)
        self.failures_left = 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.failures_left:
            self.failures_left -= 1
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")
        return self.head(self.conv(x).mean(dim=(2, 3)))


@pytest.mark.parametrize("method", ["Grad-CAM", "Score-CAM"])
def test_out_of_memory_is_a_sentence_the_cache_is_freed_and_the_next_request_works(method, monkeypatch):
    emptied: list[int] = []
    real_empty_cache = torch.cuda.empty_cache
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: (emptied.append(1), real_empty_cache())[1])
    module = RunsOutOfMemoryOnce().eval()
    inputs = torch.rand(1, 3, 16, 16)
    with pytest.raises(ExplorerError, match="ran out of memory.*smaller photo or a lighter model"):
        compute_cams(module, inputs, "conv", method, classes=[0])
    assert emptied, "the CUDA cache is emptied (a no-op without CUDA)"
    assert compute_cams(module, inputs, "conv", method, classes=[0]).maps.shape == (1, 16, 16)
