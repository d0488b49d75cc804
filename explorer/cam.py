"""The Grad-CAM family: which parts of the photo made the network say "cat"?

Every gradient method is a small pure function of one layer's activations A (C x h x w) and the
gradients G (K x C x h x w) of K class scores with respect to A; it only says how the map is made,
the way pytorch-grad-cam's ``get_cam_weights`` does. The maths matches torchcam and pytorch-grad-cam.

The shared model is never changed: one forward hook lives for one call, under the model's lock,
removed in ``finally``. Grad mode is off until the chosen layer, where the hook hands the rest of the
network a fresh leaf copy of the activation, so ``torch.autograd.grad`` differentiates only the head
of the network, and no gradient is ever written into a parameter.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from explorer.capture import forward_capturing, model_lock, resolve_layers
from explorer.device import friendly_oom
from explorer.errors import ExplorerError

EPS = 1e-7
CamMethod = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


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
SCORE_CAM = "Score-CAM"
METHODS: tuple[str, ...] = (*GRADIENT_METHODS, SCORE_CAM)


def method_name(text: str) -> str:
    """The canonical method name for loose spellings ("gradcam++", "grad-cam-pp", "scorecam")."""
    def slug(name: str) -> str:
        return re.sub(r"[^a-z0-9]", "", name.lower().replace("++", "pp"))

    wanted = slug(text)
    for name in METHODS:
        if slug(name) == wanted:
            return name
    raise ExplorerError(f"There is no CAM method called '{text}'; choose one of: {', '.join(METHODS)}.")


def normalise(maps: torch.Tensor) -> torch.Tensor:
    """ReLU, then scale each map to [0, 1] (as torchcam and pytorch-grad-cam do); flat maps become 0."""
    maps = maps.clamp(min=0)
    flat = maps.flatten(1)
    low = flat.amin(dim=1)[:, None, None]
    high = flat.amax(dim=1)[:, None, None]
    return (maps - low) / (high - low + EPS)


def upsample(maps: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Bilinear upsampling of K x h x w maps to ``size`` = (height, width), staying in [0, 1].

    The feature grid covers the whole photo (nothing is cropped), so stretching it over the photo
    lines each cell up with the pixels it saw.
    """
    out = F.interpolate(maps[:, None].float(), size=size, mode="bilinear", align_corners=False)
    return out[:, 0].clamp_(0.0, 1.0)


@dataclass(frozen=True)
class LayerGradients:
    """One forward's worth: the layer's activations, each class's gradients, and the logits."""

    layer: str
    activations: torch.Tensor
    gradients: torch.Tensor
    logits: torch.Tensor
    classes: tuple[int, ...]


def forward_to_layer(module: nn.Module, inputs: torch.Tensor, layer: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Run ``module(inputs)`` once; return (logits, activation) where only the part after ``layer``
    is recorded for autograd, the activation being its leaf.

    The hook lives for this call only, under the model's lock, and acts only on this thread's forward.
    """
    target = resolve_layers(module, [layer])[layer]
    captured: list[torch.Tensor] = []
    owner = threading.get_ident()

    def make_leaf(_module: nn.Module, _args: object, output: torch.Tensor) -> torch.Tensor | None:
        if threading.get_ident() != owner or not isinstance(output, torch.Tensor):
            return None
        leaf = output.detach().requires_grad_(True)
        captured[:] = [leaf]
        torch.set_grad_enabled(True)
        return leaf.clone()

    grad_mode = torch.is_grad_enabled()
    with model_lock(module), friendly_oom():
        handle = target.register_forward_hook(make_leaf)
        try:
            torch.set_grad_enabled(False)
            logits = module(inputs)
        finally:
            torch.set_grad_enabled(grad_mode)
            handle.remove()
    if not captured:
        raise ExplorerError(f"The layer '{layer}' is not used when the network makes its prediction.")
    return logits, captured[0]


def check_classes(classes: Sequence[int], count: int) -> tuple[int, ...]:
    """The class indices as ints, or a plain error for one outside 0..count-1."""
    checked = []
    for index in classes:
        if not 0 <= int(index) < count:
            raise ExplorerError(f"Class index {index} is out of range: use a number from 0 to {count - 1}.")
        checked.append(int(index))
    return tuple(checked)


def layer_gradients(
    module: nn.Module, inputs: torch.Tensor, layer: str, classes: Sequence[int] | None = None, top_k: int = 1
) -> LayerGradients:
    """Gradients of several class scores w.r.t. one layer, from a single forward pass.

    ``classes`` defaults to the ``top_k`` most likely classes of this very forward.
    """
    logits, acts = forward_to_layer(module, inputs, layer)
    scores = logits.reshape(-1)
    if classes is None:
        classes = scores.detach().topk(max(1, min(top_k, scores.numel()))).indices.tolist()
    classes = check_classes(classes, scores.numel())
    if not acts.ndim == 4 or acts.shape[0] != 1:
        raise ExplorerError(f"The layer '{layer}' does not output image-like feature maps; choose a convolution.")
    grads = []
    with friendly_oom():
        for i, index in enumerate(classes):
            try:
                (grad,) = torch.autograd.grad(scores[index], acts, retain_graph=i < len(classes) - 1)
            except RuntimeError as error:
                raise ExplorerError(f"The class score does not depend on the layer '{layer}'.") from error
            grads.append(grad[0])
    return LayerGradients(layer, acts.detach()[0], torch.stack(grads), logits.detach().reshape(-1), classes)


def maps_from_gradients(method: str, captured: LayerGradients) -> torch.Tensor:
    """K x h x w maps in [0, 1] for a gradient method, at the layer's resolution."""
    return normalise(GRADIENT_METHODS[method_name(method)](captured.activations, captured.gradients))


def score_cam(
    module: nn.Module, inputs: torch.Tensor, layer: str, classes: Sequence[int] | None = None,
    top_k: int = 1, max_channels: int = 64, batch_size: int = 16,
) -> tuple[torch.Tensor, torch.Tensor, tuple[int, ...]]:
    """Score-CAM (gradient-free): weight each channel by the softmax, over channels, of the class
    score the network gives the photo seen only through that channel's (normalised) map.

    Cost is bounded: only the ``max_channels`` channels with the widest activation range are tried
    (the rest get weight 0), ``batch_size`` masked photos per forward. Returns (maps, logits, classes).
    """
    with model_lock(module), torch.no_grad(), friendly_oom():
        logits, captured = forward_capturing(module, inputs, [layer])
        if layer not in captured:
            raise ExplorerError(f"The layer '{layer}' is not used when the network makes its prediction.")
        scores, acts = logits.reshape(-1), captured[layer]
        if classes is None:
            classes = scores.topk(max(1, min(top_k, scores.numel()))).indices.tolist()
        classes = check_classes(classes, scores.numel())
        acts = acts[0]
        masks = upsample(normalise_channels(acts), tuple(inputs.shape[-2:]))
        spread = acts.flatten(1).amax(1) - acts.flatten(1).amin(1)
        chosen = spread.topk(min(max_channels, acts.shape[0])).indices
        chosen = chosen[spread[chosen] > 0]
        picked = torch.tensor(classes, device=inputs.device)
        channel_scores = []
        for start in range(0, len(chosen), batch_size):
            batch = inputs * masks[chosen[start:start + batch_size], None]
            channel_scores.append(module(batch)[:, picked])
        weights = torch.zeros(len(classes), acts.shape[0], device=acts.device)
        if channel_scores:
            weights[:, chosen] = torch.softmax(torch.cat(channel_scores).T.float(), dim=1)
        maps = torch.einsum("kc,chw->khw", weights, acts)
    return normalise(maps), scores.detach(), classes


def normalise_channels(acts: torch.Tensor) -> torch.Tensor:
    """Each channel of C x h x w scaled to [0, 1] (Score-CAM's masks)."""
    flat = acts.flatten(1)
    low, high = flat.amin(1)[:, None, None], flat.amax(1)[:, None, None]
    return (acts - low) / (high - low + 1e-8)


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


def compute_cams(
    module: nn.Module, inputs: torch.Tensor, layer: str, method: str = "Grad-CAM",
    classes: Sequence[int] | None = None, top_k: int = 1,
) -> CamSet:
    """The CAMs of ``classes`` (default: this forward's top ``top_k``) with one forward pass."""
    method = method_name(method)
    if method == SCORE_CAM:
        maps, logits, classes = score_cam(module, inputs, layer, classes, top_k)
    else:
        captured = layer_gradients(module, inputs, layer, classes, top_k)
        maps, logits, classes = maps_from_gradients(method, captured), captured.logits, captured.classes
    probabilities = torch.softmax(logits.float(), dim=0)
    return CamSet(method, layer, classes, maps.float().cpu().numpy(), probabilities.cpu().numpy())
