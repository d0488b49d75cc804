"""Convolution section: classic kernel presets, applying a kernel to a photo, the step-by-step view and
how signed results become pictures. A new kernel preset is one entry in ``presets.PRESETS``."""
