"""The calculator on the command line, as a teacher preparing exercises runs it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from explorer.cli import main
from tests.cli.conftest import explorer
from tests.conftest import ROOT

LENET = "conv 5x5 c6; pool 2; conv 5x5 c16; pool 2; flatten; fc 120; fc 84; fc 10"


def test_lenet_prints_one_row_per_line_and_the_totals():
    done = explorer("stack", LENET, "--input", "32x32x1")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "input 32 x 32 x 1" and len(lines) == 2 + 8 + 1
    assert " ".join(lines[2].split()) == "1 conv 5x5 c6 28 x 28 x 6 156 117,600 5 x 5 (jump 1 x 1)"
    assert "whole input" in lines[-2]
    assert lines[-1] == "total: 61,706 parameters, 416,520 multiply-adds"


def test_json_has_layers_and_an_integer_total(capsys):
    assert main(["stack", LENET, "--input", "32x32x1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total_params"] == 61_706 and isinstance(data["total_params"], int)
    assert data["input"] == [32, 32, 1] and len(data["layers"]) == 8
    first, flatten = data["layers"][0], data["layers"][4]
    assert first == {
        "number": 1,
        "layer": "conv 5x5 c6",
        "output_shape": [28, 28, 6],
        "parameters": 156,
        "multiply_adds": 117_600,
        "receptive_field": [5, 5],
        "receptive_field_is_whole_input": False,
        "jump": [1, 1],
    }
    assert flatten["output_shape"] == [400] and flatten["jump"] is None
    assert data["layers"][-1]["receptive_field_is_whole_input"] is True


def test_a_ready_made_stack_comes_with_its_input(capsys):
    assert main(["stack", "--preset", "vgg16", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total_params"] == 138_357_544 and data["input"] == [224, 224, 3]
    assert main(["stack", "--preset", "alexnet", "--input", "227x227x3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["layers"][0]["output_shape"] == [56, 56, 64]


@pytest.mark.parametrize(
    "args, message",
    [
        (["conv 3x3; banana"], "Layer 2 'banana' should start with one of conv, pool, fc"),
        (["pool 2 s99999999999999999999"], "the number 99999999999999999999 is too large"),
        (["conv 3x3", "--input", "32x32x"], "--input '32x32x' should give the input as height x width x channels"),
        (["conv 3x3", "--input", "0x5x5"], "at least 1"),
        ([], "Give either a stack"),
        (["conv 3x3", "--preset", "vgg16"], "Give either a stack"),
        (["--preset", "resnet152"], "no ready-made stack called 'resnet152'"),
        (["conv 3x3 c4; fc 10"], "Layer 2 'fc 10' needs a flat list of numbers"),
    ],
)
def test_bad_syntax_is_one_sentence_naming_the_line_and_exit_2(capsys, args, message):
    assert main(["stack", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
    assert message in captured.err and captured.err.startswith("error: ")


def test_the_stack_command_imports_neither_torch_nor_torchvision():
    code = (
        "import sys, contextlib, io\n"
        "from explorer.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()): code = main(['stack', {LENET!r}, '--input', '32x32x1'])\n"
        "print(code, 'torch' in sys.modules, 'torchvision' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["0", "False", "False"], done.stderr
