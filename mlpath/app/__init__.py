"""Use cases, one module per command group (mirroring ``mlpath/cli/``).

Each takes a :class:`~mlpath.app.session.Session` (database, roadmap, clock, settings), returns typed values and
raises the project's own errors (``mlpath.errors``) in the project's words. Nothing here knows about a terminal,
flags or exit codes; ``mlpath/cli/`` parses, calls one use case and renders.
"""
