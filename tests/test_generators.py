"""Generators: the rounding policy, rendering, variety, determinism and parameter validation.

The answers themselves are recomputed from the prompt text in tests/test_generators_check.py.
"""

import re

import pytest
from hypothesis import assume, given, strategies as st

from mlpath.core import grading
from mlpath.core.generators import GENERATORS, make_problem, param_problems
from mlpath.core.generators._format import poly, signed_terms
from mlpath.core.questions import check, present


def param_sets(name):
    yield {}
    for key, p in GENERATORS[name].params.items():
        for choice in p.choices:
            if choice != p.default:
                yield {key: choice}


CASES = [(name, params) for name in GENERATORS for params in param_sets(name)]
IDS = [f"{n}-{p}" for n, p in CASES]


def test_at_least_forty_generators():
    assert len(GENERATORS) >= 40


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_at_least_200_distinct_problems(name, params):
    prompts = set()
    for seed in range(3000):
        prompts.add(make_problem(name, params, seed).prompt)
        if len(prompts) >= 200:
            break
    assert len(prompts) >= 200, (name, params, len(prompts))


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_prompt_states_the_rounding_and_renders_cleanly(name, params):
    for seed in range(60):
        p = make_problem(name, params, seed)
        instruction = p.precision.instruction()
        stated = instruction[len("Give it "):]
        assert (stated in p.prompt) if instruction else "decimal place" not in p.prompt, (name, p.prompt)
        text = p.prompt + "\n" + p.explanation
        # textbook rendering: no `1x`, no `+ 0x`, no `+ -`, no `× -1` / `· -1` without brackets
        assert not re.search(r"(?<![\d.x])1x(?!\d)", text), text
        assert not re.search(r"[+-] 0[a-z]", text), text
        assert "+ -" not in text and "- -" not in text, text
        assert not re.search(r"[×·] -\d", text), text
        assert p.explanation.splitlines()[-1].startswith("Answer"), p.explanation
        assert p.expected_text in p.explanation.splitlines()[-1]


def test_same_seed_same_problem():
    for name in GENERATORS:
        assert make_problem(name, None, 7) == make_problem(name, None, 7)


def test_rounding_policy_examples():
    three_dp = grading.decimals(3)
    assert three_dp.accepts(0.3333, 1 / 3) and three_dp.accepts(0.333, 1 / 3)
    assert not three_dp.accepts(0.334, 1 / 3) and not three_dp.accepts(0.332, 1 / 3)
    assert three_dp.accepts(0.3334, 1 / 3)  # rounds to 0.333 as well
    assert not three_dp.accepts(0.33, 1 / 3)
    # significant figures for tiny values: the binomial example from the issue, 3.8e-6
    tiny = 9 * 0.25**9 * 0.75**0 / 9  # 0.25^9 = 3.814697265625e-06
    sf = grading.sig_figs(3)
    assert sf.accepts(3.81e-6, tiny) and sf.accepts(0.00000381, tiny)
    assert not sf.accepts(0, tiny) and not sf.accepts(-1, tiny) and not sf.accepts(3.8e-6, tiny)
    assert sf.show(tiny) == "3.81e-6"
    # a tie in the true value may round either way; at a power of ten the digit count changes
    assert grading.decimals(2).accepts(0.12, 0.125) and grading.decimals(2).accepts(0.13, 0.125)
    assert sf.accepts(1.00, 0.99996) and sf.accepts(0.99996, 0.99996) and not sf.accepts(0.999, 0.99996)
    assert grading.EXACT.accepts(12, 12) and not grading.EXACT.accepts(12.4, 12)


@given(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False), st.integers(0, 5))
def test_the_shown_answer_is_accepted_and_one_unit_off_is_not(x, digits):
    scaled = abs(x) * 10**digits
    assume(abs(scaled - int(scaled) - 0.5) > 4e-12 * scaled + 1e-9)  # at a tie (to float noise) either neighbour is right
    p = grading.decimals(digits)
    shown = p.show(x)
    assert p.accepts(float(shown), x)
    unit = 10.0 ** -digits
    assert not p.accepts(float(shown) + unit * 1.01, x)
    assert not p.accepts(float(shown) - unit * 1.01, x)


def test_grading_functions_use_the_policy():
    three_dp = grading.decimals(3)
    assert grading.grade_rounded("1/3", 1 / 3, three_dp) is True
    assert grading.grade_rounded(" 0.333 ", 1 / 3, three_dp) is True
    assert grading.grade_rounded("0.3", 1 / 3, three_dp) is False
    assert grading.grade_rounded("a third", 1 / 3, three_dp) is None
    assert grading.grade_vector("0.33, -2", (1 / 3, -2.004), precision=grading.decimals(2)) is True
    assert grading.grade_vector("0.33, -2.01", (1 / 3, -2.004), precision=grading.decimals(2)) is False
    assert grading.grade_vector("0.33", (1 / 3, -2.004), precision=grading.decimals(2)) is False
    assert grading.grade_vector("3, -2", (3, -2)) is True  # without a precision: the old tolerance rule


def test_binomial_never_accepts_zero():
    for seed in range(500):
        q = {"id": "x", "topic": "t", "kind": "generated", "generator": "binomial_probability"}
        shown = present(q, seed)
        assert check(shown, "0") is False and check(shown, "-1") is False
        assert check(shown, shown.expected) is True


def test_rendering_helpers():
    assert poly([5, -1, 3]) == "3x^2 - x + 5"
    assert poly([0, 1]) == "x"
    assert poly([-2, 0, -1]) == "-x^2 - 2"
    assert poly([0, 0]) == "0"
    assert signed_terms([(1, "x"), (-1, "y"), (0, "z"), (-4, "")]) == "x - y - 4"


def test_gradient_descent_learning_rates_converge():
    for seed in range(500):
        d = make_problem("gradient_descent_step", None, seed).data
        assert 0 < d["lr"] * 2 * d["a"] < 1  # |1 - 2a·lr| < 1: each step moves towards the minimum without overshooting


def test_prompts_say_what_a_learner_needs():
    for seed in range(200):
        assert re.search(r"with one bias per output|has no bias terms", make_problem("dense_layer_params", None, seed).prompt)
        assert "no padding" in make_problem("conv_output_size", {"pooling": True}, seed).prompt
        conv = make_problem("conv_output_size", None, seed).data
        assert conv["n"] + 2 * conv["p"] - conv["k"] < conv["n"] or conv["s"] == 1 and conv["k"] == 2 * conv["p"] + 1


def test_shipped_generated_questions():
    """>= 300 generated questions; every generator used; every linear-algebra, calculus and probability topic has one."""
    from mlpath import paths
    from mlpath.packs import loader as content

    shipped = content.load(paths.content_dir())
    generated = [q for q in shipped.questions if q["kind"] == "generated"]
    assert len(generated) >= 300
    assert {q["generator"] for q in generated} == set(GENERATORS)
    assert all(param_problems(q["generator"], q.get("params")) == [] for q in generated)
    covered = {q["topic"] for q in generated}
    for area in ("linear-algebra", "calculus", "probability-statistics"):
        missing = [t.id for t in shipped.roadmap.in_area(area) if t.id not in covered]
        assert missing == [], (area, missing)


def test_param_validation():
    assert param_problems("determinant", {"size": 3}) == []
    assert param_problems("determinant", {"size": 9})
    assert param_problems("determinant", {"colour": 1})
    assert param_problems("sample_statistic", {"sample": 1})  # 1 is not a bool
    assert param_problems("nope", None)
