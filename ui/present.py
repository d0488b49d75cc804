"""Presentation mode: the app made readable from the back of a classroom, switched by a toggle or ``?present=1``.

``presentation_mode()`` is called once at the top of every page: it draws the sidebar toggle, keeps the
mode in session state (the URL loses its query parameters on a page switch) and in the URL's ``present``
parameter (other parameters are left alone), and injects the large-text, high-contrast style. Charts
restyle themselves in ``ui.charts`` when ``presenting()`` is true; pages fold their secondary controls
into ``secondary_controls()`` and take high-contrast colour maps from ``colormap_default``.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import streamlit as st

from ui.errors import literal
from ui.links import given_by_link

STATE_KEY = "presentation"
TOGGLE_KEY = "presentation_toggle"
PARAMETER = "present"
ON_VALUES = ("1", "true", "yes", "on")
BODY_PX = 24
"""The smallest text of a page in presentation mode, in CSS pixels (readable across a room at 1280x720)."""
STYLE = f"""<style>
[data-testid="stMain"] {{ font-size: {BODY_PX}px; }}
[data-testid="stMain"] :is(p, li, td, th, label, input, textarea, code, button, span, div[data-baseweb="select"],
  [data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"], [data-testid="stMetricLabel"]) {{
  font-size: {BODY_PX}px; line-height: 1.35;
}}
[data-testid="stMain"] [data-testid="stCaptionContainer"], [data-testid="stMain"] [data-testid="stImageCaption"],
[data-testid="stMain"] [data-testid="stCaptionContainer"] *, [data-testid="stMain"] [data-testid="stImageCaption"] * {{
  color: #111111; opacity: 1; font-size: {BODY_PX}px;
}}
[data-testid="stMain"] [data-testid="stWidgetLabel"] * {{ color: #111111; white-space: normal; overflow: visible; }}
[data-testid="stMain"] th {{ color: #111111; }}
[data-testid="stMain"] [data-testid="stMetric"] :is([data-testid="stMetricValue"], [data-testid="stMetricValue"] *) {{
  font-size: 40px;
}}
[data-testid="stMain"] [data-testid="stMarkdownContainer"] :is(h1, h1 *) {{ font-size: 48px; }}
[data-testid="stMain"] [data-testid="stMarkdownContainer"] :is(h2, h2 *) {{ font-size: 38px; }}
[data-testid="stMain"] [data-testid="stMarkdownContainer"] :is(h3, h3 *) {{ font-size: 32px; }}
[data-testid="stMain"] pre, [data-testid="stMain"] pre code {{ white-space: pre-wrap; overflow-wrap: anywhere; }}
[data-testid="stMain"] [data-testid="stMainBlockContainer"] {{ padding: 2.5rem 1.5rem 3rem 1.5rem; max-width: 100%; }}
</style>"""
"""Scoped to the main area (the sidebar keeps its size): body text, captions in near-black, widget labels
that wrap instead of ending in an ellipsis, code that wraps instead of scrolling sideways, metric values,
headings, and the page's margins narrowed."""
MAIN_KEYS = ("PageUp", "PageDown")
"""Previous / next of a page's main sequence (a presenter remote's buttons): layer, preset, left class."""
SECOND_KEYS = ("Left", "Right")
"""Previous / next of a page's second sequence: the step-by-step cell, the right panel's class."""


def _on(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ON_VALUES


def _flip() -> None:
    st.session_state[STATE_KEY] = bool(st.session_state[TOGGLE_KEY])
    _write_url(st.session_state[STATE_KEY])


def _write_url(on: bool) -> None:
    if on and st.query_params.get(PARAMETER) != "1":
        st.query_params[PARAMETER] = "1"
    elif not on and PARAMETER in st.query_params:
        del st.query_params[PARAMETER]


def presenting() -> bool:
    """Whether this session shows the app in presentation mode (the URL's ``present`` wins when it is there)."""
    parameter = st.query_params.get(PARAMETER)
    if parameter is not None:
        st.session_state[STATE_KEY] = _on(parameter)
    return bool(st.session_state.get(STATE_KEY, False))


def sidebar_state() -> str:
    """The sidebar's state for ``st.set_page_config`` in the router: collapsed while presenting."""
    return "collapsed" if presenting() else "auto"


def presentation_mode() -> bool:
    """Draw the sidebar toggle, keep the URL's ``present`` in step with it, inject the style; return the mode."""
    on = presenting()
    st.session_state[TOGGLE_KEY] = on
    st.sidebar.toggle(
        "Presentation mode",
        key=TOGGLE_KEY,
        on_change=_flip,
        help="Large text and charts for a projector, the sidebar folded away, PageDown / PageUp to step.",
    )
    _write_url(on)
    if on:
        st.html(STYLE)
    return on


def secondary_controls() -> AbstractContextManager:
    """Where a page's secondary controls go: folded into "More settings" while presenting, inline otherwise."""
    return st.expander("More settings", icon=":material/tune:") if presenting() else st.container()


def colormap_default(key: str, usual: str, presented: str = "viridis") -> None:
    """Give the colour-map widget ``key`` its default: ``presented`` (high contrast) while presenting, else
    ``usual``; once the student picks a map (``mark_chosen``), that choice stays in both modes."""
    current = st.session_state.get(key)
    if current is not None and (current not in (usual, presented) or given_by_link(key)):
        st.session_state[f"{key}_chosen"] = True  # the student's pick, or the link's
    if current is None or not st.session_state.get(f"{key}_chosen"):
        st.session_state[key] = presented if presenting() else usual
        st.session_state[f"{key}_chosen"] = False


def mark_chosen(key: str) -> None:
    """A colour-map widget's on_change: the student's pick now wins over the mode's default."""
    st.session_state[f"{key}_chosen"] = True


def data_table(rows: list[dict], height: int | None = None, **options: Any) -> None:
    """A table of ``rows``: Streamlit's interactive grid normally; while presenting an HTML table (its text
    takes the 24 px style, which the grid's canvas cannot), whole numbers with thousands separators, text
    that may wrap after a dot, escaped (an HTML table reads its cells as Markdown: a lone "-" would become a
    bullet), scrolling inside a taller box when ``height`` is given."""
    if not presenting():
        st.dataframe(rows, height="auto" if height is None else height, **options)
        return
    shown = [{name: _cell(value) for name, value in row.items()} for row in rows]
    st.table(shown, hide_index=True, height="content" if height is None else height + 200)


BREAK = "\u200b"
"""A zero-width space: after each dot of a layer's name (``_blocks.0._depthwise_conv``) the line may wrap."""


def _cell(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return value
    return f"{value:,}" if isinstance(value, int) else literal(value.replace(".", "." + BREAK))
