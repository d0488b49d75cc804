"""The one place the app loads networks: shared by every page and session, downloads with a progress bar.

``cached_model`` keeps one frozen copy of each network per process (in ``ui.cache``'s model store, bounded
by the bytes of their parameters), so the Feature maps page and the Grad-CAM studio use the same object.
Weights that are not on disk are fetched first, outside the cache and outside any lock (other sessions keep
working), with a visible progress bar and a deadline; with no network the user gets one sentence and the
pages fall back to the offline default. A damaged cached file is deleted when it fails to load, so "Try the
download again" fetches it anew.
"""

from __future__ import annotations

import streamlit as st

from explorer.errors import ExplorerError
from explorer.models import DEFAULT_MODEL, MODELS, LoadedModel, load_model
from explorer.models.weights import clean_partial_downloads, ensure_weights
from ui.cache import NETWORKS, shared_cache
from ui.errors import show_error

_CHOICE_KEY = "explorer_model"
_FAILED_KEY = "explorer_model_failures"

clean_partial_downloads()  # once, when the app starts: a server killed mid-download leaves no partial file behind


@shared_cache(spinner="Loading the network...", store=NETWORKS)
def _shared_model(name: str, pretrained: bool) -> LoadedModel:
    return load_model(name, pretrained=pretrained)


def cached_model(name: str, pretrained: bool = True) -> LoadedModel:
    """The network, built once per process and shared (read-only) by every session.

    Streamlit keys its cache on the arguments as passed, so every caller goes through here and the
    cached function always gets both, positionally: ``cached_model("vgg16")`` and
    ``cached_model("vgg16", True)`` are one entry, not two copies of the network.
    """
    return _shared_model(name, bool(pretrained))


def download_with_progress(name: str) -> None:
    """Fetch ``name``'s weights if they are missing, showing a progress bar while they come in."""
    spec = MODELS[name]
    if spec.offline or spec.weights_url is None or spec.weights_on_disk():
        return
    bar = st.progress(0.0, text=f"Downloading {spec.title}'s weights...")
    shown = [-1]

    def report(done: int, total: int | None) -> None:
        percent = int(100 * done / total) if total else 0
        if percent != shown[0]:
            shown[0] = percent
            size = f" of {total / 1e6:.0f} MB" if total else ""
            bar.progress(percent / 100, text=f"Downloading {spec.title}'s weights: {done / 1e6:.0f} MB{size}")

    try:
        ensure_weights(spec.weights_url, spec.title, progress=report)
    finally:
        bar.empty()


def model_label(name: str) -> str:
    """The selectbox label: title, size, and whether choosing it starts a download."""
    spec = MODELS[name]
    where = "" if spec.offline or spec.weights_on_disk() else ", downloads weights"
    return f"{spec.title} ({spec.num_params / 1e6:.1f} M parameters{where})"


def model_picker(label: str = "Network") -> LoadedModel:
    """A model selectbox shared by the network pages; if a model cannot load, say so and use the default."""
    names = list(MODELS)
    st.session_state.setdefault(_CHOICE_KEY, DEFAULT_MODEL)
    st.session_state[_CHOICE_KEY] = st.session_state[_CHOICE_KEY]
    name = st.selectbox(
        label,
        names,
        format_func=model_label,
        key=_CHOICE_KEY,
        help="EfficientNet-Lite0 ships with the app; the others download their weights the first time.",
    )
    failures: dict[str, str] = st.session_state.setdefault(_FAILED_KEY, {})
    if name in failures:
        return _fall_back(name, failures)
    try:
        download_with_progress(name)
        return cached_model(name)
    except ExplorerError as error:
        if name == DEFAULT_MODEL:
            raise
        failures[name] = str(error)
        st.rerun()  # draw the picker again: its labels say which weights are on disk (a damaged file was deleted)


def _fall_back(name: str, failures: dict[str, str]) -> LoadedModel:
    """Say why the chosen model is unavailable, offer a retry, and carry on with the offline default.

    The failure is remembered for the session, so moving a slider does not start the download again.
    """
    show_error(f"{failures[name]} Showing {MODELS[DEFAULT_MODEL].title} instead.", icon=":material/cloud_off:")

    def forget() -> None:
        failures.pop(name, None)

    st.button("Try the download again", key="explorer_model_retry", on_click=forget)
    return cached_model(DEFAULT_MODEL)
