"""Small files that decode to huge images, written by hand (never committed): what a hostile visitor uploads.

Each writer streams its rows through zlib, so making a 100-megapixel file costs this process a few
megabytes, not the hundreds of megabytes its pixels take once decoded.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from explorer.images import SAMPLES_DIR


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def write_png(path: Path, width: int, height: int, depth: int, colour_type: int, first_row: bytes) -> Path:
    """A PNG whose first row is ``first_row`` (raw samples) and every later row repeats it (filter "Up": all zeros)."""
    compressor = zlib.compressobj(9)
    body = [compressor.compress(b"\x00" + first_row)]
    up_row = b"\x02" + bytes(len(first_row))
    body += [compressor.compress(up_row) for _ in range(height - 1)]
    body.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", b"".join(body)) + png_chunk(b"IEND", b"")
    )
    return path


def grey16_png(path: Path, side: int = 9950) -> Path:
    """A 16-bit greyscale PNG of side x side pixels: a ramp across, repeated down (about 200 KB)."""
    ramp = np.linspace(0, 65535, side).astype(">u2").tobytes()
    return write_png(path, side, side, 16, 0, ramp)


def rgba_png(path: Path, width: int, height: int) -> Path:
    """An 8-bit RGBA PNG: a colour ramp with a transparency ramp, repeated down every row."""
    x = np.linspace(0, 255, width).astype(np.uint8)
    row = np.stack([x, 255 - x, np.full_like(x, 90), x], axis=-1)
    return write_png(path, width, height, 8, 6, row.tobytes())


def float_tiff(path: Path, side: int = 8000, rows_per_strip: int = 500) -> Path:
    """A deflate-compressed float32 greyscale TIFF of side x side pixels with values in 0..1 (a ramp across)."""
    row = np.linspace(0.0, 1.0, side, dtype="<f4").tobytes()
    strip = zlib.compress(row * rows_per_strip, 9)
    strips = -(-side // rows_per_strip)
    last_rows = side - (strips - 1) * rows_per_strip
    last = zlib.compress(row * last_rows, 9)
    entries = 10
    ifd_size = 2 + entries * 12 + 4
    offsets_at = 8 + ifd_size
    counts_at = offsets_at + 4 * strips
    data_at = counts_at + 4 * strips
    offsets = [data_at + i * len(strip) for i in range(strips)]
    counts = [len(strip)] * (strips - 1) + [len(last)]

    def tag(code: int, kind: int, count: int, value: int) -> bytes:
        packed = struct.pack("<H", value) + b"\0\0" if kind == 3 else struct.pack("<I", value)
        return struct.pack("<HHI", code, kind, count) + packed

    short, long_ = 3, 4
    ifd = struct.pack("<H", entries) + b"".join(
        [
            tag(256, long_, 1, side),  # width
            tag(257, long_, 1, side),  # height
            tag(258, short, 1, 32),  # bits per sample
            tag(259, short, 1, 8),  # deflate
            tag(262, short, 1, 1),  # black is zero
            tag(273, long_, strips, offsets_at),  # strip offsets
            tag(277, short, 1, 1),  # one sample per pixel
            tag(278, long_, 1, rows_per_strip),
            tag(279, long_, strips, counts_at),  # strip byte counts
            tag(339, short, 1, 3),  # IEEE floating point
        ]
    )
    ifd += struct.pack("<I", 0)
    with path.open("wb") as out:
        out.write(b"II*\x00" + struct.pack("<I", 8) + ifd)
        out.write(struct.pack(f"<{strips}I", *offsets) + struct.pack(f"<{strips}I", *counts))
        for _ in range(strips - 1):
            out.write(strip)
        out.write(last)
    return path


def jpeg_12mp(path: Path) -> Path:
    """An ordinary 12-megapixel (4000x3000) phone-sized JPEG: the reference for what an upload may cost."""
    with Image.open(SAMPLES_DIR / "rocket.jpg") as photo:
        big = photo.convert("RGB").resize((4000, 3000))
    buffer = io.BytesIO()
    big.save(buffer, format="JPEG", quality=85)
    path.write_bytes(buffer.getvalue())
    return path
