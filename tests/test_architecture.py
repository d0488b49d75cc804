"""The layer table, the stack calculator and separable counts, checked against numbers known by hand."""

from __future__ import annotations

import pytest
from PIL import Image

from explorer.architecture import layer_facts, layer_table, mult_adds, parse_stack, separable_counts
from explorer.errors import ExplorerError
from explorer.features import run_network
from explorer.models import load_model

SQUARE = Image.new("RGB", (224, 224), (120, 90, 60))


@pytest.fixture(scope="module")
def alexnet_table():
    model = load_model("alexnet", pretrained=False)
    return layer_table(model.module, run_network(model, SQUARE))


@pytest.mark.parametrize(("name", "params"), [("resnet18", 11_689_512), ("vgg16", 138_357_544)])
def test_total_parameters_match_torchvision(name, params):
    model = load_model(name, pretrained=False)
    table = layer_table(model.module, run_network(model, SQUARE))
    assert table.total_params == params
    assert sum(row.params for row in table.rows) == params


def test_alexnet_output_shapes_for_224(alexnet_table):
    shapes = {row.name: row.output_shape for row in alexnet_table.rows}
    assert shapes["features.0"] == (64, 55, 55)
    assert shapes["features.2"] == (64, 27, 27)
    assert shapes["features.3"] == (192, 27, 27)
    assert shapes["features.5"] == (192, 13, 13)
    assert shapes["features.6"] == (384, 13, 13)
    assert shapes["features.8"] == (256, 13, 13)
    assert shapes["features.10"] == (256, 13, 13)
    assert shapes["features.12"] == (256, 6, 6)
    assert shapes["classifier.6"] == (1000,)


def test_alexnet_receptive_fields_and_first_conv_described(alexnet_table):
    rows = {row.name: row for row in alexnet_table.rows}
    # 11 (conv 11 s4) -> +2*4 = 19 (pool 3 s2) -> +4*8 = 51 (conv 5) -> +2*8 = 67 (pool) ... -> 195
    names = ("features.0", "features.2", "features.3", "features.5", "features.12")
    assert [rows[n].receptive_field for n in names] == [11, 19, 51, 67, 195]
    assert (rows["features.0"].kernel, rows["features.0"].stride, rows["features.0"].padding) == ("11", "4", "2")


def test_conv_multiply_adds_by_hand(alexnet_table):
    first = next(row for row in alexnet_table.rows if row.name == "features.0")
    # each of 64*55*55 outputs sums 3 input channels * 11 * 11 products
    assert first.mult_adds == 64 * 55 * 55 * 3 * 11 * 11


def test_depthwise_multiply_adds_and_same_padding_on_default_model():
    model = load_model("efficientnet_lite0", pretrained=False)
    table = layer_table(model.module, run_network(model, SQUARE))
    rows = {row.name: row for row in table.rows}
    stem, depthwise = rows["_conv_stem"], rows["_blocks.0._depthwise_conv"]
    assert stem.padding == "same" and stem.output_shape == (32, 112, 112)  # ceil(224 / 2)
    assert depthwise.kernel == "3 depthwise"
    assert depthwise.mult_adds == 32 * 112 * 112 * 1 * 3 * 3
    assert stem.receptive_field == 3 and depthwise.receptive_field == 3 + 2 * 2
    assert table.total_params == 4_652_008
    assert mult_adds(model.module._fc, (1000,)) == 1280 * 1000


def test_layer_facts_name_the_module():
    model = load_model("resnet18", pretrained=False)
    facts = layer_facts(model.module, "layer1.0")
    assert facts["type"] == "BasicBlock" and facts["parameters"] == f"{2 * (64 * 64 * 9 + 128):,}"
    with pytest.raises(ExplorerError):
        layer_facts(model.module, "layer9")


def test_stack_receptive_fields_by_hand():
    assert [r.receptive_field for r in parse_stack("conv 3x3 s1; conv 3x3 s1")] == [3, 5]
    assert [r.receptive_field for r in parse_stack("conv 3x3 s2; conv 3x3 s1")] == [3, 7]
    # conv3 (3), pool 2 (3 + 1*1 = 4, jump 2), conv3 (4 + 2*2 = 8)
    rows = parse_stack("conv 3x3 p1; pool 2; conv 3x3 p1")
    assert [r.receptive_field for r in rows] == [3, 4, 8]
    assert [r.jump for r in rows] == [1, 2, 2]


def test_stack_sizes_params_and_multiply_adds():
    rows = parse_stack("conv 3x3 s1 p1 c64; pool 2; conv 3x3 c128", size=(32, 32), channels=3)
    assert [(r.channels, r.size) for r in rows] == [(64, (32, 32)), (64, (16, 16)), (128, (14, 14))]
    assert [r.params for r in rows] == [3 * 9 * 64 + 64, 0, 64 * 9 * 128 + 128]
    assert rows[2].mult_adds == 128 * 14 * 14 * 64 * 9


def test_stack_options_same_padding_dilation_and_depthwise():
    rows = parse_stack("conv 5x5 p same d2 c8\nconv 3x3 s2 dw", size=(20, 20), channels=3)
    assert rows[0].size == (20, 20) and rows[0].receptive_field == 9
    assert rows[1].channels == 8 and rows[1].params == 8 * 9 + 8
    assert rows[1].size == (9, 9)  # (20 - 3) // 2 + 1, no padding


@pytest.mark.parametrize("text", ["", "banana 3", "conv", "conv 3x3 q7", "conv 3x3 c4 dw", "conv 9x9", "pool 0"])
def test_stack_bad_text_is_one_clear_sentence(text):
    with pytest.raises(ExplorerError) as error:
        parse_stack(text, size=(4, 4))
    assert "\n" not in str(error.value) and str(error.value).endswith(".")


def test_separable_counts_by_hand():
    counts = separable_counts(3, 32, 64)
    assert (counts.standard, counts.depthwise, counts.pointwise) == (3 * 3 * 32 * 64, 3 * 3 * 32, 32 * 64)
    assert counts.separable == 288 + 2048
    assert counts.ratio == pytest.approx(18432 / 2336)
    with pytest.raises(ExplorerError):
        separable_counts(0, 3, 3)
