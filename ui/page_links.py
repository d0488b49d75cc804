"""Which widgets each page keeps in its link, with their defaults: the tables ``ui.links.sync_page_state`` reads.

One tuple per page. A widget listed here is drawn without its own default (the table's default is put in
the session first), so a value from a link and a default never meet. Names the page alone knows (layers,
classes, channels) are checked by the widget, which falls back to its default for a name it does not offer.
"""

from __future__ import annotations

from explorer.cam.methods import METHODS
from explorer.drawing import COLORMAPS
from explorer.kernels.colour import COLOUR_PRESETS
from explorer.kernels.display import DISPLAY_MODES
from explorer.kernels.parsing import MAX_WEIGHT
from explorer.kernels.presets import CHANNEL_NAMES, MAX_SIZE, PRESETS
from explorer.kernels.steps import MAX_REGION
from explorer.models import DEFAULT_MODEL, MODELS
from explorer.network.display import NORMALISE
from explorer.network.stack_presets import READY_STACKS
from explorer.network.stack_syntax import MAX_NUMBER
from ui import kernel_lab as lab
from ui import kernel_steps as steps
from ui import stack
from ui import tiny_cnn as tiny
from ui.lenet_charts import LABELS
from ui.links import Link, choice, choices, flag, integer, name, number, sync_page_state, text, write_links
from ui.quiz import KINDS, KINDS_KEY, SEED_KEY

MODEL = choice("explorer_model", "model", list(MODELS), DEFAULT_MODEL)
"""The network chosen on the network pages and the studio (``ui.models.model_picker``'s key)."""
CUSTOM_TEXT = "1 0 -1; 2 0 -2; 1 0 -1"

KERNEL_LAB: tuple[Link, ...] = (
    choice("kl_color", "colour", list(lab.COLOURS), "rgb"),
    choice("kl_source", "kernel", [lab.PRESET, lab.GRID, lab.TEXT], lab.PRESET),
    choice("kl_preset", "preset", list(PRESETS), "sobel_x"),
    choice("kl_preset_3d", "preset3d", list(COLOUR_PRESETS), next(iter(COLOUR_PRESETS))),
    text("kl_text", "custom", CUSTOM_TEXT),
    *(
        text(f"kl_text_{channel}", f"custom_{channel}", start)
        for channel, start in zip(CHANNEL_NAMES, lab.THREE_D_TEXT)
    ),
    *(text(lab.grid_key(grid), f"grid_{grid}" if grid else "grid", "") for grid in ("", *CHANNEL_NAMES)),
    integer("kl_grid_rows", "rows", 1, MAX_SIZE, 3),
    integer("kl_grid_cols", "cols", 1, MAX_SIZE, 3),
    flag("kl_normalise", "normalise", False),
    integer("kl_stride", "stride", 1, 8, 1),
    integer("kl_dilation", "dilation", 1, 6, 1),
    choice("kl_padding", "padding", lab.PADDING_CHOICES, "same"),
    integer("kl_padding_number", "zeros", 0, 64, 1),
    choice("kl_mode", "operation", list(lab.OPERATIONS), "corr"),
    choice("kl_display", "display", list(DISPLAY_MODES), next(iter(DISPLAY_MODES))),
    name("kl_channel", "channel", "all"),
    number(lab.BIAS_CUSTOM_KEY, "bias", -MAX_WEIGHT, MAX_WEIGHT, 0.0),
    *(
        number(lab.bias_key(preset), f"bias_{preset}", -MAX_WEIGHT, MAX_WEIGHT, kernel.bias)
        for preset, kernel in COLOUR_PRESETS.items()
    ),
    text(steps.AT_KEY, "at", ""),
    integer(steps.REGION_KEY, "region", 1, MAX_REGION, steps.REGION_START),
    integer(steps.STEP_CHANNEL_KEY, "step_channel", 0, 2, 0),
    integer(steps.STEP_KEY, "step", 0, MAX_REGION * MAX_REGION - 1, 0),
    choice(steps.POOL_SIZE_KEY, "pool", list(steps.POOL_WINDOWS), next(iter(steps.POOL_WINDOWS))),
    integer(steps.POOL_STRIDE_KEY, "pool_stride", 1, 4, 2),
)

FEATURE_MAPS: tuple[Link, ...] = (
    MODEL,
    name("fm_layer", "layer"),
    integer("fm_channel", "channel", 0, 100_000),
    choice("fm_sort", "sort", ["index", "mean", "max"], "index"),
    choice("fm_normalise", "scale", list(NORMALISE), NORMALISE[0]),
    number("fm_opacity", "opacity", 0.0, 1.0, 0.6),
    integer("fm_page", "grid_page", 1, 100_000, 1),
)

FILTERS: tuple[Link, ...] = (
    MODEL,
    name("filters_layer", "layer"),
    integer("filters_index", "filter", 0, 100_000, 0),
    flag("filters_shared", "one_scale", False),
    name("filters_classic", "classic", "sobel_x"),
    flag("filters_flip", "flips", True),
)

ARCHITECTURE: tuple[Link, ...] = (
    MODEL,
    integer("arch_sep_k", "sep_k", 1, 15, 3),
    integer("arch_sep_in", "sep_in", 1, 4096, 128),
    integer("arch_sep_out", "sep_out", 1, 4096, 128),
    choice(stack.MENU_KEY, "ready", [stack.OWN, *READY_STACKS], stack.OWN),
    text(stack.TYPED_KEY, "stack", ""),
    *(
        integer(key, param, 1, MAX_NUMBER, start)
        for key, param, start in zip(stack.SIZE_KEYS, ("in_h", "in_w", "in_c"), stack.DEFAULT_INPUT)
    ),
)

TINY_CNN: tuple[Link, ...] = (
    choice(tiny.SOURCE_KEY, "digit_from", list(tiny.SOURCES), tiny.SOURCE_SAMPLE),
    choice(tiny.SAMPLE_KEY, "digit", list(tiny.digit_samples()), next(iter(tiny.digit_samples()))),
    choice(tiny.UNIT_KEYS[0], "stage", list(LABELS)),
    *(integer(key, param, 0, 10_000) for key, param in zip(tiny.UNIT_KEYS[1:], ("unit", "row", "col"))),
)

GRAD_CAM: tuple[Link, ...] = (
    MODEL,
    *(
        link
        for side in ("left", "right")
        for link in (
            integer(f"cam_class_{side}", f"class_{side}", 0, 100_000),
            choice(f"cam_method_{side}", f"method_{side}", list(METHODS), METHODS[0]),
            name(f"cam_layer_{side}", f"layer_{side}"),
        )
    ),
    number("cam_opacity", "opacity", 0.0, 1.0, 0.5),
    choice("cam_colormap", "colormap", list(COLORMAPS), "jet"),
    number("cam_threshold", "hide_below", 0.0, 0.95, 0.0),
    name("cam_view", "deeper"),
)

QUIZ: tuple[Link, ...] = (
    MODEL,
    choices(KINDS_KEY, "kinds", list(KINDS), list(KINDS)),
    integer(SEED_KEY, "seed", 0, 999_999),
)

PAGES: dict[str, tuple[Link, ...]] = {
    "kernel_lab": KERNEL_LAB,
    "feature_maps": FEATURE_MAPS,
    "filters": FILTERS,
    "architecture": ARCHITECTURE,
    "tiny_cnn": TINY_CNN,
    "grad_cam": GRAD_CAM,
    "quiz": QUIZ,
}


def keep_in_link(page: str) -> None:
    """Restore ``page``'s linked widgets from the URL and write them back (``ui.links.sync_page_state``)."""
    sync_page_state(page, PAGES[page])


def rewrite_link(page: str) -> None:
    """Write ``page``'s link again after its run reset some choices (``ui.links.write_links``)."""
    write_links(page, PAGES[page])
