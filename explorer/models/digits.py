"""Any picture of one digit (a photo of paper, a scan, a canvas drawing) as LeNet-5's 32x32 input.

The bundled weights were trained on scikit-learn's copy of the UCI handwritten digits, which exist
only as 8x8 counts of ink in 4x4 blocks of a 32x32 bitmap. ``prepare_digit`` therefore finds the ink
(``ink_mask``), brings it to that same 8x8 form (``digit_blocks``) and frames it in 32x32 exactly as
the training digits were framed (``frame_blocks``): centred and scaled the way the training data was.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from explorer.errors import ExplorerError

INPUT_SIZE = 32
DIGIT_SAMPLES_DIR = Path(__file__).resolve().parents[2] / "assets" / "samples" / "digits"
"""Handwritten sample digits, one per class (``digit_0.png`` .. ``digit_9.png``): see SOURCES.md there."""
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


def digit_samples() -> dict[str, Path]:
    """The bundled sample digits by the digit they show ("0" .. "9"), in order."""
    return {path.stem.removeprefix("digit_"): path for path in sorted(DIGIT_SAMPLES_DIR.glob("digit_*.png"))}
