"""The generator registry and the Problem a generator returns."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mlpath.core.grading import EXACT, Precision


@dataclass(frozen=True)
class Problem:
    """One drawn problem: the prompt (ending with the rounding it asks for), the exact answer, how it is graded,
    and a worked solution with the problem's own numbers."""

    prompt: str
    answer: float | tuple[float, ...]
    precision: Precision
    explanation: str
    data: dict[str, Any]

    @property
    def tolerance(self) -> float:
        """Half a unit in the last asked digit (0 for exact answers); grading itself uses ``precision``."""
        values = self.answer if isinstance(self.answer, tuple) else (self.answer,)
        return max(self.precision.half_unit(v) for v in values)

    @property
    def expected_text(self) -> str:
        """The correct answer as the prompt asks for it."""
        if isinstance(self.answer, tuple):
            return ", ".join(self.precision.show(v) for v in self.answer)
        return self.precision.show(self.answer)


@dataclass(frozen=True)
class Param:
    choices: tuple[Any, ...]
    default: Any


@dataclass(frozen=True)
class Generator:
    name: str
    params: dict[str, Param]
    make: Callable[..., Problem]
    summary: str


GENERATORS: dict[str, Generator] = {}


def generator(name: str, summary: str, **params: Param) -> Callable[[Callable[..., Problem]], Callable[..., Problem]]:
    def register(fn: Callable[..., Problem]) -> Callable[..., Problem]:
        if name in GENERATORS:
            raise ValueError(f"generator {name!r} registered twice")
        GENERATORS[name] = Generator(name, params, fn, summary)
        return fn

    return register


def problem(prompt: str, answer: float | Sequence[float], precision: Precision, steps: Sequence[str],
            data: dict[str, Any]) -> Problem:
    """Assemble a Problem: the prompt gets the precision's instruction, the steps become the worked solution,
    ending with the answer rounded as asked."""
    value: float | tuple[float, ...] = (tuple(float(v) for v in answer) if isinstance(answer, (list, tuple))
                                        else float(answer))
    instruction = precision.instruction()
    if isinstance(value, tuple) and instruction:
        instruction = instruction.replace("Give it", "Give each component")
    sep = "\n" if prompt.rstrip().endswith("]") and "\n" in prompt else " "  # not on a matrix's last row
    full_prompt = f"{prompt}{sep}{instruction}" if instruction else prompt
    shown = (", ".join(precision.show(v) for v in value) if isinstance(value, tuple) else precision.show(value))
    if precision is not EXACT and precision.instruction():
        final = f"Answer, {precision.instruction()[len('Give it '):].rstrip('.')}: {shown}."
    else:
        final = f"Answer: {shown}."
    explanation = "\n".join([*(f"{i}. {s}" for i, s in enumerate(steps, 1)), final])
    return Problem(full_prompt, value, precision, explanation, data)


def param_problems(name: str, params: Any) -> list[str]:
    """What is wrong with a generator name and its params (empty when fine)."""
    if name not in GENERATORS:
        return [f"unknown generator {name!r} (known: {', '.join(sorted(GENERATORS))})"]
    if params is None:
        return []
    if not isinstance(params, dict):
        return ["params must be a mapping"]
    spec = GENERATORS[name].params
    out = []
    for key, value in params.items():
        if key not in spec:
            out.append(f"generator {name!r} has no parameter {key!r} (it takes: {', '.join(spec) or 'none'})")
        elif value not in spec[key].choices or isinstance(value, bool) != isinstance(spec[key].default, bool):
            out.append(f"generator {name!r}: {key} must be one of {list(spec[key].choices)}, not {value!r}")
    return out


def make_problem(name: str, params: dict[str, Any] | None, seed: int) -> Problem:
    gen = GENERATORS[name]
    kwargs = {k: p.default for k, p in gen.params.items()}
    kwargs.update(params or {})
    return gen.make(random.Random(seed), **kwargs)
