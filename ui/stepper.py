"""Previous / Next buttons, the one way every page steps through a sequence (layers, cells, classes, presets).

Each pair owns two keys, so a presenter remote (which sends PageDown / PageUp, or the arrow keys) steps it.
One page never gives a key to two pairs: its main sequence takes ``MAIN_KEYS`` (PageUp / PageDown: the
layer on Feature maps, the preset in the Kernel lab, the left class in the Grad-CAM studio), a second
sequence ``SECOND_KEYS`` (Left / Right: the step-by-step cell, the right class).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ui.present import MAIN_KEYS, SECOND_KEYS

KEY_NAMES = {"PageUp": "PageUp", "PageDown": "PageDown", "Left": "←", "Right": "→", "Up": "↑", "Down": "↓"}

__all__ = ["MAIN_KEYS", "SECOND_KEYS", "key_legend", "mover", "step_buttons"]


def mover(key: str, options: Sequence[Any]) -> Callable[[int], None]:
    """A ``move`` for ``step_buttons``: walks the widget ``key``'s value through ``options``, stopping at the ends."""

    def move(offset: int) -> None:
        position = list(options).index(st.session_state[key]) + offset
        st.session_state[key] = options[max(0, min(len(options) - 1, position))]

    return move


def key_legend(keys: tuple[str, str], what: str) -> str:
    """The on-screen line that says which keys step what, e.g. "PageDown / PageUp: next / previous layer"."""
    back, forward = (KEY_NAMES.get(key, key) for key in keys)
    return f":material/keyboard: {forward} / {back}: next / previous {what}"


def step_buttons(
    back: DeltaGenerator,
    forward: DeltaGenerator,
    key: str,
    move: Callable[[int], None],
    at_first: bool,
    at_last: bool,
    keys: tuple[str, str] = MAIN_KEYS,
    what: str | None = None,
    legend: DeltaGenerator | None = None,
) -> None:
    """Draw Previous in ``back`` and Next in ``forward``; they call ``move(-1)`` / ``move(+1)`` before the rerun.

    Their keys are ``<key>_previous`` and ``<key>_next``; each is disabled at its end of the sequence.
    ``keys`` are the keyboard shortcuts of (Previous, Next); with ``what`` (e.g. "layer") the key legend
    is written in ``legend`` (by default under ``forward``).
    """
    back.button(
        "Previous",
        icon=":material/arrow_back:",
        on_click=move,
        args=(-1,),
        key=f"{key}_previous",
        disabled=at_first,
        width="stretch",
        shortcut=keys[0],
        wrap=True,
    )
    forward.button(
        "Next",
        icon=":material/arrow_forward:",
        on_click=move,
        args=(1,),
        key=f"{key}_next",
        disabled=at_last,
        width="stretch",
        shortcut=keys[1],
        wrap=True,
    )
    if what is not None:
        (legend or forward).caption(key_legend(keys, what))
