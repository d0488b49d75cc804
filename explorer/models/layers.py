"""Layers shared by the bundled architectures: TensorFlow-style "same" convolution."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class Conv2dSame(nn.Conv2d):
    """A Conv2d with TensorFlow's "same" padding: output size is ceil(input / stride).

    The padding depends on the input size, so it is computed in ``forward``; ``self.padding`` stays 0.
    When the total is odd, the extra zero goes on the bottom/right, as TensorFlow does.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pad_h = same_padding(x.shape[-2], self.kernel_size[0], self.stride[0], self.dilation[0])
        pad_w = same_padding(x.shape[-1], self.kernel_size[1], self.stride[1], self.dilation[1])
        if pad_h or pad_w:
            x = F.pad(x, [pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2])
        return super().forward(x)


def same_padding(size: int, kernel: int, stride: int, dilation: int) -> int:
    """Total zeros (both sides together) that make the output ceil(size / stride) long."""
    out = math.ceil(size / stride)
    return max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
