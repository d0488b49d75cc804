"""Faults in the running app (AppTest): a GPU out of memory is one sentence and the next request works;
a crafted checkpoint chosen from the model list runs no code and gets one sentence."""

from __future__ import annotations

import pytest
import torch

from explorer.models import DEFAULT_MODEL, get_spec
from explorer.models.weights import cached_path
from tests.app.conftest import open_page
from tests.models.test_safe_weights import Payload
from ui import grad_cam as glue
from ui.models import cached_model
from ui.network import cached_run


@pytest.fixture
def out_of_memory_once(monkeypatch):
    """The shared network's next forward fails as a full GPU does; torch.cuda.empty_cache calls are counted."""
    emptied: list[int] = []
    real_empty_cache = torch.cuda.empty_cache
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: (emptied.append(1), real_empty_cache())[1])
    left = [1]

    def fail(*_args: object) -> None:
        if left:
            left.pop()
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    handle = cached_model(DEFAULT_MODEL).module._conv_stem.register_forward_pre_hook(fail)
    try:
        yield emptied
    finally:
        handle.remove()


@pytest.mark.parametrize("page", ["views/grad_cam.py", "views/feature_maps.py"])
def test_out_of_memory_is_a_sentence_and_the_next_request_works(page, out_of_memory_once):
    for cached in (glue.ranking, glue.gradients, cached_run):
        cached.clear()  # a photo nobody has run yet, so the page needs a forward
    at = open_page(page)
    assert not at.exception
    assert "ran out of memory" in at.error[0].value and "smaller photo or a lighter model" in at.error[0].value
    assert out_of_memory_once, "the CUDA cache was emptied (a no-op without CUDA)"
    at.run()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 2


def test_choosing_a_model_whose_cached_file_is_crafted_runs_no_code(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    marker = tmp_path / "code-ran"
    target = cached_path(get_spec("resnet18").weights_url)
    target.parent.mkdir(parents=True)
    torch.save({"conv1.weight": Payload(marker)}, target)
    at = open_page("views/feature_maps.py")
    at.selectbox(key="explorer_model").set_value("resnet18").run()
    assert not at.exception
    assert len(at.error) == 1 and at.error[0].value.startswith("The saved weights for ResNet-18 could not be read")
    assert "Showing EfficientNet-Lite0 instead" in at.error[0].value
    assert not marker.exists()
