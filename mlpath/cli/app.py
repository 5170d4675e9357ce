"""The `mlpath` command: the Typer app and the one place where errors become messages and exit codes."""


import os
import sys

import typer

from mlpath import __version__
from mlpath.errors import ConfirmationNeeded, InvalidValue, MlpathError

from typer import Abort, Exit

try:  # newer Typer vendors click
    from typer._click.exceptions import ClickException, NoArgsIsHelpError
except ImportError:  # pragma: no cover - Typer on top of click
    from click.exceptions import ClickException, NoArgsIsHelpError

app = typer.Typer(
    name="mlpath",
    help="Your machine-learning roadmap: what to study next, your progress, and spaced-repetition quizzes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"mlpath {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", "-V", help="Show the version and exit.",
                                 callback=_version, is_eager=True),
) -> None:
    """Your machine-learning roadmap: what to study next, your progress, and spaced-repetition quizzes.

    Data lives in MLPATH_HOME (default: your platform's user data folder); MLPATH_CONTENT points at a custom
    roadmap folder. Every read command takes --json.
    """


# Which module registers each command. Start-up imports only the group of the command being run (a learner pays
# for the command they type); help, completion of command names and anything unknown register every group.
_GROUPS: dict[str, tuple[str, ...]] = {
    "roadmap": ("next", "progress", "topics", "show", "start", "done", "skip", "reset", "resources", "search"),
    "quiz": ("quiz", "review"),
    "insights": ("stats", "graph", "export", "import"),
    "content_cmd": ("content",),
    "map_cmd": ("map",),
    "optimize_cmd": ("optimize",),
    "goal_cmd": ("goal",),
    "placement_cmd": ("placement",),
    "packs_cmd": ("pack",),
    "today_cmd": ("today",),
    "sync_cmd": ("sync", "class"),
}
_GROUP_OF = {command: group for group, commands in _GROUPS.items() for command in commands}
_registered: set[str] = set()


def _register(group: str) -> None:
    if group in _registered:
        return
    import importlib

    module = importlib.import_module(f"mlpath.cli.{group}")
    if group == "content_cmd":
        app.add_typer(module.app, name="content")
    else:
        module.register(app)
    _registered.add(group)


def register_all() -> typer.Typer:
    """Every command group on the app (for help, completion and tools that walk the commands); returns the app."""
    for group in _GROUPS:
        _register(group)
    return app


def _register_for(argv: list[str]) -> None:
    """Register the group of the command ``argv`` runs, or every group when that is not clear."""
    words = argv
    if os.environ.get("_MLPATH_COMPLETE"):  # shell completion: the words typed so far
        words = os.environ.get("COMP_WORDS", "").split()[1:]
    first = next((w for w in words if not w.startswith("-")), None)
    if first is None or first not in _GROUP_OF or (words and words[0].startswith("-")):
        register_all()
    else:
        _register(_GROUP_OF[first])


def _fail(message: str, code: int) -> int:
    from mlpath.cli.render import one_line

    message = one_line(message)
    if len(message) > 1000:  # a name typed or read may be huge: never echo it whole
        message = message[:997] + "..."
    try:
        sys.stderr.write(f"mlpath: {message}\n")
    except (OSError, ValueError):  # stderr closed too: the exit code still tells
        pass
    return code


def _option(parameter: str) -> str:
    return "--" + parameter.replace("_", "-")


def _cli_words(e: MlpathError) -> str:
    """A use case's error in the CLI's words: its parameters become the options a learner types."""
    if isinstance(e, InvalidValue):
        return f"{_option(e.parameter)} {e.problem}"
    if isinstance(e, ConfirmationNeeded):
        return f"{e}; use --force to {e.action}"
    return str(e)


def _database_error(e: BaseException):
    """The project's one-line message for an SQLite error (also wrapped by SQLAlchemy), else None."""
    sqlite3 = sys.modules.get("sqlite3")
    if sqlite3 is None:
        return None
    original = getattr(e, "orig", None) or e
    if not isinstance(original, sqlite3.Error):
        return None
    from mlpath.store.db import explain

    return explain(None, original)


def _closed_stream_error(e: BaseException) -> bool:
    """Writing to a closed or vanished stdout/stderr (``mlpath next >&-``, a reader that went away)."""
    import errno

    if isinstance(e, ValueError) and "closed file" in str(e):
        return True
    return isinstance(e, OSError) and e.errno in (errno.EBADF, errno.EPIPE)


def _open_missing_streams() -> None:
    """With ``>&-`` or ``<&-`` Python starts with no sys.stdout / sys.stdin: read nothing, write nowhere."""
    for name, mode in (("stdin", "r"), ("stdout", "w"), ("stderr", "w")):
        if getattr(sys, name) is None:
            try:
                setattr(sys, name, open(os.devnull, mode))
            except OSError:
                pass


def _has_data() -> bool:
    from mlpath import paths
    from mlpath.app.today import has_data

    try:
        return has_data(paths.database_file())
    except Exception:  # no usable data folder: the help is the right answer
        return False


def run(argv: list[str] | None = None) -> int:
    """Run the app and turn every outcome into an exit code: 0 ok, 1 unexpected, 2 user error, 130 interrupted."""
    from mlpath.cli import render

    _open_missing_streams()
    saved = render.install_safe_streams()
    try:
        return _run(argv)
    finally:
        render.restore_streams(saved)


def _run(argv: list[str] | None) -> int:
    debug = os.environ.get("MLPATH_DEBUG") == "1"
    try:
        if not (sys.argv[1:] if argv is None else argv) and _has_data():
            argv = ["today"]  # a bare `mlpath` starts the day once there is something to start from
        _register_for(sys.argv[1:] if argv is None else list(argv))
        result = app(args=argv, prog_name="mlpath", standalone_mode=False)
        if result == 130:  # Typer's own answer to Ctrl-C (it returns the code): say what happened
            return _fail("interrupted; every answer given so far is saved", 130)
        return result if isinstance(result, int) else 0
    except MlpathError as e:
        if debug:
            raise
        return _fail(f"error: {_cli_words(e)}", e.exit_code)
    except NoArgsIsHelpError as e:
        sys.stdout.write(e.ctx.get_help() + "\n")
        return 0
    except ClickException as e:
        message = e.format_message()
        ctx = getattr(e, "ctx", None)
        hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        return _fail(f"error: {message}{hint}", e.exit_code)
    except Exit as e:
        if e.exit_code == 130:  # Typer's own answer to Ctrl-C: say what happened, as for any interrupt
            return _fail("interrupted; every answer given so far is saved", 130)
        return e.exit_code
    except (KeyboardInterrupt, Abort):
        return _fail("interrupted; every answer given so far is saved", 130)
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    except SystemExit as e:
        # Click answers a broken pipe (the reader went away: `mlpath stats | head -1`) with exit 1 even outside
        # its standalone mode; for mlpath, as above, it is a normal end
        if _closed_stream_error(e.__context__):
            try:
                sys.stdout = open(os.devnull, "w")
            except OSError:
                pass
            return 0
        raise
    except MemoryError:
        return _fail("error: out of memory (is some input far too large?)", 2)
    except Exception as e:  # the last line of defence: no traceback unless asked for
        if debug:
            raise
        mapped = _database_error(e)
        if mapped is not None:
            return _fail(f"error: {mapped}", mapped.exit_code)
        if _closed_stream_error(e):
            try:
                sys.stdout = open(os.devnull, "w")
            except OSError:
                pass
            return 0
        from mlpath.cli.render import one_line

        return _fail(one_line(f"unexpected error: {type(e).__name__}: {str(e)[:300]} "
                              "(set MLPATH_DEBUG=1 for details)"), 1)


def main() -> None:
    try:
        code = run()
    except KeyboardInterrupt:  # a second Ctrl-C while the first was being reported
        code = 130
    try:
        sys.stdout.flush()
    except (OSError, ValueError, AttributeError):
        sys.stdout = open(os.devnull, "w")
    sys.exit(code)
