"""A quiz question as data, what it is asked about, and how an answer is checked.

A question is made from the real computation on the current photo and network, so its answer (the
``truth``) is what the app computes, never a stored fact. It carries its own explanation, the pictures
and number tables the student needs, and the pictures worth showing once the answer is revealed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from PIL import Image

from explorer.cam.methods import CamSet, compute_cams
from explorer.errors import ExplorerError
from explorer.images import LoadedImage
from explorer.models import LoadedModel
from explorer.network.features import NetworkRun, run_network

LETTERS = "ABCD"


@dataclass(frozen=True, eq=False)
class Picture:
    """A picture shown with a question (uint8 RGB), with its caption."""

    caption: str
    pixels: np.ndarray


@dataclass(frozen=True, eq=False)
class NumberTable:
    """A small grid of numbers shown with a question: pixel values (0..255, drawn in grey) or signed weights."""

    caption: str
    values: np.ndarray
    pixels: bool = False


@dataclass(frozen=True, eq=False)
class Question:
    """One question: the prompt, the computed truth, and how it is answered and explained.

    With ``choices`` the student picks one (``truth`` is the right choice's text); without, they type a
    number and anything within ``tolerance`` of ``truth`` is right.
    """

    kind: str
    prompt: str
    explanation: str
    truth: float | str
    choices: tuple[str, ...] = ()
    tolerance: float = 0.0
    pictures: tuple[Picture, ...] = ()
    tables: tuple[NumberTable, ...] = ()
    revealed: tuple[Picture, ...] = field(default=())

    @property
    def numeric(self) -> bool:
        """True when the answer is a typed number rather than a choice."""
        return not self.choices

    def is_correct(self, answer: float | str | None) -> bool:
        """Whether ``answer`` (a number, or the text of a choice) is right; no answer is never right."""
        if answer is None:
            return False
        if self.numeric:
            try:
                value = float(answer)
            except (TypeError, ValueError):
                return False
            return math.isfinite(value) and abs(value - float(self.truth)) <= self.tolerance + 1e-9
        return answer == self.truth

    def answer_text(self) -> str:
        """The right answer as a student would write it."""
        return number_text(float(self.truth)) if self.numeric else str(self.truth)


def number_text(value: float) -> str:
    """A number without needless decimals: 522, 17.25, 1,234,567."""
    if abs(value - round(value)) < 1e-6:
        return f"{int(round(value)):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def multiple_choice(rng: random.Random, truth: str, distractors: Sequence[str], count: int = 4) -> tuple[str, ...]:
    """The truth and up to ``count - 1`` distinct distractors (first ones first), shuffled by ``rng``."""
    chosen = [truth]
    for option in distractors:
        if option not in chosen and len(chosen) < count:
            chosen.append(option)
    rng.shuffle(chosen)
    return tuple(chosen)


@dataclass(frozen=True, eq=False)
class QuizSource:
    """What questions are made from: the photo, the network, its one forward pass and its Grad-CAMs.

    ``network_run()`` and ``class_maps(layer, classes)`` are given by the caller, so the app can hand in
    its cached results (one forward per photo and network) and the command line or a test its own.
    """

    image: LoadedImage
    model: LoadedModel
    network_run: Callable[[], NetworkRun]
    class_maps: Callable[[str, tuple[int, ...]], CamSet]


def quiz_source(image: LoadedImage, model: LoadedModel) -> QuizSource:
    """A source that computes the forward pass and the CAMs on first use, then remembers them."""

    @cache
    def network() -> NetworkRun:
        return run_network(model, image.image)

    @cache
    def maps(layer: str, classes: tuple[int, ...]) -> CamSet:
        return compute_cams(model.module, model.preprocess(image.image), layer, "Grad-CAM", classes)

    return QuizSource(image, model, network, maps)


def shown_photo(source: QuizSource, side: int) -> np.ndarray:
    """The photo at most ``side`` pixels on a side (as uint8 RGB), so a question's pictures fit on a screen."""
    image = source.image.image.copy()
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    return np.asarray(image, dtype=np.uint8)


def require(condition: bool, message: str) -> None:
    """Refuse a question this photo or network cannot ask (the quiz then asks another kind)."""
    if not condition:
        raise ExplorerError(message)
