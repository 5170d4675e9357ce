"""Packs: several roadmaps side by side on one data folder, each with its own progress.

Two packs here share every topic and question id (`basics`, `advanced`, `basics-tf`, ...): statuses, cards,
reviews, renames (`replaces:`), export and import must keep them apart.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpath.core.manifest import ID_RE, MAX_ID, check, derived_id
from mlpath.packs import manifest as manifests

NOW = "2026-03-02T10:00:00+00:00"

AREAS = "areas:\n  - {id: core, title: Core, order: 1}\n"


def topics_yaml(first: str = "basics", replaces: tuple[str, ...] = ()) -> str:
    return f"""\
topics:
  - id: {first}
    title: Basics
    area: core
    summary: The first steps.
    hours: 2
    replaces: [{", ".join(replaces)}]
    resources:
      - {{title: Basics, url: "https://example.org/basics", kind: course, free: true}}
  - id: advanced
    title: Advanced
    area: core
    summary: What comes next.
    hours: 3
    prerequisites: [{first}]
    resources:
      - {{title: Advanced, url: "https://example.org/advanced", kind: course, free: true}}
"""


def questions_yaml(topic: str = "basics") -> str:
    return f"""\
questions:
  - id: basics-tf
    topic: {topic}
    kind: true_false
    prompt: Is this the first step?
    answer: true
    explanation: It is.
  - id: advanced-tf
    topic: advanced
    kind: true_false
    prompt: Is this the first step?
    answer: false
    explanation: It comes next.
"""


def make_pack(folder: Path, pack_id: str | None, title: str = "A pack", first: str = "basics",
              replaces: tuple[str, ...] = ()) -> Path:
    (folder / "topics").mkdir(parents=True)
    (folder / "questions").mkdir()
    (folder / "areas.yaml").write_text(AREAS)
    (folder / "topics" / "all.yaml").write_text(topics_yaml(first, replaces))
    (folder / "questions" / "all.yaml").write_text(questions_yaml(first))
    if pack_id is not None:
        (folder / "pack.yaml").write_text(f"id: {pack_id}\ntitle: {title}\nversion: \"1.0\"\n")
    return folder


def ok(cli, *args, input=None) -> str:
    code, out, err = cli(*args, input=input)
    assert code == 0, (args, err)
    return out


def as_json(cli, *args):
    return json.loads(ok(cli, *args, "--json"))


@pytest.fixture
def two_packs(tmp_path, monkeypatch, cli):
    """Packs alpha and beta (same ids everywhere) added to the data folder; alpha active."""
    monkeypatch.setenv("MLPATH_NOW", NOW)
    alpha = make_pack(tmp_path / "src" / "alpha", "alpha", "Alpha")
    beta = make_pack(tmp_path / "src" / "beta", "beta", "Beta")
    ok(cli, "pack", "add", str(alpha))
    ok(cli, "pack", "add", str(beta))
    ok(cli, "pack", "use", "alpha")
    return alpha, beta


# --- the manifest -----------------------------------------------------------------------------------------------

def test_manifest_is_checked_field_by_field():
    good, problems = check({"id": "my-course", "title": "My course", "version": "2025.1",
                            "homepage": "https://example.org/course", "license": "CC-BY-4.0"})
    assert problems == [] and good.id == "my-course" and good.version == "2025.1" and good.declared
    bad, problems = check({"id": "My Course", "version": 1.0, "colour": "red", "homepage": "ftp://x"})
    assert bad is None
    assert problems == [
        "pack.yaml: unknown field 'colour' (fields: id, title, version, description, license, homepage)",
        "pack.yaml: missing required field 'title'",
        "pack.yaml: version must be a non-empty string (quote it: version: \"1.0\")",
        "pack.yaml: id 'My Course' must be lower-case kebab-case (a-z, 0-9 and single hyphens), at most 64 characters",
        "pack.yaml: homepage must be an http or https URL",
    ]
    assert check(["id"])[1] == ["pack.yaml: expected a mapping with id, title, version"]


@settings(max_examples=200, deadline=None)
@given(name=st.text(max_size=120), path=st.text(min_size=1, max_size=200))
def test_derived_ids_are_valid_stable_and_tell_places_apart(name, path):
    ident = derived_id(name, path)
    assert ID_RE.match(ident) and len(ident) <= MAX_ID
    assert derived_id(name, path) == ident
    assert derived_id(name, path + "/other") != ident  # one name in two places: two packs


def test_the_shipped_content_declares_the_shipped_id():
    from mlpath.paths import content_dir

    shipped, problems = manifests.read(content_dir())
    assert problems == [] and shipped.declared and shipped.id == manifests.SHIPPED_ID


def test_a_folder_without_manifest_works_and_check_suggests_one(tmp_path, monkeypatch, cli):
    folder = make_pack(tmp_path / "My Course", None)
    monkeypatch.setenv("MLPATH_CONTENT", str(folder))
    out = ok(cli, "next", "--json")
    assert json.loads(out)["topics"][0]["id"] == "basics"
    code, out, err = cli("content", "check", str(folder))
    assert code == 0
    expected = derived_id("My Course", str(folder.resolve()))
    assert expected.startswith("my-course-")
    assert err == (f"suggestion: add a pack.yaml (id, title, version) to name this pack; until then its id is "
                   f"{expected}, derived from the folder's name and place\n")
    assert as_json(cli, "progress")["pack"] == expected
    (folder / "pack.yaml").write_text("id: my-course\ntitle: My course\nversion: \"1\"\n")
    code, out, err = cli("content", "check", str(folder))
    assert code == 0 and err == ""


def test_a_broken_manifest_is_reported_with_the_content_problems(tmp_path, cli):
    folder = make_pack(tmp_path / "c", None)
    (folder / "pack.yaml").write_text("id: Bad_Id\ntitle: T\n")
    data = json.loads(cli("content", "check", str(folder), "--json")[1])
    assert data["ok"] is False and data["problems"] == [
        "pack.yaml: missing required field 'version'",
        "pack.yaml: id 'Bad_Id' must be lower-case kebab-case (a-z, 0-9 and single hyphens), at most 64 characters"]


# --- two packs, one data folder -----------------------------------------------------------------------------------

def test_statuses_and_quizzes_stay_in_their_pack(two_packs, cli):
    ok(cli, "done", "basics")
    ok(cli, "quiz", "basics", input="y\n")
    alpha = as_json(cli, "progress")
    assert alpha["pack"] == "alpha" and alpha["done"] == 1 and alpha["reviews"] == 1

    ok(cli, "pack", "use", "beta")
    beta = as_json(cli, "progress")
    assert beta["pack"] == "beta" and beta["done"] == 0 and beta["reviews"] == 0
    assert as_json(cli, "show", "basics")["status"] == "not_started"
    assert as_json(cli, "show", "basics")["cards"]["seen"] == 0  # alpha's card is not beta's
    ok(cli, "start", "basics")
    ok(cli, "quiz", "basics", input="n\n")  # wrong: a fresh card in beta

    assert as_json(cli, "progress", "--pack", "alpha")["done"] == 1
    listed = {p["id"]: p for p in as_json(cli, "pack", "list")["packs"]}
    assert listed["alpha"]["done"] == 1 and listed["alpha"]["in_progress"] == 0 and listed["alpha"]["reviews"] == 1
    assert listed["beta"]["done"] == 0 and listed["beta"]["in_progress"] == 1 and listed["beta"]["reviews"] == 1
    assert listed["beta"]["active"] and not listed["alpha"]["active"]
    assert listed[manifests.SHIPPED_ID]["installed"] and listed[manifests.SHIPPED_ID]["reviews"] == 0

    stats = as_json(cli, "stats", "--tz", "UTC")
    assert stats["pack"] == "beta" and stats["total_reviews"] == 1 and stats["retention"]["reviews"] == 0
    assert as_json(cli, "stats", "--tz", "UTC", "--all-packs")["total_reviews"] == 2
    assert as_json(cli, "stats", "--tz", "UTC", "--pack", "alpha")["total_reviews"] == 1


def test_mlpath_content_overrides_the_active_pack_for_one_command(two_packs, cli, monkeypatch, tmp_path):
    ok(cli, "done", "basics")
    monkeypatch.setenv("MLPATH_CONTENT", str(two_packs[1]))  # beta's source folder
    assert as_json(cli, "progress")["pack"] == "beta"
    assert as_json(cli, "progress")["done"] == 0
    assert as_json(cli, "pack", "list")["override"] == str(two_packs[1])
    monkeypatch.delenv("MLPATH_CONTENT")
    assert as_json(cli, "progress")["pack"] == "alpha"


def test_replaces_moves_only_its_own_packs_progress(two_packs, cli, tmp_path, home):
    ok(cli, "done", "basics")
    ok(cli, "quiz", "basics", input="y\n")
    ok(cli, "pack", "use", "beta")
    ok(cli, "start", "basics")
    # beta renames basics -> foundations (and says so); alpha keeps its basics
    beta_installed = home / "packs" / "beta"
    (beta_installed / "topics" / "all.yaml").write_text(topics_yaml("foundations", ("basics",)))
    (beta_installed / "questions" / "all.yaml").write_text(questions_yaml("foundations"))
    for _ in range(2):  # a second run must not move anything again
        assert as_json(cli, "show", "foundations")["status"] == "in_progress"
    ok(cli, "pack", "use", "alpha")
    shown = as_json(cli, "show", "basics")
    assert shown["status"] == "done" and shown["cards"]["seen"] == 1
    conn = sqlite3.connect(home / "mlpath.db")
    try:
        rows = sorted(conn.execute("SELECT pack, topic_id, status FROM topic_status"))
        reviews = sorted(conn.execute("SELECT pack, topic_id FROM review"))
    finally:
        conn.close()
    assert rows == [("alpha", "basics", "done"), ("beta", "foundations", "in_progress")]
    assert reviews == [("alpha", "basics")]


def test_export_and_import_keep_packs_apart(two_packs, cli, tmp_path, monkeypatch):
    ok(cli, "done", "basics")
    ok(cli, "quiz", "basics", input="y\n")
    ok(cli, "pack", "use", "beta")
    ok(cli, "skip", "basics")
    ok(cli, "quiz", "basics", input="n\n")

    only_beta = as_json(cli, "export", str(tmp_path / "beta.json"))
    assert only_beta["packs"] == ["beta"] and only_beta["reviews"] == 1 and only_beta["statuses"] == 1
    both = as_json(cli, "export", str(tmp_path / "all.json"), "--all-packs")
    assert both["packs"] == ["alpha", "beta"] and both["reviews"] == 2 and both["statuses"] == 2
    doc = json.loads((tmp_path / "all.json").read_text())
    assert sorted((r["pack"], r["question"], r["correct"]) for r in doc["reviews"]) == [
        ("alpha", "basics-tf", True), ("beta", "basics-tf", False)]

    monkeypatch.setenv("MLPATH_HOME", str(tmp_path / "second-home"))  # another machine, both packs added
    ok(cli, "pack", "add", str(two_packs[0]))
    ok(cli, "pack", "add", str(two_packs[1]))
    ok(cli, "pack", "use", "alpha")
    result = as_json(cli, "import", str(tmp_path / "all.json"))  # the active pack's records only
    assert result["packs"] == ["alpha"] and result["added"]["reviews"] == 1
    assert result["left_out"] == {"statuses": 1, "status_events": 1, "cards": 1, "reviews": 1}
    assert as_json(cli, "progress", "--pack", "beta")["reviews"] == 0
    result = as_json(cli, "import", str(tmp_path / "all.json"), "--all-packs")
    assert result["added"]["reviews"] == 1 and result["reviews_after"] == 2  # alpha's was there already
    alpha, beta = as_json(cli, "progress"), as_json(cli, "progress", "--pack", "beta")
    assert (alpha["done"], alpha["skipped"], alpha["reviews"]) == (1, 0, 1)
    assert (beta["done"], beta["skipped"], beta["reviews"]) == (0, 1, 1)
    code, out, err = cli("export", str(tmp_path / "x.json"), "--pack", "alpha", "--all-packs")
    assert code == 2 and "not both" in err


def test_a_version_1_backup_imports_into_the_active_pack(two_packs, cli, tmp_path):
    ok(cli, "pack", "use", "beta")
    v1 = {"format": "mlpath-backup", "version": 1, "exported_at": NOW, "statuses": [
        {"topic": "basics", "area": "core", "status": "done", "started_at": None,
         "finished_at": "2026-03-01T10:00:00+00:00", "updated_at": "2026-03-01T10:00:00+00:00"}],
        "status_events": [], "cards": [], "reviews": []}
    (tmp_path / "v1.json").write_text(json.dumps(v1))
    result = as_json(cli, "import", str(tmp_path / "v1.json"))
    assert result["packs"] == ["beta"] and result["added"]["statuses"] == 1
    assert as_json(cli, "progress")["done"] == 1
    assert as_json(cli, "progress", "--pack", "alpha")["done"] == 0
    result = as_json(cli, "import", str(tmp_path / "v1.json"), "--pack", "alpha")
    assert result["packs"] == ["alpha"] and as_json(cli, "progress", "--pack", "alpha")["done"] == 1


def test_a_broken_pack_blocks_neither_export_nor_stats_nor_pack_list(two_packs, cli, tmp_path, home):
    ok(cli, "done", "basics")
    ok(cli, "quiz", "basics", input="y\n")
    (home / "packs" / "alpha" / "topics" / "all.yaml").write_text("topics: [\n")
    code, out, err = cli("next")
    assert code == 2 and err.count("\n") == 1 and "all.yaml" in err
    assert as_json(cli, "export", str(tmp_path / "b.json"))["reviews"] == 1
    assert as_json(cli, "stats", "--tz", "UTC")["total_reviews"] == 1
    listed = {p["id"]: p for p in as_json(cli, "pack", "list")["packs"]}
    assert listed["alpha"]["problem"] and "all.yaml" in listed["alpha"]["problem"]
    assert listed["alpha"]["reviews"] == 1 and listed["beta"]["problem"] is None


# --- pack commands: mistakes and removal ------------------------------------------------------------------------------

def test_pack_use_and_add_mistakes_are_one_line(two_packs, cli, tmp_path):
    code, out, err = cli("pack", "use", "alpah")
    assert code == 2 and err == "mlpath: error: unknown pack 'alpah'; did you mean alpha?\n"
    code, out, err = cli("pack", "add", str(two_packs[0]))
    assert code == 2 and err.count("\n") == 1 and "already installed" in err
    broken = make_pack(tmp_path / "broken", "broken")
    (broken / "pack.yaml").write_text("id: broken\n")
    code, out, err = cli("pack", "add", str(broken))
    assert code == 2 and err.count("\n") == 1 and "missing required field 'title'" in err
    assert not (Path(os.environ["MLPATH_HOME"]) / "packs" / "broken").exists()
    code, out, err = cli("stats", "--pack", "nope")
    assert code == 2 and "unknown pack 'nope'" in err


@pytest.mark.parametrize("name", ["..", "../..", ".", "alpha/../..", "/tmp", "Alpha", "alpha\n"])
def test_a_pack_name_is_never_a_path(two_packs, cli, home, name):
    (home / "keep.txt").write_text("still here")
    for args in (["pack", "remove", name, "--force"], ["pack", "use", name], ["stats", "--pack", name]):
        code, out, err = cli(*args)
        assert code == 2 and err.count("\n") == 1 and "unknown pack" in err, (args, err)
    assert (home / "keep.txt").read_text() == "still here" and (home / "packs" / "alpha").is_dir()


def test_pack_remove_refuses_while_progress_exists(two_packs, cli, home):
    ok(cli, "done", "basics")
    ok(cli, "quiz", "basics", input="y\n")
    code, out, err = cli("pack", "remove", "alpha")
    assert code == 2 and err == ("mlpath: error: pack 'alpha' holds your progress (1 topic statuses, 1 status "
                                 "changes, 1 cards, 1 reviews); removing it would delete that; use --keep-progress "
                                 "to keep it, or --force to delete the progress with the pack\n")
    assert (home / "packs" / "alpha").is_dir()
    code, out, err = cli("pack", "remove", manifests.SHIPPED_ID)
    assert code == 2 and "cannot be removed" in err

    removed = as_json(cli, "pack", "remove", "alpha", "--keep-progress")
    assert removed["progress_kept"] and removed["was_active"] and not (home / "packs" / "alpha").exists()
    listed = {p["id"]: p for p in as_json(cli, "pack", "list")["packs"]}
    assert not listed["alpha"]["installed"] and listed["alpha"]["reviews"] == 1  # hidden progress stays listed
    assert listed[manifests.SHIPPED_ID]["active"]

    removed = as_json(cli, "pack", "remove", "alpha", "--force")
    assert removed["removed"]["review"] == 1 and removed["removed"]["topic_status"] == 1
    assert "alpha" not in {p["id"] for p in as_json(cli, "pack", "list")["packs"]}
    assert as_json(cli, "pack", "remove", "beta")["folder"]  # no progress: nothing to confirm


def test_pack_add_link_follows_the_folder(cli, tmp_path, home, monkeypatch):
    src = make_pack(tmp_path / "linked", "linked-pack")
    added = as_json(cli, "pack", "add", str(src), "--link")
    assert added["linked"] and (home / "packs" / "linked-pack").is_symlink()
    ok(cli, "pack", "use", "linked-pack")
    (src / "topics" / "all.yaml").write_text(topics_yaml().replace("title: Advanced", "title: Further"))
    assert as_json(cli, "show", "advanced")["title"] == "Further"


@pytest.mark.slow
def test_pack_commands_through_the_installed_command(run_mlpath, tmp_path):
    src = make_pack(tmp_path / "course", None)
    env = {"MLPATH_NOW": NOW}
    added = run_mlpath("pack", "add", str(src), "--json", env=env)
    assert added.returncode == 0, added.stderr
    pack_id = json.loads(added.stdout)["id"]
    assert pack_id == derived_id("course", str(src.resolve())) and json.loads(added.stdout)["derived_id"]
    assert run_mlpath("pack", "use", pack_id, env=env).returncode == 0
    assert run_mlpath("done", "basics", env=env).returncode == 0
    listed = run_mlpath("pack", "list", env=env)
    assert listed.returncode == 0 and f"* {pack_id}" in listed.stdout and "1/2 topics finished" in listed.stdout
    removed = run_mlpath("pack", "remove", pack_id, env=env)
    assert removed.returncode == 2 and removed.stderr.count("\n") == 1 and "--keep-progress" in removed.stderr
