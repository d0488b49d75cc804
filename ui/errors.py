"""How the app shows a problem the user can fix: one red sentence, never a traceback."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import streamlit as st

from explorer.errors import ExplorerError


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Show an ExplorerError as a red sentence and stop the page; never a traceback."""
    try:
        yield
    except ExplorerError as error:
        st.error(str(error), icon=":material/error:")
        st.stop()


def literal_markdown(text: str) -> str:
    """``text`` escaped so that Streamlit's Markdown shows it exactly as typed: no bold, links, images,
    LaTeX, icons or colours. Every ASCII punctuation mark gets a backslash (CommonMark's escape); a word
    joiner (U+2060, invisible) after ':' and '@' and inside 'www.' stops Streamlit's icon shortcodes and
    GitHub's bare-link detection, which backslashes do not reach."""
    escaped = re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)
    escaped = re.sub(r"(?i)(w)(ww\\\.)", "\\1\u2060\\2", escaped)
    return escaped.replace(":", ":\u2060").replace("@", "@\u2060")


@contextlib.contextmanager
def literal_user_errors() -> Iterator[None]:
    """Like ``user_errors``, for messages that may quote what the user typed (kernel numbers, calculator
    lines): the sentence is shown literally, never interpreted as Markdown."""
    with user_errors():
        try:
            yield
        except ExplorerError as error:
            raise ExplorerError(literal_markdown(str(error))) from error
