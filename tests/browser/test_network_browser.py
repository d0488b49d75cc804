"""The Feature maps page in a real browser: step into the network, open one channel, hover its values."""

import pytest

from tests.browser.driver import (
    assert_no_exception, choose_option_containing, open_page, screenshot, wait_until_idle,
)

pytestmark = pytest.mark.browser


def open_network_page(page, app_url: str, title: str) -> None:
    """Start at Home and follow the sidebar link, as a student would; wait for the page's own title."""
    open_page(page, app_url)
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title, exact=True).wait_for()
    wait_until_idle(page)


def test_step_to_a_middle_layer_and_open_a_channel(page, app_url):
    open_network_page(page, app_url, "Feature maps")
    assert page.get_by_text("EfficientNet-Lite0 thinks this is").is_visible()
    page.get_by_role("button", name="Next").click()
    wait_until_idle(page)
    assert page.get_by_text("_stem_act").first.is_visible()
    choose_option_containing(page, "Layer", "_blocks.8 ")
    assert page.get_by_role("heading", name="_blocks.8").is_visible()
    page.get_by_text("max", exact=True).click()
    wait_until_idle(page)
    choose_option_containing(page, "Channel", "channel 7 ")
    charts = page.locator('[data-testid="stPlotlyChart"]')
    assert charts.count() == 2
    heatmap = charts.nth(1)
    heatmap.scroll_into_view_if_needed()
    box = heatmap.locator(".nsewdrag").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(500)
    assert "value=" in heatmap.locator(".hoverlayer").text_content()
    assert page.get_by_text("Channel 7 stretched over your whole photo").is_visible()
    assert_no_exception(page)
    page.set_viewport_size({"width": 1440, "height": 2600})
    page.wait_for_timeout(800)
    screenshot(page, "feature_maps")


@pytest.mark.parametrize(("title", "name"), [("Filters", "filters"), ("Architecture", "architecture")])
def test_filters_and_architecture_pages_render(page, app_url, title, name):
    open_network_page(page, app_url, title)
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 1
    assert_no_exception(page)
    page.set_viewport_size({"width": 1440, "height": 3000})
    page.wait_for_timeout(800)
    screenshot(page, name)
