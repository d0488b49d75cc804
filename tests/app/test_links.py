"""A view is a link: every linked setting survives a round trip through the URL into a new session,
bad values in a link are ignored, and an uploaded photo travels by its token in the photo store."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ui import kernel_lab as lab

from .conftest import APP, TIMEOUT

Setting = tuple[str, str, object]
"""(widget type as AppTest names it, widget key, value to set)."""

KERNEL_LAB_CASES: list[list[Setting]] = [
    [
        ("number_input", "kl_stride", 2),
        ("number_input", "kl_dilation", 2),
        ("selectbox", "kl_padding", "valid"),
        ("radio", "kl_mode", "conv"),
        ("radio", "kl_display", "diverging"),
        ("selectbox", "kl_preset", "box_blur"),
    ],
    [
        ("radio", "kl_source", lab.TEXT),
        ("text_area", "kl_text", "1 2 1; 2 4 2; 1 2 1"),
        ("checkbox", "kl_normalise", True),
        ("selectbox", "kl_padding", "number"),
        ("number_input", "kl_padding_number", 3),
        ("radio", "kl_color", "gray"),
    ],
    [("radio", "kl_color", "rgb-sum"), ("selectbox", "kl_preset_3d", "red_minus_green")],
    [
        ("radio", "kl_color", "rgb-sum"),
        ("radio", "kl_source", lab.TEXT),
        ("text_area", "kl_text_green", "0 1 0; 1 -4 1; 0 1 0"),
        ("text_area", "kl_text_blue", "1 0 -1"),
    ],
    [("radio", "kl_source", lab.GRID), ("selectbox", "kl_grid_rows", 5), ("selectbox", "kl_grid_cols", 2)],
    [("radio", "kl_channel", "green")],
]


def open_at(page: str, params: dict[str, str] | None = None) -> AppTest:
    """A new session (as a fresh browser) opening ``page`` with the link's ``params``."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page(page)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    return at.run()


def link_of(at: AppTest) -> dict[str, str]:
    """The query parameters the app wrote: what a copied link carries."""
    return {name: str(value) for name, value in at.query_params.items()}


def apply(at: AppTest, settings: list[Setting]) -> None:
    for kind, key, value in settings:
        getattr(at, kind)(key=key).set_value(value).run()
        assert not at.exception, (key, at.exception)


def assert_same(at: AppTest, settings: list[Setting]) -> None:
    assert not at.exception
    for kind, key, value in settings:
        assert getattr(at, kind)(key=key).value == value, key


@pytest.mark.parametrize("settings", KERNEL_LAB_CASES, ids=lambda case: "+".join(key for _, key, _ in case))
def test_kernel_lab_settings_survive_a_link(settings):
    first = open_at("views/kernel_lab.py")
    apply(first, settings)
    link = link_of(first)
    assert link["sample"] == "chelsea"
    second = open_at("views/kernel_lab.py", link)
    assert_same(second, settings)
    assert link_of(second) == link


def test_a_link_names_only_what_differs_from_the_defaults():
    at = open_at("views/kernel_lab.py")
    assert link_of(at) == {"sample": "chelsea"}
    at.number_input(key="kl_stride").set_value(3).run()
    assert link_of(at) == {"sample": "chelsea", "stride": "3"}
    at.number_input(key="kl_stride").set_value(1).run()
    assert link_of(at) == {"sample": "chelsea"}


def test_feature_maps_settings_survive_a_link():
    first = open_at("views/feature_maps.py")
    first.selectbox(key="fm_layer").select_index(5).run()
    first.selectbox(key="fm_channel").select_index(3).run()
    settings: list[Setting] = [
        ("radio", "fm_sort", "max"),
        ("radio", "fm_normalise", "shared across layer"),
        ("slider", "fm_opacity", 0.3),
    ]
    apply(first, settings)
    picked = ("fm_layer", "fm_channel", "explorer_model")
    settings += [("selectbox", key, first.selectbox(key=key).value) for key in picked]
    link = link_of(first)
    assert {"layer", "channel", "sort", "scale", "opacity"} <= set(link)
    second = open_at("views/feature_maps.py", link)
    assert_same(second, settings)
    assert link_of(second) == link
