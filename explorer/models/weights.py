"""Download torchvision weights on demand: with progress, checked against torchvision's hash, cached.

Files go where torchvision itself looks (``<torch hub dir>/checkpoints``), so a weight downloaded here
is found by ``weights.get_state_dict`` and vice versa. A download is written to a temporary
``.partial`` file in the same folder (named with the downloading process's id) and renamed only after
its SHA-256 matches, so a partial or corrupt file never lands in the cache; partial files whose process
is gone (a download killed midway) are removed before the next download and when the app starts.
A download has a per-read timeout and an overall deadline (a server that trickles one kilobyte at a time
is given up on), holds no lock (other downloads and other sessions go on), and fetches only http(s)
addresses. ``EXPLORER_WEIGHTS_MIRROR`` (a base URL) replaces the host, for a classroom mirror or for tests.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import re
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import torch

from explorer.errors import ExplorerError, quoted

MIRROR_ENV = "EXPLORER_WEIGHTS_MIRROR"
ProgressCallback = Callable[[int, int | None], None]
"""Called with (bytes so far, total bytes or None) while a download runs."""

TIMEOUT_S = 20.0
"""Seconds to wait for a server to connect, answer, or send the next bytes."""
DEADLINE_S = 15 * 60.0
"""Seconds a whole download may take (VGG-16's 528 MB needs about 5 Mbit/s), after which it is given up."""
SCHEMES = ("http", "https")

_HASH_IN_NAME = re.compile(r"-([a-f0-9]{6,})\.")
_PARTIAL = re.compile(r"\.(\d+)\.[^.]*\.partial$")
_CHUNK = 1 << 20
_OPENER = urllib.request.OpenerDirector()
for _handler in (
    urllib.request.ProxyHandler(),
    urllib.request.UnknownHandler(),
    urllib.request.HTTPHandler(),
    urllib.request.HTTPSHandler(),
    urllib.request.HTTPDefaultErrorHandler(),
    urllib.request.HTTPRedirectHandler(),
    urllib.request.HTTPErrorProcessor(),
):
    _OPENER.add_handler(_handler)
"""urllib's usual opener without its file://, ftp:// and data: handlers, so not even a redirect reaches them."""


def cache_dir() -> Path:
    """torchvision's weight cache folder (respects TORCH_HOME)."""
    return Path(torch.hub.get_dir()) / "checkpoints"


def cached_path(url: str) -> Path:
    """Where the file for ``url`` lives (or will live) in the cache."""
    return cache_dir() / Path(urllib.parse.urlparse(url).path).name


def is_cached(url: str) -> bool:
    """Whether the weights for ``url`` are already on disk."""
    return cached_path(url).is_file()


def expected_hash_prefix(url: str) -> str | None:
    """The SHA-256 prefix torchvision puts in its file names (``resnet18-f37072fd.pth``), if any."""
    match = _HASH_IN_NAME.search(Path(urllib.parse.urlparse(url).path).name)
    return match.group(1) if match else None


def mirrored(url: str) -> str:
    """``url`` with its scheme and host replaced by ``EXPLORER_WEIGHTS_MIRROR`` when that is set (http(s) only)."""
    mirror = os.environ.get(MIRROR_ENV, "").strip().rstrip("/")
    if not mirror:
        return url
    if urllib.parse.urlparse(mirror).scheme.lower() not in SCHEMES or "://" not in mirror:
        raise ExplorerError(f"{MIRROR_ENV} must be an http:// or https:// address, not {quoted(mirror, 60)}.")
    return mirror + urllib.parse.urlparse(url).path


def clean_partial_downloads(folder: Path | None = None) -> list[Path]:
    """Remove the ``.partial`` files of downloads whose process is gone (killed midway); return what went."""
    folder = folder or cache_dir()
    removed = []
    for path in folder.glob(".*.partial"):
        match = _PARTIAL.search(path.name)
        if match is None or not _process_alive(int(match.group(1))):
            with contextlib.suppress(OSError):  # not ours to remove (permissions): leave it
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def discard(path: Path) -> None:
    """Delete a cached weights file that failed to load, so the next attempt downloads it afresh."""
    if path.parent == cache_dir():
        path.unlink(missing_ok=True)


def ensure_weights(
    url: str,
    title: str,
    progress: ProgressCallback | None = None,
    timeout: float | None = None,
    deadline: float | None = None,
) -> Path:
    """Return the cached file for ``url``, downloading and verifying it first if it is missing.

    ``timeout`` (seconds without a byte) and ``deadline`` (seconds for the whole file) default to
    TIMEOUT_S and DEADLINE_S as they are when the download starts.
    """
    target = cached_path(url)
    if target.is_file():
        return target
    source = mirrored(url)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_partial_downloads(target.parent)
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}.", suffix=".partial", dir=target.parent
        )
    except OSError as error:
        raise _unsaved(title, error) from error
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            limits = (timeout or TIMEOUT_S, deadline or DEADLINE_S)
            digest = _stream(source, out, progress, limits, title)
        wanted = expected_hash_prefix(url)
        if wanted and not digest.startswith(wanted):
            raise ExplorerError(
                f"The downloaded weights for {title} are corrupt (their checksum does not match); "
                "nothing was saved, please try again."
            )
        os.replace(temp, target)
    except OSError as error:
        raise _unsaved(title, error) from error
    finally:
        temp.unlink(missing_ok=True)
    return target


def _unsaved(title: str, error: OSError) -> ExplorerError:
    return ExplorerError(f"The weights for {title} could not be saved ({error.strerror or error}).")


def _duration(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:g} minutes"
    return f"{seconds:g} second" + ("" if seconds == 1 else "s")


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _stream(
    source: str, out: BinaryIO, progress: ProgressCallback | None, limits: tuple[float, float], title: str
) -> str:
    """Copy ``source`` into ``out`` and return its SHA-256; ``limits`` = (per-read timeout, overall deadline)."""
    timeout, deadline = limits
    digest = hashlib.sha256()
    started = time.monotonic()
    try:
        if urllib.parse.urlparse(source).scheme.lower() not in SCHEMES:
            raise urllib.error.URLError(f"unsupported address {source!r}")
        with _OPENER.open(source, timeout=timeout) as reply:
            total = int(reply.headers.get("Content-Length") or 0) or None
            done = 0
            if progress:
                progress(0, total)
            while chunk := reply.read1(_CHUNK):
                if time.monotonic() - started > deadline:
                    took = _duration(deadline)
                    raise ExplorerError(
                        f"The download of {title}'s weights took longer than {took}, so it was stopped and "
                        "nothing was saved; please try again on a faster connection."
                    )
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
            if total is not None and done < total:
                raise ExplorerError(
                    f"The download of {title}'s weights was cut off; nothing was saved, please try again."
                )
    except ExplorerError:
        raise
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        if isinstance(error, TimeoutError) or isinstance(getattr(error, "reason", None), TimeoutError):
            raise ExplorerError(
                f"The server for {title}'s weights did not answer within {_duration(timeout)}; nothing was saved, "
                "please try again later (the default EfficientNet-Lite0 works offline)."
            ) from error
        raise ExplorerError(
            f"Could not download the weights for {title} (no network connection?); "
            "the default EfficientNet-Lite0 works offline."
        ) from error
    return digest.hexdigest()
