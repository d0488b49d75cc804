"""Glue for the network pages (Feature maps, Filters, Architecture): the cached forward pass and the
numbers each page reads off the shared model.

The model comes from ``ui.models`` (one shared, frozen copy per process). The forward pass is cached
in the size-bounded shared cache (``ui.cache``) keyed on (model name, image digest): its read-only arrays
are shared, not unpickled into a fresh copy on every rerun as ``st.cache_data`` would, so changing a
layer, a channel, the sort or the normalisation only re-draws and never runs the network again. A run
holds every layer's maps at once (~10 MB for EfficientNet-Lite0, ~86 MB for VGG-16), so it is a heavy
job (``ui.jobs``): runs of many students take turns instead of all holding that memory at once.
"""

from __future__ import annotations

import streamlit as st

from explorer.images import LoadedImage
from explorer.models import LoadedModel
from explorer.network.architecture import LayerTable, layer_facts, layer_table
from explorer.network.features import NetworkRun, run_network
from explorer.network.filters import LearnedFilters, conv_layer_names, learned_filters
from ui.cache import shared_cache
from ui.charts import predictions_chart
from ui.errors import user_errors
from ui.jobs import heavy_job
from ui.models import cached_model, model_picker
from ui.picker import require_image


@shared_cache(spinner="Running the network on your photo...")
def cached_run(model_name: str, image_digest: str, _image: LoadedImage) -> NetworkRun:
    """One forward pass per (model, image): predictions and every layer's feature maps."""
    model = cached_model(model_name)
    with heavy_job():
        return run_network(model, _image.image)


def network_page(title: str, intro: str) -> tuple[LoadedImage, LoadedModel, NetworkRun]:
    """The top of every network page: title, one-paragraph intro, the photo, the model and its one pass."""
    st.title(title)
    st.markdown(intro)
    image = require_image()
    with user_errors():
        model = model_picker()
        run = cached_run(model.name, image.digest, image)
    return image, model, run


def show_predictions(run: NetworkRun, model: LoadedModel, k: int = 5) -> None:
    """What the network thinks the photo is, as a bar chart with a one-line caption."""
    st.markdown(f"**{model.title} thinks this is:**")
    st.plotly_chart(predictions_chart(run.predictions[:k]), width="stretch")
    if not model.pretrained:
        st.caption("These weights are random, so the guesses are meaningless.")


def convolutions(model: LoadedModel) -> list[str]:
    """The names of the model's convolutions, first (the one that sees pixels) to last."""
    return conv_layer_names(model.module)


@shared_cache()
def _filters(model_name: str, pretrained: bool, layer: str) -> LearnedFilters:
    return learned_filters(cached_model(model_name, pretrained).module, layer)


def filters_of(model: LoadedModel, layer: str) -> LearnedFilters:
    """A CPU copy of one conv layer's weights, made once per (model, layer) and shared."""
    return _filters(model.name, model.pretrained, layer)


def facts_of(model: LoadedModel, layer: str) -> dict[str, str]:
    """Type, kernel, stride, padding and parameters of one layer."""
    return layer_facts(model.module, layer)


def table_of(model: LoadedModel, run: NetworkRun) -> LayerTable:
    """The per-layer table of ``model`` with the shapes of the photo in ``run``."""
    return layer_table(model.module, run)
