"""Every page survives the awkward photos students actually upload: no traceback, ever."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, ROUTED_PAGES
from ui.errors import literal
from ui.picker import SOURCE_UPLOAD

# Every page that takes its photo from the sidebar; Tiny CNN reads a drawn or uploaded digit of its own.
PAGES = [page for page in ROUTED_PAGES if page != "views/tiny_cnn.py"]


def encoded(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


AWKWARD = {
    "one pixel": encoded(Image.new("RGB", (1, 1), (200, 30, 30))),
    "long and thin": encoded(Image.fromarray(np.tile(np.arange(0, 250, 2, dtype=np.uint8), (12, 16)))),
    "16-bit grey": encoded(Image.fromarray(np.linspace(0, 65535, 64 * 48).astype(np.uint16).reshape(48, 64))),
}
EXPECTED = {  # what the sidebar says about the photo, and the note the page shows about it
    "one pixel": ("1x1 px", "The image is tiny (1x1)"),
    "long and thin": ("2000x12 px", "very long and thin"),
    "16-bit grey": ("64x48 px", "reduced from 16 to 8 bits"),
}
TITLES = {
    "views/home.py": "CNN Explorer",
    "views/kernel_lab.py": "Kernel lab",
    "views/feature_maps.py": "Feature maps",
    "views/filters.py": "Filters",
    "views/architecture.py": "Architecture",
    "views/grad_cam.py": "Grad-CAM studio",
    "views/live_camera.py": "Live camera",
    "views/quiz.py": "Quiz: predict, then reveal",
}


@pytest.mark.parametrize("name", AWKWARD)
@pytest.mark.parametrize("page", PAGES)
def test_page_handles_an_awkward_upload_and_says_what_it_did(page, name):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.switch_page(page).run()
    at.sidebar.radio(key="image_source").set_value(SOURCE_UPLOAD).run()
    at.sidebar.get("file_uploader")[0].set_value((f"{name}.png", AWKWARD[name], "image/png")).run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    size, note = EXPECTED[name]
    assert at.session_state["explorer_image"] is not None
    assert any(size in caption for image in at.sidebar.get("image") for caption in image.captions)
    assert any(note in caption.value for caption in at.main.caption), [c.value for c in at.main.caption]
    assert at.title[0].value == TITLES[page]
    quiz = page == "views/quiz.py"  # a question is answered by a choice or a number
    answers = len(at.main.radio) + len(at.main.number_input) if quiz else 0
    shown = len(at.main.get("image")) + len(at.get("plotly_chart")) + len(at.dataframe) + answers
    assert shown > 0 or len(at.error) == 1, (
        "the page shows its pictures (or a question), or one sentence saying why not"
    )


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.sidebar.radio(key="image_source").set_value(SOURCE_UPLOAD).run()
    return at.sidebar.get("file_uploader")[0].set_value((name, data, "image/png")).run()


def test_a_4000x3_sliver_works_in_the_grad_cam_studio_and_every_deeper_view():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    at.switch_page("views/grad_cam.py").run()
    upload(at, "sliver.png", encoded(Image.fromarray(np.tile(np.arange(0, 250, 5, dtype=np.uint8), (3, 80)))))
    assert at.session_state["explorer_image"].size == (2048, 2)
    assert any("aspect ratio 1024:1" in caption.value for caption in at.main.caption)
    assert not at.exception and not at.error and len(at.get("plotly_chart")) == 2  # the two overlays
    views = (("Methods × classes grid", 18), ("Pixel saliency", 1), ("Sanity check", 2), ("Faithfulness", 0))
    for view, pictures in views:
        at.radio(key="cam_view").set_value(view).run()
        for asked in [button for button in at.button if button.key in ("cam_grid_go", "cam_ask_sanity")]:
            asked.click().run()  # the expensive views run when asked
        assert not at.exception and not at.error, view
        assert len(at.main.get("image")) >= pictures and len(at.get("plotly_chart")) >= 2, view


@pytest.mark.parametrize("page", ["views/home.py", "views/kernel_lab.py", "views/grad_cam.py"])
def test_a_one_pixel_line_is_one_sentence_and_the_page_keeps_working(page):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.switch_page(page).run()
    upload(at, "line.png", encoded(Image.new("RGB", (4000, 1), "white")))
    assert not at.exception
    assert [error.value for error in at.error] == [
        literal(
            "The image is 4000x1 pixels: a line rather than a picture (one side over 1024 times the other once it "
            "is fitted for computing); please use a picture a few pixels thick."
        )
    ]
    at.sidebar.radio(key="image_source").set_value("Sample photo").run()
    assert not at.exception and not at.error and at.title[0].value == TITLES[page]
