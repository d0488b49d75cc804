"""The Tiny CNN page in Streamlit's AppTest: LeNet-5 whole on a sample digit, every sample read right,
any unit's window and weights on demand, and choosing a unit redraws without running the network again."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import numpy as np
import pytest
import torch
from PIL import Image
from streamlit.testing.v1 import AppTest

from explorer.models.digits import digit_samples, prepare_digit
from explorer.models.lenet import build_lenet5
from tests.app.conftest import open_page
from ui import tiny_cnn as glue

PAGE = "views/tiny_cnn.py"


@pytest.fixture
def app() -> AppTest:
    at = open_page(PAGE)
    assert not at.exception, at.exception
    return at


@pytest.fixture
def lenet_forwards() -> Iterator[list[int]]:
    """Grows by one for every forward pass of the page's shared LeNet-5 (a hook on its last layer)."""
    calls: list[int] = []
    handle = glue.cached_lenet().fc3.register_forward_hook(lambda *_: calls.append(1))
    try:
        yield calls
    finally:
        handle.remove()


def figure(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def array(field: object) -> np.ndarray:
    """A figure's data field as an array: Plotly writes NumPy arrays as base64 ("bdata") with a dtype."""
    if isinstance(field, dict) and "bdata" in field:
        flat = np.frombuffer(base64.b64decode(field["bdata"]), dtype=np.dtype(field["dtype"]))
        shape = field.get("shape")
        return flat.reshape([int(n) for n in str(shape).split(",")]) if shape else flat
    return np.asarray(field)


def read(at: AppTest) -> str:
    return at.metric[0].value


def choose_unit(at: AppTest, stage: str, channel: int, row: int = 0, col: int = 0) -> None:
    at.selectbox(key="tiny_stage").set_value(stage).run()
    for key, value in zip(glue.UNIT_KEYS[1:], (channel, row, col)):
        if not at.number_input(key=key).disabled:
            at.number_input(key=key).set_value(value).run()
    assert not at.exception, at.exception


def test_the_whole_network_is_drawn_for_a_sample_digit(app):
    assert app.title[0].value == "Tiny CNN"
    assert read(app) == "0"
    traces = figure(app)["data"]
    heatmaps = [trace for trace in traces if trace["type"] == "heatmap"]
    assert len(heatmaps) == 1 + 6 + 6 + 16 + 16 + 4  # input, conv1, pool1, conv2, pool2 maps, four columns
    assert [trace["name"] for trace in traces if trace["type"] == "scatter"] == [
        "input", "act1", "pool1", "act2", "pool2", "flatten", "act3", "act4", "fc3", "softmax"
    ]  # fmt: skip
    assert sum(array(trace["x"]).size for trace in traces if trace["type"] == "scatter") == (
        1024 + 6 * 784 + 6 * 196 + 16 * 100 + 16 * 25 + 400 + 120 + 84 + 10 + 10
    )  # every unit can be hovered and clicked


@pytest.mark.parametrize("digit", list("0123456789"))
def test_every_sample_digit_is_read_as_itself(app, digit):
    app.selectbox(key="tiny_sample").set_value(digit).run()
    assert not app.exception, app.exception
    assert read(app) == digit


def test_a_conv2_unit_shows_its_14x14_window_and_its_sum(app):
    choose_unit(app, "act2", 5, 4, 5)
    assert app.subheader[0].value.startswith("conv2 map 5, row 4, column 5:")
    assert any("rows 8-21, columns 10-23: **14x14 pixels**" in block.value for block in app.markdown)
    sample = Image.open(digit_samples()["0"])
    with torch.no_grad():
        x = torch.from_numpy(prepare_digit(sample))[None, None]
        lenet = build_lenet5()
        conv2 = lenet.conv2(lenet.pool1(lenet.act1(lenet.conv1(x))))[0, 5, 4, 5].item()
    line = next(block.value for block in app.markdown if block.value.startswith("bias "))
    assert f"= **{conv2:.3f}**" in line and "(150 products)" in line


def test_a_pool_unit_says_it_has_no_weights_and_a_score_shows_84(app):
    choose_unit(app, "pool1", 2, 6, 6)
    assert any("A max pool has **no weights**" in block.value for block in app.markdown)
    choose_unit(app, "fc3", 9)
    assert app.subheader[0].value.startswith("scores: digit 9 scores")
    assert any("(84 products)" in block.value for block in app.markdown)


def test_a_unit_outside_a_smaller_stage_is_brought_inside(app):
    choose_unit(app, "input", 0, 31, 31)
    choose_unit(app, "pool2", 0)
    assert app.number_input(key="tiny_row").value <= 4 and app.number_input(key="tiny_col").value <= 4


def test_choosing_units_redraws_without_running_the_network(app, lenet_forwards):
    choose_unit(app, "act1", 3, 10, 12)
    choose_unit(app, "act3", 17)
    assert lenet_forwards == []


def test_the_draw_tab_asks_for_a_drawing_first(app):
    app.radio(key="tiny_source").set_value("Draw").run()
    assert not app.exception, app.exception
    assert any("Draw a digit" in box.value for box in app.info)


def test_every_digit_cell_is_the_input_the_network_saw(app):
    input_map = next(trace for trace in figure(app)["data"] if trace["type"] == "heatmap")
    expected = prepare_digit(Image.open(digit_samples()["0"]))
    np.testing.assert_allclose(array(input_map["z"]).astype(np.float32), expected, atol=1e-6)


BLANK = "blank"


@pytest.mark.parametrize(
    ("name", "data", "outcome"),
    [
        ("one pixel", Image.new("RGB", (1, 1), (200, 30, 30)), BLANK),
        ("long and thin", Image.fromarray(np.tile(np.arange(0, 250, 2, dtype=np.uint8), (12, 16))), BLANK),
        ("16-bit grey", Image.fromarray(np.linspace(0, 65535, 64 * 48).astype(np.uint16).reshape(48, 64)), "read"),
        ("not an image", None, "refused"),
    ],
)
def test_an_awkward_upload_is_read_or_refused_in_one_sentence(app, name, data, outcome):
    import io

    buffer = io.BytesIO()
    if data is None:
        buffer.write(b"%PDF-1.4 this is not a picture")
    else:
        data.save(buffer, format="PNG")
    app.radio(key="tiny_source").set_value(glue.SOURCE_UPLOAD).run()
    app.get("file_uploader")[0].set_value((f"{name}.png", buffer.getvalue(), "image/png")).run()
    assert not app.exception, app.exception
    said = [error.value for error in app.error]
    if outcome == "read":  # a faint ramp, but ink: the network names a digit and draws every map
        assert not said and read(app) in "0123456789" and app.get("plotly_chart"), said
    else:  # one sentence, and no network figure
        assert len(said) == 1 and not app.get("plotly_chart"), said
        if outcome == BLANK:
            assert "There is no digit in this picture: it looks blank." in said[0]
