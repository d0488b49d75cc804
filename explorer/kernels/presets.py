"""The kernel registry: named presets, each with one line on what it detects or does.

A kernel is one or more weight grids of the same shape (rows x columns, square or not, odd or even)
plus how their results combine: ``single`` uses one grid as is; ``magnitude`` combines two gradient
grids as sqrt(gx^2 + gy^2), which is how ``sobel`` is built from ``sobel_x`` and ``sobel_y``;
``channels`` is one 3-D filter, one grid per colour channel (red, green, blue), whose three results are
summed with a bias into one feature map, as one output channel of ``torch.nn.Conv2d(3, 1, K)`` does
(those presets live in ``explorer.kernels.colour``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from explorer.errors import ExplorerError

Grid = tuple[tuple[float, ...], ...]
MAX_SIZE = 15
"""The largest kernel side (rows or columns) the lab accepts."""
COMBINES = {"single": 1, "magnitude": 2, "channels": 3}
"""How a kernel's grids combine, and how many grids each way needs."""
CHANNEL_NAMES = ("red", "green", "blue")


@dataclass(frozen=True)
class Kernel:
    """A named kernel: its weight grid(s), how they combine, a bias (3-D filters) and what it does."""

    name: str
    explanation: str
    grids: tuple[Grid, ...]
    combine: str = "single"
    bias: float = 0.0

    def __post_init__(self) -> None:
        if COMBINES.get(self.combine) != len(self.grids):
            raise ExplorerError(f"A '{self.combine}' kernel cannot have {len(self.grids)} grids.")
        if len({(len(grid), len(grid[0])) for grid in self.grids}) != 1:
            raise ExplorerError("Every grid of one kernel must have the same number of rows and columns.")

    @property
    def shape(self) -> tuple[int, int]:
        """(K_h, K_w): rows and columns of each grid."""
        return len(self.grids[0]), len(self.grids[0][0])

    @property
    def is_3d(self) -> bool:
        """True for one filter over the three colour channels (one grid per channel, summed, plus bias)."""
        return self.combine == "channels"

    def grid_names(self) -> tuple[str, ...]:
        """What each grid is called on the page: '' for a single grid, gx/gy, or the colour channels."""
        return {"single": ("",), "magnitude": ("gx", "gy"), "channels": CHANNEL_NAMES}[self.combine]

    def arrays(self) -> list[np.ndarray]:
        """Each weight grid as a K_h x K_w float64 array."""
        return [np.array(grid, dtype=np.float64) for grid in self.grids]


def grid(rows: Sequence[Sequence[float]] | np.ndarray, scale: float = 1.0) -> Grid:
    """A weight grid as nested tuples (hashable, so kernels can key caches), each value times ``scale``."""
    return tuple(tuple(float(value) * scale for value in row) for row in np.asarray(rows, dtype=np.float64))


SOBEL_X = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
SOBEL_Y = [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]
_GAUSS_5 = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1])

PRESETS: dict[str, Kernel] = {
    kernel.name: kernel
    for kernel in (
        Kernel(
            "identity",
            "Changes nothing: the output pixel is the input pixel (a good sanity check).",
            (grid([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),),
        ),
        Kernel(
            "box_blur", "Blurs by averaging each 3x3 neighbourhood with equal weights.", (grid(np.ones((3, 3)), 1 / 9),)
        ),
        Kernel(
            "gaussian_3",
            "Gentle blur that weights near pixels more than far ones (3x3 Gaussian).",
            (grid([[1, 2, 1], [2, 4, 2], [1, 2, 1]], 1 / 16),),
        ),
        Kernel("gaussian_5", "Stronger, smooth blur over a 5x5 Gaussian neighbourhood.", (grid(_GAUSS_5, 1 / 256),)),
        Kernel(
            "sharpen",
            "Sharpens by boosting the centre pixel against its four neighbours.",
            (grid([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),),
        ),
        Kernel(
            "unsharp",
            "Unsharp masking: adds back the detail a 5x5 Gaussian blur would remove.",
            (grid(np.pad([[512.0]], 2) - _GAUSS_5, 1 / 256),),
        ),
        Kernel(
            "sobel_x",
            "Finds vertical edges: positive where brightness rises from left to right (Sobel, as cv2.Sobel dx=1).",
            (grid(SOBEL_X),),
        ),
        Kernel(
            "sobel_y",
            "Finds horizontal edges: positive where brightness rises from top to bottom (Sobel, as cv2.Sobel dy=1).",
            (grid(SOBEL_Y),),
        ),
        Kernel(
            "sobel",
            "Edge strength in any direction: sqrt(sobel_x^2 + sobel_y^2), always >= 0.",
            (grid(SOBEL_X), grid(SOBEL_Y)),
            "magnitude",
        ),
        Kernel(
            "scharr_x",
            "Left-to-right change like Sobel, with better rotational accuracy (Scharr).",
            (grid([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]]),),
        ),
        Kernel(
            "scharr_y",
            "Top-to-bottom change like Sobel, with better rotational accuracy (Scharr).",
            (grid([[-3, -10, -3], [0, 0, 0], [3, 10, 3]]),),
        ),
        Kernel(
            "prewitt_x",
            "Left-to-right change with equal row weights (Prewitt, vertical edges).",
            (grid([[-1, 0, 1]] * 3),),
        ),
        Kernel(
            "prewitt_y",
            "Top-to-bottom change with equal column weights (Prewitt, horizontal edges).",
            (grid([[-1, -1, -1], [0, 0, 0], [1, 1, 1]]),),
        ),
        Kernel(
            "laplacian_4",
            "Second derivative (4 neighbours): lights up where brightness bends, e.g. fine detail.",
            (grid([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),),
        ),
        Kernel(
            "laplacian_8",
            "Second derivative including diagonals (8 neighbours): edges in every direction.",
            (grid([[1, 1, 1], [1, -8, 1], [1, 1, 1]]),),
        ),
        Kernel(
            "emboss",
            "Makes a raised-relief look: light from the top-left, shadows at the bottom-right.",
            (grid([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),),
        ),
        Kernel(
            "outline",
            "Keeps only outlines: a pixel that differs from its neighbours stays bright.",
            (grid([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),),
        ),
        Kernel(
            "edge_vertical",
            "Simple vertical-line detector: a bright column between darker ones.",
            (grid([[-1, 2, -1]] * 3),),
        ),
        Kernel(
            "edge_horizontal",
            "Simple horizontal-line detector: a bright row between darker ones.",
            (grid([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]]),),
        ),
        Kernel(
            "cross",
            "Plus-shape detector: strongest on a thin bright plus, weaker on a filled square, 0 on flat areas.",
            (grid([[-5, 4, -5], [4, 4, 4], [-5, 4, -5]], 1 / 4),),
        ),
        Kernel(
            "plus_blur",
            "Averages the centre with its four neighbours (a plus-shaped blur).",
            (grid([[0, 1, 0], [1, 1, 1], [0, 1, 0]], 1 / 5),),
        ),
        Kernel(
            "difference_x",
            "1x2 forward difference, right pixel minus left: the smallest edge detector (an even kernel).",
            (grid([[-1, 1]]),),
        ),
        Kernel(
            "difference_y",
            "2x1 forward difference, lower pixel minus upper: horizontal edges (an even kernel).",
            (grid([[-1], [1]]),),
        ),
        Kernel(
            "central_x",
            "1x3 central difference, right minus left neighbour: Sobel's horizontal part without its smoothing.",
            (grid([[-1, 0, 1]]),),
        ),
        Kernel(
            "roberts",
            "Roberts cross: edge strength from two 2x2 diagonal differences, sqrt(d1^2 + d2^2).",
            (grid([[1, 0], [0, -1]]), grid([[0, 1], [-1, 0]])),
            "magnitude",
        ),
        Kernel(
            "box_2x2",
            "Averages each 2x2 block (an even blur, like 2x2 average pooling with stride 1).",
            (grid(np.ones((2, 2)), 1 / 4),),
        ),
        Kernel(
            "motion_blur",
            "1x5 horizontal blur, as if the camera moved sideways while the shutter was open.",
            (grid(np.ones((1, 5)), 1 / 5),),
        ),
    )
}
"""Every 2-D preset, by name, in the order the app lists them (the 3-D ones are in ``colour.COLOUR_PRESETS``)."""


def get_preset(name: str) -> Kernel:
    """The 2-D or 3-D preset called ``name``, or a sentence saying how to list them."""
    from explorer.kernels.colour import COLOUR_PRESETS

    found = PRESETS.get(name) or COLOUR_PRESETS.get(name)
    if found is None:
        raise ExplorerError(f"There is no kernel called '{name[:40]}'; run 'python -m explorer kernels' to list them.")
    return found
