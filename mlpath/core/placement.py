"""Placement: an adaptive diagnostic over the prerequisite graph.

The learner's known set is assumed *down-closed*: whoever knows a topic knows its prerequisites. An answer is noisy
evidence about one topic: a learner who knows it slips with probability ``slip``; one who does not can still guess
right with probability ``guess`` (1/options for a choice, 1/2 for true/false, close to 0 for a free answer).

The model (tractable; an approximation of the posterior over down-closed sets): every answered topic ``s`` carries
its evidence ``e_s``, the log likelihood ratio known : unknown of its answers. Under down-closure, evidence that ``s``
is known is evidence that every prerequisite of ``s`` (transitively) is known, and evidence that ``s`` is unknown is
evidence that everything built on ``s`` is unknown. So the log-odds that topic ``t`` is known is

    prior log-odds of t + e_t + sum of max(e_s, 0) over s downstream of t + sum of min(e_a, 0) over a upstream of t.

Positive evidence flows to the prerequisites, negative evidence to the dependents, each answer counted once per
topic (a noisy-AND reading of the graph). With a flat prior the beliefs never increase along an edge, so the topics
believed known form a down-closed set; :func:`proposal` closes the set downwards in any case.

The prior is a mixture over levels (see :func:`_level_priors`): "the learner knows the first theta share of a study
order of the roadmap", theta = 0, 1/40, ..., 1. The evidence above is added under every level, and each level is
weighted by how well it predicted the answers (exact Bayes for the level, given the propagated beliefs). So answers
inform the topics nobody asked about too: passing advanced topics makes unasked basics likely known.

An update costs one walk over the answered topic's ancestors and descendants and one pass over the levels; choosing
the next probe costs, per candidate, one walk over the same (on large packs only the candidates whose own answer is
most uncertain are scored), so a 10,000-topic pack stays well under a second per question.

"I don't know" is evidence of not knowing that involves no guess: it is read as a wrong answer to a question that
cannot be guessed, so its likelihood ratio known : unknown is ``slip : 1``. A learner who knows the topic says it
about as often as they slip; one who does not says it instead of a wrong answer that could have been a lucky guess.
That makes it a little stronger evidence than a wrong answer to a choice question, and it never counts as a guess.

The next probe is the topic whose answer is expected to reduce most the total uncertainty (the sum of the binary
entropies of the topics' beliefs) — the answer that tells the most about the whole picture, not only about itself.

Everything here is pure: the state is immutable, :meth:`PlacementState.to_dict` gives plain data to keep, and
:func:`resume` replays it. Graph walks are iterative.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import Enum
from typing import NamedTuple

from mlpath.core.model import Roadmap

FORMAT = 1
DEFAULT_MAX_QUESTIONS = 25
UNCLEAR = (0.15, 0.85)  # the picture is clear when every belief lies outside this interval
MAX_CANDIDATES = 32  # on large packs, only this many candidates (the most uncertain) are scored in full
LEVELS = 41  # the mixture prior: the learner knows the first 0%, 2.5%, ..., 100% of a study order
LEVEL_FLOOR = 0.02  # no level is certain about a topic it has no evidence on


class Outcome(Enum):
    CORRECT = "correct"
    WRONG = "wrong"
    DONT_KNOW = "dont_know"


@dataclass(frozen=True)
class Noise:
    """How answers relate to knowledge: ``slip`` = P(not right | known); ``default_guess`` = P(right | unknown) for
    a topic whose questions are not described."""

    slip: float = 0.1
    default_guess: float = 0.25

    def __post_init__(self) -> None:
        if not 0.0 < self.slip < 0.5:
            raise ValueError("slip must lie in (0, 0.5)")
        if not 0.0 < self.default_guess < 1.0 - self.slip:
            raise ValueError("default_guess must lie in (0, 1 - slip)")


MIN_GUESS = 0.01  # a free answer can still be right by luck or half-knowledge; never treat it as proof


def guess_probability(question: Mapping) -> float:
    """P(right answer | the learner does not know the topic) for a question of the bank."""
    kind = question.get("kind")
    if kind == "choice":
        return max(MIN_GUESS, 1.0 / max(2, len(question.get("options") or ())))
    if kind == "multi":
        n = max(1, len(question.get("options") or ()))
        return max(MIN_GUESS, 1.0 / (2 ** n - 1))  # any non-empty subset of the options
    if kind == "true_false":
        return 0.5
    if kind == "flashcard":
        return 0.3  # self-graded: an honest learner can still over-rate a half-remembered answer
    return 0.02  # numeric, text, generated: free answers


def topic_guesses(questions: Iterable[Mapping]) -> dict[str, float]:
    """The mean guess probability of each topic's questions (for :func:`start`'s ``guesses``)."""
    sums: dict[str, list[float]] = {}
    for q in questions:
        acc = sums.setdefault(q["topic"], [0.0, 0.0])
        acc[0] += guess_probability(q)
        acc[1] += 1
    return {t: s / n for t, (s, n) in sums.items()}


def evidence(outcome: Outcome, guess: float, noise: Noise) -> float:
    """The log likelihood ratio known : unknown of one answer."""
    s = noise.slip
    g = min(max(guess, 1e-6), 1.0 - 1e-6)
    if outcome is Outcome.CORRECT:
        return math.log((1.0 - s) / g)
    if outcome is Outcome.WRONG:
        return math.log(s / (1.0 - g))
    return math.log(s)  # DONT_KNOW: slip : 1, no guess involved


class Answer(NamedTuple):
    topic: str
    outcome: Outcome
    guess: float


class _Graph:
    """Indices, prerequisite and dependent lists, a topological order; built once per placement."""

    def __init__(self, source: Roadmap | Mapping[str, Iterable[str]]) -> None:
        if isinstance(source, Roadmap):
            ids = [t.id for t in source.topics]
            prereqs = {t.id: t.prerequisites for t in source.topics}
            self.area = [t.area for t in source.topics]
            self.probeable = [t.questions > 0 for t in source.topics]
            self.area_order = [a.id for a in sorted(source.areas, key=lambda a: a.order)]
        else:
            ids = list(source)
            prereqs = {t: tuple(source[t]) for t in ids}
            self.area = [""] * len(ids)
            self.probeable = [True] * len(ids)
            self.area_order = [""]
        self.ids = ids
        self.index = {t: i for i, t in enumerate(ids)}
        self.prereqs = [tuple(dict.fromkeys(self.index[p] for p in prereqs[t] if p in self.index)) for t in ids]
        self.deps: list[list[int]] = [[] for _ in ids]
        for i, ps in enumerate(self.prereqs):
            for p in ps:
                self.deps[p].append(i)
        self.topo = self._topological_order()
        self.n_up = self._reach_counts(up=True)
        self.n_down = self._reach_counts(up=False)

    def _reach_counts(self, up: bool) -> list[int]:
        """How many topics lie upstream (or downstream) of each topic: bit sets built in topological order."""
        edges = self.prereqs if up else self.deps
        masks = [0] * len(self.ids)
        for i in (self.topo if up else reversed(self.topo)):
            m = 0
            for j in edges[i]:
                m |= masks[j] | (1 << j)
            masks[i] = m
        return [m.bit_count() for m in masks]

    def _topological_order(self) -> list[int]:
        missing = [len(ps) for ps in self.prereqs]
        ready = [i for i, m in enumerate(missing) if m == 0]
        ready.reverse()
        order = []
        while ready:
            i = ready.pop()
            order.append(i)
            for d in self.deps[i]:
                missing[d] -= 1
                if missing[d] == 0:
                    ready.append(d)
        if len(order) != len(self.ids):
            raise ValueError("the prerequisite graph has a cycle")
        return order

    def reach(self, start: int, up: bool) -> list[int]:
        """Every topic upstream (prerequisites, theirs, ...) or downstream of ``start``, without ``start``."""
        return self.reach_all([start], up)

    def reach_all(self, starts: Iterable[int], up: bool) -> list[int]:
        """Every topic upstream or downstream of any of ``starts``, without the starts themselves."""
        edges = self.prereqs if up else self.deps
        seen = set(starts)
        todo = [j for i in seen for j in edges[i]]
        out = []
        while todo:
            i = todo.pop()
            if i in seen:
                continue
            seen.add(i)
            out.append(i)
            todo.extend(edges[i])
        return out


@dataclass(frozen=True, eq=False)
class PlacementState:
    """One placement in progress. Immutable: :func:`record` returns a new state."""

    graph: _Graph
    area: str | None
    max_questions: int
    noise: Noise
    prior: float | None  # a flat prior P(known), or None for the mixture over levels
    guesses: Mapping[str, float]  # expected guess probability per topic, for choosing probes
    scope: frozenset[int]  # topics placed: the area (or all) and everything upstream of it
    probe_set: frozenset[int]  # topics that may be asked: in the area (or all), with questions
    base: tuple[tuple[float, ...], ...]  # per level, per topic: the prior log-odds
    answers: tuple[Answer, ...] = ()
    evidence: tuple[float, ...] = ()  # per topic, the summed log likelihood ratio of its answers
    shift: tuple[float, ...] = ()  # per topic, the evidence propagated to it along the graph
    level_logw: tuple[float, ...] = ()  # per level, log prior + log likelihood of the answers so far
    logodds: tuple[float, ...] = ()  # per topic, the log-odds that it is known (mixed over levels)

    @property
    def asked(self) -> frozenset[str]:
        return frozenset(a.topic for a in self.answers)

    def level_weights(self) -> tuple[float, ...]:
        """The posterior weight of each level (one level for a flat prior)."""
        return _normalise(self.level_logw)

    def to_dict(self) -> dict:
        """Plain data (JSON-able) to keep a placement and :func:`resume` it later."""
        return {
            "format": FORMAT,
            "area": self.area,
            "max_questions": self.max_questions,
            "prior": self.prior,
            "noise": {"slip": self.noise.slip, "default_guess": self.noise.default_guess},
            "answers": [{"topic": a.topic, "outcome": a.outcome.value, "guess": a.guess} for a in self.answers],
        }


class Proposal(NamedTuple):
    known: frozenset[str]  # believed known, down-closed
    known_by_area: dict[str, tuple[str, ...]]  # the same, by area in roadmap order
    frontier: tuple[str, ...]  # not believed known, every prerequisite believed known: where to start
    beliefs: dict[str, float]  # P(known) of every placed topic


def _normalise(logw: tuple[float, ...]) -> tuple[float, ...]:
    top = max(logw)
    ws = [math.exp(w - top) for w in logw]
    total = sum(ws)
    return tuple(w / total for w in ws)


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _entropy(x: float) -> float:
    """Binary entropy (nats) of the belief with log-odds ``x``: with a = |x| and z = e^-a, it is
    a z / (1 + z) + log(1 + z) (one exponential, one logarithm)."""
    a = -x if x < 0.0 else x
    if a > 35.0:
        return 0.0
    z = math.exp(-a)
    return a * z / (1.0 + z) + math.log1p(z)


def _level_priors(graph: _Graph, prior: float | None) -> tuple[tuple[float, ...], ...]:
    """Per level, the prior log-odds of each topic.

    A flat ``prior`` is one level. Otherwise level k says "the learner knows the first theta_k share of some study
    order of the roadmap" (theta_k = k / (LEVELS - 1)): a topic with ``a`` topics upstream and ``d`` downstream comes
    at a position spread over a+1 .. n-d of a random study order, so P(known | theta) ~ (theta n - a) / (n - a - d),
    kept inside [LEVEL_FLOOR, 1 - LEVEL_FLOOR]. Mixing the levels makes answers inform unrelated topics too:
    someone who passes advanced topics everywhere probably knows the basics nobody asked about.
    """
    n = len(graph.ids)
    if prior is not None:
        return ((_logit(prior),) * n,)
    low, high = _logit(LEVEL_FLOOR), _logit(1.0 - LEVEL_FLOOR)
    spans = [(a, max(1, n - a - d)) for a, d in zip(graph.n_up, graph.n_down)]
    out = []
    for k in range(LEVELS):
        x = k / (LEVELS - 1) * n
        row = []
        for a, span in spans:
            p = (x - a) / span
            row.append(low if p <= LEVEL_FLOOR else high if p >= 1.0 - LEVEL_FLOOR else math.log(p / (1.0 - p)))
        out.append(tuple(row))
    return tuple(out)


def _mix(base: tuple[tuple[float, ...], ...], weights: tuple[float, ...], shift: list[float] | tuple[float, ...],
         ) -> tuple[float, ...]:
    """Per topic, the log-odds of the level mixture."""
    if len(base) == 1:
        return tuple(b + x for b, x in zip(base[0], shift))
    beliefs = [0.0] * len(shift)
    exp = math.exp
    for w, row in zip(weights, base):
        if w < 1e-9:  # a level this unlikely cannot move a belief by more than LEVELS * 1e-9
            continue
        for j, (b, x) in enumerate(zip(row, shift)):
            y = b + x
            if y > -700.0:
                beliefs[j] += w / (1.0 + exp(-y))
    return tuple(_logit(min(max(p, 1e-15), 1.0 - 1e-15)) for p in beliefs)


def start(source: Roadmap | Mapping[str, Iterable[str]], *, area: str | None = None,
          max_questions: int = DEFAULT_MAX_QUESTIONS, noise: Noise = Noise(), prior: float | None = None,
          guesses: Mapping[str, float] | None = None) -> PlacementState:
    """A new placement over a roadmap (or a mapping topic -> prerequisites, every topic askable).

    ``area`` limits the questions to one area; its prerequisites elsewhere are placed too (they follow from it).
    ``guesses`` gives, per topic, the guess probability of the questions that would be asked (see
    :func:`topic_guesses`); topics without one use ``noise.default_guess``. ``prior``: None for the mixture over
    levels (see :func:`_level_priors`), or a flat P(known) for every topic.
    """
    if max_questions < 0:
        raise ValueError("max_questions must be >= 0")
    if prior is not None and not 0.0 < prior < 1.0:
        raise ValueError("prior must lie in (0, 1)")
    graph = _Graph(source)
    if area is None:
        wanted = list(range(len(graph.ids)))
    else:
        wanted = [i for i, a in enumerate(graph.area) if a == area]
        if not wanted:
            raise ValueError(f"no topic in area {area!r}")
    scope = set(wanted)
    if area is not None:
        scope.update(graph.reach_all(wanted, up=True))
    n = len(graph.ids)
    base = _level_priors(graph, prior)
    logw = (0.0,) * len(base)
    shift = (0.0,) * n
    weights = (1.0 / len(base),) * len(base)
    return PlacementState(graph, area, max_questions, noise, prior, dict(guesses or {}), frozenset(scope),
                          frozenset(i for i in wanted if graph.probeable[i]), base, (), (0.0,) * n, shift, logw,
                          _mix(base, weights, shift))


def resume(source: Roadmap | Mapping[str, Iterable[str]], data: Mapping,
           guesses: Mapping[str, float] | None = None) -> PlacementState:
    """The placement kept by :meth:`PlacementState.to_dict`, on the (possibly updated) roadmap. Answers about
    topics that no longer exist are dropped."""
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown placement format {data.get('format')!r}")
    noise = Noise(**data["noise"])
    state = start(source, area=data["area"], max_questions=data["max_questions"], noise=noise,
                  prior=data["prior"], guesses=guesses)
    for a in data["answers"]:
        if a["topic"] in state.graph.index:
            state = record(state, a["topic"], Outcome(a["outcome"]), guess=a["guess"])
    return state


def _guess(state: PlacementState, topic_id: str) -> float:
    return state.guesses.get(topic_id, state.noise.default_guess)


def _shifts(state: PlacementState, i: int, e_add: float) -> tuple[float, float, float]:
    """How one more answer with evidence ``e_add`` at topic ``i`` moves the log-odds of the topic itself, of its
    ancestors and of its descendants."""
    old = state.evidence[i]
    new = old + e_add
    return e_add, max(new, 0.0) - max(old, 0.0), min(new, 0.0) - min(old, 0.0)


def record(state: PlacementState, topic_id: str, outcome: Outcome, *, guess: float | None = None) -> PlacementState:
    """The state after the learner answered a question of ``topic_id``. ``guess`` is that question's guess
    probability (:func:`guess_probability`); it does not matter for DONT_KNOW."""
    g = state.graph
    if topic_id not in g.index:
        raise KeyError(topic_id)
    i = g.index[topic_id]
    if guess is None:
        guess = _guess(state, topic_id)
    e_add = evidence(outcome, guess, state.noise)
    # each level's weight: times its predictive probability of this answer (up to a factor common to all levels)
    ratio = math.exp(e_add)
    logw = tuple(w + math.log(_sigmoid(row[i] + state.shift[i]) * (ratio - 1.0) + 1.0)
                 for w, row in zip(state.level_logw, state.base))
    d_self, d_up, d_down = _shifts(state, i, e_add)
    shift = list(state.shift)
    shift[i] += d_self
    if d_up:
        for j in g.reach(i, up=True):
            shift[j] += d_up
    if d_down:
        for j in g.reach(i, up=False):
            shift[j] += d_down
    ev = list(state.evidence)
    ev[i] += e_add
    return replace(state, answers=state.answers + (Answer(topic_id, outcome, guess),), evidence=tuple(ev),
                   shift=tuple(shift), level_logw=logw, logodds=_mix(state.base, _normalise(logw), shift))


def beliefs(state: PlacementState) -> dict[str, float]:
    """P(known) of every placed topic, in roadmap order."""
    g = state.graph
    return {g.ids[i]: _sigmoid(state.logodds[i]) for i in range(len(g.ids)) if i in state.scope}


def _candidates(state: PlacementState) -> list[int]:
    asked = {state.graph.index[t] for t in state.asked}
    return sorted(i for i in state.probe_set if i not in asked)


def _own_information(state: PlacementState, i: int, guess: float) -> float:
    """I(answer; knowing topic i), in nats: the cheap pre-filter for large packs."""
    b = _sigmoid(state.logodds[i])
    s = state.noise.slip
    pc = b * (1 - s) + (1 - b) * guess
    h = lambda p: 0.0 if p <= 0.0 or p >= 1.0 else -(p * math.log(p) + (1 - p) * math.log(1 - p))  # noqa: E731
    return h(pc) - b * h(1 - s) - (1 - b) * h(guess)


def expected_gain(state: PlacementState, topic_id: str) -> float:
    """Expected reduction of the summed entropy of the placed topics' beliefs (nats) if ``topic_id`` is asked.

    The answer is right with probability b(1 - slip) + (1 - b) guess, where b is the topic's belief; any other
    answer is scored as wrong (an "I don't know" moves the beliefs about as much). Each outcome moves the log-odds of
    the topic and of its ancestors or descendants as :func:`record` would; the change of the level weights is left
    out (scoring it too costs a full update per candidate and, measured, chose no better probes)."""
    g = state.graph
    i = g.index[topic_id]
    guess = _guess(state, topic_id)
    b = _sigmoid(state.logodds[i])
    p_right = b * (1 - state.noise.slip) + (1 - b) * guess
    scope = state.scope
    whole = len(scope) == len(g.ids)
    up = g.reach(i, up=True)
    down = g.reach(i, up=False)
    if not whole:
        up = [j for j in up if j in scope]
        down = [j for j in down if j in scope]
    lo = state.logodds
    total = 0.0
    for p, outcome in ((p_right, Outcome.CORRECT), (1 - p_right, Outcome.WRONG)):
        d_self, d_up, d_down = _shifts(state, i, evidence(outcome, guess, state.noise))
        gain = _entropy(lo[i]) - _entropy(lo[i] + d_self) if i in scope else 0.0
        if d_up:
            gain += sum(_entropy(lo[j]) - _entropy(lo[j] + d_up) for j in up)
        if d_down:
            gain += sum(_entropy(lo[j]) - _entropy(lo[j] + d_down) for j in down)
        total += p * gain
    return total


def next_probe(state: PlacementState) -> str | None:
    """The topic to ask about next (the largest expected gain; ties go to the earlier topic), or None when done."""
    if is_done(state):
        return None
    cands = _candidates(state)
    if not cands:
        return None
    ids = state.graph.ids
    if len(cands) > MAX_CANDIDATES:
        cands = sorted(cands, key=lambda i: (-_own_information(state, i, _guess(state, ids[i])), i))[:MAX_CANDIDATES]
    cands.sort()
    best, best_gain = None, -math.inf
    for i in cands:
        gain = expected_gain(state, ids[i])
        if gain > best_gain + 1e-12:
            best, best_gain = i, gain
    return ids[best] if best is not None else None


def is_done(state: PlacementState) -> bool:
    """The budget is spent, nothing is left to ask, or the picture is clear (every belief in the asked-about part
    lies outside ``UNCLEAR``)."""
    if len(state.answers) >= state.max_questions or not _candidates(state):
        return True
    lo, hi = _logit(UNCLEAR[0]), _logit(UNCLEAR[1])
    return all(not lo <= state.logodds[i] <= hi for i in state.probe_set)


def proposal(state: PlacementState, threshold: float = 0.8) -> Proposal:
    """The proposed placement: the topics believed known (P >= threshold, then closed downwards: a topic whose
    prerequisite is not proposed is not proposed either), by area, and the frontier."""
    g = state.graph
    cut = _logit(threshold) if 0.0 < threshold < 1.0 else (math.inf if threshold >= 1.0 else -math.inf)
    known: set[int] = set()
    for i in g.topo:  # prerequisites first
        if i in state.scope and state.logodds[i] >= cut and all(p in known for p in g.prereqs[i]):
            known.add(i)
    by_area: dict[str, list[str]] = {a: [] for a in g.area_order}
    for i in range(len(g.ids)):
        if i in known:
            by_area.setdefault(g.area[i], []).append(g.ids[i])
    frontier = tuple(g.ids[i] for i in range(len(g.ids))
                     if i in state.scope and i not in known and all(p in known for p in g.prereqs[i]))
    return Proposal(frozenset(g.ids[i] for i in known), {a: tuple(ts) for a, ts in by_area.items() if ts},
                    frontier, beliefs(state))


class Placement:
    """The same functions under one name, for the app layer: ``Placement.start(roadmap)`` and so on."""

    start = staticmethod(start)
    resume = staticmethod(resume)
    next_probe = staticmethod(next_probe)
    record = staticmethod(record)
    beliefs = staticmethod(beliefs)
    is_done = staticmethod(is_done)
    proposal = staticmethod(proposal)
    expected_gain = staticmethod(expected_gain)
