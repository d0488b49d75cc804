"""Kernels a student types or edits: text parsed into grids, grids checked and turned into a ``Kernel``.

Every number is bounded (|w| <= 1,000,000), so the largest possible output, 255 x 1e6 x 15 x 15 x 3,
stays far inside float32 and no histogram, metric or step ever sees inf or NaN. Whatever is typed,
the answer is a kernel or an ExplorerError with one sentence; user text is quoted, shortened.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from explorer.errors import ExplorerError, quoted
from explorer.kernels.presets import CHANNEL_NAMES, MAX_SIZE, Kernel, grid

MAX_WEIGHT = 1_000_000.0
"""The largest |number| in a kernel, or its bias."""
MAX_TEXT = 20_000
"""The longest kernel text read (a 15x15 kernel of long fractions fits easily)."""
EXAMPLE = "'1 0 -1; 2 0 -2; 1 0 -1'"
RANGE = "kernel numbers go from -1,000,000 to 1,000,000"


def parse_kernel_text(text: str) -> np.ndarray:
    """Parse '1 0 -1; 2 0 -2; 1 0 -1' (rows by ';' or newline, numbers by spaces or commas, 1/9 allowed).

    Any number of rows and columns (1x3, 2x2, 3x5 ...), the same in every row.
    """
    if len(text or "") > MAX_TEXT:
        raise ExplorerError(f"The kernel text is {len(text):,} characters long; a kernel needs far fewer.")
    lines = [line.strip() for line in re.split(r"[;\n]", text or "")]
    lines = [line for line in lines if line]
    if not lines:
        raise ExplorerError(f"The kernel is empty: type rows of numbers, e.g. {EXAMPLE}.")
    rows = [[number(token) for token in re.split(r"[,\s]+", line) if token] for line in lines]
    widths = {len(row) for row in rows}
    if len(widths) > 1:
        counts = ", ".join(str(len(row)) for row in rows[: MAX_SIZE + 1])
        raise ExplorerError(f"Every row of the kernel needs the same number of values; the rows have {counts}.")
    return np.array(rows, dtype=np.float64)


def parse_colour_text(text: str) -> list[np.ndarray]:
    """Three kernels separated by '|' (red | green | blue), each written as ``parse_kernel_text`` reads."""
    parts = (text or "").split("|")
    if len(parts) != 3:
        raise ExplorerError(
            f"A 3-D filter needs three kernels separated by '|' (red | green | blue); this has {len(parts)}."
        )
    return parse_channel_texts(parts)


def parse_channel_texts(texts: Sequence[str]) -> list[np.ndarray]:
    """The red, green and blue kernels typed separately; an error names the channel it is in."""
    grids = []
    for name, part in zip(CHANNEL_NAMES, texts):
        try:
            grids.append(parse_kernel_text(part))
        except ExplorerError as error:
            raise ExplorerError(f"In the {name} kernel: {error}") from None
    return grids


def number(token: str) -> float:
    """One typed number (2, -0.5, 1e-3 or a fraction 1/9), bounded to |x| <= MAX_WEIGHT."""
    try:
        value = float(Fraction(token)) if "/" in token else float(token)
    except (ValueError, ZeroDivisionError, OverflowError):
        if "/" in token and re.fullmatch(r"[+-]?\d+/[+-]?0+", token):
            raise ExplorerError(f"{quoted(token)} divides by zero; use numbers like 2, -0.5 or 1/9.") from None
        if re.fullmatch(r"[+-]?\d+/[+-]?\d+", token):
            raise ExplorerError(f"{quoted(token)} is too large; {RANGE}.") from None
        raise ExplorerError(f"{quoted(token)} is not a number; use numbers like 2, -0.5 or 1/9.") from None
    return bounded(value, quoted(token))


def bounded(value: float, what: str) -> float:
    """``value`` if it is finite and |value| <= MAX_WEIGHT, else one sentence naming ``what``."""
    if np.isnan(value):
        raise ExplorerError(f"{what} is not a number; use numbers like 2, -0.5 or 1/9.")
    if abs(value) > MAX_WEIGHT:
        raise ExplorerError(f"{what} is too large; {RANGE}.")
    return value


def checked_grid(weights: np.ndarray | Sequence[Sequence[float]], what: str = "The kernel") -> np.ndarray:
    """A 2-D grid of 1..15 rows and columns whose every cell is a bounded, finite number."""
    try:
        array = np.asarray(weights, dtype=np.float64)
    except (ValueError, TypeError, OverflowError):
        raise ExplorerError(f"{what} must be rows of numbers, the same count in every row.") from None
    if array.ndim != 2 or array.size == 0:
        raise ExplorerError(f"{what} must be a grid of rows and columns of numbers.")
    rows, cols = array.shape
    if not (1 <= rows <= MAX_SIZE and 1 <= cols <= MAX_SIZE):
        raise ExplorerError(f"{what} must be from 1x1 to {MAX_SIZE}x{MAX_SIZE}; it is {rows}x{cols}.")
    if not np.all(np.isfinite(array)):
        raise ExplorerError(f"{what} has an empty cell or a number that is not finite; fill in every cell.")
    largest = float(np.max(np.abs(array)))
    if largest > MAX_WEIGHT:
        raise ExplorerError(f"{what} has a number of size {largest:.3g}; {RANGE}.")
    return array


def custom_kernel(weights: np.ndarray | Sequence[Sequence[float]], normalise: bool = False) -> Kernel:
    """A kernel from one grid of numbers (any size from 1x1 to 15x15); ``normalise`` scales it to sum 1."""
    (array,) = _normalised([checked_grid(weights)], normalise)
    return Kernel("custom", "Your own kernel.", (grid(array),))


def colour_kernel(
    weights: Sequence[np.ndarray | Sequence[Sequence[float]]], bias: float = 0.0, normalise: bool = False
) -> Kernel:
    """A 3-D filter from three grids (red, green, blue) of one shape and a bias; ``normalise``: weights sum 1."""
    if len(weights) != 3:
        raise ExplorerError(f"A 3-D filter needs one kernel per colour channel (3), not {len(weights)}.")
    arrays = [checked_grid(w, f"The {name} kernel") for name, w in zip(CHANNEL_NAMES, weights)]
    shapes = [f"{a.shape[0]}x{a.shape[1]}" for a in arrays]
    if len(set(shapes)) > 1:
        raise ExplorerError(f"The red, green and blue kernels must have one shape; they are {', '.join(shapes)}.")
    arrays = _normalised(arrays, normalise)
    bias = bounded(float(bias), "The bias")
    return Kernel("custom_3d", "Your own 3-D filter.", tuple(grid(a) for a in arrays), "channels", bias)


def _normalised(arrays: list[np.ndarray], normalise: bool) -> list[np.ndarray]:
    """The grids scaled together so all their numbers sum to 1 (refused when they sum to 0)."""
    if not normalise:
        return arrays
    total = float(sum(a.sum() for a in arrays))
    if abs(total) < 1e-12:
        raise ExplorerError(
            "The kernel's numbers add up to 0, so it cannot be normalised to sum 1; "
            "turn off 'normalise' (edge kernels are meant to sum to 0)."
        )
    scaled = [a / total for a in arrays]
    if max(float(np.max(np.abs(a))) for a in scaled) > MAX_WEIGHT:
        raise ExplorerError("The kernel's numbers add up to almost 0, so normalising makes them far too large.")
    return scaled
