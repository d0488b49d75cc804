"""Grad-CAM studio: where in the photo did the network look to choose a class? Two views side by side."""

from collections.abc import Callable

import numpy as np
import streamlit as st

from explorer.cam.methods import METHODS
from explorer.drawing import COLORMAPS
from explorer.images import LoadedImage
from explorer.models import LoadedModel
from ui import grad_cam as glue
from ui.charts import cam_overlay, faithfulness_chart
from ui.errors import user_errors
from ui.models import model_picker
from ui.picker import require_image

DEEPER_VIEWS = ["Methods × classes grid", "Pixel saliency", "Sanity check", "Faithfulness"]
CamFor = Callable[[str, str, int], np.ndarray]


def look_controls() -> tuple[float, str, float]:
    """Opacity, colour map and threshold: they change only how the maps are drawn."""
    look = st.columns(3)
    opacity = look[0].slider("Opacity", 0.0, 1.0, 0.5, 0.05, key="cam_opacity")
    colormap = look[1].selectbox("Colour map", list(COLORMAPS), index=list(COLORMAPS).index("jet"), key="cam_colormap")
    threshold = look[2].slider("Hide values below", 0.0, 0.95, 0.0, 0.05, key="cam_threshold")
    return opacity, colormap, threshold


def deeper_view(
    image: LoadedImage,
    model: LoadedModel,
    ranked: list[int],
    choice: tuple[int, str, str, np.ndarray],
    cam_for: CamFor,
    look: tuple[float, str, float],
) -> None:
    """The grid, pixel saliency, the sanity check or faithfulness, for the left panel's class, method and layer."""
    view = st.radio("Look deeper", DEEPER_VIEWS, horizontal=True, key="cam_view")
    index, method, layer, cam = choice
    opacity, colormap, threshold = look
    if view == "Methods × classes grid":
        st.caption("Every method (rows) for the three most likely classes (columns), same layer as the left view.")
        header = st.columns([1, 3, 3, 3])
        for column, klass in zip(header[1:], ranked[:3]):
            column.markdown(f"**{model.categories[klass]}**")
        for name in METHODS:
            row = st.columns([1, 3, 3, 3])
            row[0].markdown(f"**{name}**")
            for column, klass in zip(row[1:], ranked[:3]):
                column.image(glue.thumbnail(image, cam_for(layer, name, klass), *look), width="stretch")
    elif view == "Pixel saliency":
        st.caption(
            f"How much each pixel's colour changes the score of '{model.categories[index]}' (|gradient|): "
            "sharp but noisy, at the network's input resolution."
        )
        values = glue.saliency(model.name, image.digest, image, index)
        st.image((values * 255).astype(np.uint8), width="stretch", clamp=True)
    elif view == "Sanity check":
        st.caption(
            "The same method, layer and class, from a copy of the network with random weights. If the two "
            "maps look alike, the map shows the photo's edges, not what the network learned."
        )
        random_cam = glue.cams(model.name, image.digest, image, layer, method, (index,), pretrained=False).map_for(
            index
        )
        pair = st.columns(2)
        pair[0].image(
            glue.thumbnail(image, cam, opacity, colormap, threshold), caption="Trained weights", width="stretch"
        )
        pair[1].image(
            glue.thumbnail(image, random_cam, opacity, colormap, threshold), caption="Random weights", width="stretch"
        )
        st.metric("Similarity of the two maps (correlation)", f"{glue.similarity(cam, random_cam):+.2f}")
    else:
        fraction = st.slider("Hide this share of the photo", 0.05, 0.5, 0.2, 0.05, key="cam_fraction")
        fill = st.radio("Hide by", ["blur", "mean"], horizontal=True, key="cam_fill")
        result = glue.faithfulness_of(model.name, image.digest, image, layer, method, index, fraction, fill, cam)
        labels = ["Nothing hidden", "CAM's top region hidden"] + [
            f"Random region {i + 1}" for i in range(len(result.random_hidden))
        ]
        values = [result.original, result.cam_hidden, *result.random_hidden]
        st.plotly_chart(faithfulness_chart(labels, values, model.categories[index]), key="cam_faithfulness")
        st.markdown(
            f"Hiding the CAM's top {fraction:.0%} changes the probability by **{-result.cam_drop:+.1%}**; "
            f"random regions of the same size change it by **{-result.random_drop:+.1%}** on average. "
            "A faithful map should hurt more than random regions."
        )


def grad_cam() -> None:
    """Two CAM panels side by side (class, method and layer each), then a deeper look at the left one."""
    st.title("Grad-CAM studio")
    st.caption(
        "A class activation map colours the parts of the photo that raised the score of one class. "
        "Compare two classes, two methods or two layers side by side; hover the map to read its value."
    )
    image = require_image()
    with user_errors():
        model = model_picker()
        size = glue.input_size(model, image)
        layers = glue.layers_of(model.name, size)
        auto = glue.auto_layer(model.name, size)
        top = glue.cams(model.name, image.digest, image, auto, "Grad-CAM", None)
    glue.reset_choices_for(image.digest, model.name)
    look = look_controls()
    ranked = list(top.classes)
    class_options = ranked + sorted(
        (i for i in range(len(model.categories)) if i not in ranked), key=lambda i: model.categories[i].lower()
    )
    layer_names = [layer.name for layer in layers]
    layer_labels = {layer.name: layer.label for layer in layers}

    def class_label(index: int) -> str:
        """Top-5 classes with their rank and probability; any other class by name (type to search)."""
        name = model.categories[index]
        if index in ranked:
            return f"#{ranked.index(index) + 1} {name} ({top.probabilities[index]:.0%})"
        return f"{name} ({top.probabilities[index]:.1%})"

    def cam_for(layer: str, method: str, index: int) -> np.ndarray:
        """One map: the cached top-5 batch when the class is among them, else a one-class computation."""
        classes = None if index in ranked else (index,)
        return glue.cams(model.name, image.digest, image, layer, method, classes).map_for(index)

    choices = []
    for (side, default_rank), column in zip((("Left", 0), ("Right", 1)), st.columns(2, gap="large")):
        with column:
            index = st.selectbox(
                f"{side} class",
                class_options,
                index=min(default_rank, len(ranked) - 1),
                format_func=class_label,
                key=f"cam_class_{side.lower()}",
            )
            pick = st.columns(2)
            method = pick[0].selectbox(f"{side} method", list(METHODS), key=f"cam_method_{side.lower()}")
            layer = pick[1].selectbox(
                f"{side} layer",
                layer_names,
                index=layer_names.index(auto),
                format_func=lambda n: layer_labels[n],
                key=f"cam_layer_{side.lower()}",
            )
            with user_errors():
                cam = cam_for(layer, method, index)
            title = f"{method} · {model.categories[index]}"
            st.plotly_chart(
                cam_overlay(image, cam, *look, title), key=f"cam_figure_{side.lower()}", config={"displaylogo": False}
            )
            st.download_button(
                f"Download {side.lower()} overlay (PNG)",
                glue.overlay_png(image.digest, image, cam, *look),
                file_name=f"cam_{method}_{model.categories[index]}.png".replace(" ", "_"),
                mime="image/png",
                icon=":material/download:",
                key=f"cam_download_{side.lower()}",
            )
            choices.append((index, method, layer, cam))
    st.divider()
    with user_errors():
        deeper_view(image, model, ranked, choices[0], cam_for, look)


grad_cam()
