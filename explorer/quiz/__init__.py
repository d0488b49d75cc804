"""Predict, then reveal: quiz questions made from the real computation on the current photo and network.

Each kind of question is one small function ``(QuizSource, random.Random) -> Question``, listed in
``KINDS``. ``make_question(kind, source, seed)`` is reproducible: the same photo, network, kind and seed
give the same question. ``kind_for(seed, number)`` deals the kinds out in rounds, each round a seeded
shuffle of all of them, so a session sees every kind before any repeats.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from explorer.errors import ExplorerError
from explorer.quiz import convolution, network, predictions
from explorer.quiz.question import NumberTable, Picture, Question, QuizSource, quiz_source

KINDS: dict[str, tuple[str, Callable[[QuizSource, random.Random], Question]]] = {
    "output_size": ("Output size of a kernel", convolution.output_size),
    "which_kernel": ("Which kernel made this?", convolution.which_kernel),
    "step_sum": ("One convolution step by hand", convolution.step_sum),
    "pooling": ("Pooling a block of pixels", convolution.pooling),
    "prediction": ("The network's top guess", predictions.prediction),
    "cam_class": ("Whose Grad-CAM is this?", predictions.cam_class),
    "parameters": ("Parameters of a layer", network.parameters),
    "channels": ("Feature maps of a layer", network.channels),
    "receptive_field": ("Receptive field", network.receptive_field),
    "feature_map_size": ("Size of a feature map", network.feature_map_size),
}
"""Every kind of question: its short title and the function that makes it."""

__all__ = ["KINDS", "NumberTable", "Picture", "Question", "QuizSource", "kind_for", "make_question", "quiz_source"]


def kind_for(seed: int, number: int, kinds: tuple[str, ...] = tuple(KINDS)) -> str:
    """The kind of question ``number`` (0, 1, ...) of a quiz seeded ``seed``: rounds of every kind, shuffled."""
    if not kinds:
        raise ExplorerError("Choose at least one kind of question.")
    round_number, position = divmod(number, len(kinds))
    order = list(kinds)
    random.Random(f"{seed}:round:{round_number}").shuffle(order)
    return order[position]


def make_question(kind: str, source: QuizSource, seed: int) -> Question:
    """Question of ``kind`` on ``source``, the same every time for the same seed.

    If this photo or network cannot support that kind (a photo too small to pool, a network without a
    plain chain of first layers), the next kind in ``KINDS`` is asked instead.
    """
    if kind not in KINDS:
        raise ExplorerError(f"There is no kind of question called '{kind}'; choose one of: {', '.join(KINDS)}.")
    names = list(KINDS)
    start = names.index(kind)
    problems = []
    for name in names[start:] + names[:start]:
        try:
            return KINDS[name][1](source, random.Random(f"{seed}:{name}"))
        except ExplorerError as error:
            problems.append(str(error))
    raise ExplorerError(f"No question can be asked about this photo: {problems[0]}")
