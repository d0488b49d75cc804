"""A class at once without a browser each: N sessions speak Streamlit's protocol to one real server.

    python -m benchmarks.class_protocol [--sizes 1 10 30]

``benchmarks.classroom`` runs N Chromium contexts on the same two cores as the server, so its waits at
N = 10 and 30 mostly measure the browsers. Here each session is a ``benchmarks.protocol.Session``:
it opens Feature maps on a sample photo (five samples: from the sixth student on, a photo is
another's, whose run is then cached), steps to the next layer three times (view-only: the run
is cached), opens the Grad-CAM studio and changes the colour map twice (view-only). With N >= 10 three
sessions first ask for Score-CAM (a heavy job) while the others make their changes. Reported per N: p50
/ p95 seconds for a page run and for a view-only change (the server's time from the message to
``script_finished``, not the browser's drawing), exceptions and error messages, whether every layer step
moved the layer, the server's peak memory and CPU-seconds. Goal: view-only changes under 0.5 s p95 at
N = 10, and a heavy job of one session not holding up the others' view-only changes.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field

from benchmarks.protocol import Run, Session
from benchmarks.serving import Server, median, megabytes, percentile, running_server
from explorer.images import SAMPLES

HEAVY_SESSIONS = 3
COLOUR_MAPS = ("viridis", "inferno")


@dataclass
class Results:
    pages: list[float] = field(default_factory=list)
    views: list[float] = field(default_factory=list)
    heavy: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    stuck_layers: int = 0


def check(run: Run, results: Results, what: str) -> Run:
    results.problems += [f"{what}: {text}" for text in run.exceptions + run.errors]
    return run


async def student(url: str, index: int, heavy: bool, results: Results) -> None:
    sample = list(SAMPLES)[index % len(SAMPLES)]
    async with Session(url, f"sample={sample}") as session:
        results.pages.append(check(await session.open("feature_maps"), results, "feature maps").seconds)
        for _ in range(3):
            before = session.widgets["fm_layer"].value
            results.views.append(check(await session.press("fm_layer_next"), results, "next layer").seconds)
            results.stuck_layers += session.widgets["fm_layer"].value == before
        results.pages.append(check(await session.open("grad_cam"), results, "studio").seconds)
        if heavy:
            check(await session.choose("cam_method_right", "Score-CAM"), results, "Score-CAM method")
            results.heavy.append(check(await session.press("cam_ask_right"), results, "Score-CAM").seconds)
            return
        for colour_map in COLOUR_MAPS:
            results.views.append(check(await session.choose("cam_colormap", colour_map), results, "map").seconds)


def spread(values: list[float]) -> str:
    return f"{median(values):.2f} / {percentile(values, 0.95):.2f} s" if values else "-"


async def one_class(server: Server, size: int, first: int = 0) -> Results:
    """``size`` students at once, the first ``HEAVY_SESSIONS`` asking for Score-CAM when ``size`` >= 10;
    student i works on sample photo ``first + i`` (the five samples repeat from the sixth student on)."""
    results = Results()
    heavy = HEAVY_SESSIONS if size >= 10 else 0
    await asyncio.gather(*(student(server.url, first + index, index < heavy, results) for index in range(size)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 30])
    args = parser.parse_args()
    for size in args.sizes:
        with running_server() as server:
            asyncio.run(one_class(server, 1, first=len(SAMPLES) - 1))  # the network loaded, as a class finds it
            server.reset_peak()
            cpu_before = server.cpu_seconds()
            results = asyncio.run(one_class(server, size))
            cpu = server.cpu_seconds() - cpu_before
            print(
                f"N={size}: page runs p50/p95 {spread(results.pages)}, view-only changes p50/p95 "
                f"{spread(results.views)} ({len(results.views)} changes), Score-CAM {spread(results.heavy)}, "
                f"problems {len(results.problems)}, layer steps that did not move {results.stuck_layers}, "
                f"server peak {megabytes(server.peak())}, {cpu:.1f} CPU-s",
                flush=True,
            )
            for problem in results.problems[:5]:
                print("   ", problem[:300])


if __name__ == "__main__":
    main()
