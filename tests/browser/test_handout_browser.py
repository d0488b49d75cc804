"""The lesson hand-out in real Chromium: one click on Home downloads a PDF of every page of the lesson."""

from __future__ import annotations

import pytest

from explorer.handout.pdf import PAGE_TITLES
from tests.browser import driver
from tests.handout.pages import ink, pdf_pages

pytestmark = pytest.mark.browser


def test_one_click_on_home_downloads_the_lesson_pdf(page, app_url, tmp_path):
    driver.open_page(page, app_url)
    button = page.get_by_role("button", name="Download the lesson hand-out (PDF)")
    button.scroll_into_view_if_needed()
    driver.screenshot(page, "home_lesson_download")
    with page.expect_download(timeout=300_000) as started:
        button.click()
    download = started.value
    assert download.suggested_filename.startswith("cnn-lesson-efficientnet_lite0-")
    assert download.suggested_filename.endswith(".pdf")
    saved = tmp_path / "lesson.pdf"
    download.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF")
    pages = pdf_pages(data)
    assert len(pages) == len(PAGE_TITLES) and all(ink(page) > 0.05 for page in pages)
    driver.assert_no_exception(page)
