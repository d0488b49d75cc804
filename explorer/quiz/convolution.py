"""Questions about kernels on the photo: output size, which preset made a picture, pooling, one sum by hand.

Each one runs the Kernel lab's own functions on the current photo (``apply_kernel``, ``convolution_step``,
``pool``), so the answer is what the app computes for this very photo.
"""

from __future__ import annotations

import random

import numpy as np

from explorer.kernels.convolution import ConvOptions, apply_kernel, output_sizes, source_image
from explorer.kernels.display import display_image
from explorer.kernels.presets import PRESETS, get_preset
from explorer.kernels.steps import convolution_step, pool
from explorer.kernels.whole import whole_numbers
from explorer.quiz.question import (
    LETTERS,
    NumberTable,
    Picture,
    Question,
    QuizSource,
    multiple_choice,
    number_text,
    require,
    shown_photo,
)

LOOK_ALIKE_PRESETS = ("sobel_x", "sobel_y", "gaussian_5", "laplacian_8")
"""The four outputs of 'which kernel made this?': two edge directions, a blur and edges everywhere."""
WHOLE_NUMBER_PRESETS = ("sobel_x", "sobel_y", "prewitt_x", "laplacian_4", "sharpen", "edge_vertical")
SHOWN_SIDE = 320
POSITIONS = {(0, 0): "top-left", (0, 1): "top-right", (1, 0): "bottom-left", (1, 1): "bottom-right"}


def _size(width: int, height: int) -> str:
    return f"{width} x {height}"


def output_size(source: QuizSource, rng: random.Random) -> Question:
    """'This KxK kernel with stride S and P padding on a W x H photo: what is the output size?'"""
    width, height = source.image.size
    size, stride = rng.choice((3, 5, 7)), rng.choice((2, 3, 4))
    padding = rng.choice(("same", "valid")) if min(height, width) >= size else "same"
    options = ConvOptions(stride=stride, padding=padding)
    square = (size, size)
    sizes = output_sizes(height, width, square, options)  # the formulas the Kernel lab's convolution uses
    out_h, out_w = (axis.output for axis in sizes)
    other = ConvOptions(stride=stride, padding="valid" if padding == "same" else "same")
    slips = [
        output_sizes(height, width, square, other),
        output_sizes(height, width, square, ConvOptions(padding=padding)),
    ]
    distractors = [_size(w.output, h.output) for h, w in slips if min(h.output, w.output) > 0]
    distractors += [_size(max(1, out_w - 1), max(1, out_h - 1)), _size(width // stride, height // stride)]
    distractors += [_size(out_w + 1, out_h + 1), _size(out_w + 2, out_h + 2)]
    truth = _size(out_w, out_h)
    formulas = "; ".join(axis.formula() for axis in reversed(sizes))
    return Question(
        "output_size",
        f"A {size}x{size} kernel slides over this {width} x {height} photo with stride {stride} and "
        f"'{padding}' padding. What size (width x height) is the output?",
        f"P = {options.pads(size)[0]} zeros on each side, and the formula gives {formulas}.",
        truth,
        multiple_choice(rng, truth, distractors),
    )


def which_kernel(source: QuizSource, rng: random.Random) -> Question:
    """'Which of these four outputs is the Sobel-x result?': four real outputs of different presets."""
    pixels = shown_photo(source, SHOWN_SIDE)
    options = ConvOptions(padding="same", color="gray")
    order = rng.sample(LOOK_ALIKE_PRESETS, len(LOOK_ALIKE_PRESETS))
    target = rng.choice(LOOK_ALIKE_PRESETS)
    pictures = tuple(
        Picture(letter, display_image(apply_kernel(pixels, get_preset(name), options).values, "abs"))
        for letter, name in zip(LETTERS, order)
    )
    truth = LETTERS[order.index(target)]
    scale, grid = whole_numbers(get_preset(target).arrays()[0])
    made = ", ".join(f"{letter} = {name}" for letter, name in zip(LETTERS, order))
    return Question(
        "which_kernel",
        f"Each picture is the photo (in grey, {pixels.shape[1]} x {pixels.shape[0]}) after a different kernel, "
        f"shown as absolute values. Which one is the {target} result?",
        f"{target}: {PRESETS[target].explanation} The four were: {made}.",
        truth,
        tuple(LETTERS[: len(order)]),
        pictures=pictures,
        tables=(NumberTable(f"{target} weights" + (f" (x 1/{scale})" if scale > 1 else ""), grid),),
    )


def pooling(source: QuizSource, rng: random.Random) -> Question:
    """'What does 2x2 max (or average) pooling give here?' on a real 4x4 block of grey pixel values."""
    grey = np.rint(source_image(source.image.to_array(), "gray")[:, :, 0])
    height, width = grey.shape
    require(min(height, width) >= 4, "The photo is too small to take a 4x4 block from.")
    top, left = 2 * rng.randrange((height - 4) // 2 + 1), 2 * rng.randrange((width - 4) // 2 + 1)
    block = grey[top : top + 4, left : left + 4]
    kind = rng.choice(("max", "average"))
    (row, col), where = rng.choice(list(POSITIONS.items()))
    pooled = pool(block, kind)
    truth = float(pooled[row, col])
    window = block[2 * row : 2 * row + 2, 2 * col : 2 * col + 2]
    how = "the largest" if kind == "max" else "the mean"
    return Question(
        "pooling",
        f"These are the grey values of a real 4x4 block of the photo (rows {top}-{top + 3}, columns "
        f"{left}-{left + 3}). 2x2 {kind} pooling with stride 2 turns it into 2x2 numbers. What is the {where} one?",
        f"The {where} 2x2 window holds {', '.join(number_text(v) for v in window.flat)}; {kind} pooling keeps "
        f"{how} of them: {number_text(truth)}. The whole block pools to {_flat(pooled)}.",
        truth,
        tolerance=0.0 if kind == "max" else 0.01,
        tables=(NumberTable("grey values", block, pixels=True),),
    )


def _flat(values: np.ndarray) -> str:
    return " | ".join(", ".join(number_text(v) for v in row) for row in values)


def step_sum(source: QuizSource, rng: random.Random) -> Question:
    """'What number does the kernel produce here?': one real output cell of a whole-number kernel, by hand."""
    pixels = source.image.to_array()
    height, width = pixels.shape[:2]
    name = rng.choice(WHOLE_NUMBER_PRESETS)
    result = apply_kernel(pixels, get_preset(name), ConvOptions(padding="same", mode="corr"))
    row = rng.randrange(1, height - 1) if height > 2 else 0
    col = rng.randrange(1, width - 1) if width > 2 else 0
    step = convolution_step(result, row, col, channel=0)
    products = " + ".join(number_text(v) if v >= 0 else f"({number_text(v)})" for v in step.products[0].flat)
    return Question(
        "step_sum",
        f"The {name} kernel sits on the red channel of the photo at row {row}, column {col}, as a CNN "
        "layer does (cross-correlation: each weight multiplies the pixel under it, no flipping). "
        "What number comes out?",
        f"Multiply each pixel by the weight on top of it and add the nine products: {products} = "
        f"{number_text(step.value)}.",
        step.value,
        tolerance=0.01,
        tables=(
            NumberTable("red values under the kernel", step.patches[0], pixels=True),
            NumberTable(f"{name} weights", step.weights[0]),
        ),
    )
