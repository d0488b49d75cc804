"""The Kernel lab in a real browser: upload a photo, pick Sobel, see the filtered picture and the steps; the
3-D filter mode's sum of three channels; a typed token echoed literally, never rendered as Markdown."""

import pytest
from playwright.sync_api import expect

from explorer.images import SAMPLES_DIR
from tests.browser import driver

pytestmark = pytest.mark.browser
RERUN_MS = 120_000
"""How long a redraw that convolves a photo may take on a loaded machine (Playwright's own default is 5 s)."""


def test_uploaded_photo_filtered_with_sobel_shows_output_and_steps(page, app_url):
    driver.open_page(page, app_url)
    driver.follow_link(page, "Kernel lab")
    driver.upload_photo(page, SAMPLES_DIR / "coffee.png")
    driver.choose_option(page, "Preset", "sobel")
    expect(page.get_by_text("Edge strength in any direction")).to_be_visible(timeout=RERUN_MS)
    output = page.locator('[data-testid="stImage"]').filter(has_text="Output 600x400")
    expect(output.locator("img").first).to_be_visible(timeout=RERUN_MS)
    expect(page.get_by_text("output = sqrt(gx² + gy²)").first).to_be_visible(timeout=RERUN_MS)
    driver.wait_until_idle(page)
    page.locator(".st-key-kl_step_next").get_by_role("button").click()
    expect(page.get_by_text("Step 2 of 16")).to_be_visible(timeout=RERUN_MS)
    driver.wait_until_idle(page)
    driver.assert_no_exception(page)
    driver.screenshot(page, "kernel_lab")


def test_the_3d_filter_mode_shows_one_map_and_the_sum_of_three_channels(page, app_url):
    driver.open_page(page, app_url, "kernel_lab")
    page.get_by_text("One 3-D filter: R + G + B → one map").click()
    expect(page.get_by_text("output = red sum + green sum + blue sum + bias").first).to_be_visible(timeout=RERUN_MS)
    driver.wait_until_idle(page)
    for title in ("Red input patch", "Green input patch", "Blue input patch"):
        table = page.locator(".number-table").filter(has_text=title)
        expect(table).to_have_count(1, timeout=RERUN_MS)
        expect(table.locator("td")).to_have_count(9)  # the 3x3 patch under the window, a number in each cell
    expect(page.get_by_text("Channel for the steps")).to_be_visible(timeout=RERUN_MS)
    driver.assert_no_exception(page)
    driver.screenshot(page, "kernel_lab_3d")


def test_a_typed_token_is_shown_literally_and_nothing_is_fetched(page, app_url):
    fetched = []
    page.on("request", lambda request: fetched.append(request.url) if "127.0.0.1:9/" in request.url else None)
    driver.open_page(page, app_url, "kernel_lab")
    page.get_by_text("Type numbers", exact=True).click()
    driver.wait_until_idle(page)
    box = page.get_by_label("Rows separated by", exact=False)
    box.fill("1 **bold** ![x](http://127.0.0.1:9/x.png)")
    box.press("Control+Enter")
    error = page.locator('[data-testid="stAlertContentError"]').first
    expect(error).to_contain_text("'**bold**' is not a number", timeout=RERUN_MS)
    assert error.locator("strong, img, a, .katex").count() == 0
    driver.wait_until_idle(page)
    assert fetched == []
    driver.assert_no_exception(page)
