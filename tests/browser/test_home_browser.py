"""The app opens in a real browser: Home shows the tour, the sample photo and the device badge."""

import pytest
from playwright.sync_api import expect

from tests.browser import driver

pytestmark = pytest.mark.browser


def test_home_shows_tour_sample_and_device_badge(page, app_url):
    driver.open_page(page, app_url)
    expect(page.get_by_role("heading", name="CNN Explorer")).to_be_visible()
    expect(page.get_by_text("Computing on").first).to_be_visible()
    expect(page.locator('[data-testid="stImage"] img').nth(6)).to_be_visible()  # the photo shown, 5 samples, sidebar
    driver.assert_no_exception(page)
    driver.screenshot(page, "home")


@pytest.mark.parametrize("path", ["kernel_lab", "feature_maps", "grad_cam"])
def test_a_deep_link_opens_that_page_inside_the_apps_own_menu(page, app_url, path):
    driver.open_page(page, app_url, path)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("Grad-CAM studio")).to_be_visible()
    assert sidebar.get_by_role("link", name="app", exact=True).count() == 0  # no auto-discovered menu
    assert page.locator(".streamlit-wide").count() == 1
    driver.assert_no_exception(page)
