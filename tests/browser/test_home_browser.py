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


@pytest.mark.parametrize("path", ["kernel_lab", "feature_maps", "grad_cam"])
def test_a_deep_link_opens_that_page_inside_the_apps_own_menu(page, app_url, path):
    open_page(page, app_url, path)
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_text("Grad-CAM studio").is_visible()
    assert sidebar.get_by_role("link", name="app", exact=True).count() == 0  # no auto-discovered menu
    assert page.locator(".streamlit-wide").count() == 1
    assert_no_exception(page)
