"""Weights download on demand from a server (here a local one on 127.0.0.1), checked and cached safely."""

from __future__ import annotations

import hashlib
import http.server
import threading
from pathlib import Path

import pytest
import torch
from torchvision import models as tv

from explorer.errors import ExplorerError
from explorer.models import get_spec, load_model
from explorer.models.weights import MIRROR_ENV, cached_path, ensure_weights, is_cached

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB of known bytes
GOOD_NAME = f"tiny-{hashlib.sha256(PAYLOAD).hexdigest()[:8]}.pth"
BAD_NAME = "tiny-00000000.pth"


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves PAYLOAD at any path; /cut/... promises all of it but stops a quarter of the way."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        body = PAYLOAD[: len(PAYLOAD) // 4] if self.path.startswith("/cut/") else PAYLOAD
        self.wfile.write(body)
        self.wfile.flush()
        if self.path.startswith("/cut/"):
            self.close_connection = True

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return tmp_path / "torch" / "hub" / "checkpoints"


def cache_files(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_download_reports_progress_verifies_and_caches(server, private_cache):
    seen: list[tuple[int, int | None]] = []
    path = ensure_weights(
        f"{server}/models/{GOOD_NAME}", "Tiny", progress=lambda done, total: seen.append((done, total))
    )
    assert path.read_bytes() == PAYLOAD and is_cached(f"https://elsewhere/{GOOD_NAME}")
    assert seen[0] == (0, len(PAYLOAD)) and seen[-1] == (len(PAYLOAD), len(PAYLOAD))
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert cache_files(private_cache) == [GOOD_NAME]


def test_cached_weights_are_not_downloaded_again(private_cache):
    private_cache.mkdir(parents=True)
    (private_cache / GOOD_NAME).write_bytes(b"already here")
    assert ensure_weights(f"http://127.0.0.1:9/{GOOD_NAME}", "Tiny").read_bytes() == b"already here"


def test_a_file_with_the_wrong_hash_is_refused_and_not_cached(server, private_cache):
    with pytest.raises(ExplorerError, match="checksum does not match"):
        ensure_weights(f"{server}/models/{BAD_NAME}", "Tiny")
    assert cache_files(private_cache) == []


def test_an_interrupted_download_leaves_nothing_in_the_cache(server, private_cache):
    with pytest.raises(ExplorerError, match="Tiny"):
        ensure_weights(f"{server}/cut/{GOOD_NAME}", "Tiny")
    assert cache_files(private_cache) == []


def test_no_network_gives_a_clear_message_and_the_default_still_works(monkeypatch, private_cache):
    monkeypatch.setenv(MIRROR_ENV, "http://127.0.0.1:9")  # nothing listens on the discard port
    with pytest.raises(ExplorerError, match="Could not download the weights for ResNet-18"):
        load_model("resnet18")
    assert cache_files(private_cache) == []
    assert load_model().pretrained


def test_mirror_serving_wrong_bytes_for_a_real_model_is_refused(server, monkeypatch, private_cache):
    monkeypatch.setenv(MIRROR_ENV, server)
    with pytest.raises(ExplorerError, match="ResNet-18 are corrupt"):
        load_model("resnet18")
    assert cache_files(private_cache) == []


def test_weights_already_in_torchvisions_cache_load_without_network(monkeypatch, private_cache):
    monkeypatch.setenv(MIRROR_ENV, "http://127.0.0.1:9")
    torch.manual_seed(0)
    reference = tv.resnet18()
    target = cached_path(get_spec("resnet18").weights_url)
    target.parent.mkdir(parents=True)
    torch.save(reference.state_dict(), target)
    assert get_spec("resnet18").weights_on_disk()
    model = load_model("resnet18")
    assert torch.equal(model.module.conv1.weight, reference.conv1.weight)


def test_a_damaged_cached_file_is_a_sentence_not_a_traceback(private_cache):
    target = cached_path(get_spec("resnet18").weights_url)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not a checkpoint")
    with pytest.raises(ExplorerError, match="could not be read"):
        load_model("resnet18")
