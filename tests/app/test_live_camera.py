"""The Live camera page in Streamlit's AppTest, and its streamlit-webrtc glue on real video frames.

AppTest has no Streamlit server, so no WebRTC: the page says so, and still explains the chosen photo
exactly as a live frame (the snapshot fallback). The live path itself runs in Chromium
(tests/browser/test_live_camera_browser.py); here its processor gets real ``av`` video frames.
"""

from __future__ import annotations

import asyncio
import io
import json
from concurrent.futures import ThreadPoolExecutor

import av
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from explorer.errors import ExplorerError
from explorer.live import LiveClassifier
from tests.app.conftest import open_page
from ui import live as glue
from ui.picker import SOURCE_CAMERA


@pytest.fixture
def app() -> AppTest:
    at = open_page("views/live_camera.py")
    assert not at.exception, at.exception
    return at


def chart_labels(at: AppTest) -> list[str]:
    """The class names on the snapshot's top-5 chart, best first."""
    (chart,) = at.get("plotly_chart")
    return json.loads(chart.proto.spec)["data"][0]["y"][::-1]


def test_the_page_explains_itself_and_says_live_video_needs_the_server(app):
    assert app.title[0].value == "Live camera"
    assert "top-5 guesses and the Grad-CAM" in app.caption[0].value
    assert "needs the app served by `streamlit run app.py`" in app.info[0].value
    assert any("choose **Camera** under *Your image*" in block.value for block in app.markdown)


def test_the_snapshot_fallback_explains_the_chosen_photo_like_a_live_frame(app):
    assert chart_labels(app)[0] == "Egyptian cat"
    (picture,) = app.main.get("image")
    assert picture.captions == ["Grad-CAM of the top class, as in the live view"]


def test_changing_the_overlay_redraws_without_recomputing(app, forwards):
    app.slider(key="live_opacity").set_value(0.8).run()
    app.selectbox(key="live_colormap").set_value("viridis").run()
    assert not app.exception and forwards == []
    assert chart_labels(app)[0] == "Egyptian cat"


def test_a_snapshot_from_the_camera_is_explained_like_a_live_frame(app, coffee):
    shot = io.BytesIO()
    coffee.image.save(shot, format="JPEG", quality=90)
    app.button(key="live_use_camera").click().run()
    assert app.sidebar.radio(key="image_source").value == SOURCE_CAMERA
    app.sidebar.get("camera_input")[0].set_value(("shot.jpg", shot.getvalue(), "image/jpeg")).run()
    assert not app.exception
    assert chart_labels(app)[0] == "espresso"


def frame_of(pixels: np.ndarray) -> av.VideoFrame:
    return av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels), format="rgb24")


@pytest.fixture(scope="module")
def classifier(lite0) -> LiveClassifier:
    return LiveClassifier(lite0)


def test_the_processor_explains_only_the_newest_of_the_queued_frames(classifier, chelsea, coffee):
    processor = glue.LiveProcessor(classifier)
    cat, cup = chelsea.to_array(), coffee.to_array()
    queued = [frame_of(cat), frame_of(cat), frame_of(cup)]
    with ThreadPoolExecutor(max_workers=1) as worker:  # as streamlit-webrtc runs it: a thread with its own loop
        (out,) = worker.submit(asyncio.run, processor.recv_queued(queued)).result()
    result, stats, error = processor.latest()
    assert result is not None and result.top.label == "espresso" and error is None
    assert (stats.frames, stats.skipped) == (1, 2)
    assert out.to_ndarray(format="rgb24").shape == cup.shape
    assert not np.array_equal(out.to_ndarray(format="rgb24"), frame_of(cup).to_ndarray(format="rgb24"))


def test_a_frame_the_network_cannot_use_passes_through_with_a_sentence(classifier):
    processor = glue.LiveProcessor(classifier)
    tiny = frame_of(np.zeros((4, 4, 3), np.uint8))
    assert processor.recv(tiny) is tiny
    result, stats, error = processor.latest()
    assert result is None and stats.frames == 0 and "not a colour picture" in (error or "")


def test_ice_servers_default_to_none_and_come_from_the_environment(monkeypatch):
    monkeypatch.delenv(glue.ICE_SERVERS_VARIABLE, raising=False)
    assert glue.ice_servers() == []
    servers = [{"urls": ["stun:stun.example.org:3478"]}, {"urls": "turn:turn.example.org", "username": "u"}]
    monkeypatch.setenv(glue.ICE_SERVERS_VARIABLE, json.dumps(servers))
    assert glue.ice_servers() == servers
    for wrong in ("stun:stun.example.org", '{"urls": "stun:x"}', '[{"url": "stun:x"}]'):
        with pytest.raises(ExplorerError, match="must be a JSON list of ICE servers"):
            glue.ice_servers(wrong)
