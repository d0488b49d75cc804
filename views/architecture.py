"""Architecture: how the image shrinks while channels grow, where the parameters are, what each neuron sees."""

import streamlit as st

from explorer.network.stack import STACK_SYNTAX, parse_stack, separable_counts
from ui.errors import user_errors
from ui.network import network_page, show_predictions, table_of

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
    _image, model, run = network_page("Architecture", INTRO)
    left, right = st.columns([1, 1])
    with right:
        show_predictions(run, model)
    table = table_of(model, run)
    with left:
        height, width = run.view.shape[:2]
        st.metric("Parameters (learned numbers)", f"{table.total_params:,}")
        st.metric("Multiply-adds for this photo", f"{table.total_mult_adds / 1e9:.2f} billion")
        st.metric("Input size", f"{width} x {height} pixels")
    st.dataframe(
        [
            {
                "layer": row.name,
                "type": row.type_name,
                "kernel": row.kernel,
                "stride": row.stride,
                "padding": row.padding,
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
    kernel = k_column.number_input("Kernel size k", 1, 15, 3, key="arch_sep_k")
    c_in = in_column.number_input("Input channels", 1, 4096, 128, key="arch_sep_in")
    c_out = out_column.number_input("Output channels", 1, 4096, 128, key="arch_sep_out")
    counts = separable_counts(int(kernel), int(c_in), int(c_out))
    st.markdown(
        f"- **Standard** {kernel}×{kernel} conv: `k×k×C_in×C_out` = {kernel}×{kernel}×{c_in}×{c_out} = "
        f"**{counts.standard:,}** weights\n"
        f"- **Depthwise** {kernel}×{kernel} (one kernel per channel): `k×k×C_in` = **{counts.depthwise:,}**, then "
        f"**pointwise** 1×1 mixing: `C_in×C_out` = **{counts.pointwise:,}**; together **{counts.separable:,}**\n"
        f"- The separable version needs **{counts.ratio:.1f}x fewer** weights (MobileNet and EfficientNet use it)."
    )


def stack_section() -> None:
    """The calculator: a typed stack of layers and what comes out of each."""
    st.subheader("Stack calculator")
    st.markdown("Type a stack of layers and see what comes out of each one.")
    st.code(STACK_SYNTAX, language=None)
    text = st.text_area("Your stack", "conv 3x3 s1 p1 c64; pool 2; conv 3x3 s1 p1 c128; pool 2", key="arch_stack")
    size_column, channel_column = st.columns(2)
    size = size_column.number_input("Input height and width", 1, 4096, 224, key="arch_stack_size")
    channels = channel_column.number_input("Input channels", 1, 4096, 3, key="arch_stack_channels")
    with user_errors():
        rows = parse_stack(text, (int(size), int(size)), int(channels))
    st.dataframe(
        [
            {
                "layer": row.text,
                "output": f"{row.channels} x {row.size[0]} x {row.size[1]}",
                "parameters": row.params,
                "receptive field": row.receptive_field,
                "step (pixels)": row.jump,
                "multiply-adds": row.mult_adds,
            }
            for row in rows
        ],
        width="stretch",
        hide_index=True,
        column_config=NUMBERS,
    )
    st.caption(
        f"In total: {sum(row.params for row in rows):,} parameters; one output value sees "
        f"{rows[-1].receptive_field} x {rows[-1].receptive_field} input pixels."
    )


def architecture() -> None:
    """The real network's table, then the two calculators."""
    layer_table_section()
    separable_section()
    stack_section()


architecture()
