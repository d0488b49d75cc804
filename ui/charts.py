"""Every Plotly chart of the app, and the one set of font sizes they use.

Pages ask for a figure here and draw it; nothing else builds Plotly figures. Sizes are chosen to be
read on a projector; colour-scale names are those of ``explorer.drawing.COLORMAPS`` (Plotly knows the
same lowercase names), so the overlay on screen and the downloaded PNG use the same colours.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from PIL import Image

from explorer.drawing import heatmap as stretch
from explorer.images import LoadedImage
from explorer.models import Prediction
from ui.present import BODY_PX, presenting

FONT = 16
"""Body text of every chart: axis titles, tick labels, hover text."""
TITLE_FONT = 20
CELL_FONT_SMALL = 11
"""Numbers written inside the cells of a grid wider than 9 cells."""
BAR_COLOUR = "#3b6ea8"
CHANNEL_COLOURS = {"red": "#d62728", "green": "#2ca02c", "blue": "#1f77b4", "grey": "#555555", "feature map": "#6a3d9a"}
HOVER_SIDE = 160
"""The hover layer of an overlay is at most this many cells wide or high: hover stays quick."""
NO_TOOLBAR = {"displayModeBar": False}
PRESENT_FONT = BODY_PX
"""Every chart text in presentation mode: titles, axis titles, tick labels, colour bars, legends, hover."""
PRESENT_TITLE_FONT = 30
PRESENT_TEXT = "#111111"
"""Near-black, for tick labels and titles a projector washes out when they are grey."""
PRESENT_GROWTH = 1.35
"""Charts are this much taller in presentation mode, up to ``PRESENT_MAX_HEIGHT`` pixels."""
PRESENT_MAX_HEIGHT = 640


def chart_layout(figure: go.Figure, title: str | None, height: int, margin: dict[str, int] | None = None) -> go.Figure:
    """Every chart's title, height, fonts and margins, restyled for a projector while presenting."""
    figure.update_layout(
        title={"text": title, "font": {"size": TITLE_FONT}} if title else None,
        height=height,
        font={"size": FONT},
        hoverlabel={"font": {"size": FONT}},
        margin=margin or {"l": 10, "r": 10, "t": 50 if title else 10, "b": 10},
    )
    return for_presentation(figure) if presenting() else figure


def for_presentation(figure: go.Figure) -> go.Figure:
    """Restyle ``figure`` for a projector: every text at least ``PRESENT_FONT`` px and near-black, taller.

    Numbers written inside grid cells grow by half (a 15x15 grid's numbers must still fit their cells).
    """
    big = {"size": PRESENT_FONT, "color": PRESENT_TEXT}
    layout = figure.layout
    figure.update_layout(
        font=big,
        hoverlabel={"font": {"size": PRESENT_FONT}},
        legend={"font": big},
        height=min(PRESENT_MAX_HEIGHT, max(int((layout.height or 320) * PRESENT_GROWTH), layout.height or 0)),
    )
    if layout.title.text:
        figure.update_layout(title={"font": {"size": PRESENT_TITLE_FONT, "color": PRESENT_TEXT}})
        figure.update_layout(margin={"t": max(layout.margin.t or 0, 70)})
    figure.update_xaxes(tickfont=big, title_font=big)
    figure.update_yaxes(tickfont=big, title_font=big)
    figure.update_annotations(font_size=PRESENT_FONT)
    for trace in figure.data:
        if "colorbar" in trace:
            trace.update(colorbar={"tickfont": big, "title": {"font": big, "side": "right"}})  # not above its top tick
        if "textfont" in trace:
            size = trace.textfont.size or FONT
            trace.update(textfont={"size": max(size, round(size * 1.5))})
    return figure


def number_text(value: float) -> str:
    """A short label for a number: whole numbers without decimals, others to 2 decimals."""
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    return f"{value:.2f}" if abs(value) < 1000 else f"{value:.0f}"


def value_histogram(counts: np.ndarray, edges: np.ndarray, channels: Sequence[str]) -> go.Figure:
    """Bars of how many output values fall in each range, one colour per channel, 0 and 255 marked."""
    centres, width = (edges[:-1] + edges[1:]) / 2, edges[1] - edges[0]
    figure = go.Figure()
    for index, name in enumerate(channels):
        figure.add_bar(
            x=centres, y=counts[index], width=width, name=name, opacity=0.6, marker_color=CHANNEL_COLOURS[name]
        )
    for edge in (0, 255):
        if edges[0] <= edge <= edges[-1]:
            figure.add_vline(x=edge, line_dash="dash", annotation_text=str(edge), annotation_font_size=FONT)
    figure.update_layout(barmode="overlay", xaxis_title="output value", yaxis_title="pixels")
    return chart_layout(figure, "Histogram of output values", 320, {"l": 10, "r": 10, "t": 40, "b": 10})


def weight_histogram(edges: np.ndarray, counts: np.ndarray, title: str) -> go.Figure:
    """A histogram of weights drawn from precomputed counts (so the raw weights never travel to the browser)."""
    centres = (edges[:-1] + edges[1:]) / 2
    figure = go.Figure(
        go.Bar(
            x=centres,
            y=counts,
            width=np.diff(edges),
            marker_color=BAR_COLOUR,
            hovertemplate="%{x:.4f}: %{y} weights<extra></extra>",
        )
    )
    figure.update_layout(xaxis={"title": "weight value"}, yaxis={"title": "count"}, bargap=0)
    return chart_layout(figure, title, 320, {"l": 10, "r": 10, "t": 50, "b": 40})


def predictions_chart(predictions: Sequence[Prediction]) -> go.Figure:
    """A horizontal bar chart of the classes, best at the top, with percentages on the bars."""
    top = list(predictions)[::-1]
    figure = go.Figure(
        go.Bar(
            x=[p.prob * 100 for p in top],
            y=[p.label for p in top],
            orientation="h",
            text=[f"{p.prob:.1%}" for p in top],
            textposition="auto",
            marker_color=BAR_COLOUR,
            hovertemplate="%{y}: %{x:.2f}%<extra></extra>",
        )
    )
    figure.update_layout(xaxis={"title": "probability (%)", "range": [0, max(100 * top[-1].prob * 1.15, 5)]})
    return chart_layout(figure, None, 60 + 44 * len(top), {"l": 10, "r": 10, "t": 10, "b": 40})


def value_heatmap(values: np.ndarray, title: str, colorscale: str = "viridis", zmid: float | None = None) -> go.Figure:
    """An interactive heatmap with each value on hover; rows top to bottom like the image."""
    figure = go.Figure(
        go.Heatmap(
            z=values.astype(np.float32),
            colorscale=colorscale,
            zmid=zmid,
            hovertemplate="x=%{x}, y=%{y}<br>value=%{z:.4f}<extra></extra>",
        )
    )
    height, width = values.shape
    figure.update_layout(
        yaxis={"autorange": "reversed", "scaleanchor": "x", "constrain": "domain"}, xaxis={"constrain": "domain"}
    )
    return chart_layout(figure, title, int(min(640, max(280, 520 * height / max(width, 1)))))


def display_photo(image: LoadedImage, side: int = 900) -> np.ndarray:
    """The photo, at most ``side`` pixels on its longer side, for drawing in the browser."""
    if max(image.size) <= side:
        return image.to_array()
    scale = side / max(image.size)
    return np.asarray(image.image.resize((max(1, round(image.size[0] * scale)), max(1, round(image.size[1] * scale)))))


@st.cache_data(max_entries=32, show_spinner=False)
def photo_source(digest: str, _image: LoadedImage, side: int = 900) -> tuple[str, int, int]:
    """The photo (by its digest) as a JPEG data URI at most ``side`` pixels on its longer side, and its width
    and height in pixels.

    Plotly draws an image given by ``source`` as one SVG image the browser decodes; given as ``z`` it paints
    every pixel with its own ``fillRect``: 0.5 s of Chromium's time per studio panel on the 2-core test
    machine, at every colour map, opacity, layer or method change.
    """
    photo = display_photo(_image, side)
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, format="JPEG", quality=90)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode(), photo.shape[1], photo.shape[0]


def cam_overlay(
    image: LoadedImage, cam: np.ndarray, opacity: float, colormap: str, threshold: float, title: str
) -> go.Figure:
    """The photo with the CAM on top, pixel-aligned; hovering shows the CAM value under the pointer."""
    width, height = image.size
    scale = min(1.0, HOVER_SIDE / max(width, height))
    cells = (max(1, round(width * scale)), max(1, round(height * scale)))
    heat = stretch(cam, cells)
    shown = np.where(heat >= threshold, heat, np.nan)
    xs = (np.arange(cells[0]) + 0.5) * width / cells[0]
    ys = (np.arange(cells[1]) + 0.5) * height / cells[1]
    source, photo_width, photo_height = photo_source(image.digest, image)
    figure = go.Figure()
    figure.add_trace(go.Image(source=source, dx=width / photo_width, dy=height / photo_height, hoverinfo="skip"))
    figure.add_trace(
        go.Heatmap(
            z=shown,
            x=xs,
            y=ys,
            zmin=0,
            zmax=1,
            colorscale=colormap,
            opacity=opacity,
            hovertemplate="x %{x:.0f}, y %{y:.0f}<br>CAM %{z:.2f}<extra></extra>",
            colorbar={"title": {"text": "CAM"}, "thickness": 14, "len": 0.9},
        )
    )
    figure.update_xaxes(visible=False, range=[0, width], constrain="domain")
    figure.update_yaxes(visible=False, range=[height, 0], scaleanchor="x")
    return chart_layout(
        figure, title, int(min(560, max(280, 480 * height / width + 60))), {"l": 0, "r": 0, "t": 48, "b": 0}
    )


def faithfulness_chart(labels: Sequence[str], values: Sequence[float], class_name: str) -> go.Figure:
    """The class probability with nothing hidden (blue), the CAM's region hidden (red) and random regions (grey)."""
    colours = ["#4c78a8", "#e45756"] + ["#bab0ac"] * (len(values) - 2)
    figure = go.Figure(go.Bar(x=list(labels), y=list(values), marker_color=colours, texttemplate="%{y:.1%}"))
    figure.update_layout(yaxis={"title": f"p({class_name})", "tickformat": ".0%"})
    return chart_layout(figure, None, 420, {"l": 10, "r": 10, "t": 30, "b": 10})
