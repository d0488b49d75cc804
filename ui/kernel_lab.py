"""Kernel-lab glue: cached convolution, pooling and histogram, and the colour, kernel and option widgets.

The convolution is cached on (image digest, kernel, options) only, so changing how a result is shown
(display mode, channel, histogram, step) re-draws from the cache instead of convolving again. It lives in
the size-bounded shared cache (``ui.cache``): the read-only result is shared, not unpickled into a copy on
every rerun. A big convolution (a large kernel on a large photo) is a heavy job (``ui.jobs``).
"""

from __future__ import annotations

import contextlib
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from explorer.errors import ExplorerError
from explorer.images import LoadedImage
from explorer.kernels.colour import COLOUR_PRESETS
from explorer.kernels.convolution import ConvOptions, KernelResult, apply_kernel
from explorer.kernels.display import histogram
from explorer.kernels.parsing import MAX_WEIGHT, colour_kernel, custom_kernel, parse_channel_texts, parse_kernel_text
from explorer.kernels.presets import CHANNEL_NAMES, MAX_SIZE, PRESETS, Kernel
from explorer.kernels.steps import pool
from ui.cache import shared_cache
from ui.jobs import heavy_job
from ui.present import secondary_controls
from ui.stepper import mover, step_buttons

PRESET, GRID, TEXT = "Preset", "Edit a grid", "Type numbers"
PADDING_CHOICES = ["same", "valid", "full", "number"]
COLOURS = {
    "rgb": "Each RGB channel separately",
    "gray": "Greyscale",
    "rgb-sum": "One 3-D filter: R + G + B → one map",
}
OPERATIONS = {"corr": "Cross-correlation (as CNN layers)", "conv": "Convolution (flips the kernel)"}
SIDES = list(range(1, MAX_SIZE + 1))
THREE_D_TEXT = ("1 0 -1; 2 0 -2; 1 0 -1", "0 0 0; 0 0 0; 0 0 0", "0 0 0; 0 0 0; 0 0 0")


HEAVY_MULTIPLY_ADDS = 50_000_000
"""A convolution with more multiply-adds than this (a 5x5 kernel on a 2-megapixel photo) waits its turn."""


@shared_cache(spinner="Convolving...")
def cached_result(digest: str, kernel: Kernel, options: ConvOptions, _image: LoadedImage) -> KernelResult:
    """Convolve once per (image digest, kernel, options); ``_image`` is not hashed, its digest is."""
    width, height = _image.size
    work = width * height * kernel.shape[0] * kernel.shape[1] * (1 if options.color == "gray" else 3)
    with heavy_job() if work > HEAVY_MULTIPLY_ADDS else contextlib.nullcontext():
        return apply_kernel(_image.to_array(), kernel, options)


@st.cache_data(max_entries=8, show_spinner=False)
def cached_pool(
    digest: str,
    kernel: Kernel,
    options: ConvOptions,
    kind: str,
    size: tuple[int, int],
    stride: int,
    _values: np.ndarray,
) -> np.ndarray:
    """Pool the whole result once per (image digest, kernel, options, kind, window, stride)."""
    return pool(_values, kind, size, stride)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_histogram(
    digest: str, kernel: Kernel, options: ConvOptions, channel: int | None, _values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Histogram counts and edges of the shown channel(s), once per result and channel choice."""
    return histogram(_values)


def colour_picker() -> str:
    """How the kernel meets the three colour channels: each on its own, grey, or one 3-D filter summing them."""
    return str(st.radio("Colour", list(COLOURS), horizontal=True, key="kl_color", format_func=COLOURS.get))


def kernel_picker(three_d: bool) -> Kernel:
    """Choose a preset, edit grids of numbers, or type them; raises ExplorerError for bad numbers.

    With ``three_d`` the kernel is one 3-D filter: a red, a green and a blue grid of one shape and a bias.
    """
    how = st.radio("Kernel", [PRESET, GRID, TEXT], horizontal=True, key="kl_source")
    if how == PRESET:
        presets = COLOUR_PRESETS if three_d else PRESETS
        name = preset_stepper(list(presets), "kl_preset_3d" if three_d else "kl_preset", three_d)
        st.info(presets[name].explanation, icon=":material/lightbulb:")
        if not three_d:
            return presets[name]
        return replace(presets[name], bias=bias_input(presets[name].bias, bias_key(name)))
    if how == GRID:
        grids = grid_editors(CHANNEL_NAMES if three_d else ("",))
    elif three_d:
        columns = st.columns(3)
        texts = [
            column.text_area(f"{name.title()} kernel", key=f"kl_text_{name}", height=110)
            for column, name in zip(columns, CHANNEL_NAMES)
        ]
        grids = parse_channel_texts(texts)
    else:
        text = st.text_area(
            "Rows separated by ';' or new lines; numbers by spaces or commas; 1/9 works; any size, e.g. '-1 0 1'",
            key="kl_text",
        )
        grids = [parse_kernel_text(text)]
    normalise = st.checkbox("Normalise so the numbers sum to 1", key="kl_normalise")
    if three_d:
        return colour_kernel(grids, bias_input(0.0, BIAS_CUSTOM_KEY), normalise=normalise)
    return custom_kernel(grids[0], normalise=normalise)


def preset_stepper(names: list[str], key: str, three_d: bool) -> str:
    """The preset picker between Previous and Next (PageUp / PageDown): a remote walks the presets in order."""
    if st.session_state.get(key) not in names:
        st.session_state[key] = names[0] if three_d else "sobel_x"

    name = str(st.selectbox("3-D preset" if three_d else "Preset", names, key=key, format_func=_spaced))
    back, forward = st.columns(2)
    ends = (name == names[0], name == names[-1])
    step_buttons(back, forward, key, mover(key, names), *ends, what="preset", legend=st.container())
    return name


def _spaced(name: str) -> str:
    return name.replace("_", " ")


def grid_key(name: str) -> str:
    """The session key that holds grid ``name``'s numbers as text (what a link carries; "" for the start)."""
    return f"kl_grid_values_{name or 'single'}"


def grid_text(values: np.ndarray) -> str:
    """A grid's numbers as kernel text ('0 0 0; 0 1 0; 0 0 0'), the form the text box and a link read."""
    return "; ".join(" ".join(f"{value:g}" for value in row) for row in values)


def _usual_start(rows: int, cols: int, first: bool) -> np.ndarray:
    """'Pass the pixel through' (1 at the anchor tap, where 'same' padding puts the output pixel) for the
    first grid, zeros for the rest."""
    start = np.zeros((rows, cols))
    if first:
        start[(rows - 1) // 2, (cols - 1) // 2] = 1.0
    return start


def _grid_start(name: str, rows: int, cols: int, first: bool) -> np.ndarray:
    """The grid's first numbers: those a link gave (when they have this shape), else the usual start. Kept
    per grid shape for the session, so the editor's own edits never move its starting data."""
    starts: dict[str, np.ndarray] = st.session_state.setdefault("kl_grid_starts", {})
    editor = f"{name or 'single'}_{rows}x{cols}"
    if editor not in starts or f"kl_grid_{editor}" not in st.session_state:  # new, or its edits were dropped
        # (Streamlit drops an editor's edits when a run does not draw it: after another page, they come
        # back from the link's text)
        start = _usual_start(rows, cols, first)
        linked = st.session_state.get(grid_key(name)) or ""
        with contextlib.suppress(ExplorerError):
            given = parse_kernel_text(linked) if linked else None
            if given is not None and given.shape == (rows, cols):
                start = given
        starts[editor] = start
    return starts[editor]


def grid_editors(names: tuple[str, ...]) -> list[np.ndarray]:
    """Rows and columns to choose, then one editable grid per name, starting as ``_grid_start`` says; each
    grid's numbers are kept as text under ``grid_key`` (empty while it is the usual start) for the link."""
    rows_column, cols_column = st.columns(2)
    rows = int(rows_column.selectbox("Rows K_h", SIDES, key="kl_grid_rows"))
    cols = int(cols_column.selectbox("Columns K_w", SIDES, key="kl_grid_cols"))
    grids = []
    for index, (column, name) in enumerate(zip(st.columns(len(names)), names)):
        start = _grid_start(name, rows, cols, index == 0)
        frame = pd.DataFrame(start, columns=[str(c) for c in range(cols)])
        if name:
            column.caption(f"{name.title()} kernel")
        edited = column.data_editor(
            frame,
            key=f"kl_grid_{name or 'single'}_{rows}x{cols}",  # _grid_start reads this key
            hide_index=True,
            width="stretch",
            column_config={c: st.column_config.NumberColumn(c, format="%.4g") for c in frame},
        )
        values = edited.to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isfinite(values).all():
            usual = np.array_equal(values, _usual_start(rows, cols, index == 0))
            st.session_state[grid_key(name)] = "" if usual else grid_text(values)
        grids.append(values)
    return grids


BIAS_CUSTOM_KEY = "kl_bias_custom"


def bias_key(preset: str) -> str:
    """The session key of a 3-D preset's bias (each preset keeps its own, in the link too)."""
    return f"kl_bias_{preset}"


def bias_input(start: float, key: str) -> float:
    """The 3-D filter's bias b, added once to the sum of the three channels' products (``start`` unless
    the link or the student set it)."""
    st.session_state.setdefault(key, float(start))
    return float(st.number_input("Bias b (added to the sum)", -MAX_WEIGHT, MAX_WEIGHT, step=1.0, key=key))


def options_picker(color: str) -> ConvOptions:
    """Stride, padding, dilation and correlation-or-convolution widgets, for the chosen colour mode."""
    left, right = st.columns(2)
    stride = left.number_input("Stride S", 1, 8, key="kl_stride")
    dilation = right.number_input("Dilation D", 1, 6, key="kl_dilation")
    padding: str | int = left.selectbox("Padding", PADDING_CHOICES, key="kl_padding")
    if padding == "number":
        padding = int(right.number_input("Zeros per side P", 0, 64, key="kl_padding_number"))
    with secondary_controls():
        mode = st.radio("Operation", list(OPERATIONS), horizontal=True, key="kl_mode", format_func=OPERATIONS.get)
        st.caption(
            "By default the kernel slides as written (cross-correlation), as CNN layers (PyTorch's conv2d) and "
            "OpenCV's filter2D do; convolution flips it left-right and top-bottom first, as in the maths definition."
        )
    return ConvOptions(stride=int(stride), padding=padding, dilation=int(dilation), color=color, mode=mode)
