"""A shared link carries an uploaded photo by its token, says so when the photo has gone, and the share
dialog shows the link."""

from __future__ import annotations

import hashlib
import io

from PIL import Image
from streamlit.testing.v1 import AppTest

from explorer.images import load_image
from ui.picker import EXPIRED, SOURCE_LINK, SOURCE_UPLOAD, photo_store

from .test_links import link_of, open_at


def digest_of(at: AppTest) -> str:
    return at.session_state["explorer_image"].digest


def test_an_uploaded_photo_travels_in_the_link():
    buffer = io.BytesIO()
    Image.radial_gradient("L").convert("RGB").resize((90, 60)).save(buffer, format="PNG")
    first = open_at("views/kernel_lab.py")
    first.sidebar.radio(key="image_source").set_value(SOURCE_UPLOAD).run()
    first.sidebar.get("file_uploader")[0].set_value(("mine.png", buffer.getvalue(), "image/png")).run()
    first.number_input(key="kl_stride").set_value(2).run()
    link = link_of(first)
    assert "sample" not in link and len(link["photo"]) == 64
    assert link["photo"] != hashlib.sha256(buffer.getvalue()).hexdigest()
    second = open_at("views/kernel_lab.py", link)
    assert not second.exception
    assert digest_of(second) == digest_of(first) == load_image(buffer.getvalue()).digest
    assert second.sidebar.radio(key="image_source").value == SOURCE_LINK
    assert any(caption.value == "Photo from a shared link" for caption in second.sidebar.caption)
    assert second.number_input(key="kl_stride").value == 2
    assert link_of(second) == link
    second.number_input(key="kl_stride").set_value(3).run()
    assert digest_of(second) == digest_of(first) and link_of(second)["photo"] == link["photo"]


def test_a_linked_photo_stays_once_opened_even_when_the_store_lets_it_go():
    """The shared store is bounded: other students' uploads push old photos out. A student already looking
    at a linked photo keeps it (it is decoded in the session) through reruns and page switches."""
    buffer = io.BytesIO()
    Image.radial_gradient("L").convert("RGB").resize((80, 70)).save(buffer, format="PNG")
    token = photo_store().put(buffer.getvalue())
    at = open_at("views/kernel_lab.py", {"photo": token})
    opened = digest_of(at)
    photo_store()._drop(token)  # pushed out by other uploads (the store's own eviction)
    at.number_input(key="kl_stride").set_value(2).run()
    at.switch_page("views/feature_maps.py").run()
    at.switch_page("views/kernel_lab.py").run()
    assert not at.exception and not at.warning
    assert digest_of(at) == opened == load_image(buffer.getvalue()).digest


def test_a_link_to_an_unknown_photo_says_so_and_shows_a_sample():
    at = open_at("views/kernel_lab.py", {"photo": "0" * 64, "stride": "2"})
    assert not at.exception
    assert [warning.value for warning in at.warning] == [EXPIRED]
    assert at.session_state["explorer_image"].size == (451, 300)
    assert "photo" not in link_of(at) and link_of(at)["sample"] == "chelsea"
    assert at.number_input(key="kl_stride").value == 2


def test_the_share_dialog_shows_the_link_and_a_large_qr_code():
    at = open_at("views/kernel_lab.py")
    at.number_input(key="kl_stride").set_value(2).run()
    at.sidebar.button(key="links_share").click().run()
    assert not at.exception
    shown = [code.value for code in at.code if "stride=2" in code.value]
    assert len(shown) == 1 and "sample=chelsea" in shown[0]
