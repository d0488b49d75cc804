"""Bytes in, a validated RGB image out, plus a plain list of what was changed to get there.

Every awkward file a user can bring (CMYK, 16-bit, palette, alpha, animated, EXIF-rotated, huge,
truncated, empty, endless, not an image at all) either becomes an 8-bit RGB picture with a note saying
what was done, or raises ExplorerError with one sentence. Memory per image is bounded: files over
MAX_FILE_MB are not read, images whose decoded pixels would exceed MAX_DECODED_BYTES (or MAX_PIXELS)
are refused from the header before any pixel is decoded, a large JPEG is decoded at a reduced scale,
and every conversion runs strip by strip on a shrunk copy (explorer.decoding).
"""

from __future__ import annotations

import hashlib
import io
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from explorer.decoding import bytes_per_pixel, reduce_factor, to_rgb
from explorer.errors import ExplorerError

MAX_FILE_MB = 50
"""Files larger than this many megabytes (MiB) are not read: the app's uploader and the command line share it."""
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024

MAX_PIXELS = 100_000_000
"""Images with more pixels than this (100 MP) are refused before decoding: a 48 MP photo is fine."""

MAX_DECODED_BYTES = 256_000_000
"""The most memory one image's decoded pixels may take (Pillow keeps 4 bytes per colour pixel, 1 per grey or
palette pixel, 2 per 16-bit grey pixel): 64 megapixels in colour, 16 for WebP, 100 for greyscale; a JPEG
is decoded at a reduced scale, so it may have the full 100."""
WEBP_COPIES = 4
"""Pillow decodes WebP through libwebp's animation decoder, which holds about four full-size RGBA buffers."""

MAX_ASPECT = 1024
"""The longest side may be at most this many times the shortest (after fitting): 4000x3 is fine, 4000x1 is not."""

COMPUTE_MAX_SIDE = 2048
"""Longer sides are downscaled to this for compute, keeping the aspect ratio (and said so)."""

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "assets" / "samples"
SAMPLES = {
    "chelsea": "chelsea.png",
    "coffee": "coffee.png",
    "astronaut": "astronaut.png",
    "rocket": "rocket.jpg",
    "camera": "camera.png",
}
"""Bundled sample photos (see assets/samples/SOURCES.md), by short name."""

_EXIF_TURNS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
"""EXIF orientation tag -> the turn that sets the photo upright (the table ImageOps.exif_transpose uses)."""
_SWAPPING_TURNS = {
    Image.Transpose.TRANSPOSE,
    Image.Transpose.ROTATE_270,
    Image.Transpose.TRANSVERSE,
    Image.Transpose.ROTATE_90,
}
_VECTOR_SIGNATURES = (b"<svg", b"<?xml", b"%PDF", b"%!PS")
_RASTER_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*", b"RIFF")


@dataclass(frozen=True)
class LoadedImage:
    """An 8-bit RGB image ready for compute, with what was changed and a digest for caching."""

    image: Image.Image
    notes: tuple[str, ...]
    original_size: tuple[int, int]
    format: str
    digest: str

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the image as loaded for compute."""
        return self.image.size

    def to_array(self) -> np.ndarray:
        """The image as an H x W x 3 uint8 array."""
        return np.asarray(self.image, dtype=np.uint8)


def load_image(data: bytes, max_side: int = COMPUTE_MAX_SIDE) -> LoadedImage:
    """Decode ``data`` into an RGB image no larger than ``max_side`` on its longer side.

    Raises ExplorerError, with one sentence, for anything that is not a usable raster image. The size is
    checked from the header before any pixel is decoded (see MAX_PIXELS and MAX_DECODED_BYTES), and the
    conversion to RGB runs strip by strip on a shrunk copy, so memory stays bounded (explorer.decoding).
    """
    if not data:
        raise ExplorerError("The file is empty: please choose a photo (PNG, JPEG, WebP, GIF, BMP or TIFF).")
    if len(data) > MAX_FILE_BYTES:
        raise ExplorerError(_too_large_file_message(len(data)))
    _refuse_vector(data)
    notes: list[str] = []
    opened = _open(data)
    fmt = opened.format or "unknown"
    width, height = opened.size
    if width < 1 or height < 1:
        raise ExplorerError("The image has no pixels (its width or height is zero).")
    frames = getattr(opened, "n_frames", 1)
    if frames > 1:
        opened.seek(0)
        notes.append(f"The file is animated ({frames} frames); the first frame is used.")
    if max(width, height) > max_side and fmt == "JPEG":
        opened.draft("RGB", _fitted((width, height), max_side))
    _check_pixel_budget(opened, fmt, (width, height))
    orientation = _exif_orientation(opened, notes)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            opened.load()
    except Image.DecompressionBombError as error:
        raise ExplorerError(_too_big_message()) from error
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise ExplorerError(
            "The image file is damaged or incomplete (it may have been cut off while copying)."
        ) from error
    image = to_rgb(opened, reduce_factor(opened.size, max_side), notes)
    if image is not opened:
        opened.close()  # frees the full-size decoded pixels before the final resize
    upright = (width, height)
    if orientation is not None:
        image = image.transpose(orientation)
        upright = (height, width) if orientation in _SWAPPING_TURNS else upright
    image = _limit_size(image, (width, height), _fitted(upright, max_side), notes)
    if min(image.size) < 8:
        notes.append(f"The image is tiny ({image.width}x{image.height}); results will be few pixels.")
    ratio = max(image.size) / min(image.size)
    if ratio > MAX_ASPECT:
        raise ExplorerError(
            f"The image is {width}x{height} pixels: a line rather than a picture (one side over {MAX_ASPECT} "
            "times the other once it is fitted for computing); please use a picture a few pixels thick."
        )
    if ratio > 20:
        notes.append(f"The image is very long and thin (aspect ratio {ratio:.0f}:1).")
    return LoadedImage(image, tuple(notes), (width, height), fmt, hashlib.sha256(data).hexdigest())


def _open(data: bytes) -> Image.Image:
    """Read the header only (Pillow decodes no pixel until ``load``), with one sentence for a bad file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as error:
        raise ExplorerError(_too_big_message()) from error
    except UnidentifiedImageError as error:
        if data.startswith(_RASTER_SIGNATURES):
            raise ExplorerError("The image file is damaged and cannot be opened.") from error
        raise ExplorerError(
            "This file is not an image we can read: please use PNG, JPEG, WebP, GIF, BMP or TIFF."
        ) from error
    except (OSError, ValueError, SyntaxError) as error:
        raise ExplorerError("The image file is damaged and cannot be opened.") from error


def _check_pixel_budget(opened: Image.Image, fmt: str, size: tuple[int, int]) -> None:
    """Refuse, from the header, an image whose decoded pixels would not fit in MAX_DECODED_BYTES.

    ``opened.size`` is what will really be decoded (a large JPEG is decoded at a reduced scale);
    ``size`` is the file's own size, which is never allowed over MAX_PIXELS.
    """
    width, height = size
    what = f"{width}x{height} ({width * height / 1e6:.0f} megapixels)"
    if width * height > MAX_PIXELS:
        raise ExplorerError(_too_big_message(what))
    per_pixel = bytes_per_pixel(opened.mode) * (WEBP_COPIES if fmt == "WEBP" else 1)
    if opened.width * opened.height * per_pixel > MAX_DECODED_BYTES:
        limit = MAX_DECODED_BYTES // per_pixel // 1_000_000
        kind = "32-bit" if opened.mode in {"I", "F"} else "colour"
        raise ExplorerError(_too_big_message(what, limit, f" for {kind} {fmt} images (JPEG photos may have 100)"))


def load_sample(name: str) -> LoadedImage:
    """Load one of the bundled sample photos by its short name (see SAMPLES)."""
    if name not in SAMPLES:
        raise ExplorerError(f"There is no sample called '{name}'; choose one of {', '.join(SAMPLES)}.")
    return load_image((SAMPLES_DIR / SAMPLES[name]).read_bytes())


def load_path(path: str | Path) -> LoadedImage:
    """Load an image file from disk, with a plain sentence if the path is wrong.

    Only a regular file is read (a device such as /dev/zero, a pipe or a socket could be endless or wait
    forever), and never more than MAX_FILE_BYTES of it.
    """
    path = Path(path)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise ExplorerError(f"'{path}' is a folder, not an image file.")
        if not stat.S_ISREG(info.st_mode):
            raise ExplorerError(
                f"'{path}' is not a regular file (it is a device, a pipe or a socket): save the photo to a file first."
            )
        if info.st_size > MAX_FILE_BYTES:
            raise ExplorerError(_too_large_file_message(info.st_size))
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError as error:
        raise ExplorerError(f"There is no file at '{path}'.") from error
    except OSError as error:
        raise ExplorerError(f"'{path}' cannot be read ({error.strerror or error}).") from error
    return load_image(data)


def _too_big_message(what: str = "far too many pixels", limit: int = MAX_PIXELS // 1_000_000, scope: str = "") -> str:
    return (
        f"The image has {what}, over the {limit} megapixel limit{scope}, so it was not opened; "
        "please resize it and try again."
    )


def _too_large_file_message(size: int) -> str:
    return (
        f"The file is {size / 2**20:.0f} MB, over the {MAX_FILE_MB} MB limit for one photo; please use a smaller file."
    )


def _fitted(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """``size`` scaled so that its longer side is ``max_side``, keeping the aspect ratio (at least 1x1)."""
    scale = max_side / max(size)
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _refuse_vector(data: bytes) -> None:
    head = data[:512].lstrip().lower()
    if any(head.startswith(sig.lower()) for sig in _VECTOR_SIGNATURES) or b"<svg" in head:
        raise ExplorerError("Vector files (SVG, PDF, PostScript) are not supported: export the picture as PNG or JPEG.")


def _exif_orientation(image: Image.Image, notes: list[str]) -> Image.Transpose | None:
    """The turn that sets the photo upright, read from its EXIF orientation tag (applied after shrinking)."""
    try:
        orientation = image.getexif().get(0x0112, 1)
    except Exception:
        return None
    turn = _EXIF_TURNS.get(orientation)
    if turn is not None:
        notes.append("The photo was turned upright using its EXIF orientation tag.")
    return turn


def _limit_size(image: Image.Image, original: tuple[int, int], size: tuple[int, int], notes: list[str]) -> Image.Image:
    """``image`` resized to ``size`` (the upright original fitted to the compute size), said so when it shrinks."""
    if max(original) <= max(size):
        return image
    notes.append(
        f"The photo ({original[0]}x{original[1]}) was downscaled to {size[0]}x{size[1]} for computing; "
        "the aspect ratio is kept."
    )
    return image if image.size == size else image.resize(size, Image.Resampling.LANCZOS)
