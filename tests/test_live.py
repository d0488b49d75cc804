"""Live camera inference without a UI: the top-5 and Grad-CAM of a video frame are the network's own,
the map follows the object across the frame, the overlay is drawn over the whole frame, the shared
model is left untouched by frames from many threads, and frames that queue up are skipped."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from explorer.errors import ExplorerError
from explorer.live import FrameStats, LiveClassifier, LiveLook, draw, explain_frame, newest
from explorer.models import LoadedModel, load_model
from explorer.network.capture import hook_count

CATS = {"Egyptian cat", "tabby", "tiger cat", "lynx", "Persian cat", "Siamese cat"}


@pytest.fixture(scope="module")
def live(lite0: LoadedModel) -> LiveClassifier:
    return LiveClassifier(lite0)


@pytest.fixture(scope="module")
def own_lite0() -> LoadedModel:
    """A private copy of the default network, for checks that hook or differentiate it themselves."""
    return load_model()


def on_canvas(photo: Image.Image, left: int, size: tuple[int, int] = (640, 480), height: int = 240) -> np.ndarray:
    """A webcam-like frame: ``photo`` scaled to ``height`` rows on mid-grey, its left edge at ``left``."""
    scaled = np.asarray(photo.resize((round(photo.width * height / photo.height), height)))
    frame = np.full((size[1], size[0], 3), 128, dtype=np.uint8)
    top = (size[1] - height) // 2
    frame[top : top + height, left : left + scaled.shape[1]] = scaled
    return frame


def reference_probabilities(model: LoadedModel, frame: np.ndarray) -> torch.Tensor:
    """Softmax of a plain forward of the whole frame: shorter side resized to 224, normalised by hand
    with the network's own mean and deviation (EfficientNet-Lite scales pixels to [-1, 1])."""
    height, width = frame.shape[:2]
    scale = 224 / min(height, width)
    pixels = torch.from_numpy(frame.copy()).permute(2, 0, 1)[None].float() / 255
    pixels = F.interpolate(pixels, size=(round(height * scale), round(width * scale)), mode="bilinear", antialias=True)
    mean = torch.tensor(model.spec.preprocessing.mean)[:, None, None]
    std = torch.tensor(model.spec.preprocessing.std)[:, None, None]
    inputs = (pixels.clamp(0, 1) - mean) / std
    with torch.no_grad():
        return torch.softmax(model.module(inputs.to(model.device)).reshape(-1), dim=0).cpu()


def test_a_frames_top5_is_a_plain_forward_of_the_whole_frame(live, lite0, chelsea, coffee):
    for photo, expected in ((chelsea, CATS), (coffee, {"espresso"})):
        frame = photo.to_array()
        result = live.classify(frame)
        probabilities = reference_probabilities(lite0, frame)
        values, indices = probabilities.topk(5)
        assert [p.index for p in result.predictions] == indices.tolist() and result.top.label in expected
        assert np.allclose([p.prob for p in result.predictions], values.numpy(), atol=1e-4)


def test_the_map_is_pytorch_grad_cams_for_the_top_class(chelsea):
    from pytorch_grad_cam import GradCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    model = load_model()  # pytorch-grad-cam differentiates into the weights: a copy of its own
    result = LiveClassifier(model).classify(chelsea.to_array())
    assert hook_count(model.module) == 0
    model.module.requires_grad_(True)
    inputs = model.preprocess(chelsea.image)
    with GradCAM(model=model.module, target_layers=[model.module._head_act]) as extractor:
        theirs = extractor(input_tensor=inputs, targets=[ClassifierOutputTarget(result.top.index)])[0]
    ours = F.interpolate(torch.from_numpy(result.cam)[None, None], size=theirs.shape, mode="bilinear")[0, 0]
    assert result.cam.shape == (7, 11) and result.cam.max() == pytest.approx(1.0)
    assert np.corrcoef(ours.flatten().numpy(), theirs.flatten())[0, 1] > 0.99


def test_the_map_follows_the_cat_across_the_frame(live, chelsea):
    centres = []
    for left in (0, 640 - 361):  # the cat at the left edge, then at the right edge (361 px wide)
        frame = on_canvas(chelsea.image, left)
        result = live.classify(frame)
        assert result.top.label in CATS
        heat = np.asarray(Image.fromarray(result.cam).resize((640, 480), Image.Resampling.BILINEAR))
        centre = float((heat.sum(axis=0) * np.arange(640)).sum() / heat.sum())
        assert left <= centre <= left + 361
        centres.append(centre)
    assert centres[1] - centres[0] > 150


def test_the_overlay_covers_the_whole_frame_and_names_the_top_class_under_it(live, coffee):
    frame = on_canvas(coffee.image, 100)
    result = live.classify(frame)
    clear = draw(frame, result, LiveLook(opacity=0.0))
    assert clear.shape == frame.shape
    changed = np.flatnonzero((clear != frame).any(axis=(1, 2)))
    band = int(changed.min())
    assert band > 440 and list(changed) == list(range(band, 480)), "at opacity 0 only a band along the bottom changes"
    assert (clear[band:] > 240).all(axis=2).any(), "the top class is written in white"
    assert (frame[band:] < 200).all()
    covered = draw(frame, result, LiveLook(opacity=1.0, colormap="jet"))
    heat = Image.fromarray(result.cam).resize((640, 480), Image.Resampling.BILINEAR)
    peak = np.unravel_index(np.argmax(heat), (480, 640))
    assert covered[peak][0] >= 128 and covered[peak][1:].max() <= 8, "the hottest point in jet's dark red"


def test_frames_from_many_threads_leave_the_shared_model_as_it_was(live, lite0, chelsea, coffee):
    frames = [chelsea.to_array(), coffee.to_array()] * 3
    alone = [live.classify(frame).top.index for frame in frames]
    threads_before = torch.get_num_threads()
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = [result.top.index for result in pool.map(live.classify, frames)]
    assert together == alone
    assert hook_count(lite0.module) == 0
    assert not lite0.module.training
    assert all(p.grad is None and not p.requires_grad for p in lite0.module.parameters())
    assert torch.get_num_threads() == threads_before


def test_each_frame_runs_on_one_cpu_thread_without_changing_the_callers(own_lite0, chelsea):
    single, double = LiveClassifier(own_lite0), LiveClassifier(own_lite0, threads=2)
    seen: list[int] = []
    handle = own_lite0.module._fc.register_forward_hook(lambda *_: seen.append(torch.get_num_threads()))
    try:
        before = torch.get_num_threads()
        single.classify(chelsea.to_array())
        double.classify(chelsea.to_array())
    finally:
        handle.remove()
    assert seen == [1, 2] and torch.get_num_threads() == before


def test_queued_frames_give_way_to_the_newest():
    assert newest(["first", "second", "third"]) == ("third", 2)
    assert newest(["only"]) == ("only", 0)
    with pytest.raises(ExplorerError, match="No video frame"):
        newest([])


def test_frame_stats_count_frames_skips_and_the_recent_rate():
    stats = FrameStats(window=4)
    assert stats.snapshot().fps == 0.0
    for second in range(6):  # one frame a second, each taking 0.25 s, two skipped before each
        stats.record(second, second + 0.25, skipped=2)
    snapshot = stats.snapshot()
    assert (snapshot.frames, snapshot.skipped) == (6, 12)
    assert snapshot.fps == pytest.approx(1.0) and snapshot.ms_per_frame == pytest.approx(250.0)


def test_explaining_a_frame_records_it(live, chelsea):
    stats = FrameStats()
    result, picture = explain_frame(live, chelsea.to_array(), LiveLook(), stats, skipped=3)
    assert result.top.label in CATS and picture.shape == chelsea.to_array().shape
    assert (stats.snapshot().frames, stats.snapshot().skipped) == (1, 3)


@pytest.mark.parametrize(
    "frame",
    [np.zeros((480, 640), np.uint8), np.zeros((480, 640, 4), np.uint8), np.zeros((480, 640, 3)), np.zeros((4, 4, 3))],
)
def test_a_frame_that_is_not_a_colour_picture_gets_one_sentence(live, frame):
    with pytest.raises(ExplorerError, match="not a colour picture"):
        live.classify(frame)


def test_an_unknown_colour_map_gets_one_sentence(live, chelsea):
    result = live.classify(chelsea.to_array())
    with pytest.raises(ExplorerError, match="Unknown colour map 'rainbow'"):
        draw(chelsea.to_array(), result, LiveLook(colormap="rainbow"))
