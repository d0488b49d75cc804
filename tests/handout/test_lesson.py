"""The lesson hand-out: real numbers for every step of the tour, checked against independent references,
and a PDF whose pages (rendered by poppler) all carry content."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from explorer.errors import ExplorerError
from explorer.handout.lesson import build_lesson
from explorer.handout.pdf import PAGE_TITLES, lesson_pdf
from explorer.network.features import run_network
from tests.handout.pages import ink, pdf_pages
from tests.references import grad_cam_by_hand


@pytest.fixture(scope="module")
def lesson(chelsea, lite0, lite0_random):
    return build_lesson(chelsea, lite0, lite0_random)


@pytest.fixture(scope="module")
def grey(chelsea) -> np.ndarray:
    """The photo's luma, computed here from the ITU-R 601 weights."""
    pixels = chelsea.to_array().astype(np.float64)
    return pixels @ np.array([0.299, 0.587, 0.114])


def test_the_pdf_has_one_page_per_section_and_every_page_carries_content(lesson, artifacts_dir):
    data = lesson_pdf(lesson)
    assert data.startswith(b"%PDF")
    pages = pdf_pages(data, keep=artifacts_dir / "lesson")
    assert len(pages) == len(PAGE_TITLES) == 5
    for number, page in enumerate(pages, start=1):
        assert ink(page) > 0.05, f"page {number} is nearly blank"


def test_the_kernels_are_the_real_outputs_with_their_output_size_arithmetic(lesson, chelsea, grey):
    sobel, gaussian = lesson.kernels
    assert sobel.output_size == (451, 300) and sobel.formulas[1].endswith("= 451")
    assert gaussian.output_size == ((451 - 5) // 2 + 1, (300 - 5) // 2 + 1)  # 'valid', stride 2, by hand
    assert gaussian.formulas == (
        "height: floor((H - K_eff + 2P) / S) + 1 = floor((300 - 5 + 2*0) / 2) + 1 = 148",
        "width: floor((W - K_eff + 2P) / S) + 1 = floor((451 - 5 + 2*0) / 2) + 1 = 224",
    )
    sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float64)  # correlated as written, like filter2D
    expected = np.clip(np.abs(cv2.filter2D(grey, -1, sobel_x, borderType=cv2.BORDER_CONSTANT)), 0, 255)
    assert np.abs(sobel.output[:, :, 0].astype(np.float64) - expected).max() <= 1.0
    blur = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256
    reference = cv2.filter2D(chelsea.to_array().astype(np.float64), -1, blur)[2:-2:2, 2:-2:2]
    assert np.abs(gaussian.output.astype(np.float64) - np.clip(reference, 0, 255)).max() <= 1.0


def test_the_step_by_step_sum_is_the_strongest_edge_pixel_of_sobel_x(lesson, grey):
    step = lesson.step
    weights = torch.tensor([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=torch.float64)  # F.conv2d correlates
    reference = F.conv2d(torch.from_numpy(grey)[None, None], weights[None, None], padding=1)[0, 0].numpy()
    assert step.sums[0] == pytest.approx(reference[step.row, step.col], abs=1e-3)  # the app's luma is float32
    inner = np.abs(reference[2:-2, 2:-2])
    assert abs(step.sums[0]) == pytest.approx(inner.max(), abs=1e-3)
    assert np.allclose(step.patches[0], grey[step.row - 1 : step.row + 2, step.col - 1 : step.col + 2], atol=1e-3)
    assert step.sums[0] == pytest.approx(float((step.patches[0] * step.weights[0]).sum()))
    assert lesson.step_window.shape[0] == lesson.step_window.shape[1] and lesson.step_window.ndim == 3


def test_pooling_keeps_the_largest_and_the_mean_of_each_2x2_window(lesson):
    pooling = lesson.pooling
    windows = pooling.block.reshape(2, 2, 2, 2).transpose(0, 2, 1, 3).reshape(2, 2, 4)
    assert np.allclose(pooling.maximum, windows.max(axis=2))
    assert np.allclose(pooling.average, windows.mean(axis=2), atol=1e-3)
    assert pooling.size_before == (451, 300) and pooling.size_after == (225, 150)
    assert pooling.top % 2 == 0 and pooling.left % 2 == 0


def test_the_predictions_are_the_networks_top_five(lesson, chelsea, lite0):
    with torch.no_grad():
        probabilities = torch.softmax(lite0.module(lite0.preprocess(chelsea.image)), dim=1)[0]
    values, indices = probabilities.topk(5)
    assert [p.index for p in lesson.predictions] == indices.tolist()
    assert [p.prob for p in lesson.predictions] == pytest.approx(values.tolist(), abs=1e-5)


def test_feature_maps_show_an_early_a_middle_and_a_late_layer(lesson):
    stages = [part.stage for part in lesson.features]
    assert stages == ["early", "middle", "late"]
    sizes = [part.layer.shape[1] for part in lesson.features]
    fields = [part.layer.receptive.size for part in lesson.features]
    assert sizes[0] > sizes[1] > sizes[2] > 1 and fields[0] < fields[1] < fields[2]
    assert all(part.grid.ndim == 3 and part.grid.dtype == np.uint8 for part in lesson.features)


def test_the_wrong_class_is_the_next_guess_whose_map_differs_most(lesson, lite0, chelsea):
    assert lesson.top_cam.index == lesson.predictions[0].index and lesson.cam_layer == "_head_act"
    with torch.no_grad():
        ranked = lite0.module(lite0.preprocess(chelsea.image))[0].argsort(descending=True)[:10].tolist()
    maps = grad_cam_by_hand(lite0, chelsea, "_head_act", ranked)
    top = maps[ranked[0]].ravel()
    correlation = {k: np.corrcoef(top, maps[k].ravel())[0, 1] for k in ranked[1:]}
    assert lesson.wrong_cam.index == min(correlation, key=correlation.get)
    assert not lesson.wrong_chosen_by_user


def test_the_sanity_check_number_is_the_correlation_of_the_two_maps(lesson):
    expected = np.corrcoef(lesson.top_cam.values.ravel(), lesson.random_cam.values.ravel())[0, 1]
    assert lesson.similarity == pytest.approx(expected, abs=1e-4)
    assert lesson.random_cam.index == lesson.top_cam.index


def test_a_wrong_class_can_be_named_and_the_top_class_is_refused(coffee, lite0, lite0_random):
    run = run_network(lite0, coffee.image)
    chosen = build_lesson(coffee, lite0, lite0_random, wrong_class="tabby", run=run)
    assert chosen.wrong_cam.label == "tabby" and chosen.wrong_chosen_by_user
    assert chosen.top_cam.label == "espresso"
    with pytest.raises(ExplorerError, match="top guess"):
        build_lesson(coffee, lite0, lite0_random, wrong_class="top1", run=run)
