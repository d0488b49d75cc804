"""Weights are read as tensors only: a crafted checkpoint in the shared torch cache never runs code, and a
file that is not a plain state dict of the right shapes is refused with one sentence."""

from __future__ import annotations

import pathlib
from pathlib import Path

import pytest
import torch

from explorer.errors import ExplorerError
from explorer.models import get_spec, load_model
from explorer.models.weights import cached_path


class Payload:
    """Unpickling this object would create ``marker``: a stand-in for any code an attacker wants run."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (pathlib.Path.touch, (self.marker,))


def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: object) -> Path:
    """Save ``content`` where ResNet-18's weights are looked for, in a private torch cache."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    target = cached_path(get_spec("resnet18").weights_url)
    target.parent.mkdir(parents=True)
    torch.save(content, target)
    return target


def test_a_crafted_checkpoint_in_the_cache_does_not_run_its_code(tmp_path, monkeypatch):
    marker = tmp_path / "code-ran"
    target = place(tmp_path, monkeypatch, {"conv1.weight": Payload(marker)})
    kept = tmp_path / "kept.pth"
    kept.write_bytes(target.read_bytes())
    with pytest.raises(ExplorerError, match=r"^The saved weights for ResNet-18 could not be read"):
        load_model("resnet18")
    assert not marker.exists(), "loading the model must not execute anything in the file"
    assert not target.exists(), "the unreadable file is deleted, so a retry downloads a fresh copy"
    torch.load(kept, weights_only=False)  # what an unsafe loader would have done
    assert marker.exists(), "the file really is dangerous: a plain unpickle runs its code"


@pytest.mark.parametrize(
    "content",
    [
        [torch.zeros(3)],  # not a dict
        {"conv1.weight": "not a tensor"},
        {"conv1.weight": torch.zeros(1)},  # a dict of tensors of the wrong layers and shapes
    ],
    ids=["list", "non-tensor value", "wrong shapes"],
)
def test_a_file_that_is_not_a_state_dict_of_the_right_shapes_is_refused_in_one_sentence(tmp_path, monkeypatch, content):
    place(tmp_path, monkeypatch, content)
    with pytest.raises(ExplorerError) as refused:
        load_model("resnet18")
    sentence = str(refused.value)
    assert sentence.startswith("The saved weights for ResNet-18") and sentence.count(". ") <= 1
    assert "\n" not in sentence
