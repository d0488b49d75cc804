"""Glue for the Grad-CAM studio: the ranking, shared layer gradients, CAMs derived from them, Score-CAM on
request, saliency, the sanity check's maps, faithfulness and the overlay PNG.

One forward (grad mode only after the layer) and one backward through the head per class give a layer's
gradients for the classes the page needs at once (the top three and the default contrast class); they are
cached per (model, image digest, layer, classes) and every gradient method of that layer is derived from
them without touching the network again. Score-CAM and faithfulness run only when asked, as heavy jobs
(``ui.jobs``). Big results live in the size-bounded cache of ``ui.cache``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from explorer.cam.evaluation import Faithfulness, faithfulness, gradient_saliency, map_similarity
from explorer.cam.gradients import LayerGradients, layer_gradients
from explorer.cam.kinds import contrast_class
from explorer.cam.methods import GRADIENT_METHODS, CamSet, cams_from_gradients, compute_cams
from explorer.cam.score_cam import Progress
from explorer.cam.targets import CamLayer, cam_layers, default_layer
from explorer.device import friendly_oom
from explorer.drawing import heatmap, overlay, png_bytes
from explorer.images import LoadedImage
from explorer.models import LoadedModel
from ui.cache import shared_cache
from ui.charts import display_photo
from ui.jobs import heavy_job
from ui.models import cached_model

TOP_K = 5
GRID_CLASSES = 3


@st.cache_data(max_entries=32, show_spinner=False)
def layers_of(name: str, size: tuple[int, int] = (224, 224)) -> tuple[CamLayer, ...]:
    """The network's blocks, then its convolutions, with output shapes for an input of ``size`` (height, width)."""
    with friendly_oom():
        return cam_layers(cached_model(name).module, size)


def auto_layer(name: str, size: tuple[int, int] = (224, 224)) -> str:
    """The last block whose output is larger than 1x1 for an input of ``size`` (ResNet's ``layer4``)."""
    return default_layer(layers_of(name, size))


def reset_choices_for(digest: str, model_name: str) -> None:
    """Back to the defaults when the photo or the network changes: the class pickers to the new photo's
    top classes, and (for a new network) the layer pickers to its default layer. On the studio's first
    run in a session nothing is stale: choices already there came from the link that opened it."""
    last = st.session_state.get("cam_shown_for")
    if last is not None and last != (digest, model_name):
        stale = ("class",) if last[1] == model_name else ("class", "layer")
        for kind in stale:
            for side in ("left", "right"):
                st.session_state.pop(f"cam_{kind}_{side}", None)
    st.session_state["cam_shown_for"] = (digest, model_name)


def input_size(model: LoadedModel, image: LoadedImage) -> tuple[int, int]:
    """(height, width) of the tensor ``model`` sees for ``image``: layer shapes are shown for this size."""
    width, height = model.spec.preprocessing.input_size(*image.size)
    return height, width


@st.cache_data(max_entries=64, show_spinner=False)
def ranking(name: str, digest: str, _image: LoadedImage) -> tuple[np.ndarray, tuple[int, ...]]:
    """(probabilities, every class index best first) from one forward without gradients."""
    model = cached_model(name)
    with friendly_oom(), torch.no_grad():
        probabilities = torch.softmax(model.module(model.preprocess(_image.image)).float().reshape(-1), dim=0)
    return probabilities.cpu().numpy(), tuple(probabilities.argsort(descending=True).tolist())


def default_classes(ranked: tuple[int, ...]) -> tuple[int, int]:
    """The left panel's class (the top one) and the right panel's (the best one of another kind)."""
    return ranked[0], contrast_class(ranked, len(ranked))


def shared_classes(ranked: tuple[int, ...]) -> tuple[int, ...]:
    """The classes whose gradients one pass takes for every layer: the grid's top three and the contrast."""
    return tuple(dict.fromkeys([*ranked[:GRID_CLASSES], *default_classes(ranked)]))


def classes_for(index: int, ranked: tuple[int, ...]) -> tuple[int, ...]:
    """The class set a map of ``index`` comes from: the shared one when it is in it, else the class alone."""
    shared = shared_classes(ranked)
    return shared if index in shared else (index,)


@shared_cache(spinner="Computing the class activation maps…")
def gradients(
    name: str, digest: str, _image: LoadedImage, layer: str, classes: tuple[int, ...], pretrained: bool = True
) -> LayerGradients:
    """One forward and one backward through the head per class: the layer's activations and gradients."""
    model = cached_model(name, pretrained)
    with friendly_oom():
        return layer_gradients(model.module, model.preprocess(_image.image), layer, classes)


@shared_cache()
def gradient_cams(
    name: str, digest: str, _image: LoadedImage, layer: str, method: str, classes: tuple[int, ...], pretrained: bool
) -> CamSet:
    """A gradient method's maps, derived from the cached gradients (no forward, no backward)."""
    return cams_from_gradients(method, gradients(name, digest, _image, layer, classes, pretrained))


@shared_cache()
def _score_cams(
    name: str,
    digest: str,
    _image: LoadedImage,
    layer: str,
    classes: tuple[int, ...],
    pretrained: bool,
    _progress: Progress,
) -> CamSet:
    model = cached_model(name, pretrained)
    with heavy_job():
        return compute_cams(
            model.module, model.preprocess(_image.image), layer, "Score-CAM", classes, progress=_progress
        )


def cams(
    name: str,
    digest: str,
    image: LoadedImage,
    layer: str,
    method: str,
    classes: tuple[int, ...],
    pretrained: bool = True,
    progress: Progress | None = None,
) -> CamSet:
    """The maps of ``method`` for ``classes``: derived from shared gradients, or Score-CAM's own passes."""
    if method in GRADIENT_METHODS:
        return gradient_cams(name, digest, image, layer, method, classes, pretrained)
    return _score_cams(name, digest, image, layer, classes, pretrained, progress or (lambda _share: None))


def is_ready(name: str, digest: str, layer: str, method: str, classes: tuple[int, ...], pretrained: bool) -> bool:
    """Whether ``cams`` would return at once (gradient methods always cost next to nothing)."""
    return method in GRADIENT_METHODS or _score_cams.cached(
        name=name, digest=digest, layer=layer, classes=classes, pretrained=pretrained
    )


@shared_cache(spinner="Computing pixel saliency…")
def saliency(name: str, digest: str, _image: LoadedImage, index: int) -> np.ndarray:
    """Vanilla gradient saliency of one class at the network's input resolution (a backward pass through
    the whole network: a heavy job, so its memory is handed back as soon as it is done)."""
    model = cached_model(name)
    with heavy_job():
        return gradient_saliency(model.module, model.preprocess(_image.image), index)


@shared_cache(spinner="Hiding regions and asking the network again…")
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
    with heavy_job():
        return faithfulness(model.module, model.preprocess(_image.image), _cam, index, fraction, fill)


def overlay_png(image: LoadedImage, cam: np.ndarray, opacity: float, colormap: str, threshold: float) -> bytes:
    """The overlay at the photo's full size, as PNG bytes (made only when the download button is pressed)."""
    heat = heatmap(cam, image.size)
    return png_bytes(overlay(image.to_array(), heat, opacity, colormap, threshold))


def thumbnail(image: LoadedImage, cam: np.ndarray, opacity: float, colormap: str, threshold: float) -> np.ndarray:
    """A small static overlay for the methods x classes grid."""
    photo = display_photo(image, 320)
    heat = heatmap(cam, (photo.shape[1], photo.shape[0]))
    return overlay(photo, heat, opacity, colormap, threshold)


def similarity(first: np.ndarray, second: np.ndarray) -> float:
    """How alike two maps are (Pearson correlation on the first one's grid): the sanity check's number."""
    return map_similarity(first, second)
