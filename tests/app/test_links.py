"""A view is a link: every linked setting survives a round trip through the URL into a new session,
bad values in a link are ignored, and an uploaded photo travels by its token in the photo store."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from explorer.images import load_sample
from explorer.kernels.colour import COLOUR_PRESETS
from explorer.models import DEFAULT_MODEL
from tests.app.test_kernel_lab import step_verdict, texts
from ui import kernel_lab as lab
from ui.grad_cam import layers_of

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
    [
        ("number_input", "kl_x", 30),
        ("number_input", "kl_y", 40),
        ("slider", "kl_region", 3),
        ("radio", "kl_step_channel", 2),
        ("selectbox", "kl_pool_size", "3x3"),
        ("number_input", "kl_pool_stride", 1),
    ],
    [("radio", "kl_color", "rgb-sum"), ("number_input", lab.bias_key(next(iter(COLOUR_PRESETS))), 5.0)],
    [("radio", "kl_color", "rgb-sum"), ("radio", "kl_source", lab.TEXT), ("number_input", lab.BIAS_CUSTOM_KEY, -2.5)],
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


def test_filters_settings_survive_a_link():
    """EfficientNet-Lite0 has no full 3-D convolution after its first layer, so the filter number (shown only for
    one) is not exercised here; the scale toggle shows only on the first layer."""
    first = open_at("views/filters.py")
    settings: list[Setting] = [
        ("toggle", "filters_shared", True),
        ("checkbox", "filters_flip", False),
        ("selectbox", "filters_classic", "sobel_y"),
    ]
    apply(first, settings)
    assert_same(open_at("views/filters.py", link_of(first)), settings)
    first.selectbox(key="filters_layer").select_index(4).run()
    layer = first.selectbox(key="filters_layer").value
    second = open_at("views/filters.py", link_of(first))
    assert_same(second, [("selectbox", "filters_layer", layer), *settings[1:]])
    assert second.session_state["filters_shared"] is True


def test_grad_cam_settings_survive_a_link():
    first = open_at("views/grad_cam.py")
    layers = [layer.name for layer in layers_of(DEFAULT_MODEL)]
    first.selectbox(key="cam_class_right").set_value(7).run()
    first.selectbox(key="cam_layer_left").set_value(layers[2]).run()
    settings: list[Setting] = [
        ("selectbox", "cam_method_left", "Grad-CAM++"),
        ("selectbox", "cam_method_right", "LayerCAM"),
        ("slider", "cam_opacity", 0.8),
        ("selectbox", "cam_colormap", "cividis"),
        ("slider", "cam_threshold", 0.25),
        ("radio", "cam_view", "Pixel saliency"),
    ]
    apply(first, settings)
    keys = ("cam_class_left", "cam_class_right", "cam_layer_left", "cam_layer_right")
    settings += [("selectbox", key, first.selectbox(key=key).value) for key in keys]
    link = link_of(first)
    assert {"class_left", "class_right", "layer_left", "method_left", "colormap", "deeper"} <= set(link)
    second = open_at("views/grad_cam.py", link)
    assert_same(second, settings)
    assert len(second.image) == len(first.image)


def test_quiz_kinds_and_seed_survive_a_link():
    first = open_at("views/quiz.py")
    kinds = ["output_size", "parameters"]
    first.multiselect(key="quiz_kinds").set_value(kinds).run()
    first.run()
    link = link_of(first)
    assert link["kinds"] == "output_size,parameters" and "seed" in link
    second = open_at("views/quiz.py", link)
    assert second.multiselect(key="quiz_kinds").value == kinds
    assert second.session_state["quiz_seed"] == first.session_state["quiz_seed"]
    prompt = [m.value for m in first.markdown if "?" in m.value]
    assert prompt and prompt == [m.value for m in second.markdown if "?" in m.value]


BAD_LINKS = {
    "views/kernel_lab.py": {
        "stride": "99",
        "dilation": "two",
        "padding": "<b>",
        "preset": "rm -rf",
        "zeros": "-1",
        "display": "",
        "custom": "x" * 5000,
        "kernel": "Nope",
        "channel": "purple",
        "normalise": "maybe",
        "rows": "1e9",
    },
    "views/feature_maps.py": {"model": "evil", "layer": "no.such", "channel": "99999", "opacity": "nan", "sort": "x"},
    "views/grad_cam.py": {
        "class_left": "-5",
        "class_right": "1000000",
        "layer_left": "../../etc",
        "method_left": "Magic",
        "opacity": "inf",
        "hide_below": "0.99",
        "deeper": "everything",
    },
    "views/quiz.py": {"kinds": "foo,bar", "seed": "-3"},
    "views/tiny_cnn.py": {"digit": "x", "stage": "nope", "unit": "-1", "row": "9999", "digit_from": "Scan"},
    "views/architecture.py": {"sep_k": "99", "in_h": "0", "ready": "evil", "stack": "conv " * 500},
}


@pytest.mark.parametrize("page", list(BAD_LINKS))
def test_bad_values_in_a_link_are_ignored(page):
    at = open_at(page, BAD_LINKS[page])
    assert not at.exception
    assert not at.error
    clean = open_at(page)
    for param in ("stride", "preset", "opacity", "sort", "method_left", "kinds"):
        if param in BAD_LINKS[page]:
            assert link_of(at).get(param) == link_of(clean).get(param)


def test_a_page_gets_its_settings_back_after_a_page_switch():
    at = open_at("views/kernel_lab.py")
    at.number_input(key="kl_stride").set_value(4).run()
    at.radio(key="kl_display").set_value("abs").run()
    at.switch_page("views/home.py").run()
    for name in list(at.query_params):
        if name != "sample":
            del at.query_params[name]
    at.switch_page("views/kernel_lab.py").run()
    assert at.number_input(key="kl_stride").value == 4
    assert at.radio(key="kl_display").value == "abs"
    assert link_of(at)["stride"] == "4" and link_of(at)["display"] == "abs"


def test_parameters_of_other_features_stay_in_the_link():
    at = open_at("views/kernel_lab.py", {"present": "1"})
    at.number_input(key="kl_stride").set_value(2).run()
    assert link_of(at)["present"] == "1"


EXPORTING = ["views/kernel_lab.py", "views/feature_maps.py", "views/filters.py", "views/grad_cam.py"]


@pytest.mark.parametrize("page", EXPORTING)
def test_pages_offer_to_export_the_view(page):
    at = open_at(page)
    labels = [button.proto.label for button in at.get("download_button")]
    assert "Export this view (PNG)" in labels


def test_a_new_photo_on_the_studio_takes_the_old_photos_classes_out_of_the_link():
    at = open_at("views/grad_cam.py").run()
    chelsea_classes = link_of(at)["class_left"], link_of(at)["class_right"]
    at.sidebar.selectbox(key="image_sample").set_value("coffee").run()
    link = link_of(at)
    assert (link.get("class_left"), link.get("class_right")) != chelsea_classes
    assert (
        open_at("views/grad_cam.py", link).selectbox(key="cam_class_left").value
        == at.selectbox(key="cam_class_left").value
    )


FULL_LINKS = {
    "views/kernel_lab.py": {
        "stride": "2",
        "dilation": "2",
        "padding": "number",
        "zeros": "3",
        "kernel": lab.TEXT,
        "custom": "1 2 1",
        "normalise": "1",
        "display": "abs",
        "at": "10,20",
        "region": "3",
        "step": "2",
        "pool": "3x3",
        "pool_stride": "1",
    },
    "views/feature_maps.py": {"opacity": "0.3", "sort": "max", "channel": "3", "scale": "shared across layer"},
    "views/filters.py": {"flips": "0", "one_scale": "1", "classic": "sobel_y"},
    "views/grad_cam.py": {"opacity": "0.7", "colormap": "viridis", "hide_below": "0.2", "class_left": "7"},
    "views/quiz.py": {"kinds": "output_size", "seed": "5"},
    "views/architecture.py": {"sep_k": "5", "sep_in": "64", "ready": "vgg16", "in_h": "200"},
    "views/tiny_cnn.py": {"digit": "3", "stage": "pool1", "unit": "2", "row": "5", "col": "6"},
}


def test_a_link_never_gives_a_widget_two_defaults(monkeypatch):
    """Streamlit warns (once per process) when a widget has a default and a session-state value: never here."""
    from streamlit.elements.lib import policies

    warned: list[object] = []
    monkeypatch.setattr(policies, "_shown_default_value_warning", False)
    monkeypatch.setattr(policies._LOGGER, "warning", lambda *args, **kwargs: warned.append(args))
    for page, params in FULL_LINKS.items():
        at = open_at(page, params)
        assert not at.exception
        assert {name: link_of(at).get(name) for name in params} == params
        at.run()
    assert warned == []


def test_numbers_edited_in_a_grid_travel_in_the_link():
    """A link whose grid shifts each pixel one to the left: the step-by-step output is the input pixel one
    column to its right (cross-correlation reads the kernel as written), and the link is written back."""
    shift = "0 0 0; 0 0 1; 0 0 0"
    at = open_at("views/kernel_lab.py", {"kernel": lab.GRID, "grid": shift})
    assert not at.exception and not at.error
    assert at.radio(key="kl_source").value == lab.GRID
    shown, _ = step_verdict(at)
    row, col = (int(n) for n in re.search(r"output row (\d+), column (\d+)", texts(at)).groups())
    assert shown == load_sample("chelsea").to_array()[row, col + 1, 0]
    assert link_of(at)["grid"] == shift
    plain = open_at("views/kernel_lab.py", {"kernel": lab.GRID})
    assert "grid" not in link_of(plain), "the usual pass-through grid is not written"


def test_the_step_by_step_place_and_step_travel_in_the_link():
    """A teacher steps to the third cell of a region away from the centre: a new browser opening the link
    sees the same cell, with the same numbers."""
    at = open_at("views/kernel_lab.py")
    at.number_input(key="kl_x").set_value(100).run()
    at.number_input(key="kl_y").set_value(50).run()
    for _ in range(2):
        at.button(key="kl_step_next").click().run()
    link = link_of(at)
    assert (link["at"], link["step"]) == ("100,50", "2")
    opened = open_at("views/kernel_lab.py", link)
    assert "Step 3 of 16**: output row 50, column 102" in texts(opened)
    assert step_verdict(opened) == step_verdict(at)
    assert link_of(opened) == link


def test_a_usual_view_keeps_the_place_of_its_steps_out_of_the_link():
    at = open_at("views/kernel_lab.py")
    assert "at" not in link_of(at) and "step" not in link_of(at)
    assert at.number_input(key="kl_x").value == 225 and at.number_input(key="kl_y").value == 150


def test_the_tiny_cnn_digit_and_chosen_unit_travel_in_the_link():
    first = open_at("views/tiny_cnn.py")
    first.selectbox(key="tiny_sample").set_value("7").run()
    first.selectbox(key="tiny_stage").set_value("act2").run()
    for key, value in (("tiny_channel", 3), ("tiny_row", 2), ("tiny_col", 4)):
        first.number_input(key=key).set_value(value).run()
    link = link_of(first)
    assert (link["digit"], link["stage"], link["unit"], link["row"], link["col"]) == ("7", "act2", "3", "2", "4")
    second = open_at("views/tiny_cnn.py", link)
    assert not second.exception and second.metric[0].value == "7"
    assert (
        second.subheader[0].value
        == first.subheader[0].value
        == "conv2 map 3, row 2, column 4: " + (first.subheader[0].value.rsplit(": ", 1)[1])
    )
    assert link_of(second) == link


def test_the_architecture_calculators_travel_in_the_link():
    first = open_at("views/architecture.py")
    first.number_input(key="arch_sep_k").set_value(5).run()
    first.selectbox(key="arch_stack_menu").set_value("lenet5").run()
    link = link_of(first)
    assert link["ready"] == "lenet5" and "stack" not in link, "a ready stack is named, not written out"
    assert (link["sep_k"], link["in_h"], link["in_c"]) == ("5", "32", "1")
    second = open_at("views/architecture.py", link)
    assert second.text_area(key="arch_stack").value == first.text_area(key="arch_stack").value
    assert [m.value for m in second.metric] == [m.value for m in first.metric]
    assert link_of(second) == link

    typed = "conv 5x5 s1 p0 c6\npool 2"
    second.text_area(key="arch_stack").set_value(typed).run()
    third = open_at("views/architecture.py", link_of(second))
    assert third.text_area(key="arch_stack").value == typed
    assert third.number_input(key="arch_stack_height").value == 32
    assert [m.value for m in third.metric] == [m.value for m in second.metric]


def test_a_new_output_size_puts_the_steps_back_at_its_centre():
    """After the stride changes, the region is the new output's centre with all its 16 cells (not a corner
    cell of the old place), and the old place leaves the link."""
    at = open_at("views/kernel_lab.py")
    at.number_input(key="kl_x").set_value(300).run()
    assert link_of(at)["at"] == "300,150"
    at.number_input(key="kl_stride").set_value(2).run()
    assert (at.number_input(key="kl_x").value, at.number_input(key="kl_y").value) == (113, 75)
    assert "Step 1 of 16**" in texts(at) and "at" not in link_of(at)


def test_the_step_place_and_the_stack_survive_a_page_switch():
    """Streamlit drops a widget's state when a run does not draw it: coming back, the page must still show
    the region the student moved and the ready stack with its layers, as its link says."""
    at = open_at("views/kernel_lab.py")
    at.number_input(key="kl_x").set_value(100).run()
    at.switch_page("views/architecture.py").run()
    at.selectbox(key="arch_stack_menu").set_value("lenet5").run()
    lenet = at.text_area(key="arch_stack").value
    at.switch_page("views/home.py").run()
    at.switch_page("views/architecture.py").run()
    assert at.text_area(key="arch_stack").value == lenet and "stack" not in link_of(at)
    at.switch_page("views/kernel_lab.py").run()
    assert at.number_input(key="kl_x").value == 100 and link_of(at)["at"] == "100,150"


def test_a_colour_map_from_a_link_is_shown_whatever_the_mode():
    """viridis is presentation mode's default, jet the usual one: a link naming viridis, opened on a laptop
    (not presenting), still shows viridis and keeps it in its link."""
    at = open_at("views/grad_cam.py", {"colormap": "viridis"})
    assert at.selectbox(key="cam_colormap").value == "viridis"
    assert link_of(at)["colormap"] == "viridis"
    at.run()
    assert at.selectbox(key="cam_colormap").value == "viridis"
