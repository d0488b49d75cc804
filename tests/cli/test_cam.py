"""``python -m explorer cam``: overlay PNG and photo-sized heatmap, targets by rank, index or name, plain errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from explorer.cli import main
from explorer.images import SAMPLES_DIR, load_path

COFFEE = str(SAMPLES_DIR / "coffee.png")


def test_a_rank_target_explains_the_class_predict_ranks_there(capsys):
    assert main(["predict", COFFEE, "--topk", "3", "--json"]) == 0
    second = json.loads(capsys.readouterr().out)[1]
    assert main(["cam", COFFEE, "--target", "top2"]) == 0
    assert f"'{second['label']}' (class {second['index']}," in capsys.readouterr().out


def test_writes_overlay_and_heatmap_the_size_of_the_photo(tmp_path, capsys):
    out, heat = tmp_path / "overlay.png", tmp_path / "cam.npy"
    assert main(["cam", COFFEE, "--out", str(out), "--heatmap", str(heat)]) == 0
    assert "espresso" in capsys.readouterr().out
    width, height = load_path(COFFEE).size
    values = np.load(heat)
    assert values.shape == (height, width) and values.dtype == np.float32
    assert values.min() >= 0 and values.max() <= 1 and values.max() > 0.9
    assert Image.open(out).size == (width, height)


@pytest.mark.parametrize("target", ["ESPRESSO", "967", "top1"])
def test_targets_by_name_index_or_rank(target, capsys):
    assert main(["cam", COFFEE, "--target", target, "--method", "layercam"]) == 0
    assert "'espresso' (class 967" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "expresso"], "did you mean 'espresso'"),
        (["--layer", "nope"], "no layer called 'nope'"),
        (["--method", "magic"], "no CAM method"),
        (["--target", "1000"], "out of range"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(args, message, capsys):
    assert main(["cam", COFFEE, *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("error: ")


def test_missing_image_is_a_plain_error(capsys, tmp_path):
    assert main(["cam", str(tmp_path / "none.png")]) == 2
    assert "There is no file" in capsys.readouterr().err
