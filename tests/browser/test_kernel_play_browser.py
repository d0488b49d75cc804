"""The Kernel lab's step-by-step Play in a real browser: it walks through the steps one redraw at a time,
the page stays usable while it plays (Pause works), and it stops by itself at the last step."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import driver

pytestmark = pytest.mark.browser


def test_play_animates_step_by_step_can_pause_and_stops_at_the_end(page, app_url):
    driver.open_page(page, app_url, "kernel_lab")
    page.get_by_role("button", name="Play to the end").click()
    # any frame from the third on: one frame shows for 0.6 s, and Playwright looks only once a second
    expect(page.get_by_text(re.compile(r"Playing: step ([3-9]|1[0-6]) of 16"))).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Play to the end")).to_be_visible()
    driver.wait_until_idle(page)
    expect(page.get_by_text("Playing:")).to_have_count(0)
    paused_at = int(page.get_by_text("Step ", exact=False).filter(has_text=" of 16").first.inner_text().split()[1])
    assert 3 <= paused_at < 16
    page.get_by_role("button", name="Play to the end").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    expect(page.get_by_text("Step 16 of 16")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("button", name="Play to the end")).to_be_visible(timeout=60_000)
    driver.wait_until_idle(page)
    driver.assert_no_exception(page)
    driver.screenshot(page, "kernel_lab_played")
