"""The quiz loop at service level, with a scripted front-end and a fixed clock."""

from datetime import datetime, timedelta, timezone

import pytest

from mlpath.app import quiz as quizzing
from mlpath.app import roadmap as services
from mlpath.app.session import open_session
from mlpath.cli.prompts import parse_line
from mlpath.app.quiz import EndOfInput, Response

T0 = datetime(2026, 7, 1, 7, 0, tzinfo=timezone.utc)


class ScriptedUI:
    """Answers from a list of lines, like a pipe; records what was shown."""

    def __init__(self, lines):
        self.lines = list(lines)
        self.shown, self.feedbacks, self.invalids = [], [], []

    def _next(self):
        if not self.lines:
            raise EndOfInput
        return self.lines.pop(0)

    def question(self, number, total, p, title):
        self.shown.append(p)

    def answer(self, p):
        raw = self._next()
        return Response(parse_line(p, raw), raw)

    def reveal(self, p):
        return int(self._next())

    def self_grade(self):
        return int(self._next())

    def invalid(self, p, raw):
        self.invalids.append(raw)

    def feedback(self, p, correct, rating, due, saved):
        self.feedbacks.append((p.id, correct, rating))


def right_answer(p):
    if p.kind in ("choice", "multi"):
        return ",".join("abcdefghij"[p.options.index(o)] for o in p.correct_options)  # letters (#14 item 5)
    if p.kind == "true_false":
        return "y" if p.answer else "n"
    if p.kind == "text":
        return p.answer[0]
    return p.expected


class RightUI(ScriptedUI):
    def answer(self, p):
        raw = right_answer(p)
        return Response(parse_line(p, raw), raw)

    def reveal(self, p):
        return 3


def test_new_cards_then_due_first(mini):
    s = open_session(now=T0)
    items = quizzing.quiz_queue(s, ["vectors", "matrices"], limit=20, new=3)
    assert [i.card for i in items] == [None] * 3
    ui = RightUI([])
    result = quizzing.run_quiz(s, items, ui, clock=lambda: T0)
    # each new card comes back once within the quiz (learning steps 1 and 10 min), then graduates to days
    ids = [i.question["id"] for i in items]
    assert [f[0] for f in ui.feedbacks] == ids + ids and result.right == 6 and result.repeated == 3
    assert all(d - T0 >= timedelta(days=1) for d in result.returns.values())
    s.now = T0 + timedelta(days=30)
    items = quizzing.quiz_queue(s, ["vectors", "matrices"], limit=20, new=2)
    assert [i.card is not None for i in items] == [True, True, True, False, False]


def test_every_kind_wrong_and_right_is_recorded(mini):
    s = open_session(now=T0)
    items = quizzing.quiz_queue(s, ["vectors"], 20, 20)
    kinds = [i.question["kind"] for i in items]
    assert set(kinds) == {"choice", "multi", "true_false", "numeric", "text", "flashcard"}
    quizzing.run_quiz(s, items, RightUI([]), clock=lambda: T0)
    rows = s.conn.execute("SELECT question_id, rating, correct, response_ms FROM review").fetchall()
    # every card twice: once new, once more at its 10-minute learning step within the same quiz
    assert len(rows) == 2 * len(items) and all(r[1] == 3 and r[2] for r in rows)
    assert all(r[3] is not None for r in rows)


def test_invalid_in_a_pipe_counts_as_wrong(mini):
    s = open_session(now=T0)
    items = quizzing.quiz_queue(s, ["vectors"], 1, 1)
    ui = ScriptedUI(["banana"])
    result = quizzing.run_quiz(s, items, ui, retries=False, clock=lambda: T0)
    assert result.invalid == 1 and result.wrong == 1 and ui.invalids == ["banana"]
    assert s.conn.execute("SELECT rating, correct FROM review").fetchone() == (1, 0)


def test_invalid_on_a_terminal_asks_again(mini):
    s = open_session(now=T0)
    items = quizzing.quiz_queue(s, ["vectors"], 1, 1)  # the choice question: 5 is right
    p_answer = None

    class Again(ScriptedUI):
        def answer(self, p):
            nonlocal p_answer
            if not self.invalids:
                return Response(None, "")
            p_answer = "abcdefghij"[p.options.index("5")]
            return Response(parse_line(p, p_answer), p_answer)

    result = quizzing.run_quiz(s, items, Again([]), retries=True, clock=lambda: T0, learning_steps=False)
    assert result.right == 1 and result.invalid == 0


def test_end_of_input_keeps_what_was_answered(mini):
    s = open_session(now=T0)
    items = quizzing.quiz_queue(s, ["vectors"], 20, 20)
    ui = ScriptedUI(["a", "a"])
    result = quizzing.run_quiz(s, items, ui, clock=lambda: T0)
    assert result.stopped and result.answered == 2
    assert s.conn.execute("SELECT COUNT(*) FROM review").fetchone()[0] == 2


def test_self_grade_after_a_right_answer(mini):
    s = open_session(now=T0)
    items = quizzing.quiz_queue(s, ["vectors"], 20, 20)
    tf = [i for i in items if i.question["kind"] == "true_false"]

    class Grade(RightUI):
        def self_grade(self):
            return 4

    quizzing.run_quiz(s, tf, Grade([]), self_grade=True, clock=lambda: T0)
    assert s.conn.execute("SELECT rating FROM review").fetchone()[0] == 4


def test_generated_question_records_its_seed(mini):
    s = open_session(now=T0)
    items = [i for i in quizzing.quiz_queue(s, ["matrices"], 20, 20) if i.question["kind"] == "generated"]
    quizzing.run_quiz(s, items, RightUI([]), clock=lambda: T0)
    seed, correct = s.conn.execute("SELECT seed, correct FROM review").fetchone()
    assert seed is not None and correct == 1


def test_bad_limits_are_user_errors(mini):
    from mlpath.errors import UserError

    s = open_session(now=T0)
    with pytest.raises(UserError):
        quizzing.quiz_queue(s, ["vectors"], 0, 1)


def test_retention_config(mini, home):
    from mlpath.errors import UserError

    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("desired_retention = 0.5\n")
    from mlpath import settings

    with pytest.raises(UserError):
        settings.load(home / "config.toml")
    (home / "config.toml").write_text("desired_retention = 0.85\n")
    assert settings.load(home / "config.toml").desired_retention == 0.85
    assert open_session(now=T0).settings.desired_retention == 0.85


@pytest.mark.parametrize("where", ["drawing the next question", "crediting after an answer"])
def test_ctrl_c_between_questions_ends_the_quiz_with_what_was_answered(mini, monkeypatch, where):
    """Ctrl-C lands wherever the loop is, not only at a prompt: the quiz still ends with its summary."""
    from mlpath.app import credit
    from mlpath.core import questions

    s = open_session(now=T0)
    items = quizzing.quiz_queue(s, ["vectors"], 20, 20)
    calls = {"n": 0}
    if where == "drawing the next question":
        real = questions.present

        def present(question, seed=None):
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt
            return real(question, seed)

        monkeypatch.setattr(questions, "present", present)
    else:
        real = credit.after_answer

        def after_answer(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt
            return real(*args, **kwargs)

        monkeypatch.setattr(credit, "after_answer", after_answer)
    result = quizzing.run_quiz(s, items, RightUI([]), clock=lambda: T0, learning_steps=False)
    answered = 1 if where == "drawing the next question" else 2
    assert result.interrupted and result.answered == answered and len(result.items) == answered
    assert s.conn.execute("SELECT COUNT(*) FROM review").fetchone()[0] == answered  # every answer given is saved
