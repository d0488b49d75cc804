"""The Kernel lab in a real browser: upload a photo, pick Sobel, see the filtered picture and the steps."""

import pytest

from explorer.images import SAMPLES_DIR
from tests.browser.driver import (assert_no_exception, choose_option, open_page, screenshot, upload_photo,
                                  wait_until_idle)

pytestmark = pytest.mark.browser


def test_uploaded_photo_filtered_with_sobel_shows_output_and_steps(page, app_url):
    open_page(page, app_url)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Kernel lab").click()
    wait_until_idle(page)
    assert page.get_by_role("heading", name="Kernel lab").is_visible()
    upload_photo(page, SAMPLES_DIR / "coffee.png")
    choose_option(page, "Preset", "sobel")
    assert page.get_by_text("Edge strength in any direction").is_visible()
    output = page.locator('[data-testid="stImage"]').filter(has_text="Output 600x400")
    assert output.locator("img").first.is_visible()
    assert page.get_by_text("output = sqrt(gx² + gy²)").first.is_visible()
    page.get_by_role("button", name="Next").click()
    page.wait_for_timeout(300)
    assert page.get_by_text("Step 2 of 16").is_visible()
    assert_no_exception(page)
    page.set_viewport_size({"width": 1440, "height": 5200})
    page.wait_for_timeout(800)
    screenshot(page, "kernel_lab")
