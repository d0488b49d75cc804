"""Kernel-lab glue: cached convolution and pooling, the kernel and option widgets, number-grid plots.

The convolution is cached on (image digest, kernel, options) only, so changing how a result is shown
(display mode, channel, histogram, step) re-draws from the cache instead of convolving again. It is a
``st.cache_resource``: the read-only result is shared, not unpickled into a copy on every rerun.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from explorer.convolution import ConvOptions, KernelResult, apply_kernel
from explorer.convolution_steps import pool
from explorer.images import LoadedImage
from explorer.kernel_display import histogram
from explorer.kernels import MAX_SIZE, PRESETS, Kernel, custom_kernel, parse_kernel_text

PRESET, GRID, TEXT = "Preset", "Edit a grid", "Type numbers"
PADDING_CHOICES = ["same", "valid", "full", "number"]
CHANNEL_COLOURS = {"red": "#d62728", "green": "#2ca02c", "blue": "#1f77b4", "grey": "#555555"}
FONT = 16


@st.cache_resource(max_entries=8, show_spinner="Convolving...")
def cached_result(digest: str, kernel: Kernel, options: ConvOptions, _image: LoadedImage) -> KernelResult:
    """Convolve once per (image digest, kernel, options); ``_image`` is not hashed, its digest is."""
    return apply_kernel(_image.to_array(), kernel, options)


@st.cache_data(max_entries=8, show_spinner=False)
def cached_pool(digest: str, kernel: Kernel, options: ConvOptions, kind: str, _values: np.ndarray) -> np.ndarray:
    """Pool the whole result once per (image digest, kernel, options, kind)."""
    return pool(_values, kind)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_histogram(digest: str, kernel: Kernel, options: ConvOptions, channel: int | None,
                     _values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Histogram counts and edges of the shown channel(s), once per result and channel choice."""
    return histogram(_values)


def kernel_picker() -> Kernel:
    """Choose a preset, edit a grid of numbers, or type them; raises ExplorerError for bad numbers."""
    how = st.radio("Kernel", [PRESET, GRID, TEXT], horizontal=True, key="kl_source")
    if how == PRESET:
        names = list(PRESETS)
        name = st.selectbox("Preset", names, index=names.index("sobel_x"), key="kl_preset",
                            format_func=lambda n: n.replace("_", " "))
        st.info(PRESETS[name].explanation, icon=":material/lightbulb:")
        return PRESETS[name]
    if how == GRID:
        size = st.selectbox("Size", list(range(1, MAX_SIZE + 1, 2)), index=1, key="kl_grid_size",
                            format_func=lambda n: f"{n} x {n}")
        start = np.zeros((size, size))
        start[size // 2, size // 2] = 1.0
        frame = pd.DataFrame(start, columns=[str(c) for c in range(size)])
        edited = st.data_editor(frame, key=f"kl_grid_{size}", hide_index=True, width="stretch",
                                column_config={c: st.column_config.NumberColumn(c, format="%.4g") for c in frame})
        weights = edited.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        text = st.text_area("Rows separated by ';' or new lines; numbers by spaces or commas; 1/9 works",
                            "1 0 -1; 2 0 -2; 1 0 -1", key="kl_text")
        weights = parse_kernel_text(text)
    normalise = st.checkbox("Normalise so the numbers sum to 1", key="kl_normalise")
    return custom_kernel(weights, normalise=normalise)


def options_picker() -> ConvOptions:
    """Stride, padding, dilation, colour and convolution-or-correlation widgets."""
    left, right = st.columns(2)
    stride = left.number_input("Stride S", 1, 8, 1, key="kl_stride")
    dilation = right.number_input("Dilation D", 1, 6, 1, key="kl_dilation")
    padding: str | int = left.selectbox("Padding", PADDING_CHOICES, key="kl_padding")
    if padding == "number":
        padding = int(right.number_input("Zeros per side P", 0, 64, 1, key="kl_padding_number"))
    color = st.radio("Colour", ["rgb", "gray"], horizontal=True, key="kl_color",
                     format_func=lambda c: "Each RGB channel" if c == "rgb" else "Greyscale")
    mode = st.radio("Operation", ["conv", "corr"], horizontal=True, key="kl_mode",
                    format_func=lambda m: "Convolution (flips kernel)" if m == "conv" else "Cross-correlation")
    return ConvOptions(stride=int(stride), padding=padding, dilation=int(dilation), color=color, mode=mode)


def number_text(value: float) -> str:
    """A short label for a number: whole numbers without decimals, others to 2 decimals."""
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    return f"{value:.2f}" if abs(value) < 1000 else f"{value:.0f}"


def number_grid(values: np.ndarray, title: str, signed: bool = True, highlight: tuple[int, int, int, int] | None = None,
                blank: np.ndarray | None = None, height: int = 340) -> go.Figure:
    """A heatmap with each cell's number written on it (rows top to bottom); ``blank`` hides cells not yet computed."""
    shown = np.where(blank, np.nan, values) if blank is not None else values
    text = [["" if np.isnan(v) else number_text(v) for v in row] for row in shown]
    many = values.shape[0] * values.shape[1] > 15 * 15
    limit = float(np.nanmax(np.abs(values))) if values.size else 1.0
    scale = dict(colorscale="RdBu", reversescale=True, zmid=0, zmin=-(limit or 1), zmax=limit or 1) if signed \
        else dict(colorscale="gray", zmin=0, zmax=255)
    figure = go.Figure(go.Heatmap(z=shown, text=None if many else text, texttemplate=None if many else "%{text}",
                                  textfont={"size": FONT if values.shape[1] <= 9 else 11}, showscale=False,
                                  hovertemplate="row %{y}, col %{x}: %{z}<extra></extra>", xgap=1, ygap=1, **scale))
    if highlight is not None:
        top, left, bottom, right = highlight
        figure.add_shape(type="rect", x0=left - 0.5, x1=right + 0.5, y0=top - 0.5, y1=bottom + 0.5,
                         line=dict(color="#ffbf00", width=4))
    figure.update_layout(title=dict(text=title, font=dict(size=FONT + 2)), height=height,
                         margin=dict(l=10, r=10, t=50, b=10), font=dict(size=FONT))
    figure.update_yaxes(autorange="reversed", showticklabels=False, scaleanchor="x")
    figure.update_xaxes(showticklabels=False)
    return figure


def histogram_figure(counts: np.ndarray, edges: np.ndarray, channels: tuple[str, ...]) -> go.Figure:
    """Bars of how many output values fall in each range, one colour per channel, 0 and 255 marked."""
    centres, width = (edges[:-1] + edges[1:]) / 2, edges[1] - edges[0]
    figure = go.Figure()
    for index, name in enumerate(channels):
        figure.add_bar(x=centres, y=counts[index], width=width, name=name, opacity=0.6,
                       marker_color=CHANNEL_COLOURS[name])
    for edge in (0, 255):
        if edges[0] <= edge <= edges[-1]:
            figure.add_vline(x=edge, line_dash="dash", annotation_text=str(edge), annotation_font_size=FONT)
    figure.update_layout(barmode="overlay", height=320, margin=dict(l=10, r=10, t=40, b=10), font=dict(size=FONT),
                         title=dict(text="Histogram of output values", font=dict(size=FONT + 2)),
                         xaxis_title="output value", yaxis_title="pixels")
    return figure
