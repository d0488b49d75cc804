"""Property-based: whatever a student types or edits, the lab answers with a kernel and finite numbers,
or with one ExplorerError sentence; never another exception, inf or NaN."""

from collections.abc import Callable

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from explorer.errors import ExplorerError
from explorer.kernels.convolution import ConvOptions, apply_kernel
from explorer.kernels.display import display_image, histogram, value_summary
from explorer.kernels.parsing import colour_kernel, custom_kernel, parse_colour_text, parse_kernel_text
from explorer.kernels.presets import Kernel

IMAGE = np.random.default_rng(0).integers(0, 256, (7, 9, 3), dtype=np.uint8)
SMALL = st.one_of(st.integers(-9, 9).map(str), st.floats(-10, 10).map(repr), st.sampled_from(["1/9", "-2/3", "1e-3"]))
NUMBERS = st.one_of(
    SMALL,
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.tuples(st.integers(-(10**500), 10**500), st.integers(-(10**50), 10**50)).map(lambda p: f"{p[0]}/{p[1]}"),
    st.sampled_from(["1e400", "-1e38", "1e-400", "nan", "inf", "1/0", "0/0", "**bold**", "$x^2$", "1_0", "٣"]),
)
SEPARATORS = st.sampled_from([" ", ",", ";", "\n", "  ", ", ", " ; "])
SHAPES = st.tuples(st.integers(1, 4), st.integers(1, 4))


def grid_text(shape: tuple[int, int], numbers: st.SearchStrategy[str] = NUMBERS) -> st.SearchStrategy[str]:
    """Rows of typed numbers of one shape, as a student writes them: '1 0 -1; 2 0 -2'."""
    row = st.lists(numbers, min_size=shape[1], max_size=shape[1]).map(" ".join)
    return st.lists(row, min_size=shape[0], max_size=shape[0]).map("; ".join)


def three_grids(numbers: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Three kernels of one random shape separated by '|' (red | green | blue)."""
    return SHAPES.flatmap(lambda shape: st.lists(grid_text(shape, numbers), min_size=3, max_size=3)).map(" | ".join)


TYPED = st.one_of(
    SHAPES.flatmap(lambda shape: grid_text(shape, SMALL)),
    SHAPES.flatmap(grid_text),
    st.lists(st.tuples(NUMBERS, SEPARATORS), max_size=30).map(lambda parts: "".join(a + b for a, b in parts)),
    st.text(alphabet=st.sampled_from(list("0123456789 -+./;,\neEinfa|x")), max_size=60),
    st.text(max_size=40),
)
FINITE_OR_NOT = st.floats(allow_nan=True, allow_infinity=True, width=64)


def one_sentence(error: ExplorerError) -> None:
    event("one sentence")
    message = str(error)
    assert message.endswith(".") and "\n" not in message and len(message) < 300, message


def made_or_one_sentence(make: Callable[[], Kernel]) -> Kernel | None:
    """The kernel ``make`` builds from the random input, or None after checking its error is one sentence."""
    try:
        return make()
    except ExplorerError as error:
        one_sentence(error)
        return None


def shown_without_inf_or_nan(kernel, options: ConvOptions) -> None:
    """Convolve the small image and check every number a page would draw is finite."""
    try:
        result = apply_kernel(IMAGE, kernel, options)
    except ExplorerError as error:  # e.g. a kernel larger than the 7x9 image
        one_sentence(error)
        return
    event("a kernel, applied")
    assert np.all(np.isfinite(result.values))
    counts, edges = histogram(result.values)
    assert np.all(np.isfinite(edges)) and counts.sum() == result.values.size
    assert all(np.isfinite(v) for v in value_summary(result.values).values())
    for mode in ("clip", "abs", "diverging"):
        display_image(result.values, mode)


@settings(max_examples=200, deadline=None)
@given(TYPED, st.booleans())
def test_random_kernel_text_gives_a_kernel_or_one_sentence(text, normalise):
    kernel = made_or_one_sentence(lambda: custom_kernel(parse_kernel_text(text), normalise=normalise))
    if kernel is None:
        return
    assert all(np.all(np.isfinite(g)) and np.abs(g).max() <= 1e6 for g in kernel.arrays())
    shown_without_inf_or_nan(kernel, ConvOptions(padding="same"))


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5)), elements=FINITE_OR_NOT))
def test_random_edited_grids_give_finite_outputs_or_one_sentence(grid):
    kernel = made_or_one_sentence(lambda: custom_kernel(grid))
    if kernel is not None:
        shown_without_inf_or_nan(kernel, ConvOptions(color="gray"))


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        three_grids(SMALL),
        three_grids(NUMBERS),
        st.lists(TYPED, min_size=1, max_size=4).map("|".join),
    ),
    st.one_of(st.floats(-300, 300), FINITE_OR_NOT),
)
def test_random_3d_filter_text_and_bias_give_a_filter_or_one_sentence(text, bias):
    kernel = made_or_one_sentence(lambda: colour_kernel(parse_colour_text(text), bias=bias))
    if kernel is not None:
        shown_without_inf_or_nan(kernel, ConvOptions(color="rgb-sum"))
