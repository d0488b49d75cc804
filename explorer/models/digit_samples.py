"""Write the sample digits the Tiny CNN page offers: one held-out handwritten digit per class, as a PNG.

    python -m explorer.models.digit_samples [--out assets/samples/digits]

Each is the first digit of its class in the held-out 20% of scikit-learn's copy of the UCI handwritten
digits (``train_lenet.load_digit_split``: never trained on), its 8x8 ink counts enlarged smoothly to
160x160 and drawn in dark ink on white, like a scan of a digit written on paper. Data licence: CC BY 4.0
(see assets/samples/SOURCES.md). scikit-learn is needed here only, not by the app.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from explorer.models.digits import DIGIT_SAMPLES_DIR

SIDE = 160


def scanned(blocks: np.ndarray) -> Image.Image:
    """An 8x8 digit (ink in [0, 1]) as a 160x160 grey picture: dark, smooth strokes on white paper."""
    big = cv2.resize(np.pad(blocks, 1).astype(np.float32), (SIDE, SIDE), interpolation=cv2.INTER_CUBIC)
    ink = np.clip((big - 0.3) * 3, 0, 1)
    return Image.fromarray(np.round(250 - 210 * ink).astype(np.uint8), "L")


def write_samples(out: Path = DIGIT_SAMPLES_DIR) -> list[Path]:
    """Write digit_0.png .. digit_9.png into ``out`` and return their paths."""
    from explorer.models.train_lenet import load_digit_split

    _, _, blocks, labels = load_digit_split()
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for digit in range(10):
        path = out / f"digit_{digit}.png"
        scanned(blocks[int(np.flatnonzero(labels == digit)[0])]).save(path, optimize=True)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: write the ten samples."""
    parser = argparse.ArgumentParser(prog="python -m explorer.models.digit_samples", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DIGIT_SAMPLES_DIR)
    for path in write_samples(parser.parse_args(argv).out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
