"""Every page survives the awkward photos students actually upload: no traceback, ever."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from ui.picker import SOURCE_UPLOAD

PAGES = re.findall(r'st\.Page\("([^"]+)"', (ROOT / "app.py").read_text())


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
    shown = len(at.main.get("image")) + len(at.get("plotly_chart")) + len(at.dataframe)
    assert shown > 0 or len(at.error) == 1, "the page shows its pictures, or one sentence saying why not"
