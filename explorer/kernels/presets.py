"""The kernel registry (named presets with what each one does) and custom-kernel parsing.

A kernel is one or more square, odd-sized weight grids plus how their results combine: a single grid
is used as is; ``magnitude`` combines two gradient grids as sqrt(gx^2 + gy^2), which is how the
``sobel`` preset is built from ``sobel_x`` and ``sobel_y`` without special cases elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from explorer.errors import ExplorerError

Grid = tuple[tuple[float, ...], ...]
MAX_SIZE = 15
COMBINES = ("single", "magnitude")


@dataclass(frozen=True)
class Kernel:
    """A named kernel: its weight grid(s), how they combine, and one line on what it detects or does."""

    name: str
    explanation: str
    grids: tuple[Grid, ...]
    combine: str = "single"

    @property
    def size(self) -> int:
        """Side length K of the (square) kernel."""
        return len(self.grids[0])

    def arrays(self) -> list[np.ndarray]:
        """Each weight grid as a K x K float64 array."""
        return [np.array(grid, dtype=np.float64) for grid in self.grids]


def _grid(rows: Sequence[Sequence[float]], scale: float = 1.0) -> Grid:
    return tuple(tuple(float(value) * scale for value in row) for row in rows)


_SOBEL_X = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
_SOBEL_Y = [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]
_GAUSS_5 = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]).tolist()

PRESETS: dict[str, Kernel] = {
    kernel.name: kernel
    for kernel in (
        Kernel(
            "identity",
            "Changes nothing: the output pixel is the input pixel (a good sanity check).",
            (_grid([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),),
        ),
        Kernel(
            "box_blur", "Blurs by averaging each 3x3 neighbourhood with equal weights.", (_grid([[1] * 3] * 3, 1 / 9),)
        ),
        Kernel(
            "gaussian_3",
            "Gentle blur that weights near pixels more than far ones (3x3 Gaussian).",
            (_grid([[1, 2, 1], [2, 4, 2], [1, 2, 1]], 1 / 16),),
        ),
        Kernel("gaussian_5", "Stronger, smooth blur over a 5x5 Gaussian neighbourhood.", (_grid(_GAUSS_5, 1 / 256),)),
        Kernel(
            "sharpen",
            "Sharpens by boosting the centre pixel against its four neighbours.",
            (_grid([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),),
        ),
        Kernel(
            "unsharp",
            "Unsharp masking: adds back the detail a 5x5 Gaussian blur would remove.",
            (_grid((-np.array(_GAUSS_5, dtype=float) + np.pad([[512.0]], 2)).tolist(), 1 / 256),),
        ),
        Kernel("sobel_x", "Finds vertical edges: brightness changing from left to right (Sobel).", (_grid(_SOBEL_X),)),
        Kernel(
            "sobel_y", "Finds horizontal edges: brightness changing from top to bottom (Sobel).", (_grid(_SOBEL_Y),)
        ),
        Kernel(
            "sobel",
            "Edge strength in any direction: sqrt(sobel_x^2 + sobel_y^2), always >= 0.",
            (_grid(_SOBEL_X), _grid(_SOBEL_Y)),
            "magnitude",
        ),
        Kernel(
            "scharr_x",
            "Left-to-right change like Sobel, with better rotational accuracy (Scharr).",
            (_grid([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]]),),
        ),
        Kernel(
            "scharr_y",
            "Top-to-bottom change like Sobel, with better rotational accuracy (Scharr).",
            (_grid([[-3, -10, -3], [0, 0, 0], [3, 10, 3]]),),
        ),
        Kernel(
            "prewitt_x",
            "Left-to-right change with equal row weights (Prewitt, vertical edges).",
            (_grid([[-1, 0, 1]] * 3),),
        ),
        Kernel(
            "prewitt_y",
            "Top-to-bottom change with equal column weights (Prewitt, horizontal edges).",
            (_grid([[-1, -1, -1], [0, 0, 0], [1, 1, 1]]),),
        ),
        Kernel(
            "laplacian_4",
            "Second derivative (4 neighbours): lights up where brightness bends, e.g. fine detail.",
            (_grid([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),),
        ),
        Kernel(
            "laplacian_8",
            "Second derivative including diagonals (8 neighbours): edges in every direction.",
            (_grid([[1, 1, 1], [1, -8, 1], [1, 1, 1]]),),
        ),
        Kernel(
            "emboss",
            "Makes a raised-relief look: light from the top-left, shadows at the bottom-right.",
            (_grid([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),),
        ),
        Kernel(
            "outline",
            "Keeps only outlines: a pixel that differs from its neighbours stays bright.",
            (_grid([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),),
        ),
        Kernel(
            "edge_vertical",
            "Simple vertical-line detector: a bright column between darker ones.",
            (_grid([[-1, 2, -1]] * 3),),
        ),
        Kernel(
            "edge_horizontal",
            "Simple horizontal-line detector: a bright row between darker ones.",
            (_grid([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]]),),
        ),
        Kernel(
            "cross",
            "Averages the centre with its four neighbours (a plus-shaped blur).",
            (_grid([[0, 1, 0], [1, 1, 1], [0, 1, 0]], 1 / 5),),
        ),
    )
}
"""Every preset, by name, in the order the app lists them."""


def get_preset(name: str) -> Kernel:
    """The preset called ``name``, or a sentence listing the valid names."""
    if name not in PRESETS:
        raise ExplorerError(f"There is no kernel called '{name}'; run 'python -m explorer kernels' to list them.")
    return PRESETS[name]


def custom_kernel(weights: np.ndarray | list[list[float]], normalise: bool = False) -> Kernel:
    """A kernel from a square, odd-sized grid of numbers; ``normalise`` scales it to sum 1."""
    grid = np.asarray(weights, dtype=np.float64)
    if grid.ndim != 2 or grid.shape[0] != grid.shape[1]:
        raise ExplorerError(f"The kernel must be square (as many rows as columns); it is {_shape(grid)}.")
    size = grid.shape[0]
    if size % 2 == 0 or not 1 <= size <= MAX_SIZE:
        raise ExplorerError(f"The kernel must be an odd size from 1x1 to {MAX_SIZE}x{MAX_SIZE}; it is {size}x{size}.")
    if not np.all(np.isfinite(grid)):
        raise ExplorerError("The kernel contains an empty cell or a number that is not finite; fill in every cell.")
    if normalise:
        total = grid.sum()
        if abs(total) < 1e-12:
            raise ExplorerError(
                "The kernel's numbers add up to 0, so it cannot be normalised to sum 1; "
                "turn off 'normalise' (edge kernels are meant to sum to 0)."
            )
        grid = grid / total
    return Kernel("custom", "Your own kernel.", (tuple(tuple(float(v) for v in row) for row in grid),))


def parse_kernel_text(text: str) -> np.ndarray:
    """Parse '1 0 -1; 2 0 -2; 1 0 -1' (rows by ';' or newline, numbers by spaces or commas, 1/9 allowed)."""
    lines = [line.strip() for line in re.split(r"[;\n]", text or "")]
    lines = [line for line in lines if line]
    if not lines:
        raise ExplorerError("The kernel is empty: type rows of numbers, e.g. '1 0 -1; 2 0 -2; 1 0 -1'.")
    rows = [[_number(token) for token in re.split(r"[,\s]+", line) if token] for line in lines]
    widths = {len(row) for row in rows}
    if len(widths) > 1:
        counts = ", ".join(str(len(row)) for row in rows)
        raise ExplorerError(f"Every row of the kernel needs the same number of values; the rows have {counts}.")
    return np.array(rows, dtype=np.float64)


def _number(token: str) -> float:
    try:
        value = float(Fraction(token)) if "/" in token else float(token)
    except (ValueError, ZeroDivisionError):
        raise ExplorerError(f"'{token}' is not a number; use numbers like 2, -0.5 or 1/9.") from None
    if not np.isfinite(value):
        raise ExplorerError(f"'{token}' is not a finite number; use numbers like 2, -0.5 or 1/9.")
    return value


def _shape(grid: np.ndarray) -> str:
    return "x".join(str(n) for n in grid.shape) if grid.ndim == 2 else f"{grid.ndim}-dimensional"
