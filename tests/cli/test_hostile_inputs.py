"""Files a command cannot or should not read (endless devices, pipes, folders, huge files) are one line, exit 2.

Each runs ``python -m explorer`` in its own process with a time limit, so a command that waited on a pipe
or read an endless device would fail the test instead of hanging it.
"""

from __future__ import annotations

import os

import pytest

from explorer.images import MAX_FILE_MB
from tests.cli.conftest import explorer


def assert_one_line_error(args: list[str], words: str) -> None:
    done = explorer(*args)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("command", ["predict", "kernel"])
def test_an_endless_device_is_refused(command, tmp_path):
    options = ["--kernel", "sobel", "--out", str(tmp_path / "edges.png")] if command == "kernel" else []
    assert_one_line_error([command, "/dev/zero", *options], "'/dev/zero' is not a regular file")
    assert list(tmp_path.iterdir()) == []


def test_a_named_pipe_with_no_writer_is_refused_instead_of_waiting(tmp_path):
    pipe = tmp_path / "photo.png"
    os.mkfifo(pipe)
    assert_one_line_error(["predict", str(pipe)], "is not a regular file")


def test_a_folder_is_refused(tmp_path):
    assert_one_line_error(["predict", str(tmp_path)], "is a folder, not an image file")


def test_a_file_over_the_cap_is_refused_without_reading_it(tmp_path):
    huge = tmp_path / "huge.png"
    with huge.open("wb") as file:
        file.truncate(10 * 2**30)  # sparse: 10 GB by its size, nothing on disk
    assert_one_line_error(["predict", str(huge)], f"over the {MAX_FILE_MB} MB limit for one photo")
