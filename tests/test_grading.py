"""Grading of every question kind, with property tests for number parsing and text normalisation."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlpath.core import grading
from mlpath.core.questions import check, present


@pytest.mark.parametrize("text,value", [
    ("0.5", 0.5), ("1/2", 0.5), ("5e-1", 0.5), (" .5 ", 0.5), ("50%", 0.5), ("-3", -3.0), ("\u22123", -3.0),
    ("+2", 2.0), ("-1/4", -0.25), ("1.5/3", 0.5), ("1e3", 1000.0), ("7.", 7.0),
])
def test_parse_number_forms(text, value):
    assert grading.parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "1/0", "1//2", "1/2/3", "--1", "e5", "1e", "nan", "inf", "0x10", "1,5"])
def test_parse_number_rejects(text):
    assert grading.parse_number(text) is None


@given(st.fractions(min_value=-10**6, max_value=10**6))
def test_fraction_and_decimal_forms_agree(f: Fraction):
    as_fraction = grading.parse_number(f"{f.numerator}/{f.denominator}")
    assert as_fraction == pytest.approx(float(f))
    assert grading.parse_number(repr(float(f))) == pytest.approx(float(f))
    assert grading.parse_number(f"{float(f):e}") == pytest.approx(float(f), rel=1e-6, abs=1e-6)


@given(st.text())
def test_parse_number_never_raises(text):
    value = grading.parse_number(text)
    assert value is None or isinstance(value, float)


@given(st.text())
def test_normalise_is_idempotent_and_clean(text):
    once = grading.normalise_text(text)
    assert grading.normalise_text(once) == once
    assert once == once.strip() and "  " not in once


@given(st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1), st.sampled_from([" ", "  ", "-", ".", ",", "!"]))
def test_text_grading_ignores_case_space_and_punctuation(word, junk):
    accepted = [f"{word} net"]
    assert grading.grade_text(f"{junk}{word.upper()}{junk}NET{junk}", accepted) == (grading.normalise_text(word.upper()) == grading.normalise_text(word))


def test_text_grading_examples():
    assert grading.grade_text("  Gradient-Descent! ", ["gradient descent"])
    assert not grading.grade_text("", ["x"])
    assert not grading.grade_text("gradient", ["gradient descent"])


def test_numeric_tolerances():
    assert grading.grade_numeric("0.333", 1 / 3, tolerance=0.001)
    assert not grading.grade_numeric("0.33", 1 / 3, tolerance=0.001)
    assert grading.grade_numeric("105", 100, rel_tolerance=0.05)
    assert not grading.grade_numeric("106", 100, rel_tolerance=0.05)
    assert grading.grade_numeric("1/3", 1 / 3)
    assert grading.grade_numeric("x", 1) is None


def test_vector_grading():
    assert grading.grade_vector("3, -2", (3, -2))
    assert grading.grade_vector("[3 -2]", (3, -2))
    assert not grading.grade_vector("3", (3, -2))
    assert grading.grade_vector("3, a", (3, -2)) is None


def test_rating_mapping():
    assert grading.rating_for(False) == grading.AGAIN
    assert grading.rating_for(False, 4) == grading.AGAIN
    assert grading.rating_for(True) == grading.GOOD
    assert grading.rating_for(True, grading.EASY) == grading.EASY
    with pytest.raises(ValueError):
        grading.rating_for(True, 7)


def q(kind, **kw):
    return {"id": "q", "topic": "t", "kind": kind, "prompt": "p", "explanation": "e", **kw}


def test_choice_is_shuffled_but_graded_by_text():
    question = q("choice", options=["a", "b", "c", "d", "e"], answer="c")
    orders = {tuple(present(question, seed).options) for seed in range(30)}
    assert len(orders) > 1
    p = present(question, 3)
    assert check(p, "c") is True and check(p, "a") is False and check(p, "zzz") is None


def test_multi_needs_the_exact_set():
    p = present(q("multi", options=["a", "b", "c"], answers=["a", "c"]), 1)
    assert check(p, ["c", "a"]) is True
    assert check(p, ["a"]) is False
    assert check(p, ["a", "b", "c"]) is False
    assert check(p, []) is None


def test_true_false_numeric_text():
    assert check(present(q("true_false", answer=False), 0), False) is True
    assert check(present(q("true_false", answer=False), 0), True) is False
    assert check(present(q("numeric", answer=0.5, tolerance=0.01), 0), "1/2") is True
    assert check(present(q("text", answers=["ReLU"]), 0), "relu") is True
    assert check(present(q("text", answers=["ReLU"]), 0), "  ") is None


def test_generated_answers_are_checked_against_the_fresh_problem():
    question = q("generated", generator="dot_product")
    p = present(question, 42)
    a, b = p.prompt.split("a = ")[1].split(" and b = ")
    a = [int(x) for x in a.strip("[]").split(", ")]
    b = [int(x) for x in b.split("]")[0].strip("[").split(", ")]
    assert check(p, str(sum(x * y for x, y in zip(a, b)))) is True
    assert check(p, str(sum(x * y for x, y in zip(a, b)) + 1)) is False


def test_flashcards_are_self_graded():
    with pytest.raises(ValueError):
        check(present(q("flashcard", answer="x"), 0), "x")
