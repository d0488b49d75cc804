"""Glue for the Tiny CNN page: the shared LeNet-5, a digit from a sample, the canvas or an upload, one
cached forward, and which unit the student is looking at.

The chosen unit lives in four widget keys (stage, map or unit, row, column); a click on the network
figure writes them in a callback that runs before the page, so clicking and the hand pickers agree.
Clicking re-draws: the digit's preparation and its forward pass are cached by the picture's bytes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st
import torch
from PIL import Image
from torch import nn

from explorer.device import default_device
from explorer.images import load_image
from explorer.models.digits import digit_samples, prepare_digit
from explorer.models.lenet import LenetRun, UnitStory, build_lenet5, lenet_forward, unit_story
from ui.lenet_charts import LABELS
from ui.picker import UPLOAD_TYPES

SOURCE_SAMPLE, SOURCE_DRAW, SOURCE_UPLOAD = "Sample", "Draw", "Upload"
SOURCES = (SOURCE_SAMPLE, SOURCE_DRAW, SOURCE_UPLOAD)
SOURCE_KEY, SAMPLE_KEY = "tiny_source", "tiny_sample"
FIGURE_KEY = "tiny_network"
UNIT_KEYS = ("tiny_stage", "tiny_channel", "tiny_row", "tiny_col")
CANVAS_SIDE = 196


@st.cache_resource(show_spinner=False)
def cached_lenet() -> nn.Module:
    """LeNet-5 with the bundled digit weights, frozen, on the chosen device, shared by every session."""
    return build_lenet5().to(default_device().device)


@st.cache_data(max_entries=64, show_spinner=False)
def digit_from_bytes(data: bytes) -> tuple[np.ndarray, Image.Image]:
    """Any picture file of one digit as the 32x32 input and as the 8-bit RGB picture it was read from
    (decoded and checked by ``explorer.images``; a 16-bit or CMYK file is shown as what was read)."""
    picture = load_image(data).image
    return prepare_digit(picture), picture


@st.cache_data(max_entries=64, show_spinner=False)
def run_of(digit: np.ndarray) -> LenetRun:
    """Every stage of one forward pass of the shared LeNet-5 on a prepared digit."""
    return lenet_forward(cached_lenet(), digit)


def picture_bytes() -> tuple[bytes | None, bool]:
    """The chosen picture's file bytes (a sample, the canvas drawing or an upload; None for none yet),
    and whether it is worth a thumbnail beside the network (not for a drawing: the canvas shows it)."""
    source = st.radio("Digit from", SOURCES, horizontal=True, key=SOURCE_KEY)
    if source == SOURCE_SAMPLE:
        samples = digit_samples()
        name = st.selectbox("Sample digit", list(samples), key=SAMPLE_KEY, format_func=lambda d: f"a handwritten {d}")
        st.caption("Held out from training (UCI digits, CC BY 4.0).")
        return samples[name].read_bytes(), True
    if source == SOURCE_DRAW:
        from streamlit_drawable_canvas import st_canvas

        st.caption("Draw one digit, big, with the mouse or a finger.")
        drawing = st_canvas(
            stroke_width=16,
            stroke_color="#FFFFFF",
            background_color="#000000",
            height=CANVAS_SIDE,
            width=CANVAS_SIDE,
            drawing_mode="freedraw",
            return_image_data=True,
            key="tiny_canvas",
        )
        strokes = drawing.json_data.get("objects") if drawing.json_data else None
        return (drawing.image_bytes if strokes else None), False
    upload = st.file_uploader("A photo of a digit on paper", type=UPLOAD_TYPES, key="tiny_upload")
    return (upload.getvalue() if upload is not None else None), True


def take_click() -> None:
    """On a click in the network figure: make the clicked unit the chosen one (runs before the page)."""
    event: Any = st.session_state.get(FIGURE_KEY)
    points = event.selection.points if event is not None else []
    if not points or "customdata" not in points[0]:
        return
    data = points[0]["customdata"]  # [channel, row, col, value, stage]; Streamlit hands a list over as a dict
    channel, row, col, _value, stage = (data[str(i)] for i in range(5)) if isinstance(data, dict) else data
    chosen = (list(LABELS)[int(stage)], int(channel), int(row), int(col))
    st.session_state.update(dict(zip(UNIT_KEYS, chosen)))


def unit_pickers(run: LenetRun) -> tuple[str, int, int, int]:
    """Pick a unit by hand (the same state a click sets); the first time, conv1's strongest unit of map 0."""
    state = st.session_state
    if UNIT_KEYS[0] not in state:
        row, col = np.unravel_index(int(run.act1[0].argmax()), run.act1[0].shape)
        state.update(dict(zip(UNIT_KEYS, ("act1", 0, int(row), int(col)))))
    columns = st.columns(4)
    stage = columns[0].selectbox("Stage", list(LABELS), key=UNIT_KEYS[0], format_func=stage_name)
    shape = run.stage(stage).shape
    limits = (shape[0] - 1, shape[1] - 1 if len(shape) == 3 else 0, shape[2] - 1 if len(shape) == 3 else 0)
    for key, limit in zip(UNIT_KEYS[1:], limits):
        state[key] = min(max(int(state.get(key, 0)), 0), limit)
    labels = ("Map" if len(shape) == 3 else "Unit", "Row", "Column")
    picked = [
        column.number_input(label, 0, limit, key=key, disabled=limit == 0)
        for column, label, key, limit in zip(columns[1:], labels, UNIT_KEYS[1:], limits)
    ]
    return stage, int(picked[0]), int(picked[1]), int(picked[2])


def stage_name(stage: str) -> str:
    """A stage as the figure labels it ("conv1 6@28×28")."""
    return LABELS[stage].replace("<br>", " ")


def story_of(run: LenetRun, unit: tuple[str, int, int, int]) -> UnitStory:
    """What the chosen unit sees and what made it (NumPy only: the weights are read, never changed)."""
    with torch.no_grad():
        return unit_story(cached_lenet(), run, *unit)
