"""Text a user typed comes back in messages as the characters typed: never bold, links, maths or images.

``ui.errors.literal`` escapes a sentence for Streamlit's Markdown; these tests check the escaping by
CommonMark's own rule (a backslash before ASCII punctuation stands for that character) and through the
real app. tests/browser/test_injection_browser.py checks what Chromium actually draws and fetches.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from explorer.errors import ExplorerError
from tests.app.conftest import bare_markdown, open_page, read_back
from ui.errors import literal

HOSTILE = [
    "**bold** __also__ *it* _it_ ~~struck~~",
    "[link](http://127.0.0.1:9/link) ![picture](http://127.0.0.1:9/picture.png)",
    "<img src=http://127.0.0.1:9/html.png> &amp; &#60;",
    "$x^2$ $$\\frac{1}{2}$$ `code` ```fence```",
    ":red[red] :material/home: :smile: http://127.0.0.1:9/auto www.example.com someone@example.com",
    "# heading",
    "> quote",
    "- item",
    "+ item",
    "12. numbered",
    "a | table | row",
    "back\\slash \\*not bold\\*",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_reads_back_as_exactly_what_was_typed(text):
    assert read_back(literal(text)) == text


@pytest.mark.parametrize("text", HOSTILE)
def test_nothing_markdown_reads_is_left_unescaped(text):
    bare = bare_markdown(literal(text))
    assert not re.search(r"[\\`*_~\[\]<>&$|@]", bare), bare
    assert not re.search(r":[A-Za-z/]|://|www\.", bare, re.IGNORECASE), bare
    assert not re.match(r"\s*(\d+[.)]|[#>+=-])", bare)


def test_addresses_are_shown_as_code_where_no_automatic_link_reaches():
    assert literal("see http://127.0.0.1:9/x.png, www.example.com or a@b.org") == (
        "see `http://127.0.0.1:9/x.png,` `www.example.com` or `a@b.org`"
    )


def test_control_characters_become_spaces_so_a_message_stays_one_line():
    assert literal("one\ntwo\r\nthree\x1b[31m") == "one two three \\[31m"


def test_an_ordinary_sentence_is_left_as_it_is():
    sentence = "The file is empty: please choose a photo (PNG, JPEG, WebP, GIF, BMP or TIFF)."
    assert literal(sentence) == sentence


ECHO_SCRIPT = """
import streamlit as st
from explorer.errors import ExplorerError
from ui.errors import user_errors

typed = st.text_input("Class", key="typed")
with user_errors():
    if typed:
        raise ExplorerError(f"There is no class called '{typed}'.")
st.write("still working")
"""


@pytest.mark.parametrize("text", HOSTILE[:5])
def test_the_error_display_shows_typed_text_literally_and_stops_the_page(text):
    at = AppTest.from_string(ECHO_SCRIPT).run()
    at.text_input(key="typed").input(text).run()
    assert not at.exception
    assert [error.value for error in at.error] == [literal(str(ExplorerError(f"There is no class called '{text}'.")))]
    at.text_input(key="typed").input("").run()
    assert not at.error and at.markdown[0].value == "still working"


def test_a_kernel_token_is_echoed_literally_on_the_kernel_lab():
    token = "**x**[y](http://a/y)$z$"  # short enough to be quoted whole
    lab = open_page("views/kernel_lab.py")
    lab.radio(key="kl_source").set_value("Type numbers").run()
    lab.text_area(key="kl_text").input(f"1 0 -1; 2 {token} -2; 1 0 -1").run()
    assert not lab.exception
    message = lab.error[0].value
    assert literal(f"'{token}'") in message and read_back(message).count(token) == 1
