"""'Export this view': a page's pictures with their titles, the photo and the settings, as a print-resolution PNG.

The sheet is as wide as A4 landscape at 300 dpi (3508 px, 29.7 cm) and as tall as its content: a title,
then the photo and the panels in rows of up to three (each with its title above it), then the settings
written under them. Text uses the TrueType font that ships inside Pillow (a runtime dependency), so the
export looks the same on any machine, with or without system fonts.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from explorer.errors import ExplorerError

DPI = 300
SHEET_WIDTH = 3508
"""A4 landscape width at 300 dpi, in pixels."""
MARGIN = 118
"""1 cm at 300 dpi."""
GAP = 80
COLUMNS = 3
TITLE_SIZE, PANEL_TITLE_SIZE, TEXT_SIZE = 84, 56, 48
"""Font sizes in pixels: 20 pt, 13 pt and 11.5 pt when printed at 300 dpi."""
INK, FAINT, BACKGROUND = (20, 20, 20), (90, 90, 90), (255, 255, 255)
PIXEL_ART = 3
"""A picture enlarged more than this many times is scaled with nearest neighbour, so its cells stay sharp."""

Box = tuple[int, int, int, int]
"""(left, top, right, bottom) in pixels of the sheet, right and bottom exclusive."""
Picture = np.ndarray | bytes | Image.Image


@dataclass(frozen=True, eq=False)
class Panel:
    """One picture of a page with the title written above it."""

    title: str
    picture: Picture


@dataclass(frozen=True)
class ExportedView:
    """The PNG bytes of the sheet and where each part was drawn (for checks and for a person's curiosity)."""

    png: bytes
    size: tuple[int, int]
    boxes: dict[str, Box]


@lru_cache(maxsize=8)
def font(size: int) -> ImageFont.FreeTypeFont:
    """Pillow's bundled TrueType font at ``size`` pixels (no system font needed)."""
    loaded = ImageFont.load_default(size)
    if not isinstance(loaded, ImageFont.FreeTypeFont):
        raise ExplorerError("Pillow was built without FreeType, so text cannot be drawn at print size.")
    return loaded


def as_image(picture: Picture) -> Image.Image:
    """A panel's picture (uint8 RGB or grey array, PNG/JPEG bytes, or a PIL image) as an RGB image."""
    if isinstance(picture, Image.Image):
        return picture.convert("RGB")
    if isinstance(picture, bytes):
        try:
            with Image.open(io.BytesIO(picture)) as opened:
                return opened.convert("RGB")
        except OSError as error:
            raise ExplorerError("A picture to export is not a readable PNG or JPEG.") from error
    array = np.asarray(picture)
    if array.dtype != np.uint8 or array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (1, 3)):
        raise ExplorerError("A picture to export must be an H x W (grey) or H x W x 3 (RGB) array of 0..255 values.")
    return Image.fromarray(array[:, :, 0] if array.ndim == 3 and array.shape[2] == 1 else array).convert("RGB")


def fit(image: Image.Image, width: int, height: int) -> Image.Image:
    """``image`` scaled to fit inside width x height, keeping its shape; small grids stay blocky."""
    scale = min(width / image.width, height / image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    method = Image.Resampling.NEAREST if scale > PIXEL_ART else Image.Resampling.LANCZOS
    return image.resize(size, method)


def wrap(text: str, size: int, width: int) -> list[str]:
    """``text`` broken into lines no wider than ``width`` pixels at font ``size`` (words kept whole)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and font(size).getlength(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def settings_text(settings: Mapping[str, object]) -> str:
    """The settings as one line of 'name: value' pairs, in the order given."""
    return "     ".join(f"{name}: {value}" for name, value in settings.items())


def _text_height(lines: Sequence[str], size: int) -> int:
    return round(len(lines) * size * 1.3)


def _draw_lines(draw: ImageDraw.ImageDraw, lines: Sequence[str], left: int, top: int, size: int, fill: tuple) -> None:
    for number, line in enumerate(lines):
        draw.text((left, top + round(number * size * 1.3)), line, font=font(size), fill=fill)


def export_view(
    panels: Sequence[Panel],
    settings: Mapping[str, object],
    title: str,
    photo: Picture | None = None,
    width: int = SHEET_WIDTH,
) -> ExportedView:
    """The sheet: ``title``, the photo (if given) and each panel under its title, then the settings.

    Box names: "title", "settings", and for each picture "panel N" and "panel N title" (the photo, when
    given, is panel 0, titled "The photo (W x H)").
    """
    items = list(panels)
    if photo is not None:
        shown = as_image(photo)
        items.insert(0, Panel(f"The photo ({shown.width} x {shown.height})", shown))
    if not items:
        raise ExplorerError("There is nothing to export: the view has no pictures.")
    inner = width - 2 * MARGIN
    columns = min(COLUMNS, len(items))
    cell = (inner - (columns - 1) * GAP) // columns
    pictures = [fit(as_image(item.picture), cell, round(cell * 0.8)) for item in items]
    titles = [wrap(item.title, PANEL_TITLE_SIZE, cell) for item in items]
    title_lines = wrap(title, TITLE_SIZE, inner)
    settings_lines = wrap("Settings:  " + settings_text(settings), TEXT_SIZE, inner)
    boxes: dict[str, Box] = {}
    placements: list[tuple[int, int, int]] = []
    top = MARGIN + _text_height(title_lines, TITLE_SIZE) + GAP // 2
    boxes["title"] = (MARGIN, MARGIN, width - MARGIN, top - GAP // 2)
    for start in range(0, len(items), columns):
        row = range(start, min(start + columns, len(items)))
        heading = max(_text_height(titles[i], PANEL_TITLE_SIZE) for i in row)
        tallest = max(pictures[i].height for i in row)
        for column, index in enumerate(row):
            left = MARGIN + column * (cell + GAP)
            boxes[f"panel {index} title"] = (left, top, left + cell, top + heading)
            picture_top = top + heading + 12
            boxes[f"panel {index}"] = (
                left,
                picture_top,
                left + pictures[index].width,
                picture_top + pictures[index].height,
            )
            placements.append((index, left, top))
        top += heading + 12 + tallest + GAP
    boxes["settings"] = (MARGIN, top, width - MARGIN, top + _text_height(settings_lines, TEXT_SIZE))
    sheet = Image.new("RGB", (width, boxes["settings"][3] + MARGIN), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    _draw_lines(draw, title_lines, MARGIN, MARGIN, TITLE_SIZE, INK)
    for index, left, row_top in placements:
        _draw_lines(draw, titles[index], left, row_top, PANEL_TITLE_SIZE, INK)
        box = boxes[f"panel {index}"]
        sheet.paste(pictures[index], box[:2])
    _draw_lines(draw, settings_lines, MARGIN, boxes["settings"][1], TEXT_SIZE, FAINT)
    buffer = io.BytesIO()
    sheet.save(buffer, format="PNG", dpi=(DPI, DPI), optimize=False)
    return ExportedView(buffer.getvalue(), sheet.size, boxes)
