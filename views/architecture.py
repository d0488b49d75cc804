"""Architecture: how the image shrinks while channels grow, where the parameters are, what each neuron sees."""

import streamlit as st

from explorer.network.stack import STACK_SYNTAX, calculate, separable_counts
from explorer.network.stack_presets import READY_STACKS
from ui.errors import user_errors
from ui.network import network_page, show_predictions, table_of
from ui.page_links import keep_in_link, rewrite_link
from ui.present import data_table, presentation_mode, presenting
from ui.quiz import presented_question
from ui.stack import STACK_COLUMNS, TEXT_KEY, input_boxes, reading, ready_stack_menu, remember_typed, table_rows

NUMBERS = {
    name: st.column_config.NumberColumn(format="localized")
    for name in ("parameters", "multiply-adds", "receptive field")
}
INTRO = (
    "Every row is one layer of the real network, with the numbers for **your photo**: the output shape, "
    "how many learned parameters the layer has, how many input pixels one output value can see "
    "(its *receptive field*), and how many multiply-adds it costs."
)


def layer_table_section() -> None:
    """Totals, predictions and the per-layer table of the chosen network on the chosen photo."""
    keep_in_link("architecture")
    image, model, run = network_page("Architecture", INTRO)
    left, right = st.columns([1, 1])
    with right:
        show_predictions(run, model)
    table = table_of(model, run)
    with left:
        height, width = run.view.shape[:2]
        st.metric("Parameters (learned numbers)", f"{table.total_params:,}")
        st.metric("Multiply-adds for this photo", f"{table.total_mult_adds / 1e9:.2f} billion")
        st.metric("Input size", f"{width} x {height} pixels")
    presented_question(image, model, ("parameters", "receptive_field", "feature_map_size"), "architecture_quiz")
    projected = presenting()
    data_table(
        [
            {
                "layer": row.name,
                "type": row.type_name,
                **(
                    {"kernel, stride, padding": ", ".join(map(str, (row.kernel, row.stride, row.padding)))}
                    if projected  # one column for three: nine columns of 24 px text do not fit 1024 pixels
                    else {"kernel": row.kernel, "stride": row.stride, "padding": row.padding}
                ),
                "output": " x ".join(map(str, row.output_shape)),
                "parameters": row.params,
                "receptive field": row.receptive_text,
                "multiply-adds": row.mult_adds,
            }
            for row in table.rows
        ],
        width="stretch",
        height=420,
        hide_index=True,
        column_config=NUMBERS | {"receptive field": st.column_config.TextColumn()},
    )
    st.caption(
        "Totals count every parameter of the model. Multiply-adds count convolutions and fully connected "
        "layers. 'same' padding (TensorFlow style) keeps size = ceil(input / stride)."
    )


def separable_section() -> None:
    """Standard versus depthwise-separable weights for a kernel size and channel counts the student picks."""
    st.subheader("Standard versus depthwise-separable convolution")
    k_column, in_column, out_column = st.columns(3)
    kernel = k_column.number_input("Kernel size k", 1, 15, key="arch_sep_k")
    c_in = in_column.number_input("Input channels", 1, 4096, key="arch_sep_in")
    c_out = out_column.number_input("Output channels", 1, 4096, key="arch_sep_out")
    counts = separable_counts(int(kernel), int(c_in), int(c_out))
    st.markdown(
        f"- **Standard** {kernel}×{kernel} conv: `k×k×C_in×C_out` = {kernel}×{kernel}×{c_in}×{c_out} = "
        f"**{counts.standard:,}** weights\n"
        f"- **Depthwise** {kernel}×{kernel} (one kernel per channel): `k×k×C_in` = **{counts.depthwise:,}**, then "
        f"**pointwise** 1×1 mixing: `C_in×C_out` = **{counts.pointwise:,}**; together **{counts.separable:,}**\n"
        f"- The separable version needs **{counts.ratio:.1f}x fewer** weights (MobileNet and EfficientNet use it)."
    )


def stack_section() -> None:
    """The calculator: a typed or ready-made stack of layers, what comes out of each, and what it all costs."""
    st.subheader("Stack calculator")
    st.markdown(
        "Type a stack of layers, or pick a ready-made network, and see what comes out of each layer: its shape, "
        "parameters, multiply-adds and what one output value can see."
    )
    chosen = ready_stack_menu()
    st.code(STACK_SYNTAX, language=None)
    text = st.text_area("Your stack", key=TEXT_KEY, height=200)
    remember_typed(text, chosen)
    size = input_boxes()
    with user_errors():
        result = calculate(text, size)
    if result.input_from_text:
        height, width, channels = result.input_shape
        st.caption(f"The first line sets the input to {height} x {width} x {channels}; the boxes above are not used.")
    totals = st.columns(3)
    totals[0].metric("Parameters", f"{result.total_params:,}")
    totals[1].metric("Multiply-adds", f"{result.total_mult_adds:,}")
    totals[2].metric("Output", result.rows[-1].output)
    data_table(table_rows(result), width="stretch", hide_index=True, column_config=STACK_COLUMNS)
    st.markdown("\n".join(f"- {sentence}" for sentence in reading(result)))
    st.caption(
        (READY_STACKS[chosen].note + " " if chosen else "")
        + "Parameters are weights plus biases (batch norm: scale and shift); multiply-adds count convolutions and "
        "fully connected layers; after gap or fc every output sees the whole input."
    )


def architecture() -> None:
    """The real network's table, then the two calculators."""
    presentation_mode()
    layer_table_section()
    separable_section()
    stack_section()
    rewrite_link("architecture")  # the stack's text is known once its box is drawn


architecture()
