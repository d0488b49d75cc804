"""Bytes in, a validated RGB image out, plus a plain list of what was changed to get there.

Every awkward file a user can bring (CMYK, 16-bit, palette, alpha, animated, EXIF-rotated, huge,
truncated, empty, not an image at all) either becomes an 8-bit RGB picture with a note saying what
was done, or raises ExplorerError with one sentence. Decompression bombs are refused from the header,
before any pixel is decoded.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from explorer.errors import ExplorerError

MAX_PIXELS = 100_000_000
"""Images with more pixels than this (100 MP) are refused before decoding: a 48 MP photo is fine."""

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

    Raises ExplorerError, with one sentence, for anything that is not a usable raster image.
    """
    if not data:
        raise ExplorerError("The file is empty: please choose a photo (PNG, JPEG, WebP, GIF, BMP or TIFF).")
    _refuse_vector(data)
    notes: list[str] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
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
    fmt = opened.format or "unknown"
    width, height = opened.size
    if width < 1 or height < 1:
        raise ExplorerError("The image has no pixels (its width or height is zero).")
    if width * height > MAX_PIXELS:
        raise ExplorerError(_too_big_message(f"{width}x{height} ({width * height / 1e6:.0f} megapixels)"))
    frames = getattr(opened, "n_frames", 1)
    if frames > 1:
        opened.seek(0)
        notes.append(f"The file is animated ({frames} frames); the first frame is used.")
    if max(width, height) > max_side and fmt == "JPEG":
        opened.draft("RGB", (max_side, max_side))
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
    image = _apply_exif_rotation(opened, notes)
    image = _to_rgb(image, notes)
    image = _limit_size(image, (width, height), max_side, notes)
    if min(image.size) < 8:
        notes.append(f"The image is tiny ({image.width}x{image.height}); results will be few pixels.")
    ratio = max(image.size) / min(image.size)
    if ratio > 20:
        notes.append(f"The image is very long and thin (aspect ratio {ratio:.0f}:1).")
    return LoadedImage(image, tuple(notes), (width, height), fmt, hashlib.sha256(data).hexdigest())


def load_sample(name: str) -> LoadedImage:
    """Load one of the bundled sample photos by its short name (see SAMPLES)."""
    if name not in SAMPLES:
        raise ExplorerError(f"There is no sample called '{name}'; choose one of {', '.join(SAMPLES)}.")
    return load_image((SAMPLES_DIR / SAMPLES[name]).read_bytes())


def load_path(path: str | Path) -> LoadedImage:
    """Load an image file from disk, with a plain sentence if the path is wrong."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise ExplorerError(f"There is no file at '{path}'.") from error
    except IsADirectoryError as error:
        raise ExplorerError(f"'{path}' is a folder, not an image file.") from error
    except OSError as error:
        raise ExplorerError(f"'{path}' cannot be read ({error.strerror}).") from error
    return load_image(data)


def _too_big_message(what: str = "far too many pixels") -> str:
    return (
        f"The image has {what}, over the {MAX_PIXELS // 1_000_000} megapixel limit, so it was not opened; "
        "please resize it and try again."
    )


def _refuse_vector(data: bytes) -> None:
    head = data[:512].lstrip().lower()
    if any(head.startswith(sig.lower()) for sig in _VECTOR_SIGNATURES) or b"<svg" in head:
        raise ExplorerError("Vector files (SVG, PDF, PostScript) are not supported: export the picture as PNG or JPEG.")


def _apply_exif_rotation(image: Image.Image, notes: list[str]) -> Image.Image:
    try:
        orientation = image.getexif().get(0x0112, 1)
    except Exception:
        return image
    if orientation in (None, 1):
        return image
    turned = ImageOps.exif_transpose(image)
    notes.append("The photo was turned upright using its EXIF orientation tag.")
    return turned


def _to_rgb(image: Image.Image, notes: list[str]) -> Image.Image:
    mode = image.mode
    if mode == "RGB":
        return image
    if mode == "P" and "transparency" in image.info:
        image, mode = image.convert("RGBA"), "RGBA"
    elif mode == "P":
        notes.append("The palette (indexed-colour) image was converted to RGB.")
        return image.convert("RGB")
    if mode in {"RGBA", "LA", "PA", "RGBa", "La"}:
        rgba = image.convert("RGBA")
        alpha_low = rgba.getchannel("A").getextrema()[0]
        if isinstance(alpha_low, (int, float)) and alpha_low < 255:
            notes.append("Transparent areas were filled with white (the alpha channel was dropped).")
        else:
            notes.append("The alpha channel (fully opaque) was dropped.")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if mode == "CMYK":
        notes.append("The CMYK (print) colours were converted to RGB.")
        return image.convert("RGB")
    if mode == "1":
        notes.append("The black-and-white (1-bit) image was converted to RGB.")
        return image.convert("RGB")
    if mode == "L":
        notes.append("The greyscale image was converted to RGB (three equal channels).")
        return image.convert("RGB")
    if mode.startswith("I") or mode == "F":
        return _high_depth_to_rgb(image, notes)
    notes.append(f"The {mode} image was converted to RGB.")
    return image.convert("RGB")


def _high_depth_to_rgb(image: Image.Image, notes: list[str]) -> Image.Image:
    """16-bit, 32-bit integer and float greyscale images, scaled honestly into 0..255."""
    values = np.asarray(image, dtype=np.float64)
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    if image.mode == "F" and low >= 0.0 and high <= 1.0:
        scaled, how = values * 255.0, "its 0..1 values were scaled to 0..255"
    elif image.mode != "F" and low >= 0 and high <= 65535:
        scaled, how = values / 257.0, "it was reduced from 16 to 8 bits per pixel"
    else:
        span = high - low or 1.0
        scaled, how = (values - low) / span * 255.0, f"its values {low:g}..{high:g} were stretched to 0..255"
    depth = "floating-point" if image.mode == "F" else "high-bit-depth"
    notes.append(f"The {depth} greyscale image was converted to 8-bit RGB: {how}.")
    grey = np.clip(np.nan_to_num(scaled), 0, 255).round().astype(np.uint8)
    return Image.fromarray(grey, mode="L").convert("RGB")


def _limit_size(image: Image.Image, original: tuple[int, int], max_side: int, notes: list[str]) -> Image.Image:
    if max(image.size) <= max_side:
        return image
    scale = max_side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    notes.append(
        f"The photo ({original[0]}x{original[1]}) was downscaled to {size[0]}x{size[1]} for computing; "
        "the aspect ratio is kept."
    )
    return image.resize(size, Image.Resampling.LANCZOS)
