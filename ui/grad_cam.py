"""Glue for the Grad-CAM studio: cached layer lists, CAMs, saliency and faithfulness, and thumbnails.

CAMs are cached per (model, image digest, layer, method, classes) with ``st.cache_data``: one forward
serves the top-5 classes, and display-only changes (opacity, colour map, threshold) only redraw.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer.cam.evaluation import Faithfulness, faithfulness, gradient_saliency, map_similarity
from explorer.cam.methods import CamSet, compute_cams
from explorer.cam.targets import CamLayer, cam_layers, default_layer
from explorer.drawing import heatmap, overlay, png_bytes
from explorer.images import LoadedImage
from explorer.models import LoadedModel
from ui.charts import display_photo
from ui.models import cached_model

TOP_K = 5


@st.cache_data(max_entries=32, show_spinner=False)
def layers_of(name: str, size: tuple[int, int] = (224, 224)) -> tuple[CamLayer, ...]:
    """The network's blocks, then its convolutions, with output shapes for an input of ``size`` (height, width)."""
    return cam_layers(cached_model(name).module, size)


def auto_layer(name: str, size: tuple[int, int] = (224, 224)) -> str:
    """The last block whose output is larger than 1x1 for an input of ``size`` (ResNet's ``layer4``)."""
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
    name: str,
    digest: str,
    _image: LoadedImage,
    layer: str,
    method: str,
    classes: tuple[int, ...] | None,
    pretrained: bool = True,
) -> CamSet:
    """CAMs of ``classes`` (None: the top-5) from one forward; cached by the image's digest."""
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
    name: str,
    digest: str,
    _image: LoadedImage,
    layer: str,
    method: str,
    index: int,
    fraction: float,
    fill: str,
    _cam: np.ndarray,
) -> Faithfulness:
    """Probability after hiding the CAM's top region vs random regions of the same size.

    ``_cam`` is the map the page already shows; (layer, method, index) identify it in the cache key.
    """
    model = cached_model(name)
    return faithfulness(model.module, model.preprocess(_image.image), _cam, index, fraction, fill)


@st.cache_data(max_entries=32, show_spinner=False)
def overlay_png(
    digest: str, _image: LoadedImage, cam: np.ndarray, opacity: float, colormap: str, threshold: float
) -> bytes:
    """The overlay at the photo's full size, as PNG bytes for the download button."""
    heat = heatmap(cam, _image.size)
    return png_bytes(overlay(_image.to_array(), heat, opacity, colormap, threshold))


def thumbnail(image: LoadedImage, cam: np.ndarray, opacity: float, colormap: str, threshold: float) -> np.ndarray:
    """A small static overlay for the methods x classes grid."""
    photo = display_photo(image, 320)
    heat = heatmap(cam, (photo.shape[1], photo.shape[0]))
    return overlay(photo, heat, opacity, colormap, threshold)


def similarity(first: np.ndarray, second: np.ndarray) -> float:
    """How alike two maps are (Pearson correlation on the first one's grid): the sanity check's number."""
    return map_similarity(first, second)
