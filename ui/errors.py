"""How the app shows a problem the user can fix: one red sentence, never a traceback, never user Markdown.

An ExplorerError's sentence is plain text (the command line prints it as it is), and it may echo what a
user typed: a kernel token, a class name, a file name. Streamlit renders every message as Markdown, so the
sentence is escaped first: bold, links, LaTeX, HTML and remote images in it show as the characters typed.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import streamlit as st

from explorer.errors import ExplorerError

_ADDRESS = re.compile(r"\S*(?:://|www\.|@)\S*", re.IGNORECASE)
"""A word holding a web or e-mail address: GitHub Markdown links these even when escaped, so they go in code."""
_ALWAYS = re.compile(r"([\\`*_~\[\]<>&$|@])")
"""Characters that start Markdown mid-line: escapes, code, emphasis, strike-through, links and images,
HTML and autolinks, entities, LaTeX maths, tables."""
_NAMED = re.compile(r":(?=[A-Za-z/])")
"""A colon before a name: ``:red[...]`` colours, ``:smile:`` emoji, ``:material/...:`` icons."""
_LINE_START = re.compile(r"^(\s*\d*)([#>+=.)-])")
"""What makes a heading, quote, list or numbered list (``1.``) at the start of a line."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def literal(text: str) -> str:
    """``text`` as Markdown that renders exactly as written, on one line (control characters become spaces).

    A backslash before an ASCII punctuation character makes it literal in CommonMark and in Streamlit's
    Markdown (LaTeX ``$``, ``:red[...]`` colours); only the characters that could mean something are
    escaped, so an ordinary sentence reads the same in the source. A word with a web or e-mail address in
    it becomes inline code, the one place GitHub's automatic links do not reach.
    """
    flat = _CONTROL.sub(" ", text)
    pieces, start = [], 0
    for match in _ADDRESS.finditer(flat):
        pieces += [_escaped(flat[start : match.start()]), _code(match.group())]
        start = match.end()
    pieces.append(_escaped(flat[start:]))
    return _LINE_START.sub(r"\1\\\2", "".join(pieces))


def _escaped(text: str) -> str:
    return _NAMED.sub(r"\\:", _ALWAYS.sub(r"\\\1", text))


def _code(word: str) -> str:
    """``word`` as an inline code span: a fence of more backticks than any run inside it."""
    fence = "`" * (1 + max((len(run) for run in re.findall(r"`+", word)), default=0))
    padding = " " if word.startswith("`") or word.endswith("`") else ""
    return f"{fence}{padding}{word}{padding}{fence}"


def show_error(error: ExplorerError | str, icon: str = ":material/error:") -> None:
    """One red sentence, shown literally (see ``literal``)."""
    st.error(literal(str(error)), icon=icon)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Show an ExplorerError as a red sentence and stop the page; never a traceback."""
    try:
        yield
    except ExplorerError as error:
        show_error(error)
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
