"""Presentation mode in AppTest: the toggle and ``?present=1`` switch it on, every chart text is at least
24 px, the CAM colour map defaults to viridis (a student's pick still wins), and the Previous / Next
buttons (each with its presenter-remote key) step the layer, the preset, the cell and the class."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from explorer.kernels.presets import PRESETS
from tests.app.conftest import APP, TIMEOUT, open_page
from ui.present import BODY_PX

FONT_KEYS = ("font", "tickfont", "title_font", "hoverlabel")


def presenting_page(page: str) -> AppTest:
    """A fresh session opened on ``page`` with ``?present=1`` in its URL."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["present"] = "1"
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def font_sizes(spec: object, path: str = "") -> Iterator[tuple[str, float]]:
    """Every font size in a Plotly spec (layout and traces), with where it is; numbers written inside grid
    cells (``textfont``) are left out: a 15x15 grid's numbers must fit their cells."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "font" and isinstance(value, dict) and "size" in value:
                yield f"{path}.font", value["size"]
            if key != "textfont":
                yield from font_sizes(value, f"{path}.{key}")
    elif isinstance(spec, list):
        for index, item in enumerate(spec):
            yield from font_sizes(item, f"{path}[{index}]")


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def assert_presentation_fonts(spec: dict) -> None:
    """Layout font, hover labels, title, every axis's tick labels and title, every colour bar: >= 24 px."""
    layout = spec["layout"]
    assert layout["font"]["size"] >= BODY_PX and layout["hoverlabel"]["font"]["size"] >= BODY_PX
    assert layout["font"]["color"] == "#111111", "tick labels and titles near-black, not grey"
    if layout.get("title", {}).get("text"):
        assert layout["title"]["font"]["size"] >= BODY_PX
    axes = [value for key, value in layout.items() if key.startswith(("xaxis", "yaxis"))]
    assert axes and all(axis["tickfont"]["size"] >= BODY_PX for axis in axes)
    for trace in spec["data"]:
        if "colorbar" in trace:
            assert trace["colorbar"]["tickfont"]["size"] >= BODY_PX
    small = [(where, size) for where, size in font_sizes(spec) if size < BODY_PX]
    assert not small, small


def test_the_sidebar_toggle_turns_presentation_on_and_writes_present_into_the_url():
    at = open_page("views/kernel_lab.py")
    at.query_params["sample"] = "chelsea"
    assert at.sidebar.toggle(key="presentation_toggle").value is False
    assert "present" not in at.query_params
    at.sidebar.toggle(key="presentation_toggle").set_value(True).run()
    assert not at.exception, at.exception
    assert at.query_params["present"] == "1" and at.query_params["sample"] == "chelsea", "other keys kept"
    assert any("font-size: 24px" in element.proto.body for element in at.get("html"))
    assert "More settings" in [expander.label for expander in at.expander]
    assert any(expander.label.startswith("Predict, then reveal") for expander in at.expander)
    at.button(key="kl_quiz_reveal").click().run()
    assert at.button(key="kl_quiz_another") and not at.exception, "the inline question reveals its answer"
    at.sidebar.toggle(key="presentation_toggle").set_value(False).run()
    assert "present" not in at.query_params and at.query_params["sample"] == "chelsea"
    assert not any("font-size: 24px" in element.proto.body for element in at.get("html"))


def test_present_1_in_the_url_turns_it_on_and_it_stays_on_across_pages():
    at = presenting_page("views/kernel_lab.py")
    assert at.sidebar.toggle(key="presentation_toggle").value is True
    at.switch_page("views/home.py").run()
    assert at.sidebar.toggle(key="presentation_toggle").value is True
    assert at.query_params["present"] == "1"


@pytest.mark.parametrize("page", ["views/kernel_lab.py", "views/feature_maps.py", "views/grad_cam.py"])
def test_every_chart_font_is_at_least_24_px_in_presentation_mode(page):
    specs = chart_specs(presenting_page(page))
    assert specs
    for spec in specs:
        assert_presentation_fonts(spec)
    plain = chart_specs(open_page(page))
    assert all(spec["layout"]["font"]["size"] < BODY_PX for spec in plain), "the laptop view is unchanged"


def test_the_cam_colour_map_defaults_to_viridis_when_presenting_and_a_pick_still_wins():
    at = open_page("views/grad_cam.py")
    assert at.selectbox(key="cam_colormap").value == "jet"
    at.sidebar.toggle(key="presentation_toggle").set_value(True).run()
    assert at.selectbox(key="cam_colormap").value == "viridis"
    assert json.loads(at.get("plotly_chart")[0].proto.spec)["data"][1]["colorscale"][0][1] == "#440154"
    at.selectbox(key="cam_colormap").set_value("turbo").run()
    at.sidebar.toggle(key="presentation_toggle").set_value(False).run()
    assert at.selectbox(key="cam_colormap").value == "turbo"


def test_step_buttons_move_the_layer_the_preset_the_cell_and_the_class():
    at = open_page("views/feature_maps.py")
    layers = at.selectbox(key="fm_layer").options
    assert at.button(key="fm_layer_next").proto.shortcut.lower() == "pagedown"
    assert at.button(key="fm_layer_previous").proto.shortcut.lower() == "pageup"
    at.button(key="fm_layer_next").click().run()
    assert at.selectbox(key="fm_layer").value == at.session_state["fm_layer"]
    assert at.selectbox(key="fm_layer").index == 1 and len(layers) > 2
    assert any("PageDown / PageUp: next / previous layer" in caption.value for caption in at.caption)

    at = open_page("views/kernel_lab.py")
    names = list(PRESETS)
    at.button(key="kl_preset_next").click().run()
    assert at.selectbox(key="kl_preset").value == names[names.index("sobel_x") + 1]
    at.button(key="kl_preset_previous").click().run()
    assert at.selectbox(key="kl_preset").value == "sobel_x"
    assert at.button(key="kl_step_next").proto.shortcut.lower() == "right"
    at.button(key="kl_step_next").click().run()
    assert at.session_state["kl_step"] == 1

    at = open_page("views/grad_cam.py")
    left, right = at.selectbox(key="cam_class_left"), at.selectbox(key="cam_class_right")
    options, right_before = left.options, right.index
    assert left.index == 0
    at.button(key="cam_class_left_next").click().run()
    assert at.selectbox(key="cam_class_left").index == 1, options[:3]
    at.button(key="cam_class_right_previous").click().run()
    assert at.selectbox(key="cam_class_right").index == right_before - 1
    assert at.button(key="cam_class_right_previous").proto.shortcut.lower() == "left"
    assert not at.exception, at.exception
