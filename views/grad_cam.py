"""Grad-CAM studio: where in the photo did the network look to choose a class? Two views side by side.

It opens with the two overlays only (the top class against the best class of another kind), both from one
pass per layer; Score-CAM, the methods x classes grid and the other deeper views run when asked.
"""

from dataclasses import dataclass

import numpy as np
import streamlit as st

from explorer.cam.maps import on_one_scale
from explorer.cam.methods import METHODS, SCORE_CAM
from explorer.cam.score_cam import MAX_CHANNELS, WHY_BORDER
from explorer.drawing import COLORMAPS, to_unit
from explorer.images import LoadedImage
from explorer.models import LoadedModel
from ui import grad_cam as glue
from ui.charts import cam_overlay, faithfulness_chart
from ui.errors import user_errors
from ui.handout import ExportPanel, export_button
from ui.models import model_picker
from ui.page_links import keep_in_link, rewrite_link
from ui.picker import require_image
from ui.present import colormap_default, mark_chosen, presentation_mode, secondary_controls
from ui.quiz import presented_question
from ui.stepper import MAIN_KEYS, SECOND_KEYS, mover, step_buttons

DEEPER_VIEWS = ["Methods × classes grid", "Pixel saliency", "Sanity check", "Faithfulness"]
Look = tuple[float, str, float]
COLORMAP_KEY = "cam_colormap"


@dataclass(frozen=True)
class Studio:
    """What every part of the page needs: the photo, the network, its ranking and its layers."""

    image: LoadedImage
    model: LoadedModel
    probabilities: np.ndarray
    ranked: tuple[int, ...]
    channels: dict[str, int]

    @property
    def class_options(self) -> list[int]:
        """The top-5 classes first, then every other class by name (type to search)."""
        top = self.ranked[: glue.TOP_K]
        rest = sorted((i for i in self.ranked[glue.TOP_K :]), key=lambda i: self.name(i).lower())
        return [*top, *rest]

    def classes_for(self, index: int) -> tuple[int, ...]:
        return glue.classes_for(index, self.ranked)

    def name(self, index: int) -> str:
        return self.model.categories[index]


@dataclass(frozen=True)
class Panel:
    """One side's choice, and its map once computed (raw: before scaling; None until asked for)."""

    side: str
    index: int
    method: str
    layer: str
    raw: np.ndarray | None
    zero: bool


def look_controls() -> Look:
    """Opacity, colour map and threshold: they change only how the maps are drawn."""
    colormap_default(COLORMAP_KEY, "jet")
    with secondary_controls():
        look = st.columns(3)
        opacity = look[0].slider("Opacity", 0.0, 1.0, step=0.05, key="cam_opacity")
        colormap = look[1].selectbox(
            "Colour map", list(COLORMAPS), key=COLORMAP_KEY, on_change=mark_chosen, args=(COLORMAP_KEY,)
        )
        threshold = look[2].slider("Hide values below", 0.0, 0.95, step=0.05, key="cam_threshold")
    return opacity, colormap, threshold


def score_cam_note(studio: Studio, layer: str) -> None:
    """What Score-CAM does differently, in two sentences."""
    channels = studio.channels[layer]
    st.caption(
        f"Score-CAM runs the network again on the photo masked by each of the {min(MAX_CHANNELS, channels)} "
        f"strongest of this layer's {channels} channels (no gradients), so it takes seconds. {WHY_BORDER}"
    )


def cam_or_button(studio: Studio, layer: str, method: str, classes: tuple[int, ...], key: str, pretrained: bool = True):
    """The CamSet when it is cheap or already computed; for Score-CAM not yet asked for, a button (None)."""
    name, digest = studio.model.name, studio.image.digest
    ready = glue.is_ready(name, digest, layer, method, classes, pretrained)
    spot = st.empty()
    if not ready and not spot.button(f"Compute {method}", key=key, icon=":material/play_arrow:"):
        return None
    spot.empty()
    bar = None if ready else st.progress(0.0, text=f"{method}: masking the photo channel by channel…")
    result = glue.cams(
        name, digest, studio.image, layer, method, classes, pretrained, bar.progress if bar is not None else None
    )
    if bar is not None:
        bar.empty()
    return result


def choose(studio: Studio, side: str, default: int, layers: list, auto: str) -> tuple[int, str, str]:
    """One side's class, method and layer pickers."""
    options, key = studio.class_options, f"cam_class_{side.lower()}"
    if st.session_state.get(key) not in options:
        st.session_state[key] = default

    # The label function stays in the session's widget state: it holds these strings, not the photo.
    index = st.selectbox(f"{side} class", options, format_func=class_labels(studio).__getitem__, key=key)
    back, forward = st.columns(2)
    keys, ends = MAIN_KEYS if side == "Left" else SECOND_KEYS, (index == options[0], index == options[-1])
    step_buttons(back, forward, key, mover(key, options), *ends, keys, f"{side.lower()} class", st.container())
    pick = st.columns(2)
    method = pick[0].selectbox(f"{side} method", list(METHODS), key=f"cam_method_{side.lower()}")
    names = [layer.name for layer in layers]
    labels = {layer.name: layer.label for layer in layers}
    if st.session_state.get(f"cam_layer_{side.lower()}") not in names:
        st.session_state[f"cam_layer_{side.lower()}"] = auto
    layer = pick[1].selectbox(f"{side} layer", names, format_func=labels.get, key=f"cam_layer_{side.lower()}")
    return index, method, layer


def class_labels(studio: Studio) -> dict[int, str]:
    """Each class's label in the class box: the top 5 with their rank and probability, any other class by
    name (type to search). Made once per box, not by a search of the ranking per option."""
    labels = {}
    for rank, index in enumerate(studio.ranked):
        name, probability = studio.name(index), studio.probabilities[index]
        top = rank < glue.TOP_K
        labels[index] = f"#{rank + 1} {name} ({probability:.0%})" if top else f"{name} ({probability:.1%})"
    return labels


def draw_panel(studio: Studio, panel: Panel, cam: np.ndarray, look: Look) -> None:
    """The overlay (or a sentence when the map is zero) and its download button."""
    opacity, colormap, threshold = look
    name = studio.name(panel.index)
    if panel.zero:
        st.info(f"This map is zero: no part of the photo raised the score of '{name}' at this layer.")
        opacity = 0.0
    title = f"{panel.method} · {name}"
    st.plotly_chart(
        cam_overlay(studio.image, cam, opacity, colormap, threshold, title),
        key=f"cam_figure_{panel.side}",
        config={"displaylogo": False},
    )
    st.download_button(
        f"Download {panel.side} overlay (PNG)",
        lambda: glue.overlay_png(studio.image, cam, opacity, colormap, threshold),
        file_name=f"cam_{panel.method}_{name}.png".replace(" ", "_"),
        mime="image/png",
        icon=":material/download:",
        key=f"cam_download_{panel.side}",
    )


def panels(studio: Studio, look: Look) -> Panel:
    """The two panels side by side, on one colour scale when they compare like with like; returns the left."""
    layers = glue.layers_of(studio.model.name, glue.input_size(studio.model, studio.image))
    auto = glue.auto_layer(studio.model.name, glue.input_size(studio.model, studio.image))
    scale_spot = st.container()
    columns = st.columns(2, gap="large")
    chosen: list[Panel] = []
    for side, default, column in zip(("Left", "Right"), glue.default_classes(studio.ranked), columns):
        with column:
            index, method, layer = choose(studio, side, default, layers, auto)
            if method == SCORE_CAM:
                score_cam_note(studio, layer)
            with user_errors():
                result = cam_or_button(studio, layer, method, studio.classes_for(index), f"cam_ask_{side.lower()}")
            raw = None if result is None else result.raw_for(index)
            chosen.append(Panel(side.lower(), index, method, layer, raw, result is not None and result.is_zero(index)))
    left, right = chosen
    comparable = (left.method, left.layer) == (right.method, right.layer)
    together = scale_spot.toggle(
        "One colour scale for both panels",
        value=comparable,
        disabled=not comparable,
        key=f"cam_one_scale_{comparable}",
        help="Red is then the strongest value of either map, so a class the network barely considers stays "
        "faint. Only for two maps of the same method and layer: other maps are in other units.",
    )
    ready = [panel for panel in chosen if panel.raw is not None]
    if together and len(ready) == 2:
        scaled = on_one_scale([panel.raw for panel in ready])  # type: ignore[misc]
    else:
        scaled = [to_unit(panel.raw) for panel in ready]  # type: ignore[arg-type]
    for panel, cam in zip(ready, scaled):
        with columns[0 if panel.side == "left" else 1]:
            draw_panel(studio, panel, cam, look)
    overlays = [(f"{p.method} · {studio.name(p.index)} · {p.layer}", cam) for p, cam in zip(ready, scaled)]
    pictures = lambda: [ExportPanel(title, glue.overlay_png(studio.image, cam, *look)) for title, cam in overlays]
    export_button("grad_cam", f"Grad-CAM studio: {studio.model.title}", pictures, studio.image.image)
    return left


def grid_view(studio: Studio, layer: str, look: Look) -> None:
    """Every method (rows) for the three most likely classes (columns); each cell appears when computed."""
    top = studio.ranked[: glue.GRID_CLASSES]
    st.caption("Every method (rows) for the three most likely classes (columns), same layer as the left view.")
    asked: set = st.session_state.setdefault("cam_grid_asked", set())
    wanted = (studio.model.name, studio.image.digest, layer)
    if wanted not in asked:
        if not st.button("Compute the grid", key="cam_grid_go", icon=":material/grid_on:"):
            return
        asked.add(wanted)
    header = st.columns([1, 3, 3, 3])
    for column, klass in zip(header[1:], top):
        column.markdown(f"**{studio.name(klass)}**")
    cells = {}
    for method in METHODS:
        row = st.columns([1, 3, 3, 3])
        row[0].markdown(f"**{method}**")
        cells[method] = [column.empty() for column in row[1:]]
    bar = st.progress(0.0, text="Filling in the grid…")
    classes = studio.classes_for(top[0])
    for done, method in enumerate(METHODS):
        share = done / len(METHODS)

        def report(part: float, share: float = share, method: str = method) -> None:
            bar.progress(share + part / len(METHODS), text=f"{method}…")

        result = glue.cams(studio.model.name, studio.image.digest, studio.image, layer, method, classes, True, report)
        for cell, klass in zip(cells[method], top):
            cell.image(glue.thumbnail(studio.image, result.map_for(klass), *look), width="stretch")
        bar.progress((done + 1) / len(METHODS), text=f"{method} done")
    bar.empty()
    if SCORE_CAM in METHODS:
        score_cam_note(studio, layer)


def sanity_view(studio: Studio, left: Panel, look: Look) -> None:
    """The left map next to the same map from a network with random weights, and their correlation."""
    st.caption(
        "The same method, layer and class, from a copy of the network with random weights. If the two "
        "maps look alike, the map shows the photo's edges, not what the network learned."
    )
    result = cam_or_button(studio, left.layer, left.method, (left.index,), "cam_ask_sanity", pretrained=False)
    if result is None or left.raw is None:
        return
    trained, random = to_unit(left.raw), result.map_for(left.index)
    pair = st.columns(2)
    pair[0].image(glue.thumbnail(studio.image, trained, *look), caption="Trained weights", width="stretch")
    pair[1].image(glue.thumbnail(studio.image, random, *look), caption="Random weights", width="stretch")
    if result.is_zero(left.index) or left.zero:
        st.info("One of the two maps is zero (nothing raised the class score), so there is no similarity to measure.")
    else:
        st.metric("Similarity of the two maps (correlation)", f"{glue.similarity(trained, random):+.2f}")


def faithfulness_view(studio: Studio, left: Panel) -> None:
    """How much the class probability drops when the map's top region is hidden, against random regions."""
    if left.raw is None:
        st.caption("Compute the left map first.")
        return
    fraction = st.slider("Hide this share of the photo", 0.05, 0.5, 0.2, 0.05, key="cam_fraction")
    fill = st.radio("Hide by", ["blur", "mean"], horizontal=True, key="cam_fill")
    model, image = studio.model, studio.image
    cam = to_unit(left.raw)
    result = glue.faithfulness_of(
        model.name, image.digest, image, left.layer, left.method, left.index, fraction, fill, cam
    )
    labels = ["Nothing hidden", "CAM's top region hidden"] + [
        f"Random region {i + 1}" for i in range(len(result.random_hidden))
    ]
    values = [result.original, result.cam_hidden, *result.random_hidden]
    st.plotly_chart(faithfulness_chart(labels, values, studio.name(left.index)), key="cam_faithfulness")
    st.markdown(
        f"Hiding the CAM's top {fraction:.0%} changes the probability by **{-result.cam_drop:+.1%}**; "
        f"random regions of the same size change it by **{-result.random_drop:+.1%}** on average. "
        "A faithful map should hurt more than random regions."
    )


def deeper_view(studio: Studio, left: Panel, look: Look) -> None:
    """The grid, pixel saliency, the sanity check or faithfulness, for the left panel's class, method and layer."""
    view = st.radio(
        "Look deeper (each view runs when you choose it)", DEEPER_VIEWS, index=None, horizontal=True, key="cam_view"
    )
    if view == DEEPER_VIEWS[0]:
        grid_view(studio, left.layer, look)
    elif view == DEEPER_VIEWS[1]:
        st.caption(
            f"How much each pixel's colour changes the score of '{studio.name(left.index)}' (|gradient|): "
            "sharp but noisy, at the network's input resolution."
        )
        values = glue.saliency(studio.model.name, studio.image.digest, studio.image, left.index)
        st.image((values * 255).astype(np.uint8), width="stretch", clamp=True)
    elif view == DEEPER_VIEWS[2]:
        sanity_view(studio, left, look)
    elif view == DEEPER_VIEWS[3]:
        faithfulness_view(studio, left)


def grad_cam() -> None:
    """Two CAM panels side by side (class, method and layer each), then a deeper look at the left one."""
    presentation_mode()
    keep_in_link("grad_cam")
    st.title("Grad-CAM studio")
    st.caption(
        "A class activation map colours the parts of the photo that raised the score of one class. "
        "Compare two classes, two methods or two layers side by side; hover the map to read its value."
    )
    image = require_image()
    with user_errors():
        model = model_picker()
        size = glue.input_size(model, image)
        channels = {layer.name: layer.channels for layer in glue.layers_of(model.name, size)}
        probabilities, ranked = glue.ranking(model.name, image.digest, image)
    glue.reset_choices_for(image.digest, model.name)
    rewrite_link("grad_cam")
    studio = Studio(image, model, probabilities, ranked, channels)
    look = look_controls()
    left = panels(studio, look)
    presented_question(image, model, ("cam_class", "prediction"), "cam_quiz")
    st.divider()
    with user_errors():
        deeper_view(studio, left, look)


grad_cam()
