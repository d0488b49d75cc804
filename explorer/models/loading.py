"""Turn a registry entry into a ready, frozen network on the chosen device, and read its predictions.

Trained weights are read as tensors only (``torch.load(..., weights_only=True)``) and loaded strictly
into the architecture built with random weights: a file that is not a plain state dict of the right
shapes is refused with one sentence, and never runs code.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

from explorer.device import default_device, friendly_oom
from explorer.errors import ExplorerError
from explorer.models.registry import DEFAULT_MODEL, ModelSpec, get_spec
from explorer.models.weights import ProgressCallback, discard, ensure_weights

RANDOM_WEIGHTS_SEED = 0
"""The seed of a network built with ``pretrained=False``: one random twin per architecture, not one per call."""


@dataclass(frozen=True, eq=False)
class LoadedModel:
    """A ready network. ``module`` is shared by every session: never train it, hook it or write to it."""

    spec: ModelSpec
    module: nn.Module
    categories: tuple[str, ...]
    device: torch.device
    pretrained: bool

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def title(self) -> str:
        return self.spec.title

    def preprocess(self, image: Image.Image) -> torch.Tensor:
        """The photo as this network's 1x3xHxW input on its device (aspect kept, nothing cropped)."""
        return self.spec.preprocessing(image, self.device)

    def view_of(self, tensor: torch.Tensor) -> np.ndarray:
        """What the network sees, as an H x W x 3 uint8 picture."""
        return self.spec.preprocessing.to_pixels(tensor)


@dataclass(frozen=True)
class Prediction:
    """One class the network proposes, with its softmax probability."""

    label: str
    index: int
    prob: float


def top_predictions(logits: torch.Tensor, categories: tuple[str, ...], k: int = 5) -> tuple[Prediction, ...]:
    """The ``k`` most probable classes for one image's logits, best first."""
    probs = torch.softmax(logits.detach().float().reshape(-1), dim=0)
    k = max(1, min(int(k), probs.numel()))
    values, indices = probs.topk(k)
    return tuple(Prediction(categories[i], i, float(p)) for p, i in zip(values.tolist(), indices.tolist()))


def load_weights(spec: ModelSpec, module: nn.Module, progress: ProgressCallback | None = None) -> None:
    """Read ``spec``'s trained weights as tensors only and load them strictly into ``module``."""
    if spec.offline:
        path = spec.weights_path()
    elif spec.weights_url is not None:
        path = ensure_weights(spec.weights_url, spec.title, progress)
    else:
        raise ExplorerError(f"{spec.title} has no trained weights.")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (RuntimeError, OSError, EOFError, ValueError, pickle.UnpicklingError) as error:
        raise _refused(spec, path, "could not be read (the file is damaged)") from error
    if not isinstance(state, dict) or not all(isinstance(value, torch.Tensor) for value in state.values()):
        raise _refused(spec, path, "could not be read (the file is damaged)")
    try:
        module.load_state_dict(spec.adapt_state(state), strict=True)
    except RuntimeError as error:
        raise _refused(spec, path, "do not fit the network (wrong layers or shapes)") from error


def _refused(spec: ModelSpec, path: Path, problem: str) -> ExplorerError:
    """The sentence for weights that cannot be used; a downloaded file is deleted, so a retry downloads it afresh."""
    if spec.offline:
        return ExplorerError(f"The weights that ship with {spec.title} {problem}; please reinstall the app.")
    discard(path)
    return ExplorerError(
        f"The saved weights for {spec.title} {problem}, so the file was deleted; try again to download it afresh."
    )


def load_model(
    name: str = DEFAULT_MODEL,
    *,
    pretrained: bool = True,
    device: torch.device | None = None,
    progress: ProgressCallback | None = None,
) -> LoadedModel:
    """Build ``name`` (downloading its weights first if needed) in eval mode on ``device``, frozen.

    ``pretrained=False`` gives the same random weights on every call (seed ``RANDOM_WEIGHTS_SEED``), so the
    sanity check's random-weights map is the same in the app, in a hand-out and from the command line.
    """
    spec = get_spec(name)
    device = device or default_device().device
    with torch.random.fork_rng(devices=[]):  # the caller's random numbers go on as if nothing was drawn
        torch.manual_seed(RANDOM_WEIGHTS_SEED)
        module = spec.architecture()
    if pretrained:
        load_weights(spec, module, progress)
    module.eval().requires_grad_(False)
    with friendly_oom():
        module.to(device)
    return LoadedModel(spec, module, spec.categories(), device, pretrained)
