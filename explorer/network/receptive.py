"""Receptive fields measured on the real graph, during the forward pass that computes the activations.

A tracker watches every tensor op (a ``TorchFunctionMode``, so nothing is registered on the shared
model). Each tensor carries how many input pixels one of its positions can see (``size``) and how
far apart, in input pixels, neighbouring positions are (``jump``). Convolutions and pools grow
``size`` by ``(k - 1) * dilation * jump`` and multiply ``jump`` by the stride; anything that merges
tensors (a residual add, a concat) keeps the largest. Skip connections, Inception branches and
TensorFlow "same" padding are therefore handled by the graph itself, not by a guess per architecture.

Some values see the whole image however small their window: a global pooling (an adaptive pool to 1x1)
summarises the whole map, and a squeeze-excite gate multiplies such a summary back onto a spatial map,
so from there on every value depends on every pixel. ``Receptive.whole`` says so ("global pool",
"global gate"), and the pages print "whole image (global gate)" instead of a window larger than the input.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace

import torch
from torch.overrides import TorchFunctionMode

GLOBAL_POOL = "global pool"
GLOBAL_GATE = "global gate"


@dataclass(frozen=True)
class Receptive:
    """Receptive field of one tensor position, along the height axis, in input pixels.

    ``whole`` is empty for a window, or why the value sees the whole image: ``GLOBAL_POOL`` (a summary
    of the whole map) or ``GLOBAL_GATE`` (a map multiplied by such a summary, as squeeze-excite does).
    """

    size: int
    jump: int
    whole: str = ""

    @property
    def text(self) -> str:
        """In words, for the tables: "195 x 195 input pixels" or "whole image (global gate)"."""
        return f"whole image ({self.whole})" if self.whole else f"{self.size} x {self.size} input pixels"


_POOLS = {"max_pool2d", "avg_pool2d", "max_pool2d_with_indices", "_max_pool2d", "lp_pool2d"}
_ADAPTIVE = {"adaptive_avg_pool2d", "adaptive_max_pool2d", "adaptive_max_pool2d_with_indices"}


def _first(value: object, default: int) -> int:
    """An int from a conv/pool argument that may be an int, a tuple or None (the height entry)."""
    if value is None:
        return default
    if isinstance(value, (tuple, list)):
        return int(value[0]) if value else default
    if isinstance(value, str):
        return default
    return int(value)  # type: ignore[call-overload]


def _argument(args: tuple, kwargs: dict, index: int, name: str) -> object:
    if len(args) > index:
        return args[index]
    return kwargs.get(name)


class ReceptiveFieldTracker(TorchFunctionMode):
    """Use as a context manager around one forward; then ``of(tensor)`` gives its receptive field."""

    def __init__(self, source: torch.Tensor) -> None:
        super().__init__()
        self._info: dict[int, tuple[weakref.ref, Receptive]] = {}
        self._before_inplace: dict[int, tuple[weakref.ref, torch.Tensor]] = {}
        self._store(source, Receptive(1, 1))

    def _store(self, tensor: torch.Tensor, info: Receptive) -> None:
        self._info[id(tensor)] = (weakref.ref(tensor), info)

    def of(self, tensor: torch.Tensor) -> Receptive | None:
        """The receptive field of ``tensor`` if it came from the tracked input, else None."""
        entry = self._info.get(id(tensor))
        if entry is None or entry[0]() is not tensor:
            return None
        return entry[1]

    def before_inplace(self, tensor: torch.Tensor) -> torch.Tensor | None:
        """A copy of ``tensor`` taken before the first in-place op changed it (e.g. ``ReLU(inplace=True)``)."""
        entry = self._before_inplace.get(id(tensor))
        return entry[1] if entry is not None and entry[0]() is tensor else None

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        inplace = args and isinstance(args[0], torch.Tensor) and _is_inplace(name, args, kwargs)
        if inplace and self.before_inplace(args[0]) is None:
            self._before_inplace[id(args[0])] = (weakref.ref(args[0]), args[0].clone())
        result = func(*args, **kwargs)
        tracked = [(tensor, info) for tensor in _tensors(args, kwargs) if (info := self.of(tensor)) is not None]
        if not tracked:
            return result
        merged = _merge(tracked, result)
        first = args[0] if args and isinstance(args[0], torch.Tensor) else None
        if name == "conv2d" and first is not None:
            kernel = int(_argument(args, kwargs, 1, "weight").shape[-2])  # type: ignore[attr-defined]
            stride = _first(_argument(args, kwargs, 3, "stride"), 1)
            dilation = _first(_argument(args, kwargs, 5, "dilation"), 1)
            merged = _grow(self.of(first) or merged, kernel, stride, dilation)
        elif name in _POOLS and first is not None:
            kernel = _first(_argument(args, kwargs, 1, "kernel_size"), 1)
            stride = _first(_argument(args, kwargs, 2, "stride"), kernel)
            dilation = _first(_argument(args, kwargs, 4, "dilation"), 1) if "max" in name else 1
            merged = _grow(self.of(first) or merged, kernel, stride, dilation)
        elif name in _ADAPTIVE and first is not None and first.dim() >= 3:
            size_in = int(first.shape[-2])
            size_out = max(1, _first(_argument(args, kwargs, 1, "output_size"), size_in) or size_in)
            stride = max(1, size_in // size_out)
            kernel = -(-size_in // size_out)
            merged = _grow(self.of(first) or merged, kernel, stride, 1)
            if isinstance(result, torch.Tensor) and result.shape[-2:].numel() == 1:
                merged = replace(merged, whole=GLOBAL_POOL)
        for tensor in _tensors((result,), {}):
            self._store(tensor, merged)
        return result


_FLAG_ACTIVATIONS = {"relu", "relu6", "hardtanh", "hardswish", "hardsigmoid", "elu", "leaky_relu", "silu", "mish"}


def _is_inplace(name: str, args: tuple, kwargs: dict) -> bool:
    """Whether this op overwrites its first argument (``x.add_(y)``, ``x += y``, ``F.relu(x, inplace=True)``)."""
    if kwargs.get("inplace") is True or name.startswith("__i"):
        return True
    if name.endswith("_") and not name.startswith("_"):
        return True
    return name in _FLAG_ACTIVATIONS and any(arg is True for arg in args[1:])


def _merge(tracked: list[tuple[torch.Tensor, Receptive]], result: object) -> Receptive:
    """Combine inputs of an element-wise op: the largest field, the step of same-sized inputs.

    A squeeze-and-excitation gate (1x1, computed from the whole image) does not change how far apart
    neighbouring positions are, but from then on every value sees the whole image: a global gate.
    """
    size = max(info.size for _, info in tracked)
    spatial = result.shape[-2:] if isinstance(result, torch.Tensor) and result.dim() >= 3 else None
    same = [info for tensor, info in tracked if spatial is not None and tensor.shape[-2:] == spatial]
    jump = max(info.jump for info in (same or [info for _, info in tracked]))
    wholes = {info.whole for _, info in tracked if info.whole}
    gated = (
        spatial is not None
        and spatial.numel() > 1
        and any(info.whole and tensor.dim() >= 3 and tensor.shape[-2:].numel() == 1 for tensor, info in tracked)
    )
    whole = GLOBAL_GATE if gated or GLOBAL_GATE in wholes else next(iter(wholes), "")
    return Receptive(size, jump, whole)


def _grow(info: Receptive, kernel: int, stride: int, dilation: int) -> Receptive:
    return Receptive(info.size + (kernel - 1) * dilation * info.jump, info.jump * max(1, stride), info.whole)


def _tensors(args: tuple, kwargs: dict) -> list[torch.Tensor]:
    found: list[torch.Tensor] = []
    stack = list(args) + list(kwargs.values())
    while stack:
        item = stack.pop()
        if isinstance(item, torch.Tensor):
            found.append(item)
        elif isinstance(item, (tuple, list)):
            stack.extend(item)
    return found
