"""Glue for the Grad-CAM studio: cached models and CAMs, and the Plotly overlay with hover values.

CAMs are cached per (model, image digest, layer, method, classes) with ``st.cache_data``: one forward
serves the top-5 classes, and display-only changes (opacity, colour map, threshold) only redraw.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from explorer.cam import CamSet, compute_cams
from explorer.cam_eval import Faithfulness, faithfulness, gradient_saliency
from explorer.drawing import heatmap, overlay, png_bytes
from explorer.cam_targets import ConvLayer, conv_layers, default_layer
from explorer.images import LoadedImage
from explorer.models import LoadedModel
from ui.models import cached_model

TOP_K = 5
PLOTLY_SCALES = {"viridis": "Viridis", "cividis": "Cividis", "inferno": "Inferno", "turbo": "Turbo", "jet": "Jet"}
HOVER_SIDE = 160
"""The heatmap layer of the figure is at most this many cells wide or high: hover stays quick."""

COMPUTE_COUNT = {"cams": 0}
"""How many times CAMs were actually computed in this process (tests check that redraws do not)."""


@st.cache_data(max_entries=32, show_spinner=False)
def layers_of(name: str, size: tuple[int, int] = (224, 224)) -> tuple[ConvLayer, ...]:
    """The network's convolutions with their output shapes for an input of ``size`` (height, width)."""
    return conv_layers(cached_model(name).module, size)


def auto_layer(name: str, size: tuple[int, int] = (224, 224)) -> str:
    """The last convolution larger than 1x1 for an input of ``size``."""
    return default_layer(layers_of(name, size))


def reset_choices_for(digest: str, model_name: str) -> None:
    """Back to the defaults when the photo or the network changes: the class pickers to the new photo's
    top classes, and (for a new network) the layer pickers to its default layer."""
    last = st.session_state.get("cam_shown_for")
    if last == (digest, model_name):
        return
    stale = ("class",) if last and last[1] == model_name else ("class", "layer")
    for kind in stale:
        for side in ("left", "right"):
            st.session_state.pop(f"cam_{kind}_{side}", None)
    st.session_state["cam_shown_for"] = (digest, model_name)


def input_size(model: LoadedModel, image: LoadedImage) -> tuple[int, int]:
    """(height, width) of the tensor ``model`` sees for ``image``: layer shapes are shown for this size."""
    width, height = model.spec.preprocessing.input_size(*image.size)
    return height, width


@st.cache_data(max_entries=64, show_spinner="Computing the class activation maps…")
def cams(
    name: str, digest: str, _image: LoadedImage, layer: str, method: str, classes: tuple[int, ...] | None,
    pretrained: bool = True,
) -> CamSet:
    """CAMs of ``classes`` (None: the top-5) from one forward; cached by the image's digest."""
    COMPUTE_COUNT["cams"] += 1
    model = cached_model(name, pretrained)
    inputs = model.preprocess(_image.image)
    return compute_cams(model.module, inputs, layer, method, classes, top_k=TOP_K)


@st.cache_data(max_entries=16, show_spinner="Computing pixel saliency…")
def saliency(name: str, digest: str, _image: LoadedImage, index: int) -> np.ndarray:
    """Vanilla gradient saliency of one class at the network's input resolution."""
    model = cached_model(name)
    return gradient_saliency(model.module, model.preprocess(_image.image), index)


@st.cache_data(max_entries=16, show_spinner="Hiding regions and asking the network again…")
def faithfulness_of(
    name: str, digest: str, _image: LoadedImage, layer: str, method: str, index: int, fraction: float, fill: str,
    _cam: np.ndarray,
) -> Faithfulness:
    """Probability after hiding the CAM's top region vs random regions of the same size.

    ``_cam`` is the map the page already shows; (layer, method, index) identify it in the cache key.
    """
    model = cached_model(name)
    return faithfulness(model.module, model.preprocess(_image.image), _cam, index, fraction, fill)


@st.cache_data(max_entries=32, show_spinner=False)
def overlay_png(digest: str, _image: LoadedImage, cam: np.ndarray, opacity: float, colormap: str, threshold: float) -> bytes:
    """The overlay at the photo's full size, as PNG bytes for the download button."""
    heat = heatmap(cam, _image.size)
    return png_bytes(overlay(_image.to_array(), heat, opacity, colormap, threshold))


def overlay_figure(
    image: LoadedImage, cam: np.ndarray, opacity: float, colormap: str, threshold: float, title: str
) -> go.Figure:
    """The photo with the CAM on top, pixel-aligned; hovering shows the CAM value under the pointer."""
    width, height = image.size
    scale = min(1.0, HOVER_SIDE / max(width, height))
    cells = (max(1, round(width * scale)), max(1, round(height * scale)))
    heat = heatmap(cam, cells)
    shown = np.where(heat >= threshold, heat, np.nan)
    xs = (np.arange(cells[0]) + 0.5) * width / cells[0]
    ys = (np.arange(cells[1]) + 0.5) * height / cells[1]
    photo = _display_photo(image)
    figure = go.Figure()
    figure.add_trace(go.Image(z=photo, dx=width / photo.shape[1], dy=height / photo.shape[0], hoverinfo="skip"))
    figure.add_trace(go.Heatmap(
        z=shown, x=xs, y=ys, zmin=0, zmax=1, colorscale=PLOTLY_SCALES[colormap], opacity=opacity,
        hovertemplate="x %{x:.0f}, y %{y:.0f}<br>CAM %{z:.2f}<extra></extra>",
        colorbar={"title": {"text": "CAM"}, "thickness": 14, "len": 0.9},
    ))
    figure.update_xaxes(visible=False, range=[0, width], constrain="domain")
    figure.update_yaxes(visible=False, range=[height, 0], scaleanchor="x")
    figure.update_layout(
        title={"text": title, "font": {"size": 20}}, margin={"l": 0, "r": 0, "t": 48, "b": 0},
        height=int(min(560, max(280, 480 * height / width + 60))), font={"size": 16},
    )
    return figure


def _display_photo(image: LoadedImage, side: int = 900) -> np.ndarray:
    """The photo, at most ``side`` pixels on its longer side, for drawing in the browser."""
    if max(image.size) <= side:
        return image.to_array()
    scale = side / max(image.size)
    return np.asarray(image.image.resize((round(image.size[0] * scale), round(image.size[1] * scale))))


def thumbnail(image: LoadedImage, cam: np.ndarray, opacity: float, colormap: str, threshold: float) -> np.ndarray:
    """A small static overlay for the methods x classes grid."""
    photo = _display_photo(image, 320)
    heat = heatmap(cam, (photo.shape[1], photo.shape[0]))
    return overlay(photo, heat, opacity, colormap, threshold)

