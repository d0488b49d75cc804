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
from explorer.cam.score_cam import Progress, score_cam
from explorer.device import friendly_oom
from explorer.errors import ExplorerError
from explorer.network.capture import forward_capturing

EPS = 1e-7
CamMethod = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class GradientFreeMethod(Protocol):
    """A CAM method that needs no gradients: raw K x h x w maps from the layer's C x h x w activations.

    It may run more forwards of ``module`` (without hooks: they need no lock), reporting the share done
    to ``progress``.
    """

    def __call__(
        self,
        module: nn.Module,
        inputs: torch.Tensor,
        activations: torch.Tensor,
        classes: tuple[int, ...],
        progress: Progress | None = None,
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
    """CAMs of several classes for one photo, layer and method, ready to draw (NumPy, CPU).

    ``maps`` are each scaled to [0, 1] by their own range; ``raw`` keeps the same maps after the ReLU but
    before that scaling, so maps of one method and layer can share a scale (``explorer.cam.maps.on_one_scale``).
    """

    method: str
    layer: str
    classes: tuple[int, ...]
    maps: np.ndarray
    probabilities: np.ndarray
    raw: np.ndarray

    def map_for(self, index: int) -> np.ndarray:
        """The h x w map in [0, 1] of class ``index``."""
        return self.maps[self.classes.index(index)]

    def raw_for(self, index: int) -> np.ndarray:
        """The h x w map of class ``index`` before scaling (zero where nothing raised the score)."""
        return self.raw[self.classes.index(index)]

    def is_zero(self, index: int) -> bool:
        """True when no part of the photo raised the score of class ``index`` at this layer: a blank map."""
        raw = self.raw_for(index)
        span = float(raw.max() - raw.min()) if raw.size else 0.0
        return not (np.isfinite(span) and span > 0)


def cam_set(method: str, layer: str, raw: torch.Tensor, logits: torch.Tensor, classes: tuple[int, ...]) -> CamSet:
    """A CamSet of raw K x h x w maps (ReLU applied here) and the forward's logits."""
    positive = raw.float().clamp(min=0)
    probabilities = torch.softmax(logits.float().reshape(-1), dim=0)
    return CamSet(
        method,
        layer,
        classes,
        normalise(positive).cpu().numpy(),
        probabilities.cpu().numpy(),
        positive.cpu().numpy(),
    )


def cams_from_gradients(method: str, captured: LayerGradients) -> CamSet:
    """The maps of a gradient method from gradients already taken: no forward, no backward."""
    name = method_name(method)
    if name not in GRADIENT_METHODS:
        raise ExplorerError(f"{name} does not use gradients; it needs its own forward passes.")
    raw = GRADIENT_METHODS[name](captured.activations, captured.gradients)
    return cam_set(name, captured.layer, raw, captured.logits, captured.classes)


def gradient_free_maps(
    method: str,
    module: nn.Module,
    inputs: torch.Tensor,
    layer: str,
    classes: Sequence[int] | None,
    top_k: int,
    progress: Progress | None = None,
) -> tuple[torch.Tensor, torch.Tensor, tuple[int, ...]]:
    """(raw maps, logits, classes) of a gradient-free method: one hooked forward, then the method."""
    with torch.no_grad():
        logits, captured = forward_capturing(module, inputs, [layer])
    if layer not in captured:
        raise ExplorerError(f"The layer '{layer}' is not used when the network makes its prediction.")
    scores = logits.reshape(-1)
    chosen = check_classes(top_classes(scores, top_k) if classes is None else classes, scores.numel())
    acts = captured[layer]
    if acts.ndim != 4 or acts.shape[0] != 1:
        raise ExplorerError(f"The layer '{layer}' does not output image-like feature maps; choose a convolution.")
    maps = GRADIENT_FREE_METHODS[method](module, inputs, acts[0], chosen, progress)
    return maps, scores, chosen


def compute_cams(
    module: nn.Module,
    inputs: torch.Tensor,
    layer: str,
    method: str = "Grad-CAM",
    classes: Sequence[int] | None = None,
    top_k: int = 1,
    progress: Progress | None = None,
) -> CamSet:
    """The CAMs of ``classes`` (default: this forward's top ``top_k``) with one forward pass.

    A gradient-free method reports the share of its extra forwards done to ``progress``.
    """
    method = method_name(method)
    with friendly_oom():
        if method in GRADIENT_METHODS:
            return cams_from_gradients(method, layer_gradients(module, inputs, layer, classes, top_k))
        raw, logits, chosen = gradient_free_maps(method, module, inputs, layer, classes, top_k, progress)
        return cam_set(method, layer, raw, logits, chosen)
