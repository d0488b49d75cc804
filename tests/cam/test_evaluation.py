"""Checking explanations: saliency leaves the model alone, random weights give a different map,
hiding the CAM's region hurts the class more than hiding random regions (seeded, reproducible)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from explorer.cam.evaluation import faithfulness, gaussian_blur, gradient_saliency, map_similarity
from explorer.cam.methods import compute_cams
from explorer.drawing import heatmap, overlay
from explorer.errors import ExplorerError
from explorer.network.capture import hook_count


def test_saliency_is_input_sized_and_leaves_model_alone(lite0, coffee):
    inputs = lite0.preprocess(coffee.image)
    values = gradient_saliency(lite0.module, inputs, 967)
    assert values.shape == tuple(inputs.shape[-2:]) and values.min() >= 0 and values.max() <= 1
    assert hook_count(lite0.module) == 0 and all(p.grad is None for p in lite0.module.parameters())


def test_random_weights_copy_gives_another_map_and_spares_the_shared_model(lite0, lite0_random, coffee):
    inputs = lite0.preprocess(coffee.image)
    random = lite0_random
    assert random.module is not lite0.module
    trained = compute_cams(lite0.module, inputs, "_conv_head", classes=[967]).maps[0]
    noise = compute_cams(random.module, inputs, "_conv_head", classes=[967]).maps[0]
    assert map_similarity(trained, trained) == pytest.approx(1.0)
    assert map_similarity(trained, noise) < 0.9


def test_hiding_the_cam_region_hurts_more_than_random_regions(lite0, coffee):
    inputs = lite0.preprocess(coffee.image)
    cam = compute_cams(lite0.module, inputs, "_conv_head", classes=[967]).maps[0]
    result = faithfulness(lite0.module, inputs, cam, 967, fraction=0.2, fill="blur", draws=6, seed=3)
    again = faithfulness(lite0.module, inputs, cam, 967, fraction=0.2, fill="blur", draws=6, seed=3)
    assert result == again and len(result.random_hidden) == 6
    assert result.cam_drop > result.random_drop
    mean_fill = faithfulness(lite0.module, inputs, cam, 967, fill="mean", draws=2)
    assert 0 <= mean_fill.cam_hidden <= 1
    with pytest.raises(ExplorerError):
        faithfulness(lite0.module, inputs, cam, 967, fraction=1.5)


def test_overlay_covers_the_whole_photo(coffee):
    heat = heatmap(np.eye(4, dtype=np.float32), coffee.size)
    assert heat.shape == (coffee.size[1], coffee.size[0]) and heat.dtype == np.float32
    picture = overlay(coffee.to_array(), heat, opacity=0.0)
    assert np.array_equal(picture, coffee.to_array())
    hidden = overlay(coffee.to_array(), heat, opacity=1.0, colormap="viridis", threshold=1.01)
    assert np.array_equal(hidden, coffee.to_array())


def test_sanity_check_on_the_default_model_compares_a_real_map_not_a_blank(lite0, lite0_random, chelsea):
    """The random network's map peaks far below 1e-6 but still has a shape; scaled by its own range it
    fills 0..1 (no epsilon floor), and the reported correlation is a number, the same every time."""
    inputs = lite0.preprocess(chelsea.image)
    trained = compute_cams(lite0.module, inputs, "_conv_head", classes=[285])
    random = compute_cams(lite0_random.module, inputs, "_conv_head", classes=[285])
    peak = float(random.raw_for(285).max())
    assert 0 < peak < 1e-6, "the tiny peak that an epsilon of 1e-7 used to flatten"
    assert not random.is_zero(285)
    shown = random.map_for(285)
    assert shown.max() == pytest.approx(1.0) and shown.min() == pytest.approx(0.0)
    assert shown.std() > 0.1, "a map with structure, not a blank tint"
    expected = shown.astype(np.float64) - shown.min()
    np.testing.assert_allclose(shown, expected / expected.max(), atol=1e-6)  # min-max by hand
    score = map_similarity(trained.map_for(285), shown)
    assert -1.0 <= score < 0.9
    assert map_similarity(trained.map_for(285), shown) == score


@pytest.mark.parametrize(("size", "sigma"), [(3, 0.8), (11, 2.5), (67, 11.2)])
def test_the_blur_that_hides_regions_is_torchvisions_gaussian_blur(chelsea, lite0, size, sigma):
    """The faithfulness check blurs with its own Gaussian (the server does not import torchvision): it
    must be torchvision's, edges mirrored, on a real photo."""
    from torchvision.transforms.functional import gaussian_blur as reference

    photo = lite0.preprocess(chelsea.image)
    ours = gaussian_blur(photo, size, sigma)
    assert ours.shape == photo.shape
    assert torch.allclose(ours, reference(photo, [size, size], [sigma, sigma]), atol=1e-5)


def test_the_contrasting_class_is_never_a_blank_map_while_another_has_one():
    """A blank map correlates 0 with anything, below every real map here: it must not be picked as the
    class "least like" the top one (the lesson and the quiz would show an empty overlay)."""
    from explorer.cam.contrast import least_alike
    from explorer.cam.methods import CamSet

    top = np.zeros((4, 4))
    top[:2] = 1.0
    alike, unlike, blank = top.copy(), top[::-1].copy(), np.zeros((4, 4))
    unlike[:2] += 0.5  # mostly opposite, but correlated a little: -0.5 < corr < 0
    raw = np.stack([top, alike, unlike, blank])
    cams = CamSet("Grad-CAM", "layer", (0, 1, 2, 3), raw, np.full(4, 0.25), raw)
    assert map_similarity(top, blank) == 0.0 and map_similarity(top, unlike) < 0
    assert least_alike(cams, 0) == 2
    positive = raw.copy()
    positive[2] = top + np.eye(4)  # now every real map correlates positively, the blank one at 0
    cams = CamSet("Grad-CAM", "layer", (0, 1, 2, 3), positive, np.full(4, 0.25), positive)
    assert least_alike(cams, 0) in (1, 2)
    only_blank = CamSet("Grad-CAM", "layer", (0, 3), raw[[0, 3]], np.full(2, 0.5), raw[[0, 3]])
    assert least_alike(only_blank, 0) == 3
