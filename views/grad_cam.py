"""Grad-CAM studio: where in the photo did the network look to choose a class? Two views side by side."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from explorer.cam import METHODS
from explorer.cam_eval import map_similarity
from explorer.drawing import COLORMAPS
from ui import cam as ui_cam
from ui.common import require_image, user_errors
from ui.models import model_picker

st.title("Grad-CAM studio")
st.caption(
    "A class activation map colours the parts of the photo that raised the score of one class. "
    "Compare two classes, two methods or two layers side by side; hover the map to read its value."
)
image = require_image()

with user_errors():
    model = model_picker()
    model_name = model.name
    size = ui_cam.input_size(model, image)
    layers = ui_cam.layers_of(model_name, size)
    auto = ui_cam.auto_layer(model_name, size)
    top = ui_cam.cams(model_name, image.digest, image, auto, "Grad-CAM", None)
ui_cam.reset_choices_for(image.digest, model_name)

look = st.columns(3)
opacity = look[0].slider("Opacity", 0.0, 1.0, 0.5, 0.05, key="cam_opacity")
colormap = look[1].selectbox("Colour map", list(COLORMAPS), index=list(COLORMAPS).index("jet"), key="cam_colormap")
threshold = look[2].slider("Hide values below", 0.0, 0.95, 0.0, 0.05, key="cam_threshold")

ranked = list(top.classes)
class_options = ranked + sorted((i for i in range(len(model.categories)) if i not in ranked),
                                key=lambda i: model.categories[i].lower())
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
    return ui_cam.cams(model_name, image.digest, image, layer, method, classes).map_for(index)


choices = []
for (side, default_rank), column in zip((("Left", 0), ("Right", 1)), st.columns(2, gap="large")):
    with column:
        index = st.selectbox(f"{side} class", class_options, index=min(default_rank, len(ranked) - 1),
                                  format_func=class_label, key=f"cam_class_{side.lower()}")
        pick = st.columns(2)
        method = pick[0].selectbox(f"{side} method", list(METHODS), key=f"cam_method_{side.lower()}")
        layer = pick[1].selectbox(f"{side} layer", layer_names, index=layer_names.index(auto),
                                  format_func=lambda n: layer_labels[n], key=f"cam_layer_{side.lower()}")
        with user_errors():
            cam = cam_for(layer, method, index)
        title = f"{method} · {model.categories[index]}"
        st.plotly_chart(ui_cam.overlay_figure(image, cam, opacity, colormap, threshold, title),
                        key=f"cam_figure_{side.lower()}", config={"displaylogo": False})
        st.download_button(
            f"Download {side.lower()} overlay (PNG)",
            ui_cam.overlay_png(image.digest, image, cam, opacity, colormap, threshold),
            file_name=f"cam_{method}_{model.categories[index]}.png".replace(" ", "_"), mime="image/png",
            icon=":material/download:", key=f"cam_download_{side.lower()}",
        )
        choices.append((index, method, layer, cam))

st.divider()
view = st.radio("Look deeper", ["Methods × classes grid", "Pixel saliency", "Sanity check", "Faithfulness"],
                horizontal=True, key="cam_view")
index, method, layer, cam = choices[0]
with user_errors():
    if view == "Methods × classes grid":
        st.caption("Every method (rows) for the three most likely classes (columns), same layer as the left view.")
        header = st.columns([1, 3, 3, 3])
        for column, klass in zip(header[1:], ranked[:3]):
            column.markdown(f"**{model.categories[klass]}**")
        for name in METHODS:
            row = st.columns([1, 3, 3, 3])
            row[0].markdown(f"**{name}**")
            for column, klass in zip(row[1:], ranked[:3]):
                column.image(ui_cam.thumbnail(image, cam_for(layer, name, klass), opacity, colormap, threshold),
                             width="stretch")
    elif view == "Pixel saliency":
        st.caption(
            f"How much each pixel's colour changes the score of '{model.categories[index]}' (|gradient|): "
            "sharp but noisy, at the network's input resolution."
        )
        values = ui_cam.saliency(model_name, image.digest, image, index)
        st.image((values * 255).astype(np.uint8), width="stretch", clamp=True)
    elif view == "Sanity check":
        st.caption(
            "The same method, layer and class, from a copy of the network with random weights. If the two "
            "maps look alike, the map shows the photo's edges, not what the network learned."
        )
        random_cams = ui_cam.cams(model_name, image.digest, image, layer, method, (index,), pretrained=False)
        random_cam = random_cams.map_for(index)
        pair = st.columns(2)
        pair[0].image(ui_cam.thumbnail(image, cam, opacity, colormap, threshold), caption="Trained weights",
                      width="stretch")
        pair[1].image(ui_cam.thumbnail(image, random_cam, opacity, colormap, threshold), caption="Random weights",
                      width="stretch")
        st.metric("Similarity of the two maps (correlation)", f"{map_similarity(cam, random_cam):+.2f}")
    else:
        fraction = st.slider("Hide this share of the photo", 0.05, 0.5, 0.2, 0.05, key="cam_fraction")
        fill = st.radio("Hide by", ["blur", "mean"], horizontal=True, key="cam_fill")
        result = ui_cam.faithfulness_of(model_name, image.digest, image, layer, method, index, fraction, fill, cam)
        labels = ["Nothing hidden", "CAM's top region hidden"] + [f"Random region {i + 1}" for i in
                                                                   range(len(result.random_hidden))]
        values = [result.original, result.cam_hidden, *result.random_hidden]
        colours = ["#4c78a8", "#e45756"] + ["#bab0ac"] * len(result.random_hidden)
        figure = go.Figure(go.Bar(x=labels, y=values, marker_color=colours, texttemplate="%{y:.1%}"))
        figure.update_layout(yaxis={"title": f"p({model.categories[index]})", "tickformat": ".0%"}, height=420,
                             font={"size": 16}, margin={"t": 30})
        st.plotly_chart(figure, key="cam_faithfulness")
        st.markdown(
            f"Hiding the CAM's top {fraction:.0%} changes the probability by **{-result.cam_drop:+.1%}**; "
            f"random regions of the same size change it by **{-result.random_drop:+.1%}** on average. "
            "A faithful map should hurt more than random regions."
        )
