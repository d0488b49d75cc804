"""A kernel's weights as whole numbers times one fraction, the way a textbook prints them.

The 5x5 Gaussian is easier to read as "1 4 6 4 1 ... x 1/256" than as 0.0039 0.0156 ...; a kernel with
no such common fraction (up to 1/1024) is left as it is.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

LARGEST_DENOMINATOR = 1024


def whole_numbers(weights: np.ndarray) -> tuple[int, np.ndarray]:
    """(d, whole-number grid) with weights = grid / d when such a d up to 1024 exists, else (1, weights)."""
    denominators = [Fraction(float(v)).limit_denominator(LARGEST_DENOMINATOR).denominator for v in weights.flat]
    scale = math.lcm(*denominators)
    grid = weights * scale
    if scale > LARGEST_DENOMINATOR or not np.allclose(grid, np.round(grid), atol=1e-6):
        return 1, weights
    return scale, np.round(grid)
