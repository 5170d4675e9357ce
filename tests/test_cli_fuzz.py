"""Property tests: hypothesis drives the whole CLI in-process (through the real error boundary) with random
arguments and random answers. Never a traceback; the exit code is always 0 or 2 (1 means an unexpected failure;
130 an interrupt, which nothing here sends).

The commands and their options are read from the Typer app itself, so a new command is fuzzed without editing this
file. Everything runs in a temporary folder (the current directory too, for commands that write files), the
browser is never opened, and shell completion is never installed.
"""

from __future__ import annotations

import copy
import sqlite3
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import MINI

SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
NEVER = {"--install-completion", "--show-completion"}  # would edit the user's shell start-up files


def _command_tree() -> list[tuple[tuple[str, ...], list]]:
    import typer

    from mlpath.cli.app import register_all

    app = register_all()

    out = []

    def walk(cmd, path):
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, path + (name,))
        else:
            out.append((path, [p for p in cmd.params if not set(p.opts) & NEVER]))

    walk(typer.main.get_command(app), ())
    return out


COMMANDS = _command_tree()
ALL_OPTIONS = sorted({o for _, params in COMMANDS for p in params if p.param_type_name == "option" for o in p.opts})

# Names: real ids, aliases, titles, near misses, unicode, empty and blank strings. No "/" or "\\": a path the
# fuzzer makes up must stay inside the temporary working folder. No NUL: a real argv cannot hold one.
REAL_NAMES = ["vectors", "matrices", "derivatives", "gradient-descent", "linear-regression", "pca", "maths", "ml",
              "OLS", "PCA", "vector spaces", "Linear regression", "differentiation", "chain rule", "vectrs",
              "linear", "lin", "", " ", "-", "--", "ünïcode", "向量", "🙂", "'", '"', "%s", "{}", "[bold]x[/]",
              "a" * 300, "\udcff", "UTC", "Europe/Paris", "Mars/Olympus", "..", ".", "tree", "mermaid", "dot",
              "json", "available", "locked", "in-progress", "done", "todo", "0", "-1", "1e3"]
SAFE_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\\\x00"), max_size=12)
NAMES = st.one_of(st.sampled_from(REAL_NAMES), SAFE_TEXT)
INTS = st.one_of(st.integers(-3, 30), st.integers(-(10**30), 10**30), st.sampled_from([0, 2**63 - 1, 2**63, 2**64]))


@st.composite
def argv(draw):
    path, params = draw(st.sampled_from(COMMANDS + [(("nonexistent",), []), (("content",), []), ((), [])]))
    args: list[str] = list(path)
    if path == ("content",) and draw(st.booleans()):
        args = ["content", draw(NAMES)]
    tokens: list[list[str]] = []
    for p in params:
        if not draw(st.integers(0, 3)):  # most parameters appear in about three examples out of four
            continue
        if p.param_type_name == "argument":
            tokens.append([draw(NAMES)])
            continue
        opt = draw(st.sampled_from(p.opts))
        if getattr(p, "is_flag", False):
            tokens.append([opt])
        else:
            type_name = getattr(p.type, "name", "")
            value = draw(INTS) if "int" in type_name else draw(NAMES)
            tokens.append([opt, str(value)] if draw(st.integers(0, 9)) else [opt])  # sometimes the value is missing
    for _ in range(draw(st.integers(0, 2))):  # options of other commands, made-up options, stray words
        extra = draw(st.one_of(st.sampled_from(ALL_OPTIONS + ["--bogus", "-x", "--help", "-h", "--version"]),
                               NAMES))
        tokens.append([extra] + ([str(draw(INTS))] if draw(st.booleans()) else []))
    order = draw(st.permutations(range(len(tokens))))
    for i in order:
        args += tokens[i]
    return args


ANSWER_LINES = st.one_of(
    st.sampled_from(["1", "2", "3", "4", "5", "0", "-1", "a", "b", "c", "z", "y", "n", "yes", "no", "true",
                     "11", "0.5", "1/2", "5e-1", "50%", "1/0", "nan", "inf", "-inf", "1e999", "unit", "unit vector",
                     "1,2", "1, 2, 3", "1,,2", ",", ";", "1;3", "a,b", "", " ", "\t", "é", "∞", "9" * 400]),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x00"), max_size=20))


@pytest.fixture
def sandbox(mini, tmp_path, monkeypatch):
    """The mini roadmap, a temporary working folder, no browser, no real HOME."""
    import webbrowser

    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.setattr(webbrowser, "open", lambda *a, **k: False)
    return work


def _assert_fine(args, code: int, out: str, err: str) -> None:
    assert "Traceback" not in err and "Traceback" not in out, (args, err)
    assert code in (0, 2), f"mlpath {args!r} exited with {code}:\n{err}"


@settings(max_examples=90, **SETTINGS)
@example(args=["review", "--limit", str(10**20)], answers=[], now=None)  # found by this test: SQLite overflow
@example(args=["quiz", "vectors", "--new", str(2**63), "--limit", str(2**63)], answers=["1"], now=None)
@given(args=argv(), answers=st.lists(ANSWER_LINES, max_size=6),
       now=st.sampled_from([None, "2026-01-01T12:00:00+00:00", "2030-06-30T23:59:59-07:00",
                            "2126-01-01T00:00:00+00:00"]))
def test_random_arguments_never_crash(sandbox, cli, monkeypatch, args, answers, now):
    if now:
        monkeypatch.setenv("MLPATH_NOW", now)
    else:
        monkeypatch.delenv("MLPATH_NOW", raising=False)
    code, out, err = cli(*args, input="".join(a + "\n" for a in answers))
    _assert_fine(args, code, out, err)


def _reviews(home: Path) -> int:
    conn = sqlite3.connect(home / "mlpath.db")
    try:
        return conn.execute("SELECT COUNT(*) FROM review").fetchone()[0]
    finally:
        conn.close()


@settings(max_examples=30, **SETTINGS)
@example(target=["quiz", "vectors"], answers=["x", "x", "x", "1e999"], days=0)  # found by this test: overflow
@given(target=st.sampled_from([["quiz", "vectors"], ["quiz", "maths"], ["quiz", "matrices", "--self-grade"],
                               ["review"], ["quiz", "vectors", "--self-grade", "--limit", "3"]]),
       answers=st.lists(ANSWER_LINES, max_size=14), days=st.integers(0, 40_000))
def test_random_answers_are_all_saved(sandbox, cli, home, monkeypatch, target, answers, days):
    from datetime import datetime, timedelta, timezone

    monkeypatch.setenv("MLPATH_NOW", (datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(days=days)).isoformat())
    cli("next")  # make sure the database exists
    before = _reviews(home)
    code, out, err = cli(*target, input="".join(a + "\n" for a in answers))
    _assert_fine(target, code, out, err)
    assert code == 0, err
    assert _reviews(home) - before == out.count("saved; next review")


# --- random damage to a content folder -----------------------------------------------------------------------------

FILES = {"areas.yaml": "areas", "topics/maths.yaml": "topics", "topics/ml.yaml": "topics",
         "questions/all.yaml": "questions"}
BASE = {rel: yaml.safe_load((MINI / rel).read_text()) for rel in FILES}
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", " ", "vectors", "choice", "determinant", "https://example.org/x", "ftp://x", "maths"]),
    st.lists(st.sampled_from(["vectors", "", 1, None, "a"]), max_size=3),
    st.dictionaries(st.sampled_from(["size", "length", "a", "title", "url"]), st.sampled_from([1, 2, "x", None]),
                    max_size=2),
    st.lists(st.dictionaries(st.sampled_from(["title", "url", "kind", "free"]), st.sampled_from(["x", True, 1]),
                             max_size=4), max_size=2))
KEYS = ["id", "title", "area", "summary", "hours", "prerequisites", "aliases", "covers", "replaces", "resources",
        "topic", "kind", "prompt", "explanation", "options", "answer", "answers", "tolerance", "rel_tolerance",
        "unit", "generator", "params", "order", "extra"]


@st.composite
def damaged(draw):
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        rel = draw(st.sampled_from(sorted(FILES)))
        items = data[rel][FILES[rel]]
        i = draw(st.integers(0, len(items) - 1))
        if draw(st.integers(0, 9)) == 0:
            items[i] = draw(VALUES)  # the whole entry
        elif isinstance(items[i], dict):
            key = draw(st.sampled_from(KEYS))
            if draw(st.integers(0, 5)) == 0:
                items[i].pop(key, None)
            else:
                items[i][key] = draw(VALUES)
    return data


def _resource_without_fields() -> dict:
    data = copy.deepcopy(BASE)
    data["topics/ml.yaml"]["topics"][0]["resources"] = [{"title": True, "kind": True, "url": "x"}, {}]
    return data


@settings(max_examples=30, **SETTINGS)
@example(data=_resource_without_fields())  # found by this test: a crash instead of a content error
@given(data=damaged())
def test_damaged_content_never_crashes(sandbox, cli, mini, data):
    for rel, doc in data.items():
        (mini / rel).write_text(yaml.safe_dump(doc, allow_unicode=True))
    code, out, err = cli("content", "check", str(mini))
    _assert_fine(["content", "check"], code, out, err)
    code, out, err = cli("topics", "--json")
    _assert_fine(["topics", "--json"], code, out, err)
    if code == 0:  # content that validates must also work in a quiz
        code, out, err = cli("quiz", "maths", input="1\n2\ny\n0.5\nunit\n3\n1\n1\n")
        _assert_fine(["quiz", "maths"], code, out, err)
