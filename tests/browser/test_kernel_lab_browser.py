"""The Kernel lab in a real browser: upload a photo, pick Sobel, see the filtered picture and the steps."""

import pytest
from playwright.sync_api import expect

from explorer.images import SAMPLES_DIR
from tests.browser import driver

pytestmark = pytest.mark.browser


def test_uploaded_photo_filtered_with_sobel_shows_output_and_steps(page, app_url):
    driver.open_page(page, app_url)
    driver.follow_link(page, "Kernel lab")
    driver.upload_photo(page, SAMPLES_DIR / "coffee.png")
    driver.choose_option(page, "Preset", "sobel")
    expect(page.get_by_text("Edge strength in any direction")).to_be_visible()
    output = page.locator('[data-testid="stImage"]').filter(has_text="Output 600x400")
    expect(output.locator("img").first).to_be_visible()
    expect(page.get_by_text("output = sqrt(gx² + gy²)").first).to_be_visible()
    driver.wait_until_idle(page)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Step 2 of 16")).to_be_visible()
    driver.wait_until_idle(page)
    driver.assert_no_exception(page)
    driver.screenshot(page, "kernel_lab")
