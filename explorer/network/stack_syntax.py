"""Reading a typed stack of layers: one layer per line (or separated by ';'), an optional first line
``input HxWxC``. Layers are numbered 1, 2, ... in the order typed (the input line is not a layer). Pure
text work: whatever is typed gives layers or one ExplorerError sentence naming the layer (its number and
its text) and what was expected; every number is bounded so what follows stays displayable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from explorer.errors import ExplorerError, quoted, shortened

MAX_NUMBER = 100_000
"""The largest number a line may hold (sizes, strides, channels, units)."""
MAX_LINES = 500
ACTIVATIONS = ("relu", "tanh", "sigmoid", "softmax", "dropout")
KINDS = ("conv", "pool", "fc", "flatten", "gap", "bn", *ACTIVATIONS)
ALIASES = {"linear": "fc", "dense": "fc", "maxpool": "pool", "avgpool": "pool", "batchnorm": "bn"}
STACK_SYNTAX = """One layer per line (or separated by ';'); words after the first in any order:
  input HxWxC                    first line only, e.g. input 32x32x1 (else the boxes / --input)
  conv K [sS] [pP | same] [cC] [dD] [dw] [nobias]   e.g. conv 3x3 s1 p1 c64, conv 3x5 s1x2 c8
  pool K [sS] [pP] [max | avg] [ceil]              e.g. pool 2, pool 3 s2 ceil (stride defaults to K)
  fc N [nobias]                  fully connected, N outputs (needs flatten or gap before it)
  flatten   gap   bn   relu   tanh   sigmoid   softmax   dropout
K, S and P may be one number or HxW (conv 1x7, s2x1, p0x3). Conv: stride 1, padding 0, channels
unchanged, dilation 1, bias on (nobias drops it; dw = depthwise). gap = global average pooling."""

_WORD = re.compile(
    r"^(?:(?P<k>\d+)(?:x(?P<k2>\d+))?|s(?P<s>\d+)(?:x(?P<s2>\d+))?|p(?P<p>\d+)(?:x(?P<p2>\d+))?"
    r"|(?P<same>same|valid)|c(?P<c>\d+)|d(?P<d>\d+)|(?P<flag>dw|max|avg|ceil|bias|nobias))$"
)
_ALLOWED = {
    "conv": {"k", "s", "p", "same", "c", "d", "dw", "bias", "nobias"},
    "pool": {"k", "s", "p", "max", "avg", "ceil"},
    "fc": {"k", "bias", "nobias"},
}
_NUMBERS = {"k", "k2", "s", "s2", "p", "p2", "c", "d"}
_EXAMPLES = {"conv": "conv 3x3 s2 p1 c64", "pool": "pool 3 s2", "fc": "fc 10"}


@dataclass(frozen=True)
class Layer:
    """One typed layer: its kind and settings, each (height, width) where it has two axes."""

    number: int
    text: str
    kind: str
    kernel: tuple[int, int] = (1, 1)
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] | str = (0, 0)
    dilation: int = 1
    units: int | None = None
    depthwise: bool = False
    bias: bool = True
    average: bool = False
    ceil: bool = False


def parse_lines(text: str) -> tuple[tuple[int, int, int] | None, list[Layer]]:
    """The input shape (height, width, channels) of an ``input`` first line, if any, and the layers."""
    parts = [part.strip() for part in re.split(r"[;\n]", text or "") if part.strip()]
    if not parts:
        raise ExplorerError("Type at least one layer, for example 'conv 3x3 p1 c64; pool 2'.")
    if len(parts) > MAX_LINES:
        raise ExplorerError(f"The stack has {len(parts):,} lines; the calculator reads up to {MAX_LINES}.")
    shape = None
    if parts[0].lower().split()[0] == "input":
        shape = parse_input(parts[0], "The input line ")
    layers = [parse_layer(number, part) for number, part in enumerate(parts[1:] if shape else parts, 1)]
    if not layers:
        raise ExplorerError("After the input line, type at least one layer, for example 'conv 3x3 p1 c64'.")
    return shape, layers


def parse_input(text: str, where: str = "") -> tuple[int, int, int]:
    """'input 32x32x1' (or just '32x32x1', or '227x227' for 3 channels) as (height, width, channels)."""
    words = text.lower().split()
    body = " ".join(words[1:] if words and words[0] == "input" else words)
    match = re.fullmatch(r"(\d+)\s*x\s*(\d+)(?:\s*x\s*(\d+))?", body)
    if not match:
        raise ExplorerError(f"{where}{quoted(text)} should give the input as height x width x channels, e.g. 32x32x1.")
    height, width = (_bounded(match[i], text, where) for i in (1, 2))
    channels = _bounded(match[3], text, where) if match[3] else 3
    if min(height, width, channels) < 1:
        raise ExplorerError(f"{where}{quoted(text)}: the input's height, width and channels must be at least 1.")
    return height, width, channels


def parse_layer(number: int, text: str) -> Layer:
    """One typed layer as a Layer, or one sentence naming it (number and text) and what was expected."""
    where = f"Layer {number} {quoted(text)}"
    words = re.sub(r"\b(\d+)\s*x\s*(\d+)\b", r"\1x\2", text.lower().replace(",", " ")).split()
    if not words:
        raise ExplorerError(f"{where} is empty: type a layer such as 'conv 3x3 c16'.")
    kind = ALIASES.get(words[0], words[0])
    if words[0] == "input":
        raise ExplorerError(f"{where}: 'input' can only be the first line.")
    if kind not in KINDS:
        raise ExplorerError(f"{where} should start with one of {', '.join(KINDS)}.")
    if kind not in _ALLOWED:
        if len(words) > 1:
            raise ExplorerError(f"{where}: '{kind}' takes no numbers or options; write it alone.")
        return Layer(number, text, kind)
    fields: dict[str, str] = {"avg": "avg"} if words[0] == "avgpool" else {}
    for word in words[1:]:
        match = _WORD.match(word)
        found = {key: value for key, value in (match.groupdict() if match else {}).items() if value is not None}
        flag = found.pop("flag", None)
        if flag:
            found[flag] = flag
        extra_axis = kind == "fc" and "k2" in found
        if not found or extra_axis or not set(found) - {"k2", "s2", "p2"} <= _ALLOWED[kind]:
            raise ExplorerError(f"{where}: {quoted(word, 20)} is not understood; try e.g. '{_EXAMPLES[kind]}'.")
        fields.update(found)
    return _layer(number, text, kind, fields, where)


def _layer(number: int, text: str, kind: str, fields: dict[str, str], where: str) -> Layer:
    size = {key: _bounded(value, text, where) for key, value in fields.items() if key in _NUMBERS}
    if "k" not in size:
        raise ExplorerError(
            f"{where} needs a {'number of outputs' if kind == 'fc' else 'kernel size'}, e.g. '{_EXAMPLES[kind]}'."
        )
    if kind == "fc":
        if size["k"] < 1:
            raise ExplorerError(f"{where}: a fully connected layer needs at least 1 output.")
        return Layer(number, text, kind, units=size["k"], bias="nobias" not in fields)
    kernel = (size["k"], size.get("k2", size["k"]))
    default_stride = (1, 1) if kind == "conv" else kernel
    stride = (size["s"], size.get("s2", size["s"])) if "s" in size else default_stride
    padding: tuple[int, int] | str = (size["p"], size.get("p2", size["p"])) if "p" in size else (0, 0)
    if fields.get("same") == "same":
        padding = "same"
    dilation = size.get("d", 1)
    if min(*kernel, *stride, dilation) < 1 or size.get("c", 1) < 1:
        raise ExplorerError(f"{where}: kernel, stride, dilation and channels must be at least 1.")
    return Layer(
        number,
        text,
        kind,
        kernel,
        stride,
        padding,
        dilation,
        units=size.get("c"),
        depthwise="dw" in fields,
        bias="nobias" not in fields,
        average="avg" in fields,
        ceil="ceil" in fields,
    )


def _bounded(digits: str, text: str, where: str) -> int:
    """A whole number from its digits, at most MAX_NUMBER (checked before converting: no giant integers)."""
    stripped = digits.lstrip("0") or "0"
    if len(stripped) > len(str(MAX_NUMBER)) or int(stripped) > MAX_NUMBER:
        shown = shortened(stripped, 24)
        raise ExplorerError(
            f"{where or quoted(text)}: the number {shown} is too large; numbers go up to {MAX_NUMBER:,}."
        )
    return int(stripped)
