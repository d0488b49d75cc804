"""CNN Explorer's tensor work: images, kernels, models, feature maps and CAMs, free of any UI.

Where a new thing goes (the tree mirrors the app's sections and its command line):

- a kernel preset: one ``Kernel`` entry in ``explorer/kernels/presets.py`` (``PRESETS``), a 3-D colour filter
  in ``explorer/kernels/colour.py`` (``COLOUR_PRESETS``);
- a CAM method: a gradient method is one function of (activations, gradients) plus one entry in
  ``GRADIENT_METHODS`` (``explorer/cam/methods.py``); a gradient-free one implements ``GradientFreeMethod``
  in its own module (like ``explorer/cam/score_cam.py``) plus one entry in ``GRADIENT_FREE_METHODS``;
- a model: one ``ModelSpec`` in ``explorer/models/registry.py`` carrying its architecture, where its
  weights come from (bundled file or download URL), its class names, parameter count and preprocessing;
  a bundled architecture gets its own module in ``explorer/models/`` (like ``efficientnet_lite.py``);
- a page: ``views/<page>.py`` (a function, called at the bottom, starting with ``presentation_mode()`` and
  ``keep_in_link("<page>")``), one ``st.Page`` line in ``app.py``, its linked widgets in
  ``ui/page_links.py``, and its Streamlit glue in ``ui/<page>.py``; its charts in ``ui/charts.py``;
- a quiz question: a function in ``explorer/quiz/`` plus one entry in ``KINDS``;
- a command: a module in ``explorer/cli/`` with ``register(commands)``, named in ``COMMAND_GROUPS``.

Shared by everything: ``errors`` (the one user-facing exception), ``device`` (where tensors run),
``images`` and ``decoding`` (bytes to a checked RGB photo in bounded memory), ``drawing`` (numbers to
pictures), ``photo_store`` (uploads that shared links name) and ``live`` (per-frame webcam inference).
"""

from explorer.errors import ExplorerError

__all__ = ["ExplorerError"]
