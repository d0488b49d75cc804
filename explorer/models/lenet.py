"""LeNet-5 as the textbooks draw it, for 32x32 greyscale digits, small enough to be seen whole.

conv1 5x5 -> 6 maps (28x28), pool1 2x2 (14x14), conv2 5x5 -> 16 maps (10x10, every map sees all 6
below), pool2 2x2 (5x5), flatten (400), fc1 120, fc2 84, fc3 10, softmax: 61,706 parameters. The
activations are ReLU and the pools take the maximum. Trained the same way, the 1998 paper's tanh
and average pooling reached the same held-out accuracy (99.4% after 8 epochs) but got there more
slowly, and read fewer synthetic photos and canvas drawings correctly (122 of 150 against 135).

The bundled weights were trained on scikit-learn's copy of the UCI handwritten digits; any picture
of a digit becomes the 32x32 input with ``explorer.models.digits.prepare_digit``. ``lenet_forward``
keeps every stage of one pass, and ``unit_story`` tells, for one unit of any stage, which input
pixels it sees, the weights that made it and the values those weights multiplied.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from explorer.errors import ExplorerError
from explorer.models.digits import INPUT_SIZE

LENET_WEIGHTS = Path(__file__).resolve().parents[2] / "assets" / "weights" / "lenet5_digits.pt"
DIGIT_CLASSES = tuple("0123456789")
LENET_PARAMS = 61706
STAGES = (
    "input", "conv1", "act1", "pool1", "conv2", "act2", "pool2",
    "flatten", "fc1", "act3", "fc2", "act4", "fc3", "softmax",
)  # fmt: skip
"""Every stage ``lenet_forward`` returns, in the order the data flows through them."""

# (receptive field size, jump) in input pixels for each spatial stage; unit (r, c) sees
# rows r*jump .. r*jump+size-1. Pools of 2 with stride 2 double the jump; each 5x5 conv adds 4 jumps.
_WINDOWS = {"input": (1, 1), "conv1": (5, 1), "act1": (5, 1), "pool1": (6, 2),
            "conv2": (14, 2), "act2": (14, 2), "pool2": (16, 4)}  # fmt: skip
_MADE_BY = {"conv1": "conv1", "act1": "conv1", "conv2": "conv2", "act2": "conv2",
            "fc1": "fc1", "act3": "fc1", "fc2": "fc2", "act4": "fc2", "fc3": "fc3", "softmax": "fc3"}  # fmt: skip


class LeNet5(nn.Sequential):
    """The twelve named layers of LeNet-5 in order; calling it returns the 10 logits (no softmax)."""

    def __init__(self) -> None:
        layers = OrderedDict(
            conv1=nn.Conv2d(1, 6, 5), act1=nn.ReLU(), pool1=nn.MaxPool2d(2),
            conv2=nn.Conv2d(6, 16, 5), act2=nn.ReLU(), pool2=nn.MaxPool2d(2),
            flatten=nn.Flatten(), fc1=nn.Linear(400, 120), act3=nn.ReLU(),
            fc2=nn.Linear(120, 84), act4=nn.ReLU(), fc3=nn.Linear(84, 10),
        )  # fmt: skip
        super().__init__(layers)


def build_lenet5(pretrained: bool = True, *, weights_path: Path = LENET_WEIGHTS) -> nn.Module:
    """LeNet-5 with the bundled digit weights, frozen in eval mode, safe to share between threads.

    ``pretrained=False`` gives fresh random weights in training mode (what ``train_lenet`` starts from).
    """
    model = LeNet5()
    if not pretrained:
        return model
    try:
        state = torch.load(weights_path, map_location="cpu", weights_only=True)
        model.load_state_dict(state, strict=True)
    except FileNotFoundError:
        raise ExplorerError(f"The digit network's weights are missing ({weights_path.name}).") from None
    except Exception as error:  # torch.load and load_state_dict raise many types for a bad file
        raise ExplorerError(f"The digit network's weights file {weights_path.name} is damaged.") from error
    return model.eval().requires_grad_(False)


@dataclass(frozen=True)
class LenetRun:
    """Every stage of one forward pass, as CPU NumPy arrays, in the order of ``STAGES``."""

    input: np.ndarray
    conv1: np.ndarray
    act1: np.ndarray
    pool1: np.ndarray
    conv2: np.ndarray
    act2: np.ndarray
    pool2: np.ndarray
    flatten: np.ndarray
    fc1: np.ndarray
    act3: np.ndarray
    fc2: np.ndarray
    act4: np.ndarray
    fc3: np.ndarray
    softmax: np.ndarray
    prediction: int

    def stage(self, name: str) -> np.ndarray:
        """The output of the stage called ``name`` (one of ``STAGES``)."""
        if name not in STAGES:
            raise ValueError(f"LeNet-5 has no stage called {name!r}; it has {', '.join(STAGES)}.")
        return getattr(self, name)


def lenet_forward(model: nn.Module, digit: np.ndarray) -> LenetRun:
    """Run a 32x32 digit through ``model`` once, layer by layer, keeping every stage's output.

    The layers are called in sequence (no hooks, no change to the model), so a shared model is safe.
    """
    digit = np.asarray(digit, np.float32)
    if digit.shape != (INPUT_SIZE, INPUT_SIZE):
        raise ValueError(f"LeNet-5 takes a 32x32 digit, not {digit.shape}; use prepare_digit first.")
    device = next(model.parameters()).device
    outputs = {}
    with torch.inference_mode():
        x = torch.from_numpy(digit).to(device)[None, None]
        outputs["input"] = x
        for name, layer in model.named_children():
            x = layer(x)
            outputs[name] = x
        outputs["softmax"] = torch.softmax(x, dim=1)
    arrays = {name: tensor[0].cpu().numpy() for name, tensor in outputs.items()}
    return LenetRun(**arrays, prediction=int(arrays["fc3"].argmax()))


def input_window(stage: str, channel: int, row: int, col: int) -> tuple[int, int, int, int]:
    """The input pixels a unit sees, as ``(row0, row1, col0, col1)`` slice bounds (end excluded).

    conv1/act1 units see 5x5 pixels, pool1 6x6, conv2/act2 14x14, pool2 16x16; flatten unit
    ``channel`` is pool2's unit (channel // 25, row, col) unrolled, so it sees that unit's 16x16; a
    fully connected unit (fc1 onwards) sees the whole 32x32 input. For maps ``channel`` does not
    change the window.
    """
    if stage not in STAGES:
        raise ValueError(f"LeNet-5 has no stage called {stage!r}; it has {', '.join(STAGES)}.")
    if stage == "flatten":
        return input_window("pool2", *flat_to_map(channel))
    if stage not in _WINDOWS:
        return (0, INPUT_SIZE, 0, INPUT_SIZE)
    size, jump = _WINDOWS[stage]
    side = (INPUT_SIZE - size) // jump + 1
    if not (0 <= row < side and 0 <= col < side):
        raise ValueError(f"{stage} is {side}x{side}; unit ({row}, {col}) is outside it.")
    return (row * jump, row * jump + size, col * jump, col * jump + size)


@dataclass(frozen=True)
class UnitWeights:
    """The weights and bias of the layer that computed one unit (its activation adds no weights)."""

    layer: str
    weights: np.ndarray
    bias: float


def unit_weights(model: nn.Module, stage: str, channel: int) -> UnitWeights:
    """What made channel/unit ``channel`` of ``stage``: a conv kernel (in_channels x 5 x 5) and its
    bias, or a fully connected unit's row of weights over its inputs and its bias.

    Pools, flatten and the input have no weights of their own and raise ValueError.
    """
    if stage not in _MADE_BY:
        raise ValueError(f"{stage} has no weights of its own; units with weights are in {', '.join(_MADE_BY)}.")
    layer = getattr(model, _MADE_BY[stage])
    if not 0 <= channel < layer.weight.shape[0]:
        raise ValueError(f"{stage} has {layer.weight.shape[0]} units or maps; {channel} is outside.")
    weights = layer.weight[channel].detach().cpu().numpy().copy()
    return UnitWeights(layer=_MADE_BY[stage], weights=weights, bias=float(layer.bias[channel]))


def flat_to_map(index: int) -> tuple[int, int, int]:
    """Which pool2 unit (map, row, col) flatten's unit ``index`` is: the 16 5x5 maps unrolled row by row."""
    if not 0 <= index < 400:
        raise ValueError(f"flatten has 400 units; {index} is outside.")
    return index // 25, index % 25 // 5, index % 5


_MULTIPLIES = {"conv1": "input", "conv2": "pool1", "fc1": "flatten", "fc2": "act3", "fc3": "act4"}
_POOLS_FROM = {"pool1": "act1", "pool2": "act2"}


@dataclass(frozen=True)
class UnitStory:
    """One unit of one forward: its value, the input pixels it sees, and how it was computed.

    ``weights`` made it (None for the input, pools and flatten) from ``multiplied``, the values below
    it that those weights multiply (same shape); ``weighted_sum`` is bias + sum(weights * multiplied),
    worked out again here, before any ReLU or softmax. A pool unit keeps the largest of ``pooled``.
    """

    stage: str
    channel: int
    row: int
    col: int
    value: float
    window: tuple[int, int, int, int]
    seen: np.ndarray
    weights: UnitWeights | None
    multiplied: np.ndarray | None
    weighted_sum: float | None
    pooled: np.ndarray | None


def unit_story(model: nn.Module, run: LenetRun, stage: str, channel: int, row: int = 0, col: int = 0) -> UnitStory:
    """What unit (``channel``, ``row``, ``col``) of ``stage`` saw and what made it, in ``run``.

    For a map (input to pool2) ``channel`` is the map and (row, col) the position; for a vector stage
    (flatten onwards) ``channel`` is the unit's index and row, col are 0.
    """
    values = run.stage(stage)
    spatial = values.ndim == 3
    position = (channel, row, col) if spatial else (channel,)
    if not all(0 <= index < size for index, size in zip(position, values.shape)) or (not spatial and row + col):
        raise ValueError(f"{stage} has shape {values.shape}; unit {position} is outside it.")
    window = input_window(stage, channel, row, col)
    weights = multiplied = weighted_sum = pooled = None
    if stage in _MADE_BY:
        weights = unit_weights(model, stage, channel)
        below = run.stage(_MULTIPLIES[weights.layer])
        kernel = weights.weights.shape[-1]
        multiplied = below[:, row : row + kernel, col : col + kernel] if below.ndim == 3 else below
        weighted_sum = weights.bias + float((weights.weights.astype(np.float64) * multiplied).sum())
    elif stage in _POOLS_FROM:
        pooled = run.stage(_POOLS_FROM[stage])[channel, 2 * row : 2 * row + 2, 2 * col : 2 * col + 2]
    value = values[position]
    row0, row1, col0, col1 = window
    return UnitStory(
        stage, channel, row, col, float(value), window, run.input[0, row0:row1, col0:col1],
        weights, multiplied, weighted_sum, pooled,
    )  # fmt: skip
