"""The Grad-CAM page runs in Streamlit's AppTest: two overlays, every deeper view, and redraws that do not recompute."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import open_page
from ui import grad_cam as glue


@pytest.fixture
def app() -> AppTest:
    at = open_page("views/grad_cam.py")
    assert not at.exception, at.exception
    return at


def images(at: AppTest) -> list:
    return list(at.main.get("image"))


def test_page_shows_two_overlays_and_downloads(app):
    assert app.title[0].value == "Grad-CAM studio"
    assert len(app.get("plotly_chart")) == 2
    assert len(app.get("download_button")) == 2
    assert app.selectbox(key="cam_class_left").value != app.selectbox(key="cam_class_right").value


def test_layer_shapes_are_those_of_the_users_photo_not_a_square_probe(app):
    layer = app.selectbox(key="cam_layer_left")
    assert layer.value == "_head_act"
    assert layer.format_func(layer.value) == "block · _head_act (1280x7x11)"  # chelsea 451x300 -> input 337x224
    assert layer.format_func("_conv_head") == "convolution · _conv_head (1280x7x11)"


def test_display_changes_redraw_without_recomputing(app, forwards):
    app.slider(key="cam_opacity").set_value(0.8).run()
    app.selectbox(key="cam_colormap").set_value("viridis").run()
    app.slider(key="cam_threshold").set_value(0.3).run()
    assert not app.exception, app.exception
    assert forwards == []


def test_second_method_and_any_class_are_really_computed(app, forwards):
    glue.cams.clear()  # whatever earlier tests computed, this choice must be computed now
    app.selectbox(key="cam_method_right").set_value("LayerCAM").run()
    espresso = 967
    app.selectbox(key="cam_class_right").set_value(espresso).run()
    assert not app.exception, app.exception
    assert len(app.get("plotly_chart")) == 2
    title = json.loads(app.get("plotly_chart")[1].proto.spec)["layout"]["title"]["text"]
    assert title == "LayerCAM · espresso"
    assert len(forwards) >= 1, "a new method and class must really be computed"


def test_the_grid_shows_every_method_for_the_top_three_classes(app):
    app.radio(key="cam_view").set_value("Methods × classes grid").run()
    assert not app.exception and not app.error
    assert len(images(app)) == 6 * 3


def test_pixel_saliency_shows_one_picture_for_the_left_class(app):
    app.radio(key="cam_view").set_value("Pixel saliency").run()
    assert not app.exception and not app.error
    assert len(images(app)) == 1
    assert any("score of 'Egyptian cat'" in caption.value for caption in app.main.caption)


def test_sanity_check_shows_both_maps_and_their_correlation(app):
    app.radio(key="cam_view").set_value("Sanity check").run()
    assert not app.exception and not app.error
    assert [image.captions[0] for image in images(app)] == ["Trained weights", "Random weights"]
    assert -1.0 <= float(app.metric[0].value) <= 1.0


def test_faithfulness_compares_the_cam_region_with_random_regions(app):
    app.radio(key="cam_view").set_value("Faithfulness").run()
    assert not app.exception and not app.error
    assert len(app.get("plotly_chart")) == 3  # the two overlays and the probability bars
    verdict = next(m.value for m in app.markdown if m.value.startswith("Hiding the CAM's top 20%"))
    assert "random regions of the same size" in verdict


def test_a_new_photo_resets_the_classes_to_its_own_top_classes():
    at = open_page("views/grad_cam.py")
    assert at.selectbox(key="cam_class_left").value == 285  # chelsea: Egyptian cat
    at.sidebar.selectbox(key="image_sample").set_value("coffee").run()
    assert not at.exception
    assert at.selectbox(key="cam_class_left").value == 967  # espresso, not the cat kept from before
