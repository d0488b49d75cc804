"""Gradients of class scores with respect to one layer, from one forward, without touching the model.

One forward hook lives for one call (``network.capture.hooked_forward``). Grad mode is off until the
chosen layer, where the hook hands the rest of the network a fresh leaf copy of the activation, so
``torch.autograd.grad`` differentiates only the head of the network and no gradient is ever written
into a parameter of the shared model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from explorer.device import friendly_oom
from explorer.errors import ExplorerError
from explorer.network.capture import hooked_forward


@dataclass(frozen=True)
class LayerGradients:
    """One forward's worth: the layer's activations (C x h x w), each class's gradients (K x C x h x w), logits."""

    layer: str
    activations: torch.Tensor
    gradients: torch.Tensor
    logits: torch.Tensor
    classes: tuple[int, ...]


def forward_to_layer(module: nn.Module, inputs: torch.Tensor, layer: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Run ``module(inputs)`` once; return (logits, activation) where only the part after ``layer``
    is recorded for autograd, the activation being its leaf."""
    captured: list[torch.Tensor] = []

    def make_leaf(_module: nn.Module, _args: object, output: torch.Tensor) -> torch.Tensor | None:
        if not isinstance(output, torch.Tensor):
            return None
        leaf = output.detach().requires_grad_(True)
        captured[:] = [leaf]
        torch.set_grad_enabled(True)
        return leaf.clone()

    grad_mode = torch.is_grad_enabled()
    try:
        torch.set_grad_enabled(False)
        with friendly_oom():
            logits = hooked_forward(module, inputs, {layer: make_leaf})
    finally:
        torch.set_grad_enabled(grad_mode)
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


def top_classes(scores: torch.Tensor, top_k: int) -> tuple[int, ...]:
    """The ``top_k`` best-scoring class indices, best first."""
    return tuple(scores.detach().topk(max(1, min(top_k, scores.numel()))).indices.tolist())


def layer_gradients(
    module: nn.Module, inputs: torch.Tensor, layer: str, classes: Sequence[int] | None = None, top_k: int = 1
) -> LayerGradients:
    """Gradients of several class scores w.r.t. one layer, from a single forward pass.

    ``classes`` defaults to the ``top_k`` most likely classes of this very forward.
    """
    logits, acts = forward_to_layer(module, inputs, layer)
    scores = logits.reshape(-1)
    chosen = check_classes(top_classes(scores, top_k) if classes is None else classes, scores.numel())
    if not acts.ndim == 4 or acts.shape[0] != 1:
        raise ExplorerError(f"The layer '{layer}' does not output image-like feature maps; choose a convolution.")
    grads = []
    with friendly_oom():
        for i, index in enumerate(chosen):
            try:
                (grad,) = torch.autograd.grad(scores[index], acts, retain_graph=i < len(chosen) - 1)
            except RuntimeError as error:
                raise ExplorerError(f"The class score does not depend on the layer '{layer}'.") from error
            grads.append(grad[0])
    return LayerGradients(layer, acts.detach()[0], torch.stack(grads), logits.detach().reshape(-1), chosen)
