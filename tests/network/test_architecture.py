"""The layer table of real networks, checked against torchvision's counts and numbers known by hand."""

from __future__ import annotations

import pytest
import torch
from PIL import Image

from explorer.errors import ExplorerError
from explorer.models import load_model
from explorer.network.architecture import layer_facts, layer_table, mult_adds
from explorer.network.features import run_network

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


def test_layer_facts_name_the_module(resnet18_random):
    model = resnet18_random
    facts = layer_facts(model.module, "layer1.0")
    assert facts["type"] == "BasicBlock" and facts["parameters"] == f"{2 * (64 * 64 * 9 + 128):,}"
    with pytest.raises(ExplorerError):
        layer_facts(model.module, "layer9")


def test_squeeze_excite_rows_say_whole_image_instead_of_a_number():
    torch.manual_seed(0)
    model = load_model("mobilenet_v3_large", pretrained=False)
    table = layer_table(model.module, run_network(model, SQUARE)).rows
    rows = {row.name: row for row in table}
    assert rows["features.4.block.1.0"].receptive_text == "35"  # the depthwise conv before the first gate
    assert rows["features.4.block.2.fc1"].receptive_text == "whole image (global pool)"  # the gate itself
    assert rows["features.4.block.3.0"].receptive_text == "whole image (global gate)"  # gated: was 251 > 224
    assert rows["features.16.0"].receptive_text == "whole image (global gate)"
    assert rows["classifier.0"].receptive_text == ""  # a flat vector has no window
    first_gate = list(rows).index("features.4.block.2.avgpool")
    assert all(row.receptive_text.startswith("whole image") or not row.receptive_text for row in table[first_gate:])
    assert all(int(row.receptive_field or 0) <= 224 for row in table[:first_gate])
