"""AppTest helpers: open a page of the real app, and count real work (forwards and convolutions).

AppTest runs the app's scripts in this process, so the network the app caches (``ui.models``) is the
very object a test can put a counting hook on; the hook is removed when the test ends.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from explorer.models import DEFAULT_MODEL
from tests.conftest import ROOT

APP = str(ROOT / "app.py")
TIMEOUT = 180
UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
"""CommonMark: a backslash before an ASCII punctuation character stands for that character."""
CODE_SPAN = re.compile(r"(?<![`\\])(`+)(?!`)(.+?)(?<!`)\1(?!`)")
"""CommonMark: a run of backticks (not escaped), then anything, then a run of as many: its content is taken as it is."""


def read_back(markdown: str) -> str:
    """The text CommonMark shows for ``markdown`` made of escapes and code spans (the reference reader of
    what ``ui.errors.literal`` writes)."""
    shown, start = [], 0
    for match in CODE_SPAN.finditer(markdown):
        content = match.group(2)
        if content.startswith(" ") and content.endswith(" ") and content.strip():
            content = content[1:-1]
        shown += [UNESCAPE.sub(r"\1", markdown[start : match.start()]), content]
        start = match.end()
    return "".join([*shown, UNESCAPE.sub(r"\1", markdown[start:])])


def bare_markdown(markdown: str) -> str:
    """What is left of ``markdown`` outside code spans once every escaped character is taken out: any
    Markdown mark still in it would be read as Markdown."""
    return re.sub(r"\\.", "", CODE_SPAN.sub(" ", markdown))


@dataclass
class Grid:
    """A table of numbers as the page drew it: its title and its cells' texts, row by row."""

    title: str
    cells: list[list[str]]

    def numbers(self) -> np.ndarray:
        """The cells as numbers (a blank cell, not computed yet, is NaN)."""
        return np.array([[float(text) if text else np.nan for text in row] for row in self.cells])


class GridReader(HTMLParser):
    """Reads the tables of ``ui.number_tables`` back out of the HTML the page sent."""

    def __init__(self) -> None:
        super().__init__()
        self.grids: dict[str, Grid] = {}
        self._name: str | None = None
        self._where = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "div" and found.get("data-grid"):
            self._name = found["data-grid"]
            self.grids[self._name] = Grid("", [])
        elif self._name is not None and (tag == "td" or found.get("class") == "number-table-title"):
            self._where = tag
            if tag == "td":
                self.grids[self._name].cells[-1].append("")
        elif self._name is not None and tag == "tr":
            self.grids[self._name].cells.append([])

    def handle_endtag(self, tag: str) -> None:
        self._where = "" if tag in ("div", "td") else self._where
        self._name = None if tag == "table" else self._name

    def handle_data(self, data: str) -> None:
        if self._name is None or not self._where:
            return
        grid = self.grids[self._name]
        if self._where == "div":
            grid.title += data
        else:
            grid.cells[-1][-1] += data


def grids(at: AppTest) -> dict[str, Grid]:
    """Every table of numbers on the page (``ui.number_tables``), by the name the page gave it."""
    reader = GridReader()
    for element in at.get("html"):
        reader.feed(element.proto.body)
    return reader.grids


def open_page(page: str | None = None) -> AppTest:
    """A fresh session of the app (its own state), run once, switched to ``page`` (e.g. "views/filters.py")."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    if page is not None:
        at.switch_page(page).run()
    return at


@pytest.fixture
def forwards() -> Iterator[list[int]]:
    """Grows by one for every real forward pass of the app's shared default network (a hook on its last layer)."""
    from ui.models import cached_model

    calls: list[int] = []
    handle = cached_model(DEFAULT_MODEL).module._fc.register_forward_hook(lambda *_: calls.append(1))
    try:
        yield calls
    finally:
        handle.remove()


@pytest.fixture
def convolutions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Grows by one for every real 2-D convolution PyTorch runs while the test lasts (a pass-through spy)."""
    calls: list[int] = []
    real = torch.nn.functional.conv2d

    def counting(*args: object, **kwargs: object) -> torch.Tensor:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(torch.nn.functional, "conv2d", counting)
    return calls
