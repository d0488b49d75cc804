"""Previous / Next buttons, the one way every page steps through a sequence (layers, cells, classes)."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.delta_generator import DeltaGenerator


def step_buttons(
    back: DeltaGenerator, forward: DeltaGenerator, key: str, move: Callable[[int], None], at_first: bool, at_last: bool
) -> None:
    """Draw Previous in ``back`` and Next in ``forward``; they call ``move(-1)`` / ``move(+1)`` before the rerun.

    Their keys are ``<key>_previous`` and ``<key>_next``; each is disabled at its end of the sequence.
    """
    back.button(
        "Previous",
        icon=":material/arrow_back:",
        on_click=move,
        args=(-1,),
        key=f"{key}_previous",
        disabled=at_first,
        width="stretch",
    )
    forward.button(
        "Next",
        icon=":material/arrow_forward:",
        on_click=move,
        args=(1,),
        key=f"{key}_next",
        disabled=at_last,
        width="stretch",
    )
