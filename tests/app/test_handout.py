"""The Home page's lesson hand-out (Streamlit AppTest): one download button, named for the photo, that
costs nothing until it is clicked. Clicking it for real is tested in Chromium (tests/browser)."""

from __future__ import annotations

from tests.app.conftest import open_page


def download(at):
    (button,) = at.get("download_button")
    return button


def test_home_offers_the_lesson_as_one_download_button(forwards):
    at = open_page()
    assert not at.exception
    assert "Download the lesson hand-out (PDF)" in [header.value for header in at.subheader]
    button = download(at)
    assert button.label == "Download the lesson hand-out (PDF)" and button.key == "home_lesson"
    assert button.proto.deferred_file_id, "the PDF is made when the button is clicked, not before"
    assert any("5-page PDF" in caption.value and "EfficientNet-Lite0" in caption.value for caption in at.caption)
    assert forwards == [], "drawing the Home page runs no network"
