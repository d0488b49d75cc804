"""The device badge tells the truth: CUDA when there is one, else the CPU with the reason."""

import os
import subprocess
import sys

import pytest
import torch

from explorer.device import choose_device, friendly_oom
from explorer.errors import ExplorerError
from tests.conftest import ROOT


def test_cpu_can_always_be_asked_for():
    choice = choose_device("cpu")
    assert choice.device == torch.device("cpu") and choice.name == "CPU" and not choice.is_cuda


def test_automatic_choice_matches_what_the_machine_has():
    choice = choose_device()
    assert choice.is_cuda == torch.cuda.is_available()
    if choice.is_cuda:
        assert choice.name == torch.cuda.get_device_name(choice.device.index)


def test_environment_variable_picks_the_device(monkeypatch):
    monkeypatch.setenv("EXPLORER_DEVICE", "cpu")
    assert choose_device().device.type == "cpu"


def test_asking_for_cuda_gives_cuda_or_says_why_not():
    choice = choose_device("cuda")
    if torch.cuda.is_available():
        assert choice.is_cuda
    else:
        assert choice.device.type == "cpu" and "no CUDA device" in choice.reason and choice.problem


@pytest.mark.parametrize("name", ["nonsense", "tpu", "cuda:x", "cuda:-1", "**cuda**", "cuda:1; rm -rf /"])
def test_a_name_that_is_not_a_device_falls_back_to_the_cpu_with_one_sentence(name):
    choice = choose_device(name)
    assert choice.device == torch.device("cpu") and choice.name == "CPU"
    assert (
        choice.problem
        == f"EXPLORER_DEVICE={name!r} is not a device (use cpu, cuda or cuda:N), so the CPU computes instead."
    )


def test_a_cuda_device_that_is_not_there_falls_back_to_the_cpu_with_one_sentence():
    missing = max(7, torch.cuda.device_count())
    choice = choose_device(f"cuda:{missing}")
    assert choice.device == torch.device("cpu")
    if torch.cuda.is_available():
        expected = f"asked for CUDA device {missing} but this machine has {torch.cuda.device_count()}"
    else:
        expected = "asked for CUDA but no CUDA device is available"
    assert choice.problem == f"EXPLORER_DEVICE='cuda:{missing}' {expected}, so the CPU computes instead."


def test_an_endless_device_name_is_cut_short_in_the_sentence():
    choice = choose_device("x" * 10_000 + "\n**bold**")
    assert choice.problem is not None and len(choice.problem) < 160 and "\n" not in choice.problem


@pytest.mark.parametrize("value", ["nonsense", "cuda:7"])
def test_the_process_says_once_at_start_which_device_request_failed(value):
    script = "from explorer.device import default_device as d; d(); d(); print(d().device)"
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "EXPLORER_DEVICE": value},
    )
    assert done.returncode == 0 and done.stdout == "cpu\n"
    assert done.stderr.count("so the CPU computes instead.") == 1 and "Traceback" not in done.stderr


def test_cuda_out_of_memory_becomes_a_sentence_a_student_can_act_on():
    with pytest.raises(ExplorerError, match="GPU ran out of memory"), friendly_oom():
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
