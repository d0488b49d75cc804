"""The Tiny CNN page's Plotly figures: LeNet-5 drawn whole, as textbooks draw it, and one unit up close.

A sibling of ``ui.charts`` (whose fonts and colours it uses), kept apart so that module stays small.
The network figure lays every stage out left to right in one set of axes, one heatmap per map: the
input, conv1's 6 maps, pool1's 6, conv2's 16, pool2's 16, then flatten, fc1 and fc2 as columns of
cells, the 10 scores and the softmax bars. Over each stage lies an invisible scatter with one point
per unit: it carries the hover text and makes every unit clickable (Plotly cannot select heatmap cells).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from explorer.models.lenet import LenetRun, UnitStory, flat_to_map
from ui.charts import BAR_COLOUR, CELL_FONT_SMALL, FONT, PRESENT_FONT, chart_layout, for_presentation
from ui.present import presenting

HEIGHT = 188.0
"""The height of the drawing in data units (one unit = one input pixel): conv1's six 28x28 maps and gaps."""
GAP = 9.0
STRIP = 4.0
SCORE_WIDTH = 5.0
BAR_LENGTH = 20.0
HIGHLIGHT = "#ffbf00"
PRESENT_LABEL_RISE = 12.0
"""In presentation mode the stage names alternate between two rows this far apart (data units)."""
CLOSE_MARGIN = {"l": 4, "r": 4, "t": 40, "b": 4}
PRESENT_CLOSE_UP = 1.4
"""Projected, the close-ups of one unit (its pixels, its weights) are this much taller before
``for_presentation`` grows them, so a 5x5 grid's numbers fit their cells at 24 px."""
PRESENT_BAR_ROOM = 24.0
"""Room right of the softmax bars in presentation mode for their 24 px "7: 98%" labels (data units)."""
LABELS = {
    "input": "input<br>32×32", "act1": "conv1<br>6@28×28", "pool1": "pool1<br>6@14×14",
    "act2": "conv2<br>16@10×10", "pool2": "pool2<br>16@5×5", "flatten": "flatten<br>400",
    "act3": "fc1<br>120", "act4": "fc2<br>84", "fc3": "scores<br>10", "softmax": "softmax",
}  # fmt: skip
"""The stages drawn, left to right; conv and fc layers are shown after their ReLU, as the next layer reads them."""
NAMES = {"act1": "conv1", "act2": "conv2", "act3": "fc1", "act4": "fc2", "fc3": "score"}
UNSEEN = {"mode": "markers", "marker": {"size": 4, "opacity": 0}, "showlegend": False}
"""The points that make every unit hoverable and clickable are invisible: the heatmaps show the values."""


MAPS = ("input", "act1", "pool1", "act2", "pool2")
"""The stages drawn as square maps; the others are columns of cells."""


@dataclass(frozen=True)
class Place:
    """Where one map (or one column of cells) of a stage is drawn: top-left corner, size, cell size."""

    left: float
    top: float
    width: float
    height: float
    cell_width: float = 1.0
    cell_height: float = 1.0


def _maps(left: float, count: int, side: int, columns: int) -> list[Place]:
    """``count`` square maps in ``columns`` columns, rows spread evenly over the drawing's height."""
    rows = count // columns
    pitch = HEIGHT / rows
    return [
        Place(left + (index % columns) * (side + 1), (index // columns) * pitch + (pitch - side) / 2, side, side)
        for index in range(count)
    ]


def lenet_layout() -> dict[str, list[Place]]:
    """Where every drawn stage goes, left to right, in input pixels."""
    places: dict[str, list[Place]] = {}
    x = 0.0
    for stage, count, side, columns in (
        ("input", 1, 32, 1), ("act1", 6, 28, 1), ("pool1", 6, 14, 1), ("act2", 16, 10, 2), ("pool2", 16, 5, 2),
    ):  # fmt: skip
        places[stage] = _maps(x, count, side, columns)
        x += columns * (side + 1) - 1 + GAP
    for stage, cells, width in (("flatten", 400, STRIP), ("act3", 120, STRIP), ("act4", 84, STRIP), ("fc3", 10, 5.0)):
        places[stage] = [Place(x, 0.0, width, HEIGHT, width, HEIGHT / cells)]
        x += width + (GAP * 1.4 if stage != "fc3" else 6.0)
    places["softmax"] = [Place(x, 0.0, BAR_LENGTH, HEIGHT, BAR_LENGTH, HEIGHT / 10)]
    return places


def _units(stage: str, values: np.ndarray, place: list[Place]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell centres (x, y) and customdata [channel, row, col, value, stage's place in LABELS] of every unit."""
    if values.ndim == 3:
        channels, rows, cols = (axis.ravel() for axis in np.indices(values.shape))
        xs = np.array([p.left for p in place])[channels] + cols + 0.5
        ys = np.array([p.top for p in place])[channels] + rows + 0.5
    else:
        channels = np.arange(values.size)
        rows = cols = np.zeros(values.size, int)
        xs = np.full(values.size, place[0].left + place[0].cell_width / 2)
        ys = (channels + 0.5) * place[0].cell_height
    order = np.full(values.size, list(LABELS).index(stage))
    data = np.stack([channels, rows, cols, values.ravel(), order], axis=1)
    return xs, ys, data


def _hover(stage: str) -> str:
    """The hover text of a stage's units, from their customdata [channel, row, col, value, stage]."""
    name = NAMES.get(stage, stage)
    if stage in MAPS:
        where = "" if stage == "input" else "map %{customdata[0]}, "
        text = f"{name}: {where}row %{{customdata[1]}}, col %{{customdata[2]}}<br>value %{{customdata[3]:.3f}}"
    elif stage == "softmax":
        text = "digit %{customdata[0]}: probability %{customdata[3]:.1%}"
    elif stage == "fc3":
        text = "score of digit %{customdata[0]}: %{customdata[3]:.3f}"
    else:
        text = f"{name}: unit %{{customdata[0]}}<br>value %{{customdata[3]:.3f}}"
    return text + "<extra></extra>"


def _heatmaps(figure: go.Figure, stage: str, values: np.ndarray, place: list[Place]) -> None:
    """One heatmap per map (or one column of cells), on one colour scale for the whole stage."""
    top = float(values.max()) if values.size else 1.0
    if stage == "input":
        scale = {"colorscale": "gray", "zmin": 0.0, "zmax": 1.0}
    elif stage == "fc3":
        limit = float(np.abs(values).max()) or 1.0
        scale = {"colorscale": "RdBu", "reversescale": True, "zmin": -limit, "zmax": limit}
    else:
        scale = {"colorscale": "viridis", "zmin": 0.0, "zmax": top if top > 0 else 1.0}
    maps = values if values.ndim == 3 else values.reshape(1, -1, 1)
    for grid, spot in zip(maps, place):
        figure.add_trace(
            go.Heatmap(
                z=grid,
                x0=spot.left + spot.cell_width / 2,
                dx=spot.cell_width,
                y0=spot.top + spot.cell_height / 2,
                dy=spot.cell_height,
                showscale=False,
                hoverinfo="skip",
                name=stage,
                **scale,
            )
        )


def _softmax_bars(figure: go.Figure, probabilities: np.ndarray, place: Place) -> None:
    centres = (np.arange(10) + 0.5) * place.cell_height
    figure.add_trace(
        go.Bar(
            x=probabilities * place.cell_width,
            y=centres,
            base=place.left,
            orientation="h",
            width=place.cell_height * 0.7,
            marker_color=BAR_COLOUR,
            text=[f"{d}: {p:.0%}" for d, p in enumerate(probabilities)],
            textposition="outside",
            textfont={"size": CELL_FONT_SMALL},
            cliponaxis=False,
            hoverinfo="skip",
            name="softmax",
        )
    )


def _box(figure: go.Figure, x0: float, y0: float, x1: float, y1: float, dash: str = "solid") -> None:
    figure.add_shape(type="rect", x0=x0, y0=y0, x1=x1, y1=y1, line={"color": HIGHLIGHT, "width": 2.5, "dash": dash})


def _cell(figure: go.Figure, spot: Place, row: int, col: int, size: int = 1) -> None:
    left, top = spot.left + col * spot.cell_width, spot.top + row * spot.cell_height
    _box(figure, left, top, left + size * spot.cell_width, top + size * spot.cell_height)


def _highlight(figure: go.Figure, story: UnitStory, places: dict[str, list[Place]]) -> None:
    """The chosen unit, its window on the input (dotted), and what it reads in the stage before it."""
    drawn = {"conv1": "act1", "conv2": "act2", "fc1": "act3", "fc2": "act4"}.get(story.stage, story.stage)
    if drawn in MAPS:
        _cell(figure, places[drawn][story.channel], story.row, story.col)
    else:
        _cell(figure, places[drawn][0], story.channel, 0)
    row0, row1, col0, col1 = story.window
    picture = places["input"][0]
    _box(figure, picture.left + col0, picture.top + row0, picture.left + col1, picture.top + row1, "dot")
    if drawn in ("pool1", "pool2"):
        source = "act1" if drawn == "pool1" else "act2"
        _cell(figure, places[source][story.channel], 2 * story.row, 2 * story.col, 2)
    elif drawn == "act2":
        for spot in places["pool1"]:
            _cell(figure, spot, story.row, story.col, 5)
    elif drawn == "flatten":
        channel, row, col = flat_to_map(story.channel)
        _cell(figure, places["pool2"][channel], row, col)
    elif drawn in ("act3", "act4", "fc3", "softmax"):
        column = places[{"act3": "flatten", "act4": "act3", "fc3": "act4", "softmax": "fc3"}[drawn]][0]
        _box(figure, column.left, column.top, column.left + column.width, column.top + column.height)


def lenet_figure(run: LenetRun, story: UnitStory | None = None, height: int = 450) -> go.Figure:
    """The whole network on one digit: every map of every stage; hover a unit for its value, click it to
    choose it. ``story`` (the chosen unit) is outlined, with its input window dashed on the input."""
    places = lenet_layout()
    figure = go.Figure()
    for stage in LABELS:
        values = run.stage(stage)
        if stage == "softmax":
            _softmax_bars(figure, values, places[stage][0])
        else:
            _heatmaps(figure, stage, values, places[stage])
    for stage in LABELS:
        xs, ys, data = _units(stage, run.stage(stage), places[stage])
        figure.add_trace(go.Scatter(x=xs, y=ys, customdata=data, hovertemplate=_hover(stage), name=stage, **UNSEEN))
    projected = presenting()
    for number, (stage, label) in enumerate(LABELS.items()):
        place = places[stage]
        centre = (min(p.left for p in place) + max(p.left + p.width for p in place)) / 2
        if projected:  # names only (shapes are in the hover), every other one a row up so 24 px names fit
            label, level = label.split("<br>")[0], -1 - PRESENT_LABEL_RISE * (number % 2)
        else:
            level = -1
        figure.add_annotation(
            x=centre, y=level, text=label, showarrow=False, yanchor="bottom", font={"size": CELL_FONT_SMALL + 1}
        )
    if story is not None:
        _highlight(figure, story, places)
    end = places["softmax"][0].left + BAR_LENGTH + (PRESENT_BAR_ROOM if projected else 12)
    figure.update_xaxes(visible=False, range=[-1, end], constrain="domain")
    top = -16 - (PRESENT_LABEL_RISE if projected else 0)
    figure.update_yaxes(visible=False, range=[HEIGHT + 1, top], scaleanchor="x")
    figure.update_layout(
        height=height,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        font={"size": FONT},
        hoverlabel={"font": {"size": FONT}},
        showlegend=False,
        dragmode=False,
        clickmode="event+select",
        hovermode="closest",
    )
    if projected:
        figure = for_presentation(figure)
        figure.update_traces(textfont={"size": PRESENT_FONT}, selector={"type": "bar"})
    return figure


def _small_layout(figure: go.Figure, title: str, height: int) -> go.Figure:
    """The charts' one layout (``ui.charts.chart_layout``) with close margins; projected, the close-up's grids
    (5x5 at most) are taller and their numbers 24 px, black or white for contrast with the cell."""
    projected = presenting()
    figure = chart_layout(figure, title, round(height * PRESENT_CLOSE_UP) if projected else height, CLOSE_MARGIN)
    if projected:
        for trace in figure.select_traces({"type": "heatmap"}):
            trace.textfont = {"size": PRESENT_FONT}  # and no fixed colour: Plotly picks black or white per cell
    return figure


def pixels_figure(values: np.ndarray, title: str, height: int = 240) -> go.Figure:
    """Input pixels (0 black .. 1 white) as a square grid, each value written on it when the grid is small."""
    small = max(values.shape) <= 8
    figure = go.Figure(
        go.Heatmap(
            z=values,
            colorscale="gray",
            zmin=0.0,
            zmax=1.0,
            showscale=False,
            texttemplate="%{z:.2f}" if small else None,
            textfont={"size": CELL_FONT_SMALL, "color": "#d62728"},
            hovertemplate="row %{y}, col %{x}: %{z:.3f}<extra></extra>",
            xgap=1 if small else 0,
            ygap=1 if small else 0,
        )
    )
    figure.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    figure.update_xaxes(visible=False, constrain="domain")
    return _small_layout(figure, title, height)


def weights_figure(weights: np.ndarray, title: str, height: int = 240) -> go.Figure:
    """A unit's weights, zero at white: kernels (k x h x w) as k small grids side by side on one
    blue-white-red scale, a fully connected row (n,) as one bar per input."""
    limit = float(np.abs(weights).max()) or 1.0
    figure = go.Figure()
    if weights.ndim == 1:
        colours = np.where(weights >= 0, "#b2182b", "#2166ac")
        figure.add_bar(
            x=np.arange(weights.size),
            y=weights,
            marker_color=colours,
            hovertemplate="input %{x}: weight %{y:.4f}<extra></extra>",
        )
        figure.update_xaxes(title={"text": "input unit"}, showgrid=False)
        return _small_layout(figure, title, height)
    count, rows, cols = weights.shape
    per_row = count if count <= 8 else 8
    for index, kernel in enumerate(weights):
        left, top = (index % per_row) * (cols + 1), (index // per_row) * (rows + 1)
        small = count == 1
        figure.add_trace(
            go.Heatmap(
                z=kernel,
                x0=left,
                y0=top,
                colorscale="RdBu",
                reversescale=True,
                zmin=-limit,
                zmax=limit,
                showscale=False,
                texttemplate="%{z:.2f}" if small else None,
                textfont={"size": CELL_FONT_SMALL},
                customdata=np.full(kernel.shape, index),
                hovertemplate="kernel %{customdata}: %{z:.4f}<extra></extra>",
                xgap=1,
                ygap=1,
            )
        )
    figure.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    figure.update_xaxes(visible=False, constrain="domain")
    return _small_layout(figure, title, height)
