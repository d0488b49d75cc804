"""CNN Explorer's tensor work: images, kernels, models, feature maps and CAMs, free of any UI."""

from explorer.errors import ExplorerError

__all__ = ["ExplorerError"]
