"""The Live camera in real Chromium with a fake webcam playing a clip built here: the video plays,
comes back explained (Grad-CAM overlay and the top class drawn by the server), and the top-5 follows
the clip from the cat to the espresso and back, with no exception anywhere. On a network that blocks
WebRTC, the page says so and points to the snapshot camera."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser import driver
from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS
from tests.browser.fake_camera import build_clip, camera_flags

pytestmark = pytest.mark.browser

PLAYER = 'iframe[title="streamlit_webrtc.component.webrtc_streamer"]'
CAT = re.compile(r"Now: (Egyptian cat|tabby|tiger cat)")
PLAYING = """() => {
    const video = document.querySelector('video');
    return video !== null && !video.paused && video.readyState >= 2 && video.videoWidth === 640
        && video.currentTime > 1;
}"""
NO_DIRECT_ROUTE = """(() => {
    // A firewall that lets no direct UDP through, and no TURN server to relay: only relayed ICE
    // candidates are allowed, and there are none.
    const Original = window.RTCPeerConnection;
    window.RTCPeerConnection = function (config) {
        return new Original({...(config || {}), iceTransportPolicy: 'relay'});
    };
    window.RTCPeerConnection.prototype = Original.prototype;
})();"""
PICTURE = """() => {
    // Mean colour of the top rows (grey background under the overlay) and of the bottom rows (the
    // caption band the server draws) of what the <video> shows now.
    const video = document.querySelector('video');
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 48;
    const context = canvas.getContext('2d');
    context.drawImage(video, 0, 0, 64, 48);
    const mean = (top, rows) => {
        const data = context.getImageData(0, top, 64, rows).data;
        const sums = [0, 0, 0];
        for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sums[c] += data[i + c];
        return sums.map((sum) => sum / (data.length / 4));
    };
    return {top: mean(0, 4), bottom: mean(46, 2)};
}"""


@pytest.fixture(scope="module")
def camera_browser(browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A second Chromium, from the session's Playwright, whose camera plays the test clip unasked."""
    clip = build_clip(tmp_path_factory.mktemp("camera") / "clip.y4m")
    camera = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS + camera_flags(clip)
    )
    yield camera
    camera.close()


@pytest.fixture
def camera_page(camera_browser) -> Iterator[object]:
    """A fresh session at a projector's size, collecting JavaScript errors."""
    context = camera_browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    page.set_default_timeout(120_000)
    yield page
    context.close()


def test_the_live_view_follows_the_camera_from_the_cat_to_the_espresso(camera_page, app_url):
    driver.open_page(camera_page, app_url, "live_camera")
    expect(camera_page.get_by_text("needs the app served by")).to_have_count(0)
    camera_page.frame_locator(PLAYER).get_by_role("button", name="Start the live camera").click()
    player = camera_page.locator(PLAYER).element_handle().content_frame()
    player.wait_for_function(PLAYING)
    readout = camera_page.locator(".st-key-live_readout")
    expect(readout).to_contain_text(CAT)
    expect(readout).to_contain_text("Now: espresso")
    expect(readout).to_contain_text(CAT)
    expect(readout.get_by_test_id("stPlotlyChart").first).to_be_visible()  # a rerun may briefly keep a stale copy
    picture = player.evaluate(PICTURE)
    red, green, blue = picture["top"]
    assert blue > red + 20 and blue > green, f"the grey background is tinted by the overlay: {picture}"
    assert max(picture["bottom"]) < 100, f"the server's dark caption band is at the bottom: {picture}"
    explained = int(re.search(r"(\d+) explained", readout.inner_text()).group(1))
    assert explained >= 3
    expect(camera_page.get_by_text("could not connect")).to_have_count(0)
    driver.assert_no_exception(camera_page)
    driver.screenshot(camera_page, "live_camera_playing")
    camera_page.frame_locator(PLAYER).get_by_role("button", name="Stop").click()
    expect(readout).to_contain_text("Start the live camera: the network's top-5 guesses appear here")
    driver.wait_until_idle(camera_page)
    driver.assert_no_exception(camera_page)


def test_where_webrtc_cannot_connect_the_page_points_to_the_snapshot_camera(camera_page, app_url):
    camera_page.context.add_init_script(NO_DIRECT_ROUTE)
    driver.open_page(camera_page, app_url, "live_camera")
    player = camera_page.frame_locator(PLAYER)
    player.get_by_role("button", name="Start the live camera").click()
    expect(camera_page.get_by_text("If it does not start within a few seconds, this network blocks")).to_be_visible()
    player.get_by_role("button", name="Stop").click()
    expect(camera_page.get_by_text("The live video could not connect from this network")).to_be_visible()
    driver.wait_until_idle(camera_page)
    expect(camera_page.get_by_text("No live video? Use a snapshot")).to_be_visible()
    expect(camera_page.locator('[data-testid="stMain"] [data-testid="stPlotlyChart"]')).to_have_count(1)
    driver.assert_no_exception(camera_page)
    driver.screenshot(camera_page, "live_camera_blocked")
