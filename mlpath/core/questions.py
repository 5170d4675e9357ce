"""Question kinds: turning a stored question into what the learner sees, and checking a response."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from mlpath.core import grading
from mlpath.core.generators import make_problem

AUTO_GRADED = ("choice", "multi", "true_false", "numeric", "text", "generated")


@dataclass
class Presented:
    """One showing of a question: options in their shuffled order, a generated problem's fresh numbers."""

    id: str
    topic: str
    kind: str  # the stored kind; a generated question answers like `numeric` (or `vector`)
    prompt: str
    explanation: str
    expected: str  # the correct answer as text, for feedback
    seed: int
    options: list[str] = field(default_factory=list)
    correct_options: list[str] = field(default_factory=list)
    answer: Any = None
    tolerance: float = 0.0
    rel_tolerance: float = 0.0
    unit: str = ""
    precision: grading.Precision | None = None  # a generated answer: graded by the rounding its prompt states

    @property
    def answer_kind(self) -> str:
        if self.kind == "generated":
            return "vector" if isinstance(self.answer, tuple) else "numeric"
        return self.kind


def _fmt_number(x: float) -> str:
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.6g}"


def present(q: dict, seed: int) -> Presented:
    """Prepare question ``q`` for showing; ``seed`` drives option shuffling and generated numbers."""
    rng = random.Random(seed)
    kind = q["kind"]
    p = Presented(q["id"], q["topic"], kind, q.get("prompt", ""), q.get("explanation", ""), "", seed)
    if kind in ("choice", "multi"):
        p.options = list(q["options"])
        rng.shuffle(p.options)
        p.correct_options = [q["answer"]] if kind == "choice" else list(q["answers"])
        p.expected = "; ".join(o for o in p.options if o in p.correct_options)
    elif kind == "true_false":
        p.answer = bool(q["answer"])
        p.expected = "true" if p.answer else "false"
    elif kind == "numeric":
        p.answer = float(q["answer"])
        p.tolerance = float(q.get("tolerance", 0.0))
        p.rel_tolerance = float(q.get("rel_tolerance", 0.0))
        p.unit = q.get("unit", "")
        p.expected = _fmt_number(p.answer) + (f" {p.unit}" if p.unit else "")
    elif kind == "text":
        p.answer = [str(a) for a in q["answers"]]
        p.expected = p.answer[0]
    elif kind == "flashcard":
        p.answer = q["answer"]
        p.expected = q["answer"]
    elif kind == "generated":
        problem = make_problem(q["generator"], q.get("params"), seed)
        intro = q.get("prompt")
        p.prompt = f"{intro}\n{problem.prompt}" if intro else problem.prompt
        p.explanation = problem.explanation + (f" {q['explanation']}" if q.get("explanation") else "")
        p.answer = problem.answer
        p.precision = problem.precision
        p.tolerance = problem.tolerance
        p.expected = problem.expected_text
    else:  # validated content never gets here
        raise ValueError(f"unknown question kind {kind!r}")
    return p


def check(p: Presented, response: Any) -> bool | None:
    """Is ``response`` right? None when it is not a valid answer of this kind at all.

    choice: the chosen option's text; multi: a list of option texts; true_false: a bool;
    numeric, text, generated: the typed text.
    """
    kind = p.answer_kind
    if kind == "choice":
        return None if response not in p.options else response in p.correct_options
    if kind == "multi":
        if not isinstance(response, (list, tuple, set)) or not response or any(r not in p.options for r in response):
            return None
        return grading.grade_multi(response, p.correct_options)
    if kind == "true_false":
        return None if not isinstance(response, bool) else response == p.answer
    if kind == "numeric":
        if p.precision is not None:
            return grading.grade_rounded(str(response), p.answer, p.precision)
        return grading.grade_numeric(str(response), p.answer, p.tolerance, p.rel_tolerance)
    if kind == "vector":
        return grading.grade_vector(str(response), p.answer, p.tolerance, p.precision)
    if kind == "text":
        text = str(response)
        return None if not grading.normalise_text(text) else grading.grade_text(text, p.answer)
    raise ValueError(f"{kind} questions are self-graded")
