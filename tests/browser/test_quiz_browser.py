"""The Quiz in real Chromium at a projector's 1280x720: answer, reveal, see the verdict and why, move on."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import driver

pytestmark = pytest.mark.browser
WAIT = 120_000


def answer_something(page) -> None:
    """Pick the first choice, or type a number, as a student would."""
    main = page.locator('[data-testid="stMain"]')
    choices = main.get_by_role("radio")
    if choices.count():
        choices.first.check(force=True)  # Streamlit draws its own dot over the hidden input
    else:
        main.get_by_label("Your answer (a number)").fill("7")
        main.get_by_label("Your answer (a number)").press("Enter")
    driver.wait_until_idle(page)


def test_answer_reveal_and_move_on_to_the_next_question(page, app_url):
    page.set_viewport_size({"width": 1280, "height": 720})  # a classroom projector
    driver.open_page(page, app_url, "quiz")
    expect(page.get_by_role("heading", name="Quiz: predict, then reveal")).to_be_visible()
    metrics = page.locator('[data-testid="stMetricValue"]')
    expect(metrics.nth(0)).to_have_text("0 / 0")
    driver.screenshot(page, "quiz_question_1280x720")
    answer_something(page)
    page.get_by_role("button", name="Reveal the answer").click()
    verdict = page.locator('[data-testid="stAlertContainer"]').filter(has_text=re.compile("answer is"))
    expect(verdict).to_be_visible(timeout=WAIT)
    expect(metrics.nth(0)).to_have_text(re.compile(r"^[01] / 1$"), timeout=WAIT)
    expect(page.get_by_role("button", name="Reveal the answer")).to_have_count(0)
    driver.wait_until_idle(page)
    driver.assert_no_exception(page)
    driver.screenshot(page, "quiz_revealed_1280x720")
    page.get_by_role("button", name="Next question").click()
    expect(metrics.nth(1)).to_have_text("2", timeout=WAIT)
    expect(page.get_by_role("button", name="Reveal the answer")).to_be_visible(timeout=WAIT)
    driver.wait_until_idle(page)
    driver.assert_no_exception(page)
