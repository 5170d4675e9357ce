"""The roadmap and question bank shipped with mlpath: valid, complete, and searchable by every seed topic."""

from collections import Counter
from pathlib import Path

import pytest

from mlpath import paths
from mlpath.app import roadmap as services
from mlpath.app.session import open_session
from mlpath.packs import loader as content
from mlpath.core import search
from mlpath.core.validation import RESOURCE_KINDS

pytestmark = pytest.mark.slow  # subprocess-heavy: CI runs it, the inner loop (-m 'not slow') skips it

ROOT = Path(__file__).resolve().parents[1]
SEED_TERMS = [t.strip() for f in sorted((ROOT / "tests" / "data").glob("seed_terms_*.txt"))
              for t in f.read_text().splitlines() if t.strip() and not t.startswith("#")]


@pytest.fixture(scope="module")
def shipped():
    result = content.load(paths.content_dir())
    assert result.problems == []
    return result


def test_the_shipped_content_is_the_top_level_folder():
    assert paths.content_dir().resolve() in (ROOT / "content", ROOT / "mlpath" / "content")


def test_shape_of_the_roadmap(shipped):
    rm = shipped.roadmap
    assert 8 <= len(rm.areas) <= 13
    assert 100 <= len(rm.topics) <= 200
    for area in rm.areas:
        assert len(rm.in_area(area.id)) >= 4, area.id


def test_every_topic_is_complete(shipped):
    for t in shipped.roadmap.topics:
        assert len(t.resources) >= 2, t.id
        assert all(r.kind in RESOURCE_KINDS and r.url.startswith(("https://", "http://")) for r in t.resources)
        assert 1 <= t.summary.count(".") + t.summary.count("?") + t.summary.count("!") <= 5, t.id
        assert 0.5 <= t.hours <= 200, t.id
        assert t.covers, t.id


def test_no_duplicate_urls_within_a_topic(shipped):
    for t in shipped.roadmap.topics:
        urls = [r.url for r in t.resources]
        assert len(urls) == len(set(urls)), t.id


def test_question_bank_size_and_coverage(shipped):
    counts = Counter(q["topic"] for q in shipped.questions)
    assert len(shipped.questions) >= 1000
    thin = {t.id: counts[t.id] for t in shipped.roadmap.topics if counts[t.id] < 8}
    assert thin == {}, f"topics with fewer than 8 questions: {thin}"


def test_question_kinds_are_mostly_auto_graded(shipped):
    kinds = Counter(q["kind"] for q in shipped.questions)
    assert kinds["flashcard"] < 0.15 * len(shipped.questions)
    assert len({q["generator"] for q in shipped.questions if q["kind"] == "generated"}) >= 10


def test_question_rules(shipped):
    ids = [q["id"] for q in shipped.questions]
    assert len(ids) == len(set(ids))
    for q in shipped.questions:
        if q["kind"] == "choice":
            assert q["options"].count(q["answer"]) == 1 and len(set(q["options"])) == len(q["options"]), q["id"]
        if q["kind"] == "multi":
            assert set(q["answers"]) <= set(q["options"]) and q["answers"], q["id"]
        if q["kind"] != "generated":
            assert q["explanation"].strip(), q["id"]


@pytest.mark.parametrize("term", SEED_TERMS)
def test_every_seed_topic_is_found_by_search(shipped, term):
    hits = search.search(shipped.roadmap, term, limit=5)
    assert hits, f"search finds nothing for seed term {term!r}"


def test_seed_term_list_is_substantial():
    assert len(SEED_TERMS) >= 200


def test_a_new_learner_starts_at_the_foundations(home):
    s = open_session()
    first = [t.id for t in services.next_topics(s, limit=5).topics]
    roots = {t.id for t in s.roadmap.topics if not t.prerequisites}
    assert set(first) <= roots
    assert "python-basics" in first and "vectors" in first


def test_prerequisites_a_teacher_would_draw(shipped):
    from mlpath.core.graph import ancestors

    rm = shipped.roadmap
    for later, earlier in [("gradient-descent", "derivatives"), ("pca", "eigenvalues-and-eigenvectors"),
                           ("naive-bayes", "bayes-theorem"), ("logistic-regression", "conditional-probability"),
                           ("pandas", "numpy"), ("convolutional-networks", "backpropagation"),
                           ("backpropagation", "chain-rule"), ("transformers", "attention"),
                           ("lstm-and-gru", "recurrent-networks"), ("spark", "distributed-computing")]:
        assert earlier in ancestors(rm, later), (later, earlier)


def test_every_topic_can_be_quizzed_end_to_end(cli):
    """A quiz on every topic runs: the first question of each is shown and answered through a pipe."""
    s = open_session()
    ids = [t.id for t in s.roadmap.topics]
    s.close()
    for tid in ids:
        code, out, err = cli("quiz", tid, "--new", "1", "--limit", "1", input="1\n")
        assert code == 0, (tid, err)
        assert "Done: 1 answered" in out, (tid, out)
