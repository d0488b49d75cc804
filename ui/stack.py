"""Stack-calculator glue for the Architecture page: the ready-made menu, the table rows and the sentences
that read the numbers (which layer holds the most parameters, what global average pooling would save)."""

from __future__ import annotations

import streamlit as st

from explorer.network.stack import StackResult, gap_saving
from explorer.network.stack_presets import READY_STACKS
from explorer.network.stack_syntax import MAX_NUMBER
from ui.links import keep_linked, newly_linked

OWN = "(your own)"
TEXT_KEY, MENU_KEY = "arch_stack", "arch_stack_menu"
SIZE_KEYS = ("arch_stack_height", "arch_stack_width", "arch_stack_channels")
TYPED_KEY, _LOADED_KEY = "arch_stack_typed", "arch_stack_loaded"
"""The stack's text when it is not the chosen ready stack's own (the link's ``stack``; empty otherwise, so
a link to VGG-16 names only ``ready=vgg16``), and the ready stack whose layers are in the box."""
DEFAULT_STACK = "conv 3x3 s1 p1 c64\npool 2\nconv 3x3 s1 p1 c128\npool 2"
DEFAULT_INPUT = (224, 224, 3)
STACK_COLUMNS = {name: st.column_config.NumberColumn(format="localized") for name in ("parameters", "multiply-adds")}


def load_ready_stack() -> None:
    """Menu callback: put the chosen stack's layers and input size into the widgets (before they are drawn)."""
    name = st.session_state.get(MENU_KEY, OWN)
    st.session_state[_LOADED_KEY] = name
    if name in READY_STACKS:
        stack = READY_STACKS[name]
        st.session_state[TEXT_KEY] = stack.text
        for key, value in zip(SIZE_KEYS, stack.input_shape):
            st.session_state[key] = value


def ready_stack_menu() -> str | None:
    """The menu of ready-made stacks; returns the chosen name, or None for the student's own stack.

    A stack named by a link puts its layers in the box (the input size is the link's own); text typed
    over them (the link's ``stack``, see ``remember_typed``) then replaces them."""
    state = st.session_state
    if TEXT_KEY not in state:  # first run, or back from another page: Streamlit dropped the box's text
        state.pop(_LOADED_KEY, None)
    typed = newly_linked(TYPED_KEY, TEXT_KEY)
    state.setdefault(TEXT_KEY, DEFAULT_STACK)
    for key, value in zip(SIZE_KEYS, DEFAULT_INPUT):
        state.setdefault(key, value)
    menu = state.get(MENU_KEY, OWN)
    if menu != state.get(_LOADED_KEY, OWN):  # named by a link: its layers; the link's sizes stay
        state[_LOADED_KEY] = menu
        if menu in READY_STACKS:
            state[TEXT_KEY] = READY_STACKS[menu].text
    if typed:
        state[TEXT_KEY] = typed
    names = [OWN, *READY_STACKS]
    name = st.selectbox(
        "Ready-made stack",
        names,
        key=MENU_KEY,
        on_change=load_ready_stack,
        format_func=lambda n: READY_STACKS[n].title if n in READY_STACKS else n,
    )
    return name if name in READY_STACKS else None


def input_boxes() -> tuple[int, int, int]:
    """Height, width and channels of the input (set by the menu, or typed; an 'input' line overrides them)."""
    boxes = st.columns(3)
    height, width, channels = (
        int(box.number_input(label, 1, MAX_NUMBER, key=key))
        for box, label, key in zip(boxes, ("Input height", "Input width", "Input channels"), SIZE_KEYS)
    )
    return height, width, channels


def table_rows(result: StackResult) -> list[dict[str, object]]:
    """One record per layer for st.dataframe: plain ints and short strings, so Arrow always converts them."""
    return [
        {
            "#": row.number,
            "layer": row.text,
            "output (H x W x C)": row.output,
            "parameters": row.params,
            "multiply-adds": row.mult_adds,
            "receptive field": row.receptive_text,
            "jump (pixels)": "" if row.jump is None else f"{row.jump[0]} x {row.jump[1]}",
        }
        for row in result.rows
    ]


def reading(result: StackResult) -> list[str]:
    """Sentences computed from the numbers: where the parameters are, and what 'gap' would save."""
    total, largest = result.total_params, result.largest()
    sentences = []
    if total and largest.params:
        sentences.append(
            f"Layer {largest.number}, `{largest.kind}` with output {largest.output}, holds "
            f"**{largest.params / total:.1%}** of all parameters ({largest.params:,} of {total:,})."
        )
    saving = gap_saving(result)
    if saving is not None:
        before, after = saving.fc_before, saving.fc_after
        sentences.append(
            f"With `gap` (global average pooling) instead of `flatten` (layer {saving.flatten_number}), the fully "
            f"connected layer {before.number} would see {after.in_shape[0]:,} numbers instead of "
            f"{before.in_shape[0]:,}: **{after.params:,}** parameters instead of {before.params:,}, and the "
            f"whole stack **{saving.total_after:,}** instead of {saving.total_before:,} "
            f"({saving.saved / saving.total_before:.0%} fewer)."
        )
    return sentences


def remember_typed(text: str, chosen: str | None) -> None:
    """After the box is drawn: keep its text for the link only when it differs from where it started (the
    chosen ready stack's layers, or the usual example)."""
    start = READY_STACKS[chosen].text if chosen else DEFAULT_STACK
    keep_linked(TYPED_KEY, "" if text == start else text)
