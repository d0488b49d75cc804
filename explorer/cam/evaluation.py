"""Checking an explanation: pixel-level saliency, a randomised-weights sanity check, and faithfulness.

A CAM can look convincing and mean nothing. Two honest tests (Adebayo et al. 2018; Samek et al. 2017):
the same CAM from a network with random weights (if it looks alike, the map shows the photo's edges,
not what the network learned), and how much the class probability drops when the CAM's top region is
hidden, compared with hiding random regions of the same size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from explorer.cam.gradients import check_classes
from explorer.cam.maps import upsample
from explorer.device import friendly_oom
from explorer.errors import ExplorerError

FILLS = ("blur", "mean")
BATCH_SIZE = 2
"""Photos per forward when measuring faithfulness: like Score-CAM's batches, two at a time bound the memory
(all ten at once raised the server's peak by ~380 MB, four by ~170 MB)."""


def gradient_saliency(module: nn.Module, inputs: torch.Tensor, index: int) -> np.ndarray:
    """Vanilla gradient saliency: |d score / d pixel|, max over colour channels, scaled to [0, 1].

    The gradient is taken w.r.t. a fresh copy of the input, so the shared model is left untouched (no hook,
    so no lock).
    """
    pixels = inputs.detach().clone().requires_grad_(True)
    with friendly_oom(), torch.enable_grad():
        scores = module(pixels).reshape(-1)
        (index,) = check_classes([index], scores.numel())
        (grad,) = torch.autograd.grad(scores[index], pixels)
    saliency = grad[0].abs().amax(dim=0)
    top = torch.quantile(saliency.flatten().float(), 0.99)
    return (saliency / (top + 1e-12)).clamp(0, 1).cpu().numpy().astype(np.float32)


def map_similarity(first: np.ndarray, second: np.ndarray) -> float:
    """Pearson correlation of two maps (resized to the first one's grid): 1 alike, 0 unrelated."""
    a = torch.as_tensor(first, dtype=torch.float32)
    b = upsample(torch.as_tensor(second, dtype=torch.float32)[None], tuple(a.shape))[0]
    a, b = a.flatten() - a.mean(), b.flatten() - b.mean()
    denominator = float(a.norm() * b.norm())
    return float(a @ b) / denominator if denominator > 0 else 0.0


@dataclass(frozen=True)
class Faithfulness:
    """Class probability with nothing hidden, with the CAM's top region hidden, and with random regions."""

    fraction: float
    fill: str
    original: float
    cam_hidden: float
    random_hidden: tuple[float, ...]

    @property
    def cam_drop(self) -> float:
        """How much the probability fell when the CAM's region was hidden."""
        return self.original - self.cam_hidden

    @property
    def random_drop(self) -> float:
        """The average fall when random regions of the same size were hidden."""
        return self.original - float(np.mean(self.random_hidden))


def top_region(values: torch.Tensor, fraction: float) -> torch.Tensor:
    """A boolean mask of the ``fraction`` highest values of each H x W map (N x H x W in, out)."""
    flat = values.flatten(1)
    count = max(1, round(fraction * flat.shape[1]))
    mask = torch.zeros_like(flat, dtype=torch.bool)
    mask.scatter_(1, flat.topk(count, dim=1).indices, True)
    return mask.view_as(values)


def random_regions(draws: int, size: tuple[int, ...], fraction: float, seed: int, device: torch.device) -> torch.Tensor:
    """Seeded random blobs: smooth noise upsampled to ``size``, its top ``fraction`` kept."""
    generator = torch.Generator().manual_seed(seed)
    noise = torch.rand(draws, 7, 7, generator=generator).to(device)
    return top_region(upsample(noise, size), fraction)


def gaussian_blur(images: torch.Tensor, size: int, sigma: float) -> torch.Tensor:
    """Each channel of NxCxHxW ``images`` blurred by a ``size`` x ``size`` Gaussian (odd ``size``, edges
    mirrored): torchvision's ``gaussian_blur``, written here so the server need not import torchvision."""
    offsets = torch.arange(size, dtype=images.dtype, device=images.device) - (size - 1) / 2
    weights = torch.exp(-0.5 * (offsets / sigma) ** 2)
    weights = weights / weights.sum()
    channels = images.shape[1]
    padded = F.pad(images, [size // 2] * 4, mode="reflect")
    rows = F.conv2d(padded, weights.view(1, 1, 1, size).expand(channels, 1, 1, size), groups=channels)
    return F.conv2d(rows, weights.view(1, 1, size, 1).expand(channels, 1, size, 1), groups=channels)


def faithfulness(
    module: nn.Module,
    inputs: torch.Tensor,
    cam: np.ndarray,
    index: int,
    fraction: float = 0.2,
    fill: str = "blur",
    draws: int = 8,
    seed: int = 0,
) -> Faithfulness:
    """Hide the CAM's top ``fraction`` of pixels (blurred or filled with the mean), then ``draws``
    random regions of the same size, and measure the class probability each time in one batch.
    """
    if fill not in FILLS:
        raise ExplorerError(f"Unknown fill '{fill}': use one of {', '.join(FILLS)}.")
    if not 0 < fraction < 1:
        raise ExplorerError("The hidden fraction must be between 0 and 1 (for example 0.2 for 20%).")
    size = tuple(inputs.shape[-2:])
    cam_map = upsample(torch.as_tensor(cam, dtype=torch.float32, device=inputs.device)[None], size)
    regions = torch.cat([top_region(cam_map, fraction), random_regions(draws, size, fraction, seed, inputs.device)])
    if fill == "blur":
        sigma = max(size) / 20
        kernel = int(2 * round(3 * sigma) + 1)
        kernel = min(kernel, 2 * (min(size) // 2) - 1)
        filler = gaussian_blur(inputs, kernel, sigma)
    else:
        filler = inputs.mean(dim=(2, 3), keepdim=True).expand_as(inputs)
    photos = torch.cat([inputs, torch.where(regions[:, None], filler, inputs)])
    with torch.no_grad(), friendly_oom():
        logits = torch.cat([module(photos[start : start + BATCH_SIZE]) for start in range(0, len(photos), BATCH_SIZE)])
        probabilities = F.softmax(logits.float(), dim=1)
    (index,) = check_classes([index], probabilities.shape[1])
    values = probabilities[:, index].cpu().tolist()
    return Faithfulness(fraction, fill, values[0], values[1], tuple(values[2:]))
