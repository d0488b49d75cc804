"""Questions about what the network decides: its top guess for the photo, and whose Grad-CAM a map is.

Both read the chosen network's one forward pass on the photo; the Grad-CAM question also uses the CAMs of
its ten best classes from one more forward (the same ones the Grad-CAM studio would compute).
"""

from __future__ import annotations

import random

import numpy as np

from explorer.cam.contrast import CANDIDATES, least_alike
from explorer.cam.targets import cam_layers, default_layer
from explorer.drawing import heatmap, overlay
from explorer.quiz.question import Picture, Question, QuizSource, multiple_choice, shown_photo

SHOWN_SIDE = 480


def prediction(source: QuizSource, rng: random.Random) -> Question:
    """'What does the network think this photo is?': its top class among its runner-up and two classes it dismissed."""
    run = source.network_run()
    categories = source.model.categories
    ranked = np.argsort(-run.probabilities, kind="stable")
    top, runner_up = int(ranked[0]), int(ranked[1])
    dismissed = [int(i) for i in rng.sample(list(ranked[len(ranked) // 2 :]), 2)]
    truth = categories[top]
    choices = multiple_choice(rng, truth, [categories[runner_up]] + [categories[i] for i in dismissed])
    odds = ", ".join(f"{name} {run.probabilities[categories.index(name)]:.1%}" for name in choices)
    return Question(
        "prediction",
        f"What does {source.model.title} think this photo shows (its top guess)?",
        f"Its probabilities for the four choices: {odds}. The top guess is '{truth}'.",
        truth,
        choices,
        pictures=(Picture("The photo", shown_photo(source, SHOWN_SIDE)),),
    )


def cam_class(source: QuizSource, rng: random.Random) -> Question:
    """'Which class's Grad-CAM is this?': the map of the top class or of a contrasting one, shown over the photo."""
    run = source.network_run()
    categories = source.model.categories
    ranked = tuple(int(i) for i in np.argsort(-run.probabilities, kind="stable")[:CANDIDATES])
    layer = default_layer(cam_layers(source.model.module, tuple(run.view.shape[:2])))
    cams = source.class_maps(layer, ranked)
    top = ranked[0]
    other = least_alike(cams, top)
    shown, hidden = (top, other) if rng.random() < 0.5 else (other, top)
    photo = shown_photo(source, SHOWN_SIDE)
    size = (photo.shape[1], photo.shape[0])

    def picture(index: int) -> Picture:
        blended = overlay(photo, heatmap(cams.map_for(index), size), 0.5, "jet")
        return Picture(f"Grad-CAM of '{categories[index]}'", blended)

    truth, asked = categories[shown], picture(shown)
    return Question(
        "cam_class",
        f"This Grad-CAM (red = raised the class score most) is one of two classes {source.model.title} "
        f"considered: '{categories[top]}' or '{categories[other]}'. Which class is it the map of?",
        f"It is the map of '{truth}' ({run.probabilities[shown]:.1%}). A Grad-CAM depends on the class asked "
        f"about: the map of '{categories[hidden]}' ({run.probabilities[hidden]:.1%}) lights up other parts.",
        truth,
        multiple_choice(rng, truth, [categories[hidden]], count=2),
        pictures=(Picture("Which class?", asked.pixels),),
        revealed=(asked, picture(hidden)),
    )
