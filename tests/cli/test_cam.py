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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "overlay.jpg"], "--out must end in .png (the overlay picture), not 'overlay.jpg'"),
        (["--heatmap", "h.txt"], "--heatmap must end in .npy (the map as a NumPy array), not 'h.txt'"),
        (["--opacity", "1.5"], "--opacity must be from 0 to 1, not 1.5"),
        (["--opacity", "-0.1"], "--opacity must be from 0 to 1, not -0.1"),
        (["--opacity", "nan"], "--opacity must be from 0 to 1, not nan"),
    ],
)
def test_options_it_cannot_honour_are_refused_before_anything_is_written(args, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["cam", COFFEE, *args]) == 2
    assert capsys.readouterr().err == f"error: {message}.\n"
    assert list(tmp_path.iterdir()) == []


def test_a_layer_whose_output_is_one_pixel_is_refused_for_a_cam(tmp_path, capsys):
    heat = tmp_path / "cam.npy"
    assert main(["cam", COFFEE, "--layer", "_avg_pooling", "--heatmap", str(heat)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Layer _avg_pooling's output is 1x1 for this photo") and err.count("\n") == 1
    assert not heat.exists()


def test_a_typed_class_name_is_echoed_as_escaped_text_on_one_line(capsys):
    assert main(["cam", COFFEE, "--target", "**cat**\n\x1b[31m[x](http://127.0.0.1:9/)"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err
    assert "'**cat**\\n\\x1b[31m[x](http://127.0.0.1:9/)'" in err
