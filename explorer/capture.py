"""Capture intermediate outputs of a shared model in one forward pass, leaving the model untouched.

A model cached by Streamlit is shared by every session and thread. Hooks registered here live only
for one call: they are removed in ``finally`` (after success and after an error), and the call holds
the model's lock so two sessions never see each other's hooks. Gradients, when wanted, are taken by
the caller with ``torch.autograd.grad`` on the returned activations, never ``.backward()``.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence

import torch
from torch import nn

from explorer.errors import ExplorerError

_LOCKS: weakref.WeakKeyDictionary[nn.Module, threading.RLock] = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def model_lock(model: nn.Module) -> threading.RLock:
    """The lock that serialises hooked forwards on one model object."""
    with _LOCKS_GUARD:
        lock = _LOCKS.get(model)
        if lock is None:
            lock = _LOCKS[model] = threading.RLock()
        return lock


def resolve_layers(model: nn.Module, names: Sequence[str]) -> dict[str, nn.Module]:
    """Map layer names (as in ``model.named_modules()``) to modules, with a plain error for a bad name."""
    modules = dict(model.named_modules())
    unknown = [name for name in names if name not in modules]
    if unknown:
        raise ExplorerError(f"The model has no layer called '{unknown[0]}'.")
    return {name: modules[name] for name in names}


def forward_capturing(
    model: nn.Module, inputs: torch.Tensor, layers: Sequence[str]
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Run ``model(inputs)`` once; return its output and the output of each named layer.

    A module called more than once in one forward (torchvision's ResNet blocks reuse one ReLU)
    reports its last call, which is the block's output. Grad mode is the caller's: wrap the call in
    ``torch.no_grad()`` for display, or give ``inputs`` ``requires_grad`` to differentiate later.
    """
    targets = resolve_layers(model, layers)
    captured: dict[str, torch.Tensor] = {}
    handles = []

    owner = threading.get_ident()

    def keeper(name: str):
        def keep(_module: nn.Module, _args: object, output: torch.Tensor) -> None:
            if threading.get_ident() == owner:  # an unlocked forward elsewhere must not leak in
                captured[name] = output

        return keep

    with model_lock(model):
        try:
            for name, module in targets.items():
                handles.append(module.register_forward_hook(keeper(name)))
            output = model(inputs)
        finally:
            for handle in handles:
                handle.remove()
    return output, captured


def hook_count(model: nn.Module) -> int:
    """How many forward/backward hooks are registered anywhere in ``model`` (tests assert zero)."""
    total = 0
    for module in model.modules():
        total += len(module._forward_hooks) + len(module._forward_pre_hooks)
        total += len(module._backward_hooks) + len(getattr(module, "_backward_pre_hooks", {}))
    return total
