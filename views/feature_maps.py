"""Feature maps: step through the network layer by layer and see what every channel found in the photo."""

import streamlit as st

from explorer.architecture import layer_facts
from explorer.feature_display import NORMALISE, channel_grid, overlay, page_of
from explorer.features import channel_order
from ui.network import heatmap, network_page, show_predictions

PER_PAGE = 64
_LAYER_KEY = "fm_layer"

image, model, run = network_page(
    "Feature maps",
    "The network runs **once** on your photo; here you walk through what each layer produced, in order. "
    "Each layer has many *channels*: one picture per learned filter. Bright = strong response."
)

names = run.names()
if st.session_state.get(_LAYER_KEY) not in names:
    st.session_state[_LAYER_KEY] = names[0]


def _step(offset: int) -> None:
    position = names.index(st.session_state[_LAYER_KEY]) + offset
    st.session_state[_LAYER_KEY] = names[max(0, min(len(names) - 1, position))]


top_left, top_right = st.columns([1, 1])
with top_left:
    st.image(run.view, caption=f"Exactly what {model.title} sees: {run.view.shape[1]}x{run.view.shape[0]} pixels "
             "(your photo resized, nothing cropped)", width="stretch")
with top_right:
    show_predictions(run, model)

st.subheader("Step through the network")
back, pick, forward = st.columns([1.3, 5, 1.3], vertical_alignment="bottom")
back.button("Previous", icon=":material/arrow_back:", on_click=_step, args=(-1,), width="stretch",
            disabled=st.session_state[_LAYER_KEY] == names[0], key="fm_previous")
forward.button("Next", icon=":material/arrow_forward:", on_click=_step, args=(1,), width="stretch",
               disabled=st.session_state[_LAYER_KEY] == names[-1], key="fm_next")
layer_name = pick.selectbox(
    "Layer", names, key=_LAYER_KEY,
    format_func=lambda n: f"{names.index(n) + 1}/{len(names)}  {n}  ({run.layer(n).kind}, "
                          f"{'x'.join(map(str, run.layer(n).shape))})",
)
layer = run.layer(layer_name)
activation = run.activations[layer_name]
stats = run.stats[layer_name]
facts = layer_facts(model.module, layer_name)
channels, height, width = layer.shape
whole = " (the whole input)" if layer.receptive.size >= max(run.view.shape[:2]) else ""

info, grid_column = st.columns([2, 3])
with info:
    st.markdown(f"### `{layer_name}`")
    st.markdown(
        f"| | |\n|---|---|\n| Type | {facts['type']} ({layer.kind}) |\n"
        f"| Kernel / stride / padding | {facts['kernel']} / {facts['stride']} / {facts['padding']} |\n"
        f"| Output shape | {channels} channels x {height} x {width} |\n"
        f"| Receptive field | {layer.receptive.size} x {layer.receptive.size} input pixels{whole} |\n"
        f"| One step here moves | {layer.receptive.jump} input pixels |\n"
        f"| Parameters | {facts['parameters']} |\n"
        f"| Mean / max | {float(stats.mean.mean()):.3f} / {float(stats.max.max()):.3f} |\n"
        f"| Zeros | {float(stats.zeros.mean()):.1%} of values |"
    )
    st.caption("Receptive field: how many pixels of the network's input one value here can depend on.")
    normalise = st.radio("Colour scale", NORMALISE, key="fm_normalise",
                         help="Per channel shows every pattern; shared shows which channels respond most.")
    sort = st.radio("Order channels by", ["index", "mean", "max"], horizontal=True, key="fm_sort")

order = channel_order(stats, sort)
with grid_column:
    pages = max(1, -(-channels // PER_PAGE))
    page = 0
    if pages > 1:
        page = st.number_input(f"Page (of {pages}, {PER_PAGE} channels each)", 1, pages, 1, key="fm_page") - 1
    shown = page_of(list(order), page, PER_PAGE)
    grid = channel_grid(activation, shown, shared=normalise == NORMALISE[1], columns=8)
    first = ", ".join(map(str, shown[:8])) + ("..." if len(shown) > 8 else "")
    st.image(grid, width="stretch", caption=f"Channels {first} "
             f"(left to right, top to bottom; sorted by {sort})")

st.subheader("One channel up close")
pick_channel, opacity_column = st.columns([1, 1])
channel = pick_channel.selectbox(
    "Channel", list(order), key="fm_channel",
    format_func=lambda c: f"channel {c}  (mean {stats.mean[c]:.3f}, max {stats.max[c]:.3f})",
)
opacity = opacity_column.slider("Overlay strength", 0.0, 1.0, 0.6, 0.05, key="fm_opacity")
values = activation[channel].astype("float32")
left, right = st.columns([1, 1])
with left:
    st.plotly_chart(heatmap(values, f"{layer_name}, channel {channel}: hover for values"), width="stretch")
with right:
    st.image(overlay(image.to_array(), values, opacity), width="stretch",
             caption=f"Channel {channel} stretched over your whole photo ({image.size[0]}x{image.size[1]}); "
             f"{stats.zeros[channel]:.0%} of its values are zero.")
