"""The model registry: the offline default (EfficientNet-Lite0) and the torchvision zoo."""

from explorer.models.efficientnet_lite import Conv2dSame, EfficientNetLite0
from explorer.models.registry import (
    DEFAULT_MODEL,
    MODELS,
    LoadedModel,
    ModelSpec,
    Prediction,
    Preprocessing,
    get_spec,
    imagenet_categories,
    load_model,
    top_predictions,
)

__all__ = [
    "DEFAULT_MODEL",
    "MODELS",
    "Conv2dSame",
    "EfficientNetLite0",
    "LoadedModel",
    "ModelSpec",
    "Prediction",
    "Preprocessing",
    "get_spec",
    "imagenet_categories",
    "load_model",
    "top_predictions",
]
