"""Explain section: the CAM family. Gradient methods are small pure functions of a layer's activations
and gradients (``methods.GRADIENT_METHODS``); gradient-free methods implement the one small interface in
``methods.GradientFreeMethod`` (``score_cam.py``). Targets pick layers and classes; ``evaluation`` checks maps."""
