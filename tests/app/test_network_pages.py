"""The network pages in Streamlit's AppTest: predictions everywhere, one forward pass, widgets only redraw."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import open_page


def charts(at: AppTest) -> int:
    return len(at.get("plotly_chart"))


def captions(at: AppTest) -> list[str]:
    return [caption for image in at.get("image") for caption in image.captions]


@pytest.fixture
def feature_maps() -> AppTest:
    return open_page("views/feature_maps.py")


def test_feature_maps_shows_the_input_predictions_and_the_first_layer(feature_maps):
    at = feature_maps
    assert not at.exception and not at.error
    assert at.title[0].value == "Feature maps"
    assert at.selectbox(key="explorer_model").value == "efficientnet_lite0"
    assert at.selectbox(key="fm_layer").value == "_conv_stem"
    assert charts(at) == 2  # the predictions bar chart and the channel heatmap
    assert any("Exactly what EfficientNet-Lite0 sees: 337x224" in caption for caption in captions(at))
    info = next(m.value for m in at.markdown if "Receptive field" in m.value)
    assert "Conv2dSame" in info and "3 / 2 / same" in info and "32 channels x 112 x 169" in info


def test_stepping_sorting_and_normalising_only_redraw(feature_maps, forwards):
    at = feature_maps
    passes = len(forwards)
    at.button(key="fm_layer_next").click().run()
    assert at.selectbox(key="fm_layer").value == "_stem_act"
    at.button(key="fm_layer_next").click().run()
    at.button(key="fm_layer_previous").click().run()
    assert at.selectbox(key="fm_layer").value == "_stem_act"
    at.selectbox(key="fm_layer").set_value("_blocks.8").run()
    at.radio(key="fm_sort").set_value("max").run()
    at.radio(key="fm_normalise").set_value("shared across layer").run()
    strongest = at.selectbox(key="fm_channel").options[0]
    at.selectbox(key="fm_channel").set_value(at.selectbox(key="fm_channel").options[3]).run()
    at.slider(key="fm_opacity").set_value(0.3).run()
    assert not at.exception and not at.error
    assert "max" in strongest  # channels listed strongest first, with their numbers
    assert len(forwards) == passes, "a widget change must not run the network again"


def test_wide_layers_are_paged(feature_maps):
    at = feature_maps
    at.selectbox(key="fm_layer").set_value("_head_act").run()
    page = at.number_input(key="fm_page")
    assert page.max == 20  # 1280 channels, 64 per page
    page.set_value(20).run()
    assert not at.exception
    assert any(caption.startswith("Channels 1216, ") for caption in captions(at))


def test_a_model_without_weights_on_disk_does_not_block_the_page(feature_maps, monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))  # nothing cached
    monkeypatch.setenv("EXPLORER_WEIGHTS_MIRROR", "http://127.0.0.1:9")  # and no server: offline
    at = feature_maps
    at.selectbox(key="explorer_model").set_value("vgg16").run()
    assert not at.exception
    assert "Showing EfficientNet-Lite0 instead" in at.error[0].value
    assert at.selectbox(key="fm_layer").value in {"_conv_stem", "_stem_act"}
    assert charts(at) == 2


def test_filters_page_draws_first_layer_and_the_sobel_bridge(forwards):
    at = open_page("views/filters.py")
    before = len(forwards)
    assert not at.exception and not at.error
    assert at.selectbox(key="filters_layer").value == "_conv_stem"
    assert at.selectbox(key="filters_classic").value == "sobel_x"
    assert sum("similarity" in caption for caption in captions(at)) == 6
    assert sum("Its feature map" in caption for caption in captions(at)) == 6
    assert charts(at) == 2  # predictions and the weight histogram
    at.checkbox(key="filters_flip").uncheck().run()
    at.selectbox(key="filters_classic").set_value("laplacian_4").run()
    for layer, kind in (("_blocks.1._depthwise_conv", "Depthwise"), ("_blocks.1._project_conv", "1x1")):
        at.selectbox(key="filters_layer").set_value(layer).run()
        assert not at.exception
        assert any(kind in header.value for header in at.subheader)
    assert len(forwards) == before, "changing layers and kernels only reads the weights"


def test_architecture_page_table_totals_and_calculator():
    at = open_page("views/architecture.py")
    assert not at.exception and not at.error
    assert at.metric[0].value == "4,652,008"
    table = at.dataframe[0].value
    assert table.iloc[0]["layer"] == "_conv_stem" and table.iloc[0]["padding"] == "same"
    assert table["parameters"].sum() == 4_652_008
    assert charts(at) == 1
    separable = next(m.value for m in at.markdown if "Depthwise" in m.value)
    assert "147,456" in separable and "17,536" in separable  # 3*3*128*128 vs 3*3*128 + 128*128
    calculator = at.dataframe[1].value
    assert list(calculator["receptive field"]) == ["3 x 3", "4 x 4", "8 x 8", "10 x 10"]
    at.text_area(key="arch_stack").input("conv 3x3 s2; conv 3x3").run()
    assert list(at.dataframe[1].value["receptive field"]) == ["3 x 3", "7 x 7"]
    at.text_area(key="arch_stack").input("conv 3x3; banana").run()
    assert not at.exception
    assert as_read(at.error[0].value) == (
        "Layer 2 'banana' should start with one of conv, pool, fc, flatten, gap, bn, relu, tanh, sigmoid, softmax, "
        "dropout."
    )


def as_read(markdown: str) -> str:
    """What a reader sees of Markdown that escapes every punctuation mark: backslashes and word joiners gone."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.fixture
def calculator() -> AppTest:
    at = open_page("views/architecture.py")
    assert not at.exception and not at.error
    return at


def test_the_calculator_menu_loads_vgg16_and_reads_its_numbers(calculator):
    at = calculator
    at.selectbox(key="arch_stack_menu").select("vgg16").run()
    assert not at.exception and not at.error
    assert metric(at, "Parameters") == "138,357,544" and metric(at, "Output") == "1000"
    assert [at.number_input(key=k).value for k in ("arch_stack_height", "arch_stack_width", "arch_stack_channels")] == [
        224,
        224,
        3,
    ]
    table = at.dataframe[1].value
    assert table["parameters"].sum() == 138_357_544 and len(table) == 39
    reading = " ".join(m.value for m in at.markdown)
    assert "holds **74.3%** of all parameters (102,764,544 of 138,357,544)" in reading
    assert "**2,101,248** parameters instead of 102,764,544" in reading and "**37,694,248** instead of" in reading
    assert any("AdaptiveAvgPool2d((7, 7))" in caption.value for caption in at.caption)


@pytest.mark.parametrize(
    "name, total",
    [("lenet5", "61,706"), ("alexnet", "61,100,840"), ("mobilenet_v1", "4,231,976"), ("resnet_basic_block", "73,984")],
)
def test_every_ready_made_stack_shows_its_total(calculator, name, total):
    calculator.selectbox(key="arch_stack_menu").select(name).run()
    assert not calculator.exception and not calculator.error
    assert metric(calculator, "Parameters") == total


def test_a_non_square_input_line_and_a_huge_number_on_the_page(calculator):
    at = calculator
    at.text_area(key="arch_stack").input("input 227x300x3\nconv 11x11 s4x5 c96\npool 3 s2 ceil").run()
    assert not at.exception and not at.error
    assert list(at.dataframe[1].value["output (H x W x C)"]) == ["55 x 58 x 96", "27 x 29 x 96"]
    assert any("The first line sets the input to 227 x 300 x 3" in caption.value for caption in at.caption)
    at.text_area(key="arch_stack").input("pool 2 s99999999999999999999").run()
    assert not at.exception
    assert "the number 99999999999999999999 is too large; numbers go up to 100,000." in as_read(at.error[0].value)
    at.text_area(key="arch_stack").input("conv 3x3 **bold** [x](http://127.0.0.1:9/x.png)").run()
    shown = at.error[0].value
    assert "'**bold**' is not understood" in as_read(shown) and not re.search(r"(?<!\\)[*\[\]()]", shown)
    at.number_input(key="arch_stack_height").set_value(32).run()
    at.text_area(key="arch_stack").input("conv 3x3 c8; gap; fc 10").run()
    assert not at.error and list(at.dataframe[1].value["output (H x W x C)"]) == ["30 x 222 x 8", "8", "10"]


def test_a_failed_download_is_not_retried_on_every_redraw_but_can_be_retried(feature_maps, monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setenv("EXPLORER_WEIGHTS_MIRROR", "http://127.0.0.1:9")
    at = feature_maps
    at.selectbox(key="explorer_model").set_value("alexnet").run()
    assert "Could not download the weights for AlexNet" in at.error[0].value
    assert at.session_state["explorer_model_failures"].keys() == {"alexnet"}
    at.session_state["explorer_model_failures"]["alexnet"] = "Remembered failure."
    at.run()
    assert at.error[0].value.startswith("Remembered failure.")  # not downloaded again
    at.button(key="explorer_model_retry").click().run()
    assert "Could not download the weights for AlexNet" in at.error[0].value  # tried again
