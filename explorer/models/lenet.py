"""LeNet-5 as the textbooks draw it, for 32x32 greyscale digits, small enough to be seen whole.

conv1 5x5 -> 6 maps (28x28), pool1 2x2 (14x14), conv2 5x5 -> 16 maps (10x10, every map sees all 6
below), pool2 2x2 (5x5), flatten (400), fc1 120, fc2 84, fc3 10, softmax: 61,706 parameters. The
activations are ReLU and the pools take the maximum. Trained the same way, the 1998 paper's tanh
and average pooling reached the same held-out accuracy (99.4% after 8 epochs) but got there more
slowly, and read fewer synthetic photos and canvas drawings correctly (122 of 150 against 135).

The bundled weights were trained on scikit-learn's copy of the UCI handwritten digits, which exist
only as 8x8 counts of ink in 4x4 blocks of a 32x32 bitmap. ``prepare_digit`` therefore brings any
picture to that same 8x8 form before framing it in 32x32 exactly as the training digits were framed.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image
from torch import nn

from explorer.errors import ExplorerError

LENET_WEIGHTS = Path(__file__).resolve().parents[2] / "assets" / "weights" / "lenet5_digits.pt"
DIGIT_CLASSES = tuple("0123456789")
LENET_PARAMS = 61706
INPUT_SIZE = 32
DIGIT_BOX = 20
"""The longer side of a framed digit in the 32x32 input, in pixels (MNIST's 20-in-28, padded to 32)."""
BITMAP_SIZE = 32
BLOCK = 4
"""The UCI digits are the ink counts of 4x4 blocks of a 32x32 bitmap: an 8x8 picture."""
WORK_SIZE = 768
"""Pictures are shrunk to this longer side before looking for ink: plenty for one digit, and quick."""
MIN_CONTRAST = 0.08
"""Ink must stand at least this far (of the full 0-1 brightness range) above its paper to count."""
NOISE_MARGIN = 10.0
"""...and at least this many times the paper's own noise (its robust standard deviation)."""
MIN_PIECE = 0.05
"""Ink pieces smaller than this share of the largest piece are specks, not parts of the digit."""
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


def ink_mask(image: Image.Image) -> np.ndarray:
    """Where the ink is in a picture of one digit: a 0/1 float32 mask, at most 768 px plus a margin.

    A transparent canvas gives its strokes through alpha. A photo first gets a wide margin of its own
    border colour, so a tightly cropped digit is surrounded by paper too; the ink is then the colour
    that is not the border's (dark ink is inverted to light), unless the picture is a sheet lying on a
    table. Light that varies across the page goes with a top-hat (minus a morphological opening wider
    than a stroke), Otsu picks the threshold, and specks and regions along the border are dropped.
    """
    grey, alpha = _grey_and_alpha(image)
    if alpha is not None and (alpha > 0.5).mean() < 0.5:  # strokes on a transparent canvas
        mask = _keep_digit(_with_margin(_resize_max(alpha), 0.0) > 0.5)
    else:
        if alpha is not None:  # an opaque picture with transparent margins: fill them with its paper
            grey = alpha * grey + (1 - alpha) * float(np.median(grey[alpha > 0.5]))
        grey = _resize_max(grey)
        edge = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
        smooth = cv2.GaussianBlur(_with_margin(grey, float(np.median(edge))), (0, 0), 1.0)  # paper grain
        pad = _margin(grey)
        inside = (slice(pad, pad + grey.shape[0]), slice(pad, pad + grey.shape[1]))
        mask = _light_strokes(1 - smooth if _ink_is_dark(smooth, grey.shape) else smooth, inside)
    if not mask.any():
        raise ExplorerError("There is no digit in this picture: it looks blank.")
    return mask


def _ink_is_dark(smooth: np.ndarray, picture: tuple[int, int]) -> bool:
    """Whether the ink is darker than its paper, from the two brightness classes Otsu finds.

    The margin's class is the paper, so the ink is the other one, unless the other one's largest piece
    is a sheet (solid and squarish once its holes are filled, covering a fifth of the picture each way,
    with something written on it): then the margin is a table and the ink has the table's colour.
    """
    grey = np.round(smooth.clip(0, 1) * 255).astype(np.uint8)
    _, light = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    margin_is_light = bool(light[0, 0])
    other = (light != light[0, 0]).astype(np.uint8)
    contours, _ = cv2.findContours(other, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if contours:
        outline = max(contours, key=cv2.contourArea)
        _, _, width, height = cv2.boundingRect(outline)
        filled = cv2.drawContours(np.zeros_like(other), [outline], -1, 1, thickness=cv2.FILLED)
        holes = int((filled & (1 - other)).sum())
        solid = filled.sum() > 0.85 * width * height
        if solid and height >= picture[0] / 5 and width >= picture[1] / 5 and holes > 0.001 * filled.sum():
            return not margin_is_light
    return margin_is_light


def _light_strokes(plane: np.ndarray, inside: tuple[slice, slice]) -> np.ndarray:
    """The light strokes on a darker, unevenly lit background; all zero when nothing stands out.

    Otsu splits the picture (without its margin) into paper and ink; the ink must stand out from the
    paper by ``MIN_CONTRAST`` and by ``NOISE_MARGIN`` times the paper's own noise.
    """
    ink = plane - _background(plane)
    top = float(cv2.medianBlur(ink, 3).max())  # a lone bright pixel is noise, not ink
    if top < MIN_CONTRAST:
        return np.zeros_like(plane)
    scaled = np.round(ink.clip(0, top) / top * 255).astype(np.uint8)
    otsu, _ = cv2.threshold(np.ascontiguousarray(scaled[inside]), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    cut = max(otsu, 0.3 * 255)
    is_ink = scaled[inside] > cut
    if not is_ink.any():
        return np.zeros_like(plane)
    paper = ink[inside][~is_ink]
    noise = 1.4826 * float(np.median(np.abs(paper - np.median(paper))))
    contrast = float(np.median(ink[inside][is_ink]) - np.median(paper))
    if contrast < max(MIN_CONTRAST, NOISE_MARGIN * noise):
        return np.zeros_like(plane)
    return _keep_digit(scaled > cut)


def _margin(plane: np.ndarray) -> int:
    """How wide a margin ``_with_margin`` puts around ``plane``: a quarter of its longer side."""
    return max(plane.shape) // 4


def _with_margin(plane: np.ndarray, value: float) -> np.ndarray:
    """``plane`` inside a margin filled with ``value``, so that a digit touching its edge is surrounded."""
    pad = _margin(plane)
    return cv2.copyMakeBorder(plane.astype(np.float32), pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=value)


def _background(plane: np.ndarray) -> np.ndarray:
    """The paper under light ink: a morphological opening wider than any stroke takes the strokes out."""
    size = max(5, min(plane.shape) // 3) | 1
    return cv2.morphologyEx(plane, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))


def _grey_and_alpha(image: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """Brightness in [0, 1] and, when the picture has some transparency, alpha in [0, 1]."""
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        rgba = np.asarray(image.convert("RGBA"), np.float32) / 255
        alpha = rgba[..., 3]
        grey = rgba[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)
        return grey, (alpha if alpha.min() < 0.5 else None)
    return np.asarray(image.convert("L"), np.float32) / 255, None


def _resize_max(plane: np.ndarray) -> np.ndarray:
    """Shrink a plane so its longer side is at most WORK_SIZE (area averaging keeps thin strokes)."""
    scale = WORK_SIZE / max(plane.shape)
    if scale >= 1:
        return plane.astype(np.float32)
    size = (max(1, round(plane.shape[1] * scale)), max(1, round(plane.shape[0] * scale)))
    return cv2.resize(plane.astype(np.float32), size, interpolation=cv2.INTER_AREA)


def _keep_digit(mask: np.ndarray) -> np.ndarray:
    """Keep the digit's pieces: drop specks and regions that run along the border (page or table edges)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return np.zeros(mask.shape, np.float32)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = areas >= max(MIN_PIECE * areas.max(), 4)
    edge = np.zeros(count, np.int64)
    for border in (labels[0], labels[-1], labels[:, 0], labels[:, -1]):
        edge += np.bincount(border, minlength=count)
    along_border = edge[1:] > 0.2 * min(mask.shape)
    if (keep & ~along_border).any():
        keep &= ~along_border
    return np.isin(labels, 1 + np.flatnonzero(keep)).astype(np.float32)


def digit_blocks(ink: np.ndarray) -> np.ndarray:
    """Turn an ink picture (ink > 0, any size) into the data set's 8x8 form: ink share of each 4x4 block.

    As the UCI digits were made: the ink's bounding box is scaled, keeping its shape, so its longer
    side fills a 32x32 bitmap, centred, which is cut into 4x4 blocks whose ink is averaged.
    """
    rows, cols = np.nonzero(ink > 0)
    if rows.size == 0:
        raise ExplorerError("There is no digit in this picture: it looks blank.")
    crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1].astype(np.float32)
    scale = BITMAP_SIZE / max(crop.shape)
    height, width = (min(BITMAP_SIZE, max(1, round(side * scale))) for side in crop.shape)
    shrinking = scale < 1
    resized = cv2.resize(crop, (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)
    bitmap = np.zeros((BITMAP_SIZE, BITMAP_SIZE), np.float32)
    top, left = (BITMAP_SIZE - height) // 2, (BITMAP_SIZE - width) // 2
    bitmap[top : top + height, left : left + width] = np.clip(resized, 0, 1)
    n = BITMAP_SIZE // BLOCK
    return bitmap.reshape(n, BLOCK, n, BLOCK).mean(axis=(1, 3))


def frame_blocks(blocks: np.ndarray) -> np.ndarray:
    """Frame an 8x8 block digit as the network's 32x32 input: the digit's longer side upscaled to 20 px,
    its centre of mass at the centre (as MNIST did), ink 1.0 at its strongest and background 0.0.
    """
    blocks = np.asarray(blocks, np.float32)
    if blocks.max() <= 0:
        raise ExplorerError("There is no digit in this picture: it looks blank.")
    rows, cols = np.nonzero(blocks > 0)
    crop = blocks[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1] / blocks.max()
    padded = np.pad(crop, 1)  # a blank ring, so ink fades out at the edge instead of being stretched
    scale = DIGIT_BOX / max(crop.shape)
    size = (round(padded.shape[1] * scale), round(padded.shape[0] * scale))
    digit = np.clip(cv2.resize(padded, size, interpolation=cv2.INTER_CUBIC), 0, 1)
    total = digit.sum()
    ys, xs = np.indices(digit.shape)
    centre = (INPUT_SIZE - 1) / 2
    dx, dy = centre - (xs * digit).sum() / total, centre - (ys * digit).sum() / total
    shift = np.array([[1, 0, dx], [0, 1, dy]], np.float32)
    return cv2.warpAffine(digit, shift, (INPUT_SIZE, INPUT_SIZE), flags=cv2.INTER_LINEAR, borderValue=0)


def prepare_digit(image: Image.Image) -> np.ndarray:
    """Turn any picture of one digit (photo, scan, canvas drawing) into the 32x32 float32 input.

    Dark ink on light paper and light ink on dark both become a light digit on black, as in training;
    paper texture and uneven light are removed by thresholding. A blank picture raises ExplorerError.
    """
    return frame_blocks(digit_blocks(ink_mask(image)))


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

    conv1/act1 units see 5x5 pixels, pool1 6x6, conv2/act2 14x14, pool2 16x16; a fully connected
    unit (flatten onwards) sees the whole 32x32 input. ``channel`` does not change the window.
    """
    if stage not in STAGES:
        raise ValueError(f"LeNet-5 has no stage called {stage!r}; it has {', '.join(STAGES)}.")
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
