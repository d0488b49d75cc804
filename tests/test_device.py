"""The device badge tells the truth: CUDA when there is one, else the CPU with the reason."""

import pytest
import torch

from explorer.device import choose_device, friendly_oom
from explorer.errors import ExplorerError


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
        assert choice.device.type == "cpu" and "no CUDA device" in choice.reason


def test_a_nonsense_device_name_is_one_sentence():
    with pytest.raises(ExplorerError, match="Unknown device 'tpu'"):
        choose_device("tpu")


def test_cuda_out_of_memory_becomes_a_sentence_a_student_can_act_on():
    with pytest.raises(ExplorerError, match="GPU ran out of memory"), friendly_oom():
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
