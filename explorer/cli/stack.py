"""``stack`` runs the architecture calculator on a typed stack or a ready-made one. Pure arithmetic: it
imports neither torch nor torchvision."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from explorer.errors import ExplorerError

if TYPE_CHECKING:
    from explorer.network.stack import StackResult


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``stack`` to ``python -m explorer``."""
    stack = commands.add_parser(
        "stack",
        help="output shape, parameters, multiply-adds and receptive field of each layer of a stack",
        description="Layers one per line or separated by ';', e.g. "
        '"conv 5x5 c6; pool 2; conv 5x5 c16; pool 2; flatten; fc 120; fc 84; fc 10". '
        "Ready-made stacks: lenet5, alexnet, vgg16, vgg16_gap, mobilenet_v1, resnet_basic_block.",
    )
    stack.add_argument("layers", nargs="?", help="the stack, as typed in the app's calculator")
    stack.add_argument("--preset", metavar="NAME", help="a ready-made stack instead (its input size comes with it)")
    stack.add_argument("--input", metavar="HxWxC", help="the input size, e.g. 32x32x1 (default 224x224x3)")
    stack.add_argument("--json", action="store_true", help='print {"layers": [...], "total_params": N, ...}')
    stack.set_defaults(func=run_stack)


def run_stack(args: argparse.Namespace) -> int:
    """Print one row per layer and the totals, or the same as JSON."""
    from explorer.network.stack import calculate
    from explorer.network.stack_presets import get_ready_stack
    from explorer.network.stack_syntax import parse_input

    if (args.layers is None) == (args.preset is None):
        raise ExplorerError('Give either a stack, e.g. "conv 3x3 p1 c64; pool 2", or --preset NAME, not both.')
    text, shape = args.layers, (224, 224, 3)
    if args.preset is not None:
        ready = get_ready_stack(args.preset)
        text, shape = ready.text, ready.input_shape
    if args.input is not None:
        shape = parse_input(args.input, "--input ")
    result = calculate(text, shape)
    if args.json:
        print(json.dumps(as_json(result)))
        return 0
    height, width, channels = result.input_shape
    print(f"input {height} x {width} x {channels}")
    header = f"{'#':>4}  {'layer':<28} {'output':>16} {'parameters':>14} {'multiply-adds':>16}  receptive field"
    print(header)
    for row in result.rows:
        text = row.text if len(row.text) <= 28 else row.text[:27] + "…"
        jump = "" if row.jump is None else f" (jump {row.jump[0]} x {row.jump[1]})"
        print(
            f"{row.number:>4}  {text:<28} {row.output:>16} {row.params:>14,} {row.mult_adds:>16,}  "
            f"{row.receptive_text}{jump}"
        )
    print(f"total: {result.total_params:,} parameters, {result.total_mult_adds:,} multiply-adds")
    return 0


def as_json(result: StackResult) -> dict[str, object]:
    """The result as plain JSON types: the input, one object per layer and the totals."""
    return {
        "input": list(result.input_shape),
        "layers": [
            {
                "number": row.number,
                "layer": row.text,
                "output_shape": list(row.shape),
                "parameters": row.params,
                "multiply_adds": row.mult_adds,
                "receptive_field": list(row.receptive_field),
                "receptive_field_is_whole_input": row.whole_input,
                "jump": None if row.jump is None else list(row.jump),
            }
            for row in result.rows
        ],
        "total_params": result.total_params,
        "total_multiply_adds": result.total_mult_adds,
    }
