"""``python -m explorer models`` and ``predict``: the lines teachers script against."""

from __future__ import annotations

import json

from explorer.images import SAMPLES_DIR
from explorer.models import MODELS
from tests.cli.conftest import explorer

SAMPLES = SAMPLES_DIR


def test_models_lists_every_model_with_parameters_and_weights_status():
    result = explorer("models")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    for name, spec in MODELS.items():
        line = next(line for line in lines if line.startswith(name + " "))
        assert f"{spec.num_params:,}" in line
    assert "ship with the app" in next(line for line in lines if line.startswith("efficientnet_lite0"))


def test_predict_json_is_a_best_first_list_of_label_index_prob():
    result = explorer("predict", str(SAMPLES / "coffee.png"), "--topk", "3", "--json")
    assert result.returncode == 0, result.stderr
    top = json.loads(result.stdout)
    assert [set(item) for item in top] == [{"label", "index", "prob"}] * 3
    assert top[0]["label"] == "espresso" and top[0]["index"] == 967
    assert top[0]["prob"] >= top[1]["prob"] >= top[2]["prob"]


def test_predict_text_names_the_class():
    result = explorer("predict", str(SAMPLES / "chelsea.png"), "--topk", "1")
    assert result.returncode == 0 and "Egyptian cat" in result.stdout


def test_predict_on_a_non_image_is_one_line_and_exit_2(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo")
    result = explorer("predict", str(notes))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "not an image" in result.stderr


def test_predict_with_an_offline_model_is_one_line_and_exit_2(tmp_path):
    env = {"TORCH_HOME": str(tmp_path), "EXPLORER_WEIGHTS_MIRROR": "http://127.0.0.1:9"}
    result = explorer("predict", str(SAMPLES / "chelsea.png"), "--model", "alexnet", env=env)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "Could not download the weights for AlexNet" in result.stderr
