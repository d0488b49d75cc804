"""The models the app can explore: one entry per network, holding everything the app needs to know.

An entry says how to build the architecture (random weights), where its trained weights come from
(a file that ships with the install, or a torchvision URL downloaded once into torchvision's cache),
its class names, its parameter count and its preprocessing. Adding a model is adding one entry here.
Nothing here imports torchvision or builds a network until asked: importing torchvision also imports
torch._dynamo, sympy and triton (about 1,100 modules more than torch, 165 MB of a server's memory with CUDA),
and the default model needs none of it. So the zoo's facts (parameter count, weights file, preprocessing)
are written here, checked against torchvision's own weight metadata by ``tests/models/test_registry.py``,
the class names come from the package's ImageNet table, and torchvision is imported when a zoo network is
built.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from torch import nn

from explorer.cam.kinds import imagenet_names
from explorer.errors import ExplorerError
from explorer.models.efficientnet_lite import PIXEL_MEAN, PIXEL_STD, EfficientNetLite0, lite0_weights_path
from explorer.models.preprocessing import Preprocessing
from explorer.models.weights import cached_path

DEFAULT_MODEL = "efficientnet_lite0"
StateDict = dict[str, object]


ZOO_WEIGHTS = "https://download.pytorch.org/models/"
"""Where torchvision's published ImageNet weights are."""


def imagenet_categories() -> tuple[str, ...]:
    """The 1000 ImageNet-1k class names: torchvision's list, as the package's ImageNet table
    (``explorer/cam/imagenet_kinds.tsv``) holds it."""
    return imagenet_names()


def _same_keys(state: StateDict) -> StateDict:
    return state


@dataclass(frozen=True)
class ModelSpec:
    """One entry of the registry: how to build the network, where its weights are, what it predicts."""

    name: str
    title: str
    family: str
    year: int
    num_params: int
    architecture: Callable[[], nn.Module] = field(repr=False)
    preprocessing: Preprocessing
    weights_url: str | None = None
    bundled_weights: Callable[[], Path] | None = field(default=None, repr=False)
    categories: Callable[[], tuple[str, ...]] = field(default=imagenet_categories, repr=False)
    adapt_state: Callable[[StateDict], StateDict] = field(default=_same_keys, repr=False)
    blurb: str = ""

    @property
    def offline(self) -> bool:
        """True when the weights ship with the install (nothing to download)."""
        return self.bundled_weights is not None

    def weights_path(self) -> Path:
        """Where the trained weights are (bundled) or will be once downloaded (torchvision's cache)."""
        if self.bundled_weights is not None:
            return self.bundled_weights()
        if self.weights_url is None:
            raise ExplorerError(f"{self.title} has no trained weights.")
        return cached_path(self.weights_url)

    def weights_on_disk(self) -> bool:
        """Whether the trained weights are already available without a download."""
        return self.weights_path().is_file()


_DENSE_OLD_KEY = re.compile(
    r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$"
)


def _densenet_keys(state: StateDict) -> StateDict:
    """DenseNet's published files name layers 'norm.1'; torchvision's modules are 'norm1' (as torchvision remaps)."""
    return {
        (f"{m.group(1)}{m.group(2)}" if (m := _DENSE_OLD_KEY.match(key)) else key): value
        for key, value in state.items()
    }


def _without_aux(state: StateDict) -> StateDict:
    """GoogLeNet's published file also holds the two training-only auxiliary classifiers; the app uses neither."""
    return {key: value for key, value in state.items() if not key.startswith(("aux1.", "aux2."))}


def _torchvision_network(name: str, **extra: object) -> nn.Module:
    """torchvision's architecture ``name`` with random weights (torchvision is imported here, when needed)."""
    tv = importlib.import_module("torchvision.models")
    return tv.get_model(name, weights=None, **extra)


def _torchvision_spec(
    name: str,
    title: str,
    family: str,
    year: int,
    blurb: str,
    *,
    num_params: int,
    weights_file: str,
    interpolation: str = "bilinear",
    adapt_state: Callable[[StateDict], StateDict] = _same_keys,
    **extra: object,
) -> ModelSpec:
    """A zoo entry: its facts as torchvision's ``<Model>_Weights.DEFAULT`` states them (224 crop, ImageNet
    mean and std)."""
    return ModelSpec(
        name,
        title,
        family,
        year,
        num_params,
        partial(_torchvision_network, name, **extra),
        Preprocessing(interpolation=interpolation),
        weights_url=ZOO_WEIGHTS + weights_file,
        adapt_state=adapt_state,
        blurb=blurb,
    )


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            DEFAULT_MODEL,
            "EfficientNet-Lite0",
            "EfficientNet",
            2020,
            4_652_008,
            EfficientNetLite0,
            Preprocessing(mean=(PIXEL_MEAN,) * 3, std=(PIXEL_STD,) * 3),
            bundled_weights=lite0_weights_path,
            blurb="Mobile-friendly EfficientNet: depthwise-separable blocks, ReLU6. Ships with the app: works offline.",
        ),
        _torchvision_spec(
            "alexnet",
            "AlexNet",
            "AlexNet",
            2012,
            "The 2012 network that started the deep-learning wave.",
            num_params=61_100_840,
            weights_file="alexnet-owt-7be5be79.pth",
        ),
        _torchvision_spec(
            "vgg16",
            "VGG-16",
            "VGG",
            2014,
            "Only 3x3 convolutions, stacked deep: simple and huge.",
            num_params=138_357_544,
            weights_file="vgg16-397923af.pth",
        ),
        _torchvision_spec(
            "resnet18",
            "ResNet-18",
            "ResNet",
            2015,
            "Residual (skip) connections let gradients flow.",
            num_params=11_689_512,
            weights_file="resnet18-f37072fd.pth",
        ),
        _torchvision_spec(
            "resnet50",
            "ResNet-50",
            "ResNet",
            2015,
            "Deeper ResNet with 1x1 bottleneck blocks.",
            num_params=25_557_032,
            weights_file="resnet50-11ad3fa6.pth",
        ),
        _torchvision_spec(
            "googlenet",
            "GoogLeNet",
            "Inception",
            2014,
            "Inception blocks: four branches side by side, 1x1; 1x1 then 3x3; 1x1 then 3x3 again (the paper's 5x5); "
            "3x3 max-pool then 1x1.",
            num_params=6_624_904,
            weights_file="googlenet-1378be20.pth",
            adapt_state=_without_aux,
            aux_logits=False,
            transform_input=True,
            init_weights=True,
        ),
        _torchvision_spec(
            "mobilenet_v3_large",
            "MobileNetV3-Large",
            "MobileNet",
            2019,
            "Depthwise-separable convolutions and squeeze-excite, built for phones.",
            num_params=5_483_032,
            weights_file="mobilenet_v3_large-5c1a4163.pth",
        ),
        _torchvision_spec(
            "densenet121",
            "DenseNet-121",
            "DenseNet",
            2017,
            "Every layer sees all earlier layers' maps.",
            num_params=7_978_856,
            weights_file="densenet121-a639ec97.pth",
            adapt_state=_densenet_keys,
        ),
        _torchvision_spec(
            "efficientnet_b0",
            "EfficientNet-B0",
            "EfficientNet",
            2019,
            "Scaled depth, width and resolution together; swish and squeeze-excite.",
            num_params=5_288_548,
            weights_file="efficientnet_b0_rwightman-7f5810bc.pth",
            interpolation="bicubic",
        ),
        _torchvision_spec(
            "convnext_tiny",
            "ConvNeXt-Tiny",
            "ConvNeXt",
            2022,
            "A 2020s CNN borrowing ideas from vision transformers: 7x7 depthwise, LayerNorm.",
            num_params=28_589_128,
            weights_file="convnext_tiny-983f1562.pth",
        ),
    )
}


def get_spec(name: str) -> ModelSpec:
    """The registry entry for ``name``, or a plain error listing the choices."""
    try:
        return MODELS[name]
    except KeyError:
        raise ExplorerError(f"There is no model called '{name}'; choose one of: {', '.join(MODELS)}.") from None
