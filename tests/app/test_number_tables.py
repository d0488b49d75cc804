"""Tables of numbers (``ui.number_tables``): the numbers a student reads are the values, the colours say
the sign, the amber box sits where the window is, and no title can inject markup."""

from __future__ import annotations

import re

import numpy as np

from tests.app.conftest import GridReader
from ui.number_tables import NUMBERS_UP_TO, colour_table, number_table


def read(table: str):
    reader = GridReader()
    reader.feed(table)
    (grid,) = reader.grids.values()
    return grid


def backgrounds(table: str) -> list[str]:
    return re.findall(r"background:(rgb\([^)]*\)|#[0-9a-f]+)", table)


def test_every_cell_reads_back_as_its_value_to_two_decimals():
    values = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.125, 2.0], [255.0, -0.5, 1e-12]])
    grid = read(number_table(values, "sobel x kernel (3x3)", name="k"))
    assert grid.title == "sobel x kernel (3x3)"
    assert grid.cells == [["-1", "0", "1"], ["-2", "0.12", "2"], ["255", "-0.50", "0"]]


def test_signed_numbers_are_blue_below_zero_white_at_zero_red_above_and_pixels_grey():
    blue, white, red = backgrounds(number_table(np.array([[-3.0, 0.0, 3.0]]), "t"))
    assert blue == "rgb(5, 48, 97)" and red == "rgb(103, 0, 31)"  # RdBu's ends, reversed: negative is blue
    assert white == "rgb(247, 247, 247)"
    assert backgrounds(number_table(np.array([[0.0, 128.0, 255.0]]), "t", signed=False)) == [
        "rgb(0, 0, 0)",
        "rgb(128, 128, 128)",
        "rgb(255, 255, 255)",
    ]


def test_numbers_are_written_in_the_ink_that_reads_on_their_cell():
    table = number_table(np.array([[0.0, 255.0]]), "t", signed=False)
    assert re.findall(r"color:(#[0-9a-f]+)", table) == ["#ffffff", "#111111"]  # white on black, black on white


def test_the_window_is_outlined_on_its_edge_cells_only():
    table = number_table(np.zeros((4, 4)), "t", highlight=(1, 1, 2, 2))
    cells = re.findall(r"<td[^>]*>", table)
    outlined = [index for index, cell in enumerate(cells) if "border-" in cell]
    assert outlined == [5, 6, 9, 10]  # rows 1-2, columns 1-2 of a 4x4 grid
    assert "border-top" in cells[5] and "border-left" in cells[5] and "border-bottom" not in cells[5]
    assert "border-bottom" in cells[10] and "border-right" in cells[10] and "border-top" not in cells[10]


def test_cells_not_computed_yet_are_blank():
    grid = read(
        number_table(np.arange(4.0).reshape(2, 2), "t", blank=np.array([[False, True], [True, True]]), name="o")
    )
    assert grid.cells == [
        [
            "0",
            "",
        ],
        ["", ""],
    ]


def test_a_cells_colour_stays_put_while_the_steps_reveal_the_others():
    """The output region fills cell by cell: its scale is set by every value, shown or not yet, so a cell
    does not change colour when a larger one appears."""
    values = np.array([[10.0, -40.0, 25.0]])
    colours = [backgrounds(number_table(values, "t", blank=np.arange(3) > shown))[0] for shown in range(3)]
    assert colours[0] == colours[1] == colours[2] == backgrounds(number_table(values, "t"))[0]


def test_a_grid_too_big_to_read_shows_colours_and_keeps_each_number_in_its_tooltip():
    side = int(np.sqrt(NUMBERS_UP_TO)) + 1
    table = number_table(np.full((side, side), 7.0), "t", name="big")
    assert all(cell == "" for row in read(table).cells for cell in row)
    assert table.count('title="row ') == side * side and 'title="row 0, col 1: 7"' in table


def test_a_title_with_markup_is_shown_as_text():
    title = '<img src=x onerror="alert(1)"> & <b>bold</b>'
    for table in (
        number_table(np.zeros((2, 2)), title, name="x"),
        colour_table(np.zeros((2, 2, 3)), title, (0, 0, 0, 0)),
    ):
        assert "<img" not in table and "<b>" not in table
        assert read(table).title == title if "data-grid" in table else "&lt;img" in table
