"""Memory budget of one server: the whole tour in Chromium, a long session, many short ones, huge uploads.

    python -m benchmarks.memory [--interactions 200] [--sessions 20]

Starts ``streamlit run app.py`` (the repository's config; closed sessions are dropped after 10 s instead of
120 so the benchmark need not wait), drives headless Chromium through every page and every deeper
Grad-CAM view with the default model (Score-CAM and the grid included, a 15x15 kernel on a generated 48 MP
photo), and reads the server's resident memory from /proc: the peak of the whole tour, the largest rise
of the peak during one interaction over the memory before it, and the settled memory once the visitor has
left. Then one session makes ``--interactions`` redraws and light clicks, and ``--sessions`` sessions
open, work and close; the settled memory must not grow. Last, the peak of two crafted uploads.
Goals: peak <= 1.3 GB, settled <= 1.0 GB, one interaction <= +200 MB, growth <= 50 MB.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from pathlib import Path

from benchmarks.serving import Server, chromium, megabytes, running_server
from benchmarks.tour import photo_48mp, png_16bit_huge, tiff_float32, use_sample, whole_tour
from tests.browser import driver

SESSION_TTL_S = 10
SETTLE_S = SESSION_TTL_S + 20


def settled(server: Server) -> int:
    """Resident memory once closed sessions are gone and the server has been idle a while."""
    time.sleep(SETTLE_S)
    return server.rss()


def tour(server: Server, browser, big_photo: Path) -> list[tuple[str, int, int]]:
    """Run the whole tour in one session; for each step, (name, RSS before, peak during)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(600_000)
    readings = []
    for name, step in whole_tour(server.url, big_photo):
        before = server.rss()
        server.reset_peak()
        step(page)
        readings.append((name, before, server.peak()))
        print(f"  {name:28s} rss before {megabytes(before):>8s}  peak {megabytes(server.peak()):>8s}", flush=True)
    driver.assert_no_exception(page)
    context.close()
    return readings


def redraws(server: Server, browser, count: int) -> None:
    """One session making ``count`` view-only changes and light clicks on the network pages."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(600_000)
    driver.open_page(page, server.url, "grad_cam")
    colours = itertools.cycle(["viridis", "inferno", "jet", "turbo"])
    methods = itertools.cycle(["LayerCAM", "HiResCAM", "Grad-CAM++", "Grad-CAM"])
    for index in range(count):
        if index % 2:
            driver.choose_option(page, "Left method", next(methods))
        else:
            driver.choose_option(page, "Colour map", next(colours))
    context.close()


def short_visits(server: Server, browser, count: int) -> None:
    """``count`` sessions that open the app, visit the network pages and the studio, and leave."""
    for _ in range(count):
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        page.set_default_timeout(600_000)
        driver.open_page(page, server.url)
        for title in ("Feature maps", "Grad-CAM studio", "Kernel lab"):
            driver.follow_link(page, title)
        context.close()


def upload_peak(server: Server, browser, path: Path) -> int:
    """The server's peak while one session uploads ``path`` on the Home page."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(600_000)
    driver.open_page(page, server.url)
    server.reset_peak()
    driver.upload_photo(page, path)
    peak = server.peak()
    use_sample(page)
    context.close()
    return peak


def cold_start(browser) -> tuple[float, float]:
    """Seconds from ``streamlit run`` to the Home page usable in the browser, and to Feature maps usable."""
    started = time.perf_counter()
    with running_server() as server:
        page = browser.new_page()
        page.set_default_timeout(600_000)
        driver.open_page(page, server.url)
        home = time.perf_counter() - started
        driver.follow_link(page, "Feature maps")
        network = time.perf_counter() - started
        page.close()
    return home, network


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="memory-bench-"))
    big_photo, huge_png, float_tiff = photo_48mp(folder), png_16bit_huge(folder), tiff_float32(folder)
    with chromium() as browser:
        home_s, network_s = cold_start(browser)
    with running_server("--server.disconnectedSessionTTL", str(SESSION_TTL_S)) as server, chromium() as browser:
        started = server.rss()
        print(f"server started: {megabytes(started)}", flush=True)
        readings = tour(server, browser, big_photo)
        after_tour = settled(server)
        torchvision_loaded = "torchvision" in Path(f"/proc/{server.process.pid}/maps").read_text()
        redraws(server, browser, args.interactions)
        after_redraws = settled(server)
        short_visits(server, browser, args.sessions)
        after_visits = settled(server)
        png_peak = upload_peak(server, browser, huge_png)
        tiff_peak = upload_peak(server, browser, float_tiff)
    peak = max(reading[2] for reading in readings)
    first_name, first_before, first_during = readings[0]
    rise, rise_step = max((during - before, name) for name, before, during in readings[1:])
    growth = max(after_redraws, after_visits) - after_tour
    print()
    print(f"cold start: Home usable {home_s:.1f} s after `streamlit run`, Feature maps usable {network_s:.1f} s")
    print(f"memory: server idle at start {megabytes(started)}")
    print(f"memory: tour peak {megabytes(peak)} (goal <= 1300 MB): {'met' if peak <= 1300 * 2**20 else 'MISSED'}")
    print(
        f"memory: the first page ({first_name}) raised it by {megabytes(first_during - first_before)}: importing torch "
        "and loading the default network"
    )
    print(f"memory: largest rise in one interaction after it {megabytes(rise)} ({rise_step}; goal <= 200 MB)")
    print(f"memory: settled after the tour {megabytes(after_tour)} (goal <= 1000 MB)")
    print(f"memory: torchvision loaded by the tour: {'yes' if torchvision_loaded else 'no'} (it costs ~165 MB)")
    print(
        f"memory: settled after {args.interactions} interactions {megabytes(after_redraws)}, after {args.sessions} "
        f"sessions {megabytes(after_visits)}: growth {megabytes(growth)} (goal <= 50 MB)"
    )
    png_size = huge_png.stat().st_size // 1024
    print(f"memory: peak uploading a 9950x9950 16-bit PNG ({png_size} KB): {megabytes(png_peak)}")
    print(
        f"memory: peak uploading a 6000x6000 float32 TIFF ({float_tiff.stat().st_size // 1024} KB): "
        f"{megabytes(tiff_peak)}"
    )


if __name__ == "__main__":
    main()
