"""Fuzzy search over topic ids, titles, aliases and covered concepts; exact resolution of names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlpath.core.model import Area, Roadmap, Topic

_NON_WORD = re.compile(r"[^0-9a-z+#]+")


def normalise(text: str) -> str:
    """Lower-case, with every run of punctuation and white space folded to one space."""
    return _NON_WORD.sub(" ", text.lower().replace("'", "")).strip()


@dataclass(frozen=True)
class Hit:
    topic: Topic
    score: float
    matched: str


def _fields(topic: Topic) -> list[tuple[str, float]]:
    out = [(topic.id.replace("-", " "), 1.0), (topic.title, 1.0)]
    out += [(a, 1.0) for a in topic.aliases]
    out += [(c, 0.95) for c in topic.covers]
    return out


def _score(q: str, s: str) -> float:
    from rapidfuzz import fuzz

    if not s:
        return 0.0
    if q == s:
        return 100.0
    padded = f" {s} "
    if f" {q} " in padded:
        # a whole word or phrase of s; shorter s means a closer match
        return 90.0 + 8.0 * len(q) / len(s)
    score = fuzz.ratio(q, s)
    if len(q) >= 4 and len(s) > len(q):
        score = max(score, 0.9 * fuzz.partial_ratio(q, s))
    # a typo inside one word of a longer phrase
    if " " in s and " " not in q:
        score = max(score, 0.92 * max(fuzz.ratio(q, w) for w in s.split()))
    return score


# --- word by word ------------------------------------------------------------------------------------------------
# A learner types words, not field values: "internet apis" names words of two fields (the title says APIs, a
# covered concept says internet data sources). Each query word is matched on its own against the words of every
# field, their plural-free stems, joined neighbours ("k means" = "kmeans") and the initialisms of multi-word
# names ("singular value decomposition" -> "svd"), so a pack without aliases is still found the way people type.

_STOP = frozenset({"a", "an", "and", "as", "by", "for", "from", "in", "of", "on", "or", "the", "to", "via", "with"})
_SEGMENT = re.compile(r"[,;:()/\[\]]|\band\b|\bor\b|\bvs\b")
WORD = 100.0  # a word of a field, or its stem
JOINED = 97.0  # two neighbouring words written as one ("kmeans")
INITIALISM = 96.0  # the initial letters of a multi-word name ("svd")


def stem(word: str) -> str:
    """A crude plural-free form: ``apis`` -> ``api``, ``networks`` -> ``network`` (``loss`` stays)."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "sis", "ias", "xis")):
        return word[:-1]
    return word


def initialisms(text: str) -> set[str]:
    """Initial letters of each multi-word part of a name: "Singular value decomposition (SVD) and PCA" -> svd."""
    out = set()
    parts = _SEGMENT.split(text.lower())
    for part in parts if len(parts) > 1 else [text]:  # "components and artefacts" is not "ca"
        words = [w for w in normalise(part).split() if w not in _STOP]
        if len(words) >= 2:
            out.add("".join(w[0] for w in words))
    return out


def _terms(topic: Topic) -> dict[str, tuple[float, str]]:
    """Every term a query word can hit exactly -> (score, the field text it comes from); best score kept."""
    terms: dict[str, tuple[float, str]] = {}

    def add(term: str, score: float, source: str) -> None:
        if term and score > terms.get(term, (0.0, ""))[0]:
            terms[term] = (score, source)

    for text, weight in _fields(topic):
        words = normalise(text).split()
        for w in words:
            add(w, WORD * weight, text)
            add(stem(w), WORD * weight, text)
        for left, right in zip(words, words[1:]):
            add(left + right, JOINED * weight, text)
        for short in initialisms(text):
            if len(short) >= 2:
                add(short, INITIALISM * weight, text)
    return terms


def _word_score(word: str, terms: dict[str, tuple[float, str]]) -> tuple[float, str]:
    """How well one query word matches a topic: exactly, as a prefix, or with a typo."""
    from rapidfuzz import fuzz, process

    for candidate in (word, stem(word)):
        if candidate in terms:
            return terms[candidate]
    best = (0.0, "")
    if len(word) >= 3:
        for term, (score, source) in terms.items():
            if len(term) > len(word) and term.startswith(word):  # "backprop" of "backpropagation"
                best = max(best, (score * (0.86 + 0.1 * len(word) / len(term)), source))
    if len(word) >= 4:
        found = process.extractOne(word, list(terms), scorer=fuzz.ratio, score_cutoff=75)
        if found is not None:
            score, source = terms[found[0]]
            best = max(best, (found[1] * 0.92 * score / WORD, source))
    return best


def _by_words(words: list[str], terms: dict[str, tuple[float, str]]) -> tuple[float, str]:
    """Every query word must match somewhere; the score is their mean, a little below a whole-phrase match."""
    scores, sources = [], []
    for w in words:
        score, source = _word_score(w, terms)
        if score < 60.0:
            return 0.0, ""
        scores.append(score)
        if source not in sources:
            sources.append(source)
    return 0.97 * sum(scores) / len(scores), " + ".join(sources)


def _query_words(q: str) -> list[str]:
    words = q.split()
    content = [w for w in words if w not in _STOP]
    return content or words


def search(roadmap: Roadmap, text: str, limit: int = 10, threshold: float = 72.0) -> list[Hit]:
    """Topics matching ``text``, best first: as a phrase of one field, or word by word across fields. Typos are
    tolerated."""
    q = normalise(text)
    if not q:
        return []
    words = _query_words(q)
    variants = [words]
    if len(words) > 1:  # "k means" may be written "kmeans" in the content, and the other way round
        variants += [words[:i] + [words[i] + words[i + 1]] + words[i + 2:] for i in range(len(words) - 1)]
    hits = []
    for topic in roadmap.topics:
        best, matched = 0.0, ""
        for s, weight in _fields(topic):
            sc = _score(q, normalise(s)) * weight
            if sc > best:
                best, matched = sc, s
        if best < 100.0:
            terms = _terms(topic)
            for variant in variants:
                sc, source = _by_words(variant, terms)
                if sc > best:
                    best, matched = sc, source
        if best >= threshold:
            hits.append(Hit(topic, round(best, 1), matched))
    order = {t.id: i for i, t in enumerate(roadmap.topics)}
    hits.sort(key=lambda h: (-h.score, order[h.topic.id]))
    return hits[:limit]


def resolve_exact(roadmap: Roadmap, name: str) -> Topic | Area | None:
    """A topic or area named exactly (id, alias or title, ignoring case and punctuation), else None."""
    if name in roadmap.by_id:
        return roadmap.by_id[name]
    if name in roadmap.area_by_id:
        return roadmap.area_by_id[name]
    q = normalise(name)
    for t in roadmap.topics:
        if q == normalise(t.id) or q == normalise(t.title):
            return t
    for a in roadmap.areas:
        if q == normalise(a.id) or q == normalise(a.title):
            return a
    for t in roadmap.topics:
        if any(q == normalise(a) for a in t.aliases):
            return t
    return None


def suggestions(roadmap: Roadmap, name: str, limit: int = 3) -> list[str]:
    """Ids close to ``name``, for a "did you mean" line."""
    from rapidfuzz import fuzz

    q = normalise(name)
    scored = []
    for a in roadmap.areas:
        scored.append((max(fuzz.ratio(q, normalise(a.id)), fuzz.ratio(q, normalise(a.title))), a.id))
    for h in search(roadmap, name, limit=limit, threshold=60.0):
        scored.append((h.score, h.topic.id))
    scored.sort(key=lambda x: -x[0])
    best = scored[0][0] if scored else 0
    out: list[str] = []
    for sc, ident in scored:
        if sc >= max(60, best - 12) and ident not in out:  # only names nearly as close as the closest
            out.append(ident)
    return out[:limit]


def close_names(name: str, names: list[str], limit: int = 3) -> list[str]:
    """Names (pack ids and the like) close to ``name``, closest first, for a "did you mean" line."""
    from rapidfuzz import fuzz

    scored = sorted(((fuzz.ratio(name.lower(), n.lower()), n) for n in names), key=lambda x: -x[0])
    best = scored[0][0] if scored else 0
    return [n for sc, n in scored if sc >= max(70, best - 12)][:limit]
