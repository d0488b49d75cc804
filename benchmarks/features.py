"""All layers from one forward pass versus one pass per layer, and a layer switch versus a forward.

Run: ``python -m benchmarks.features``. Prints timings and ratios for the default model
(EfficientNet-Lite0, pretrained, ships with the app) and ResNet-18 (random weights: no download).
"A layer switch" is what the Feature maps page does when the user picks another layer: read the cached
run (shared as is through ``st.cache_resource``, no copy) and draw the channel grid.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import torch
from PIL import Image

from explorer.images import load_sample
from explorer.models import load_model
from explorer.network.capture import forward_capturing
from explorer.network.display import channel_grid
from explorer.network.features import channel_order, run_network


def best_of(function: Callable[[], object], repeats: int = 5) -> float:
    """The fastest of ``repeats`` runs, in seconds (after one warm-up run)."""
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def compare(name: str, pretrained: bool, image: Image.Image) -> None:
    """Time one model: plain forward, one capturing pass, one pass per layer, and a cached layer switch."""
    model = load_model(name, pretrained=pretrained)
    run = run_network(model, image)
    layers = run.names()

    def per_layer() -> None:
        with torch.no_grad():
            for layer in layers:
                x = model.preprocess(image)
                forward_capturing(model.module, x, [layer])[1][layer].cpu()

    def plain_forward() -> None:
        with torch.no_grad():
            model.module(model.preprocess(image))

    middle = layers[len(layers) // 2]

    def switch_layer() -> None:
        order = channel_order(run.stats[middle], "max")[:64]
        channel_grid(run.activations[middle], order, columns=8)

    one_pass = best_of(lambda: run_network(model, image))
    many = best_of(per_layer, repeats=1)
    plain = best_of(plain_forward)
    switch = best_of(switch_layer)
    size = sum(values.nbytes for values in run.activations.values())
    print(
        f"\n{model.title} ({'pretrained' if pretrained else 'random weights'}), {len(layers)} layers, "
        f"cached run {size / 1e6:.1f} MB"
    )
    print(f"  plain forward (predictions only)       {plain * 1000:8.1f} ms")
    print(f"  one pass, every layer captured          {one_pass * 1000:8.1f} ms")
    print(f"  one pass per layer ({len(layers)} passes)        {many * 1000:8.1f} ms")
    print(f"  layer switch from the cache + redraw    {switch * 1000:8.1f} ms")
    print(f"  ratio per-layer passes / one pass:      {many / one_pass:8.1f}x")
    print(f"  ratio one pass / plain forward:         {one_pass / plain:8.2f}x  (capture + copy to CPU cost)")
    print(f"  ratio one pass / cached layer switch:   {one_pass / switch:8.1f}x")


def main() -> None:
    """Compare the default model and ResNet-18 on the cat photo."""
    image = load_sample("chelsea").image
    print(f"image: chelsea {image.size[0]}x{image.size[1]}, torch threads: {torch.get_num_threads()}")
    for name, pretrained in (("efficientnet_lite0", True), ("resnet18", False)):
        compare(name, pretrained, image)


if __name__ == "__main__":
    main()
