"""Grad-CAM studio in real Chromium: upload a photo, pick a second class and method, both overlays appear."""

import pytest
from playwright.sync_api import expect

from explorer.images import SAMPLES_DIR
from tests.browser import driver

pytestmark = pytest.mark.browser


def test_upload_then_compare_two_classes_and_methods(page, app_url):
    driver.open_page(page, app_url, "grad_cam")
    driver.upload_photo(page, SAMPLES_DIR / "coffee.png")
    expect(page.get_by_text("Grad-CAM · espresso").first).to_be_visible()
    driver.choose_option_containing(page, "Right class", "eggnog")
    expect(page.get_by_text("Grad-CAM · eggnog").first).to_be_visible()
    driver.wait_until_idle(page)
    driver.choose_option_containing(page, "Right method", "LayerCAM")
    expect(page.get_by_text("LayerCAM · eggnog").first).to_be_visible()
    driver.wait_until_idle(page)
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(2)
    expect(page.get_by_text("Grad-CAM · espresso").first).to_be_visible()
    driver.assert_no_exception(page)
    driver.screenshot(page, "grad_cam_compare")
    page.get_by_text("Faithfulness", exact=True).click()
    expect(page.get_by_text("A faithful map should hurt more than random regions")).to_be_visible(timeout=120_000)
    driver.wait_until_idle(page)
    driver.assert_no_exception(page)
    driver.screenshot(page, "grad_cam_faithfulness")
