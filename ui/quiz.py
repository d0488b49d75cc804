"""Glue for the Quiz: questions made from the cached computations, one question card, and the session's score.

``question_card`` draws ONE question (prompt, pictures, numbers, the answer widget, Reveal, then right or
wrong and the explanation); the Quiz page uses it with a score, and any page can show a question inline
with it. Questions are made by ``explorer.quiz`` from the page's cached forward pass and CAMs, so making
one never runs the network again for a photo it has already seen.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import streamlit as st

from explorer.images import LoadedImage
from explorer.models import LoadedModel
from explorer.quiz import KINDS, Question, QuizSource, kind_for, make_question
from ui.errors import literal
from ui.grad_cam import cams
from ui.network import cached_run
from ui.number_tables import number_table, show_table
from ui.present import presenting

SEED_KEY, NUMBER_KEY, SCORE_KEY, QUESTION_KEY, KINDS_KEY = (
    "quiz_seed",
    "quiz_position",
    "quiz_score",
    "quiz_current",
    "quiz_kinds",
)
CARD_CSS = """<style>
.st-key-{key} [data-testid="stRadio"] label p, .st-key-{key} [data-testid="stNumberInput"] input,
.st-key-{key} [data-testid="stAlertContainer"] p {{ font-size: 1.5rem; }}
.st-key-{key} [data-testid="stImageCaption"] p {{ font-size: 1.5rem; color: inherit; }}
.st-key-{key} [data-testid="stRadio"] [role="radiogroup"] {{ gap: 0.4rem 2rem; }}
.st-key-{key}_prompt p {{ font-size: 1.65rem; line-height: 1.35; font-weight: 600; margin: 0.4rem 0 0.8rem 0; }}
.st-key-{key}_explanation p {{ font-size: 1.5rem; line-height: 1.4; }}
</style>"""
"""Inside one card only: the prompt, answer choices, the number box, picture captions (A-D), the verdict and
the explanation, large. The style names only the card's own containers: no question text goes into HTML."""
PICTURE_WIDTH = 520
"""A question's single picture is at most this wide, so the answer stays on a 1280x720 screen."""


def source_for(image: LoadedImage, model: LoadedModel) -> QuizSource:
    """A question source backed by the app's caches: the network pages' forward pass, the studio's CAMs."""
    return QuizSource(
        image,
        model,
        lambda: cached_run(model.name, image.digest, image),
        lambda layer, classes: cams(model.name, image.digest, image, layer, "Grad-CAM", classes),
    )


def big_text(text: str, key: str) -> None:
    """Text large enough for the back of a room (the card's style sizes the container ``key``), shown as
    written: each line escaped (``ui.errors.literal``), so names like _blocks.1 are never Markdown."""
    with st.container(key=key):
        st.markdown("  \n".join(literal(line) for line in text.split("\n")))


def _answer_widget(question: Question, key: str, disabled: bool) -> float | str | None:
    if question.numeric:
        return st.number_input(
            "Your answer (a number)", value=None, step=1.0, format="%.10g", key=f"{key}_typed", disabled=disabled
        )
    return st.radio(
        "Your answer",
        question.choices,
        index=None,
        key=f"{key}_choice",
        disabled=disabled,
        horizontal=all(len(choice) <= 24 for choice in question.choices),
    )


def _show_material(question: Question) -> None:
    if len(question.pictures) == 1:
        (picture,) = question.pictures
        st.image(picture.pixels, caption=picture.caption, width=min(PICTURE_WIDTH, picture.pixels.shape[1]))
    elif question.pictures:
        for column, picture in zip(st.columns(len(question.pictures)), question.pictures):
            column.image(picture.pixels, caption=picture.caption, width="stretch")
    if question.tables:
        for column, table in zip(st.columns(max(2, len(question.tables))), question.tables):
            show_table(number_table(table.values, table.caption, signed=not table.pixels), column)


def question_card(question: Question, key: str, on_reveal: Callable[[bool], None] | None = None) -> bool:
    """Draw one question and, once revealed, whether the answer was right and why; return whether it is revealed.

    ``key`` keeps this card's widgets apart from any other card (and names its container, which scopes
    its large-text style); ``on_reveal(correct)`` is called once, when the student first reveals this
    question (the Quiz page keeps its score with it).
    """
    with st.container(key=key):
        st.html(CARD_CSS.format(key=key))
        return _card(question, key, on_reveal)


def _card(question: Question, key: str, on_reveal: Callable[[bool], None] | None) -> bool:
    revealed_key = f"{key}_revealed"
    state = st.session_state.get(revealed_key) or {}
    revealed = state.get("question") is question  # not the prompt: a new photo can ask the same words
    big_text(question.prompt, f"{key}_prompt")
    _show_material(question)
    _answer_widget(question, key, disabled=revealed)

    def reveal() -> None:
        if st.session_state.get(revealed_key, {}).get("question") is question:
            return
        chosen = st.session_state.get(f"{key}_typed" if question.numeric else f"{key}_choice")
        correct = question.is_correct(chosen)
        st.session_state[revealed_key] = {"question": question, "answer": chosen, "correct": correct}
        if on_reveal is not None:
            on_reveal(correct)

    if not revealed:
        st.button(
            "Reveal the answer",
            type="primary",
            icon=":material/visibility:",
            key=f"{key}_reveal",
            on_click=reveal,
            width="stretch",
        )
        return False
    truth = question.answer_text()
    if state["answer"] is None:
        st.info(f"The answer is **{literal(truth)}**.", icon=":material/lightbulb:")
    elif state["correct"]:
        st.success(f"Right: the answer is **{literal(truth)}**.", icon=":material/check_circle:")
    else:
        st.error(f"Not quite: the answer is **{literal(truth)}**.", icon=":material/cancel:")
    big_text(question.explanation, f"{key}_explanation")
    if question.revealed:
        for column, picture in zip(st.columns(len(question.revealed)), question.revealed):
            column.image(picture.pixels, caption=picture.caption, width="stretch")
    return True


def forget_card(key: str) -> None:
    """Clear one card's answer and reveal, so the next question starts blank."""
    for suffix in ("typed", "choice", "revealed"):
        st.session_state.pop(f"{key}_{suffix}", None)


def chosen_kinds() -> tuple[str, ...]:
    """The kinds of question the teacher left switched on (all by default)."""
    st.session_state.setdefault(KINDS_KEY, list(KINDS))
    st.session_state[KINDS_KEY] = st.session_state[KINDS_KEY]
    with st.expander("Kinds of question"):
        chosen = st.multiselect("Ask about", list(KINDS), format_func=lambda kind: KINDS[kind][0], key=KINDS_KEY)
    return tuple(chosen) or tuple(KINDS)


def kept_question(
    store: str, image: LoadedImage, model: LoadedModel, seed: int, number: int, kinds: tuple[str, ...]
) -> Question:
    """Question ``number`` of the quiz seeded ``seed``, made once per (photo, network, seed, number, kinds)
    and kept in session state under ``store``, so reruns redraw it without computing anything."""
    token = (model.name, image.digest, seed, number, kinds)
    kept = st.session_state.get(store)
    if kept is not None and kept[0] == token:
        return kept[1]
    with st.spinner("Making a question from your photo..."):
        question = make_question(kind_for(seed, number, kinds), source_for(image, model), seed * 1000 + number)
    st.session_state[store] = (token, question)
    return question


def current_question(image: LoadedImage, model: LoadedModel, kinds: tuple[str, ...]) -> Question:
    """The Quiz page's current question (the session's seed and position)."""
    seed = st.session_state.setdefault(SEED_KEY, secrets.randbelow(1_000_000))
    number = st.session_state.setdefault(NUMBER_KEY, 0)
    return kept_question(QUESTION_KEY, image, model, seed, number, kinds)


def inline_question(image: LoadedImage, model: LoadedModel, kinds: tuple[str, ...], key: str, seed: int = 0) -> None:
    """One question of ``kinds`` about this photo and network, inline on any page (no score), with a button
    for another one: how a page quizzes its own topic, e.g. ``("output_size", "step_sum")`` on the Kernel lab."""
    number = st.session_state.get(f"{key}_count", 0)
    question_card(kept_question(f"{key}_question", image, model, seed, number, kinds), key)

    def another() -> None:
        st.session_state[f"{key}_count"] = number + 1
        forget_card(key)

    st.button("Another question", icon=":material/refresh:", key=f"{key}_another", on_click=another)


def score() -> dict[str, int]:
    """This session's score: questions revealed and answered right."""
    return st.session_state.setdefault(SCORE_KEY, {"asked": 0, "right": 0})


def count(correct: bool) -> None:
    """Add one revealed question to the score."""
    tally = score()
    tally["asked"] += 1
    tally["right"] += int(correct)


def next_question(key: str) -> None:
    """Move on to the next question (a button callback)."""
    st.session_state[NUMBER_KEY] = st.session_state.get(NUMBER_KEY, 0) + 1
    forget_card(key)


def start_over(key: str) -> None:
    """A fresh set of questions and a zero score (a button callback)."""
    st.session_state[SEED_KEY] = secrets.randbelow(1_000_000)
    st.session_state[NUMBER_KEY] = 0
    st.session_state[SCORE_KEY] = {"asked": 0, "right": 0}
    forget_card(key)


def presented_question(image: LoadedImage, model: LoadedModel, kinds: tuple[str, ...], key: str) -> None:
    """In presentation mode only: one "Predict, then reveal" question of ``kinds``, folded until opened."""
    if not presenting():
        return
    with st.expander("Predict, then reveal: a question for the class", icon=":material/quiz:"):
        inline_question(image, model, kinds, key)
