"""Content evolution: a renamed topic or question keeps its history; a removed question's history stays."""

from datetime import datetime, timedelta, timezone

from mlpath.app import quiz as quizzing
from mlpath.app import roadmap as services
from mlpath.app.session import open_session
from mlpath.store import queries

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


def answer_all(s, topic, now):
    from test_quiz import ScriptedUI

    items = quizzing.quiz_queue(s, [topic], 50, 50)
    ui = ScriptedUI(["a", "a", "y", "11", "unit", "3", "0", "0.5"] * 3)
    quizzing.run_quiz(s, items, ui, clock=lambda: now, learning_steps=False)  # one answer per question
    return len(items)


def test_topic_rename_keeps_status_cards_and_reviews(mini):
    s = open_session(now=T0)
    queries.set_status(s.conn, s.pack, "vectors", "done", T0)
    n = answer_all(s, "vectors", T0)
    s.close()
    maths = mini / "topics" / "maths.yaml"
    maths.write_text(maths.read_text().replace("id: vectors\n", "id: vectors-and-norms\n    replaces: [vectors]\n")
                     .replace("prerequisites: [vectors]", "prerequisites: [vectors-and-norms]"))
    qs = mini / "questions" / "all.yaml"
    qs.write_text(qs.read_text().replace("topic: vectors\n", "topic: vectors-and-norms\n"))
    s = open_session(now=T0 + timedelta(days=1))
    assert queries.statuses(s.conn, s.pack) == {"vectors-and-norms": "done"}
    assert s.conn.execute("SELECT COUNT(*) FROM review WHERE topic_id='vectors-and-norms'").fetchone()[0] == n
    assert s.conn.execute("SELECT COUNT(*) FROM review WHERE topic_id='vectors'").fetchone()[0] == 0
    assert services.show(s, "vectors-and-norms").cards.seen == n
    assert s.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_question_rename_and_removal_keep_history(mini):
    s = open_session(now=T0)
    answer_all(s, "vectors", T0)
    before = s.conn.execute("SELECT COUNT(*) FROM review").fetchone()[0]
    s.close()
    qs = mini / "questions" / "all.yaml"
    text = qs.read_text().replace("id: vectors-tf\n", "id: vectors-orthogonal\n    replaces: [vectors-tf]\n")
    # remove the flashcard question entirely
    start = text.index("  - id: vectors-flash")
    end = text.index("  - id: matrices-det")
    qs.write_text(text[:start] + text[end:])
    s = open_session(now=T0)
    assert s.conn.execute("SELECT COUNT(*) FROM review").fetchone()[0] == before
    assert s.conn.execute("SELECT COUNT(*) FROM review WHERE question_id='vectors-orthogonal'").fetchone()[0] == 1
    assert s.conn.execute("SELECT active FROM question WHERE id='vectors-flash'").fetchone()[0] == 0
    # the removed question is never asked again, even when its card is due
    due = quizzing.quiz_queue(s, ["vectors"], 50, 50)
    s.now = T0 + timedelta(days=400)
    due = quizzing.quiz_queue(s, ["vectors"], 50, 50)
    assert "vectors-flash" not in {i.question["id"] for i in due}
    assert "vectors-orthogonal" in {i.question["id"] for i in due}
    assert s.conn.execute("PRAGMA foreign_key_check").fetchall() == []
