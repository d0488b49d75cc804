"""Kernel-lab glue: cached convolution, pooling and histogram, and the kernel and option widgets.

The convolution is cached on (image digest, kernel, options) only, so changing how a result is shown
(display mode, channel, histogram, step) re-draws from the cache instead of convolving again. It lives in
the size-bounded shared cache (``ui.cache``): the read-only result is shared, not unpickled into a copy on
every rerun. A big convolution (a large kernel on a large photo) is a heavy job (``ui.jobs``).
"""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
import streamlit as st

from explorer.images import LoadedImage
from explorer.kernels.convolution import ConvOptions, KernelResult, apply_kernel
from explorer.kernels.display import histogram
from explorer.kernels.presets import MAX_SIZE, PRESETS, Kernel, custom_kernel, parse_kernel_text
from explorer.kernels.steps import pool
from ui.cache import shared_cache
from ui.jobs import heavy_job

PRESET, GRID, TEXT = "Preset", "Edit a grid", "Type numbers"
PADDING_CHOICES = ["same", "valid", "full", "number"]
COLOURS = {"rgb": "Each RGB channel", "gray": "Greyscale"}
OPERATIONS = {"conv": "Convolution (flips kernel)", "corr": "Cross-correlation"}


HEAVY_MULTIPLY_ADDS = 50_000_000
"""A convolution with more multiply-adds than this (a 5x5 kernel on a 2-megapixel photo) waits its turn."""


@shared_cache(spinner="Convolving...")
def cached_result(digest: str, kernel: Kernel, options: ConvOptions, _image: LoadedImage) -> KernelResult:
    """Convolve once per (image digest, kernel, options); ``_image`` is not hashed, its digest is."""
    width, height = _image.size
    work = width * height * kernel.size**2 * (3 if options.color == "rgb" else 1)
    with heavy_job() if work > HEAVY_MULTIPLY_ADDS else contextlib.nullcontext():
        return apply_kernel(_image.to_array(), kernel, options)


@st.cache_data(max_entries=8, show_spinner=False)
def cached_pool(digest: str, kernel: Kernel, options: ConvOptions, kind: str, _values: np.ndarray) -> np.ndarray:
    """Pool the whole result once per (image digest, kernel, options, kind)."""
    return pool(_values, kind)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_histogram(
    digest: str, kernel: Kernel, options: ConvOptions, channel: int | None, _values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Histogram counts and edges of the shown channel(s), once per result and channel choice."""
    return histogram(_values)


def kernel_picker() -> Kernel:
    """Choose a preset, edit a grid of numbers, or type them; raises ExplorerError for bad numbers."""
    how = st.radio("Kernel", [PRESET, GRID, TEXT], horizontal=True, key="kl_source")
    if how == PRESET:
        names = list(PRESETS)
        name = st.selectbox(
            "Preset", names, index=names.index("sobel_x"), key="kl_preset", format_func=lambda n: n.replace("_", " ")
        )
        st.info(PRESETS[name].explanation, icon=":material/lightbulb:")
        return PRESETS[name]
    if how == GRID:
        size = st.selectbox(
            "Size", list(range(1, MAX_SIZE + 1, 2)), index=1, key="kl_grid_size", format_func=lambda n: f"{n} x {n}"
        )
        start = np.zeros((size, size))
        start[size // 2, size // 2] = 1.0
        frame = pd.DataFrame(start, columns=[str(c) for c in range(size)])
        edited = st.data_editor(
            frame,
            key=f"kl_grid_{size}",
            hide_index=True,
            width="stretch",
            column_config={c: st.column_config.NumberColumn(c, format="%.4g") for c in frame},
        )
        weights = edited.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        text = st.text_area(
            "Rows separated by ';' or new lines; numbers by spaces or commas; 1/9 works",
            "1 0 -1; 2 0 -2; 1 0 -1",
            key="kl_text",
        )
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
    color = st.radio("Colour", list(COLOURS), horizontal=True, key="kl_color", format_func=COLOURS.get)
    mode = st.radio("Operation", list(OPERATIONS), horizontal=True, key="kl_mode", format_func=OPERATIONS.get)
    return ConvOptions(stride=int(stride), padding=padding, dilation=int(dilation), color=color, mode=mode)
