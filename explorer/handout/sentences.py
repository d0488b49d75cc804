"""The lesson's words: one or two sentences per step that a student understands, with the real numbers in.

Also how numbers are written: whole numbers without decimals, others with one.
"""

from __future__ import annotations

from explorer.handout.lesson import FeaturePart, KernelPart, Lesson, PoolingPart
from explorer.kernels.steps import ConvolutionStep


def number(value: float) -> str:
    """A short label: whole numbers as they are, others to one decimal (two below 1)."""
    if abs(value - round(value)) < 1e-6:
        return str(int(round(value)))
    return f"{value:.2f}" if abs(value) < 1 else f"{value:.1f}"


def kernel_sentence(part: KernelPart, photo_size: tuple[int, int]) -> str:
    """What the kernel did to the photo and why the output has its size."""
    options, (size, _columns) = part.options, part.kernel.shape
    pad = options.pads(size)[0]  # the lesson's kernels are odd and square: as many zeros on each side
    colour = "the grey version of the photo" if options.color == "gray" else "each colour channel"
    (width, height), (out_width, out_height) = photo_size, part.output_size
    shrink = (
        "so the output keeps the photo's size"
        if part.output_size == photo_size
        else f"so the output shrinks from {width} x {height} to {out_width} x {out_height}"
    )
    return (
        f"The {size}x{size} grid slides over {colour} in steps of {options.stride} pixel"
        f"{'s' if options.stride > 1 else ''} (stride S = {options.stride}) with P = {pad} zero"
        f"{'s' if pad != 1 else ''} of padding on each side ('{options.padding}'), {shrink}. "
        "Each output pixel is the sum of the pixels under the grid, each multiplied by its weight. "
        f"The output size, one axis at a time (K_eff = K = {size}: the kernel is not dilated):"
    )


def sum_line(step: ConvolutionStep) -> str:
    """The nine products added up, written out: '153.2 + 0 + (-29.9) + ... = 522.6'."""
    terms = " + ".join(number(float(v)) if v >= 0 else f"({number(float(v))})" for v in step.products[0].flat)
    return f"{terms} = {number(step.sums[0])}"


def step_sentence(step: ConvolutionStep) -> str:
    """The multiply-and-add of one output cell, with its sum."""
    return (
        "Multiply each pixel by the weight on top of it, then add up the nine products: "
        f"the sum is {number(step.sums[0])}, and that is the output pixel (its brightness in the edge picture "
        "is its absolute value). Like a CNN layer, the grid is used as written (cross-correlation); the "
        "textbook convolution would first flip it half a turn, left to right and top to bottom."
    )


def pooling_sentence(pooling: PoolingPart) -> str:
    """What pooling keeps and how much smaller it makes the picture."""
    before, after = pooling.size_before, pooling.size_after
    return (
        "Pooling shrinks a picture by keeping one number per 2x2 window: the largest (max pooling) or the "
        f"mean (average pooling). Here the {before[0]} x {before[1]} edge picture becomes {after[0]} x {after[1]}. "
        "Max pooling keeps the strongest response, so an edge survives even if it moves by a pixel."
    )


def prediction_sentence(lesson: Lesson) -> str:
    """What the network said, in one line."""
    best = lesson.predictions[0]
    return (
        f"{lesson.model_title} thinks this is a '{best.label}' ({best.prob:.1%} sure). Its five best guesses, "
        "as probabilities that add up to 100% over all 1000 classes:"
    )


def feature_sentence(part: FeaturePart) -> str:
    """Where this layer sits and what its maps show, with its shape and receptive field."""
    channels, height, width = part.layer.shape
    meaning = {
        "early": "Early maps respond to edges and colours, much like the kernels on page 2.",
        "middle": "Middle maps respond to textures and simple parts.",
        "late": "Late maps are coarse: each cell answers 'is there an eye, fur, a handle here?'.",
    }[part.stage]
    return (
        f"{channels} maps of {height} x {width}; each cell sees {part.layer.receptive.size} x "
        f"{part.layer.receptive.size} input pixels (its receptive field). The 16 strongest maps are shown, "
        f"yellow = strong. {meaning}"
    )


def cam_sentence(lesson: Lesson) -> str:
    """Why two classes get two different maps."""
    why = (
        "the class you chose"
        if lesson.wrong_chosen_by_user
        else "the one among its next guesses whose map differs most from the top class's"
    )
    return (
        "Grad-CAM asks the network which parts of the photo raised the score of one class. The left map "
        f"explains its top guess; the right one explains '{lesson.wrong_cam.label}', {why}. "
        "The same photo, two questions, two different answers."
    )


def sanity_sentence(lesson: Lesson) -> str:
    """The sanity check and what its number means here."""
    if lesson.similarity < 0.3:
        verdict = "The maps differ, so the trained map shows what the network learned, not just the photo's edges."
    elif lesson.similarity < 0.6:
        verdict = (
            "The maps are partly alike: some of what the trained map shows comes from the photo itself "
            "(its edges and bright parts), the rest from what the network learned."
        )
    else:
        verdict = (
            "The maps look alike, so be careful: this map may show the photo's edges more than what "
            "the network learned."
        )
    return (
        "A map can look convincing and mean nothing. So we ask the same question of a copy of the network "
        f"with random weights (it learned nothing). {verdict}"
    )
