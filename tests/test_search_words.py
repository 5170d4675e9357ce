"""Search finds what learners type: words from different fields, joined or split spellings, initialisms of
multi-word names, plurals and typos, on a pack that has no aliases at all."""

from __future__ import annotations

import random

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mlpath.core.model import Area, Roadmap, Topic
from mlpath.core.search import initialisms, search, stem


def topic(ident: str, title: str, covers: tuple[str, ...] = ()) -> Topic:
    return Topic(ident, title, "core", "A topic.", 1.0, covers=covers)


NO_ALIASES = Roadmap([Area("core", "Core", 1)], [
    topic("data-sources", "Data sources: databases, APIs and sensors", ("internet data sources", "web scraping")),
    topic("web-frameworks", "Web frameworks and APIs", ("routing", "REST")),
    topic("singular-value-decomposition", "Singular value decomposition", ("low-rank approximation",)),
    topic("k-means-clustering", "K-means clustering", ("choosing k", "inertia")),
    topic("linear-regression", "Linear regression", ("ordinary least squares", "residuals")),
    topic("principal-component-analysis", "Principal component analysis (PCA) and whitening"),
])


def ids(query: str) -> list[str]:
    return [h.topic.id for h in search(NO_ALIASES, query)]


def test_each_word_may_match_a_different_field():
    # "apis" is in two titles; only one topic also covers internet data sources
    assert ids("internet apis") == ["data-sources"]
    assert ids("apis internet") == ["data-sources"]
    assert ids("internet API") == ["data-sources"]  # singular or plural
    assert set(ids("apis")) == {"data-sources", "web-frameworks"}
    hit = search(NO_ALIASES, "internet apis")[0]
    assert hit.matched == "internet data sources + Data sources: databases, APIs and sensors"


def test_split_and_joined_spellings():
    for query in ("k means", "kmeans", "k-means", "K Means", "kmeans clustering"):
        assert ids(query)[:1] == ["k-means-clustering"], query


def test_initialisms_of_multi_word_names():
    assert ids("svd") == ["singular-value-decomposition"]
    assert ids("SVD")[:1] == ["singular-value-decomposition"]
    assert ids("pca")[:1] == ["principal-component-analysis"]
    assert ids("ols") == ["linear-regression"]  # ordinary least squares, a covered concept


def test_typos_are_still_tolerated():
    assert ids("singular valeu decompositon")[:1] == ["singular-value-decomposition"]
    assert ids("lineer regresion")[:1] == ["linear-regression"]
    assert ids("clustring")[:1] == ["k-means-clustering"]


def test_a_word_that_matches_nothing_rules_a_topic_out():
    assert ids("internet zebras") == []


def test_initialisms_and_stems_by_hand():
    assert initialisms("Singular value decomposition (SVD) and PCA") == {"svd"}
    assert initialisms("pipeline components and artefacts") == {"pc"}
    assert initialisms("Ordinary least squares") == {"ols"}
    assert initialisms("Regression") == set()
    assert [stem(w) for w in ("apis", "networks", "loss", "bias", "gps", "corpus", "analysis", "axis")] == [
        "api", "network", "loss", "bias", "gps", "corpus", "analysis", "axis"]


WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9)


@settings(max_examples=60, deadline=None)
@given(titles=st.lists(st.lists(WORDS, min_size=2, max_size=4), min_size=2, max_size=6),
       pick=st.integers(min_value=0), seed=st.integers(min_value=0, max_value=10_000))
def test_any_words_of_a_topic_in_any_order_find_it(titles, pick, seed):
    topics = [topic(f"t{i}", " ".join(words), (" ".join(reversed(words)) + " basics",))
              for i, words in enumerate(titles)]
    roadmap = Roadmap([Area("core", "Core", 1)], topics)
    target = topics[pick % len(topics)]
    words = target.title.split() + ["basics"]
    rng = random.Random(seed)
    chosen = rng.sample(words, k=rng.randint(1, len(words)))
    found = [h.topic.id for h in search(roadmap, " ".join(chosen), limit=len(topics))]
    assert target.id in found


@settings(max_examples=60, deadline=None)
@given(words=st.lists(WORDS, min_size=2, max_size=4))
def test_the_initials_of_a_title_find_it(words):
    assume(not any(w in ("and", "for", "from", "the", "via", "with") for w in words))
    roadmap = Roadmap([Area("core", "Core", 1)], [topic("only", " ".join(words)), topic("other", "zzz qqq")])
    assert "only" in [h.topic.id for h in search(roadmap, "".join(w[0] for w in words))]
