"""How long the lesson hand-out takes to make, in CPU-seconds of this process, step by step.

Run: ``python -m benchmarks.lesson``. For the default model (EfficientNet-Lite0) on each sample photo:
the whole ``build_lesson`` (two kernels, one forward for the predictions and every feature map, the
Grad-CAMs, the random-weights sanity check) and the PDF layout, next to one plain forward pass for scale.
CPU-seconds count every thread of the process, so they hold on a shared machine where wall time swings.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import torch

from explorer.handout.lesson import build_lesson
from explorer.handout.pdf import lesson_pdf
from explorer.images import load_sample
from explorer.models import load_model

T = TypeVar("T")


def cpu_seconds(function: Callable[[], T], repeats: int = 3) -> tuple[float, T]:
    """The median CPU time of ``repeats`` runs (after one warm-up) and the last result."""
    result = function()
    times = []
    for _ in range(repeats):
        start = time.process_time()
        result = function()
        times.append(time.process_time() - start)
    return sorted(times)[len(times) // 2], result


def main() -> None:
    """Print the lesson's CPU time for two sample photos."""
    model = load_model()
    torch.manual_seed(0)
    random_model = load_model(pretrained=False)
    print(f"torch threads: {torch.get_num_threads()}")
    for sample in ("chelsea", "coffee"):
        image = load_sample(sample)
        inputs = model.preprocess(image.image)
        with torch.no_grad():
            forward, _ = cpu_seconds(partial(model.module, inputs))
        build, lesson = cpu_seconds(partial(build_lesson, image, model, random_model))
        layout, pdf = cpu_seconds(partial(lesson_pdf, lesson))
        print(
            f"{sample} {image.size[0]}x{image.size[1]}: lesson {build:.2f} CPU-s + PDF {layout:.2f} CPU-s "
            f"({len(pdf) / 1e6:.2f} MB); one plain forward {forward:.2f} CPU-s; "
            f"lesson/forward = {(build + layout) / forward:.1f}"
        )


if __name__ == "__main__":
    main()
