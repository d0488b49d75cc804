"""'Export this view': a print-resolution PNG with every picture under its title and the settings written under them."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from explorer.drawing import png_bytes
from explorer.errors import ExplorerError
from explorer.handout.export import BACKGROUND, DPI, SHEET_WIDTH, TEXT_SIZE, Panel, export_view, font, settings_text
from explorer.kernels.presets import get_preset

SETTINGS = {"kernel": "sobel_x", "stride": 2, "padding": "same", "model": "EfficientNet-Lite0", "class": "tabby"}


def decode(png: bytes) -> tuple[np.ndarray, dict]:
    with Image.open(io.BytesIO(png)) as opened:
        return np.asarray(opened.convert("RGB")), dict(opened.info)


def inked(sheet: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Share of the box's pixels that are not the white background."""
    left, top, right, bottom = box
    region = sheet[top:bottom, left:right]
    return float(np.mean(np.any(region != np.array(BACKGROUND), axis=2)))


@pytest.fixture(scope="module")
def exported(chelsea):
    photo = chelsea.to_array()
    edges = np.clip(np.abs(np.diff(photo.astype(np.int16), axis=1)), 0, 255).astype(np.uint8)
    kernel = ((get_preset("sobel_x").arrays()[0] + 2) * 60).astype(np.uint8)
    panels = [Panel("Edges (absolute value)", edges), Panel("The kernel", png_bytes(np.dstack([kernel] * 3)))]
    return export_view(panels, SETTINGS, "Kernel lab: sobel_x on chelsea", photo=photo), photo, edges


def test_the_sheet_is_a4_landscape_wide_at_300_dpi(exported):
    view, _, _ = exported
    sheet, info = decode(view.png)
    assert sheet.shape[1] == SHEET_WIDTH == 3508 and sheet.shape[0] == view.size[1]
    assert info["dpi"] == pytest.approx((DPI, DPI), abs=0.01)


def test_every_title_picture_and_the_settings_are_drawn_where_the_layout_says(exported):
    view, _, _ = exported
    sheet, _ = decode(view.png)
    names = ["title", "settings"] + [f"panel {i}{part}" for i in range(3) for part in ("", " title")]
    assert sorted(view.boxes) == sorted(names)
    for name in names:
        share = inked(sheet, view.boxes[name])
        assert share > (0.9 if name.startswith("panel") and "title" not in name else 0.02), name
    pictures = [view.boxes[f"panel {i}"] for i in range(3)]
    assert all(view.boxes[f"panel {i} title"][3] <= pictures[i][1] for i in range(3))  # titles above pictures
    assert view.boxes["settings"][1] >= max(box[3] for box in pictures)  # the settings under them


def test_the_pictures_are_the_photo_and_panels_scaled_up_for_print(exported):
    view, photo, edges = exported
    sheet, _ = decode(view.png)
    for index, source in ((0, photo), (1, edges)):
        left, top, right, bottom = view.boxes[f"panel {index}"]
        assert right - left >= 1000  # a third of the sheet: about 9 cm wide when printed
        shown = np.asarray(Image.fromarray(sheet[top:bottom, left:right]).resize(source.shape[1::-1]), np.float64)
        assert np.abs(shown - source).mean() < 12
    left, top, right, bottom = view.boxes["panel 2"]
    kernel_values = set(((get_preset("sobel_x").arrays()[0] + 2) * 60).astype(np.uint8).flat)
    assert set(np.unique(sheet[top:bottom, left:right])) == kernel_values  # enlarged blocky, no blended edges


def test_the_gaps_between_pictures_stay_blank(exported):
    view, _, _ = exported
    sheet, _ = decode(view.png)
    first, second = view.boxes["panel 0"], view.boxes["panel 1"]
    assert inked(sheet, (first[2] + 5, first[1], second[0] - 5, first[3])) == 0.0


def test_the_settings_are_written_in_order_on_one_line_when_they_fit(exported):
    view, _, _ = exported
    line = "kernel: sobel_x     stride: 2     padding: same     model: EfficientNet-Lite0     class: tabby"
    assert settings_text(SETTINGS) == line
    left, top, right, bottom = view.boxes["settings"]
    assert bottom - top < 100  # one line of 48 px text
    sheet, _ = decode(view.png)
    columns = np.flatnonzero(np.any(sheet[top:bottom, left:right] != np.array(BACKGROUND), axis=(0, 2)))
    drawn = font(TEXT_SIZE).getlength("Settings:  " + line)  # the whole line, drawn once, no wrap
    assert abs((columns[-1] - columns[0]) - drawn) < 0.03 * drawn


def test_a_sheet_without_a_photo_still_lays_out_its_panels():
    view = export_view([Panel("Only", np.zeros((10, 20, 3), np.uint8))], {}, "One panel")
    sheet, _ = decode(view.png)
    assert "panel 0" in view.boxes and inked(sheet, view.boxes["panel 0"]) > 0.99


@pytest.mark.parametrize(
    ("picture", "message"),
    [
        (np.zeros((4, 4, 3), np.float32), "array of 0..255 values"),
        (np.zeros((4, 4, 4), np.uint8), "array of 0..255 values"),
        (b"not a png", "not a readable PNG"),
    ],
)
def test_a_picture_that_cannot_be_drawn_is_one_plain_sentence(picture, message):
    with pytest.raises(ExplorerError, match=message):
        export_view([Panel("Bad", picture)], {}, "Bad")


def test_nothing_to_export_is_said_plainly():
    with pytest.raises(ExplorerError, match="nothing to export"):
        export_view([], {"kernel": "sobel_x"}, "Empty")
