"""The Feature maps page in a real browser: step into the network, open one channel, hover its values."""

import pytest
from playwright.sync_api import expect

from tests.browser import driver

pytestmark = pytest.mark.browser


def test_step_to_a_middle_layer_and_open_a_channel(page, app_url):
    driver.open_page(page, app_url)
    driver.follow_link(page, "Feature maps")
    expect(page.get_by_text("EfficientNet-Lite0 thinks this is")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="_stem_act")).to_be_visible()
    driver.wait_until_idle(page)
    driver.choose_option_containing(page, "Layer", "_blocks.8 ")
    expect(page.get_by_role("heading", name="_blocks.8")).to_be_visible()
    driver.wait_until_idle(page)
    page.get_by_text("max", exact=True).click()
    expect(page.get_by_text("sorted by max")).to_be_visible()
    driver.wait_until_idle(page)
    driver.choose_option_containing(page, "Channel", "channel 7 ")
    expect(page.get_by_text("Channel 7 stretched over your whole photo")).to_be_visible()
    driver.wait_until_idle(page)
    charts = page.locator('[data-testid="stPlotlyChart"]')
    expect(charts).to_have_count(2)
    heatmap = charts.nth(1)
    heatmap.scroll_into_view_if_needed()
    box = heatmap.locator(".nsewdrag").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(heatmap.locator(".hoverlayer")).to_contain_text("value=")
    driver.assert_no_exception(page)
    driver.screenshot(page, "feature_maps")


@pytest.mark.parametrize(("title", "name"), [("Filters", "filters"), ("Architecture", "architecture")])
def test_filters_and_architecture_pages_render(page, app_url, title, name):
    driver.open_page(page, app_url)
    driver.follow_link(page, title)
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible()
    driver.assert_no_exception(page)
    driver.screenshot(page, name)
