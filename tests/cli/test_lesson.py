"""``python -m explorer lesson``: the hand-out PDF from the command line, and one-line errors (exit 2)."""

from __future__ import annotations

import os

import pytest

from explorer.cli import main
from explorer.handout.pdf import PAGE_TITLES
from tests.cli.conftest import CHELSEA, COFFEE
from tests.handout.pages import ink, pdf_pages


def test_writes_a_pdf_with_every_page_and_names_the_pages(tmp_path, capsys):
    out = tmp_path / "lesson.pdf"
    assert main(["lesson", COFFEE, "--wrong-class", "wooden spoon", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"lesson: {out} ({len(PAGE_TITLES)} pages" in printed and all(title in printed for title in PAGE_TITLES)
    pages = pdf_pages(out.read_bytes())
    assert len(pages) == len(PAGE_TITLES) and all(ink(page) > 0.05 for page in pages)


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "lesson.png"], "--out must end in .pdf"),
        (["--out", "/no/such/folder/lesson.pdf"], "the folder '/no/such/folder' does not exist"),
        (["--out", "{folder}"], "it is a folder"),
    ],
)
def test_a_bad_output_is_refused_before_any_work(args, message, tmp_path, capsys):
    folder = tmp_path / "already-a-folder.pdf"
    folder.mkdir()
    assert main(["lesson", CHELSEA, *(arg.format(folder=folder) for arg in args)]) == 2
    assert message in one_line_error(capsys)


def test_an_unwritable_folder_is_one_line(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        # as root, permissions stop nothing: /proc refuses new files for everyone
        target = "/proc/lesson.pdf" if os.access(locked, os.W_OK) else str(locked / "lesson.pdf")
        assert main(["lesson", CHELSEA, "--out", target]) == 2
        assert "Cannot write" in one_line_error(capsys)
    finally:
        locked.chmod(0o700)


def test_a_file_that_is_not_an_image_is_one_line(tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    assert main(["lesson", str(notes), "--out", str(tmp_path / "lesson.pdf")]) == 2
    assert "not an image we can read" in one_line_error(capsys)
    assert not (tmp_path / "lesson.pdf").exists()


@pytest.mark.parametrize(
    ("wrong", "message"), [("expresso", "did you mean 'espresso'"), ("espresso", "is the network's top guess")]
)
def test_an_unknown_or_top_wrong_class_is_one_line(wrong, message, tmp_path, capsys):
    assert main(["lesson", COFFEE, "--wrong-class", wrong, "--out", str(tmp_path / "lesson.pdf")]) == 2
    assert message in one_line_error(capsys)
    assert not (tmp_path / "lesson.pdf").exists()
