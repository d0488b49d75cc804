"""How the app shows a problem the user can fix: one red sentence, never a traceback."""

from __future__ import annotations

import contextlib
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
