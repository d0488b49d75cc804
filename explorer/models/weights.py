"""Download torchvision weights on demand: with progress, checked against torchvision's hash, cached.

Files go where torchvision itself looks (``<torch hub dir>/checkpoints``), so a weight downloaded here
is found by ``weights.get_state_dict`` and vice versa. A download is written to a temporary file in the
same folder and renamed only after its SHA-256 matches, so a partial or corrupt file never lands in the
cache. ``EXPLORER_WEIGHTS_MIRROR`` (a base URL) replaces the host, for a classroom mirror or for tests.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import torch

from explorer.errors import ExplorerError

MIRROR_ENV = "EXPLORER_WEIGHTS_MIRROR"
ProgressCallback = Callable[[int, int | None], None]
"""Called with (bytes so far, total bytes or None) while a download runs."""

_HASH_IN_NAME = re.compile(r"-([a-f0-9]{6,})\.")
_CHUNK = 1 << 20


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
    """``url`` with its scheme and host replaced by ``EXPLORER_WEIGHTS_MIRROR`` when that is set."""
    mirror = os.environ.get(MIRROR_ENV, "").rstrip("/")
    if not mirror:
        return url
    return mirror + urllib.parse.urlparse(url).path


def ensure_weights(url: str, title: str, progress: ProgressCallback | None = None, timeout: float = 20.0) -> Path:
    """Return the cached file for ``url``, downloading and verifying it first if it is missing."""
    target = cached_path(url)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    source = mirrored(url)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            digest = _stream(source, out, progress, timeout, title)
        wanted = expected_hash_prefix(url)
        if wanted and not digest.startswith(wanted):
            raise ExplorerError(
                f"The downloaded weights for {title} are corrupt (their checksum does not match); "
                "nothing was saved, please try again."
            )
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return target


def _stream(source: str, out, progress: ProgressCallback | None, timeout: float, title: str) -> str:
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(source, timeout=timeout) as reply:
            total = int(reply.headers.get("Content-Length") or 0) or None
            done = 0
            if progress:
                progress(0, total)
            while chunk := reply.read(_CHUNK):
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
        raise ExplorerError(
            f"Could not download the weights for {title} (no network connection?); "
            "the default EfficientNet-Lite0 works offline."
        ) from error
    return digest.hexdigest()
