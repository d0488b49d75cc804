"""Small helpers to drive a Streamlit page in Playwright the way a person would, waiting for conditions.

No fixed pauses: an action is followed by a wait for what it should bring about (a text, a value, a
heading) with Playwright's auto-waiting ``expect``, then for the app to be idle again: Streamlit marks
the app 'running' during a script run and 'notRunning' after, and widgets show skeletons until drawn.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from explorer.errors import ExplorerError
from explorer.images import load_path

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
IDLE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && app.getAttribute('data-test-connection-state') === 'CONNECTED'
        && !document.querySelector('[data-testid="stSkeleton"]');
}"""


def wait_until_idle(page, timeout_ms: int = 120_000) -> None:
    """Wait until no script run is in progress and every widget has rendered.

    Call it after waiting for something the run produces: right after a click the app may still read
    'notRunning' because the rerun has not begun.
    """
    page.wait_for_function(IDLE, timeout=timeout_ms)


def open_page(page, app_url: str, url_path: str = "") -> None:
    """Open one page of the app and wait until its title is drawn and its first run has finished."""
    page.goto(f"{app_url}/{url_path}")
    expect(page.locator('[data-testid="stMain"] h1').first).to_be_visible(timeout=120_000)
    wait_until_idle(page)


def follow_link(page, title: str) -> None:
    """Click the sidebar menu link ``title`` and wait for that page's heading and its run to finish."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=120_000)
    wait_until_idle(page)


def assert_no_exception(page) -> None:
    """No Python exception box on the page and no JavaScript error in the browser."""
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.first.inner_text()
    assert not getattr(page, "js_errors", []), page.js_errors


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots and return its path."""
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def upload_photo(page, path: Path | str) -> None:
    """Switch the sidebar source to Upload and hand ``path`` to the file uploader, as a person would.

    Returns once the app shows the upload: for a usable image, when the sidebar gives its size; for a
    file that is not one, when the page shows its red sentence.
    """
    sidebar = page.locator('[data-testid="stSidebar"]')
    hand_file(page, sidebar, path)
    try:
        width, height = load_path(path).size
    except ExplorerError:
        expect(page.locator('[data-testid="stAlertContentError"]').first).to_be_visible(timeout=60_000)
    else:
        expect(sidebar.get_by_text(f"{width}x{height} px")).to_be_visible(timeout=120_000)
    wait_until_idle(page)


def hand_file(page, region, path: Path | str) -> None:
    """In ``region`` (the sidebar or the main area), choose the source "Upload" and give its file
    uploader ``path``; the caller waits for what the upload should bring about."""
    region.get_by_text("Upload", exact=True).click()
    chooser = region.locator('[data-testid="stFileUploader"] input[type="file"]')
    expect(chooser).to_be_attached(timeout=60_000)
    wait_until_idle(page)
    chooser.set_input_files(str(path))


def shows(page, label: str, text: str) -> None:
    """Wait until the selectbox called ``label`` shows a value containing ``text`` (its input's value)."""
    expect(page.get_by_role("combobox", name=label, exact=True)).to_have_value(re.compile(re.escape(text)))


def choose_option(page, label: str, option: str, tries: int = 3) -> None:
    """Open the selectbox called ``label``, pick ``option``, and wait until the app has redrawn with it.

    The box must then show exactly ``option`` ("sobel" is not "sobel x"). A rerun still under way can
    redraw the box while its list is open and swallow the click, as a person would see: pick again."""
    box = page.get_by_role("combobox", name=label, exact=True)
    for attempt in range(tries):
        box.click()
        page.get_by_role("option", name=option, exact=True).click()
        try:
            expect(box).to_have_value(option, timeout=15_000)
            break
        except AssertionError:
            if attempt == tries - 1:
                raise
            page.keyboard.press("Escape")
            wait_until_idle(page)
    wait_until_idle(page)


def choose_option_containing(page, label: str, text: str) -> None:
    """Type ``text`` into the selectbox called ``label`` (long lists only render what fits) and pick the match."""
    page.get_by_role("combobox", name=label, exact=True).click()
    page.keyboard.type(text)
    page.get_by_role("option").filter(has_text=text).first.click()
    shows(page, label, text.strip())
    wait_until_idle(page)
