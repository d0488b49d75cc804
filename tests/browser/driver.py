"""Small helpers to drive a Streamlit page in Playwright the way a person would."""

from __future__ import annotations

from pathlib import Path

from explorer.errors import ExplorerError
from explorer.images import load_path

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def wait_until_idle(page, timeout_ms: int = 120_000) -> None:
    """Wait until the script has finished a run (not merely not started) and every widget has rendered.

    Streamlit marks the app 'initial' before the first run, 'running' during one and 'notRunning'
    after; widgets show as skeletons for a moment after the run ends. A short pause first lets a
    click's rerun begin before the state is read.
    """
    page.wait_for_timeout(250)
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') === 'notRunning'
                && app.getAttribute('data-test-connection-state') === 'CONNECTED'
                && !document.querySelector('[data-testid="stSkeleton"]');
        }""",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(300)


def open_page(page, app_url: str, url_path: str = "") -> None:
    """Open one page of the app and wait for it to settle."""
    page.goto(f"{app_url}/{url_path}")
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

    Returns once the app shows the upload: for a usable image, when the sidebar gives its size (the
    upload's rerun can start after a plain idle check has already passed); otherwise once idle.
    """
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Upload", exact=True).click()
    wait_until_idle(page)
    sidebar.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    try:
        width, height = load_path(path).size
    except ExplorerError:
        wait_until_idle(page)
        return
    sidebar.get_by_text(f"{width}x{height} px").wait_for()
    wait_until_idle(page)


def choose_option(page, label: str, option: str) -> None:
    """Open the selectbox called ``label`` and pick ``option`` from its list."""
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_until_idle(page)


def choose_option_containing(page, label: str, text: str) -> None:
    """Type ``text`` into the selectbox called ``label`` (long lists only render what fits) and pick the match."""
    page.get_by_role("combobox", name=label, exact=True).click()
    page.keyboard.type(text)
    page.get_by_role("option").filter(has_text=text).first.click()
    wait_until_idle(page)
