"""The app's shared memory and CPU budget: caches bounded by bytes, one computation for many askers, and
heavy jobs that take turns and say how many are ahead."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import torch

from explorer.network.features import run_network
from ui.cache import SizedLru, shared_cache, size_of
from ui.jobs import JobLine

MB = 1024 * 1024


@dataclass(frozen=True)
class Result:
    maps: dict[str, np.ndarray]
    logits: torch.Tensor


def test_size_counts_arrays_tensors_and_what_holds_them():
    result = Result({"a": np.zeros((MB,), np.uint8), "b": np.zeros((MB,), np.float32)}, torch.zeros(MB // 4))
    assert size_of(result) >= 6 * MB
    view = result.maps["b"][::2]
    assert size_of((result.maps["b"], view)) == 4 * MB, "a view of an array counts once"


def test_a_real_network_run_is_counted_by_its_bytes(lite0, chelsea):
    run = run_network(lite0, chelsea.image)
    stored = sum(values.nbytes for values in run.activations.values())
    assert stored <= size_of(run) < stored + 2 * MB


def test_entries_are_evicted_least_recently_used_once_over_budget():
    store = SizedLru(budget=3 * MB)
    for key in "abc":
        store.put(key, np.zeros(MB, np.uint8))
    store.get("a")  # recently used: stays
    store.put("d", np.zeros(MB, np.uint8))
    assert [key for key in "abcd" if store.get(key)[0]] == ["a", "c", "d"]
    assert store.used <= 3 * MB
    store.put("huge", np.zeros(4 * MB, np.uint8))
    assert not store.get("huge")[0], "a value larger than the whole budget is returned but not kept"


def test_many_sessions_asking_for_one_result_compute_it_once():
    calls: list[int] = []
    started = threading.Event()

    @shared_cache(store=SizedLru(budget=MB))
    def slow(key: str, _image: object) -> np.ndarray:
        calls.append(1)
        started.wait(5)
        return np.ones(8)

    threads = [threading.Thread(target=slow, args=("photo", object())) for _ in range(6)]
    for thread in threads:
        thread.start()
    started.set()
    for thread in threads:
        thread.join()
    assert calls == [1], "arguments named with '_' are not part of the key; one computation serves all"
    assert slow.cached(key="photo") and not slow.cached(key="other")


class Notice:
    """Collects what the line says to a waiting student (the page would show it with st.info)."""

    def __init__(self) -> None:
        self.said: list[str] = []
        self.changed = threading.Event()

    def info(self, text: str, **_: object) -> None:
        self.said.append(text)
        self.changed.set()

    def empty(self) -> None:
        pass


def test_heavy_jobs_take_turns_and_a_waiting_one_hears_how_many_are_ahead():
    line = JobLine(slots=1)
    inside = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def first() -> None:
        with line.turn():
            order.append("first")
            inside.set()
            release.wait(10)

    notice = Notice()

    def second() -> None:
        with line.turn(notice):  # type: ignore[arg-type]
            order.append("second")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    inside.wait(10)
    threads[1].start()
    assert notice.changed.wait(10)
    assert "1 ahead of you" in notice.said[0]
    assert order == ["first"], "the second job waits while the first holds the only slot"
    release.set()
    for thread in threads:
        thread.join()
    assert order == ["first", "second"]
