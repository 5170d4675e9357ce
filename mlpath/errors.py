"""The project's own exceptions. The CLI boundary turns each into one line on stderr and an exit code."""

from __future__ import annotations


class MlpathError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class UserError(MlpathError):
    """A mistake the user can fix: exit code 2."""

    exit_code = 2


class NotFound(UserError):
    """An unknown topic, area or question id."""

    def __init__(self, what: str, name: str, suggestions: list[str] | None = None):
        self.what = what
        self.name = name
        self.suggestions = suggestions or []
        message = f"unknown {what} {name!r}"
        if self.suggestions:
            message += "; did you mean " + ", ".join(self.suggestions) + "?"
        super().__init__(message)


class ContentError(UserError):
    """A content folder that does not validate. ``problems`` lists every problem found."""

    def __init__(self, problems: list[str], source: str = "content"):
        self.problems = problems
        first = problems[0] if problems else "invalid content"
        more = (f" (and {len(problems) - 1} more problems; `mlpath content check` lists them all)"
                if len(problems) > 1 else "")
        super().__init__(f"{source} is invalid: {first}{more}")


class DatabaseError(UserError):
    """The database file cannot be used: not SQLite, unreadable, read-only, or from a newer mlpath."""


class ConfirmationNeeded(UserError):
    """An action that needs the learner's confirmation where none can be asked; ``force`` does it anyway.

    ``action`` says what forcing would do ("overwrite it"); the CLI names its own flag for that."""

    def __init__(self, message: str, action: str):
        self.action = action
        super().__init__(message)


class InvalidValue(UserError):
    """A use case's parameter out of range. ``parameter`` is the use case's own name for it (``limit``); the CLI
    turns it into the option a learner typed."""

    def __init__(self, parameter: str, problem: str):
        self.parameter = parameter
        self.problem = problem
        super().__init__(f"{parameter} {problem}")
