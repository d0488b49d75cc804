"""What every command shares: the image and ``--model`` arguments, loading them, and writing files.

Heavy modules (torch, torchvision, the models) are imported inside the functions, so registering a
command costs nothing until it runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from explorer.errors import ExplorerError

if TYPE_CHECKING:
    from explorer.images import LoadedImage
    from explorer.models import LoadedModel


def add_image_argument(parser: argparse.ArgumentParser) -> None:
    """The photo every image command takes first."""
    parser.add_argument("image", help="path to a photo (PNG, JPEG, WebP, GIF, BMP or TIFF)")


def network_command(commands: argparse._SubParsersAction, name: str, help: str) -> argparse.ArgumentParser:
    """A sub-command that runs a network on a photo: the photo, then ``--model NAME`` (checked when it runs)."""
    parser = commands.add_parser(name, help=help)
    add_image_argument(parser)
    parser.add_argument(
        "--model",
        metavar="NAME",
        help="network to use (default: EfficientNet-Lite0, offline; 'python -m explorer models' lists them)",
    )
    return parser


def load_image_arg(args: argparse.Namespace) -> LoadedImage:
    """The photo named on the command line, loaded as the app loads uploads."""
    from explorer.images import load_path

    return load_path(args.image)


def load_image_and_model(args: argparse.Namespace) -> tuple[LoadedImage, LoadedModel]:
    """The photo and the ``--model`` network (pretrained, on the default device)."""
    from explorer.models import DEFAULT_MODEL, load_model

    image = load_image_arg(args)
    return image, load_model(args.model or DEFAULT_MODEL)


def check_suffix(path: Path, allowed: dict[str, str], option: str) -> None:
    """Refuse an output name whose extension this command does not write (``allowed``: suffix -> what it holds)."""
    if path.suffix.lower() not in allowed:
        kinds = " or ".join(f"{suffix} ({what})" for suffix, what in allowed.items())
        raise ExplorerError(f"{option} must end in {kinds}, not '{path.name}'.")


def one_line(text: str) -> str:
    """``text`` safe to print on one terminal line: newlines, escape codes and other control characters
    that a user typed (a class name, a layer, a path) are shown as escapes (``\\n``, ``\\x1b``), not obeyed."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def write_output(path: Path, writer: Callable[[Path], object]) -> None:
    """Write one output file, turning a bad path or a full disk into one plain sentence."""
    try:
        writer(path)
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or error
        raise ExplorerError(f"Cannot write '{path}' ({reason}).") from error
