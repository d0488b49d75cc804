"""The router, the Home page and the image picker shared by every page (Streamlit AppTest)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from ui.picker import SOURCE_CAMERA, SOURCE_UPLOAD

APP = str(ROOT / "app.py")


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    return at.run()


def png_bytes(colour: str, size: tuple[int, int] = (64, 48), mode: str = "RGB", fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format=fmt)
    return buffer.getvalue()


def chosen(at: AppTest):
    return at.session_state["explorer_image"]


def test_home_explains_the_tour_and_starts_with_a_sample_photo(app):
    assert not app.exception
    assert app.title[0].value == "CNN Explorer"
    assert "Kernel lab" in app.markdown[1].value and "Grad-CAM" in app.markdown[1].value
    assert chosen(app).size == (451, 300)


def test_a_rerun_reuses_the_chosen_image_instead_of_decoding_it_again(app):
    first = chosen(app)
    app.run()
    assert chosen(app) is first


def test_sidebar_badge_says_which_device_computes(app):
    assert any("Computing on CPU" in m.value or "Computing on NVIDIA" in m.value for m in app.sidebar.markdown)


def test_picking_another_sample_changes_the_image(app):
    app.sidebar.selectbox(key="image_sample").set_value("coffee").run()
    assert chosen(app).size == (600, 400)
    assert app.query_params["sample"] == "coffee"


def test_sample_named_in_the_link_is_chosen_on_arrival():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["sample"] = "rocket"
    at.run()
    assert chosen(at).size == (640, 427)


def test_an_uploaded_photo_stays_chosen_across_pages(app):
    app.sidebar.radio(key="image_source").set_value(SOURCE_UPLOAD).run()
    app.sidebar.get("file_uploader")[0].set_value(("mine.png", png_bytes("purple", (70, 30)), "image/png")).run()
    assert chosen(app).size == (70, 30)
    app.switch_page("views/kernel_lab.py").run()
    assert not app.exception
    assert chosen(app).size == (70, 30)


def test_a_camera_shot_becomes_the_image(app):
    app.sidebar.radio(key="image_source").set_value(SOURCE_CAMERA).run()
    app.sidebar.get("camera_input")[0].set_value(
        ("shot.jpg", png_bytes("orange", (32, 24), fmt="JPEG"), "image/jpeg")
    ).run()
    assert not app.exception and chosen(app).size == (32, 24)


def test_a_broken_upload_is_one_red_sentence_not_a_traceback(app):
    app.sidebar.radio(key="image_source").set_value(SOURCE_UPLOAD).run()
    app.sidebar.get("file_uploader")[0].set_value(("photo.png", b"\x89PNG\r\n\x1a\nbroken", "image/png")).run()
    assert not app.exception
    assert [e.value for e in app.error] == ["The image file is damaged and cannot be opened."]


def test_what_was_changed_about_an_upload_is_told(app):
    app.sidebar.radio(key="image_source").set_value(SOURCE_UPLOAD).run()
    app.sidebar.get("file_uploader")[0].set_value(
        ("clear.png", png_bytes((0, 0, 0, 0), mode="RGBA"), "image/png")
    ).run()
    assert not app.exception
    assert any("Transparent areas" in caption.value for caption in app.caption)


def test_the_gallery_chooses_a_sample_even_after_an_upload(app):
    app.sidebar.radio(key="image_source").set_value(SOURCE_UPLOAD).run()
    app.sidebar.get("file_uploader")[0].set_value(("mine.png", png_bytes("purple", (70, 30)), "image/png")).run()
    app.button(key="gallery_astronaut").click().run()
    assert not app.exception
    assert chosen(app).size == (512, 512)
    assert app.sidebar.radio(key="image_source").value == "Sample photo"
