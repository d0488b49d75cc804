"""The command line: one sub-command per capability; user errors print one line and exit 2."""

from __future__ import annotations

import argparse
import sys

from explorer import cli_cam, cli_features, cli_kernels, cli_network
from explorer.errors import ExplorerError


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m explorer`` parser with every sub-command registered."""
    parser = argparse.ArgumentParser(prog="python -m explorer", description="CNN Explorer on the command line.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (cli_kernels, cli_network, cli_features, cli_cam):
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the process exit code (0 ok, 2 for anything the user can fix)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ExplorerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
