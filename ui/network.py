"""Glue for the network pages: the cached forward pass and shared charts.

The model comes from ``ui.models`` (one shared, frozen copy per process). The forward pass is cached
with ``st.cache_resource`` keyed on (model name, image digest): its read-only arrays are shared, not
unpickled into a fresh copy on every rerun as ``st.cache_data`` would, so changing a layer, a channel,
the sort or the normalisation only re-draws and never runs the network again.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from explorer.features import NetworkRun, run_network
from explorer.images import LoadedImage
from explorer.models import LoadedModel
from ui.common import require_image, user_errors
from ui.models import cached_model, model_picker

FONT = {"size": 16}
"""Chart text large enough to read on a projector."""


@st.cache_resource(max_entries=4, show_spinner="Running the network on your photo...")
def cached_run(model_name: str, image_digest: str, _image: LoadedImage) -> NetworkRun:
    """One forward pass per (model, image): predictions and every layer's feature maps."""
    return run_network(cached_model(model_name), _image.image)


def network_page(title: str, intro: str) -> tuple[LoadedImage, LoadedModel, NetworkRun]:
    """The top of every network page: title, one-paragraph intro, the photo, the model and its one pass."""
    st.title(title)
    st.markdown(intro)
    image = require_image()
    with user_errors():
        model = model_picker()
        run = network_run(model, image)
    return image, model, run


def network_run(model: LoadedModel, image: LoadedImage) -> NetworkRun:
    """The cached forward pass of ``model`` on ``image``."""
    return cached_run(model.name, image.digest, image)


def predictions_chart(run: NetworkRun, k: int = 5) -> go.Figure:
    """A horizontal bar chart of the top-k classes, best at the top, with percentages on the bars."""
    top = run.predictions[:k][::-1]
    figure = go.Figure(go.Bar(
        x=[p.prob * 100 for p in top], y=[p.label for p in top], orientation="h",
        text=[f"{p.prob:.1%}" for p in top], textposition="auto", marker_color="#3b6ea8",
        hovertemplate="%{y}: %{x:.2f}%<extra></extra>",
    ))
    figure.update_layout(
        height=60 + 44 * len(top), margin={"l": 10, "r": 10, "t": 10, "b": 40}, font=FONT,
        xaxis={"title": "probability (%)", "range": [0, max(100 * top[-1].prob * 1.15, 5)]},
    )
    return figure


def show_predictions(run: NetworkRun, model: LoadedModel) -> None:
    """What the network thinks the photo is, as a bar chart with a one-line caption."""
    st.markdown(f"**{model.title} thinks this is:**")
    st.plotly_chart(predictions_chart(run), width="stretch")
    if not model.pretrained:
        st.caption("These weights are random, so the guesses are meaningless.")


def heatmap(values: np.ndarray, title: str, colorscale: str = "Viridis", zmid: float | None = None) -> go.Figure:
    """An interactive heatmap with each value on hover; rows top to bottom like the image."""
    figure = go.Figure(go.Heatmap(
        z=values.astype(np.float32), colorscale=colorscale, zmid=zmid,
        hovertemplate="x=%{x}, y=%{y}<br>value=%{z:.4f}<extra></extra>",
    ))
    height, width = values.shape
    figure.update_layout(
        title=title, font=FONT, margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=int(min(640, max(280, 520 * height / max(width, 1)))),
        yaxis={"autorange": "reversed", "scaleanchor": "x", "constrain": "domain"},
        xaxis={"constrain": "domain"},
    )
    return figure


def bars(edges: np.ndarray, counts: np.ndarray, title: str) -> go.Figure:
    """A histogram drawn from precomputed counts (so the raw weights never travel to the browser)."""
    centres = (edges[:-1] + edges[1:]) / 2
    figure = go.Figure(go.Bar(x=centres, y=counts, width=np.diff(edges), marker_color="#3b6ea8",
                              hovertemplate="%{x:.4f}: %{y} weights<extra></extra>"))
    figure.update_layout(title=title, font=FONT, height=320, margin={"l": 10, "r": 10, "t": 50, "b": 40},
                         xaxis={"title": "weight value"}, yaxis={"title": "count"}, bargap=0)
    return figure
