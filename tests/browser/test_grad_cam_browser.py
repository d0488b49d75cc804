"""Grad-CAM studio in real Chromium: upload a photo, pick a second class and method, both overlays appear."""

import pytest

from explorer.images import SAMPLES_DIR
from tests.browser.driver import assert_no_exception, open_page, screenshot, wait_until_idle

pytestmark = pytest.mark.browser


def _choose(page, label: str, option: str) -> None:
    """Open the select box called ``label``, type to filter, and pick ``option``."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.locator("input").click()
    box.locator("input").fill(option)
    page.get_by_role("option", name=option).first.click()
    wait_until_idle(page)


def test_upload_then_compare_two_classes_and_methods(page, app_url):
    open_page(page, app_url, "grad_cam")
    page.get_by_text("Upload", exact=True).click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(SAMPLES_DIR / "coffee.png"))
    wait_until_idle(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"]')
    _choose(page, "Right class", "eggnog")
    _choose(page, "Right method", "LayerCAM")
    wait_until_idle(page)
    charts = page.locator('[data-testid="stPlotlyChart"]')
    assert charts.count() == 2
    assert page.get_by_text("LayerCAM · eggnog").first.is_visible()
    assert page.get_by_text("Grad-CAM · espresso").first.is_visible()
    assert_no_exception(page)
    screenshot(page, "grad_cam_compare")
    page.get_by_text("Faithfulness", exact=True).click()
    wait_until_idle(page)
    assert_no_exception(page)
    screenshot(page, "grad_cam_faithfulness")
