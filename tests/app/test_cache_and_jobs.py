"""The app's shared memory and CPU budget: caches bounded by bytes, one computation for many askers, and
heavy jobs that take turns and say how many are ahead."""

from __future__ import annotations

import functools
import gc
import threading
import types
from dataclasses import dataclass

import numpy as np
import pytest
import torch
from PIL import Image
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from explorer.images import LoadedImage
from explorer.network.features import NetworkRun, run_network
from tests.app.conftest import open_page
from ui.cache import SizedLru, shared_cache, size_of
from ui.jobs import JobLine
from ui.network import cached_run

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


def _runs_alive() -> list[NetworkRun]:
    gc.collect()
    return [thing for thing in gc.get_objects() if type(thing) is NetworkRun]


def test_a_session_keeps_no_network_run_of_its_own_once_the_shared_cache_lets_it_go():
    """A run (~35 MB for a photo) may live only in the size-bounded cache. Thirty students each pinning
    their own run through the page's widgets (a layer label function that read the run, kept in the
    session's widget state for as long as the session lasts) took a class's server past 2.5 GB."""
    cached_run.clear()
    earlier = _runs_alive()
    at = open_page("views/feature_maps.py")
    assert not at.exception
    made = [run for run in _runs_alive() if not any(run is old for old in earlier)]
    assert len(made) == 1, "the page ran the network once"
    del made
    cached_run.clear()
    left = [run for run in _runs_alive() if not any(run is old for old in earlier)]
    assert len(left) == 0, "the session still holds its run after the cache let it go"
    assert at.selectbox(key="fm_layer").value, "the session itself is still alive"


def _heavy_things(root: object) -> dict[int, str]:
    """Photos, runs, tensors and arrays over 64 KB reachable from ``root`` through closures, partials,
    bound methods, containers and instance attributes (not through a function's module globals), by id."""
    found, seen, stack = {}, set(), [root]
    while stack:
        thing = stack.pop()
        if id(thing) in seen or isinstance(thing, (type, types.ModuleType, str, bytes, int, float)):
            continue
        seen.add(id(thing))
        if isinstance(thing, (NetworkRun, LoadedImage, Image.Image, torch.Tensor)):
            found[id(thing)] = type(thing).__name__
        elif isinstance(thing, np.ndarray):
            if thing.nbytes > 64 * 1024:
                found[id(thing)] = f"array of {thing.nbytes} bytes"
        elif isinstance(thing, types.FunctionType):
            stack += [cell.cell_contents for cell in thing.__closure__ or () if cell.cell_contents is not None]
            stack += list(thing.__defaults__ or ())
        elif isinstance(thing, functools.partial):
            stack += [thing.func, *thing.args, *thing.keywords.values()]
        elif isinstance(thing, types.MethodType):
            stack += [thing.__self__, thing.__func__]
        elif isinstance(thing, dict):
            stack += [*thing.keys(), *thing.values()]
        elif isinstance(thing, (list, tuple, set, frozenset)):
            stack += list(thing)
        elif hasattr(thing, "__dict__"):
            stack += list(vars(thing).values())
    return found


@pytest.mark.parametrize(
    "page",
    ["home", "kernel_lab", "feature_maps", "filters", "architecture", "tiny_cnn", "grad_cam", "quiz"],
)
def test_no_page_leaves_a_run_or_a_network_in_its_widgets(page):
    """What a page's widgets keep (label functions, callbacks and their arguments) stays in the session for as
    long as it lasts, past the page: with thirty students, a run or a network's weights there is thirty of
    them that the size-bounded caches cannot let go. What the session keeps in its own state anyway (its
    photo, its quiz question) may be shared with its widgets."""
    at = open_page(f"views/{page}.py")
    assert not at.exception
    state = at.session_state._state._state
    widgets = state._new_widget_state.widget_metadata
    assert widgets, "the page has widgets"
    own = _heavy_things(state.filtered_state)  # the session's photo, its quiz question: its own to keep
    held = {key: heavy for key, meta in widgets.items() if (heavy := _heavy_things(meta).keys() - own.keys())}
    assert held == {}, "widgets hold what only the shared caches may keep"


class StoppedNotice(Notice):
    """A notice in a script that the student has just re-run or stopped: Streamlit raises its control
    exception from the next element call, here from clearing the notice once the turn has come."""

    def empty(self) -> None:
        raise StopException()


def test_a_job_stopped_just_as_its_turn_comes_gives_its_place_back():
    """A student who clicks while their heavy job waits re-runs the script; if that lands as the turn comes,
    the place must go back, or with one place every heavy job of the class waits for ever."""
    line = JobLine(slots=1)
    with pytest.raises(StopException), line.turn(StoppedNotice()):  # type: ignore[arg-type]
        pytest.fail("the stopped script does not run its job")
    ran = threading.Event()

    def next_student() -> None:
        with line.turn():
            ran.set()

    thread = threading.Thread(target=next_student, daemon=True)
    thread.start()
    assert ran.wait(10), "the next student's job never got the place"
    thread.join()
