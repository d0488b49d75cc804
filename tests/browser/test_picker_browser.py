"""The image picker in a real browser: an upload stays chosen across pages; a bad file is one sentence."""

import pytest
from playwright.sync_api import expect

from explorer.images import SAMPLES_DIR
from tests.browser import driver

pytestmark = pytest.mark.browser


def test_uploaded_photo_stays_chosen_on_another_page(page, app_url):
    driver.open_page(page, app_url)
    driver.upload_photo(page, SAMPLES_DIR / "coffee.png")
    driver.follow_link(page, "Architecture")
    expect(page.get_by_text("600x400 px")).to_be_visible()
    driver.assert_no_exception(page)


def test_a_file_that_is_not_an_image_gets_one_sentence(page, app_url, tmp_path):
    fake = tmp_path / "homework.png"
    fake.write_bytes(b"this is my homework, not a photo")
    driver.open_page(page, app_url)
    driver.upload_photo(page, fake)
    expect(page.get_by_text("This file is not an image we can read").first).to_be_visible()
    driver.assert_no_exception(page)
    driver.screenshot(page, "picker_bad_file")
