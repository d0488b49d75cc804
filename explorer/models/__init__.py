"""Models section: the registry (one entry per network: architecture, weights source, class names,
parameter count, preprocessing), safe weight loading and downloads, and the bundled architectures."""

from explorer.models.loading import LoadedModel, Prediction, load_model, top_predictions
from explorer.models.preprocessing import Preprocessing
from explorer.models.registry import DEFAULT_MODEL, MODELS, ModelSpec, get_spec, imagenet_categories

__all__ = [
    "DEFAULT_MODEL",
    "MODELS",
    "LoadedModel",
    "ModelSpec",
    "Prediction",
    "Preprocessing",
    "get_spec",
    "imagenet_categories",
    "load_model",
    "top_predictions",
]
