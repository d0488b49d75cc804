"""Glue for the hand-outs: the lesson PDF for the chosen photo and network, and "Export this view" (a PNG),
each made only when its button is clicked.

The download button is handed a function instead of bytes, so Streamlit builds the PDF only when a
student clicks (one click: no "prepare" step), and nothing heavy runs when the Home page is drawn. The
PDF reuses the network pages' cached forward pass and is itself cached per (network, photo).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import streamlit as st
from PIL import Image

from explorer.handout.export import Panel as ExportPanel
from explorer.handout.export import export_view
from explorer.handout.lesson import build_lesson
from explorer.handout.pdf import PAGE_TITLES, lesson_pdf
from explorer.images import LoadedImage
from explorer.models import DEFAULT_MODEL, MODELS
from ui.jobs import heavy_job
from ui.models import cached_model
from ui.network import cached_run
from ui.page_links import PAGES

MODEL_CHOICE_KEY = "explorer_model"
"""Where ``ui.models.model_picker`` keeps the network chosen on the network pages."""


@st.cache_data(max_entries=8, show_spinner=False)
def lesson_bytes(model_name: str, digest: str, _image: LoadedImage) -> bytes:
    """The lesson PDF of one photo (by its digest) with one network; the sanity check uses its random twin."""
    model, random_model = cached_model(model_name), cached_model(model_name, False)
    run = cached_run(model_name, digest, _image)  # a heavy job of its own when it is not cached
    with heavy_job():  # two Grad-CAMs, whole-photo convolutions and the PDF: in line with the others
        return lesson_pdf(build_lesson(_image, model, random_model, run=run))


def lesson_model() -> str:
    """The network chosen on the network pages if its weights are here, else the offline default."""
    name = st.session_state.get(MODEL_CHOICE_KEY, DEFAULT_MODEL)
    if MODEL_CHOICE_KEY in st.session_state:  # this page draws no network picker: keep the choice alive
        st.session_state[MODEL_CHOICE_KEY] = name
    spec = MODELS.get(name)
    if spec is None or not (spec.offline or spec.weights_on_disk()):
        return DEFAULT_MODEL
    return name


def file_name(image: LoadedImage, model_name: str) -> str:
    """'cnn-lesson-efficientnet_lite0-1a2b3c4d.pdf': the network and the start of the photo's digest."""
    return f"cnn-lesson-{re.sub(r'[^a-z0-9_]', '', model_name.lower())}-{image.digest[:8]}.pdf"


def lesson_download(image: LoadedImage) -> None:
    """One button that downloads the lesson hand-out for ``image``, with a line on what is in it."""
    name = lesson_model()
    st.caption(
        f"A {len(PAGE_TITLES)}-page PDF for students, computed for the photo above with {MODELS[name].title}: "
        "two kernels with their output-size arithmetic, one convolution step and pooling by hand, the "
        "predictions and feature maps, and Grad-CAM with its sanity check. It is made when you click "
        "(a few seconds)."
    )
    st.download_button(
        "Download the lesson hand-out (PDF)",
        data=lambda: lesson_bytes(name, image.digest, image),
        file_name=file_name(image, name),
        mime="application/pdf",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        key="home_lesson",
        type="primary",
    )


def view_settings(page: str) -> dict[str, str]:
    """The page's linked settings as the sheet writes them ("stride: 2"), defaults included, and the photo."""
    settings = {}
    for link in PAGES[page]:
        value = st.session_state.get(link.key)
        if value is not None:
            settings[link.param.replace("_", " ")] = link.text(value)
    choice = st.session_state.get("explorer_image_choice") or ""
    settings["photo"] = choice.removeprefix("sample:") if choice.startswith("sample:") else "an upload"
    return settings


def export_button(page: str, title: str, panels: Callable[[], Sequence[ExportPanel]], photo: Image.Image) -> None:
    """ "Export this view (PNG)": the page's pictures with their titles, the photo and the settings, at 300 dpi.

    ``panels`` is called only when the button is clicked, on pictures the page already computed, so a
    rerun pays nothing for the export."""
    settings = view_settings(page)
    st.download_button(
        "Export this view (PNG)",
        data=lambda: export_view(panels(), settings, title, photo).png,
        file_name=f"cnn-explorer-{page.replace('_', '-')}.png",
        mime="image/png",
        on_click="ignore",
        icon=":material/print:",
        key=f"{page}_export",
        help="A print-resolution picture (A4 width at 300 dpi) of this view, with its settings written under it.",
    )
