"""`mlpath goal`, goal-aware `next` and `progress`, and marking many topics at once (issue 20, items 2-4).

The roadmap is tests/data/mini with its maths area marked `maths: true`, an elective (r-programming) and two tracks:

    vectors (4 h) -> matrices (6 h) -> linear-regression (6 h) <- gradient-descent (3 h) <- derivatives (5 h)
                     matrices -> pca (5 h)                r-programming (10 h, elective, no prerequisites)

Every expected number below is worked out by hand from those hours and edges.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess

import pytest
import yaml

from conftest import mlpath_exe

LR_PATH = {"vectors", "matrices", "derivatives", "gradient-descent", "linear-regression"}  # 24 h


@pytest.fixture
def goalmini(mini):
    areas = yaml.safe_load((mini / "areas.yaml").read_text())
    for a in areas["areas"]:
        if a["id"] == "maths":
            a["maths"] = True
    (mini / "areas.yaml").write_text(yaml.safe_dump(areas))
    ml = yaml.safe_load((mini / "topics" / "ml.yaml").read_text())
    ml["topics"].append({"id": "r-programming", "title": "R programming", "area": "ml", "summary": "Another language.",
                         "hours": 10, "elective": True,
                         "resources": [{"title": "R intro", "url": "https://example.org/r", "kind": "docs", "free": True}]})
    (mini / "topics" / "ml.yaml").write_text(yaml.safe_dump(ml))
    (mini / "tracks.yaml").write_text(yaml.safe_dump({"tracks": [
        {"id": "regressor", "title": "Regression practitioner", "summary": "Fit lines.", "goals": ["linear-regression"]},
        {"id": "reducer", "title": "Dimension reducer", "summary": "Fewer columns.", "goals": ["pca"]},
    ]}))
    return mini


def js(cli, *args):
    code, out, err = cli(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def statuses(cli) -> dict[str, str]:
    return {t["id"]: t["status"] for t in js(cli, "topics")}


# --- mlpath goal ------------------------------------------------------------------------------------------------

def test_goal_topic_shows_its_path_in_math_first_order(cli, goalmini):
    data = js(cli, "goal", "linear-regression")
    assert (data["goal"], data["kind"], data["order"], data["goals"]) == (
        "linear-regression", "topic", "math-first", ["linear-regression"])
    assert [t["id"] for t in data["topics"]] == ["vectors", "derivatives", "matrices", "gradient-descent",
                                                 "linear-regression"]
    assert [t["goal"] for t in data["topics"]] == [False] * 4 + [True]
    e = data["estimate"]
    assert (e["hours_total"], e["hours_done"], e["hours_left"], e["topics_total"], e["topics_left"]) == (24, 0, 24, 5, 5)
    assert js(cli, "goal")["goal"] == "linear-regression"  # stored


def test_build_first_brings_the_practical_topic_forward_and_takes_maths_just_in_time(cli, goalmini):
    data = js(cli, "goal", "linear-regression", "--order", "build-first")
    assert [t["id"] for t in data["topics"]] == ["derivatives", "gradient-descent", "vectors", "matrices",
                                                 "linear-regression"]
    nxt = js(cli, "next")
    assert (nxt["goal"], nxt["order"], nxt["goal_remaining"]) == ("linear-regression", "build-first", 5)
    first = nxt["topics"][0]
    assert (first["id"], first["needed_for"], first["heading_for"]) == ("derivatives", "gradient-descent",
                                                                        "linear-regression")
    assert "needed now for gradient-descent" in first["reason"]
    # the order alone can change, and stays with the goal
    assert js(cli, "goal", "--order", "math-first")["goal"] == "linear-regression"
    assert js(cli, "next")["order"] == "math-first"


def test_goal_by_track_id_or_title_and_the_list(cli, goalmini):
    assert js(cli, "goal", "Regression practitioner")["goal"] == "regressor"
    tracks = js(cli, "goal", "--list")
    assert [(t["id"], t["topics"], t["hours_total"], t["current"]) for t in tracks] == [
        ("regressor", 5, 24, True), ("reducer", 3, 15, False)]
    code, out, _ = cli("goal", "--list")
    assert code == 0 and "regressor (your goal) - Regression practitioner: 5 topics, 24 of 24 hours left" in out


def test_next_ranks_only_the_goals_path(cli, goalmini):
    assert cli("done", "vectors", "matrices")[0] == 0
    everything = {t["id"] for t in js(cli, "next")["topics"]}
    assert everything == {"derivatives", "pca"}  # no goal: the whole core roadmap, no elective
    cli("goal", "regressor")
    data = js(cli, "next")
    assert [t["id"] for t in data["topics"]] == ["derivatives"]  # pca leads nowhere near linear regression
    assert data["goal_remaining"] == 3 and data["remaining"] == 5
    for t in data["topics"]:
        assert {"id", "title", "area", "status", "reason", "unlocks", "leads_to", "hours", "resource",
                "heading_for", "needed_for", "elective"} <= set(t)
    cli("goal", "--clear")
    data = js(cli, "next")
    assert data["goal"] is None and data["order"] == "math-first" and data["goal_remaining"] is None


def test_electives_only_when_asked_or_on_the_goal(cli, goalmini):
    assert "r-programming" not in {t["id"] for t in js(cli, "next", "--limit", "20")["topics"]}
    asked = js(cli, "next", "--electives", "--limit", "20")
    r = next(t for t in asked["topics"] if t["id"] == "r-programming")
    assert r["elective"] is True and "elective" in r["reason"] and asked["electives"] is True
    cli("goal", "r-programming")
    assert [t["id"] for t in js(cli, "next")["topics"]] == ["r-programming"]


def test_reaching_the_goal_says_so(cli, goalmini):
    cli("goal", "pca")
    cli("skip", "vectors", "matrices", "pca")
    code, out, _ = cli("next")
    assert code == 0 and "goal pca is reached" in out


# --- progress: core and electives apart, the goal's hours and finish date ------------------------------------------

def test_progress_splits_core_and_elective_hours(cli, goalmini):
    cli("done", "vectors", "r-programming")
    data = js(cli, "progress")
    assert data["hours_split"] == {"core_done": 4, "core_total": 29, "elective_done": 10, "elective_total": 10}
    assert data["hours"] == 39 and data["hours_done"] == 14  # the old fields keep their meaning
    assert data["goal"] is None and data["estimate"]["hours_total"] == 29  # the core roadmap
    code, out, _ = cli("progress")
    assert "4 of 29 core hours (electives: 10 of 10)" in out


def test_progress_estimates_the_finish_from_the_last_eight_weeks(cli, goalmini, monkeypatch):
    monkeypatch.setenv("MLPATH_NOW", "2025-01-01T00:00:00Z")
    cli("done", "vectors")  # 4 h
    monkeypatch.setenv("MLPATH_NOW", "2025-01-20T00:00:00Z")
    cli("done", "matrices")  # 6 h
    cli("skip", "derivatives")  # skipped: known already, not studied, so not part of the pace
    cli("goal", "linear-regression")
    monkeypatch.setenv("MLPATH_NOW", "2025-02-20T00:00:00Z")
    data = js(cli, "progress")
    assert data["goal"] == {"id": "linear-regression", "kind": "topic", "title": "Linear regression",
                            "goals": ["linear-regression"]}
    e = data["estimate"]
    # 24 h on the path, 15 finished (vectors, matrices, derivatives); pace (4 + 6) / 8 = 1.25 h a week;
    # 9 h left / 1.25 = 7.2 weeks = 50.4 days after 20 February 2025: 11 April 2025.
    assert (e["hours_total"], e["hours_done"], e["hours_left"]) == (24, 15, 9)
    assert (e["hours_per_week"], e["pace_source"], e["pace_weeks"], e["pace_hours_done"]) == (1.25, "history", 8, 10)
    assert (e["weeks_left"], e["finish"]) == (7.2, "2025-04-11")
    code, out, _ = cli("progress")
    assert "At 1.25 h a week (from the 10 h of topics you finished in the last 8 weeks)" in out
    assert "2025-04-11" in out
    # four weeks later only matrices (finished on 20 January) is inside the window: 6 / 8 = 0.75 h a week
    monkeypatch.setenv("MLPATH_NOW", "2025-03-10T00:00:00Z")
    assert js(cli, "progress")["estimate"]["hours_per_week"] == 0.75
    # a pace given wins: 9 h at 3 h a week = 3 weeks
    e = js(cli, "progress", "--hours-per-week", "3")["estimate"]
    assert (e["hours_per_week"], e["pace_source"], e["weeks_left"], e["finish"]) == (3, "given", 3, "2025-03-31")


def test_no_pace_no_finish_date(cli, goalmini):
    e = js(cli, "progress")["estimate"]
    assert (e["hours_per_week"], e["finish"], e["weeks_left"]) == (0, None, None)
    code, out, _ = cli("progress")
    assert "No finish date" in out and "--hours-per-week" in out


@pytest.mark.parametrize("value", ["0", "-1", "169", "nan"])
def test_bad_hours_per_week(cli, goalmini, value):
    code, out, err = cli("progress", "--hours-per-week", value)
    assert code == 2 and out == "" and err.count("\n") == 1 and "--hours-per-week" in err and "Traceback" not in err


# --- mistakes ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, hint", [
    (("goal", "regresor"), "did you mean regressor"),
    (("goal", "lineer-regression"), "linear-regression"),
    (("goal", "maths"), "is an area"),
    (("goal", "--order", "sideways"), "--order must be one of math-first, build-first"),
    (("goal", "pca", "--clear"), "--clear"),
    (("goal", "pca", "--list"), "--list"),
    (("goal", "x" * 500), "at most 200"),
])
def test_goal_mistakes_are_one_line_and_change_nothing(cli, goalmini, args, hint):
    cli("goal", "reducer")
    code, out, err = cli(*args)
    assert code == 2 and out == "" and err.count("\n") == 1 and hint in err, err
    assert js(cli, "goal")["goal"] == "reducer"


def test_a_goal_that_leaves_the_content_is_ignored_with_a_note(cli, goalmini):
    (goalmini / "tracks.yaml").write_text(yaml.safe_dump({"tracks": [
        {"id": "regressor", "title": "Regression practitioner", "summary": "Fit lines.", "goals": ["linear-regression"]}]}))
    cli("goal", "pca")
    ml = goalmini / "topics" / "ml.yaml"
    ml.write_text(ml.read_text().replace("id: pca", "id: principal-components\n  replaces: [pca]"))
    assert js(cli, "next")["goal"] == "principal-components"  # renamed: followed
    data = yaml.safe_load(ml.read_text())
    data["topics"] = [t for t in data["topics"] if t["id"] != "principal-components"]
    ml.write_text(yaml.safe_dump(data))
    code, out, err = cli("next", "--json")
    data = json.loads(out)
    assert code == 0 and data["goal"] is None and data["goal_missing"] == "pca"
    assert err.count("\n") == 1 and "no longer in the roadmap" in err
    assert cli("goal", "regressor")[0] == 0 and js(cli, "next")["goal_missing"] is None


# --- marking many topics at once --------------------------------------------------------------------------------

def test_several_topics_and_an_area_at_once(cli, goalmini):
    data = js(cli, "skip", "vectors", "derivatives")
    assert {t["id"]: (t["previous"], t["status"], t["changed"], t["prerequisite"]) for t in data["topics"]} == {
        "vectors": ("not_started", "skipped", True, False), "derivatives": ("not_started", "skipped", True, False)}
    assert data["changed"] == 2 and set(data["newly_unlocked"]) == {"matrices", "gradient-descent"}
    data = js(cli, "done", "--area", "maths")
    assert {t["id"]: t["changed"] for t in data["topics"]} == {"vectors": True, "matrices": True, "derivatives": True}
    assert data["changed"] == 3
    assert statuses(cli) == {"vectors": "done", "matrices": "done", "derivatives": "done", "gradient-descent":
                             "not_started", "linear-regression": "not_started", "pca": "not_started",
                             "r-programming": "not_started"}
    data = js(cli, "reset", "matrices", "--area", "maths")  # a topic named twice is marked once
    assert [t["id"] for t in data["topics"]].count("matrices") == 1 and data["changed"] == 3
    js(cli, "start", "vectors", "pca")
    assert {k for k, v in statuses(cli).items() if v == "in_progress"} == {"vectors", "pca"}


def test_one_typo_changes_nothing(cli, goalmini, home):
    code, out, err = cli("skip", "vectors", "matrixes", "derivatives")
    assert code == 2 and out == "" and err.count("\n") == 1 and "did you mean matrices" in err
    code, out, err = cli("done", "vectors", "--area", "mathz")
    assert code == 2 and "unknown area" in err
    code, out, err = cli("done", "vectors", "maths")
    assert code == 2 and "is an area" in err
    assert set(statuses(cli).values()) == {"not_started"}
    conn = sqlite3.connect(home / "mlpath.db")
    assert conn.execute("SELECT COUNT(*) FROM status_event").fetchone() == (0,)
    conn.close()


def test_nothing_named_is_an_error(cli, goalmini):
    code, out, err = cli("skip", "--json")
    assert code == 2 and err.count("\n") == 1 and "name one or more topics" in err


def test_with_prerequisites_needs_one_yes_in_a_pipe(cli, goalmini):
    code, out, err = cli("done", "linear-regression", "--with-prerequisites")
    assert code == 2 and err.count("\n") == 1 and "--force" in err
    for t in ("vectors", "matrices", "derivatives", "gradient-descent"):
        assert t in err
    assert set(statuses(cli).values()) == {"not_started"}
    data = js(cli, "done", "linear-regression", "--with-prerequisites", "--yes")
    ids = [t["id"] for t in data["topics"]]
    assert set(ids) == LR_PATH and ids[-1] == "linear-regression"
    assert ids.index("vectors") < ids.index("matrices") and ids.index("derivatives") < ids.index("gradient-descent")
    assert {t["id"] for t in data["topics"] if t["prerequisite"]} == LR_PATH - {"linear-regression"}
    assert {k for k, v in statuses(cli).items() if v == "done"} == LR_PATH


def test_with_prerequisites_leaves_finished_prerequisites_alone(cli, goalmini):
    cli("done", "vectors")
    code, _, err = cli("skip", "pca", "-p")  # matrices is missing (vectors is done): it asks, naming only matrices
    assert code == 2 and "1 unfinished prerequisite will be marked skipped too: matrices;" in err
    data = js(cli, "skip", "pca", "-p", "--force")
    assert [(t["id"], t["previous"], t["status"], t["prerequisite"]) for t in data["topics"]] == [
        ("matrices", "not_started", "skipped", True), ("pca", "not_started", "skipped", False)]
    assert statuses(cli)["vectors"] == "done"  # done stays done, not turned into skipped


def test_done_with_unfinished_prerequisites_asks_once_for_all(cli, goalmini):
    code, _, err = cli("done", "matrices", "pca")
    assert code == 2 and err.count("\n") == 1 and "matrices (vectors)" in err and "pca (matrices)" not in err
    # pca needs matrices, which is marked in the same command: only vectors is missing
    assert "pca" not in err.split("unfinished prerequisites:")[1].replace("matrices (vectors)", "")
    code, _, _ = cli("done", "matrices", "pca", "--force")
    assert code == 0 and statuses(cli)["pca"] == "done"


def test_single_topic_json_keeps_its_shape(cli, goalmini):
    data = js(cli, "done", "vectors")
    assert set(data) == {"id", "title", "status", "previous", "changed", "newly_unlocked",
                         "quiz_first"}  # issue 11: the note offering a quiz (added, never renamed)


def test_with_prerequisites_is_for_done_and_skip_only(cli, goalmini):
    code, _, err = cli("reset", "pca", "--with-prerequisites")
    assert code == 2 and err.count("\n") == 1


# --- the installed command ----------------------------------------------------------------------------------------

def _in_terminal(args: list[str], env: dict[str, str], cwd: str, answer: bytes) -> tuple[int, str]:
    """Run the installed command with a pseudo-terminal as stdin and stdout; type ``answer`` at the first prompt."""
    import pty
    import select
    import time

    main, sub = pty.openpty()
    proc = subprocess.Popen([*mlpath_exe(), *args], stdin=sub, stdout=sub, stderr=sub, env=env, cwd=cwd)
    os.close(sub)
    chunks: list[bytes] = []
    answered = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
            if not answered and b"[y/N]" in b"".join(chunks):
                os.write(main, answer)
                answered = True
        elif proc.poll() is not None:
            break
    os.close(main)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.slow
@pytest.mark.parametrize("answer, marked", [(b"y\r", LR_PATH), (b"n\r", set())])
def test_with_prerequisites_asks_once_on_a_terminal_listing_them(home, goalmini, run_mlpath, answer, marked):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(TERM="dumb", COLUMNS="200", MLPATH_HOME=str(home), MLPATH_CONTENT=str(goalmini))
    code, out = _in_terminal(["done", "linear-regression", "--with-prerequisites"], env, str(home.parent), answer)
    assert code == 0, out
    assert out.count("[y/N]") == 1
    question = out[:out.index("[y/N]")]
    for t in LR_PATH:
        assert t in question
    done = {t["id"] for t in json.loads(run_mlpath("topics", "--status", "done", "--json").stdout)}
    assert done == marked
    if not marked:
        assert "Nothing changed." in out


@pytest.mark.slow
def test_goal_next_progress_through_the_installed_command(home, goalmini, run_mlpath):
    env = {"MLPATH_NOW": "2025-01-01T00:00:00Z"}
    result = run_mlpath("goal", "regressor", "--order", "build-first", env=env)
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "Goal: track regressor (Regression practitioner), build-first"
    assert [line.split(" - ")[0].split("] ")[1] for line in lines[1:6]] == [
        "derivatives", "gradient-descent", "vectors", "matrices", "linear-regression"]
    assert run_mlpath("skip", "vectors", "derivatives", env=env).returncode == 0
    nxt = json.loads(run_mlpath("next", "--json", env=env).stdout)
    assert [t["id"] for t in nxt["topics"]] == ["gradient-descent", "matrices"]
    assert run_mlpath("done", "gradient-descent", env=env).returncode == 0
    progress = json.loads(run_mlpath("progress", "--json", "--hours-per-week", "6", env=env).stdout)
    # 24 h on the path; 4 + 5 skipped + 3 done = 12; 12 left at 6 h a week = 2 weeks
    assert (progress["estimate"]["hours_left"], progress["estimate"]["finish"]) == (12, "2025-01-15")
    result = run_mlpath("goal", "regresor")
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "did you mean regressor" in result.stderr
    result = run_mlpath("reset", "matrices", "vectorz")
    assert result.returncode == 2 and "did you mean vectors" in result.stderr
    assert json.loads(run_mlpath("show", "vectors", "--json").stdout)["status"] == "skipped"


# --- properties on the shipped roadmap ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped():
    from mlpath.packs.loader import load_or_raise
    from mlpath.paths import content_dir

    return load_or_raise(content_dir()).roadmap


def _names(shipped):
    from hypothesis import strategies as st

    return st.lists(st.sampled_from([t.id for t in shipped.topics]), min_size=1, max_size=4, unique=True)


@pytest.mark.slow
def test_with_prerequisites_marks_exactly_what_is_needed(cli, home, shipped):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from mlpath.core.graph import ancestors

    assert cli("progress")[0] == 0  # the database and the content cache exist from here on

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(names=_names(shipped), known=_names(shipped), action=st.sampled_from(["done", "skip"]))
    def check(names, known, action):
        conn = sqlite3.connect(home / "mlpath.db")
        with conn:
            conn.execute("DELETE FROM topic_status")
        conn.close()
        assert cli("done", *known, "--force")[0] == 0
        before = statuses(cli)
        code, out, err = cli(action, *names, "--with-prerequisites", "--force", "--json")
        assert code == 0, err
        after = statuses(cli)
        needed = set(names).union(*(ancestors(shipped, n) for n in names))
        new = "done" if action == "done" else "skipped"
        for tid, status in after.items():
            if tid in names:
                assert status == new
            elif tid in needed and before[tid] not in ("done", "skipped"):
                assert status == new
            else:
                assert status == before[tid], tid  # finished prerequisites and everything else untouched
        marked = {t["id"] for t in json.loads(out)["topics"]}
        assert marked == set(names) | {t for t in needed if before[t] not in ("done", "skipped")}

    check()


@pytest.mark.slow
def test_one_unknown_name_among_many_changes_nothing(cli, home, shipped):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    assert cli("progress")[0] == 0

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(names=_names(shipped), position=st.integers(0, 4), typo=st.sampled_from(["zz-nope", "pytorhc", "q"]),
           action=st.sampled_from(["start", "done", "skip", "reset"]))
    def check(names, position, typo, action):
        before = statuses(cli)
        args = [*names[:position], typo, *names[position:]]
        code, out, err = cli(action, *args, "--force") if action in ("done", "skip") else cli(action, *args)
        assert code == 2 and out == "" and err.count("\n") == 1 and repr(typo) in err
        assert statuses(cli) == before

    cli("done", "python-basics", "numpy", "--force")
    check()
