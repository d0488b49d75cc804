"""Every ready-made stack against an independent count: a PyTorch module built here (its parameters summed)
and the shapes a real forward pass of zeros produces, layer by layer."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torchvision.models import alexnet, vgg16
from torchvision.models.resnet import BasicBlock

from explorer.errors import ExplorerError
from explorer.network.stack import calculate
from explorer.network.stack_presets import READY_STACKS, get_ready_stack


def built(module_on_meta) -> nn.Module:
    """A torchvision network built without spending time initialising its weights (zeros go in; shapes matter)."""
    with torch.device("meta"):
        module = module_on_meta()
    return module.to_empty(device="cpu").eval()


def shapes_of(layers: nn.Sequential, size: tuple[int, int, int]) -> list[tuple[int, ...]]:
    """The output shape of every layer of ``layers`` on zeros, as (height, width, channels) or (numbers,)."""
    shapes = []
    data = torch.zeros(1, size[2], size[0], size[1])
    with torch.no_grad():
        for layer in layers:
            data = layer(data)
            shapes.append((*data.shape[2:], data.shape[1]) if data.dim() == 4 else (data.shape[1],))
    return shapes


def ready(name: str):
    stack = get_ready_stack(name)
    return stack, calculate(stack.text, stack.input_shape)


def parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_lenet_5_has_61706_parameters_and_its_shapes():
    stack, result = ready("lenet5")
    reference = nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10), nn.Softmax(1),
    )  # fmt: skip
    assert result.total_params == parameters(reference) == 61_706
    assert [row.shape for row in result.rows] == shapes_of(reference, stack.input_shape)


def test_alexnet_matches_torchvisions_61100840_parameters_and_every_layer_shape():
    stack, result = ready("alexnet")
    network = built(alexnet)
    assert result.total_params == parameters(network) == 61_100_840
    with torch.no_grad():
        assert network(torch.zeros(1, 3, 224, 224)).shape == (1, 1000)
        assert network.avgpool(torch.zeros(1, 256, 6, 6)).shape == (1, 256, 6, 6)  # left out: changes nothing
    layers = nn.Sequential(*network.features, nn.Flatten(), *network.classifier)
    assert [row.shape for row in result.rows] == shapes_of(layers, stack.input_shape)


@pytest.fixture(scope="module")
def vgg():
    return built(vgg16)


def test_vgg16_matches_torchvisions_138357544_parameters_and_every_layer_shape(vgg):
    stack, result = ready("vgg16")
    assert result.total_params == parameters(vgg) == 138_357_544
    layers = nn.Sequential(*vgg.features, nn.Flatten(), *vgg.classifier)
    assert [row.shape for row in result.rows] == shapes_of(layers, stack.input_shape)
    largest = result.largest()
    assert largest.params == parameters(vgg.classifier[0]) == 25_088 * 4096 + 4096
    assert 0.70 < largest.params / result.total_params < 0.78  # about three quarters


def test_vgg16_with_gap_matches_a_module_with_global_average_pooling(vgg):
    stack, result = ready("vgg16_gap")
    head = [nn.Linear(512, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout()]
    layers = nn.Sequential(*vgg.features, nn.AdaptiveAvgPool2d(1), nn.Flatten(), *head, nn.Linear(4096, 1000))
    assert result.total_params == parameters(layers) == 37_694_248
    shapes = shapes_of(layers, stack.input_shape)
    assert [row.shape for row in result.rows] == shapes[:31] + shapes[32:]  # gap = pool to 1x1, then flatten


def test_mobilenet_v1_matches_a_depthwise_separable_module():
    stack, result = ready("mobilenet_v1")

    def block(inputs: int, outputs: int, stride: int) -> list[nn.Module]:
        return [
            nn.Conv2d(inputs, inputs, 3, stride, 1, groups=inputs, bias=False), nn.BatchNorm2d(inputs), nn.ReLU(),
            nn.Conv2d(inputs, outputs, 1, bias=False), nn.BatchNorm2d(outputs), nn.ReLU(),
        ]  # fmt: skip

    table = [(32, 64, 1), (64, 128, 2), (128, 128, 1), (128, 256, 2), (256, 256, 1), (256, 512, 2)]
    table += [(512, 512, 1)] * 5 + [(512, 1024, 2), (1024, 1024, 1)]  # Howard et al. 2017, Table 1
    layers = [nn.Conv2d(3, 32, 3, 2, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU()]
    for inputs, outputs, stride in table:
        layers += block(inputs, outputs, stride)
    reference = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1024, 1000))
    assert result.total_params == parameters(reference) == 4_231_976
    shapes = shapes_of(reference.eval(), stack.input_shape)
    assert [row.shape for row in result.rows] == shapes[:-3] + shapes[-2:]
    assert result.rows[-3].shape == (7, 7, 1024)


def test_resnet_basic_block_counts_what_torchvisions_block_holds():
    stack, result = ready("resnet_basic_block")
    block = BasicBlock(64, 64).eval()
    assert result.total_params == parameters(block) == 2 * 64 * 64 * 9 + 2 * 2 * 64
    with torch.no_grad():
        out = block(torch.zeros(1, 64, 56, 56))
    assert result.rows[-1].shape == (*out.shape[2:], out.shape[1])
    assert result.rows[-1].receptive_field == (5, 5)


def test_every_ready_stack_is_in_the_menu_with_a_note():
    assert list(READY_STACKS) == ["lenet5", "alexnet", "vgg16", "vgg16_gap", "mobilenet_v1", "resnet_basic_block"]
    assert all(stack.note and stack.title for stack in READY_STACKS.values())
    with pytest.raises(ExplorerError, match="choose lenet5, alexnet"):
        get_ready_stack("resnet152")
