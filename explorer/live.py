"""Live camera inference, free of any UI: one video frame in, its top-5 and a Grad-CAM overlay out.

Each frame goes through the network's own preprocessing (the shorter side scaled to 224, nothing
cropped: a 640x480 webcam frame becomes a 299x224 input), then through the shared network once, with
the one scoped hook of ``explorer.cam.gradients.layer_gradients`` (the model's lock is held for that
forward only), and is differentiated through the head alone for the top class's Grad-CAM. The map is
stretched over the frame and blended with ``explorer.drawing``, and the top class is written under it.

Each frame is computed on one CPU thread. A video is a steady load: on a shared, busy CPU two
OpenMP threads spend most of their time spinning while they wait for each other (measured here under
load: 500-600 CPU-ms per frame with two threads, 90 with one), and one thread per stream leaves the
other cores to the video codecs and to everybody else's pages.

Frames arrive faster than a CPU can explain them. ``newest`` keeps the newest of the frames that
queued up during the last computation and drops the rest, so the picture stays current instead of
falling further behind; ``FrameStats`` counts what was computed and what was skipped.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import cv2
import numpy as np
from PIL import Image
from threadpoolctl import ThreadpoolController

from explorer.cam.gradients import layer_gradients
from explorer.cam.methods import maps_from_gradients
from explorer.cam.targets import cam_layers, default_layer
from explorer.drawing import COLORMAPS, heatmap, overlay
from explorer.errors import ExplorerError
from explorer.models import LoadedModel, Prediction, top_predictions

TOP_K = 5
FrameT = TypeVar("FrameT")


@dataclass(frozen=True)
class LiveLook:
    """How the live overlay is drawn (changes nothing that is computed)."""

    opacity: float = 0.45
    colormap: str = "jet"


@dataclass(frozen=True)
class LiveFrame:
    """What the network made of one frame: its top-5 and the top class's Grad-CAM (h x w, in [0, 1])."""

    predictions: tuple[Prediction, ...]
    cam: np.ndarray

    @property
    def top(self) -> Prediction:
        """The most probable class."""
        return self.predictions[0]


def newest(frames: Sequence[FrameT]) -> tuple[FrameT, int]:
    """The newest of the frames that queued up, and how many older ones are skipped to stay current."""
    if not frames:
        raise ExplorerError("No video frame has arrived yet.")
    return frames[-1], len(frames) - 1


def check_frame(frame: np.ndarray) -> np.ndarray:
    """The frame as H x W x 3 uint8, or a plain error for anything that is not a colour picture."""
    picture = np.asarray(frame)
    if picture.ndim != 3 or picture.shape[2] != 3 or picture.dtype != np.uint8 or min(picture.shape[:2]) < 8:
        raise ExplorerError("The camera sent a frame that is not a colour picture; try another camera.")
    return picture


def caption_band(picture: np.ndarray, text: str) -> np.ndarray:
    """The picture with ``text`` in white on a dark band along its bottom edge (a new array)."""
    out = picture.copy()
    height, width = out.shape[:2]
    scale = max(0.4, width / 900)
    thickness = max(1, round(scale * 2))
    (_, text_height), baseline = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    band = min(height, text_height + baseline + 12)
    out[height - band :] = (out[height - band :].astype(np.uint16) * 2 // 5).astype(np.uint8)
    origin = (8, height - baseline - 6)
    cv2.putText(out, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), thickness, cv2.LINE_AA)
    return out


class LiveClassifier:
    """Explains video frames with a shared, read-only network: top-5 and the top class's Grad-CAM.

    Safe to call from several threads at once (each call has its own tensors; the model is never
    written to and no hook outlives the one forward of a call).
    """

    def __init__(self, model: LoadedModel, layer: str | None = None, top_k: int = TOP_K, threads: int = 1) -> None:
        self.model = model
        self.layer = layer or default_layer(cam_layers(model.module))
        self.top_k = top_k
        self.threads = threads
        self._thread_pools = ThreadpoolController()

    def classify(self, frame: np.ndarray) -> LiveFrame:
        """One forward and one backward through the head: the frame's top-5 and its top class's map."""
        picture = check_frame(frame)
        with self._thread_pools.limit(limits=self.threads, user_api="openmp"):  # this thread only
            inputs = self.model.preprocess(Image.fromarray(picture))
            captured = layer_gradients(self.model.module, inputs, self.layer, top_k=1)
        cam = maps_from_gradients("Grad-CAM", captured)[0].float().cpu().numpy()
        return LiveFrame(top_predictions(captured.logits, self.model.categories, self.top_k), cam)


def draw(frame: np.ndarray, result: LiveFrame, look: LiveLook = LiveLook()) -> np.ndarray:
    """The frame with the map stretched and blended over it, and the top class written under it."""
    if look.colormap not in COLORMAPS:
        raise ExplorerError(f"Unknown colour map '{look.colormap}': choose one of {', '.join(COLORMAPS)}.")
    picture = check_frame(frame)
    height, width = picture.shape[:2]
    blended = overlay(picture, heatmap(result.cam, (width, height)), look.opacity, look.colormap)
    return caption_band(blended, f"{result.top.label} {result.top.prob:.0%}")


@dataclass(frozen=True)
class LiveStats:
    """How the live view keeps up: frames computed, frames skipped, frames per second, ms per frame."""

    frames: int
    skipped: int
    fps: float
    ms_per_frame: float


class FrameStats:
    """Thread-safe counts of computed and skipped frames, with the rate over the last ``window`` frames."""

    def __init__(self, window: int = 30) -> None:
        self._lock = threading.Lock()
        self._finished: deque[float] = deque(maxlen=window)
        self._durations: deque[float] = deque(maxlen=window)
        self._frames = 0
        self._skipped = 0

    def record(self, started: float, finished: float, skipped: int = 0) -> None:
        """One frame computed from ``started`` to ``finished`` (seconds), after skipping ``skipped`` frames."""
        with self._lock:
            self._frames += 1
            self._skipped += skipped
            self._finished.append(finished)
            self._durations.append(finished - started)

    def snapshot(self) -> LiveStats:
        """The counts so far; fps over the recent frames (0 until two have finished)."""
        with self._lock:
            finished, durations = list(self._finished), list(self._durations)
            frames, skipped = self._frames, self._skipped
        span = finished[-1] - finished[0] if len(finished) > 1 else 0.0
        fps = (len(finished) - 1) / span if span > 0 else 0.0
        ms = 1000 * sum(durations) / len(durations) if durations else 0.0
        return LiveStats(frames, skipped, fps, ms)


def explain_frame(
    classifier: LiveClassifier, frame: np.ndarray, look: LiveLook, stats: FrameStats, skipped: int = 0
) -> tuple[LiveFrame, np.ndarray]:
    """Classify and draw one frame, recording in ``stats`` how long it took and how many were skipped."""
    started = time.perf_counter()
    result = classifier.classify(frame)
    picture = draw(frame, result, look)
    stats.record(started, time.perf_counter(), skipped)
    return result, picture
