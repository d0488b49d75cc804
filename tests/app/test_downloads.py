"""The app while weights download: one network cached once, a stalled download blocks nobody else, and a
damaged cached file is replaced by "Try the download again"."""

from __future__ import annotations

import threading

import pytest
import torch

from explorer.models import DEFAULT_MODEL, get_spec, top_predictions, weights
from explorer.models.weights import MIRROR_ENV, cached_path
from tests.app.conftest import open_page
from tests.local_servers import bytes_handler, serve, stalling_server
from tests.models.test_download_faults import checkpoint_spec
from ui.errors import literal
from ui.models import cached_model


def test_a_network_asked_for_in_two_ways_is_cached_once():
    first = cached_model("resnet18", False)
    assert cached_model("resnet18", pretrained=False) is first
    assert cached_model(name="resnet18", pretrained=False) is first


def test_a_stalled_download_blocks_no_other_session_and_ends_in_a_sentence(monkeypatch, tmp_path, chelsea):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with stalling_server() as (url, accepted, release):
        monkeypatch.setenv(MIRROR_ENV, url)
        downloading = open_page("views/feature_maps.py")
        chosen = threading.Thread(
            target=lambda: downloading.selectbox(key="explorer_model").set_value("resnet18").run()
        )
        chosen.start()
        assert accepted.wait(120), "the download reached the stalling server"
        # Another student meanwhile: the shared network and a forward through it, as the pages get them
        # (AppTest runs one app at a time in a process, so this session calls the app's glue directly).
        other = cached_model(DEFAULT_MODEL)
        assert top_predictions(other.module(other.preprocess(chelsea.image)), other.categories)[0].label
        assert chosen.is_alive(), "the other session finished while the download was still stuck"
        release.set()  # the server hangs up
        chosen.join(300)
    assert not downloading.exception
    message = downloading.error[0].value
    assert "Could not download the weights for ResNet" in message and "Showing EfficientNet" in message
    assert not list(tmp_path.rglob("*.partial")) and not list(tmp_path.rglob("*.pth"))


def test_a_server_that_never_answers_ends_in_a_sentence_and_the_default_network(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setattr(weights, "TIMEOUT_S", 1.0)  # the app's setting, shortened: the server never answers
    with stalling_server() as (url, accepted, _):
        monkeypatch.setenv(MIRROR_ENV, url)
        at = open_page("views/feature_maps.py")
        at.selectbox(key="explorer_model").set_value("resnet18").run()
        assert accepted.is_set()
    assert not at.exception
    assert at.error[0].value.startswith("The server for ResNet-18's weights did not answer within 1 second;")
    assert "Showing EfficientNet-Lite0 instead" in at.error[0].value
    assert len(at.get("plotly_chart")) == 2, "the page goes on with the default network"
    assert not list(tmp_path.rglob("*.partial"))


def test_try_the_download_again_replaces_a_damaged_cached_file(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    name, data = checkpoint_spec(monkeypatch)
    target = cached_path(get_spec(name).weights_url)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"PK\x03\x04 damaged")
    requests: list[str] = []

    with serve(bytes_handler(data, requests)) as url:
        monkeypatch.setenv(MIRROR_ENV, url)
        at = open_page("views/feature_maps.py")
        at.selectbox(key="explorer_model").set_value(name).run()
        assert not at.exception
        assert "could not be read (the file is damaged), so the file was deleted" in at.error[0].value
        assert requests == [] and not target.exists()
        at.button(key="explorer_model_retry").click().run()
    assert not at.exception and not at.error
    assert requests == [f"/models/{target.name}"] and target.read_bytes() == data
    assert at.selectbox(key="fm_layer").value == "conv1"
    reference = torch.load(target, weights_only=True)["conv1.weight"]
    assert torch.equal(cached_model(name).module.conv1.weight.cpu(), reference)


@pytest.mark.parametrize("value", ["nonsense", "cuda:7", "**cuda** [x](http://127.0.0.1:9/)"])
def test_a_device_that_is_not_there_is_a_sentence_in_the_badge_and_the_cpu_computes(value, monkeypatch):
    from explorer.device import default_device

    monkeypatch.setenv("EXPLORER_DEVICE", value)
    default_device.cache_clear()
    try:
        at = open_page("views/kernel_lab.py")
        assert not at.exception and not at.error
        assert any("Computing on CPU" in badge.value for badge in at.sidebar.markdown)
        choice = default_device()
        assert choice.device == torch.device("cpu") and choice.reason.startswith("EXPLORER_DEVICE=")
        assert literal(f"Why: {choice.reason}.") in [caption.value for caption in at.sidebar.caption]
    finally:
        monkeypatch.delenv("EXPLORER_DEVICE")
        default_device.cache_clear()
