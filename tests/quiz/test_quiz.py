"""The quiz as a whole: reproducible from its seed, every kind dealt out, answers checked strictly,
and a photo or network that cannot support a kind gets another kind instead of an error."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from explorer.errors import ExplorerError
from explorer.images import load_image
from explorer.quiz import KINDS, Question, kind_for, make_question, quiz_source


@pytest.fixture(scope="module")
def source(chelsea, lite0):
    return quiz_source(chelsea, lite0)


def test_there_are_at_least_eight_kinds_and_each_round_asks_every_one_once():
    assert len(KINDS) >= 8
    for seed in (0, 5):
        first_round = [kind_for(seed, number) for number in range(len(KINDS))]
        assert sorted(first_round) == sorted(KINDS)
    assert [kind_for(3, n) for n in range(10)] == [kind_for(3, n) for n in range(10)]
    assert [kind_for(3, n) for n in range(10)] != [kind_for(4, n) for n in range(10)]


def test_a_chosen_subset_of_kinds_is_all_that_is_asked():
    kinds = ("pooling", "step_sum")
    assert {kind_for(1, n, kinds) for n in range(6)} == set(kinds)


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_same_seed_gives_the_same_question_and_another_seed_usually_another(source, kind):
    first, again = make_question(kind, source, 11), make_question(kind, source, 11)
    assert first.kind == kind and first.prompt == again.prompt and first.truth == again.truth
    assert first.explanation and first.prompt.endswith("?")

    def asked(question: Question) -> tuple:
        return question.prompt, question.truth, question.choices

    assert len({asked(make_question(kind, source, seed)) for seed in range(12, 16)} | {asked(first)}) > 1


def test_numeric_answers_are_right_within_the_tolerance_only():
    question = Question("pooling", "What is it?", "Because.", 17.25, tolerance=0.01)
    assert question.is_correct(17.25) and question.is_correct("17.255") and not question.is_correct(17.3)
    assert not any(question.is_correct(answer) for answer in (None, "seventeen", float("nan")))
    assert question.answer_text() == "17.25"


def test_a_choice_is_right_only_when_it_is_the_truth():
    question = Question("prediction", "Which?", "Because.", "tabby", ("tabby", "espresso"))
    assert question.is_correct("tabby") and not question.is_correct("espresso") and not question.is_correct(None)


def test_a_photo_too_small_for_a_kind_gets_the_next_kind_instead(lite0):
    buffer = io.BytesIO()
    Image.new("RGB", (3, 3), "orange").save(buffer, format="PNG")
    tiny = quiz_source(load_image(buffer.getvalue()), lite0)
    question = make_question("pooling", tiny, 0)
    assert question.kind == list(KINDS)[list(KINDS).index("pooling") + 1]


def test_an_unknown_kind_is_a_plain_error(source):
    with pytest.raises(ExplorerError, match="no kind of question called 'riddles'"):
        make_question("riddles", source, 0)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_works_on_a_torchvision_network_too(coffee, resnet18_random, kind):
    question = make_question(kind, quiz_source(coffee, resnet18_random), 0)
    assert question.kind == kind and question.is_correct(question.truth)
    assert question.numeric or question.truth in question.choices
