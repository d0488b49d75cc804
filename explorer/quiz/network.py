"""Questions about the chosen network's layers: parameters, channels, receptive field, feature-map size.

Layers are real layers of the chosen model; shapes and receptive fields come from its one forward pass
on the current photo (``NetworkRun``), parameters from the layer's own weights.
"""

from __future__ import annotations

import random

from torch import nn

from explorer.quiz.question import Question, QuizSource, multiple_choice, number_text, require

CHAIN_LENGTH = 6
"""The receptive-field question asks about one of the first layers, small enough to add up by hand."""


def _convolutions(source: QuizSource) -> list[tuple[str, nn.Conv2d]]:
    convs = [(name, module) for name, module in source.model.module.named_modules() if isinstance(module, nn.Conv2d)]
    require(bool(convs), "This network has no convolution layers.")
    return convs


def _conv_words(conv: nn.Conv2d) -> str:
    """'a 3x3 depthwise convolution on 96 channels' or 'a 1x1 convolution from 24 to 144 channels'."""
    kh, kw = conv.kernel_size
    if conv.groups > 1 and conv.groups == conv.in_channels:
        return f"a {kh}x{kw} depthwise convolution on {conv.in_channels} channels (one {kh}x{kw} filter per channel)"
    grouped = f" in {conv.groups} groups" if conv.groups > 1 else ""
    return f"a {kh}x{kw} convolution from {conv.in_channels} to {conv.out_channels} channels{grouped}"


def parameters(source: QuizSource, rng: random.Random) -> Question:
    """'How many parameters has this layer?' for a real convolution of the chosen network."""
    name, conv = rng.choice(_convolutions(source))
    kh, kw = conv.kernel_size
    per_filter = conv.in_channels // conv.groups
    weights = conv.out_channels * per_filter * kh * kw
    bias = conv.out_channels if conv.bias is not None else 0
    has_bias = f"with a bias per output channel ({bias})" if bias else "without bias"
    return Question(
        "parameters",
        f"Layer {name} of {source.model.title} is {_conv_words(conv)}, {has_bias}. "
        "How many parameters (weights and biases) does it have?",
        f"{conv.out_channels} filters, each {per_filter} channel{'s' if per_filter > 1 else ''} deep and {kh}x{kw}: "
        f"{conv.out_channels} x {per_filter} x {kh} x {kw} = {number_text(weights)} weights"
        + (f", plus {bias} biases = {number_text(weights + bias)}." if bias else "; no biases."),
        float(weights + bias),
    )


def channels(source: QuizSource, rng: random.Random) -> Question:
    """'How many feature maps does this layer output?', from the shape of its weight tensor."""
    run = source.network_run()
    convs = [(name, conv) for name, conv in _convolutions(source) if name in run.activations]
    require(bool(convs), "No convolution of this network shows feature maps.")
    name, conv = rng.choice(convs)
    shape = tuple(conv.weight.shape)
    out = run.layer(name).shape[0]
    truth = str(out)
    distractors = [str(shape[1]), str(shape[1] * conv.groups), str(shape[0] * shape[1]), str(shape[2] * shape[3])]
    return Question(
        "channels",
        f"Layer {name} of {source.model.title} has a weight tensor of shape {' x '.join(map(str, shape))} "
        "(filters x input channels per filter x height x width). How many feature maps does it output?",
        f"Each filter makes one feature map, and there are {shape[0]} filters (the first number). On your photo "
        f"the layer's output is {' x '.join(map(str, run.layer(name).shape))} (channels x height x width).",
        truth,
        multiple_choice(rng, truth, distractors + [str(out * 2), str(max(1, out // 2))]),
    )


def _chain(source: QuizSource) -> list[tuple[str, nn.Module, int]]:
    """The first convolutions and pools in module order, with their measured receptive fields, for as long as
    adding them up by hand (r += (k - 1) * jump, jump *= stride) agrees with the measured graph."""
    run = source.network_run()
    chain: list[tuple[str, nn.Module, int]] = []
    size, jump = 1, 1
    for name, module in source.model.module.named_modules():
        if not isinstance(module, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)) or name not in run.leaf_receptive:
            continue
        kernel, stride, dilation = (_first(getattr(module, key, 1)) for key in ("kernel_size", "stride", "dilation"))
        size, jump = size + (kernel - 1) * dilation * jump, jump * stride
        if run.leaf_receptive[name].size != size or len(chain) == CHAIN_LENGTH:
            break
        chain.append((name, module, size))
    return chain


def _first(value: object) -> int:
    return int(value[0]) if isinstance(value, tuple) else int(value)  # type: ignore[call-overload]


def _layer_words(module: nn.Module) -> str:
    """'conv 3x3, stride 2', 'depthwise conv 3x3, stride 1' or 'max pool 3x3, stride 2'."""
    kernel, stride = _first(module.kernel_size), _first(module.stride)
    if isinstance(module, nn.Conv2d):
        kind = "depthwise conv" if module.groups > 1 and module.groups == module.in_channels else "conv"
    else:
        kind = "max pool" if isinstance(module, nn.MaxPool2d) else "average pool"
    return f"{kind} {kernel}x{kernel}, stride {stride}"


def receptive_field(source: QuizSource, rng: random.Random) -> Question:
    """'How many input pixels does one position of this layer see?' for one of the first layers."""
    chain = _chain(source)
    growing = [index for index, (_, module, _) in enumerate(chain) if index > 0 and _first(module.kernel_size) > 1]
    require(bool(growing), "This network's first layers are not a simple chain to add up by hand.")
    index = rng.choice(growing)
    name, _, truth_size = chain[index]
    steps = [f"{n}. {layer}: {_layer_words(module)}" for n, (layer, module, _) in enumerate(chain[: index + 1], 1)]
    sizes = sorted({size for _, _, size in chain} - {truth_size})
    naive = 1 + sum(_first(module.kernel_size) - 1 for _, module, _ in chain[: index + 1])
    distractors = [str(naive)] + [str(size) for size in sizes[::-1]] + [str(truth_size + 2), str(truth_size * 2)]
    truth = str(truth_size)
    return Question(
        "receptive_field",
        f"The first layers of {source.model.title}, in order:\n" + "\n".join(steps) + "\n"
        f"One position of the output of {name} sees a square of how many input pixels on a side (its receptive field)?",
        "Start at 1 pixel. Each layer adds (kernel - 1) x jump, where the jump (how far apart neighbouring "
        "positions are, in input pixels) is multiplied by each stride on the way: "
        + ", ".join(str(size) for _, _, size in chain[: index + 1])
        + f". Measured on the real graph of the forward pass: {truth_size}.",
        truth,
        multiple_choice(rng, truth, distractors),
    )


def feature_map_size(source: QuizSource, rng: random.Random) -> Question:
    """'How big is each feature map of this layer?' from the network's input size and the layer's total stride."""
    run = source.network_run()
    height, width = run.view.shape[:2]
    layers = [layer for layer in run.layers if layer.receptive.jump > 1 and layer.shape[1] > 1]
    require(bool(layers), "This network has no downsampling layer with feature maps larger than 1x1.")
    layer = rng.choice(layers)
    jump = layer.receptive.jump
    _, out_h, out_w = layer.shape
    truth = f"{out_w} x {out_h}"
    distractors = [
        f"{width // jump} x {height // jump}",
        f"{-(-width // jump) + 1} x {-(-height // jump) + 1}",
        f"{width} x {height}",
        f"{out_h} x {out_w}",
        f"{out_w * 2} x {out_h * 2}",
    ]
    return Question(
        "feature_map_size",
        f"{source.model.title} sees your photo as a {width} x {height} input. By layer {layer.name} the strides "
        f"along the way multiply to {jump} (each position is {jump} input pixels from its neighbour). How big "
        "(width x height) is each of its feature maps?",
        f"Roughly the input divided by {jump}, rounded up where padding keeps the border: {width}/{jump} -> "
        f"{out_w} and {height}/{jump} -> {out_h}, as the forward pass measured.",
        truth,
        multiple_choice(rng, truth, distractors),
    )
