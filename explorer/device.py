"""Pick the device every tensor op runs on: CUDA when available, else the CPU, with the reason."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import torch

from explorer.errors import ExplorerError

ENV_VAR = "EXPLORER_DEVICE"


@dataclass(frozen=True)
class DeviceChoice:
    """The chosen device, a human-readable name for the badge, and why it was chosen."""

    device: torch.device
    name: str
    reason: str

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"


def choose_device(requested: str | None = None) -> DeviceChoice:
    """Return the device to compute on.

    ``requested`` (or the ``EXPLORER_DEVICE`` environment variable) may be ``"cpu"``, ``"cuda"`` or
    ``"cuda:N"``; a CUDA request on a machine without CUDA falls back to the CPU and says so.
    """
    wanted = (requested or os.environ.get(ENV_VAR, "") or "auto").strip().lower()
    if wanted == "cpu":
        return DeviceChoice(torch.device("cpu"), "CPU", f"{ENV_VAR}=cpu asked for the CPU")
    if wanted not in {"auto", "cuda"} and not wanted.startswith("cuda:"):
        raise ExplorerError(f"Unknown device '{wanted}': use 'cpu', 'cuda' or 'cuda:N'.")
    if not torch.cuda.is_available():
        why = (
            "no CUDA device is available"
            if wanted == "auto"
            else f"'{wanted}' was asked for but no CUDA device is available"
        )
        return DeviceChoice(torch.device("cpu"), "CPU", why)
    device = torch.device("cuda" if wanted == "auto" else wanted)
    index = device.index if device.index is not None else torch.cuda.current_device()
    if index >= torch.cuda.device_count():
        raise ExplorerError(f"There is no CUDA device {index}; this machine has {torch.cuda.device_count()}.")
    device = torch.device("cuda", index)
    return DeviceChoice(device, torch.cuda.get_device_name(index), "a CUDA device is available")


@lru_cache(maxsize=1)
def default_device() -> DeviceChoice:
    """The process-wide choice (read once from the environment)."""
    return choose_device()


@contextlib.contextmanager
def friendly_oom() -> Iterator[None]:
    """Turn a CUDA out-of-memory error into an ExplorerError a user can act on, and free the cache."""
    try:
        yield
    except torch.cuda.OutOfMemoryError as error:
        torch.cuda.empty_cache()
        raise ExplorerError(
            "The GPU ran out of memory for this image; try a smaller photo or a lighter model."
        ) from error
