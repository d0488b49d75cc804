"""Every page survives the awkward photos students actually upload: no traceback, ever."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from ui.common import SOURCE_UPLOAD

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


@pytest.mark.parametrize("name", AWKWARD)
@pytest.mark.parametrize("page", PAGES)
def test_page_handles_an_awkward_upload_without_a_traceback(page, name):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.switch_page(page).run()
    at.sidebar.radio(key="image_source").set_value(SOURCE_UPLOAD).run()
    at.sidebar.get("file_uploader")[0].set_value((f"{name}.png", AWKWARD[name], "image/png")).run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert at.session_state["explorer_image"] is not None
