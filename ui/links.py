"""A view is a link: each page's settings live in the URL's query parameters, and the link can be shared.

A page declares its linked widgets once (a table of ``Link``s, see ``ui.page_links``) and calls
``sync_page_state`` before drawing them. On the page's first run in a session, or whenever the URL
names a value this session did not write, the URL's values go into ``st.session_state`` (a bad value
is ignored, never a traceback); then the current values go back into the URL, only those that differ
from the default, so links stay short. Streamlit clears the query parameters on a page switch, so each
page's last parameters are remembered in the session and come back when the page is opened again.
Parameters the page does not own (``present``, ``sample``, ``photo``) are never dropped here.

The defaults live in the link table, not in the widgets (a widget given both a default and a
session-state value makes Streamlit warn), so linked widgets are drawn without ``value=`` / ``index=``.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import segno
import streamlit as st

_REMEMBERED_KEY = "links_remembered"
_TAKEN_KEY = "links_taken"
_GIVEN_KEY = "links_given"
MAX_TEXT = 2000
"""The longest typed text (a custom kernel) a link may carry."""
QR_WIDTH = 480
"""Pixels the QR code is drawn at: about 7 px a module for a 250-character link, and the whole dialog fits
a 1280x720 projector window."""


@dataclass(frozen=True)
class Link:
    """One widget's value in the URL: its session-state ``key``, its URL ``param``, its ``default`` (None:
    the page chooses it; then the value is written whenever the page has one) and how to read and write it."""

    key: str
    param: str
    default: object
    parse: Callable[[str], object]
    text: Callable[[object], str] = str


def choice(key: str, param: str, options: Sequence[object], default: object = None) -> Link:
    """A value from a fixed list (radio, selectbox): the URL names it; anything else is ignored."""
    by_text = {str(option): option for option in options}
    return Link(key, param, default, by_text.__getitem__)


def choices(key: str, param: str, options: Sequence[str], default: Sequence[str]) -> Link:
    """Several values from a fixed list (multiselect), comma-separated in the URL."""

    def parse(text: str) -> list[str]:
        picked = list(dict.fromkeys(part for part in text.split(",") if part))
        if not picked or any(part not in options for part in picked):
            raise ValueError(text)
        return picked

    return Link(key, param, list(default), parse, lambda value: ",".join(map(str, value)))  # type: ignore[call-overload]


def integer(key: str, param: str, low: int, high: int, default: int | None = None) -> Link:
    """A whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise ValueError(text)
        return value

    return Link(key, param, default, parse)


def number(key: str, param: str, low: float, high: float, default: float) -> Link:
    """A decimal number from ``low`` to ``high`` (a slider)."""

    def parse(text: str) -> float:
        value = float(text)
        if not (math.isfinite(value) and low <= value <= high):
            raise ValueError(text)
        return value

    return Link(key, param, default, parse, lambda value: format(value, "g"))


def flag(key: str, param: str, default: bool) -> Link:
    """A checkbox: 1 or 0 in the URL."""
    return Link(key, param, default, {"1": True, "0": False}.__getitem__, lambda value: "1" if value else "0")


def text(key: str, param: str, default: str) -> Link:
    """Typed text (a custom kernel), at most ``MAX_TEXT`` characters; the page parses it as it parses typing."""

    def parse(value: str) -> str:
        if len(value) > MAX_TEXT:
            raise ValueError("too long")
        return value

    return Link(key, param, default, parse)


def name(key: str, param: str, default: str | None = None) -> Link:
    """A name whose choices only the page knows (a layer): the widget itself refuses one it does not offer."""
    return Link(key, param, default, parse=lambda value: value[:200])


def sync_page_state(page: str, links: Sequence[Link]) -> None:
    """Copy the URL's new values into the session, then write the session's values into the URL.

    Call it at the top of ``page`` before its linked widgets are drawn."""
    remembered: dict[str, dict[str, str]] = st.session_state.setdefault(_REMEMBERED_KEY, {})
    before = remembered.get(page, {})
    for link in links:
        given = st.query_params.get(link.param)
        known = given if given is not None else before.get(link.param)
        if given is not None and given != before.get(link.param):
            if _apply(link, given):
                st.session_state.setdefault(_GIVEN_KEY, set()).add(link.key)
        elif link.key not in st.session_state and known is not None:  # Streamlit dropped the widget's state
            _apply(link, known)
        if link.default is not None:
            st.session_state.setdefault(link.key, link.default)
        if link.key in st.session_state:
            st.session_state[link.key] = st.session_state[link.key]
    write_links(page, links)


def write_links(page: str, links: Sequence[Link]) -> None:
    """Write each link's current value into the URL (taken out when it is the default) and remember it for
    ``page``. A page whose choices are reset further down its run (a new photo) calls it again after that."""
    written = {}
    for link in links:
        value = st.session_state.get(link.key)
        if value is None or value == link.default:
            if link.param in st.query_params:
                del st.query_params[link.param]
            continue
        written[link.param] = link.text(value)
        if st.query_params.get(link.param) != written[link.param]:
            st.query_params[link.param] = written[link.param]
    st.session_state.setdefault(_REMEMBERED_KEY, {})[page] = written


def newly_linked(key: str, widget: str) -> str | None:
    """The text a link put under ``key`` that the page's ``widget`` has not taken yet; None otherwise.

    For a linked value that seeds widgets rather than being one (the step-by-step place, a typed stack):
    the page moves its widgets to it when this returns it, and calls ``keep_linked`` when the student's
    own change becomes the linked value, so it is not taken back. When ``widget`` has no state (the page's
    first run, or a return from another page, after which Streamlit has dropped it), the value is given
    again."""
    given = str(st.session_state.get(key) or "")
    taken: dict[str, str] = st.session_state.setdefault(_TAKEN_KEY, {})
    if not given or (taken.get(key) == given and widget in st.session_state):
        return None
    taken[key] = given
    return given


def keep_linked(key: str, value: str) -> None:
    """Put ``value`` (the page's own) under ``key`` for the link, as already taken by the page."""
    st.session_state[key] = value
    st.session_state.setdefault(_TAKEN_KEY, {})[key] = value


def _apply(link: Link, given: str) -> bool:
    """Put a URL value into the session if it reads as a valid value (True); a bad one is ignored."""
    try:
        st.session_state[link.key] = link.parse(given)
    except (ValueError, KeyError, TypeError):
        return False
    return True


def given_by_link(key: str) -> bool:
    """Whether the value under ``key`` came from a link someone opened (not from this session's own
    choices): a page's mode-dependent default (``ui.present.colormap_default``) must not replace it."""
    return key in st.session_state.get(_GIVEN_KEY, ())


def current_url() -> str:
    """The full URL of this view: the browser's address (``st.context.url``; without it, built from the
    request's Host and X-Forwarded-Proto headers) with the current query parameters."""
    base = st.context.url
    if not base:
        headers = st.context.headers
        host = headers.get("Host", "localhost:8501")
        base = f"{headers.get('X-Forwarded-Proto', 'http')}://{host}/"
    query = urlencode(st.query_params.to_dict())
    return f"{base}?{query}" if query else base


def qr_png(url: str) -> bytes:
    """A QR code of ``url`` as a PNG (medium error correction, black on white, the standard quiet zone)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=12, border=4)
    return buffer.getvalue()


@st.dialog("Share this view", width="large")
def share_dialog() -> None:
    """A QR code large enough to scan from the back of a room, beside the link and its copy button."""
    url = current_url()
    code, words = st.columns([3, 2], vertical_alignment="center")
    code.image(qr_png(url), width=QR_WIDTH, caption="Scan to open this view")
    words.markdown(
        "Whoever opens this link on this server sees this page with this photo and these settings. "
        "The button at the right of the link copies it."
    )
    words.code(url, language=None, wrap_lines=True)


def share_button() -> None:
    """The sidebar's "Copy link to this view" button: it opens the link and its QR code."""
    if st.sidebar.button("Copy link to this view", icon=":material/share:", key="links_share", width="stretch"):
        share_dialog()
