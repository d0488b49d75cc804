"""Score-CAM (Wang et al. 2020), the gradient-free method: no backward pass at all.

Each channel of the layer becomes a mask over the photo; the network scores the photo seen only through
that mask, and the softmax of those scores over channels weights the channels. It implements the small
``GradientFreeMethod`` interface (see ``cam.methods``): given the layer's activations it returns raw maps,
running its masked forwards without hooks, so without the model's lock.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from explorer.cam.maps import upsample
from explorer.device import friendly_oom
from explorer.drawing import to_unit

MAX_CHANNELS = 64
"""Only this many channels (those with the widest activation range) are tried; the rest get weight 0."""
BATCH_SIZE = 2
"""Masked photos per forward. Each costs its whole forward's activations at once (about 40 MB for
EfficientNet-Lite0 on a 337x224 input): in the running app 16 raised the server's peak by ~590 MB and 4
by ~250 MB, over the 200 MB a single click may cost; batches gain nothing in speed on a CPU."""
Progress = Callable[[float], None]
"""Called with the share of the work done, from 0 to 1."""
WHY_BORDER = (
    "Score-CAM weighs each channel by how well the photo, seen only through that channel's mask, keeps the "
    "class score. Channels that light up along the edges of the photo (where the network's zero padding sits) "
    "can keep the score as well as any other, so its map can sit on the border even when the object is in "
    "the middle."
)


def score_cam(
    module: nn.Module,
    inputs: torch.Tensor,
    activations: torch.Tensor,
    classes: tuple[int, ...],
    progress: Progress | None = None,
    max_channels: int = MAX_CHANNELS,
    batch_size: int = BATCH_SIZE,
) -> torch.Tensor:
    """Raw K x h x w Score-CAM maps of ``classes`` from the layer's C x h x w ``activations``.

    Cost and memory are bounded: the strongest ``max_channels`` channels are chosen first, and only
    ``batch_size`` of them are upsampled to the photo's size at a time; ``progress`` hears after each batch.
    """
    with torch.no_grad(), friendly_oom():
        spread = activations.flatten(1).amax(1) - activations.flatten(1).amin(1)
        chosen = spread.topk(min(max_channels, activations.shape[0])).indices
        chosen = chosen[spread[chosen] > 0]
        picked = torch.tensor(classes, device=inputs.device)
        channel_scores = []
        for start in range(0, len(chosen), batch_size):
            masks = upsample(to_unit(activations[chosen[start : start + batch_size]]), tuple(inputs.shape[-2:]))
            channel_scores.append(module(inputs * masks[:, None])[:, picked])
            if progress is not None:
                progress(min(1.0, (start + batch_size) / len(chosen)))
        weights = torch.zeros(len(classes), activations.shape[0], device=activations.device)
        if channel_scores:
            weights[:, chosen] = torch.softmax(torch.cat(channel_scores).T.float(), dim=1)
        return torch.einsum("kc,chw->khw", weights, activations.float())
