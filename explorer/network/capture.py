"""Forwards with hooks on a shared model, scoped to one call: the one place hooks are ever registered.

A model cached by Streamlit is shared by every session and thread. ``hooked_forward`` registers forward
hooks for one call only, under the model's lock (so two sessions never see each other's hooks), and
removes them in ``finally`` (after success and after an error). A hook acts only on the forward of the
thread that registered it: a forward without hooks may run on another thread at the same moment, and
it takes no lock at all. Gradients are taken by callers with ``torch.autograd.grad``, never ``.backward()``.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Mapping, Sequence

import torch
from torch import nn

from explorer.errors import ExplorerError

ForwardHook = Callable[[nn.Module, object, torch.Tensor], torch.Tensor | None]
"""Called with (module, inputs, output); may return a replacement output."""

_LOCKS: weakref.WeakKeyDictionary[nn.Module, threading.RLock] = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def model_lock(model: nn.Module) -> threading.RLock:
    """The lock that serialises hooked forwards on one model object (unhooked forwards never take it)."""
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


def hooked_forward(model: nn.Module, inputs: torch.Tensor, hooks: Mapping[str, ForwardHook]) -> torch.Tensor:
    """Run ``model(inputs)`` once with ``hooks`` on the named layers, for this call and this thread only."""
    targets = resolve_layers(model, list(hooks))
    owner = threading.get_ident()

    def only_this_thread(hook: ForwardHook) -> ForwardHook:
        def run(module: nn.Module, args: object, output: torch.Tensor) -> torch.Tensor | None:
            return hook(module, args, output) if threading.get_ident() == owner else None

        return run

    handles = []
    with model_lock(model):
        try:
            for name, hook in hooks.items():
                handles.append(targets[name].register_forward_hook(only_this_thread(hook)))
            return model(inputs)
        finally:
            for handle in handles:
                handle.remove()


def forward_capturing(
    model: nn.Module, inputs: torch.Tensor, layers: Sequence[str]
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Run ``model(inputs)`` once; return its output and the output of each named layer.

    A module called more than once in one forward (torchvision's ResNet blocks reuse one ReLU)
    reports its last call, which is the block's output. Grad mode is the caller's.
    """
    captured: dict[str, torch.Tensor] = {}

    def keeper(name: str) -> ForwardHook:
        def keep(_module: nn.Module, _args: object, output: torch.Tensor) -> None:
            captured[name] = output

        return keep

    output = hooked_forward(model, inputs, {name: keeper(name) for name in layers})
    return output, captured


def hook_count(model: nn.Module) -> int:
    """How many forward/backward hooks are registered anywhere in ``model`` (tests assert zero)."""
    total = 0
    for module in model.modules():
        total += len(module._forward_hooks) + len(module._forward_pre_hooks)
        total += len(module._backward_hooks) + len(getattr(module, "_backward_pre_hooks", {}))
    return total
