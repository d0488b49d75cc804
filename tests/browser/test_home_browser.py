"""The app opens in a real browser: Home shows the tour, the sample photo and the device badge."""

import pytest

from tests.browser.driver import assert_no_exception, open_page, screenshot

pytestmark = pytest.mark.browser


def test_home_shows_tour_sample_and_device_badge(page, app_url):
    open_page(page, app_url)
    assert page.get_by_role("heading", name="CNN Explorer").is_visible()
    assert page.get_by_text("Computing on").first.is_visible()
    assert page.locator('[data-testid="stImage"] img').count() >= 2
    assert_no_exception(page)
    screenshot(page, "home")
