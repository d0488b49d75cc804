"""Independent references shared by tests: Grad-CAM written out in plain torch."""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np
import torch

from explorer.images import LoadedImage
from explorer.models import LoadedModel


def grad_cam_by_hand(
    model: LoadedModel, image: LoadedImage, layer: str, classes: Sequence[int]
) -> dict[int, np.ndarray]:
    """Grad-CAM of each class at ``layer``'s resolution: its channels weighted by their mean gradient, summed,
    ReLU. One forward of a private copy of the network (the shared fixture never gets a hook)."""
    network = copy.deepcopy(model.module)
    kept: dict[str, torch.Tensor] = {}
    dict(network.named_modules())[layer].register_forward_hook(lambda _m, _i, out: kept.setdefault("acts", out))
    inputs = model.preprocess(image.image).requires_grad_(True)
    maps = {}
    with torch.enable_grad():
        scores = network(inputs)[0]
        for index in classes:
            (grads,) = torch.autograd.grad(scores[index], kept["acts"], retain_graph=True)
            weights = grads[0].mean(dim=(1, 2))
            maps[index] = torch.relu((weights[:, None, None] * kept["acts"][0]).sum(0)).detach().numpy()
    return maps
