"""The models the app can explore: the offline default and the classic torchvision architectures.

Each model comes with its own preprocessing and class names. Preprocessing keeps the photo's aspect
ratio and never crops: the shorter side goes to the size the network was trained on, so every part of
the user's photo reaches the network and overlays map back onto the whole photo.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import pickle

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn
from torchvision import models as tv

from explorer.device import default_device, friendly_oom
from explorer.errors import ExplorerError
from explorer.models.efficientnet_lite import PIXEL_MEAN, PIXEL_STD, build_efficientnet_lite0, lite0_weights_path
from explorer.models.weights import ProgressCallback, ensure_weights, is_cached

DEFAULT_MODEL = "efficientnet_lite0"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class Preprocessing:
    """How a photo becomes the network's input: resize (aspect kept, no crop), then normalise."""

    short_side: int = 224
    max_long_side: int = 896
    min_side: int = 64
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    interpolation: str = "bilinear"

    def input_size(self, width: int, height: int) -> tuple[int, int]:
        """(width, height) of the tensor the network sees for a photo of this size."""
        scale = self.short_side / min(width, height)
        scale = min(scale, self.max_long_side / max(width, height))
        return (max(self.min_side, round(width * scale)), max(self.min_side, round(height * scale)))

    def __call__(self, image: Image.Image, device: torch.device) -> torch.Tensor:
        """A 1x3xHxW float32 tensor on ``device``."""
        pixels = torch.from_numpy(np.array(image.convert("RGB"), dtype=np.uint8)).to(device)
        x = pixels.permute(2, 0, 1).unsqueeze(0).float().div_(255.0)
        width, height = self.input_size(image.width, image.height)
        if (width, height) != image.size:
            x = F.interpolate(x, size=(height, width), mode=self.interpolation, antialias=True, align_corners=False)
            x = x.clamp_(0.0, 1.0)
        mean = torch.tensor(self.mean, device=device).view(1, 3, 1, 1)
        std = torch.tensor(self.std, device=device).view(1, 3, 1, 1)
        return (x - mean) / std

    def to_pixels(self, tensor: torch.Tensor) -> np.ndarray:
        """Undo the normalisation: the network's input as an H x W x 3 uint8 picture."""
        mean = torch.tensor(self.mean, device=tensor.device).view(1, 3, 1, 1)
        std = torch.tensor(self.std, device=tensor.device).view(1, 3, 1, 1)
        pixels = (tensor.detach() * std + mean).clamp(0, 1)[0].permute(1, 2, 0)
        return (pixels * 255).round().to(torch.uint8).cpu().numpy()


@dataclass(frozen=True)
class ModelSpec:
    """One entry of the registry: how to build the network and what it needs."""

    name: str
    title: str
    family: str
    year: int
    num_params: int
    build: Callable[[bool], nn.Module] = field(repr=False)
    preprocessing: Preprocessing
    weights_url: str | None = None
    blurb: str = ""

    @property
    def offline(self) -> bool:
        """True when the weights ship with the install (nothing to download)."""
        return self.weights_url is None

    def weights_on_disk(self) -> bool:
        """Whether the pretrained weights are already available without a download."""
        return lite0_weights_path().is_file() if self.offline else is_cached(self.weights_url)


@dataclass(frozen=True, eq=False)
class LoadedModel:
    """A ready network. ``module`` is shared by every session: never train it, hook it or write to it."""

    spec: ModelSpec
    module: nn.Module
    categories: tuple[str, ...]
    device: torch.device
    pretrained: bool

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def title(self) -> str:
        return self.spec.title

    def preprocess(self, image: Image.Image) -> torch.Tensor:
        """The photo as this network's 1x3xHxW input on its device (aspect kept, nothing cropped)."""
        return self.spec.preprocessing(image, self.device)

    def view_of(self, tensor: torch.Tensor) -> np.ndarray:
        """What the network sees, as an H x W x 3 uint8 picture."""
        return self.spec.preprocessing.to_pixels(tensor)


@dataclass(frozen=True)
class Prediction:
    """One class the network proposes, with its softmax probability."""

    label: str
    index: int
    prob: float


def imagenet_categories() -> tuple[str, ...]:
    """The 1000 ImageNet-1k class names, as shipped inside torchvision."""
    return tuple(tv.ResNet18_Weights.DEFAULT.meta["categories"])


def top_predictions(logits: torch.Tensor, categories: tuple[str, ...], k: int = 5) -> tuple[Prediction, ...]:
    """The ``k`` most probable classes for one image's logits, best first."""
    probs = torch.softmax(logits.detach().float().reshape(-1), dim=0)
    k = max(1, min(int(k), probs.numel()))
    values, indices = probs.topk(k)
    return tuple(Prediction(categories[i], i, float(p)) for p, i in zip(values.tolist(), indices.tolist()))


def _torchvision_build(name: str, extra: dict, pretrained: bool) -> nn.Module:
    weights = tv.get_model_weights(name).DEFAULT if pretrained else None
    return tv.get_model(name, weights=weights, **extra)


def _torchvision_spec(name: str, title: str, family: str, year: int, blurb: str, **extra: object) -> ModelSpec:
    weights = tv.get_model_weights(name).DEFAULT
    transform = weights.transforms()
    preprocessing = Preprocessing(
        short_side=int(transform.crop_size[0]),
        mean=tuple(transform.mean),
        std=tuple(transform.std),
        interpolation=transform.interpolation.value,
    )
    return ModelSpec(
        name, title, family, year, int(weights.meta["num_params"]), partial(_torchvision_build, name, extra),
        preprocessing, weights.url, blurb,
    )


_GOOGLENET = {"aux_logits": False, "transform_input": True, "init_weights": True}
MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            DEFAULT_MODEL, "EfficientNet-Lite0", "EfficientNet", 2020, 4_652_008, build_efficientnet_lite0,
            Preprocessing(mean=(PIXEL_MEAN,) * 3, std=(PIXEL_STD,) * 3), None,
            "Mobile-friendly EfficientNet: depthwise-separable blocks, ReLU6. Ships with the app: works offline.",
        ),
        _torchvision_spec("alexnet", "AlexNet", "AlexNet", 2012, "The 2012 network that started the deep-learning wave."),
        _torchvision_spec("vgg16", "VGG-16", "VGG", 2014, "Only 3x3 convolutions, stacked deep: simple and huge."),
        _torchvision_spec("resnet18", "ResNet-18", "ResNet", 2015, "Residual (skip) connections let gradients flow."),
        _torchvision_spec("resnet50", "ResNet-50", "ResNet", 2015, "Deeper ResNet with 1x1 bottleneck blocks."),
        _torchvision_spec("googlenet", "GoogLeNet", "Inception", 2014, "Inception blocks: 1x1, 3x3, 5x5 side by side.",
                          **_GOOGLENET),
        _torchvision_spec("mobilenet_v3_large", "MobileNetV3-Large", "MobileNet", 2019,
                          "Depthwise-separable convolutions and squeeze-excite, built for phones."),
        _torchvision_spec("densenet121", "DenseNet-121", "DenseNet", 2017, "Every layer sees all earlier layers' maps."),
        _torchvision_spec("efficientnet_b0", "EfficientNet-B0", "EfficientNet", 2019,
                          "Scaled depth, width and resolution together; swish and squeeze-excite."),
        _torchvision_spec("convnext_tiny", "ConvNeXt-Tiny", "ConvNeXt", 2022,
                          "A 2020s CNN borrowing ideas from vision transformers: 7x7 depthwise, LayerNorm."),
    )
}


def get_spec(name: str) -> ModelSpec:
    """The registry entry for ``name``, or a plain error listing the choices."""
    try:
        return MODELS[name]
    except KeyError:
        raise ExplorerError(f"There is no model called '{name}'; choose one of: {', '.join(MODELS)}.") from None


def load_model(
    name: str = DEFAULT_MODEL,
    *,
    pretrained: bool = True,
    device: torch.device | None = None,
    progress: ProgressCallback | None = None,
) -> LoadedModel:
    """Build ``name`` (downloading its weights first if needed) in eval mode on ``device``, frozen."""
    spec = get_spec(name)
    device = device or default_device().device
    if pretrained and spec.weights_url:
        ensure_weights(spec.weights_url, spec.title, progress)
    try:
        module = spec.build(pretrained)
    except (RuntimeError, OSError, EOFError, ValueError, pickle.UnpicklingError) as error:
        raise ExplorerError(
            f"The saved weights for {spec.title} could not be read (the file may be damaged); "
            "delete it from the cache and try again."
        ) from error
    module.eval().requires_grad_(False)
    with friendly_oom():
        module.to(device)
    categories = imagenet_categories()
    return LoadedModel(spec, module, categories, device, pretrained)
