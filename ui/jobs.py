"""Heavy jobs take turns: at most ``HEAVY_SLOTS`` run at once in this process, the others wait in line.

Score-CAM, the methods x classes grid, faithfulness and a Kernel-lab convolution of a big photo each keep
the CPU busy for seconds and hold hundreds of megabytes while they run. Thirty students asking at once
must not run thirty of them side by side (the server would run out of memory and everyone would wait
for everyone), so each waits for a free slot with a visible "n ahead of you" line; redraws and light
work never wait. After a heavy job the memory it freed is handed back to the system (``release_memory``),
and every ``TRIM_EVERY_S`` seconds too, so what closed sessions freed does not stay with the process.

Each tensor operation of the server runs on one thread (``TORCH_THREADS``): a class already gives the
server more parallel work than it has cores, and PyTorch's threads of one operation wait on each other at
every step, so on a busy 2-core machine one forward of EfficientNet-Lite0 took 1.3 CPU-seconds and 9 s
with two threads against 0.11 CPU-seconds and 1 s with one.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import threading
import time
from collections import deque
from collections.abc import Iterator

import streamlit as st
import torch

TORCH_THREADS = max(1, int(os.environ.get("EXPLORER_TORCH_THREADS", "1")))
HEAVY_SLOTS = max(1, int(os.environ.get("EXPLORER_HEAVY_JOBS", "1")))
"""How many heavy jobs run at once (1 on a small shared server: each one already uses every core)."""
MALLOC_ARENAS = 2
"""glibc gives each thread that allocates its own arena; Streamlit runs every session on its own thread,
so without a cap the freed memory of thirty sessions stays scattered over thirty arenas."""
_M_ARENA_MAX = -8
MMAP_THRESHOLD = int(float(os.environ.get("EXPLORER_MMAP_THRESHOLD_MB", "16")) * 1024 * 1024)
"""Blocks of this many bytes or more (a photo, a big convolution's output) get their own mapping from the
system and go back to it when freed. glibc's default starts at 128 KB but rises to 32 MB once a big block
is freed, after which big arrays come from the arenas, and what a closed session freed stays with the
process, cut up between live blocks. 0 keeps glibc's moving threshold. Measured (``benchmarks.memory``,
``benchmarks.class_protocol`` at N = 10): glibc's own 927 MB settled, +90 MB after 20 sessions, 13.9-15.5
CPU-s; 4 MB 899 MB, +32 MB, 17.5-21.9 CPU-s (small activations mapped and zeroed again and again);
16 MB 899 MB, +34 MB, 15.5-16.3 CPU-s."""
_M_MMAP_THRESHOLD = -3
TRIM_EVERY_S = 30.0


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


torch.set_num_threads(TORCH_THREADS)
_LIBC = _libc()
if _LIBC is not None and hasattr(_LIBC, "mallopt"):
    if "MALLOC_ARENA_MAX" not in os.environ:
        _LIBC.mallopt(_M_ARENA_MAX, MALLOC_ARENAS)
    if MMAP_THRESHOLD > 0 and "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        _LIBC.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def release_memory() -> None:
    """Give freed memory back: glibc's free lists to the system (malloc_trim), and CUDA's cached blocks."""
    if _LIBC is not None and hasattr(_LIBC, "malloc_trim"):
        _LIBC.malloc_trim(0)
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def _trim_forever() -> None:
    while True:
        time.sleep(TRIM_EVERY_S)
        release_memory()


threading.Thread(target=_trim_forever, name="explorer-release-memory", daemon=True).start()


class JobLine:
    """A first-come first-served line in front of ``slots`` places."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._changed = threading.Condition()
        self._running = 0
        self._waiting: deque[object] = deque()

    def ahead_of(self, ticket: object) -> int:
        """How many jobs run or wait before ``ticket`` (call with the condition held)."""
        return self._running + self._waiting.index(ticket)

    @contextlib.contextmanager
    def turn(self, waiting_notice: st.delta_generator.DeltaGenerator | None = None) -> Iterator[None]:
        """Wait for a free place (saying how many are ahead in ``waiting_notice``), then run the block."""
        ticket, placed = object(), False
        with self._changed:
            self._waiting.append(ticket)
        try:
            while True:
                with self._changed:
                    if self._waiting[0] is ticket and self._running < self.slots:
                        self._waiting.popleft()
                        self._running += 1
                        placed = True
                        break
                    ahead = self.ahead_of(ticket)
                if waiting_notice is not None:
                    waiting_notice.info(
                        f"Other students' heavy jobs are running: {ahead} ahead of you. Yours starts after them.",
                        icon=":material/hourglass_top:",
                    )
                with self._changed:
                    self._changed.wait(0.5)
            if waiting_notice is not None:
                waiting_notice.empty()  # Streamlit raises here if the student re-ran or stopped meanwhile
            yield
        finally:  # whatever ends the wait or the job, the place or the ticket goes back
            with self._changed:
                if placed:
                    self._running -= 1
                elif ticket in self._waiting:
                    self._waiting.remove(ticket)
                self._changed.notify_all()
            if placed:
                release_memory()


HEAVY = JobLine(HEAVY_SLOTS)


@contextlib.contextmanager
def heavy_job() -> Iterator[None]:
    """Run the block as a heavy job: in line behind the others, with a notice while it waits."""
    notice = st.empty() if st.runtime.exists() else None
    with HEAVY.turn(notice):
        yield
