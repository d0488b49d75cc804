"""Which ImageNet classes are the same kind of thing, so a comparison can pit the top class against a different one.

Comparing "Egyptian cat" with "tabby" teaches little: both maps cover the cat. The Grad-CAM studio's
default second class is the best-scoring class of a different *kind*, read from ``imagenet_kinds.tsv``:
for each of ImageNet's 1000 classes, its WordNet 3.0 synset and its kind, which is the broadest WordNet
category above it that still holds at most ``KIND_SIZE`` (140) of the 1000 classes. That puts all 118
dog breeds with wolves and foxes under "canine" (130 classes), the 13 cats under "feline", espresso and
other food under "matter", a coffee mug under "container", cars and buses under "conveyance"; each of those
categories' parents would swallow several hundred classes.

The table ships with the code (no download); ``python -m explorer.cam.kinds /usr/share/wordnet`` rebuilds
it from WordNet's own data files (Debian's ``wordnet-base``). ImageNet's class indices are sorted by
WordNet offset, so each class name is matched to the sense that keeps the offsets increasing (the most
frequent such sense where several would), which gives exactly ImageNet's synset ids.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).with_name("imagenet_kinds.tsv")
KIND_SIZE = 140
RENAMED = {"crane bird": "crane", "maillot tank suit": "tank suit"}
"""Class names that the category list changed to tell apart two ImageNet classes of the same name."""


def _rows() -> list[list[str]]:
    return [line.split("\t") for line in TABLE.read_text(encoding="utf-8").splitlines()[1:]]


@lru_cache(maxsize=1)
def imagenet_names() -> tuple[str, ...]:
    """The name of each of the 1000 ImageNet classes, by class index (torchvision's names)."""
    return tuple(row[2] for row in _rows())


@lru_cache(maxsize=1)
def imagenet_kinds() -> tuple[str, ...]:
    """The kind of each of the 1000 ImageNet classes, by class index."""
    return tuple(row[3] for row in _rows())


def contrast_class(ranked: Sequence[int], class_count: int) -> int:
    """The best-ranked class of another kind than ``ranked[0]`` (``ranked``: class indices, best first).

    For a model that is not an ImageNet classifier the kinds are unknown, and it is simply the runner-up.
    """
    if len(ranked) < 2:
        return ranked[0]
    if class_count != 1000:
        return ranked[1]
    kinds = imagenet_kinds()
    return next((index for index in ranked[1:] if kinds[index] != kinds[ranked[0]]), ranked[1])


def _read_wordnet(folder: Path) -> tuple[dict[str, list[int]], dict[int, tuple[str, int | None]]]:
    """Noun lemmas -> synset offsets (most frequent sense first), and offset -> (first word, first hypernym)."""
    senses: dict[str, list[int]] = {}
    for line in (folder / "index.noun").read_text(encoding="utf-8").splitlines():
        if not line.startswith(" "):
            fields = line.split()
            senses[fields[0]] = [int(offset) for offset in fields[-int(fields[2]) :]]
    synsets: dict[int, tuple[str, int | None]] = {}
    for line in (folder / "data.noun").read_text(encoding="utf-8").splitlines():
        if line.startswith(" "):
            continue
        fields = line.split("|")[0].split()
        words = int(fields[3], 16)
        at = 4 + 2 * words
        pointers = [fields[at + 1 + 4 * i : at + 5 + 4 * i] for i in range(int(fields[at]))]
        parents = [int(target) for symbol, target, pos, _ in pointers if symbol in ("@", "@i") and pos == "n"]
        synsets[int(fields[0])] = (fields[4], parents[0] if parents else None)
    return senses, synsets


def _increasing_senses(names: Sequence[str], senses: dict[str, list[int]]) -> list[int]:
    """One synset per class with strictly increasing offsets and the smallest total sense number."""
    steps: list[dict[int, tuple[int, int]]] = []
    previous: dict[int, tuple[int, int]] = {-1: (0, -1)}
    for name in names:
        options = senses[RENAMED.get(name, name).lower().replace(" ", "_")]
        current = {}
        for rank, offset in enumerate(options):
            earlier = [(cost, before) for before, (cost, _) in previous.items() if before < offset]
            if earlier:
                cost, before = min(earlier)
                current[offset] = (cost + rank, before)
        if not current:
            raise ValueError(f"No WordNet sense of '{name}' keeps the offsets increasing.")
        steps.append(current)
        previous = current
    chosen = [0] * len(names)
    offset = min(previous, key=lambda key: previous[key][0])
    for position in range(len(names) - 1, -1, -1):
        chosen[position] = offset
        offset = steps[position][offset][1]
    return chosen


def build_table(wordnet: Path, names: Sequence[str]) -> str:
    """The TSV text of ``imagenet_kinds.tsv`` for the 1000 class ``names``, from WordNet's data files."""
    senses, synsets = _read_wordnet(wordnet)
    offsets = _increasing_senses(names, senses)

    def chain(offset: int) -> list[int]:
        found = [offset]
        while (parent := synsets[found[-1]][1]) is not None:
            found.append(parent)
        return found

    chains = [chain(offset) for offset in offsets]
    sizes = Counter(ancestor for ancestors in chains for ancestor in set(ancestors))
    lines = ["index\twnid\tclass\tkind"]
    for index, (name, ancestors) in enumerate(zip(names, chains)):
        kind = ancestors[0]
        for ancestor in ancestors:
            if sizes[ancestor] > KIND_SIZE:
                break
            kind = ancestor
        lines.append(f"{index}\tn{offsets[index]:08d}\t{name}\t{synsets[kind][0].replace('_', ' ')}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from torchvision.models import ResNet18_Weights

    TABLE.write_text(build_table(Path(sys.argv[1]), ResNet18_Weights.DEFAULT.meta["categories"]), encoding="utf-8")
    print(f"wrote {TABLE}")
