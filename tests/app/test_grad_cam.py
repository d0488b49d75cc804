"""The Grad-CAM page in Streamlit's AppTest: it opens with two overlays only, derives every gradient method
from one pass per layer, runs Score-CAM and the grid only when asked, and compares classes on one scale."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from explorer.cam.kinds import imagenet_kinds
from explorer.cam.score_cam import BATCH_SIZE, MAX_CHANNELS
from explorer.images import load_sample
from tests.app.conftest import open_page
from ui import grad_cam as glue

EGYPTIAN_CAT, PLASTIC_BAG, ESPRESSO, COFFEE_MUG = 285, 728, 967, 504


@pytest.fixture
def app() -> AppTest:
    at = open_page("views/grad_cam.py")
    assert not at.exception, at.exception
    return at


def fresh_studio() -> AppTest:
    """The studio with nothing of the CAM family cached yet, as on a photo no one has opened before."""
    for cached in (glue.ranking, glue.gradients, glue.gradient_cams, glue._score_cams):
        cached.clear()
    return open_page("views/grad_cam.py")


def images(at: AppTest) -> list:
    return list(at.main.get("image"))


def heat(at: AppTest, side: int) -> np.ndarray:
    """The CAM values drawn over the photo in panel ``side`` (0 left, 1 right), as Plotly gets them."""
    z = json.loads(at.get("plotly_chart")[side].proto.spec)["data"][1]["z"]  # Plotly's typed-array form
    shape = [int(n) for n in z["shape"].split(",")]
    return np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(shape)


def title(at: AppTest, side: int) -> str:
    return json.loads(at.get("plotly_chart")[side].proto.spec)["layout"]["title"]["text"]


def test_opens_with_two_overlays_of_two_different_kinds_and_nothing_else(forwards):
    at = fresh_studio()
    assert not at.exception and not at.error
    assert at.title[0].value == "Grad-CAM studio"
    labels = [button.proto.label for button in at.get("download_button")]
    assert len(at.get("plotly_chart")) == 2 and sum(label.startswith("Download") for label in labels) == 2
    assert images(at) == [], "no grid or deeper view before one is chosen"
    left, right = at.selectbox(key="cam_class_left").value, at.selectbox(key="cam_class_right").value
    assert (left, right) == (EGYPTIAN_CAT, PLASTIC_BAG)  # not "tiger cat" or "tabby": another kind of thing
    assert imagenet_kinds()[left] != imagenet_kinds()[right]
    # the layer probe, the ranking and one pass for the gradients; Score-CAM alone would take 64 more
    assert len(forwards) <= 3


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


def test_every_gradient_method_comes_from_the_one_pass_of_its_layer(forwards):
    at = fresh_studio()
    opened = len(forwards)
    for method in ("LayerCAM", "HiResCAM", "Grad-CAM++", "XGrad-CAM"):
        at.selectbox(key="cam_method_left").set_value(method).run()
        assert title(at, 0) == f"{method} · Egyptian cat"
    assert len(forwards) == opened, "a method change derives the map from the cached gradients"
    at.selectbox(key="cam_layer_right").set_value("_blocks.15._project_conv").run()
    assert not at.exception and not at.error
    assert len(forwards) == opened + 1, "a new layer costs one pass"


def test_any_class_is_really_computed(app, forwards):
    glue.gradients.clear()
    app.selectbox(key="cam_method_right").set_value("LayerCAM").run()
    app.selectbox(key="cam_class_right").set_value(ESPRESSO).run()
    assert not app.exception, app.exception
    assert title(app, 1) == "LayerCAM · espresso"
    assert len(forwards) >= 1, "a new class must really be computed"


def test_score_cam_waits_for_a_click_and_says_what_it_does(forwards):
    at = fresh_studio()
    at.selectbox(key="cam_method_right").set_value("Score-CAM").run()
    before = len(forwards)
    assert len(at.get("plotly_chart")) == 1, "only the left overlay until Score-CAM is asked for"
    note = next(c.value for c in at.main.caption if c.value.startswith("Score-CAM runs"))
    assert f"{MAX_CHANNELS} strongest of this layer's 1280 channels" in note and "border" in note
    at.button(key="cam_ask_right").click().run()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 2 and title(at, 1) == "Score-CAM · plastic bag"
    assert len(forwards) - before >= MAX_CHANNELS // BATCH_SIZE, "Score-CAM runs its masked batches"


def test_the_grid_runs_when_asked_and_shows_every_method_for_the_top_three_classes(app):
    app.radio(key="cam_view").set_value("Methods × classes grid").run()
    assert images(app) == [] and app.button(key="cam_grid_go").label == "Compute the grid"
    app.button(key="cam_grid_go").click().run()
    assert not app.exception and not app.error
    assert len(images(app)) == 6 * 3


def test_comparing_classes_uses_one_scale_so_an_unlikely_class_stays_faint(app):
    together = app.toggle(key="cam_one_scale_True")
    assert together.value is True and not together.disabled
    assert np.nanmax(heat(app, 0)) == pytest.approx(1.0, abs=0.02)
    faint = np.nanmax(heat(app, 1))  # plastic bag, 0.5%
    assert faint < 0.9
    together.set_value(False).run()
    assert np.nanmax(heat(app, 1)) == pytest.approx(1.0, abs=0.02), "each map on its own scale fills it"


def test_the_photo_under_each_overlay_is_the_photo_sent_once_as_a_jpeg_and_spans_the_same_axes(app):
    """Sent as pixels (``z``) Plotly paints each one with its own fillRect: 0.5 s of the browser per panel."""
    photo = load_sample("chelsea")
    for side in (0, 1):
        spec = json.loads(app.get("plotly_chart")[side].proto.spec)
        under = spec["data"][0]
        assert under["type"] == "image" and "z" not in under
        assert under["source"].startswith("data:image/jpeg;base64,")
        with Image.open(io.BytesIO(base64.b64decode(under["source"].split(",", 1)[1]))) as sent:
            assert sent.size == photo.size  # 451x300: under the 900-pixel cap, so at full size
            difference = np.abs(np.asarray(sent.convert("RGB"), float) - photo.to_array().astype(float))
        assert difference.mean() < 3  # the same photo, through JPEG at quality 90
        assert (under.get("dx", 1), under.get("dy", 1)) == (1, 1)  # one photo pixel per axis unit, as the heatmap's


def test_one_scale_is_not_offered_for_maps_of_different_methods(app):
    app.selectbox(key="cam_method_right").set_value("LayerCAM").run()
    separate = app.toggle(key="cam_one_scale_False")
    assert separate.disabled and separate.value is False


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
    assert at.selectbox(key="cam_class_left").value == EGYPTIAN_CAT
    at.sidebar.selectbox(key="image_sample").set_value("coffee").run()
    assert not at.exception
    assert at.selectbox(key="cam_class_left").value == ESPRESSO  # not the cat kept from before
    assert at.selectbox(key="cam_class_right").value == COFFEE_MUG  # not "cup", another drink
