"""Grad-CAM speed against its peers, on one ResNet-18 (random weights, seeded), 1x3x224x224, same threads.

Times a plain no-grad forward, our Grad-CAM, torchcam's GradCAM, pytorch-grad-cam's GradCAM, and our
CAMs of the top-5 classes from one forward. Every CAM includes upsampling to 224x224 where the
library does it (ours and pytorch-grad-cam; torchcam returns the 7x7 map). Prints medians as ratios.

    python benchmarks/cam.py [--repeats 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import torch
import torchvision

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explorer.cam.methods import layer_gradients, maps_from_gradients, upsample


def median_seconds(runs: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median wall time of each run, interleaved round by round so a busy machine slows all alike."""
    for run in runs.values():
        run()
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    from pytorch_grad_cam import GradCAM as PgcGradCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    from torchcam.methods import GradCAM as TorchcamGradCAM

    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None).eval()
    inputs = torch.randn(1, 3, 224, 224)
    layer, target = "layer4", 1
    size = (224, 224)

    def forward() -> object:
        with torch.no_grad():
            return model(inputs)

    def ours() -> object:
        captured = layer_gradients(model, inputs, layer, [target])
        return upsample(maps_from_gradients("Grad-CAM", captured), size)

    def top5() -> object:
        captured = layer_gradients(model, inputs, layer, None, top_k=5)
        return upsample(maps_from_gradients("Grad-CAM", captured), size)

    def torchcam() -> object:
        with TorchcamGradCAM(model, layer) as extractor:
            return extractor(target, model(inputs))

    def pytorch_grad_cam() -> object:
        with PgcGradCAM(model=model, target_layers=[model.layer4]) as cam:
            return cam(input_tensor=inputs, targets=[ClassifierOutputTarget(target)])

    runs = {"forward": forward, "ours": ours, "torchcam": torchcam, "pgc": pytorch_grad_cam, "top5": top5}
    times = median_seconds(runs, args.repeats)
    print(f"threads={torch.get_num_threads()} repeats={args.repeats} device=cpu")
    for name, seconds in times.items():
        print(f"{name:>9}: {seconds * 1000:8.2f} ms")
    print(
        f"cam: ours/forward={times['ours'] / times['forward']:.2f} "
        f"ours/torchcam={times['ours'] / times['torchcam']:.2f} "
        f"ours/pytorch-grad-cam={times['ours'] / times['pgc']:.2f} top5/forward={times['top5'] / times['forward']:.2f}"
    )


if __name__ == "__main__":
    main()
