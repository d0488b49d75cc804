"""Tiny CNN: LeNet-5 reading a handwritten digit, every map of every layer on one screen."""

import streamlit as st

from explorer.models.lenet import UnitStory
from ui import tiny_cnn as glue
from ui.charts import NO_TOOLBAR
from ui.errors import user_errors
from ui.lenet_charts import lenet_figure, pixels_figure, weights_figure
from ui.links import share_button
from ui.page_links import keep_in_link, rewrite_link
from ui.picker import device_badge
from ui.present import presentation_mode

INTRO = (
    "**LeNet-5** (1998, 61,706 weights) reading one handwritten digit, every map of every layer at once. "
    "Hover a square for its value; **click** it to see the pixels it sees and the weights that made it."
)
AFTER_RELU = {"act1": "conv1", "act2": "conv2", "act3": "fc1", "act4": "fc2"}


def unit_title(story: UnitStory) -> str:
    """One line naming the unit and its value, the way the figure's hover does."""
    stage = glue.stage_name(story.stage).split(" ")[0]
    if story.stage == "softmax":
        return f"softmax: the probability of digit {story.channel} is {story.value:.1%}"
    if story.stage == "fc3":
        return f"scores: digit {story.channel} scores {story.value:.3f}"
    if story.stage == "flatten":
        return f"flatten unit {story.channel} (pool2 map {story.channel // 25}): {story.value:.3f}"
    if story.stage in ("fc1", "fc2", "act3", "act4"):
        return f"{stage} unit {story.channel}: {story.value:.3f}"
    where = "" if story.stage == "input" else f"map {story.channel}, "
    return f"{stage} {where}row {story.row}, column {story.col}: {story.value:.3f}"


def how_it_was_made(story: UnitStory) -> None:
    """The weights that made the unit (or why there are none), and the sum worked out again."""
    if story.weights is not None:
        layer = story.weights.layer
        st.plotly_chart(
            weights_figure(story.weights.weights, f"The weights of {layer} that made it"),
            key="tiny_weights",
            config=NO_TOOLBAR,
        )
        made = story.weighted_sum or 0.0
        after = (
            f"ReLU keeps {story.value:.3f}"
            if story.stage in AFTER_RELU
            else f"softmax turns the 10 scores into {story.value:.1%}"
            if story.stage == "softmax"
            else f"= {story.value:.3f}"
        )
        st.markdown(
            f"bias {story.weights.bias:+.3f} + Σ weight × value below ({story.weights.weights.size} products) "
            f"= **{made:.3f}**; {after}."
        )
    elif story.pooled is not None:
        values = ", ".join(f"{v:.3f}" for v in story.pooled.ravel())
        st.markdown(f"A max pool has **no weights**: it keeps the largest of the 2x2 values below it ({values}).")
    elif story.stage == "flatten":
        st.markdown("Flatten has **no weights**: it lays pool2's 16 maps of 5x5 out in one line of 400 numbers.")
    else:
        st.markdown("The input is the digit itself, 32x32 pixels from 0 (black) to 1 (white).")


def unit_details(story: UnitStory) -> None:
    """The chosen unit: the input pixels it sees, and the weights that made it."""
    st.subheader(unit_title(story))
    row0, row1, col0, col1 = story.window
    sees, made = st.columns([1, 2], gap="large")
    with sees:
        size = f"{row1 - row0}x{col1 - col0}"
        st.markdown(f"It sees input rows {row0}-{row1 - 1}, columns {col0}-{col1 - 1}: **{size} pixels**.")
        st.plotly_chart(pixels_figure(story.seen, "What it sees"), key="tiny_seen", config=NO_TOOLBAR)
    with made:
        how_it_was_made(story)


def tiny_cnn() -> None:
    """Choose a digit; see the whole network read it; click any unit to see what it sees and its weights."""
    presentation_mode()
    keep_in_link("tiny_cnn")
    st.title("Tiny CNN")
    st.markdown(INTRO)
    device_badge()
    share_button()
    left, right = st.columns([1, 3.4], gap="medium")
    with left, user_errors():
        data, thumbnail = glue.picture_bytes()
        digit, picture = glue.digit_from_bytes(data) if data is not None else (None, None)
    if digit is None:
        with right:
            st.info("Draw a digit in the black box (or pick a sample, or upload a photo).", icon=":material/draw:")
        return
    run = glue.run_of(digit)
    with left:
        best = run.prediction
        sure = f"{float(run.softmax[best]):.1%} sure"
        st.metric("The network reads", str(best), sure, delta_color="off", delta_arrow="off")
        if thumbnail:
            st.image(picture, width=96, caption="your picture")
    with right:
        figure = st.container()
        pickers = st.container()
    with pickers.expander("Choose a unit by hand (or click one in the picture)"):
        unit = glue.unit_pickers(run)
    rewrite_link("tiny_cnn")  # a click or the pickers may have moved the chosen unit
    story = glue.story_of(run, unit)
    figure.plotly_chart(
        lenet_figure(run, story),
        key=glue.FIGURE_KEY,
        on_select=glue.take_click,
        selection_mode="points",
        config=NO_TOOLBAR,
    )
    unit_details(story)


tiny_cnn()
