"""Convolution section: classic kernel presets (2-D in ``presets``, 3-D colour filters in ``colour``),
typed kernels (``parsing``), applying a kernel to a photo, the step-by-step view and pooling, and how
signed results become pictures. A new kernel preset is one entry in ``presets.PRESETS`` or
``colour.COLOUR_PRESETS``."""
