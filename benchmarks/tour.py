"""The whole tour of the app in a real browser, one step at a time, for the serving benchmarks.

Each step is what a student does (open a page, pick a layer, ask for Score-CAM ...) and returns once the
app has finished redrawing. Photos the benchmarks need are made here, not committed: a 48-megapixel
JPEG, a 9950x9950 16-bit PNG of a few hundred kilobytes and a large float32 TIFF.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from explorer.images import SAMPLES, SAMPLES_DIR
from tests.browser import driver

Step = tuple[str, Callable[[Page], None]]
BIG_KERNEL = "; ".join([" ".join(["1/225"] * 15)] * 15)


def photo_48mp(folder: Path) -> Path:
    """An 8000x6000 JPEG (48 megapixels): the cat photo enlarged, with grain so it does not compress away."""
    path = folder / "photo_48mp.jpg"
    if not path.exists():
        with Image.open(SAMPLES_DIR / SAMPLES["chelsea"]) as photo:
            big = np.asarray(photo.convert("RGB").resize((8000, 6000), Image.Resampling.BILINEAR), dtype=np.int16)
        grain = np.random.default_rng(0).integers(-6, 7, size=big.shape, dtype=np.int16)
        Image.fromarray(np.clip(big + grain, 0, 255).astype(np.uint8)).save(path, quality=88)
    return path


def png_16bit_huge(folder: Path) -> Path:
    """A 9950x9950 16-bit greyscale PNG that compresses to a few hundred kilobytes (a decompression trap)."""
    path = folder / "huge_16bit.png"
    if not path.exists():
        ramp = (np.arange(9950, dtype=np.uint32) * 6)[None, :].repeat(9950, axis=0).astype(np.uint16)
        Image.fromarray(ramp).save(path, optimize=True)
    return path


def tiff_float32(folder: Path) -> Path:
    """A 6000x6000 float32 TIFF (144 MB of pixels, deflate-compressed to a few megabytes)."""
    path = folder / "float32.tif"
    if not path.exists():
        ramp = np.linspace(0.0, 1.0, 6000, dtype=np.float32)[:, None].repeat(6000, axis=1)
        buffer = io.BytesIO()
        Image.fromarray(ramp).save(buffer, format="TIFF", compression="tiff_deflate")
        path.write_bytes(buffer.getvalue())
    return path


RUNNING = """() => document.querySelector('[data-testid="stApp"]')
    ?.getAttribute('data-test-script-state') === 'running'"""


def settle(page: Page) -> None:
    """Wait for the run an action started (if it was not over before we looked), then until the app is idle."""
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(RUNNING, timeout=1500)
    driver.wait_until_idle(page, 600_000)


def click(page: Page, name: str) -> None:
    """Press the button called ``name`` and wait until the run it starts has finished."""
    page.get_by_role("button", name=name, exact=True).first.click()
    settle(page)


def press(page: Page, key: str) -> None:
    """Press the button whose widget key is ``key`` (e.g. ``kl_step_next``: a page may have several Nexts)."""
    page.locator(f".st-key-{key}").get_by_role("button").click()
    settle(page)


def choose_radio(page: Page, option: str) -> None:
    """Pick the radio option labelled ``option`` and wait for the page to redraw."""
    page.get_by_text(option, exact=True).first.click()
    settle(page)


def set_number(page: Page, label: str, value: int) -> None:
    """Type ``value`` into the number input called ``label`` and wait for the redraw."""
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    settle(page)


def use_sample(page: Page) -> None:
    """Go back to the bundled sample photo."""
    page.locator('[data-testid="stSidebar"]').get_by_text("Sample photo", exact=True).click()
    settle(page)


def big_kernel(page: Page) -> None:
    """Type a 15x15 box blur in the Kernel lab and wait for its output."""
    choose_radio(page, "Type numbers")
    box = page.get_by_role("textbox", name="Rows separated by", exact=False)
    box.fill(BIG_KERNEL)
    box.press("Control+Enter")
    expect(page.get_by_text("(15-1)+1 = 15", exact=False).first).to_be_visible(timeout=600_000)
    driver.wait_until_idle(page, 600_000)


def score_cam(page: Page) -> None:
    """Ask for Score-CAM in the right panel and wait for its overlay."""
    driver.choose_option(page, "Right method", "Score-CAM")
    click(page, "Compute Score-CAM")
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(2, timeout=600_000)


def grid(page: Page) -> None:
    """Open the methods x classes grid and compute it."""
    choose_radio(page, "Methods × classes grid")
    click(page, "Compute the grid")
    expect(page.locator('[data-testid="stMain"] [data-testid="stImage"]')).to_have_count(18, timeout=600_000)


def whole_tour(url: str, big_photo: Path) -> list[Step]:
    """Every page and every deeper view with the default model, the 48 MP photo in the Kernel lab."""
    return [
        ("Home", lambda page: driver.open_page(page, url)),
        ("Kernel lab", lambda page: driver.follow_link(page, "Kernel lab")),
        ("Preset box blur", lambda page: driver.choose_option(page, "Preset", "box blur")),
        ("Stride 2", lambda page: set_number(page, "Stride S", 2)),
        ("Next step", lambda page: press(page, "kl_step_next")),
        ("Upload the 48 MP photo", lambda page: driver.upload_photo(page, big_photo)),
        ("15x15 kernel on 48 MP", big_kernel),
        ("Back to the sample", use_sample),
        ("Feature maps", lambda page: driver.follow_link(page, "Feature maps")),
        ("Next layer", lambda page: press(page, "fm_layer_next")),
        ("Filters", lambda page: driver.follow_link(page, "Filters")),
        ("Architecture", lambda page: driver.follow_link(page, "Architecture")),
        ("Grad-CAM studio", lambda page: driver.follow_link(page, "Grad-CAM studio")),
        ("Colour map", lambda page: driver.choose_option(page, "Colour map", "viridis")),
        ("Left method LayerCAM", lambda page: driver.choose_option(page, "Left method", "LayerCAM")),
        ("Score-CAM", score_cam),
        ("Grid with Score-CAM", grid),
        ("Pixel saliency", lambda page: choose_radio(page, "Pixel saliency")),
        ("Sanity check", lambda page: choose_radio(page, "Sanity check")),
        ("Faithfulness", lambda page: choose_radio(page, "Faithfulness")),
    ]
