"""The command line: one module per command group; user errors print one line and exit 2.

Building the parser imports only the command modules, which import nothing heavy at module level:
a command's torch, torchvision or model code is imported when that command runs, so
``python -m explorer kernels`` starts without loading PyTorch.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from explorer.cli.common import one_line
from explorer.errors import ExplorerError

COMMAND_GROUPS = ("kernels", "stack", "network", "features", "cam", "lesson")
"""Modules of ``explorer.cli`` that each register their sub-commands; a new group is one more name here."""


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m explorer`` parser with every sub-command registered."""
    parser = argparse.ArgumentParser(prog="python -m explorer", description="CNN Explorer on the command line.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        importlib.import_module(f"explorer.cli.{group}").register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the process exit code (0 ok, 2 for anything the user can fix)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ExplorerError as error:
        print(f"error: {one_line(str(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
