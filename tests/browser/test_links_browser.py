"""A view is a link, in real Chromium: settings and an uploaded photo travel in the copied link to a new
browser; the share dialog's QR code is large; "Export this view" downloads a print-resolution PNG."""

from __future__ import annotations

import io
import re

import cv2
import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser import driver

pytestmark = pytest.mark.browser


def striped_photo(path) -> tuple[int, int]:
    """A photo no sample looks like: diagonal colour stripes, 300x200."""
    rows, cols = np.mgrid[0:200, 0:300]
    pixels = np.stack([(rows + cols) % 64 * 4, cols % 255, rows % 255], axis=-1).astype(np.uint8)
    Image.fromarray(pixels).save(path)
    return 300, 200


def copy_the_link(page) -> str:
    """Open the share dialog, check its QR code is large, press the code block's copy button; the clipboard's text."""
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Copy link to this view").click()
    dialog = page.get_by_role("dialog")
    qr = dialog.get_by_role("img").first
    expect(qr).to_be_visible(timeout=60_000)
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 300 and box["height"] >= 300
    scanned = np.array(Image.open(io.BytesIO(qr.screenshot())).convert("L"))
    code = dialog.locator('[data-testid="stCode"]')
    code.hover()
    code.get_by_role("button", name="Copy to clipboard").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == code.inner_text().strip()
    assert cv2.QRCodeDetector().detectAndDecode(scanned)[0] == copied, "the QR code as drawn scans to the link"
    return copied


def test_a_copied_link_opens_the_same_photo_and_settings_in_a_new_browser(browser, app_url, tmp_path):
    teacher = browser.new_context(
        viewport={"width": 1440, "height": 900}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = teacher.new_page()
    page.set_default_timeout(60_000)
    photo = tmp_path / "stripes.png"
    width, height = striped_photo(photo)
    try:
        driver.open_page(page, app_url, "kernel_lab")
        driver.upload_photo(page, photo)
        stride = page.get_by_role("spinbutton", name="Stride S")
        stride.fill("2")
        stride.press("Enter")
        expect(page.get_by_text("stride S = 2").first).to_be_visible()
        driver.wait_until_idle(page)
        driver.choose_option(page, "Preset", "box blur")
        page.get_by_text("Convolution (flips the kernel)").click()
        expect(page).to_have_url(re.compile(r"operation=conv"))
        driver.wait_until_idle(page)
        link = copy_the_link(page)
        driver.screenshot(page, "links_share_dialog")
        assert "photo=" in link and "stride=2" in link and "preset=box_blur" in link and "sample=" not in link
    finally:
        teacher.close()
    student = browser.new_context(viewport={"width": 1280, "height": 720})
    page = student.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(link)
        sidebar = page.locator('[data-testid="stSidebar"]')
        expect(sidebar.get_by_text("Photo from a shared link")).to_be_visible(timeout=120_000)
        expect(sidebar.get_by_text(f"{width}x{height} px")).to_be_visible()
        expect(page.get_by_role("spinbutton", name="Stride S")).to_have_value("2")
        driver.shows(page, "Preset", "box blur")
        expect(page.get_by_role("radio", name="Convolution (flips the kernel)")).to_be_checked()
        driver.wait_until_idle(page)
        driver.screenshot(page, "links_opened_in_a_new_browser")
        driver.assert_no_exception(page)
    finally:
        student.close()


def test_export_this_view_downloads_a_print_resolution_png(page, app_url):
    driver.open_page(page, app_url, "kernel_lab")
    button = page.get_by_role("button", name="Export this view (PNG)")
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=300_000) as started:
        button.click()
    sheet = Image.open(io.BytesIO(started.value.path().read_bytes()))
    assert sheet.format == "PNG" and sheet.width >= 3000
    assert round(sheet.info["dpi"][0]) == 300
    driver.assert_no_exception(page)
