"""Which other class makes a telling contrast with the top one: the "wrong class" of the lesson and the quiz.

Among the classes the network also considered (its next best guesses), the one whose Grad-CAM looks
least like the top class's map (Pearson correlation) shows best that a CAM depends on the class asked
about: two cat breeds usually light up the same fur, a "plastic bag" or "window screen" does not.
"""

from __future__ import annotations

from explorer.cam.evaluation import map_similarity
from explorer.cam.methods import CamSet
from explorer.errors import ExplorerError

CANDIDATES = 10
"""How many of the best-scoring classes (the top one included) the contrasting class is chosen from."""


def least_alike(cams: CamSet, reference: int) -> int:
    """The class of ``cams`` (other than ``reference``) whose map is least correlated with ``reference``'s;
    a blank map (correlation 0 by convention) is passed over while any other class has a map to show."""
    others = [index for index in cams.classes if index != reference]
    if not others:
        raise ExplorerError("There is no other class to compare the top class with.")
    others = [index for index in others if not cams.is_zero(index)] or others
    target = cams.map_for(reference)
    return min(others, key=lambda index: map_similarity(target, cams.map_for(index)))
