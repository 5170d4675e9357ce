"""The values of spaced repetition, named: how a review was rated, and the phase a card is in.

They are ``IntEnum``s with FSRS's own numbers, so they are stored as those integers and compare with them.
"""

from __future__ import annotations

from enum import IntEnum


class Rating(IntEnum):
    """How a review went (FSRS's grades)."""

    AGAIN = 1  # forgotten, or answered wrong
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()

    @property
    def passed(self) -> bool:
        return self is not Rating.AGAIN


class Phase(IntEnum):
    """Where a card is in FSRS's life cycle (``fsrs.State``)."""

    LEARNING = 1  # new, going through the first learning steps
    REVIEW = 2  # graduated: scheduled by stability
    RELEARNING = 3  # forgotten after graduating, going through the relearning steps
