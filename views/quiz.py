"""Quiz: predict, then reveal. Every question is computed from your photo and the chosen network."""

import streamlit as st

from ui import quiz as glue
from ui.errors import user_errors
from ui.models import model_picker
from ui.page_links import keep_in_link
from ui.picker import require_image
from ui.present import presentation_mode

CARD = "quiz_card"


def quiz() -> None:
    """The score, one question at a time (answer, reveal, explanation), and Next."""
    presentation_mode()
    keep_in_link("quiz")
    st.title("Quiz: predict, then reveal")
    st.caption(
        "Each question is made from the real computation on your photo and the chosen network, so the "
        "answers change when you change the photo. Answer, then reveal."
    )
    image = require_image()
    with user_errors():
        model = model_picker()
    tally = glue.score()
    number = st.session_state.get(glue.NUMBER_KEY, 0)
    score, progress, choice = st.columns([1, 1, 2], vertical_alignment="center")
    score.metric("Score (right / revealed)", f"{tally['right']} / {tally['asked']}")
    progress.metric("Question", number + 1)
    with choice:
        kinds = glue.chosen_kinds()
    with user_errors():
        question = glue.current_question(image, model, kinds)
    revealed = glue.question_card(question, CARD, on_reveal=glue.count)
    forward, restart = st.columns([3, 1])
    forward.button(
        "Next question",
        type="primary" if revealed else "secondary",
        icon=":material/arrow_forward:",
        key="quiz_next",
        on_click=glue.next_question,
        args=(CARD,),
        width="stretch",
    )
    restart.button("Start over", key="quiz_restart", on_click=glue.start_over, args=(CARD,), width="stretch")


quiz()
