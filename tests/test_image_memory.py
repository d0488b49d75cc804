"""Memory per upload is bounded: small files that decode to huge images cost at most ~300 MB over a 12 MP photo.

Each file is decoded in a fresh ``python -c`` (so one test's memory never hides another's), which reports
its peak resident memory (``ru_maxrss``) after decoding minus its peak before: what that upload adds to
a server's peak. The files are written by hand in ``tmp_path`` (tests/crafted_images.py), never committed.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from explorer.images import COMPUTE_MAX_SIDE, load_image
from tests.conftest import ROOT
from tests.crafted_images import float_tiff, grey16_png, jpeg_12mp, rgba_png

ALLOWANCE_MB = 300
"""How much more than an ordinary 12-megapixel JPEG one upload may raise the process's peak memory."""

DECODE = """
import json, resource, sys
from explorer.errors import ExplorerError
from explorer.images import load_image
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    loaded = load_image(data)
    outcome = {"size": list(loaded.size), "notes": list(loaded.notes)}
except ExplorerError as error:
    outcome = {"refused": str(error)}
outcome["mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps(outcome))
"""


def decode_in_fresh_process(path: Path) -> dict:
    """What decoding ``path`` does in a new interpreter: its size and notes, or the refusal, and the MB it added."""
    done = subprocess.run(
        [sys.executable, "-c", DECODE, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def reference_mb(tmp_path_factory: pytest.TempPathFactory) -> float:
    """What an ordinary 12 MP phone JPEG adds to the peak (about 85 MB: its decoded pixels and the resize)."""
    outcome = decode_in_fresh_process(jpeg_12mp(tmp_path_factory.mktemp("reference") / "phone.jpg"))
    assert outcome["size"] == [COMPUTE_MAX_SIDE, 1536]
    return outcome["mb"]


@pytest.mark.parametrize(
    ("write", "note"),
    [
        (lambda folder: grey16_png(folder / "grey16.png", 9950), "reduced from 16 to 8 bits"),
        (lambda folder: float_tiff(folder / "float.tif", 8000), "0..1 values were scaled to 0..255"),
        (lambda folder: rgba_png(folder / "rgba.png", 8000, 8000), "Transparent areas were filled with white"),
    ],
    ids=["16-bit PNG 9950x9950", "float32 TIFF 8000x8000", "RGBA PNG 8000x8000"],
)
def test_a_huge_image_in_a_small_file_is_decoded_within_the_allowance(tmp_path, reference_mb, write, note):
    path = write(tmp_path)
    assert path.stat().st_size < 3_000_000, "a small upload, far under the 50 MB cap"
    outcome = decode_in_fresh_process(path)
    assert "refused" not in outcome, outcome
    assert max(outcome["size"]) == COMPUTE_MAX_SIDE
    assert any(note in text for text in outcome["notes"]), outcome["notes"]
    assert outcome["mb"] - reference_mb <= ALLOWANCE_MB, f"{outcome['mb']:.0f} MB vs {reference_mb:.0f} MB"


def test_a_colour_png_over_the_decoding_budget_is_refused_from_its_header(tmp_path, reference_mb):
    path = rgba_png(tmp_path / "rgba.png", 10000, 10000)  # about 400 KB; 400 MB once decoded
    outcome = decode_in_fresh_process(path)
    assert outcome["refused"].startswith("The image has 10000x10000 (100 megapixels), over the 64 megapixel limit")
    assert "JPEG photos may have 100" in outcome["refused"]
    assert outcome["mb"] < 20, "refused before any pixel was decoded"


def encoded(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def whole_image_reference(full_rgb: Image.Image, factor: int, size: tuple[int, int]) -> np.ndarray:
    """Pillow on the whole image at once (what the strips must equal): shrink by ``factor``, then Lanczos."""
    return np.asarray(full_rgb.reduce(factor).resize(size, Image.Resampling.LANCZOS))


def test_strip_by_strip_conversion_equals_converting_the_whole_transparent_image():
    rng = np.random.default_rng(0)
    rgba = Image.fromarray(rng.integers(0, 256, (1100, 4300, 4), dtype=np.uint8), "RGBA")  # 5 strips, factor 2
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    reference = whole_image_reference(Image.alpha_composite(white, rgba).convert("RGB"), 2, (2048, 524))
    assert np.array_equal(load_image(encoded(rgba)).to_array(), reference)


def test_strip_by_strip_conversion_equals_converting_the_whole_16_bit_image():
    rng = np.random.default_rng(1)
    values = rng.integers(0, 65536, (1000, 4200), dtype=np.uint16)
    grey = np.rint(values.astype(np.float64) / 257).astype(np.uint8)  # float64 here: the reference, not the app
    reference = whole_image_reference(Image.fromarray(grey, "L").convert("RGB"), 2, (2048, 488))
    assert np.array_equal(load_image(encoded(Image.fromarray(values))).to_array(), reference)
