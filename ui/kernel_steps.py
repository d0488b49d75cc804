"""The step-by-step convolution view and the pooling comparison of the Kernel lab, drawn from explorer's numbers."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer.kernels.convolution import KernelResult
from explorer.kernels.display import display_image
from explorer.kernels.steps import (
    MAX_REGION,
    ConvolutionStep,
    Region,
    convolution_step,
    input_window,
    pool,
    window_origin,
)
from ui.charts import number_text
from ui.kernel_lab import cached_pool
from ui.links import keep_linked, newly_linked
from ui.number_tables import colour_table, number_table, show_table
from ui.present import secondary_controls
from ui.stepper import SECOND_KEYS, step_buttons

STEP_KEY, CELLS_KEY, PLAYING_KEY = "kl_step", "kl_cells", "kl_playing"
COLUMN_KEY, ROW_KEY, REGION_KEY, STEP_CHANNEL_KEY = "kl_x", "kl_y", "kl_region", "kl_step_channel"
AT_KEY, _OUTPUT_SIZE = "kl_at", "kl_at_output"
"""The region's place as "column,row" once the student moved it (the link's ``at``), and the output's
size it was placed on (when it changes, the region goes back to the centre)."""
REGION_START = 4
"""The region's side (output cells) before the student picks one."""
POOL_SIZE_KEY, POOL_STRIDE_KEY = "kl_pool_size", "kl_pool_stride"
PLAY_DELAY_S = 0.6
POOL_WINDOWS = {"2x2": (2, 2), "3x3": (3, 3), "1x2": (1, 2), "2x1": (2, 1), "4x4": (4, 4)}


def _move(delta: int) -> None:
    cells = st.session_state.get(CELLS_KEY, 1)
    st.session_state[STEP_KEY] = min(max(st.session_state.get(STEP_KEY, 0) + delta, 0), cells - 1)


def _moved() -> None:
    """The student moved the region: its place goes into the link (``AT_KEY``)."""
    keep_linked(AT_KEY, f"{st.session_state[COLUMN_KEY]},{st.session_state[ROW_KEY]}")


def _linked_place() -> tuple[int, int] | None:
    """The (column, row) a link named and the widgets have not taken yet, if any."""
    given = newly_linked(AT_KEY, COLUMN_KEY)
    try:
        column, row = (int(part) for part in (given or "").split(","))
    except ValueError:
        return None
    return column, row


def region_pickers(result: KernelResult) -> tuple[int, int, int, int]:
    """Output column, row, region size and the channel to step through. They start at the centre of the
    output (a 4x4 region, the first channel) or where a link put them, and go back to the centre when the
    output's size changes; the place is written to the link only once the student moves it, so a usual
    view's link stays short."""
    out_h, out_w = result.values.shape[:2]
    channels = result.channels
    state = st.session_state
    shape, before = f"{out_w}x{out_h}", state.get(_OUTPUT_SIZE)
    state[_OUTPUT_SIZE] = shape
    column, row = state.get(COLUMN_KEY, out_w // 2), state.get(ROW_KEY, out_h // 2)
    if before not in (None, shape):  # a new stride, padding or kernel size: back to the new output's centre
        column, row = out_w // 2, out_h // 2
        keep_linked(AT_KEY, "")
    column, row = _linked_place() or (column, row)
    state[COLUMN_KEY] = min(max(int(column), 0), out_w - 1)
    state[ROW_KEY] = min(max(int(row), 0), out_h - 1)
    state.setdefault(REGION_KEY, REGION_START)
    if state.get(STEP_CHANNEL_KEY) not in range(len(channels)):
        state[STEP_CHANNEL_KEY] = 0
    picks = st.columns(4)
    left = picks[0].number_input("Output column x", 0, out_w - 1, key=COLUMN_KEY, on_change=_moved)
    top = picks[1].number_input("Output row y", 0, out_h - 1, key=ROW_KEY, on_change=_moved)
    size = picks[2].slider("Region size", 1, MAX_REGION, key=REGION_KEY)
    step_channel = picks[3].radio(
        "Channel for the steps",
        list(range(len(channels))),
        horizontal=True,
        format_func=lambda c: channels[c],
        key=STEP_CHANNEL_KEY,
    )
    return int(left), int(top), int(size), int(step_channel)


def step_controls(region: Region) -> tuple[int, bool]:
    """Prev / next / play buttons; returns the current step index and whether to play from it."""
    cells = len(region.cells())
    st.session_state[CELLS_KEY] = cells
    step = min(st.session_state.get(STEP_KEY, 0), cells - 1)
    st.session_state[STEP_KEY] = step
    back, forward, play, where = st.columns([1, 1, 1.3, 2.7])
    legend = st.container()
    step_buttons(back, forward, "kl_step", _move, step == 0, step == cells - 1, SECOND_KEYS, "output cell", legend)
    playing = bool(st.session_state.get(PLAYING_KEY))
    play.button(
        "Pause" if playing else "Play to the end",
        icon=":material/pause:" if playing else ":material/play_arrow:",
        key="kl_play",
        width="stretch",
        wrap=True,
        on_click=_toggle_play,
    )
    row, col = region.cells()[step]
    where.markdown(f"**Step {step + 1} of {cells}**: output row {row}, column {col}")
    return step, playing


def _added(values: np.ndarray | list[float]) -> str:
    return " + ".join(f"({number_text(v)})" for v in np.ravel(values))


def sum_sentence(step: ConvolutionStep, names: tuple[str, ...], combine: str) -> str:
    """The arithmetic in words: the products added up (written out for small kernels), and the result."""
    parts = []
    for name, products, total in zip(names, step.products, step.sums):
        label = f"{name} sum" if combine == "channels" else (name or "sum")
        terms = _added(products) if products.size <= 9 else f"sum of the {products.size} products"
        parts.append(f"{label} = {terms} = **{number_text(total)}**")
    if combine == "magnitude":
        parts.append(f"output = sqrt(gx² + gy²) = **{number_text(step.value)}**")
    elif combine == "channels":
        parts.append(
            f"output = red sum + green sum + blue sum + bias = {_added([*step.sums, step.bias])} "
            f"= **{number_text(step.value)}**"
        )
    return "  \n".join(parts)


def draw_window(result: KernelResult, region: Region, row: int, col: int, channel: int, key: str) -> None:
    """Where the window sits on the input (in colour for a 3-D filter, else the channel's numbers), and the
    output region filled up to this cell."""
    (k_h, k_w), opts = result.kernel.shape, result.options
    first_row, first_col = window_origin(result, row, col)
    planes = range(3) if result.kernel.is_3d else [channel]
    windows = [input_window(result, region, plane) for plane in planes]
    window, top, left = windows[0]
    r0, c0 = first_row - top, first_col - left
    box = (r0, c0, r0 + opts.effective_size(k_h) - 1, c0 + opts.effective_size(k_w) - 1)
    title = f"Input from row {top}, col {left}"
    if result.kernel.is_3d:
        picture = colour_table(np.stack([w for w, _, _ in windows], axis=2), title + " (R, G, B)", box, f"{key}_window")
    else:
        picture = number_table(window, title, signed=False, highlight=box, name=f"{key}_window")
    region_values = result.values[
        region.top : region.top + region.height, region.left : region.left + region.width, channel
    ].astype(np.float64)
    index = region.cells().index((row, col))
    not_yet = (np.arange(region_values.size) > index).reshape(region_values.shape)
    here = (row - region.top, col - region.left)
    first, second = st.columns(2)
    show_table(picture, first)
    so_far = number_table(
        region_values, "Output region so far", blank=not_yet, highlight=(*here, *here), name=f"{key}_out"
    )
    show_table(so_far, second)


def draw_step(result: KernelResult, region: Region, index: int, channel: int, key: str) -> None:
    """One step: where the window sits, the numbers under it, the products, and the sum landing in the output.

    A 3-D filter shows one row per colour channel (its patch, its kernel, its products) and adds the bias.
    """
    row, col = region.cells()[index]
    step = convolution_step(result, row, col, channel)
    draw_window(result, region, row, col, channel, key)
    names = result.kernel.grid_names()
    flipped = " (flipped)" if result.options.mode == "conv" else ""
    for part, (name, patch, weights, products) in enumerate(zip(names, step.patches, step.weights, step.products)):
        label = f"{name} " if name else ""
        patch_label = f"{name.title()} input patch" if result.kernel.is_3d else "Input patch"
        patch_col, weight_col, product_col = st.columns(3)
        show_table(number_table(patch, patch_label, signed=False, name=f"{key}_patch{part}"), patch_col)
        show_table(number_table(weights, f"× {label}kernel{flipped}", name=f"{key}_w{part}"), weight_col)
        show_table(number_table(products, f"= {label}products", name=f"{key}_p{part}"), product_col)
    st.markdown(sum_sentence(step, names, result.kernel.combine))
    st.success(
        f"Output at row {row}, column {col} = **{number_text(step.value)}** "
        f"(the convolution computed {float(result.values[row, col, channel]):.4g})",
        icon=":material/check:",
    )


def _toggle_play() -> None:
    """Play from the current step (from the first when at the end), or pause where it is."""
    playing = not st.session_state.get(PLAYING_KEY, False)
    st.session_state[PLAYING_KEY] = playing
    if playing and st.session_state.get(STEP_KEY, 0) >= st.session_state.get(CELLS_KEY, 1) - 1:
        st.session_state[STEP_KEY] = 0


def play_or_show(result: KernelResult, region: Region, step: int, playing: bool, channel: int) -> None:
    """Show the current step, or animate the steps from it to the end of the region.

    The animation is a fragment that reruns itself every ``PLAY_DELAY_S`` seconds and draws one step each
    time: the page stays responsive (Pause, Next, any other widget work while it plays) and the pace is
    steady, instead of one script run sleeping between steps.
    """
    if playing:
        _player(result, region, channel)
    else:
        draw_step(result, region, step, channel, f"kl_step_{step}")


@st.fragment(run_every=PLAY_DELAY_S)
def _player(result: KernelResult, region: Region, channel: int) -> None:
    """One frame of the animation: the current step, then move on (or stop at the end)."""
    cells = len(region.cells())
    index = min(st.session_state.get(STEP_KEY, 0), cells - 1)
    st.caption(f":material/play_arrow: Playing: step {index + 1} of {cells}")
    draw_step(result, region, index, channel, "kl_play")
    if index < cells - 1:
        st.session_state[STEP_KEY] = index + 1
    else:
        st.session_state[PLAYING_KEY] = False
        st.rerun()


def pooling_choice() -> tuple[tuple[int, int], int]:
    """The pooling window (rows x cols) and stride the student picks."""
    with secondary_controls():
        size_column, stride_column, _ = st.columns([1, 1, 2])
        window = size_column.selectbox("Pooling window", list(POOL_WINDOWS), key=POOL_SIZE_KEY)
        stride = stride_column.number_input("Pooling stride", 1, 4, key=POOL_STRIDE_KEY)
    return POOL_WINDOWS[window], int(stride)


def draw_pooling(
    result: KernelResult, region: Region, channel: int, shown: int | None, mode: str, digest: str, picture: np.ndarray
) -> None:
    """Max and average pooling of the region and of the whole result, side by side.

    ``picture`` is the whole result as already displayed above, so it is not drawn twice.
    """
    size, stride = pooling_choice()
    name = f"{size[0]}x{size[1]}, stride {stride}"
    values = result.values[
        region.top : region.top + region.height, region.left : region.left + region.width, channel
    ].astype(np.float32)
    if values.shape[0] >= size[0] and values.shape[1] >= size[1]:
        cells = st.columns(3)
        show_table(number_table(values, "Region", name="kl_pool_region"), cells[0])
        for column, kind, key in zip(cells[1:], ("max", "average"), ("kl_pool_max", "kl_pool_avg")):
            pooled = pool(values, kind, size, stride)
            show_table(number_table(pooled, f"{kind.title()} pool {name}", name=key), column)
    else:
        st.caption(f"Pick a region at least {size[0]} rows by {size[1]} columns to pool it with this window.")
    height, width = result.values.shape[:2]
    if height < size[0] or width < size[1]:
        return
    whole = st.columns(3)
    whole[0].image(picture, caption=f"Convolution output {width}x{height}", width="stretch")
    for column, kind in zip(whole[1:], ("max", "average")):
        pooled = cached_pool(digest, result.kernel, result.options, kind, size, stride, result.values)
        column.image(
            display_image(pooled, mode, shown),
            caption=f"{kind.title()} pooled {pooled.shape[1]}x{pooled.shape[0]}",
            width="stretch",
        )
