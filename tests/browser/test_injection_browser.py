"""In Chromium: Markdown typed into the app comes back as plain characters, and nothing is fetched from it.

A kernel token carrying bold, a link, an image, LaTeX, raw HTML and a bare address, each pointing at a
local server that records every request, is typed into the Kernel lab. The red sentence must show the
token exactly as typed, hold no link, picture, bold or maths, and the browser must ask that server for nothing.
"""

from __future__ import annotations

import http.server
import threading

import pytest
from playwright.sync_api import expect

from tests.browser import driver
from tests.local_servers import serve

pytestmark = pytest.mark.browser


def test_markdown_in_a_kernel_token_is_shown_as_typed_and_fetches_nothing(page, app_url):
    requests: list[str] = []
    lock = threading.Lock()

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with lock:
                requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    with serve(Recorder) as trap:
        tokens = [  # each short enough to be quoted whole in the message
            f"**bold**[link]({trap}/link)",
            f"![pic]({trap}/pic.png)",
            f"<img/src={trap}/html.png>",
            f"$x^2$:red[red]{trap}/bare.png",
        ]
        assert all(len(token) <= 48 for token in tokens), tokens
        driver.open_page(page, app_url)
        driver.follow_link(page, "Kernel lab")
        page.get_by_text("Type numbers", exact=True).click()
        box = page.locator('[data-testid="stTextArea"] textarea')
        expect(box).to_be_visible()
        driver.wait_until_idle(page)
        for token in tokens:
            box.fill(f"1 0 -1; 2 {token} -2; 1 0 -1")
            box.press("Control+Enter")
            alert = page.locator('[data-testid="stAlertContentError"]').filter(has_text="is not a number")
            expect(alert).to_contain_text(f"'{token}' is not a number")
            driver.wait_until_idle(page)
            assert alert.locator("a, img, strong, em, del, .katex, span[style*='color']").count() == 0
        driver.assert_no_exception(page)
        page.wait_for_load_state("networkidle")  # anything the page would load, it has asked for by now
        driver.screenshot(page, "kernel_lab_injection")
    assert requests == [], "the browser fetched an address typed into a kernel"
