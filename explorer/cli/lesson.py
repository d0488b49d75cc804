"""``lesson``: the lesson hand-out for one photo as a PDF (the same as the Home page's download)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from explorer.cli.common import check_suffix, load_image_and_model, network_command, write_output
from explorer.errors import ExplorerError


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``lesson`` to ``python -m explorer``."""
    lesson = network_command(
        commands, "lesson", "a PDF hand-out walking one photo through kernels, a network and Grad-CAM"
    )
    lesson.add_argument(
        "--wrong-class",
        metavar="NAME",
        help="the class whose Grad-CAM is compared with the top one: a name, an index or topN "
        "(default: the next guess whose map differs most)",
    )
    lesson.add_argument(
        "--out", type=Path, default=Path("lesson.pdf"), help="where to write the PDF (default lesson.pdf)"
    )
    lesson.set_defaults(func=write_lesson)


def check_writable(path: Path) -> None:
    """Refuse, before any work, an output whose folder is missing or not writable, or that is a folder."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ExplorerError(f"Cannot write '{path}': it is a folder; name a file such as lesson.pdf.")
    if not folder.is_dir():
        raise ExplorerError(f"Cannot write '{path}': the folder '{folder}' does not exist.")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ExplorerError(f"Cannot write '{path}': permission denied.")


def write_lesson(args: argparse.Namespace) -> int:
    """Build the lesson for the photo and write it as a PDF; print what its pages hold."""
    from explorer.handout.lesson import build_lesson
    from explorer.handout.pdf import PAGE_TITLES, lesson_pdf
    from explorer.models import load_model

    check_suffix(args.out, {".pdf": "the hand-out"}, "--out")
    check_writable(args.out)
    image, model = load_image_and_model(args)
    random_model = load_model(model.name, pretrained=False)
    data = lesson_pdf(build_lesson(image, model, random_model, args.wrong_class))
    write_output(args.out, lambda path: path.write_bytes(data))
    print(f"lesson: {args.out} ({len(PAGE_TITLES)} pages, {len(data) / 1e6:.1f} MB, {model.title})")
    for number, title in enumerate(PAGE_TITLES, start=1):
        print(f"  {number}. {title}")
    return 0
