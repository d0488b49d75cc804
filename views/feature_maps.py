"""Feature maps: step through the network layer by layer and see what every channel found in the photo."""

import streamlit as st

from explorer.images import LoadedImage
from explorer.models import LoadedModel
from explorer.network.display import NORMALISE, channel_grid, overlay, page_of
from explorer.network.features import NetworkRun, channel_order
from ui.charts import value_heatmap
from ui.handout import ExportPanel, export_button
from ui.network import facts_of, network_page, show_predictions
from ui.page_links import keep_in_link
from ui.present import presentation_mode, secondary_controls
from ui.quiz import presented_question
from ui.stepper import mover, step_buttons

PER_PAGE = 64
LAYER_KEY = "fm_layer"
INTRO = (
    "The network runs **once** on your photo; here you walk through what each layer produced, in order. "
    "Each layer has many *channels*: one picture per learned filter. Bright = strong response."
)


def layer_stepper(names: list[str], run: NetworkRun) -> str:
    """Previous / Next buttons around a layer list; returns the chosen layer's name."""
    if st.session_state.get(LAYER_KEY) not in names:
        st.session_state[LAYER_KEY] = names[0]

    st.subheader("Step through the network")
    back, pick, forward = st.columns([1.3, 5, 1.3], vertical_alignment="bottom")
    step_buttons(
        back,
        forward,
        "fm_layer",
        mover(LAYER_KEY, names),
        st.session_state[LAYER_KEY] == names[0],
        st.session_state[LAYER_KEY] == names[-1],
        what="layer",
        legend=st.container(),
    )
    labels = {
        layer.name: f"{number}/{len(names)}  {layer.name}  ({layer.kind}, {'x'.join(map(str, layer.shape))})"
        for number, layer in enumerate(run.layers, start=1)
    }
    # The label function lives in the session's widget state for as long as the session does: it must
    # hold these strings, not the run (tens of MB, which only the shared cache may keep).
    return pick.selectbox("Layer", names, key=LAYER_KEY, format_func=labels.__getitem__)


def layer_facts_table(model: LoadedModel, run: NetworkRun, layer_name: str) -> None:
    """The layer's type, kernel, shape, receptive field, parameters and statistics as a small table."""
    layer, stats = run.layer(layer_name), run.stats[layer_name]
    facts = facts_of(model, layer_name)
    channels, height, width = layer.shape
    whole = " (the whole input)" if layer.receptive.size >= max(run.view.shape[:2]) else ""
    seen = layer.receptive.text + ("" if layer.receptive.whole else whole)
    st.markdown(f"### `{layer_name}`")
    st.markdown(
        f"| | |\n|---|---|\n| Type | {facts['type']} ({layer.kind}) |\n"
        f"| Kernel / stride / padding | {facts['kernel']} / {facts['stride']} / {facts['padding']} |\n"
        f"| Output shape | {channels} channels x {height} x {width} |\n"
        f"| Receptive field | {seen} |\n"
        f"| One step here moves | {layer.receptive.jump} input pixels |\n"
        f"| Parameters | {facts['parameters']} |\n"
        f"| Mean / max | {float(stats.mean.mean()):.3f} / {float(stats.max.max()):.3f} |\n"
        f"| Zeros | {float(stats.zeros.mean()):.1%} of values |"
    )
    st.caption("Receptive field: how many pixels of the network's input one value here can depend on.")


def channel_section(image: LoadedImage, run: NetworkRun, layer_name: str, order: list[int]) -> None:
    """One channel as an interactive heatmap and stretched over the whole photo."""
    activation, stats = run.activations[layer_name], run.stats[layer_name]
    st.subheader("One channel up close")
    pick_channel, opacity_column = st.columns([1, 1])
    channel = pick_channel.selectbox(
        "Channel",
        order,
        key="fm_channel",
        format_func=lambda c: f"channel {c}  (mean {stats.mean[c]:.3f}, max {stats.max[c]:.3f})",
    )
    with opacity_column, secondary_controls():
        opacity = st.slider("Overlay strength", 0.0, 1.0, step=0.05, key="fm_opacity")
    values = activation[channel].astype("float32")
    left, right = st.columns([1, 1])
    with left:
        st.plotly_chart(value_heatmap(values, f"{layer_name}, channel {channel}: hover for values"), width="stretch")
    with right:
        st.image(
            overlay(image.to_array(), values, opacity),
            width="stretch",
            caption=f"Channel {channel} stretched over your whole photo ({image.size[0]}x{image.size[1]}); "
            f"{stats.zeros[channel]:.0%} of its values are zero.",
        )


def feature_maps() -> None:
    """What the network sees, its predictions, a layer stepper, the layer's channels and one channel up close."""
    presentation_mode()
    keep_in_link("feature_maps")
    image, model, run = network_page("Feature maps", INTRO)
    top_left, top_right = st.columns([1, 1])
    with top_left:
        st.image(
            run.view,
            caption=f"Exactly what {model.title} sees: {run.view.shape[1]}x{run.view.shape[0]} "
            "pixels (your photo resized, nothing cropped)",
            width="stretch",
        )
    with top_right:
        show_predictions(run, model)
    layer_name = layer_stepper(run.names(), run)
    presented_question(image, model, ("channels", "parameters", "feature_map_size"), "fm_quiz")
    channels = run.layer(layer_name).shape[0]
    info, grid_column = st.columns([2, 3])
    with info:
        layer_facts_table(model, run, layer_name)
        with secondary_controls():
            normalise = st.radio(
                "Colour scale",
                NORMALISE,
                key="fm_normalise",
                help="Per channel shows every pattern; shared shows which channels respond most.",
            )
            sort = st.radio("Order channels by", ["index", "mean", "max"], horizontal=True, key="fm_sort")
    order = [int(c) for c in channel_order(run.stats[layer_name], sort)]
    with grid_column:
        pages = max(1, -(-channels // PER_PAGE))
        page = 0
        if pages > 1:
            page = st.number_input(f"Page (of {pages}, {PER_PAGE} channels each)", 1, pages, key="fm_page") - 1
        shown = page_of(order, page, PER_PAGE)
        grid = channel_grid(run.activations[layer_name], shown, shared=normalise == NORMALISE[1], columns=8)
        first = ", ".join(map(str, shown[:8])) + ("..." if len(shown) > 8 else "")
        st.image(grid, width="stretch", caption=f"Channels {first} (left to right, top to bottom; sorted by {sort})")
    channel_section(image, run, layer_name, order)
    seen = ExportPanel(f"What {model.title} sees", run.view)
    export = [seen, ExportPanel(f"{layer_name}: channels {first} (sorted by {sort})", grid)]
    export_button("feature_maps", f"Feature maps: {model.title}, layer {layer_name}", lambda: export, image.image)


feature_maps()
