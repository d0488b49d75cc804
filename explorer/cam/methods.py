"""The Grad-CAM family: which parts of the photo made the network say "cat"?

Every gradient method is a small pure function of one layer's activations A (C x h x w) and the
gradients G (K x C x h x w) of K class scores with respect to A; it only says how the map is made,
the way pytorch-grad-cam's ``get_cam_weights`` does. A gradient-free method implements
``GradientFreeMethod`` instead. The maths matches torchcam and pytorch-grad-cam.

Adding a method is one function and one entry in ``GRADIENT_METHODS`` or ``GRADIENT_FREE_METHODS``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch
from torch import nn

from explorer.cam.gradients import LayerGradients, check_classes, layer_gradients, top_classes
from explorer.cam.maps import normalise
from explorer.cam.score_cam import score_cam
from explorer.errors import ExplorerError
from explorer.network.capture import forward_capturing

EPS = 1e-7
CamMethod = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class GradientFreeMethod(Protocol):
    """A CAM method that needs no gradients: raw K x h x w maps from the layer's C x h x w activations.

    It may run more forwards of ``module`` (without hooks: they need no lock).
    """

    def __call__(
        self, module: nn.Module, inputs: torch.Tensor, activations: torch.Tensor, classes: tuple[int, ...]
    ) -> torch.Tensor: ...


def grad_cam(acts: torch.Tensor, grads: torch.Tensor) -> torch.Tensor:
    """Grad-CAM: each channel weighted by its spatially averaged gradient."""
    return torch.einsum("kc,chw->khw", grads.mean(dim=(2, 3)), acts)


def grad_cam_pp(acts: torch.Tensor, grads: torch.Tensor) -> torch.Tensor:
    """Grad-CAM++: positive gradients weighted per position by alpha (eq. 19, exponential-score form)."""
    grads_2 = grads.pow(2)
    sum_acts = acts.sum(dim=(1, 2))[None, :, None, None]
    alpha = grads_2 / (2 * grads_2 + sum_acts * grads_2 * grads + 1e-6)
    alpha = torch.where(grads != 0, alpha, torch.zeros_like(alpha))
    weights = (alpha * grads.clamp(min=0)).sum(dim=(2, 3))
    return torch.einsum("kc,chw->khw", weights, acts)


def xgrad_cam(acts: torch.Tensor, grads: torch.Tensor) -> torch.Tensor:
    """XGrad-CAM: gradients averaged with the activations themselves as weights."""
    weights = (grads * acts).sum(dim=(2, 3)) / (acts.sum(dim=(1, 2)) + EPS)
    return torch.einsum("kc,chw->khw", weights, acts)


def hires_cam(acts: torch.Tensor, grads: torch.Tensor) -> torch.Tensor:
    """HiResCAM: gradient times activation at every position, summed over channels (no averaging)."""
    return (grads * acts).sum(dim=1)


def layer_cam(acts: torch.Tensor, grads: torch.Tensor) -> torch.Tensor:
    """LayerCAM: positive gradient times activation at every position."""
    return (grads.clamp(min=0) * acts).sum(dim=1)


GRADIENT_METHODS: dict[str, CamMethod] = {
    "Grad-CAM": grad_cam,
    "Grad-CAM++": grad_cam_pp,
    "XGrad-CAM": xgrad_cam,
    "HiResCAM": hires_cam,
    "LayerCAM": layer_cam,
}
GRADIENT_FREE_METHODS: dict[str, GradientFreeMethod] = {"Score-CAM": score_cam}
SCORE_CAM = "Score-CAM"
METHODS: tuple[str, ...] = (*GRADIENT_METHODS, *GRADIENT_FREE_METHODS)


def method_name(text: str) -> str:
    """The canonical method name for loose spellings ("gradcam++", "grad-cam-pp", "scorecam")."""

    def slug(name: str) -> str:
        return re.sub(r"[^a-z0-9]", "", name.lower().replace("++", "pp"))

    wanted = slug(text)
    for name in METHODS:
        if slug(name) == wanted:
            return name
    raise ExplorerError(f"There is no CAM method called '{text}'; choose one of: {', '.join(METHODS)}.")


def maps_from_gradients(method: str, captured: LayerGradients) -> torch.Tensor:
    """K x h x w maps in [0, 1] for a gradient method, at the layer's resolution."""
    return normalise(GRADIENT_METHODS[method_name(method)](captured.activations, captured.gradients))


@dataclass(frozen=True)
class CamSet:
    """CAMs of several classes for one photo, layer and method, ready to draw (NumPy, CPU)."""

    method: str
    layer: str
    classes: tuple[int, ...]
    maps: np.ndarray
    probabilities: np.ndarray

    def map_for(self, index: int) -> np.ndarray:
        """The h x w map in [0, 1] of class ``index``."""
        return self.maps[self.classes.index(index)]


def gradient_free_maps(
    method: str, module: nn.Module, inputs: torch.Tensor, layer: str, classes: Sequence[int] | None, top_k: int
) -> tuple[torch.Tensor, torch.Tensor, tuple[int, ...]]:
    """(maps in [0, 1], logits, classes) of a gradient-free method: one hooked forward, then the method."""
    with torch.no_grad():
        logits, captured = forward_capturing(module, inputs, [layer])
    if layer not in captured:
        raise ExplorerError(f"The layer '{layer}' is not used when the network makes its prediction.")
    scores = logits.reshape(-1)
    chosen = check_classes(top_classes(scores, top_k) if classes is None else classes, scores.numel())
    acts = captured[layer]
    if acts.ndim != 4 or acts.shape[0] != 1:
        raise ExplorerError(f"The layer '{layer}' does not output image-like feature maps; choose a convolution.")
    maps = GRADIENT_FREE_METHODS[method](module, inputs, acts[0], chosen)
    return normalise(maps), scores, chosen


def compute_cams(
    module: nn.Module,
    inputs: torch.Tensor,
    layer: str,
    method: str = "Grad-CAM",
    classes: Sequence[int] | None = None,
    top_k: int = 1,
) -> CamSet:
    """The CAMs of ``classes`` (default: this forward's top ``top_k``) with one forward pass."""
    method = method_name(method)
    if method in GRADIENT_FREE_METHODS:
        maps, logits, chosen = gradient_free_maps(method, module, inputs, layer, classes, top_k)
    else:
        captured = layer_gradients(module, inputs, layer, classes, top_k)
        maps, logits, chosen = maps_from_gradients(method, captured), captured.logits, captured.classes
    probabilities = torch.softmax(logits.float(), dim=0)
    return CamSet(method, layer, chosen, maps.float().cpu().numpy(), probabilities.cpu().numpy())
