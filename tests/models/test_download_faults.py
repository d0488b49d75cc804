"""Downloads that go wrong on a shared server: stalls, trickles, kills, damaged files, odd mirrors.

Every server here is a real one on 127.0.0.1 (a stalling one that accepts and never answers, a trickling
one that sends a kilobyte at a time, one that redirects to file://), and a killed download is a real
process killed with SIGKILL.
"""

from __future__ import annotations

import dataclasses
import hashlib
import http.server
import io
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from explorer.errors import ExplorerError
from explorer.models import MODELS, get_spec, load_model
from explorer.models.weights import MIRROR_ENV, cached_path, clean_partial_downloads, ensure_weights
from tests.conftest import ROOT
from tests.local_servers import bytes_handler, serve, stalling_server
from tests.models.test_weights import GOOD_NAME, PAYLOAD, cache_files

TRICKLE_GAP_S = 0.25


class Trickle(http.server.BaseHTTPRequestHandler):
    """Promises PAYLOAD, then sends it one kilobyte at a time, TRICKLE_GAP_S apart (about 4 KB/s)."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        try:
            for start in range(0, len(PAYLOAD), 1024):
                self.wfile.write(PAYLOAD[start : start + 1024])
                self.wfile.flush()
                time.sleep(TRICKLE_GAP_S)  # the server being slow, not the test waiting
        except OSError:
            pass  # the client gave up

    def log_message(self, *_args: object) -> None:
        pass


class ToFile(http.server.BaseHTTPRequestHandler):
    """Redirects every request to a file:// address."""

    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", "file:///etc/passwd")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def trickle() -> Iterator[str]:
    with serve(Trickle) as url:
        yield url


@pytest.fixture
def stall() -> Iterator[tuple[str, threading.Event, threading.Event]]:
    with stalling_server() as server:
        yield server


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return tmp_path / "torch" / "hub" / "checkpoints"


def test_a_server_that_accepts_and_never_answers_times_out_with_a_sentence(stall, private_cache):
    url, _, _ = stall
    with pytest.raises(ExplorerError, match=r"^The server for Tiny's weights did not answer within 1 second;"):
        ensure_weights(f"{url}/{GOOD_NAME}", "Tiny", timeout=1)
    assert cache_files(private_cache) == []


def test_a_trickling_mirror_is_given_up_at_the_overall_deadline(trickle, private_cache):
    seen: list[int] = []
    with pytest.raises(ExplorerError, match=r"^The download of Tiny's weights took longer than 2 seconds"):
        ensure_weights(f"{trickle}/{GOOD_NAME}", "Tiny", lambda done, _: seen.append(done), timeout=5, deadline=2)
    assert 0 < seen[-1] < len(PAYLOAD) // 10, "bytes kept coming, each read well inside the per-read timeout"
    assert cache_files(private_cache) == []


def test_one_stalled_download_does_not_hold_up_another(stall, private_cache):
    from tests.models.test_weights import Handler

    url, accepted, release = stall
    outcome: list[BaseException] = []

    def stuck() -> None:
        try:
            ensure_weights(f"{url}/stalled-00000000.pth", "Stalled", timeout=120)
        except ExplorerError as error:
            outcome.append(error)

    waiting = threading.Thread(target=stuck)
    waiting.start()
    assert accepted.wait(60), "the stalled download reached its server"
    with serve(Handler) as good:
        assert ensure_weights(f"{good}/{GOOD_NAME}", "Tiny").read_bytes() == PAYLOAD
    assert waiting.is_alive(), "the other download finished while this one was still stuck"
    release.set()  # the stalling server hangs up
    waiting.join(60)
    assert "Could not download the weights for Stalled" in str(outcome[0])
    assert cache_files(private_cache) == [GOOD_NAME]


KILLED_DOWNLOAD = """
import sys
from explorer.models.weights import ensure_weights
ensure_weights(sys.argv[1], "Tiny")
"""


def test_a_download_killed_midway_leaves_no_partial_file_once_started_again(trickle, private_cache):
    process = subprocess.Popen([sys.executable, "-c", KILLED_DOWNLOAD, f"{trickle}/{GOOD_NAME}"], cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while not any(path.stat().st_size > 0 for path in private_cache.glob("*.partial")):
            assert process.poll() is None and time.monotonic() < deadline, "the download never started writing"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    stale = list(private_cache.glob(".*.partial"))
    assert len(stale) == 1, "a killed download leaves its partial file"
    started_again = subprocess.run(
        [sys.executable, "-c", "import ui.models"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert started_again.returncode == 0, started_again.stderr
    assert cache_files(private_cache) == [], "the app's start removed the partial file of the dead process"


def test_the_partial_file_of_a_download_still_running_is_left_alone(private_cache):
    private_cache.mkdir(parents=True)
    live = private_cache / f".{GOOD_NAME}.{os.getpid()}.abc.partial"
    live.write_bytes(b"half")
    assert clean_partial_downloads() == []
    assert live.exists()


@pytest.mark.parametrize("mirror", ["file:///tmp", "ftp://127.0.0.1/models", "127.0.0.1:8000", "javascript:x"])
def test_mirrors_are_http_or_https_only(mirror, monkeypatch, private_cache):
    monkeypatch.setenv(MIRROR_ENV, mirror)
    with pytest.raises(ExplorerError, match=rf"^{MIRROR_ENV} must be an http:// or https:// address, not '"):
        ensure_weights(f"https://download.pytorch.org/models/{GOOD_NAME}", "Tiny")
    assert cache_files(private_cache) == []


def test_a_redirect_to_a_local_file_is_not_followed(private_cache):
    with serve(ToFile) as url, pytest.raises(ExplorerError, match="Could not download the weights for Tiny"):
        ensure_weights(f"{url}/{GOOD_NAME}", "Tiny")
    assert cache_files(private_cache) == []


def checkpoint_spec(monkeypatch: pytest.MonkeyPatch) -> tuple[str, bytes]:
    """A ResNet-18 entry whose download is a real checkpoint (seeded random weights) named by its own hash.

    Its registry name is new on every call, so no network cached by an earlier test stands in for it.
    """
    torch.manual_seed(3)
    buffer = io.BytesIO()
    torch.save(load_model("resnet18", pretrained=False).module.state_dict(), buffer)
    data = buffer.getvalue()
    name = f"resnet18-{hashlib.sha256(data).hexdigest()[:8]}.pth"
    unique = f"resnet18_seeded_{uuid.uuid4().hex[:8]}"
    spec = dataclasses.replace(get_spec("resnet18"), name=unique, title="Seeded ResNet-18")
    spec = dataclasses.replace(spec, weights_url=f"https://download.pytorch.org/models/{name}")
    monkeypatch.setitem(MODELS, spec.name, spec)
    return spec.name, data


def test_a_damaged_cached_file_is_deleted_so_the_next_try_downloads_it_afresh(monkeypatch, private_cache):
    name, data = checkpoint_spec(monkeypatch)
    target = cached_path(get_spec(name).weights_url)
    target.parent.mkdir(parents=True)
    target.write_bytes(data[: len(data) // 2])  # cut off, as by a full disk or a bad copy
    with pytest.raises(ExplorerError, match="could not be read .* so the file was deleted; try again"):
        load_model(name)
    assert not target.exists()

    with serve(bytes_handler(data)) as url:
        monkeypatch.setenv(MIRROR_ENV, url)
        model = load_model(name)
    reference = torch.load(io.BytesIO(data), weights_only=True)
    assert torch.equal(model.module.conv1.weight, reference["conv1.weight"].to(model.device))
    assert target.read_bytes() == data
