"""Presentation mode in Chromium: every text at least 24 px at projector sizes, nothing cut off, and a
presenter remote's PageDown stepping the layer on Feature maps and the class in the Grad-CAM studio; the
sidebar's toggle turns it on, writes ``present=1`` into the URL and folds the sidebar away."""

import pytest
from playwright.sync_api import expect

from tests.browser import driver

pytestmark = pytest.mark.browser

SMALLEST_PX = 24
TEXT_SIZES = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const shown = (element) => element.getClientRects().length > 0 && element.textContent.trim() !== '';
    const size = (element) => [parseFloat(getComputedStyle(element).fontSize), element.textContent.trim().slice(0, 40)];
    const body = [...main.querySelectorAll(
        'p, li, td, th, [data-testid="stCaptionContainer"], [data-testid="stImageCaption"], '
        + '[data-testid="stWidgetLabel"] p, [data-testid="stMetricValue"] div')].filter(shown).map(size);
    const chart = [...main.querySelectorAll(
        '.js-plotly-plot svg text, .number-table-title, .number-table td')].filter(shown).map(size);
    return {body, chart};
}"""
CUT_OFF = """() => {
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    const cut = [...document.querySelectorAll(
        '[data-testid="stMain"] [data-testid="stWidgetLabel"], [data-testid="stMain"] button p')]
        .filter((element) => element.getClientRects().length > 0 && element.scrollWidth > element.clientWidth + 1)
        .map((element) => element.textContent.trim());
    const tables = [...document.querySelectorAll(
        '[data-testid="stMain"] [data-testid="stTable"] *, [data-testid="stMain"] .number-table')]
        .filter((element) => element.getClientRects().length > 0 && element.scrollWidth > element.clientWidth + 1)
        .map((element) => element.scrollWidth - element.clientWidth);
    return {wide: main.scrollWidth - main.clientWidth, cut, tables};
}"""
OVERLAPS = """() => {
    const overlaps = [];
    for (const chart of document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')) {
        const boxes = [...chart.querySelectorAll('svg text')]
            .filter((element) => element.getClientRects().length > 0 && element.textContent.trim() !== '')
            .map((element) => [element.textContent.trim().slice(0, 30), element.getBoundingClientRect()]);
        for (let i = 0; i < boxes.length; i++) {
            for (let j = i + 1; j < boxes.length; j++) {
                const [a, p] = boxes[i], [b, q] = boxes[j];
                const wide = Math.min(p.right, q.right) - Math.max(p.left, q.left);
                const high = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
                if (wide > 2 && high > 2) overlaps.push([a, b]);
            }
        }
    }
    return overlaps;
}"""
"""Pairs of texts of one chart whose boxes cross by more than 2 px both ways (stage names, tick labels)."""
PAGES = {
    "kernel_lab": "Kernel lab",
    "feature_maps": "Feature maps",
    "grad_cam": "Grad-CAM studio",
    "architecture": "Architecture",
    "filters": "Filters",
    "tiny_cnn": "Tiny CNN",
}


def open_presenting(page, app_url: str, path: str, title: str) -> None:
    """Open ``path`` with ``?present=1`` and wait for its heading, its charts (or tables) and the end of its run."""
    page.goto(f"{app_url}/{path}?present=1")
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=180_000)
    expect(page.locator(".js-plotly-plot svg text, .number-table td").first).to_be_attached(timeout=180_000)
    driver.wait_until_idle(page, 300_000)


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1024, 768)])
def test_presentation_text_is_large_and_nothing_is_cut_off(page, app_url, width, height):
    page.set_viewport_size({"width": width, "height": height})
    for path, title in PAGES.items():
        open_presenting(page, app_url, path, title)
        expect(page.locator('[data-testid="stSidebar"]')).to_have_attribute("data-collapsed", "true")
        sizes = page.evaluate(TEXT_SIZES)
        assert len(sizes["body"]) > 10 and len(sizes["chart"]) > 5, (path, sizes)
        for kind in ("body", "chart"):
            small = [entry for entry in sizes[kind] if entry[0] < SMALLEST_PX]
            assert not small, (path, kind, small)
        layout = page.evaluate(CUT_OFF)
        assert layout["wide"] <= 0, (path, layout)
        assert not layout["cut"], (path, layout)
        assert not layout["tables"], (path, layout)  # a table that scrolls sideways hides columns
        assert not page.evaluate(OVERLAPS), path
        driver.assert_no_exception(page)
        if width == 1280:
            driver.screenshot(page, f"present_{path}_{width}x{height}")


def test_the_toggle_then_page_down_steps_the_layer_and_the_class(page, app_url):
    page.set_viewport_size({"width": 1280, "height": 720})
    driver.open_page(page, app_url, "feature_maps")
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    sidebar.get_by_text("Presentation mode").click()
    page.wait_for_url("**present=1**")
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    expect(page.locator('[data-testid="stMain"] h1').first).to_have_css("font-size", "48px")
    driver.wait_until_idle(page)
    page.locator('[data-testid="stMain"] h1').first.click()  # the keys go to the page, not the toggle
    expect(page.get_by_role("heading", name="_conv_stem")).to_be_visible()
    expect(page.get_by_text("PageDown / PageUp: next / previous layer")).to_be_visible()
    page.keyboard.press("PageDown")
    expect(page.get_by_role("heading", name="_stem_act")).to_be_visible()
    driver.wait_until_idle(page)
    page.keyboard.press("PageUp")
    expect(page.get_by_role("heading", name="_conv_stem")).to_be_visible()
    driver.wait_until_idle(page)

    open_presenting(page, app_url, "grad_cam", "Grad-CAM studio")
    driver.shows(page, "Left class", "#1 ")
    page.keyboard.press("PageDown")
    driver.shows(page, "Left class", "#2 ")
    driver.wait_until_idle(page)
    right = page.get_by_role("combobox", name="Right class", exact=True).input_value()
    rank = int(right.split()[0].lstrip("#"))
    page.keyboard.press("ArrowLeft")
    driver.shows(page, "Right class", f"#{rank - 1} ")
    driver.shows(page, "Left class", "#2 ")
    driver.assert_no_exception(page)
