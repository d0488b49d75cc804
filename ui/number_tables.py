"""Grids of numbers drawn as HTML tables: kernels, the step-by-step windows and products, pooling, quiz tables.

A kernel, a patch of pixels or a block of products is a table of numbers, and a browser lays out a table
in a millisecond or two, where a Plotly heatmap takes 20-40 ms to draw on a slow laptop core. The Kernel
lab redraws about ten of them on every preset or stride change: as Plotly charts they made that click take
about 0.6 s in Chromium on the 2-core test machine, 0.3 s of it drawing charts. As tables the numbers also
stay sharp when zoomed, can be selected and copied, and are read out by a screen reader.

Colours are those the heatmaps used: pixels in grey from black (0) to white (255); signed numbers on a
diverging blue-white-red scale with white at zero (``RdBu`` reversed, never a red-green pair). Each cell's
number is written in black or white, whichever reads better on its colour, and its row, column and value
are in its tooltip. Every text that comes from elsewhere (a title, a kernel's name) is escaped.
"""

from __future__ import annotations

import html

import numpy as np
import streamlit as st
from plotly.colors import sample_colorscale

from ui.charts import number_text
from ui.present import presenting

NUMBERS_UP_TO = 15 * 15
"""A grid with more cells than this shows colours only; each cell's number is still in its tooltip."""
CELL_PX = ((5, 20), (9, 16), (None, 11))
"""The size of the numbers by the grid's width: up to 5 columns, up to 9, wider (a 15x15 kernel fits its column)."""
PRESENT_CELL_PX = ((5, 28), (9, 24), (None, 17))
"""The same while presenting: at least the projector's 24 px, and half again the small size for wide grids."""
COLOUR_CELL_PX = 16
"""A colour-only table's cells are ``MIN_CELL_EM`` of this (no number to fit), smaller where its column is."""
TITLE_PX, PRESENT_TITLE_PX = 18, 28
MIN_CELL_EM = 1.9
"""The narrowest cell, in ems of its numbers: a one-digit cell is still a square you can point at."""
HIGHLIGHT = "#ffbf00"
"""The kernel's window and the current output cell are outlined in amber, as on the input photo."""
BLANK = "#eeeeee"
"""Cells not computed yet (the output region during the step-by-step)."""
TABLE_CSS = f"""<style>
.number-table {{ container-type: inline-size; margin-bottom: 0.75rem; }}
.number-table table {{ border-collapse: collapse; margin: 0 auto; font-variant-numeric: tabular-nums; }}
.number-table .number-table-title {{ text-align: center; font-weight: 600; line-height: 1.25;
  padding-bottom: 0.35rem; }}
[data-testid="stMain"] .number-table table td {{ font-size: inherit; border: 1px solid transparent; text-align: center;
  padding: 0.2em 0.35em; min-width: {MIN_CELL_EM}em; height: {MIN_CELL_EM}em; line-height: 1.1; white-space: nowrap; }}
</style>"""
"""A cell's numbers take the table's size (set per table to fit its column), also while presenting."""


def _colours(values: np.ndarray, signed: bool) -> list[str]:
    """Each value's cell colour, row by row: grey 0..255 for pixels, blue-white-red around zero otherwise."""
    flat = np.nan_to_num(values.astype(np.float64).ravel(), nan=0.0)
    if signed:
        limit = float(np.max(np.abs(flat))) if flat.size else 0.0
        positions = (flat / (limit or 1.0) + 1.0) / 2.0
        return sample_colorscale("RdBu_r", np.clip(positions, 0.0, 1.0).tolist())
    grey = np.clip(np.round(flat), 0, 255).astype(int)
    return [f"rgb({g}, {g}, {g})" for g in grey]


def _ink(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (an ``rgb(r, g, b)`` string)."""
    red, green, blue = (float(part) for part in colour[colour.index("(") + 1 : -1].split(","))
    return "#111111" if 0.299 * red + 0.587 * green + 0.114 * blue > 140 else "#ffffff"


def _edges(row: int, col: int, box: tuple[int, int, int, int] | None) -> str:
    """The amber outline of ``box`` (top, left, bottom, right) on the cell at ``row``, ``col``."""
    if box is None:
        return ""
    top, left, bottom, right = box
    if not (top <= row <= bottom and left <= col <= right):
        return ""
    line = f"4px solid {HIGHLIGHT}"
    sides = [("top", row == top), ("bottom", row == bottom), ("left", col == left), ("right", col == right)]
    return "".join(f"border-{side}:{line};" for side, on in sides if on)


def number_table(
    values: np.ndarray,
    title: str,
    signed: bool = True,
    highlight: tuple[int, int, int, int] | None = None,
    blank: np.ndarray | None = None,
    name: str = "",
) -> str:
    """An HTML table of ``values`` (rows top to bottom) with ``title`` above it.

    ``signed`` picks the diverging scale (else grey 0..255); ``highlight`` outlines the cells from (top, left)
    to (bottom, right); ``blank`` hides cells not yet computed; ``name`` marks the table for tests.
    """
    rows, cols = values.shape
    present = presenting()
    cell_px = next(px for most, px in (PRESENT_CELL_PX if present else CELL_PX) if most is None or cols <= most)
    written = rows * cols <= NUMBERS_UP_TO
    missing = np.isnan(values)
    hidden = missing if blank is None else np.asarray(blank, bool) | missing
    colours = iter(_colours(np.where(missing, 0.0, values), signed))  # blank cells count: the scale stays put
    body, longest = [], 0
    for row in range(rows):
        cells = []
        for col in range(cols):
            colour, edge = next(colours), _edges(row, col, highlight)
            if hidden[row, col]:
                cells.append(f'<td style="background:{BLANK};{edge}"></td>')
                continue
            text = number_text(float(values[row, col]))
            tip = f"row {row}, col {col}: {text}"
            shown = text if written else ""
            longest = max(longest, len(shown))
            cells.append(f'<td title="{tip}" style="background:{colour};color:{_ink(colour)};{edge}">{shown}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return _framed(title, name, _sized_table(cell_px, cols, longest), body, present)


def colour_table(window: np.ndarray, title: str, highlight: tuple[int, int, int, int], name: str = "") -> str:
    """An HTML table of RGB pixels (rows x cols x 3, 0..255), each cell its colour, the window outlined."""
    pixels = np.clip(np.round(window), 0, 255).astype(int)
    body = []
    for row in range(pixels.shape[0]):
        cells = []
        for col in range(pixels.shape[1]):
            red, green, blue = (int(v) for v in pixels[row, col])
            edge = _edges(row, col, highlight)
            tip = f"row {row}, col {col}: R {red}, G {green}, B {blue}"
            cells.append(f'<td title="{tip}" style="background:rgb({red}, {green}, {blue});{edge}"></td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return _framed(title, name, _sized_table(COLOUR_CELL_PX, pixels.shape[1], 0), body, presenting())


def _sized_table(cell_px: int, cols: int, longest: int) -> str:
    """A table tag whose numbers are ``cell_px`` high, or smaller where that many columns would not fit the
    page's column (as a chart shrinks to fit): a cell is about 0.45 em per character plus its padding."""
    cell_em = max(MIN_CELL_EM, 0.45 * longest + 0.8) + 0.1
    return f'<table style="font-size:min({cell_px}px, calc(100cqw / {cols * cell_em:.2f}))"'


def _framed(title: str, name: str, table: str, rows: list[str], present: bool) -> str:
    """The title above the table (a caption would wrap at the table's width), the rows inside it."""
    marker = f' data-grid="{html.escape(name)}"' if name else ""
    title_px = PRESENT_TITLE_PX if present else TITLE_PX
    return (
        f'<div class="number-table"{marker}><div class="number-table-title" style="font-size:{title_px}px">'
        f'{html.escape(title)}</div>{table} aria-label="{html.escape(title)}"><tbody>{"".join(rows)}</tbody>'
        "</table></div>"
    )


def show_table(table: str, where=st) -> None:
    """Draw a table from ``number_table`` or ``colour_table`` in ``where`` (a column, a container)."""
    where.html(TABLE_CSS + table)
