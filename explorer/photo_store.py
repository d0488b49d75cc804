"""Photos that travel in a link: a bounded, expiring, in-memory store of uploaded bytes, keyed by a secret hash.

A link names an uploaded photo by ``photo=<token>``. The token is an HMAC-SHA256 of the photo's bytes
under a secret drawn once per store (``secrets.token_bytes``), so knowing a photo does not tell anyone
its token (nobody can probe whether someone uploaded it), and 256 bits cannot be guessed. Nothing lists
the store. It is bounded by total bytes (oldest evicted first) and entries expire some hours after
they were last put, so one classroom's photos cannot fill a shared server's memory.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
DEFAULT_LIFETIME_S = 6 * 3600.0
TOKEN = re.compile(r"[0-9a-f]{64}")
"""What a token looks like: 64 lowercase hex digits (anything else is refused before any lookup)."""


class PhotoStore:
    """Uploaded photo bytes by token, at most ``max_bytes`` in all, each kept ``lifetime_s`` seconds.

    Thread-safe: one store serves every session of the server. ``clock`` is injectable for tests.
    """

    def __init__(
        self,
        max_bytes: int = DEFAULT_MAX_BYTES,
        lifetime_s: float = DEFAULT_LIFETIME_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_bytes, self.lifetime_s, self._clock = max_bytes, lifetime_s, clock
        self._secret = secrets.token_bytes(32)
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()

    def token(self, data: bytes) -> str:
        """The photo's token: HMAC-SHA256 of its bytes under this store's secret, 64 hex digits."""
        return hmac.new(self._secret, data, hashlib.sha256).hexdigest()

    def put(self, data: bytes) -> str:
        """Keep ``data`` (or refresh its expiry) and return its token; evicts the oldest photos to make room.

        A photo larger than the whole store is not kept (its token then finds nothing)."""
        token = self.token(data)
        with self._lock:
            self._drop(token)
            if len(data) <= self.max_bytes:
                self._entries[token] = (self._clock(), data)
                self._total += len(data)
            self._expire()
            while self._total > self.max_bytes:
                self._drop(next(iter(self._entries)))
        return token

    def get(self, token: str) -> bytes | None:
        """The bytes a link's token names, or None when it is unknown, malformed or expired."""
        if not TOKEN.fullmatch(token):
            return None
        with self._lock:
            self._expire()
            entry = self._entries.get(token)
        return None if entry is None else entry[1]

    @property
    def total_bytes(self) -> int:
        """How many bytes of photos are kept now."""
        with self._lock:
            return self._total

    def _drop(self, token: str) -> None:
        entry = self._entries.pop(token, None)
        if entry is not None:
            self._total -= len(entry[1])

    def _expire(self) -> None:
        oldest = self._clock() - self.lifetime_s
        while self._entries and next(iter(self._entries.values()))[0] <= oldest:
            self._drop(next(iter(self._entries)))


def store_from_environment() -> PhotoStore:
    """A store sized by ``EXPLORER_PHOTO_STORE_MB`` (default 100) and ``EXPLORER_PHOTO_STORE_HOURS`` (default 6)."""

    def number(name: str, default: float) -> float:
        try:
            value = float(os.environ.get(name, default))
        except ValueError:
            return default
        return value if value > 0 else default

    megabytes = number("EXPLORER_PHOTO_STORE_MB", DEFAULT_MAX_BYTES / 2**20)
    hours = number("EXPLORER_PHOTO_STORE_HOURS", DEFAULT_LIFETIME_S / 3600)
    return PhotoStore(round(megabytes * 2**20), hours * 3600)
