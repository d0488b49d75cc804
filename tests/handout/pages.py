"""Render a PDF's pages to pictures with poppler's ``pdftoppm`` (Debian's poppler-utils), to look at what prints."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image


def pdf_pages(data: bytes, dpi: int = 40, keep: Path | None = None) -> list[np.ndarray]:
    """Each page of the PDF ``data`` as an RGB array, in order; with ``keep``, the PNGs are also left there."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "document.pdf"
        source.write_bytes(data)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source), str(Path(folder) / "page")], check=True)
        files = sorted(Path(folder).glob("page-*.png"), key=lambda path: int(path.stem.split("-")[1]))
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            for file in files:
                (keep / file.name).write_bytes(file.read_bytes())
        return [np.asarray(Image.open(file).convert("RGB")) for file in files]


def ink(page: np.ndarray) -> float:
    """Share of a page's pixels that are clearly not white paper."""
    return float(np.mean(page.min(axis=2) < 200))
