"""Process-wide caches of big read-only results, bounded by their size in bytes, not by a count of entries.

This is the one place the app's memory budget for cached results lives. A network run of VGG-16 on one
photo is ~86 MB and one of EfficientNet-Lite0 ~10 MB, so a bound of "N entries" is either wasteful or
unsafe; every big result (network runs, Kernel-lab convolutions, CAM gradients, Score-CAM maps, learned
filters) goes through ``shared_cache`` instead, which keeps the most recently used entries of all of them
together within ``RESULTS_BUDGET`` bytes (``EXPLORER_CACHE_MB``, default 200), and networks within
``MODELS_BUDGET`` bytes of parameters (``EXPLORER_MODELS_MB``, default 600; the one being used is always
kept). An entry larger than the whole budget is returned but not kept. Small results (layer lists,
histograms, overlay PNGs) stay in ``st.cache_data``, whose total Streamlit bounds with
``server.maxCacheDataSize`` in ``.streamlit/config.toml``.

Like ``st.cache_resource``, an entry is shared by every session and must be treated as read-only;
arguments whose name starts with "_" are not part of the key (pass an image's digest beside it).
Two sessions asking for the same missing entry compute it once: the second waits for the first.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, ParamSpec, TypeVar

import numpy as np
import streamlit as st
import torch
from PIL import Image

from ui.jobs import release_memory

P = ParamSpec("P")
R = TypeVar("R")
MB = 1024 * 1024
RESULTS_BUDGET = int(float(os.environ.get("EXPLORER_CACHE_MB", "200")) * MB)
MODELS_BUDGET = int(float(os.environ.get("EXPLORER_MODELS_MB", "600")) * MB)


def size_of(value: Any, seen: set[int] | None = None) -> int:
    """Bytes held by ``value``: arrays, tensors, images, bytes, and containers or dataclasses of them."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        return int(value.nbytes) if value.base is None else size_of(value.base, seen)
    if isinstance(value, torch.Tensor):
        return int(value.untyped_storage().nbytes())
    if isinstance(value, torch.nn.Module):
        tensors = [*value.parameters(), *value.buffers()]
        return sum(size_of(tensor, seen) for tensor in tensors)
    if isinstance(value, Image.Image):
        return value.width * value.height * len(value.getbands())
    if isinstance(value, (bytes, bytearray, str)):
        return len(value)
    if isinstance(value, dict):
        return sum(size_of(item, seen) for pair in value.items() for item in pair)
    if isinstance(value, (list, tuple, set, frozenset)):
        return sum(size_of(item, seen) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(size_of(getattr(value, field.name), seen) for field in dataclasses.fields(value))
    return 64


class SizedLru:
    """Entries kept most-recently-used last, evicted from the front once their bytes exceed ``budget``."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._guard = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    @property
    def used(self) -> int:
        """Bytes held now."""
        with self._guard:
            return sum(size for _, size in self._entries.values())

    def __len__(self) -> int:
        with self._guard:
            return len(self._entries)

    def get(self, key: Hashable) -> tuple[bool, Any]:
        """(True, value) and mark it recently used, or (False, None)."""
        with self._guard:
            if key not in self._entries:
                return False, None
            self._entries.move_to_end(key)
            return True, self._entries[key][0]

    def put(self, key: Hashable, value: Any) -> None:
        """Keep ``value`` (unless it alone exceeds the budget), then evict the least recently used."""
        size = size_of(value)
        evicted = False
        with self._guard:
            self._entries.pop(key, None)
            if size <= self.budget:
                self._entries[key] = (value, size)
            total = sum(entry_size for _, entry_size in self._entries.values())
            while total > self.budget and len(self._entries) > 1:
                _, (_, dropped) = self._entries.popitem(last=False)
                total -= dropped
                evicted = True
        if evicted:
            release_memory()

    def compute_lock(self, key: Hashable) -> threading.Lock:
        """One lock per missing key, so concurrent askers compute it once."""
        with self._guard:
            return self._computing.setdefault(key, threading.Lock())

    def done_computing(self, key: Hashable) -> None:
        with self._guard:
            self._computing.pop(key, None)

    def clear(self, owner: str | None = None) -> None:
        """Drop every entry (or only those of the function called ``owner``)."""
        with self._guard:
            for key in [key for key in self._entries if owner is None or key[0] == owner]:  # type: ignore[index]
                del self._entries[key]
        release_memory()


RESULTS = SizedLru(RESULTS_BUDGET)
NETWORKS = SizedLru(MODELS_BUDGET)


class SharedFunction(Generic[P, R]):
    """A function whose results live in a ``SizedLru``; call it like the function, ``clear()`` to forget."""

    def __init__(self, function: Callable[P, R], store: SizedLru, spinner: str | None) -> None:
        functools.update_wrapper(self, function)
        self._function, self._store, self._spinner = function, store, spinner
        self._signature = inspect.signature(function)
        self._owner = f"{function.__module__}.{function.__qualname__}"

    def key(self, *args: P.args, **kwargs: P.kwargs) -> Hashable:
        """What identifies a result: the function and every argument not named with a leading '_'."""
        bound = self._signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return self._key_of(bound.arguments)

    def _key_of(self, arguments: dict[str, Any]) -> Hashable:
        return (self._owner, *((name, value) for name, value in arguments.items() if not name.startswith("_")))

    def cached(self, **arguments: Any) -> bool:
        """Whether the result for these arguments (by name; those named with '_' may be left out) is in
        memory now. Nothing is computed."""
        bound = self._signature.bind_partial(**arguments)
        bound.apply_defaults()
        return self._store.get(self._key_of(bound.arguments))[0]

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        key = self.key(*args, **kwargs)
        found, value = self._store.get(key)
        if found:
            return value
        lock = self._store.compute_lock(key)
        with lock:
            found, value = self._store.get(key)
            if found:
                return value
            try:
                if self._spinner and st.runtime.exists():
                    with st.spinner(self._spinner):
                        value = self._function(*args, **kwargs)
                else:
                    value = self._function(*args, **kwargs)
                self._store.put(key, value)
            finally:
                self._store.done_computing(key)
        return value

    def clear(self) -> None:
        """Forget every result of this function."""
        self._store.clear(self._owner)


def shared_cache(
    spinner: str | None = None, store: SizedLru = RESULTS
) -> Callable[[Callable[P, R]], SharedFunction[P, R]]:
    """Cache a function's results in ``store`` (the size-bounded results cache unless told otherwise)."""

    def wrap(function: Callable[P, R]) -> SharedFunction[P, R]:
        return SharedFunction(function, store, spinner)

    return wrap
