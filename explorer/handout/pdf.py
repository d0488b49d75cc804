"""The lesson laid out as an A4 PDF with fpdf2: five pages, each a few pictures and plain sentences.

Text uses the PDF's built-in Helvetica and Courier (every reader has them, nothing is embedded), so the
text stays sharp and searchable; photos go in as JPEG and pixel pictures (feature maps, tables) as PNG.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import numpy as np
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image

from explorer.handout.lesson import KernelPart, Lesson
from explorer.handout.sentences import (
    cam_sentence,
    feature_sentence,
    kernel_sentence,
    number,
    pooling_sentence,
    prediction_sentence,
    sanity_sentence,
    step_sentence,
    sum_line,
)
from explorer.kernels.whole import whole_numbers

WIDTH, MARGIN = 210.0, 15.0
TEXT_WIDTH = WIDTH - 2 * MARGIN
ROW = 6.5
"""Height in mm of one row of a number table."""
INK, FAINT, BAR = (20, 20, 20), (100, 100, 100), (59, 110, 168)


class _Document(FPDF):
    """A4 portrait, built-in fonts, a page footer."""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(*FAINT)
        self.cell(0, 5, f"CNN Explorer lesson - page {self.page_no()} of {{nb}}", align="C")


def latin1(text: str) -> str:
    """``text`` with anything outside Latin-1 (which the built-in PDF fonts cannot show) replaced by '?'."""
    return text.encode("latin-1", "replace").decode("latin-1")


def _write(pdf: FPDF, text: str, size: float, style: str = "", mono: bool = False, gap: float = 1.5) -> None:
    """A paragraph across the text width, then a small gap."""
    pdf.set_font("Courier" if mono else "Helvetica", style, size)
    pdf.set_text_color(*INK)
    pdf.set_x(MARGIN)
    pdf.multi_cell(TEXT_WIDTH, size * 0.5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(gap)


def _picture(pdf: FPDF, picture: np.ndarray, x: float, y: float, width: float, photo: bool = True) -> float:
    """Place ``picture`` ``width`` mm wide at (x, y); return its height in mm. Photos go in as JPEG."""
    image = Image.fromarray(picture)
    if photo:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=90)
        buffer.seek(0)
        pdf.image(buffer, x=x, y=y, w=width)
    else:
        pdf.image(image, x=x, y=y, w=width)
    return width * picture.shape[0] / picture.shape[1]


def _line_count(pdf: FPDF, text: str, width: float) -> int:
    """How many 4.5 mm lines ``text`` takes in a column ``width`` mm wide, in the current font."""
    return len(pdf.multi_cell(width, 4.5, latin1(text), dry_run=True, output="LINES"))  # type: ignore[arg-type]


def _side_by_side(
    pdf: FPDF, pictures: Sequence[tuple[str, np.ndarray]], height: float, photo: bool = True, gap: float = 6.0
) -> None:
    """Captioned pictures in one row at the same height (narrower if the row would be too wide)."""
    ratios = [picture.shape[1] / picture.shape[0] for _, picture in pictures]
    height = min(height, (TEXT_WIDTH - gap * (len(pictures) - 1)) / sum(ratios))
    pdf.set_font("Helvetica", "B", 9.5)
    lines = max(_line_count(pdf, caption, height * ratio) for (caption, _), ratio in zip(pictures, ratios))
    y, x = pdf.get_y(), MARGIN
    for (caption, picture), ratio in zip(pictures, ratios):
        pdf.set_xy(x, y)
        pdf.multi_cell(height * ratio, 4.5, latin1(caption), align="L")
        _picture(pdf, picture, x, y + 4.5 * lines + 1, height * ratio, photo)
        x += height * ratio + gap
    pdf.set_xy(MARGIN, y + 4.5 * lines + 1 + height + 3)


def _table(pdf: FPDF, values: np.ndarray, x: float, y: float, title: str, cell: float = 15.0) -> float:
    """A small table of numbers with a title above it, at (x, y); returns the width used in mm."""
    rows, columns = values.shape
    pdf.set_xy(x, y)
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(columns * cell, 5, latin1(title))
    pdf.set_font("Helvetica", "", 8.5 if cell < 12 else 9.5)
    for r in range(rows):
        pdf.set_xy(x, y + 6 + r * ROW)
        for c in range(columns):
            pdf.cell(cell, ROW, number(float(values[r, c])), border=1, align="C")
    return columns * cell


def _tables(pdf: FPDF, tables: Sequence[tuple[np.ndarray, str]], gap: float = 8.0) -> None:
    """Tables in one row, then the cursor below the tallest."""
    y, x = pdf.get_y() + 1, MARGIN
    for values, title in tables:
        x += _table(pdf, values, x, y, title) + gap
    pdf.set_xy(MARGIN, y + 6 + max(values.shape[0] for values, _ in tables) * ROW + 4)


def _kernel(pdf: FPDF, part: KernelPart, lesson: Lesson) -> None:
    _write(pdf, f"{part.kernel.name}: {part.kernel.explanation}", 12, "B", gap=1)
    scale, grid = whole_numbers(part.kernel.arrays()[0])
    y = pdf.get_y() + 1
    cell = 7.0 if max(part.kernel.shape) > 3 else 8.0
    left = MARGIN + _table(pdf, grid, MARGIN, y, f"weights x 1/{scale}" if scale > 1 else "weights", cell) + 6
    width = min((WIDTH - MARGIN - left - 6) / 2, 52 * lesson.photo.shape[1] / lesson.photo.shape[0])
    pdf.set_font("Helvetica", "B", 9)
    captions = (f"before ({lesson.photo_size[0]} x {lesson.photo_size[1]})", "after ({} x {}, {})")
    pdf.set_xy(left, y)
    pdf.cell(width, 5, latin1(captions[0]))
    pdf.set_xy(left + width + 6, y)
    pdf.cell(width, 5, latin1(captions[1].format(*part.output_size, part.display)))
    height = _picture(pdf, lesson.photo, left, y + 6, width)
    _picture(pdf, part.output, left + width + 6, y + 6, width)
    pdf.set_xy(MARGIN, y + 6 + max(height, part.kernel.shape[0] * ROW) + 3)
    _write(pdf, kernel_sentence(part, lesson.photo_size), 10.5)
    _write(pdf, "\n".join(part.formulas), 8.5, mono=True, gap=4)


def _photo_page(pdf: FPDF, lesson: Lesson) -> None:
    width, height = lesson.photo_size
    _write(pdf, f"The photo, {width} x {height} pixels, explored with {lesson.model_title}.", 11)
    shown_width = min(TEXT_WIDTH, 140 * lesson.photo.shape[1] / lesson.photo.shape[0])
    shown = _picture(pdf, lesson.photo, MARGIN + (TEXT_WIDTH - shown_width) / 2, pdf.get_y() + 2, shown_width)
    pdf.set_y(pdf.get_y() + shown + 8)
    _write(
        pdf,
        "A convolutional neural network (CNN) turns a photo into a guess, one small sliding grid at a time. "
        "Each page follows this very photo one step further; every number was computed, not made up.",
        11,
        gap=4,
    )
    _write(pdf, "In this hand-out", 12, "B")
    _write(pdf, "\n".join(f"Page {n}: {title}" for n, title in enumerate(PAGE_TITLES[1:], start=2)), 11)


def _kernels_page(pdf: FPDF, lesson: Lesson) -> None:
    for part in lesson.kernels:
        _kernel(pdf, part, lesson)


def _step_page(pdf: FPDF, lesson: Lesson) -> None:
    step, pooling = lesson.step, lesson.pooling
    _write(pdf, f"Sobel-x at output row {step.row}, column {step.col}", 12, "B", gap=1)
    _tables(
        pdf,
        [
            (step.patches[0], "pixels under the kernel"),
            (step.weights[0], "weights (as written)"),
            (step.products[0], "products"),
        ],
    )
    _write(pdf, sum_line(step), 9, mono=True)
    _write(pdf, step_sentence(step), 10.5)
    _side_by_side(
        pdf,
        [("Where: the grey photo around that pixel, the 3x3 window in red", lesson.step_window)],
        55,
        photo=False,
    )
    _write(pdf, "Pooling: 2x2 windows, stride 2", 12, "B", gap=1)
    _tables(
        pdf,
        [
            (pooling.block, "|Sobel-x| values, 4x4"),
            (pooling.maximum, "max pooling"),
            (pooling.average, "average pooling"),
        ],
    )
    _write(pdf, pooling_sentence(pooling), 10.5)
    _side_by_side(
        pdf, [(f"The max-pooled edge picture ({pooling.size_after[0]} x {pooling.size_after[1]})", pooling.picture)], 45
    )


def _network_page(pdf: FPDF, lesson: Lesson) -> None:
    _write(pdf, prediction_sentence(lesson), 10.5)
    y = pdf.get_y()
    label_width, bar_width = 55.0, TEXT_WIDTH - 75.0
    pdf.set_font("Helvetica", "", 10)
    pdf.set_fill_color(*BAR)
    for rank, prediction in enumerate(lesson.predictions):
        top = y + rank * 7
        pdf.set_xy(MARGIN, top)
        pdf.cell(label_width, 6, latin1(f"{rank + 1}. {prediction.label}"))
        pdf.rect(MARGIN + label_width, top + 1, max(0.5, bar_width * prediction.prob), 4.5, style="F")
        pdf.set_xy(MARGIN + label_width + bar_width * prediction.prob + 2, top)
        pdf.cell(18, 6, f"{prediction.prob:.1%}")
    pdf.set_xy(MARGIN, y + len(lesson.predictions) * 7 + 3)
    for part in lesson.features:
        _write(pdf, f"{part.stage.capitalize()} layer: {part.layer.name}", 12, "B", gap=0.5)
        _write(pdf, feature_sentence(part), 9.5, gap=1)
        height = min(TEXT_WIDTH * part.grid.shape[0] / part.grid.shape[1], 48.0)
        width = height * part.grid.shape[1] / part.grid.shape[0]
        _picture(pdf, part.grid, MARGIN, pdf.get_y(), width, photo=False)
        pdf.set_y(pdf.get_y() + height + 3)


def _cam_page(pdf: FPDF, lesson: Lesson) -> None:
    top, wrong, random = lesson.top_cam, lesson.wrong_cam, lesson.random_cam
    _write(pdf, cam_sentence(lesson), 10.5)
    _side_by_side(
        pdf,
        [
            (f"Top class: {top.label} ({top.probability:.1%})", top.overlay),
            (f"Another class: {wrong.label} ({wrong.probability:.1%})", wrong.overlay),
        ],
        70,
    )
    _write(
        pdf,
        f"Red = raised the class score most, blue = not at all. Layer {lesson.cam_layer}, method Grad-CAM.",
        9.5,
        gap=5,
    )
    _write(pdf, "Sanity check: does the map depend on what the network learned?", 12, "B", gap=1)
    _write(pdf, sanity_sentence(lesson), 10.5)
    _side_by_side(
        pdf, [(f"Trained network: {top.label}", top.overlay), (f"Random weights: {top.label}", random.overlay)], 70
    )
    _write(
        pdf, f"Similarity of the two maps (correlation, 1 = alike, 0 = unrelated): {lesson.similarity:+.2f}", 11, "B"
    )


PAGES: tuple[tuple[str, Callable[[FPDF, Lesson], None]], ...] = (
    ("How a CNN sees this photo", _photo_page),
    ("Kernels: one small grid of weights, slid over the photo", _kernels_page),
    ("One output pixel by hand, then pooling", _step_page),
    ("What the network predicts, and what it saw on the way", _network_page),
    ("Grad-CAM: where the network looked, and a sanity check", _cam_page),
)
"""The pages in order, each (title, how it is drawn): the PDF has exactly this many pages."""
PAGE_TITLES = tuple(title for title, _ in PAGES)


def lesson_pdf(lesson: Lesson) -> bytes:
    """The lesson as PDF bytes: one A4 page per entry of ``PAGES``."""
    pdf = _Document(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False)
    pdf.set_title("CNN Explorer lesson")
    pdf.set_creator("CNN Explorer")
    for title, draw in PAGES:
        pdf.add_page()
        _write(pdf, title, 17, "B", gap=2)
        draw(pdf, lesson)
    return bytes(pdf.output())
