"""The network pages in Streamlit's AppTest: predictions everywhere, one forward pass, widgets only redraw."""

from __future__ import annotations

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
    assert list(calculator["receptive field"]) == [3, 4, 8, 10]
    at.text_area(key="arch_stack").input("conv 3x3 s2; conv 3x3").run()
    assert list(at.dataframe[1].value["receptive field"]) == [3, 7]
    at.text_area(key="arch_stack").input("conv 3x3; flatten").run()
    assert not at.exception
    assert at.error[0].value == "'flatten' should start with 'conv' or 'pool'."


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
