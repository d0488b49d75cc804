"""The image picker in a real browser: an upload stays chosen across pages; a bad file is one sentence."""

from pathlib import Path

import pytest

from tests.browser.driver import assert_no_exception, open_page, screenshot, upload_photo, wait_until_idle

pytestmark = pytest.mark.browser
SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "samples"


def test_uploaded_photo_stays_chosen_on_another_page(page, app_url):
    open_page(page, app_url)
    upload_photo(page, SAMPLES / "coffee.png")
    page.get_by_text("600x400 px").wait_for()
    page.get_by_role("link", name="Architecture").click()
    wait_until_idle(page)
    page.get_by_text("600x400 px").wait_for()
    assert_no_exception(page)


def test_a_file_that_is_not_an_image_gets_one_sentence(page, app_url, tmp_path):
    fake = tmp_path / "homework.png"
    fake.write_bytes(b"this is my homework, not a photo")
    open_page(page, app_url)
    upload_photo(page, fake)
    page.get_by_text("This file is not an image we can read").first.wait_for()
    assert_no_exception(page)
    screenshot(page, "picker_bad_file")
