"""Turn a decoded image of any mode into 8-bit RGB with bounded memory: strip by strip, reduced as it goes.

The file's decoded pixels are the one full-size buffer. Every conversion (transparency onto white, 16-bit
and floating-point values to 8 bits, CMYK, palettes) runs on horizontal strips of a few megapixels, and
each strip is shrunk by a whole factor (a box average, Pillow's ``reduce``) before it joins the output.
So a 64-megapixel PNG costs its decoded size plus a few strips, never several full-size copies or a
float64 array. Strips start on multiples of the factor, so the result equals reducing the whole image.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image

STRIP_PIXELS = 1 << 20
"""Pixels per strip (1 M): a strip as float32 is 4 MB, whatever the size of the whole image."""

_ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}
_SIMPLE_NOTES = {
    "P": "The palette (indexed-colour) image was converted to RGB.",
    "CMYK": "The CMYK (print) colours were converted to RGB.",
    "1": "The black-and-white (1-bit) image was converted to RGB.",
    "L": "The greyscale image was converted to RGB (three equal channels).",
}


def bytes_per_pixel(mode: str) -> int:
    """How many bytes Pillow keeps per pixel in ``mode`` (multi-band images are stored 4 bytes a pixel)."""
    if mode in {"1", "L", "P"}:
        return 1
    if mode.startswith("I;16"):
        return 2
    return 4


def reduce_factor(size: tuple[int, int], max_side: int) -> int:
    """The whole factor that shrinks ``size`` towards ``max_side`` without going below it."""
    return max(1, max(size) // max_side)


def to_rgb(image: Image.Image, factor: int, notes: list[str]) -> Image.Image:
    """``image`` (loaded, any mode) as 8-bit RGB, shrunk ``factor`` times; what was changed goes into ``notes``."""
    if image.mode == "RGB" and factor == 1:
        return image
    convert, note = _converter(image, notes)
    rows = max(factor, STRIP_PIXELS // max(1, image.width) // factor * factor)
    out = Image.new("RGB", (-(-image.width // factor), -(-image.height // factor)))
    for top, strip in _strips(image, rows):
        piece = convert(strip)
        out.paste(piece.reduce(factor) if factor > 1 else piece, (0, top // factor))
    if note is not None:
        notes.append(note())
    return out


def _strips(image: Image.Image, rows: int) -> Iterator[tuple[int, Image.Image]]:
    for top in range(0, image.height, rows):
        yield top, image.crop((0, top, image.width, min(image.height, top + rows)))


Converter = Callable[[Image.Image], Image.Image]


def _converter(image: Image.Image, notes: list[str]) -> tuple[Converter, Callable[[], str] | None]:
    """How to turn one strip into RGB, and (when it depends on every strip) how to word the note afterwards."""
    mode = image.mode
    if mode == "RGB":
        return (lambda strip: strip), None
    if mode in _ALPHA_MODES or (mode == "P" and "transparency" in image.info):
        alpha = _AlphaLow()
        return alpha.composite, alpha.note
    if mode.startswith("I") or mode == "F":
        scale = _HighDepth.measure(image, STRIP_PIXELS)
        notes.append(scale.note)
        return scale.convert, None
    notes.append(_SIMPLE_NOTES.get(mode, f"The {mode} image was converted to RGB."))
    return (lambda strip: strip.convert("RGB")), None


class _AlphaLow:
    """Composites strips onto white and remembers the lowest alpha seen, to say what was done."""

    def __init__(self) -> None:
        self.lowest = 255

    def composite(self, strip: Image.Image) -> Image.Image:
        rgba = strip.convert("RGBA")
        low = rgba.getchannel("A").getextrema()[0]
        self.lowest = min(self.lowest, int(low) if isinstance(low, (int, float)) else 255)
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")

    def note(self) -> str:
        if self.lowest < 255:
            return "Transparent areas were filled with white (the alpha channel was dropped)."
        return "The alpha channel (fully opaque) was dropped."


@dataclass(frozen=True)
class _HighDepth:
    """16-bit, 32-bit integer and float greyscale scaled honestly into 0..255: ``(value - offset) * gain``."""

    offset: float
    gain: float
    note: str

    @classmethod
    def measure(cls, image: Image.Image, strip_pixels: int) -> _HighDepth:
        """Find the finite range strip by strip (float32), then choose the scaling and its sentence."""
        low, high = np.inf, -np.inf
        for _, strip in _strips(image, max(1, strip_pixels // max(1, image.width))):
            values = np.asarray(strip, dtype=np.float32)
            finite = values if np.isfinite(values).all() else values[np.isfinite(values)]
            if finite.size:
                low, high = min(low, float(finite.min())), max(high, float(finite.max()))
        if low > high:
            low = high = 0.0
        if image.mode == "F" and low >= 0.0 and high <= 1.0:
            offset, gain, how = 0.0, 255.0, "its 0..1 values were scaled to 0..255"
        elif image.mode != "F" and low >= 0 and high <= 65535:
            offset, gain, how = 0.0, 1 / 257.0, "it was reduced from 16 to 8 bits per pixel"
        else:
            offset, gain = low, 255.0 / ((high - low) or 1.0)
            how = f"its values {low:g}..{high:g} were stretched to 0..255"
        depth = "floating-point" if image.mode == "F" else "high-bit-depth"
        return cls(offset, gain, f"The {depth} greyscale image was converted to 8-bit RGB: {how}.")

    def convert(self, strip: Image.Image) -> Image.Image:
        values = np.array(strip, dtype=np.float32)
        values -= np.float32(self.offset)
        values *= np.float32(self.gain)
        np.nan_to_num(values, copy=False)
        np.clip(values, 0, 255, out=values)
        return Image.fromarray(np.rint(values, out=values).astype(np.uint8), mode="L").convert("RGB")
