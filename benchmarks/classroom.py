"""A class at once: N browser sessions, each with its own photo, run the tour against one real server.

    python -m benchmarks.classroom [--sizes 1 10 30]

For each N, N Playwright contexts in one headless Chromium (memory allows 30 here: ~100 MB each) start
together. Each uploads a different photo (a sample resized to a size no other session uses), opens
Feature maps, steps to the next layer (a view-only change: the run is cached), opens the Grad-CAM studio
and changes the colour map twice (view-only). With N >= 10, three sessions first ask for heavy work
(Score-CAM, the methods grid, a 15x15 kernel on a 48 MP photo) while the others make their view-only
changes. Reported per N: p50/p95 seconds for a page to become usable and for a view-only change, errors,
cross-talk (a session showing a photo size or a top class that is not its own's), the server's peak memory
and CPU-seconds. Goals: no errors and no cross-talk at N = 30; view-only changes under 0.5 s p95 at N = 10.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
from PIL import Image
from playwright.async_api import Page, async_playwright, expect
from playwright.async_api import TimeoutError as PlaywrightTimeout

from benchmarks.serving import CHROMIUM, CHROMIUM_FLAGS, Server, median, megabytes, percentile, running_server
from benchmarks.tour import BIG_KERNEL, photo_48mp
from explorer.images import SAMPLES, SAMPLES_DIR, load_path
from explorer.models import load_model
from tests.browser.driver import IDLE

RUNNING = """() => document.querySelector('[data-testid="stApp"]')
    ?.getAttribute('data-test-script-state') === 'running'"""
TIMEOUT_MS = 900_000


@dataclass
class Expected:
    """What a session must show for its own photo: its size, what the network sees, its top class."""

    photo: Path
    size: tuple[int, int]
    seen: tuple[int, int]
    top: str


@dataclass
class Timings:
    pages: list[float] = field(default_factory=list)
    views: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    crosstalk: list[str] = field(default_factory=list)


def class_photos(count: int, folder: Path) -> list[Expected]:
    """``count`` photos of distinct sizes (samples resized), with what the default network makes of each."""
    model = load_model()
    photos = []
    names = list(SAMPLES)
    for index in range(count):
        with Image.open(SAMPLES_DIR / SAMPLES[names[index % len(names)]]) as sample:
            width = 360 + 9 * index
            photo = sample.convert("RGB").resize((width, round(width * sample.height / sample.width)))
        path = folder / f"student_{index:02d}.png"
        photo.save(path)
        loaded = load_path(path)
        with torch.no_grad():
            probabilities = torch.softmax(model.module(model.preprocess(loaded.image)).reshape(-1), dim=0)
        best = int(probabilities.argmax())
        seen = model.spec.preprocessing.input_size(*loaded.size)
        top = f"#1 {model.categories[best]} ({float(probabilities[best]):.0%})"
        photos.append(Expected(path, loaded.size, seen, top))
    return photos


async def settle(page: Page) -> None:
    """Wait for the run an action started, then until the app is idle again."""
    with contextlib.suppress(PlaywrightTimeout):  # a quick run may be over before we look
        await page.wait_for_function(RUNNING, timeout=1500)
    await page.wait_for_function(IDLE, timeout=TIMEOUT_MS)


async def timed(into: list[float], action) -> None:
    """Run ``action`` (a coroutine) and record how long it took until the page was usable."""
    start = time.perf_counter()
    await action
    into.append(time.perf_counter() - start)


async def open_link(page: Page, title: str) -> None:
    await page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    await expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    await page.wait_for_function(IDLE, timeout=TIMEOUT_MS)


async def choose(page: Page, label: str, option: str) -> None:
    await page.get_by_role("combobox", name=label, exact=True).click()
    await page.get_by_role("option", name=option, exact=True).click()
    await settle(page)


async def choose_containing(page: Page, label: str, text: str) -> None:
    """Type ``text`` into the select box called ``label`` and pick the first option that contains it."""
    await page.get_by_role("combobox", name=label, exact=True).click()
    await page.keyboard.type(text)
    await page.get_by_role("option").filter(has_text=text).first.click()
    await settle(page)


async def upload(page: Page, expected: Expected) -> None:
    sidebar = page.locator('[data-testid="stSidebar"]')
    await sidebar.get_by_text("Upload", exact=True).click()
    chooser = sidebar.locator('[data-testid="stFileUploader"] input[type="file"]')
    await expect(chooser).to_be_attached(timeout=TIMEOUT_MS)
    await page.wait_for_function(IDLE, timeout=TIMEOUT_MS)
    await chooser.set_input_files(str(expected.photo))
    width, height = expected.size
    await expect(sidebar.get_by_text(f"{width}x{height} px")).to_be_visible(timeout=TIMEOUT_MS)
    await page.wait_for_function(IDLE, timeout=TIMEOUT_MS)


async def heavy(page: Page, kind: str, big_photo: Path) -> None:
    """Score-CAM, the grid, or a 15x15 kernel on the 48 MP photo."""
    if kind == "score-cam":
        await choose(page, "Right method", "Score-CAM")
        await page.get_by_role("button", name="Compute Score-CAM").click()
        await expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(2, timeout=TIMEOUT_MS)
    elif kind == "grid":
        await page.get_by_text("Methods × classes grid", exact=True).click()
        await settle(page)
        await page.get_by_role("button", name="Compute the grid").click()
        images = page.locator('[data-testid="stMain"] [data-testid="stImage"]')
        await expect(images).to_have_count(18, timeout=TIMEOUT_MS)
    else:
        sidebar = page.locator('[data-testid="stSidebar"]')
        await sidebar.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(big_photo))
        await expect(sidebar.get_by_text("2048x1536 px")).to_be_visible(timeout=TIMEOUT_MS)
        await open_link(page, "Kernel lab")
        await page.get_by_text("Type numbers", exact=True).click()
        await settle(page)
        box = page.get_by_role("textbox", name="Rows separated by", exact=False)
        await box.fill(BIG_KERNEL)
        await box.press("Control+Enter")
        await expect(page.get_by_text("(15-1)+1 = 15").first).to_be_visible(timeout=TIMEOUT_MS)
    await page.wait_for_function(IDLE, timeout=TIMEOUT_MS)


async def student(browser, url: str, me: Expected, job: str | None, big_photo: Path, timings: Timings) -> None:
    """One student's tour; a wrong photo or class on screen is cross-talk, anything else failing an error."""
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    try:
        await timed(timings.pages, page.goto(url))
        await expect(page.locator('[data-testid="stMain"] h1').first).to_be_visible(timeout=TIMEOUT_MS)
        await page.wait_for_function(IDLE, timeout=TIMEOUT_MS)
        await upload(page, me)
        await timed(timings.pages, open_link(page, "Feature maps"))
        seen = f"Exactly what EfficientNet-Lite0 sees: {me.seen[0]}x{me.seen[1]}"
        if await page.get_by_text(seen, exact=False).count() == 0:
            timings.crosstalk.append(f"{me.photo.name}: Feature maps does not show {seen}")
        await timed(timings.views, _click_next(page))
        await timed(timings.pages, open_link(page, "Grad-CAM studio"))
        shown = await page.get_by_role("combobox", name="Left class", exact=True).input_value()
        if shown != me.top:
            timings.crosstalk.append(f"{me.photo.name}: studio shows '{shown}', its photo gives '{me.top}'")
        if job is not None:
            await heavy(page, job, big_photo)
            return
        for colour in ("viridis", "inferno", "turbo"):
            await timed(timings.views, choose(page, "Colour map", colour))
        if await page.locator('[data-testid="stException"]').count():
            timings.errors.append(f"{me.photo.name}: an exception box on the page")
    except Exception as error:  # every failure is counted and reported
        timings.errors.append(f"{me.photo.name}: {type(error).__name__}: {str(error).splitlines()[0][:160]}")
    finally:
        await context.close()


async def _click_next(page: Page) -> None:
    await page.locator(".st-key-fm_layer_next").get_by_role("button").click()
    await settle(page)


async def one_class(server: Server, photos: list[Expected], big_photo: Path) -> Timings:
    """All students at once; with ten or more, three of them ask for heavy work."""
    timings = Timings()
    jobs = ["score-cam", "grid", "kernel"] if len(photos) >= 10 else []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        try:
            await asyncio.gather(
                *(
                    student(browser, server.url, me, jobs[i] if i < len(jobs) else None, big_photo, timings)
                    for i, me in enumerate(photos)
                )
            )
        finally:
            await browser.close()
    return timings


LAST_INPUT = """for (const kind of ['click', 'keydown'])
    addEventListener(kind, () => { window.lastInputAt = performance.now(); }, true);"""
"""Installed in every page: when the person last clicked or pressed a key (the option picked, Enter, a button)."""
REDRAWN = """() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(
    () => done((performance.now() - window.lastInputAt) / 1000))))"""
"""Seconds from that input to the next painted frame once the app is idle: what the person waited."""


async def one_student_speed(server: Server, photo: Expected, repeats: int = 5) -> list[str]:
    """Server CPU-seconds of the studio on a new photo and of a layer and a method change; for ordinary
    clicks (a preset, the stride, the next layer) also the redraw: from the click or key that made the
    change to the page painted with nothing running. Medians of ``repeats``.

    "s" is the whole Playwright action, which also includes opening a select box and Playwright's own
    checks before each click; "redraw s" is what the person waits after their last input."""
    results: dict[str, list[float]] = {}

    async def measure(name: str, action) -> None:
        cpu, start = server.cpu_seconds(), time.perf_counter()
        await action
        results.setdefault(f"{name} CPU-s", []).append(server.cpu_seconds() - cpu)
        results.setdefault(f"{name} s", []).append(time.perf_counter() - start)
        results.setdefault(f"{name} redraw s", []).append(await page.evaluate(REDRAWN))

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        context = await browser.new_context(viewport={"width": 1440, "height": 900})
        await context.add_init_script(LAST_INPUT)
        page = await context.new_page()
        await page.goto(f"{server.url}/kernel_lab")
        await page.wait_for_function(IDLE, timeout=TIMEOUT_MS)
        for index in range(repeats):
            await measure("preset", choose(page, "Preset", ["box blur", "sobel x"][index % 2]))
            await measure("stride", _set_stride(page, 1 + (index + 1) % 2))
        await open_link(page, "Feature maps")
        for _ in range(repeats):
            await measure("next layer", _click_next(page))
        await upload(page, photo)
        await measure("studio on a new photo", open_link(page, "Grad-CAM studio"))
        layers = ["_blocks.15._project_conv", "_blocks.14._project_conv", "_blocks.13._project_conv"]
        for index in range(repeats):
            await measure("layer change", choose_containing(page, "Left layer", layers[index % 3]))
            await measure("method change", choose(page, "Left method", ["LayerCAM", "HiResCAM"][index % 2]))
        await browser.close()
    return [f"one student: {name} median {median(values):.2f} (n={len(values)})" for name, values in results.items()]


async def _set_stride(page: Page, value: int) -> None:
    box = page.get_by_label("Stride S", exact=True)
    await box.fill(str(value))
    await box.press("Enter")
    await settle(page)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 30])
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="classroom-bench-"))
    photos = class_photos(max(args.sizes), folder)
    big_photo = photo_48mp(folder)
    with running_server() as server:
        lines = asyncio.run(one_student_speed(server, photos[-1]))
    for line in lines:
        print(line, flush=True)
    for count in args.sizes:
        with running_server() as server:
            cpu = server.cpu_seconds()
            started = time.perf_counter()
            timings = asyncio.run(one_class(server, photos[:count], big_photo))
            wall, cpu = time.perf_counter() - started, server.cpu_seconds() - cpu
            lines.append(
                f"classroom: N={count:2d} page usable p50 {median(timings.pages):.2f} s "
                f"p95 {percentile(timings.pages, 0.95):.2f} s; view-only change p50 "
                f"{median(timings.views):.2f} s "
                f"p95 {percentile(timings.views, 0.95):.2f} s; errors {len(timings.errors)}; "
                f"cross-talk {len(timings.crosstalk)}; server peak {megabytes(server.peak())}, "
                f"{cpu:.0f} CPU-s in {wall:.0f} s"
            )
            for problem in timings.errors + timings.crosstalk:
                print(f"  N={count}: {problem}", flush=True)
            print(lines[-1], flush=True)
    print()
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
