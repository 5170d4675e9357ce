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


def _register() -> None:
    from mlpath.cli import content_cmd, insights, map_cmd, optimize_cmd, quiz, roadmap, sync_cmd

    roadmap.register(app)
    quiz.register(app)
    insights.register(app)
    app.add_typer(content_cmd.app, name="content")
    map_cmd.register(app)
    optimize_cmd.register(app)
    sync_cmd.register(app)


_register()


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"mlpath: {message}\n")
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


def run(argv: list[str] | None = None) -> int:
    """Run the app and turn every outcome into an exit code: 0 ok, 1 unexpected, 2 user error, 130 interrupted."""
    debug = os.environ.get("MLPATH_DEBUG") == "1"
    try:
        result = app(args=argv, prog_name="mlpath", standalone_mode=False)
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
        return e.exit_code
    except (KeyboardInterrupt, Abort):
        return _fail("interrupted; every answer given so far is saved", 130)
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    except Exception as e:  # the last line of defence: no traceback unless asked for
        if debug:
            raise
        return _fail(f"unexpected error: {type(e).__name__}: {e} (set MLPATH_DEBUG=1 for details)", 1)


def main() -> None:
    code = run()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        sys.stdout = open(os.devnull, "w")
    sys.exit(code)
