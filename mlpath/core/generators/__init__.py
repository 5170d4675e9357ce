"""Generators of fresh numeric problems.

A `generated` question names a generator and its parameters (never code). Each call draws fresh numbers from the
seeded ``random.Random`` it is given and returns the problem, its exact answer, the precision the prompt asks for
(one rounding policy: `mlpath.core.grading.Precision`) and a worked solution with the problem's own numbers.
Every generator is recomputed independently, from the prompt text, in tests/test_generators_check.py.
"""

from mlpath.core.generators import calculus, deep_learning, linear_algebra, ml, probability, systems  # noqa: F401  (registers)
from mlpath.core.generators._base import GENERATORS, Generator, Param, Problem, make_problem, param_problems

__all__ = ["GENERATORS", "Generator", "Param", "Problem", "make_problem", "param_problems"]
