"""Ready-made stacks for the calculator: classic networks written in its syntax, each with its input.

Each is checked in tests/network/test_stack_presets.py against a PyTorch module built independently
(its ``sum(p.numel())`` and the output shape of a real forward pass).
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.errors import ExplorerError


@dataclass(frozen=True)
class ReadyStack:
    """A named stack: its title, input (height, width, channels), layers as typed, and a note on what it counts."""

    name: str
    title: str
    input_shape: tuple[int, int, int]
    text: str
    note: str


def _separable(stride: int, channels: int) -> str:
    """One MobileNet v1 block: a 3x3 depthwise conv and a 1x1 pointwise conv, each with batch norm and ReLU."""
    return f"conv 3x3 s{stride} p1 dw nobias; bn; relu; conv 1x1 c{channels} nobias; bn; relu"


_VGG_FEATURES = "\n".join(
    "\n".join([f"conv 3x3 p1 c{channels}; relu"] * repeats) + "\npool 2"
    for channels, repeats in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))
)
_VGG_HEAD = "fc 4096; relu; dropout\nfc 4096; relu; dropout\nfc 1000"
_MOBILENET_BLOCKS = [(1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512), *[(1, 512)] * 5, (2, 1024), (1, 1024)]

_STACKS = (
    ReadyStack(
        "lenet5",
        "LeNet-5 (LeCun et al. 1998)",
        (32, 32, 1),
        "conv 5x5 c6; tanh; pool 2 avg\nconv 5x5 c16; tanh; pool 2 avg\nflatten\nfc 120; tanh\nfc 84; tanh\n"
        "fc 10; softmax",
        "The classic digit reader: 32x32 grey input, tanh activations and average-pooling subsampling.",
    ),
    ReadyStack(
        "alexnet",
        "AlexNet (torchvision's layout)",
        (224, 224, 3),
        "conv 11x11 s4 p2 c64; relu; pool 3 s2\nconv 5x5 p2 c192; relu; pool 3 s2\nconv 3x3 p1 c384; relu\n"
        "conv 3x3 p1 c256; relu\nconv 3x3 p1 c256; relu; pool 3 s2\nflatten\ndropout; fc 4096; relu\n"
        "dropout; fc 4096; relu\nfc 1000",
        "As torchvision builds it (61,100,840 parameters). On 224x224 its AdaptiveAvgPool2d((6, 6)) receives "
        "6x6 maps and changes nothing, so it is left out; the 2012 paper's two-GPU version differs slightly.",
    ),
    ReadyStack(
        "vgg16",
        "VGG-16",
        (224, 224, 3),
        f"{_VGG_FEATURES}\nflatten\n{_VGG_HEAD}",
        "13 convolutions of 3x3 and 3 fully connected layers. On 224x224 torchvision's AdaptiveAvgPool2d((7, 7)) "
        "receives 7x7 maps and changes nothing, so it is left out.",
    ),
    ReadyStack(
        "vgg16_gap",
        "VGG-16 with global average pooling",
        (224, 224, 3),
        f"{_VGG_FEATURES}\ngap\n{_VGG_HEAD}",
        "VGG-16 with 'gap' instead of 'flatten': the first fully connected layer sees 512 averages instead of "
        "25,088 numbers.",
    ),
    ReadyStack(
        "mobilenet_v1",
        "MobileNet v1 (depthwise separable)",
        (224, 224, 3),
        "conv 3x3 s2 p1 c32 nobias; bn; relu\n"
        + "\n".join(_separable(stride, channels) for stride, channels in _MOBILENET_BLOCKS)
        + "\ngap\nfc 1000",
        "Howard et al. 2017, width 1.0: each block is a 3x3 depthwise conv then a 1x1 pointwise conv. Batch norm "
        "counts its scale and shift (2 per channel), as PyTorch's parameters() does.",
    ),
    ReadyStack(
        "resnet_basic_block",
        "ResNet basic block (as in ResNet-18's layer1)",
        (56, 56, 64),
        "conv 3x3 p1 c64 nobias; bn; relu\nconv 3x3 p1 c64 nobias; bn\nrelu",
        "The skip connection adds the block's input to the second batch norm's output before the last ReLU: it "
        "has no parameters and keeps the shape, so the totals are exact. The receptive field shown (5x5) is the "
        "main path's; through the skip an output also sees its own input pixel.",
    ),
)
READY_STACKS: dict[str, ReadyStack] = {stack.name: stack for stack in _STACKS}
"""Every ready-made stack, by name, in the order the menu lists them."""


def get_ready_stack(name: str) -> ReadyStack:
    """The ready-made stack called ``name``, or a sentence listing them."""
    if name not in READY_STACKS:
        raise ExplorerError(f"There is no ready-made stack called '{name[:40]}'; choose {', '.join(READY_STACKS)}.")
    return READY_STACKS[name]
