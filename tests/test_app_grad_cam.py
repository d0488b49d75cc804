"""The Grad-CAM page runs in Streamlit's AppTest: two overlays, every deeper view, and redraws that do not recompute."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from ui import cam as ui_cam

TIMEOUT = 180


@pytest.fixture(scope="module")
def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("views/grad_cam.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_page_shows_two_overlays_and_downloads(app):
    assert app.title[0].value == "Grad-CAM studio"
    charts = [element for element in app.get("plotly_chart")]
    assert len(charts) == 2
    assert len(app.get("download_button")) == 2
    assert app.selectbox(key="cam_class_left").value != app.selectbox(key="cam_class_right").value


def test_layer_shapes_are_those_of_the_users_photo_not_a_square_probe(app):
    layer = app.selectbox(key="cam_layer_left")
    assert layer.value == "_conv_head"
    assert layer.format_func(layer.value).endswith("(1280x7x11)")  # chelsea 451x300 -> input 337x224


def test_display_changes_redraw_without_recomputing(app):
    before = ui_cam.COMPUTE_COUNT["cams"]
    app.slider(key="cam_opacity").set_value(0.8).run()
    app.selectbox(key="cam_colormap").set_value("viridis").run()
    app.slider(key="cam_threshold").set_value(0.3).run()
    assert not app.exception, app.exception
    assert ui_cam.COMPUTE_COUNT["cams"] == before


def test_second_method_and_any_class(app):
    before = ui_cam.COMPUTE_COUNT["cams"]
    app.selectbox(key="cam_method_right").set_value("LayerCAM").run()
    espresso = 967
    app.selectbox(key="cam_class_right").set_value(espresso).run()
    assert not app.exception, app.exception
    assert len(app.get("plotly_chart")) == 2
    assert ui_cam.COMPUTE_COUNT["cams"] > before, "a new method and class must really be computed"


@pytest.mark.parametrize("view", ["Methods × classes grid", "Pixel saliency", "Sanity check", "Faithfulness"])
def test_each_deeper_view_renders(app, view):
    app.radio(key="cam_view").set_value(view).run()
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]


def test_a_new_photo_resets_the_classes_to_its_own_top_classes():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("views/grad_cam.py").run()
    assert at.selectbox(key="cam_class_left").value == 285  # chelsea: Egyptian cat
    at.sidebar.selectbox(key="image_sample").set_value("coffee").run()
    assert not at.exception
    assert at.selectbox(key="cam_class_left").value == 967  # espresso, not the cat kept from before
