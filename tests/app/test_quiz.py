"""The Quiz page in Streamlit's AppTest: the question on screen is the one computed for this photo and
network, a right answer scores and a wrong one does not, the reveal explains, Next moves on."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from explorer.images import load_sample
from explorer.quiz import Question, kind_for, make_question, quiz_source
from tests.app.conftest import APP, TIMEOUT, open_page, read_back

CARD = "quiz_card"


@pytest.fixture
def quiz() -> AppTest:
    return open_page("views/quiz.py")


def quiz_of(*kinds: str) -> AppTest:
    """The Quiz page in a fresh session whose teacher has already chosen these kinds of question."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.session_state["quiz_kinds"] = list(kinds)
    return at.switch_page("views/quiz.py").run()


def expected_question(at: AppTest, model, sample: str = "chelsea") -> Question:
    """The question this session should show, made independently of the page from its seed and position."""
    seed, number = at.session_state["quiz_seed"], at.session_state["quiz_position"]
    kinds = tuple(at.multiselect(key="quiz_kinds").value)
    source = quiz_source(load_sample(sample), model)
    return make_question(kind_for(seed, number, kinds), source, seed * 1000 + number)


def shown_texts(at: AppTest) -> list[str]:
    """Every Markdown text of the page as a reader sees it (escapes read back), on one line each."""
    return [" ".join(read_back(markdown.value).split()) for markdown in at.markdown]


def shows(at: AppTest, text: str) -> bool:
    """Whether the page shows ``text`` (a prompt or an explanation, its line breaks as spaces)."""
    return any(" ".join(text.split()) in shown for shown in shown_texts(at))


def score(at: AppTest) -> str:
    return at.metric[0].value


def test_the_page_shows_the_question_computed_for_this_photo_with_the_score_at_zero(quiz, lite0):
    assert not quiz.exception and not quiz.error
    assert quiz.title[0].value == "Quiz: predict, then reveal"
    assert score(quiz) == "0 / 0" and quiz.metric[1].value == "1"
    question = expected_question(quiz, lite0)
    assert shows(quiz, question.prompt)


def test_a_right_number_scores_and_the_reveal_explains(lite0):
    quiz = quiz_of("pooling")
    question = expected_question(quiz, lite0)
    quiz.number_input(key=f"{CARD}_typed").set_value(float(question.truth)).run()
    quiz.button(key=f"{CARD}_reveal").click().run()
    assert not quiz.exception
    assert [read_back(s.value) for s in quiz.success] == [f"Right: the answer is **{question.answer_text()}**."]
    assert shows(quiz, question.explanation)
    assert score(quiz) == "1 / 1"
    quiz.run()
    assert score(quiz) == "1 / 1"  # a rerun does not count the same question twice


def test_a_wrong_choice_does_not_score_and_shows_the_right_answer(lite0):
    quiz = quiz_of("prediction")
    question = expected_question(quiz, lite0)
    wrong = next(choice for choice in question.choices if choice != question.truth)
    quiz.radio(key=f"{CARD}_choice").set_value(wrong).run()
    quiz.button(key=f"{CARD}_reveal").click().run()
    assert [read_back(e.value) for e in quiz.error] == [f"Not quite: the answer is **{question.answer_text()}**."]
    assert score(quiz) == "0 / 1"
    assert quiz.radio(key=f"{CARD}_choice").disabled


def test_next_brings_a_blank_new_question_and_keeps_the_score(lite0):
    quiz = quiz_of("step_sum", "pooling")
    first = expected_question(quiz, lite0)
    answer = quiz.number_input(key=f"{CARD}_typed")
    answer.set_value(float(first.truth) + 1000).run()
    quiz.button(key=f"{CARD}_reveal").click().run()
    quiz.button(key="quiz_next").click().run()
    assert not quiz.exception and quiz.metric[1].value == "2" and score(quiz) == "0 / 1"
    second = expected_question(quiz, lite0)
    assert second.kind != first.kind  # each round asks every chosen kind once
    assert quiz.number_input(key=f"{CARD}_typed").value is None and not quiz.success and not quiz.error
    quiz.number_input(key=f"{CARD}_typed").set_value(float(second.truth)).run()
    quiz.button(key=f"{CARD}_reveal").click().run()
    assert score(quiz) == "1 / 2"


def test_start_over_resets_the_score_and_deals_new_questions():
    quiz = quiz_of("pooling")
    quiz.button(key=f"{CARD}_reveal").click().run()
    assert score(quiz) == "0 / 1"
    quiz.button(key="quiz_restart").click().run()
    assert score(quiz) == "0 / 0" and quiz.metric[1].value == "1"


def test_another_photo_gets_a_question_about_that_photo(lite0):
    quiz = quiz_of("output_size")
    quiz.sidebar.selectbox(key="image_sample").set_value("coffee").run()
    question = expected_question(quiz, lite0, "coffee")
    assert "600 x 400 photo" in question.prompt
    assert shows(quiz, question.prompt)


def test_questions_about_the_network_reuse_the_one_cached_forward_pass(forwards):
    quiz = quiz_of("prediction", "channels", "feature_map_size")
    passes = len(forwards)
    for _ in range(3):
        quiz.button(key="quiz_next").click().run()
    assert not quiz.exception and not quiz.error
    assert len(forwards) == passes, "the one cached forward pass serves every question about this photo"


def page_with_an_inline_question() -> None:
    """Any page can quiz its own topic inline: here, pooling questions about the cat photo."""
    from explorer.images import load_sample
    from ui.models import cached_model
    from ui.quiz import inline_question

    inline_question(load_sample("chelsea"), cached_model("efficientnet_lite0"), ("pooling",), "inline")


def test_a_question_card_can_be_shown_inline_on_any_page(lite0, chelsea):
    at = AppTest.from_function(page_with_an_inline_question, default_timeout=180).run()
    assert not at.exception
    question = make_question("pooling", quiz_source(chelsea, lite0), 0)
    assert shows(at, question.prompt)
    at.number_input(key="inline_typed").set_value(float(question.truth)).run()
    at.button(key="inline_reveal").click().run()
    assert [read_back(s.value) for s in at.success] == [
        f"Right: the answer is **{question.answer_text()}**."
    ] and not at.metric
    at.button(key="inline_another").click().run()
    following = make_question("pooling", quiz_source(chelsea, lite0), 1)
    assert shows(at, following.prompt)
    assert at.number_input(key="inline_typed").value is None and not at.success


def test_a_question_with_the_same_words_about_a_new_photo_is_not_already_revealed(lite0):
    """ "What does the network think this photo shows?" reads the same for every photo: revealing it on the
    cat must not reveal (or score) the same words asked about the coffee."""
    quiz = quiz_of("prediction")
    quiz.button(key=f"{CARD}_reveal").click().run()
    assert score(quiz) == "0 / 1" and quiz.radio(key=f"{CARD}_choice").disabled
    quiz.sidebar.selectbox(key="image_sample").set_value("coffee").run()
    question = expected_question(quiz, lite0, "coffee")
    assert shows(quiz, question.prompt) and "espresso" in question.choices
    assert not quiz.radio(key=f"{CARD}_choice").disabled and not quiz.success and not quiz.error
    quiz.radio(key=f"{CARD}_choice").set_value(question.truth).run()
    quiz.button(key=f"{CARD}_reveal").click().run()
    assert score(quiz) == "1 / 2"
