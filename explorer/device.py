"""Pick the device every tensor op runs on: CUDA when available, else the CPU, with the reason."""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import torch

from explorer.errors import ExplorerError, quoted

ENV_VAR = "EXPLORER_DEVICE"
_CUDA_NAME = re.compile(r"cuda(?::(\d{1,4}))?")


@dataclass(frozen=True)
class DeviceChoice:
    """The chosen device, a human-readable name for the badge, why it was chosen, and any problem with the request."""

    device: torch.device
    name: str
    reason: str
    problem: str | None = None
    """One sentence when the requested device could not be used (and the CPU is used instead)."""

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"


def choose_device(requested: str | None = None) -> DeviceChoice:
    """Return the device to compute on; never raises.

    ``requested`` (or the ``EXPLORER_DEVICE`` environment variable) may be ``"cpu"``, ``"cuda"`` or
    ``"cuda:N"``. A request that cannot be honoured (no CUDA, no device N, a name that is not a device)
    falls back to the CPU, and ``problem`` says so in one sentence.
    """
    raw = requested or os.environ.get(ENV_VAR, "") or "auto"
    wanted, asked = raw.strip().lower(), f"{ENV_VAR}={quoted(raw, 40)}"
    if wanted == "cpu":
        return DeviceChoice(torch.device("cpu"), "CPU", f"{ENV_VAR}=cpu asked for the CPU")
    match = _CUDA_NAME.fullmatch(wanted)
    if wanted != "auto" and match is None:
        return _cpu_because(f"{asked} is not a device (use cpu, cuda or cuda:N)")
    if not torch.cuda.is_available():
        if wanted == "auto":
            return DeviceChoice(torch.device("cpu"), "CPU", "no CUDA device is available")
        return _cpu_because(f"{asked} asked for CUDA but no CUDA device is available")
    try:
        count = torch.cuda.device_count()
        index = int(match.group(1)) if match and match.group(1) else torch.cuda.current_device()
        if index >= count:
            return _cpu_because(f"{asked} asked for CUDA device {index} but this machine has {count}")
        name = torch.cuda.get_device_name(index)
    except (RuntimeError, AssertionError) as error:
        return _cpu_because(f"the CUDA device could not be started ({quoted(str(error), 40)})")
    return DeviceChoice(torch.device("cuda", index), name, "a CUDA device is available")


def _cpu_because(why: str) -> DeviceChoice:
    return DeviceChoice(torch.device("cpu"), "CPU", why, problem=f"{why}, so the CPU computes instead.")


@lru_cache(maxsize=1)
def default_device() -> DeviceChoice:
    """The process-wide choice, read once from the environment; a request that failed is logged once."""
    choice = choose_device()
    if choice.problem:
        logging.getLogger(__name__).warning(choice.problem)
    return choice


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
