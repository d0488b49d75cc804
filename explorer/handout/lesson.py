"""The lesson's content: one photo walked through the whole tour, computed with the app's own functions.

``build_lesson`` runs every step once: two kernels (Sobel-x with 'same' padding, a 5x5 Gaussian with
stride 2 and no padding) with their output-size formulas, one output cell of Sobel-x by hand, 2x2
pooling, ONE forward pass for the predictions and every feature map, Grad-CAMs of the top class and of
a wrong class from one more forward, and the same CAM from a random-weights copy (the sanity check).
The result is plain NumPy and text, ready for ``explorer.handout.pdf`` to lay out.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from explorer.cam.contrast import CANDIDATES, least_alike
from explorer.cam.evaluation import map_similarity
from explorer.cam.methods import compute_cams
from explorer.cam.targets import cam_layers, default_layer, resolve_class
from explorer.drawing import heatmap, overlay
from explorer.errors import ExplorerError
from explorer.images import LoadedImage
from explorer.kernels.convolution import ConvOptions, KernelResult, apply_kernel
from explorer.kernels.display import display_image
from explorer.kernels.presets import Kernel, get_preset
from explorer.kernels.steps import ConvolutionStep, convolution_step, pool
from explorer.models import LoadedModel, Prediction
from explorer.network.display import channel_grid
from explorer.network.features import LayerOutput, NetworkRun, channel_order, run_network

KERNELS = (
    ("sobel_x", ConvOptions(padding="same", color="gray"), "abs"),
    ("gaussian_5", ConvOptions(stride=2, padding="valid"), "clip"),
)
"""The two kernels of the lesson: (preset, options, display mode)."""
FEATURE_CHANNELS = 16
CAM_COLORMAP = "jet"
"""As in the Grad-CAM studio: red = raised the score most, blue = not at all."""
WINDOW_MARGIN = 6
WINDOW_ZOOM = 16
PICTURE_SIDE = 1200
"""Photos and overlays are put into the PDF at most this many pixels on a side (sharp when printed)."""


@dataclass(frozen=True, eq=False)
class KernelPart:
    """One kernel before/after: the weights, the output picture and the output-size arithmetic."""

    kernel: Kernel
    options: ConvOptions
    display: str
    output: np.ndarray
    formulas: tuple[str, ...]
    output_size: tuple[int, int]


@dataclass(frozen=True, eq=False)
class PoolingPart:
    """A 4x4 block of the Sobel-x output (absolute values) and its 2x2 max and average pooling."""

    top: int
    left: int
    block: np.ndarray
    picture: np.ndarray
    maximum: np.ndarray
    average: np.ndarray
    size_before: tuple[int, int]
    size_after: tuple[int, int]


@dataclass(frozen=True, eq=False)
class FeaturePart:
    """One layer's strongest channels as a grid, with the layer's facts."""

    stage: str
    layer: LayerOutput
    grid: np.ndarray


@dataclass(frozen=True, eq=False)
class CamPart:
    """One class's Grad-CAM over the photo."""

    index: int
    label: str
    probability: float
    overlay: np.ndarray
    values: np.ndarray


@dataclass(frozen=True, eq=False)
class Lesson:
    """Everything the hand-out shows, computed from one photo and one network."""

    photo: np.ndarray
    photo_size: tuple[int, int]
    model_title: str
    kernels: tuple[KernelPart, ...]
    step: ConvolutionStep
    step_window: np.ndarray
    pooling: PoolingPart
    predictions: tuple[Prediction, ...]
    features: tuple[FeaturePart, ...]
    cam_layer: str
    top_cam: CamPart
    wrong_cam: CamPart
    wrong_chosen_by_user: bool
    random_cam: CamPart
    similarity: float


def shrink(picture: np.ndarray, side: int = PICTURE_SIDE) -> np.ndarray:
    """``picture`` at most ``side`` pixels on its longer side (area averaging), as uint8 RGB."""
    height, width = picture.shape[:2]
    scale = side / max(height, width)
    if scale >= 1:
        return picture
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(picture, size, interpolation=cv2.INTER_AREA)


def kernel_part(pixels: np.ndarray, name: str, options: ConvOptions, display: str) -> tuple[KernelPart, KernelResult]:
    """Apply one preset to the photo; keep its picture and the output-size formulas with the photo's numbers."""
    result = apply_kernel(pixels, get_preset(name), options)
    formulas = tuple(size.formula() for size in result.sizes)
    height, width = result.values.shape[:2]
    part = KernelPart(result.kernel, options, display, display_image(result.values, display), formulas, (width, height))
    return part, result


def strongest_cell(result: KernelResult) -> tuple[int, int]:
    """The output cell with the largest |value| away from the border: where the kernel found the most."""
    values = np.abs(result.values[:, :, 0].astype(np.float64))
    inner = np.full_like(values, -1.0)
    inner[2:-2, 2:-2] = values[2:-2, 2:-2]
    row, col = np.unravel_index(int(np.argmax(inner if inner.max() >= 0 else values)), values.shape)
    return int(row), int(col)


def pooling_part(result: KernelResult, row: int, col: int) -> PoolingPart:
    """The 4x4 block of |Sobel-x| holding (row, col) on the even grid, and what 2x2 pooling makes of it."""
    magnitude = np.abs(result.values[:, :, 0])
    height, width = magnitude.shape
    top, left = _even_start(row, height), _even_start(col, width)
    maximum, average = pool(magnitude, "max"), pool(magnitude, "average")
    return PoolingPart(
        top,
        left,
        magnitude[top : top + 4, left : left + 4].copy(),
        display_image(maximum[:, :, None], "clip"),
        maximum[top // 2 : top // 2 + 2, left // 2 : left // 2 + 2].copy(),
        average[top // 2 : top // 2 + 2, left // 2 : left // 2 + 2].copy(),
        (width, height),
        (maximum.shape[1], maximum.shape[0]),
    )


def window_picture(result: KernelResult, step: ConvolutionStep) -> np.ndarray:
    """The grey pixels around the step's window, enlarged, with the kernel's window outlined in red."""
    plane = result.source_plane(0)
    rows = np.arange(step.tap_rows[0] - WINDOW_MARGIN, step.tap_rows[-1] + WINDOW_MARGIN + 1)
    cols = np.arange(step.tap_cols[0] - WINDOW_MARGIN, step.tap_cols[-1] + WINDOW_MARGIN + 1)
    inside = (rows[:, None] >= 0) & (rows[:, None] < plane.shape[0]) & (cols >= 0) & (cols < plane.shape[1])
    crop = np.where(inside, plane[np.clip(rows, 0, plane.shape[0] - 1)][:, np.clip(cols, 0, plane.shape[1] - 1)], 0)
    grey = np.clip(np.rint(crop), 0, 255).astype(np.uint8).repeat(WINDOW_ZOOM, 0).repeat(WINDOW_ZOOM, 1)
    picture = np.repeat(grey[:, :, None], 3, axis=2)
    low, high = WINDOW_MARGIN * WINDOW_ZOOM, (WINDOW_MARGIN + len(step.tap_rows)) * WINDOW_ZOOM
    red = np.array((220, 30, 30), dtype=np.uint8)
    for edge in (low, high - 3):
        picture[edge : edge + 3, low:high] = red
        picture[low:high, edge : edge + 3] = red
    return picture


def _even_start(index: int, length: int) -> int:
    """The first of 4 rows (or columns) holding ``index``, on the 2x2 pooling grid and inside ``length``."""
    return max(0, min(index - index % 2, (length - 4) - (length - 4) % 2))


def feature_parts(run: NetworkRun) -> tuple[FeaturePart, ...]:
    """An early, a middle and a late layer (spatial output above 1x1), each with its 16 strongest channels."""
    spatial = [layer for layer in run.layers if layer.shape[1] > 1 and layer.shape[2] > 1]
    if not spatial:
        raise ExplorerError("This network has no layer with a picture-like output to show.")
    picks = (
        ("early", spatial[min(1, len(spatial) - 1)]),
        ("middle", spatial[len(spatial) // 2]),
        ("late", spatial[-1]),
    )
    parts = []
    for stage, layer in picks:
        order = channel_order(run.stats[layer.name], "max")[:FEATURE_CHANNELS]
        parts.append(FeaturePart(stage, layer, channel_grid(run.activations[layer.name], order, columns=8, tile=96)))
    return tuple(parts)


def cam_part(photo: np.ndarray, values: np.ndarray, index: int, label: str, probability: float) -> CamPart:
    """A CAM stretched over the (shrunk) photo in viridis."""
    height, width = photo.shape[:2]
    return CamPart(
        index, label, probability, overlay(photo, heatmap(values, (width, height)), 0.5, CAM_COLORMAP), values
    )


def build_lesson(
    image: LoadedImage,
    model: LoadedModel,
    random_model: LoadedModel,
    wrong_class: str | None = None,
    run: NetworkRun | None = None,
) -> Lesson:
    """Compute the whole lesson for ``image`` (``run``: an already computed forward pass of ``model``, if any).

    ``wrong_class`` is a class name, index or "topN"; by default the class among the network's next
    best guesses whose Grad-CAM looks least like the top class's.
    """
    pixels = image.to_array()
    photo = shrink(pixels)
    (sobel, sobel_result), (gaussian, _) = (kernel_part(pixels, *spec) for spec in KERNELS)
    row, col = strongest_cell(sobel_result)
    step = convolution_step(sobel_result, row, col)
    run = run or run_network(model, image.image)
    inputs = model.preprocess(image.image)
    layer = default_layer(cam_layers(model.module, tuple(inputs.shape[-2:])))
    ranked = tuple(int(i) for i in np.argsort(-run.probabilities, kind="stable"))
    top = ranked[0]
    classes = list(ranked[:CANDIDATES])
    chosen = None if wrong_class is None else resolve_class(wrong_class, model.categories, ranked)
    if chosen == top:
        raise ExplorerError(
            f"'{model.categories[top]}' is the network's top guess; choose a different class for the wrong-class map."
        )
    if chosen is not None and chosen not in classes:
        classes.append(chosen)
    cams = compute_cams(model.module, inputs, layer, "Grad-CAM", classes)
    wrong = least_alike(cams, top) if chosen is None else chosen
    random_cams = compute_cams(random_model.module, random_model.preprocess(image.image), layer, "Grad-CAM", [top])

    def part(source: np.ndarray, index: int, probability: float) -> CamPart:
        return cam_part(photo, source, index, model.categories[index], probability)

    return Lesson(
        photo=photo,
        photo_size=image.size,
        model_title=model.title,
        kernels=(sobel, gaussian),
        step=step,
        step_window=window_picture(sobel_result, step),
        pooling=pooling_part(sobel_result, row, col),
        predictions=run.predictions[:5],
        features=feature_parts(run),
        cam_layer=layer,
        top_cam=part(cams.map_for(top), top, float(run.probabilities[top])),
        wrong_cam=part(cams.map_for(wrong), wrong, float(run.probabilities[wrong])),
        wrong_chosen_by_user=chosen is not None,
        random_cam=part(random_cams.map_for(top), top, float(random_cams.probabilities[top])),
        similarity=map_similarity(cams.map_for(top), random_cams.map_for(top)),
    )
