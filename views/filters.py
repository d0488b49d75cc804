"""Filters: the kernels the network learned by itself, and which of them look like Sobel."""

import streamlit as st

from explorer.kernels.presets import PRESETS
from explorer.models import LoadedModel
from explorer.network.display import channel_grid
from explorer.network.features import NetworkRun
from explorer.network.filters import (
    LearnedFilters,
    colour_tiles,
    filter_inputs,
    histogram,
    pointwise_matrix,
    signed_tiles,
    similar_filters,
)
from ui.charts import value_heatmap, weight_histogram
from ui.handout import ExportPanel, export_button
from ui.network import convolutions, filters_of, network_page, show_predictions
from ui.page_links import keep_in_link
from ui.present import presentation_mode
from ui.quiz import presented_question

MAX_TILES = 96
INTRO = (
    "In the Kernel lab *you* chose the numbers in a kernel. A CNN **learns** its kernels from millions of "
    "photos. Here are the learned numbers themselves."
)


def draw_filters(filters: LearnedFilters) -> list[ExportPanel]:
    """The layer's kernels drawn the way that suits it: colour pictures, signed tiles or a mixing table.

    Returns the pictures drawn, with their captions, for "Export this view" (none for a mixing table)."""
    drawn: list[ExportPanel] = []
    weights = filters.weights
    count, per_input = weights.shape[:2]
    if filters.kind == "first":
        st.subheader("First layer: each filter as a colour picture")
        st.markdown(
            "The first layer looks at red, green and blue directly, so each filter can be drawn as a tiny "
            "colour image. **Mid-grey is zero**; brighter means positive weights, darker negative."
        )
        shared = st.toggle(
            "One scale for all filters",
            key="filters_shared",
            help="Off: each filter uses its own range, so every pattern shows. On: compare strengths.",
        )
        caption = (
            f"Filters 0 to {min(count, MAX_TILES) - 1} ({'one shared scale' if shared else 'each on its own scale'})"
        )
        drawn.append(ExportPanel(caption, colour_tiles(weights[:MAX_TILES], per_filter=not shared)))
    elif filters.kind == "depthwise":
        st.subheader("Depthwise layer: one small kernel per channel")
        st.markdown(
            "A depthwise conv filters every channel on its own (no mixing). "
            "**Blue** = negative, **white** = zero, **red** = positive."
        )
        drawn.append(
            ExportPanel(
                f"Channels 0 to {min(count, MAX_TILES) - 1}, one kernel each", signed_tiles(weights[:MAX_TILES, 0])
            )
        )
    elif filters.kind == "pointwise":
        st.subheader("1x1 layer: a table that mixes channels")
        st.markdown(
            "A 1x1 conv has no spatial pattern: each output channel is a weighted sum of the input "
            "channels at the same pixel. Row = output channel, column = input channel."
        )
        st.plotly_chart(
            value_heatmap(
                pointwise_matrix(weights),
                "weight of input channel (x) in output channel (y)",
                colorscale="RdBu_r",
                zmid=0.0,
            ),
            width="stretch",
        )
    else:
        st.subheader("Deeper layer: one filter, across its input channels")
        st.markdown(
            "Here a filter has a kernel for every input channel (the previous layer's feature maps). "
            "**Blue** = negative, **white** = zero, **red** = positive."
        )
        index = st.number_input("Filter", 0, count - 1, key="filters_index")
        caption = f"Filter {index}: its kernels for input channels 0 to {min(per_input, MAX_TILES) - 1}"
        drawn.append(ExportPanel(caption, signed_tiles(filter_inputs(weights, int(index))[:MAX_TILES])))
    for panel in drawn:
        st.image(panel.picture, width="stretch", caption=panel.title)
    counts, edges = histogram(weights)
    st.plotly_chart(weight_histogram(edges, counts, f"All {weights.size:,} weights of {filters.name}"), width="stretch")
    return drawn


def classic_bridge(model: LoadedModel, run: NetworkRun, first: str) -> None:
    """Which learned first-layer filters look most like a classic kernel from the Kernel lab."""
    st.subheader("Bridge from the Kernel lab: which learned filters look like a classic kernel?")
    first_filters = filters_of(model, first)
    if first_filters.kind != "first":
        st.info("This network's first layer does not look at RGB pixels directly, so there is nothing to compare.")
        return
    classic = {n: k for n, k in PRESETS.items() if len(k.grids) == 1 and n != "identity"}
    choice, flip_column = st.columns([2, 1])
    kernel_name = choice.selectbox(
        "Classic kernel",
        list(classic),
        key="filters_classic",
    )
    allow_flip = flip_column.checkbox("Count sign-flipped matches", key="filters_flip")
    kernel = classic[kernel_name].arrays()[0]
    side = first_filters.weights.shape[-1]
    st.markdown(
        f"*{classic[kernel_name].explanation}* Each learned first-layer filter is averaged over red, green and "
        "blue (how it reacts to brightness, which is what the classic kernel sees), stretched or not to the "
        f"same size ({side}x{side}), and compared with **cosine similarity** (1 = same pattern, 0 = unrelated). "
        "A *flipped* match is the negative of the kernel: it finds the same edges with the opposite sign "
        "(dark-to-light instead of light-to-dark)."
    )
    matches = similar_filters(first_filters.weights, kernel, top=6, allow_flip=allow_flip)
    maps = run.activations.get(first)
    for column, match in zip(st.columns(len(matches)), matches):
        with column:
            st.image(
                colour_tiles(first_filters.weights[[match.index]], columns=1),
                width="stretch",
                caption=f"Filter {match.index}: similarity {match.similarity:.2f}"
                f"{' (flipped)' if match.flipped else ''}",
            )
            if maps is not None:
                st.image(
                    channel_grid(maps, [match.index], columns=1, tile=240),
                    width="stretch",
                    caption="Its feature map: bright where it responds",
                )


def filters_page() -> None:
    """Pick a conv layer, see its learned kernels and their histogram, then the bridge to classic kernels."""
    presentation_mode()
    keep_in_link("filters")
    image, model, run = network_page("Filters", INTRO)
    top_left, top_right = st.columns([1, 1])
    with top_right:
        show_predictions(run, model)
    layers = convolutions(model)
    with top_left:
        name = st.selectbox(
            "Convolution layer", layers, key="filters_layer", format_func=lambda n: f"{layers.index(n) + 1}. {n}"
        )
    filters = filters_of(model, name)
    count, per_input, kh, kw = filters.weights.shape
    st.caption(
        f"`{name}`: {count} filters, each {kh}x{kw} over {per_input} input channel(s); "
        f"{filters.weights.size:,} weights in all."
    )
    presented_question(image, model, ("channels", "parameters"), "filters_quiz")
    drawn = draw_filters(filters)
    classic_bridge(model, run, layers[0])
    export_button("filters", f"Filters: {model.title}, layer {name}", lambda: drawn, image.image)


filters_page()
