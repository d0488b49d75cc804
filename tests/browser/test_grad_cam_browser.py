"""Grad-CAM studio in real Chromium: upload a photo, pick a second class and method, both overlays appear."""

import pytest

from explorer.images import SAMPLES_DIR
from tests.browser.driver import (
    assert_no_exception, choose_option_containing, open_page, screenshot, upload_photo, wait_until_idle,
)

pytestmark = pytest.mark.browser


def test_upload_then_compare_two_classes_and_methods(page, app_url):
    open_page(page, app_url, "grad_cam")
    upload_photo(page, SAMPLES_DIR / "coffee.png")
    page.get_by_text("Grad-CAM · espresso").first.wait_for()
    choose_option_containing(page, "Right class", "eggnog")
    choose_option_containing(page, "Right method", "LayerCAM")
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
