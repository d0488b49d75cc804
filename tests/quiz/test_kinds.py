"""Every kind of quiz question: the revealed answer is the truth, recomputed here independently
(hand formulas, OpenCV, NumPy, torch.nn.functional, the layer's own parameters, gradients)."""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from explorer.network.capture import forward_capturing
from explorer.quiz import make_question, quiz_source
from tests.references import grad_cam_by_hand

SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def source(chelsea, lite0):
    return quiz_source(chelsea, lite0)


@pytest.fixture(scope="module")
def logits(chelsea, lite0) -> torch.Tensor:
    with torch.no_grad():
        return lite0.module(lite0.preprocess(chelsea.image))[0]


def module_named(model, name):
    return dict(model.module.named_modules())[name]


def output_shape(model, image, name) -> tuple[int, ...]:
    """The (N, C, H, W) shape of one layer's output when the network runs on the photo."""
    with torch.no_grad():
        _, captured = forward_capturing(model.module, model.preprocess(image.image), [name])
    return tuple(captured[name].shape)


def revealed_right(question, truth) -> None:
    """The card marks the recomputed truth right, and shows it as the answer."""
    assert question.is_correct(truth)
    if question.choices:
        assert question.truth == truth and truth in question.choices
        assert len(set(question.choices)) == len(question.choices)
    else:
        assert float(question.truth) == pytest.approx(float(truth), abs=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_output_size_is_the_formula_and_the_real_convolutions_shape(source, chelsea, seed):
    question = make_question("output_size", source, seed)
    size, stride, padding = re.search(r"A (\d)x\d kernel .* stride (\d) and '(\w+)'", question.prompt).groups()
    size, stride = int(size), int(stride)
    pad = (size - 1) // 2 if padding == "same" else 0
    width, height = chelsea.size
    by_hand = f"{(width - size + 2 * pad) // stride + 1} x {(height - size + 2 * pad) // stride + 1}"
    photo = torch.tensor(chelsea.to_array()).permute(2, 0, 1)[None].float()
    real = F.conv2d(photo, torch.ones(3, 1, size, size), stride=stride, padding=pad, groups=3)
    assert by_hand == f"{real.shape[3]} x {real.shape[2]}"
    revealed_right(question, by_hand)
    assert len(question.choices) == 4


@pytest.mark.parametrize("seed", SEEDS)
def test_which_kernel_names_the_picture_that_opencv_makes_with_that_kernel(source, chelsea, seed):
    question = make_question("which_kernel", source, seed)
    target = re.search(r"Which one is the (\w+) result", question.prompt).group(1)
    small = chelsea.image.copy()
    small.thumbnail((320, 320), Image.Resampling.LANCZOS)
    grey = np.asarray(small, np.float64) @ np.array([0.299, 0.587, 0.114])
    scale = re.search(r"\(x 1/(\d+)\)", question.tables[0].caption)
    grid = question.tables[0].values / (int(scale.group(1)) if scale else 1)
    expected = np.clip(np.abs(cv2.filter2D(grey, -1, grid[::-1, ::-1], borderType=cv2.BORDER_CONSTANT)), 0, 255)
    differences = {p.caption: np.abs(p.pixels[:, :, 0] - expected).mean() for p in question.pictures}
    assert min(differences, key=differences.get) == question.truth and differences[question.truth] < 1.0
    assert question.tables[0].caption.startswith(f"{target} weights") and not question.tables[0].pixels
    revealed_right(question, min(differences, key=differences.get))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_step_sum_is_the_numpy_sum_of_products_and_the_conv2d_output(source, chelsea, seed):
    question = make_question("step_sum", source, seed)
    row, col = map(int, re.search(r"row (\d+), column (\d+)", question.prompt).groups())
    red = chelsea.to_array()[:, :, 0].astype(np.float64)
    weights = question.tables[1].values
    patch = np.pad(red, 1)[row : row + 3, col : col + 3]
    assert np.array_equal(question.tables[0].values, patch)
    by_hand = float((patch * weights).sum())
    layer = F.conv2d(torch.from_numpy(red)[None, None], torch.from_numpy(weights)[None, None], padding=1)
    assert float(layer[0, 0, row, col]) == pytest.approx(by_hand)
    revealed_right(question, by_hand)
    assert not question.is_correct(by_hand + 1)


@pytest.mark.parametrize("seed", SEEDS)
def test_pooling_is_the_max_or_mean_of_the_named_window(source, chelsea, seed):
    question = make_question("pooling", source, seed)
    top, left = map(int, re.search(r"rows (\d+)-\d+, columns (\d+)-", question.prompt).groups())
    kind = re.search(r"2x2 (max|average) pooling", question.prompt).group(1)
    where = re.search(r"What is the ([\w-]+) one", question.prompt).group(1)
    grey = cv2.cvtColor(chelsea.to_array(), cv2.COLOR_RGB2GRAY).astype(np.float64)[top : top + 4, left : left + 4]
    block = question.tables[0].values
    assert np.abs(block - grey).max() <= 1  # the real block of the photo (OpenCV rounds luma its own way)
    row, col = {"top-left": (0, 0), "top-right": (0, 1), "bottom-left": (1, 0), "bottom-right": (1, 1)}[where]
    window = block[2 * row : 2 * row + 2, 2 * col : 2 * col + 2]
    revealed_right(question, window.max() if kind == "max" else window.mean())


@pytest.mark.parametrize("seed", SEEDS)
def test_the_prediction_is_the_argmax_of_the_networks_logits(source, lite0, logits, seed):
    question = make_question("prediction", source, seed)
    revealed_right(question, lite0.categories[int(logits.argmax())])
    assert len(question.choices) == 4


@pytest.mark.parametrize("seed", SEEDS)
def test_parameters_are_the_layers_own_parameter_count(source, lite0, seed):
    question = make_question("parameters", source, seed)
    name = re.search(r"Layer (\S+) of", question.prompt).group(1)
    revealed_right(question, sum(p.numel() for p in module_named(lite0, name).parameters()))


@pytest.mark.parametrize("seed", SEEDS)
def test_channels_are_the_feature_maps_the_layer_really_outputs(source, lite0, chelsea, seed):
    question = make_question("channels", source, seed)
    name = re.search(r"Layer (\S+) of", question.prompt).group(1)
    channels = output_shape(lite0, chelsea, name)[1]
    assert channels == module_named(lite0, name).out_channels
    revealed_right(question, str(channels))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_receptive_field_is_where_the_gradient_of_one_output_reaches(source, lite0, seed):
    question = make_question("receptive_field", source, seed)
    name = re.search(r"output of (\S+) sees", question.prompt).group(1)
    pixels = torch.randn(1, 3, 128, 128, generator=torch.Generator().manual_seed(seed)).requires_grad_(True)
    with torch.enable_grad():
        _, captured = forward_capturing(lite0.module, pixels, [name])
        out = captured[name]
        (gradient,) = torch.autograd.grad(out[0, :, out.shape[2] // 2, out.shape[3] // 2].sum(), pixels)
    rows = torch.nonzero(gradient[0].abs().sum(dim=(0, 2))).flatten()
    revealed_right(question, str(int(rows.max() - rows.min() + 1)))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_feature_map_size_is_the_layers_real_output(source, lite0, chelsea, seed):
    question = make_question("feature_map_size", source, seed)
    name = re.search(r"By layer (\S+) the strides", question.prompt).group(1)
    _, _, height, width = output_shape(lite0, chelsea, name)
    revealed_right(question, f"{width} x {height}")


@pytest.mark.parametrize("seed", SEEDS)
def test_the_cam_shown_is_the_map_of_the_revealed_class(source, lite0, chelsea, seed):
    question = make_question("cam_class", source, seed)
    first, second = re.search(r"considered: '(.+)' or '(.+)'\. Which", question.prompt).groups()
    classes = [lite0.categories.index(first), lite0.categories.index(second)]
    maps = {
        k: cv2.resize(m, chelsea.size, interpolation=cv2.INTER_LINEAR)
        for k, m in grad_cam_by_hand(lite0, chelsea, "_head_act", classes).items()
    }
    hue = cv2.cvtColor(question.pictures[0].pixels, cv2.COLOR_RGB2HSV)[:, :, 0].astype(np.float64)
    redness = -np.abs(np.where(hue > 90, hue - 180, hue))  # jet: red (hue 0) where the map is high
    match = {k: np.corrcoef(redness.ravel(), maps[k].ravel())[0, 1] for k in classes}
    best, other = sorted(classes, key=match.get, reverse=True)
    assert match[best] > match[other] + 0.2  # the picture clearly follows one of the two maps
    revealed_right(question, lite0.categories[best])
    assert {p.caption for p in question.revealed} == {
        f"Grad-CAM of '{first}'",
        f"Grad-CAM of '{second}'",
    }
