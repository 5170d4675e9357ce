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


def search(roadmap: Roadmap, text: str, limit: int = 10, threshold: float = 72.0) -> list[Hit]:
    """Topics matching ``text``, best first. Typos are tolerated."""
    q = normalise(text)
    if not q:
        return []
    hits = []
    for topic in roadmap.topics:
        best, matched = 0.0, ""
        for s, weight in _fields(topic):
            sc = _score(q, normalise(s)) * weight
            if sc > best:
                best, matched = sc, s
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
