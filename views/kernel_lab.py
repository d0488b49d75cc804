"""Kernel lab: slide a small grid of numbers over your photo and see every multiplication it does."""

import numpy as np
import streamlit as st

from explorer.images import LoadedImage
from explorer.kernels.convolution import ConvOptions, KernelResult
from explorer.kernels.display import DISPLAY_MODES, display_image, symmetric_limit, value_summary
from explorer.kernels.presets import Kernel
from explorer.kernels.steps import make_region
from explorer.models import DEFAULT_MODEL
from ui.charts import number_text, value_histogram
from ui.errors import user_errors
from ui.handout import ExportPanel, export_button
from ui.kernel_lab import cached_histogram, cached_result, colour_picker, kernel_picker, options_picker
from ui.kernel_steps import draw_pooling, play_or_show, region_pickers, step_controls
from ui.models import cached_model
from ui.number_tables import number_table, show_table
from ui.page_links import keep_in_link, rewrite_link
from ui.picker import require_image
from ui.present import presentation_mode, secondary_controls
from ui.quiz import presented_question

INTRO = (
    "A **kernel** is a small grid of numbers. At every position it multiplies the pixels under it by "
    "its numbers and adds the products up: that sum is one output pixel. That's all a convolution is."
)


def kernel_section() -> tuple[Kernel, ConvOptions]:
    """The colour mode, kernel and sliding options on the left, the kernel's numbers on the right."""
    controls, kernel_view = st.columns([3, 2])
    with controls, user_errors():
        color = colour_picker()
        kernel = kernel_picker(three_d=color == "rgb-sum")
        options = options_picker(color)
    with kernel_view:
        names, (k_h, k_w) = kernel.grid_names(), kernel.shape
        for index, (name, grid) in enumerate(zip(names, kernel.arrays())):
            title = f"{kernel.name}: {name} kernel" if name else f"{kernel.name} kernel"
            show_table(number_table(grid, f"{title} ({k_h}x{k_w})", name=f"kl_kernel_{index}"))
        if kernel.is_3d:
            st.markdown(
                f"Bias b = **{number_text(kernel.bias)}**. One {k_h}x{k_w}x3 filter, one output map: what one output "
                "channel of a `Conv2d(3, 1, kernel_size)` layer computes."
            )
    return kernel, options


def output_size_section(result: KernelResult, options: ConvOptions) -> None:
    """The output-size formula per axis with the photo's numbers plugged in, and the padding rule."""
    rows, cols = result.sizes
    st.subheader("Output size")
    why_p = f"'{options.padding}' padding" if isinstance(options.padding, str) else f"P = {options.padding}"
    st.code(
        f"kernel K_h x K_w = {rows.kernel} x {cols.kernel}, dilation D = {options.dilation}, stride S = "
        f"{options.stride}, {why_p}\n"
        f"{rows.effective_formula()};  {rows.padding_text()}\n{rows.formula()}\n"
        f"{cols.effective_formula()};  {cols.padding_text()}\n{cols.formula()}",
        language=None,
    )
    st.caption(
        "Height uses K_h and width uses K_w. 'same' pads K_eff - 1 zeros in total on each axis, half before and "
        "half after; when K_eff is even the extra zero goes on the bottom / right, as PyTorch's padding='same' "
        "and TensorFlow do. With stride S the output is ceil(size / S). 'full' pads K_eff - 1 on each side."
    )


def before_after_section(loaded: LoadedImage, result: KernelResult) -> tuple[int | None, str, np.ndarray]:
    """Input and output side by side, how signed values are shown, the numbers and the histogram.

    Returns the channel shown (None for all), the display mode and the displayed picture.
    """
    st.subheader("Before and after")
    shown_left, shown_right = st.columns(2)
    mode = shown_left.radio("Show negative and large values as", list(DISPLAY_MODES), horizontal=True, key="kl_display")
    names = result.channels
    channel_names = ["all", *names] if len(names) > 1 else list(names)
    picked = shown_right.radio("Channel", channel_names, horizontal=True, key="kl_channel")
    shown = None if picked == "all" else names.index(picked)
    shown_values = result.values if shown is None else result.values[:, :, shown : shown + 1]
    limit = symmetric_limit(shown_values)
    scale = (
        f" Here full blue = {-limit:.4g}, full red = +{limit:.4g}."
        if shown_values.shape[2] == 1
        else f" Here each channel: {-limit:.4g} → 0, 0 → 128, +{limit:.4g} → 255."
    )
    st.caption(DISPLAY_MODES[mode] + (scale if mode == "diverging" else ""))
    before, after = st.columns(2)
    before.image(
        result.source_plane(0).round().astype("uint8") if result.options.color == "gray" else loaded.image,
        caption=f"Input {loaded.size[0]}x{loaded.size[1]}",
        width="stretch",
    )
    picture = display_image(result.values, mode, shown)
    after.image(picture, caption=f"Output {result.values.shape[1]}x{result.values.shape[0]} ({mode})", width="stretch")
    summary = value_summary(shown_values)
    stats = st.columns(4)
    stats[0].metric("Smallest value", f"{summary['min']:.4g}")
    stats[1].metric("Largest value", f"{summary['max']:.4g}")
    stats[2].metric("Mean", f"{summary['mean']:.4g}")
    stats[3].metric("Outside 0..255", f"{summary['outside_0_255']:.1%}")
    counts, edges = cached_histogram(loaded.digest, result.kernel, result.options, shown, shown_values)
    with secondary_controls():
        st.plotly_chart(value_histogram(counts, edges, names if shown is None else (names[shown],)), key="kl_histogram")
    return shown, mode, picture


@st.fragment
def step_by_step(result: KernelResult, shown: int | None, mode: str, picture: np.ndarray, digest: str) -> None:
    """Steps and pooling rerun on their own: Next, Previous and Play redraw only this part of the page."""
    st.subheader("Step by step")
    st.markdown(
        "Pick a small block of output cells, then step through it: the yellow box is the kernel's window "
        "on the input, the products are pixel × weight, and their sum lands in the output cell."
    )
    left, top, size, step_channel = region_pickers(result)
    with user_errors():
        region = make_region(result, top, left, size)
    step, playing = step_controls(region)
    rewrite_link("kernel_lab")  # this part reruns alone: its choices reach the link here
    play_or_show(result, region, step, playing, step_channel)
    st.subheader("Pooling")
    st.markdown(
        "Pooling shrinks a feature map: **max** keeps the strongest response in each window, "
        "**average** keeps their mean. Windows that would run past the edge are dropped."
    )
    draw_pooling(result, region, step_channel, shown, mode, digest, picture)


def kernel_lab() -> None:
    """Choose a kernel and how it slides, see the output size, the result, and every step of it."""
    presenting = presentation_mode()
    keep_in_link("kernel_lab")
    st.title("Kernel lab")
    st.markdown(INTRO)
    loaded = require_image()
    kernel, options = kernel_section()
    rewrite_link("kernel_lab")  # the grid editors keep their numbers as they draw: the link follows at once
    if presenting:
        presented_question(loaded, cached_model(DEFAULT_MODEL), ("output_size", "step_sum", "pooling"), "kl_quiz")
    with user_errors():
        result = cached_result(loaded.digest, kernel, options, loaded)
    output_size_section(result, options)
    shown, mode, picture = before_after_section(loaded, result)
    output = f"Output {picture.shape[1]}x{picture.shape[0]}: {result.kernel.name} ({mode})"
    export_button(
        "kernel_lab", f"Kernel lab: {result.kernel.name}", lambda: [ExportPanel(output, picture)], loaded.image
    )
    step_by_step(result, shown, mode, picture, loaded.digest)


kernel_lab()
