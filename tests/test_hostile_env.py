"""Damaged data and odd environments (issue #13): real processes, each case one clear line (or a clean exit),
never a traceback, and the learner's data exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import mlpath_exe

pytestmark = pytest.mark.slow  # subprocess-heavy


def _one_line(result, *needles: str, code: int = 2) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == code, f"exit {result.returncode}: {result.stderr}"
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mlpath: "), result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- memory: an alias bomb under a 500 MB limit --------------------------------------------------------------------

def test_alias_bomb_stays_under_500_mb(tmp_path, mini):
    import resource

    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 16)]
    (mini / "questions" / "bomb.yaml").write_text("\n".join(lines) + "\nquestions: *a15\n")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (500 * 1024 * 1024, 500 * 1024 * 1024))

    for args in (["content", "check", str(mini)], ["next"]):
        result = subprocess.run([*mlpath_exe(), *args], capture_output=True, text=True, preexec_fn=limit,
                                timeout=120, env=os.environ.copy(), cwd=tmp_path)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert "questions/bomb.yaml: YAML aliases expand to more than 500,000 values" in result.stderr
        assert len(result.stderr) < 1000


# --- output encodings, closed streams, interrupts --------------------------------------------------------------------

@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}],
                         ids=["ascii", "C-locale"])
def test_non_utf8_output_encoding(mini, run_mlpath, env):
    for args in (["next"], ["show", "vectors"], ["progress"], ["graph"], ["stats"], ["topics"]):
        result = run_mlpath(*args, env=env)
        assert result.returncode == 0 and "Traceback" not in result.stderr, (args, result.stderr)
    result = run_mlpath("show", "nosuchtopic", env=env)
    _one_line(result, "unknown topic")


def test_closed_stdout_and_stdin(mini, tmp_path):
    exe = " ".join(f"'{part}'" for part in mlpath_exe())
    for command in (f"{exe} next >&-", f"{exe} progress --json >&-", f"{exe} quiz vectors <&-",
                    f"{exe} quiz vectors <&- >&-"):
        result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert "Traceback" not in result.stderr, (command, result.stderr)
        assert result.returncode == 0, (command, result.returncode, result.stderr)


@pytest.mark.parametrize("command", ["stats", "topics", "graph", "next --limit 9", "progress", "today"])
def test_a_reader_that_goes_away_after_one_line_is_a_normal_end(mini, tmp_path, command):
    """`mlpath stats | head -1`: the pipe closes while mlpath still writes; exit 0, nothing on stderr."""
    env = {**os.environ, "MLPATH_NOW": "2026-11-30T10:00:00+00:00", "NO_COLOR": "1"}
    for _ in range(3):  # when the reader leaves varies: try a few times
        proc = subprocess.Popen([*mlpath_exe(), *command.split()], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, env=env, cwd=tmp_path)
        proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read().decode()
        proc.stderr.close()
        assert proc.wait(timeout=60) == 0 and err == "", (command, err)


def test_ctrl_c_in_a_quiz(mini, tmp_path):
    proc = subprocess.Popen([*mlpath_exe(), "quiz", "vectors"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    proc.stdin.write("2\n")  # the first answer, then the quiz waits for the second
    proc.stdin.flush()
    deadline = time.monotonic() + 30
    seen = ""
    while "saved" not in seen and time.monotonic() < deadline:
        seen += os.read(proc.stdout.fileno(), 4096).decode()
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == ["mlpath: interrupted; every answer given so far is saved"], err
    home = Path(os.environ["MLPATH_HOME"])
    conn = sqlite3.connect(home / "mlpath.db")
    assert conn.execute("SELECT count(*) FROM review").fetchone()[0] == 1
    conn.close()


def test_bad_clock_and_config(mini, run_mlpath, home):
    _one_line(run_mlpath("next", env={"MLPATH_NOW": "yesterday"}), "MLPATH_NOW")
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_bytes(b'desired_retention = "\xff"\n')
    _one_line(run_mlpath("next"), "config.toml")


# --- the database ------------------------------------------------------------------------------------------------

def test_another_applications_sqlite_file_is_refused(home, mini, run_mlpath):
    home.mkdir()
    db = home / "mlpath.db"
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    conn.close()
    before = _digest(db)
    for args in (["next"], ["start", "vectors"], ["quiz", "vectors"]):
        _one_line(run_mlpath(*args, input="1\n"), "another application's SQLite database", "invoices")
    assert _digest(db) == before


def test_a_damaged_database_is_not_written(home, mini, run_mlpath):
    assert run_mlpath("quiz", "vectors", input="2\n1\n").returncode == 0
    db = home / "mlpath.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    for name in ("mlpath.db-wal", "mlpath.db-shm"):
        (home / name).unlink(missing_ok=True)
    data = bytearray(db.read_bytes())
    for p in range(1, len(data) // page):  # every page but the first (the header) gets garbage
        data[p * page + 8: p * page + 64] = bytes(range(56))
    db.write_bytes(bytes(data))
    before = _digest(db)
    for args in (["quiz", "vectors"], ["start", "vectors"], ["next"]):
        result = run_mlpath(*args, input="2\n")
        assert "Traceback" not in result.stderr
        assert result.returncode == 2, result.stderr
        line = _one_line(result, "mlpath.db")
        assert "damaged" in line or "not a usable mlpath database" in line
    assert _digest(db) == before


def test_read_only_database_file(home, mini, run_mlpath):
    assert run_mlpath("next").returncode == 0
    db = home / "mlpath.db"
    db.chmod(0o444)
    try:
        if os.access(db, os.W_OK):
            pytest.skip("running as root: a read-only file is writable anyway")
        result = run_mlpath("start", "vectors")
        _one_line(result, "mlpath.db")
    finally:
        db.chmod(0o644)


def test_dropped_table(home, mini, run_mlpath):
    assert run_mlpath("next").returncode == 0
    conn = sqlite3.connect(home / "mlpath.db")
    with conn:
        conn.execute("DROP TABLE review")
    conn.close()
    result = run_mlpath("stats")
    _one_line(result, "mlpath.db", "missing part of mlpath's schema", "no such table: review")


def test_an_answer_that_cannot_be_saved_says_so(mini, cli, monkeypatch):
    """A database error while saving an answer: one line saying that this answer was NOT saved, and why."""
    from mlpath.store import queries

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    assert cli("next")[0] == 0
    monkeypatch.setattr(queries, "record_review", full)
    code, out, err = cli("quiz", "vectors", input="2\n")
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mlpath: error: your answer to vectors-choice was NOT saved: ")
    assert "mlpath.db" in lines[0]


# --- user-named files -----------------------------------------------------------------------------------------------

def test_user_named_files(home, mini, run_mlpath, tmp_path):
    assert run_mlpath("next").returncode == 0
    db = home / "mlpath.db"
    before = _digest(db)
    for target in ("mlpath.db", "mlpath.db-wal", "mlpath.db-shm", "mlpath.db-journal"):
        for args in (["graph", "-o", str(home / target), "--force"], ["export", str(home / target), "--force"]):
            _one_line(run_mlpath(*args), "mlpath's own database file")
    link = tmp_path / "db-link.json"
    link.symlink_to(db)
    _one_line(run_mlpath("export", str(link), "--force"), "mlpath's own database file")
    assert _digest(db) == before

    existing = tmp_path / "graph.txt"
    existing.write_text("keep me\n")
    _one_line(run_mlpath("graph", "-o", str(existing)), "already exists", "--force")
    assert existing.read_text() == "keep me\n"
    assert run_mlpath("graph", "-o", str(existing), "--force").returncode == 0
    assert existing.read_text().startswith("mlpath roadmap\n")

    real = tmp_path / "real.txt"
    real.write_text("old\n")
    via = tmp_path / "via.txt"
    via.symlink_to(real)
    assert run_mlpath("graph", "-o", str(via), "--force").returncode == 0
    assert via.is_symlink() and real.read_text().startswith("mlpath roadmap\n")

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for args in (["graph", "-o", str(fifo), "--force"], ["export", str(fifo), "--force"],
                 ["map", "-o", str(fifo), "--force"]):
        _one_line(run_mlpath(*args), "not a regular file")
    _one_line(run_mlpath("export", "/dev/null", "--force"), "not a regular file")


# --- answers ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("answer", ["1e999999999", "-1e-999999999", "9" * 4301, "1" + "0" * 5000 + "/3"],
                         ids=["huge-exponent", "tiny-exponent", "4301-digits", "5000-digit-fraction"])
def test_hostile_numeric_answers(mini, run_mlpath, answer, home):
    started = time.monotonic()
    result = run_mlpath("quiz", "vectors", input=f"1\n1\ny\n{answer}\nunit\n3\n",
                        env={"MLPATH_NOW": "2026-01-01T12:00:00+00:00"}, timeout=30)
    assert time.monotonic() - started < 20
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    conn = sqlite3.connect(home / "mlpath.db")
    lengths = [r[0] for r in conn.execute("SELECT length(answer) FROM review")]
    conn.close()
    assert max(lengths) <= 1000 and len(lengths) == 6
