"""Bad input: malformed content folders (tests/data/bad/<case>/, each a copy of tests/data/mini with one defect;
huge and binary files are made here at test time), a database file that is not SQLite, a data folder that cannot
be written, and a database from a newer mlpath. Each gives exit code 2 and a clear message naming the file and
the problem: never a traceback, never exit code 1 (an unexpected failure).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from conftest import DATA, MINI, mlpath_exe

pytestmark = pytest.mark.slow  # subprocess-heavy: CI runs it, the inner loop (-m 'not slow') skips it

BAD = DATA / "bad"

# case -> (the file the message must name, what it must say about it)
CASES: dict[str, tuple[str, str]] = {
    "yaml-syntax": ("topics/maths.yaml:8", "YAML error"),
    "python-tag": ("questions/all.yaml", "unsafe or unknown YAML tag"),
    "unknown-prerequisite": ("topics/ml.yaml", "unknown prerequisite 'integrals'"),
    "cycle": ("topics/maths.yaml", "prerequisite cycle: vectors -> matrices -> vectors"),
    "duplicate-topic-id": ("topics/ml.yaml", "duplicate topic id 'gradient-descent'"),
    "duplicate-question-id": ("questions/all.yaml", "duplicate question id 'vectors-choice'"),
    "wrong-type-hours": ("topics/maths.yaml", "'hours' must be a number"),
    "wrong-type-prerequisites": ("topics/maths.yaml", "'prerequisites' must be a list"),
    "wrong-type-question-kind": ("questions/all.yaml", "kind"),
    "missing-topic-field": ("topics/maths.yaml", "missing required field 'hours'"),
    "missing-question-field": ("questions/all.yaml", "missing required field 'answers'"),
    "unknown-field": ("topics/ml.yaml", "unknown field 'difficulty'"),
    "ftp-url": ("topics/maths.yaml", "bad URL 'ftp://example.org/vbook'"),
    "javascript-url": ("topics/ml.yaml", "bad URL 'javascript:alert(1)'"),
    "question-unknown-topic": ("questions/all.yaml", "unknown topic 'quaternions'"),
    "choice-answer-not-option": ("questions/all.yaml", "must be exactly one of the options"),
    "multi-no-correct": ("questions/all.yaml", "needs at least one correct answer"),
    "unknown-generator": ("questions/all.yaml", "unknown generator 'quaternion_product'"),
    "bad-generator-params": ("questions/all.yaml", "size must be one of [2, 3], not 7"),
    "resource-not-a-mapping": ("topics/ml.yaml", "resource"),
    "resource-missing-field": ("topics/ml.yaml", "missing required field 'url'"),
    "empty-file": ("questions/more.yaml", "file is empty"),
    "missing-areas": ("areas.yaml", "file is missing"),
    "unknown-area": ("topics/ml.yaml", "unknown area 'statistics'"),
    "duplicate-key": ("topics/ml.yaml:8", "duplicate key 'prerequisites' (first on line 7)"),
    "infinite-hours": ("topics/maths.yaml:2", "field 'hours' must be a finite number, not inf"),
    "nan-answer": ("questions/all.yaml:22", "field 'answer' must be a finite number, not nan"),
    "question-replaces-existing": ("questions/all.yaml:9", "replaces 'vectors-tf', which is still a question"),
    "two-topics-replace-one-id": ("topics/ml.yaml:20", "which topic 'linear-regression' (topics/ml.yaml:10) "
                                                       "replaces too"),
    "control-character": ("topics/maths.yaml:2", "field 'title' contains the control character U+001B"),
    "area-topic-same-id": ("topics/ml.yaml:19", "topic id 'pca' is also an area id"),
}


def _binary(folder: Path) -> None:
    rng = random.Random(7)
    (folder / "topics" / "blob.yaml").write_bytes(bytes(rng.randrange(256) for _ in range(4096)) + b"\x00")


def _not_utf8(folder: Path) -> None:
    (folder / "questions" / "latin1.yaml").write_bytes("questions:\n  - id: caf\xe9\n".encode("latin-1"))


def _huge(folder: Path) -> None:
    # Valid YAML, just over the 4 MiB limit: mlpath must refuse it before parsing.
    line = "# " + "x" * 1021 + "\n"
    (folder / "questions" / "huge.yaml").write_text("questions:\n" + line * (4 * 1024 + 8))


def _utf16(folder: Path) -> None:
    path = folder / "topics" / "ml.yaml"
    path.write_bytes(path.read_text().encode("utf-16"))


def _dangling_link(folder: Path) -> None:
    (folder / "topics" / "extra.yaml").symlink_to(folder / "topics" / "missing.yaml")


def _alias_bomb(folder: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    (folder / "questions" / "bomb.yaml").write_text("\n".join(lines) + "\nquestions: *a11\n")


def _deep(folder: Path) -> None:
    (folder / "questions" / "deep.yaml").write_text("questions: " + "[" * 3000 + "]" * 3000 + "\n")


GENERATED = {
    "binary-file": (_binary, "topics/blob.yaml", "not a text file"),
    "not-utf8": (_not_utf8, "questions/latin1.yaml", "not UTF-8"),
    "huge-file": (_huge, "questions/huge.yaml", "too large"),
    # mlpath's contract only: how deep YAML may nest, and the wording of the refusal, belong to PyYAML.
    "deeply-nested": (_deep, "questions/deep.yaml", None),
    "utf16": (_utf16, "topics/ml.yaml", "UTF-16"),
    "dangling-link": (_dangling_link, "topics/extra.yaml", "symbolic link to a missing file"),
    "alias-bomb": (_alias_bomb, "questions/bomb.yaml", "aliases expand to more than"),
}


def test_the_corpus_is_complete():
    """Every folder under tests/data/bad is a case here, and each differs from mini in its defect only."""
    assert sorted(p.name for p in BAD.iterdir() if p.is_dir()) == sorted(CASES)
    for case in CASES:
        mini_files = {p.relative_to(MINI) for p in MINI.rglob("*.yaml")}
        case_files = {p.relative_to(BAD / case) for p in (BAD / case).rglob("*.yaml")}
        assert len(mini_files ^ case_files) <= 1, case


def _folder(case: str, tmp_path: Path) -> Path:
    if case in CASES:
        return BAD / case
    make, _, _ = GENERATED[case]
    folder = tmp_path / case
    shutil.copytree(MINI, folder)
    make(folder)
    return folder


def _expected(case: str) -> tuple[str, str]:
    return CASES[case] if case in CASES else GENERATED[case][1:]


ALL_CASES = sorted(CASES) + sorted(GENERATED)


def _assert_clear(code: int, out: str, err: str, file: str, problem: str) -> None:
    assert "Traceback" not in err + out
    assert "unexpected error" not in err, err
    assert code == 2, f"exit code {code}; stderr:\n{err}"
    assert file in err, f"the message does not name {file}:\n{err}"
    if problem is not None:
        assert problem in err, f"the message does not say {problem!r}:\n{err}"


@pytest.mark.parametrize("case", ALL_CASES)
def test_content_check_names_the_file_and_the_problem(case, tmp_path, cli):
    folder = _folder(case, tmp_path)
    file, problem = _expected(case)
    code, out, err = cli("content", "check", str(folder))
    _assert_clear(code, out, err, file, problem)
    assert err.strip().splitlines()[-1].startswith(f"mlpath: error: {folder} is invalid: ")


@pytest.mark.parametrize("case", ALL_CASES)
def test_commands_refuse_bad_content_with_one_line(case, tmp_path, cli, monkeypatch):
    folder = _folder(case, tmp_path)
    file, _ = _expected(case)  # the first problem is named; with several, it may be another one than the case's
    monkeypatch.setenv("MLPATH_CONTENT", str(folder))
    code, out, err = cli("next")
    _assert_clear(code, out, err, file, "")
    assert err.count("\n") == 1, err  # one line: the first problem, and how many more
    assert out == ""


def test_content_check_json_lists_problems(tmp_path, cli):
    import json

    code, out, err = cli("content", "check", str(BAD / "cycle"), "--json")
    assert code == 2 and "Traceback" not in err
    data = json.loads(out)
    assert data["ok"] is False and any("cycle" in p for p in data["problems"])


def test_python_tag_runs_nothing(tmp_path, run_mlpath, monkeypatch):
    """A real process on the `!!python/object/apply:os.system` case: refused, and the command never ran."""
    cwd = Path(os.environ["MLPATH_HOME"]).parent  # run_mlpath runs in this folder
    result = run_mlpath("content", "check", str(BAD / "python-tag"))
    _assert_clear(result.returncode, result.stdout, result.stderr, *CASES["python-tag"])
    result = run_mlpath("next", env={"MLPATH_CONTENT": str(BAD / "python-tag")})
    _assert_clear(result.returncode, result.stdout, result.stderr, *CASES["python-tag"])
    assert not (cwd / "PWNED").exists() and not Path("PWNED").exists()


@pytest.mark.parametrize("case", ["huge-file", "binary-file"])
def test_real_process_on_generated_files(case, tmp_path, run_mlpath):
    folder = _folder(case, tmp_path)
    result = run_mlpath("content", "check", str(folder))
    _assert_clear(result.returncode, result.stdout, result.stderr, *_expected(case))


def test_null_optional_fields_are_refused_or_work(tmp_path, cli, monkeypatch):
    """`tolerance: null`, `unit: null` ...: either a clear content error, or treated as absent everywhere
    (validation, the content cache, and the quiz), never a crash later."""
    folder = tmp_path / "content"
    shutil.copytree(MINI, folder)
    questions = folder / "questions" / "all.yaml"
    text = questions.read_text().replace("    tolerance: 0.001\n", "    tolerance: null\n    rel_tolerance: null\n"
                                         "    unit: null\n    replaces: null\n")
    questions.write_text(text)
    code, out, err = cli("content", "check", str(folder))
    assert "Traceback" not in err and "unexpected error" not in err, err
    assert code in (0, 2), err
    monkeypatch.setenv("MLPATH_CONTENT", str(folder))
    code, out, err = cli("quiz", "matrices", input="1\n0.5\n")
    assert "Traceback" not in err and "unexpected error" not in err, err
    if code == 0:
        assert out.count("saved; next review") == 2
    else:
        _assert_clear(code, out, err, "questions/all.yaml", "tolerance")


def test_missing_content_folder(tmp_path, cli, monkeypatch):
    code, out, err = cli("content", "check", str(tmp_path / "nowhere"))
    _assert_clear(code, out, err, "nowhere", "does not exist")
    monkeypatch.setenv("MLPATH_CONTENT", str(tmp_path / "nowhere"))
    code, out, err = cli("next")
    _assert_clear(code, out, err, "nowhere", "does not exist")


# --- the database and its folder -----------------------------------------------------------------------------------

def _one_clear_line(result, *needles: str) -> None:
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, f"exit code {result.returncode}; stderr:\n{result.stderr}"
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mlpath: error: ")
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"


def test_database_file_that_is_not_sqlite(home, mini, run_mlpath):
    home.mkdir()
    rng = random.Random(11)
    (home / "mlpath.db").write_bytes(bytes(rng.randrange(256) for _ in range(64 * 1024)))
    _one_clear_line(run_mlpath("next"), "mlpath.db", "not a usable mlpath database")
    _one_clear_line(run_mlpath("quiz", "vectors", input="1\n"), "mlpath.db")


def test_database_file_that_is_text(home, mini, run_mlpath):
    home.mkdir()
    (home / "mlpath.db").write_text("these are my notes, not a database\n" * 100)
    _one_clear_line(run_mlpath("progress"), "mlpath.db", "not a usable mlpath database")


def test_truncated_database(home, mini, run_mlpath):
    assert run_mlpath("next").returncode == 0
    db = home / "mlpath.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])
    for name in ("mlpath.db-wal", "mlpath.db-shm"):
        (home / name).unlink(missing_ok=True)
    result = run_mlpath("progress")
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 2), result.stderr
    if result.returncode == 2:
        _one_clear_line(result, "mlpath.db")


def _unwritable_home(home: Path, tmp_path: Path) -> Path:
    """MLPATH_HOME that cannot be written: a folder with mode 0o500, or (as root, who may write anyway) a path
    under a regular file, so the folder cannot even be created."""
    home.mkdir(exist_ok=True)
    home.chmod(0o500)
    if not os.access(home, os.W_OK):
        return home
    home.chmod(0o700)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    return blocker / "home"


def test_read_only_home(home, mini, tmp_path):
    target = _unwritable_home(home, tmp_path)
    named = str(target.parent if target.parent.is_file() else target)
    try:
        for args in (["next"], ["progress", "--json"], ["quiz", "vectors"], ["start", "vectors"]):
            result = subprocess.run([*mlpath_exe(), *args], input="1\n", capture_output=True, text=True,
                                    env={**os.environ, "MLPATH_HOME": str(target)}, cwd=tmp_path, timeout=60)
            _one_clear_line(result, named)
            assert "MLPATH_HOME" in result.stderr
    finally:
        home.chmod(0o700)


def test_migration_lock_that_cannot_be_opened(home, mini, run_mlpath):
    """The first run takes a lock file next to the database before migrating. When that file cannot be opened
    (here: a folder is in its place; in real life: a data folder the user may read but not write, holding a
    database an mlpath update must upgrade), the error is a clear one, not an unexpected one."""
    (home / "mlpath.db.lock").mkdir(parents=True)
    _one_clear_line(run_mlpath("next"), "mlpath.db.lock")


def test_database_from_a_newer_mlpath(home, mini, run_mlpath):
    assert run_mlpath("next").returncode == 0
    conn = sqlite3.connect(home / "mlpath.db")
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999_future'")
    conn.close()
    for args in (["next"], ["quiz", "vectors"], ["review"]):
        result = run_mlpath(*args, input="1\n")
        _one_clear_line(result, "newer mlpath", "0999_future")
    assert re.search(r"upgrade mlpath", result.stderr)


# --- bad input from the learner: answers and numbers ------------------------------------------------------------------

@pytest.mark.parametrize("answer", ["1e999", "-1e400", "9" * 400, "1/1e-999"],
                         ids=["1e999", "-1e400", "400-nines", "1-over-1e-999"])
def test_a_huge_numeric_answer_is_wrong_not_a_crash(mini, cli, monkeypatch, answer):
    """vectors-numeric is the 4th question of a first `quiz vectors`: its answer overflows a float."""
    monkeypatch.setenv("MLPATH_NOW", "2026-01-01T12:00:00+00:00")
    code, out, err = cli("quiz", "vectors", input=f"1\n1\ny\n{answer}\nunit\n3\n")
    assert "unexpected error" not in err and "Traceback" not in err, err
    assert code == 0, err
    assert out.count("saved; next review") == 6  # the quiz goes on, and every answer is saved


@pytest.mark.parametrize("args", [["review", "--limit", str(10**20)], ["quiz", "vectors", "--limit", str(2**64)],
                                  ["quiz", "maths", "--new", str(10**30)], ["next", "--limit", str(10**30)],
                                  ["search", "vec", "--limit", str(10**30)]])
def test_a_huge_limit_is_capped_or_refused(mini, cli, args):
    code, out, err = cli(*args, input="")
    assert "unexpected error" not in err and "Traceback" not in err, err
    assert code in (0, 2), err
