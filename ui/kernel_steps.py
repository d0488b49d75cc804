"""The step-by-step convolution view and the pooling comparison of the Kernel lab, drawn from explorer's numbers."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer.kernels.convolution import KernelResult
from explorer.kernels.display import display_image
from explorer.kernels.steps import ConvolutionStep, Region, convolution_step, input_window, pool
from ui.charts import NO_TOOLBAR, number_grid, number_text
from ui.kernel_lab import cached_pool
from ui.stepper import step_buttons

STEP_KEY, CELLS_KEY, PLAYING_KEY = "kl_step", "kl_cells", "kl_playing"
PLAY_DELAY_S = 0.6


def _move(delta: int) -> None:
    cells = st.session_state.get(CELLS_KEY, 1)
    st.session_state[STEP_KEY] = min(max(st.session_state.get(STEP_KEY, 0) + delta, 0), cells - 1)


def step_controls(region: Region) -> tuple[int, bool]:
    """Prev / next / play buttons; returns the current step index and whether to play from it."""
    cells = len(region.cells())
    st.session_state[CELLS_KEY] = cells
    step = min(st.session_state.get(STEP_KEY, 0), cells - 1)
    st.session_state[STEP_KEY] = step
    back, forward, play, where = st.columns([1, 1, 1, 3])
    step_buttons(back, forward, "kl_step", _move, step == 0, step == cells - 1)
    playing = bool(st.session_state.get(PLAYING_KEY))
    play.button(
        "Pause" if playing else "Play to the end",
        icon=":material/pause:" if playing else ":material/play_arrow:",
        key="kl_play",
        width="stretch",
        on_click=_toggle_play,
    )
    row, col = region.cells()[step]
    where.markdown(f"**Step {step + 1} of {cells}**: output row {row}, column {col}")
    return step, playing


def sum_sentence(step: ConvolutionStep, combine: str) -> str:
    """The arithmetic in words: the products added up (written out for small kernels), and the result."""
    parts = []
    for index, products in enumerate(step.products):
        name = ("gx", "gy")[index] if combine == "magnitude" else "sum"
        if products.size <= 9:
            terms = " + ".join(f"({number_text(p)})" for p in products.ravel())
            parts.append(f"{name} = {terms} = **{number_text(step.sums[index])}**")
        else:
            parts.append(f"{name} = sum of the {products.size} products = **{number_text(step.sums[index])}**")
    if combine == "magnitude":
        parts.append(f"output = sqrt(gx² + gy²) = **{number_text(step.value)}**")
    return "  \n".join(parts)


def draw_step(result: KernelResult, region: Region, index: int, channel: int, key: str) -> None:
    """One step: where the window sits, the numbers under it, the products, and the sum landing in the output."""
    opts, k_eff = result.options, result.options.effective_size(result.kernel.size)
    row, col = region.cells()[index]
    step = convolution_step(result, row, col, channel)
    window, top, left = input_window(result, region, channel)
    r0, c0 = (
        row * opts.stride - opts.pad_amount(result.kernel.size) - top,
        col * opts.stride - opts.pad_amount(result.kernel.size) - left,
    )
    region_values = result.values[
        region.top : region.top + region.height, region.left : region.left + region.width, channel
    ].astype(np.float64)
    not_yet = (np.arange(region_values.size) > index).reshape(region_values.shape)
    here = (row - region.top, col - region.left)
    first, second = st.columns(2)
    first.plotly_chart(
        number_grid(
            window,
            f"Input from row {top}, col {left}",
            signed=False,
            highlight=(r0, c0, r0 + k_eff - 1, c0 + k_eff - 1),
            height=420,
        ),
        key=f"{key}_window",
        config=NO_TOOLBAR,
    )
    second.plotly_chart(
        number_grid(region_values, "Output region so far", blank=not_yet, highlight=(*here, *here), height=420),
        key=f"{key}_out",
        config=NO_TOOLBAR,
    )
    for part, (weights, products) in enumerate(zip(step.weights, step.products)):
        label = ("gx ", "gy ")[part] if result.kernel.combine == "magnitude" else ""
        patch_col, weight_col, product_col = st.columns(3)
        patch_col.plotly_chart(
            number_grid(step.patch, "Input patch", signed=False), key=f"{key}_patch{part}", config=NO_TOOLBAR
        )
        weight_col.plotly_chart(
            number_grid(weights, f"× {label}kernel" + (" (flipped)" if opts.mode == "conv" else "")),
            key=f"{key}_w{part}",
            config=NO_TOOLBAR,
        )
        product_col.plotly_chart(number_grid(products, f"= {label}products"), key=f"{key}_p{part}", config=NO_TOOLBAR)
    st.markdown(sum_sentence(step, result.kernel.combine))
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


def draw_pooling(
    result: KernelResult, region: Region, channel: int, shown: int | None, mode: str, digest: str, picture: np.ndarray
) -> None:
    """Max and average 2x2 / stride 2 pooling of the region and of the whole result, side by side.

    ``picture`` is the whole result as already displayed above, so it is not drawn twice.
    """
    values = result.values[
        region.top : region.top + region.height, region.left : region.left + region.width, channel
    ].astype(np.float32)
    if min(values.shape) >= 2:
        cells = st.columns(3)
        cells[0].plotly_chart(number_grid(values, "Region"), key="kl_pool_region", config=NO_TOOLBAR)
        cells[1].plotly_chart(number_grid(pool(values, "max"), "Max pool 2x2"), key="kl_pool_max", config=NO_TOOLBAR)
        cells[2].plotly_chart(
            number_grid(pool(values, "average"), "Average pool 2x2"), key="kl_pool_avg", config=NO_TOOLBAR
        )
    else:
        st.caption("Pick a region at least 2 cells on a side to pool it.")
    if min(result.values.shape[:2]) < 2:
        return
    whole = st.columns(3)
    height, width = result.values.shape[:2]
    whole[0].image(picture, caption=f"Convolution output {width}x{height}", width="stretch")
    for column, kind in zip(whole[1:], ("max", "average")):
        pooled = cached_pool(digest, result.kernel, result.options, kind, result.values)
        column.image(
            display_image(pooled, mode, shown),
            caption=f"{kind.title()} pooled {pooled.shape[1]}x{pooled.shape[0]}",
            width="stretch",
        )
