"""`mlpath export --anki`: an .apkg that is a zip holding an Anki collection, with stable ids and tags."""

from __future__ import annotations

import json
import sqlite3
import zipfile

import pytest

from mlpath.app import anki

MINI_QUESTIONS = 8  # tests/data/mini/questions/all.yaml; one of them generated
MINI_NOTES = MINI_QUESTIONS - 1 + anki.GENERATED_INSTANCES


def open_collection(path, tmp_path) -> sqlite3.Connection:
    with zipfile.ZipFile(path) as z:
        assert "collection.anki2" in z.namelist()
        z.extract("collection.anki2", tmp_path / "unzipped")
    conn = sqlite3.connect(tmp_path / "unzipped" / "collection.anki2")
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    return conn


def notes(conn) -> list[dict]:
    return [{"guid": g, "mid": mid, "tags": tags.split(), "fields": flds.split("\x1f")}
            for g, mid, tags, flds in conn.execute("SELECT guid, mid, tags, flds FROM notes ORDER BY id")]


def test_deck_of_the_whole_bank(cli, mini, tmp_path):
    path = tmp_path / "mlpath.apkg"
    code, out, err = cli("export", "--anki", str(path), "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["questions"] == MINI_QUESTIONS and summary["notes"] == MINI_NOTES
    assert summary["generated_instances"] == anki.GENERATED_INSTANCES
    conn = open_collection(path, tmp_path)
    found = notes(conn)
    assert len(found) == MINI_NOTES
    assert conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0] == MINI_NOTES  # one card per note
    assert len({n["guid"] for n in found}) == MINI_NOTES
    by_id = {n["fields"][-1]: n for n in found}
    choice = by_id["vectors-choice"]
    assert choice["tags"] == ["mlpath::area::maths", "mlpath::topic::vectors", "mlpath::kind::choice"]
    assert choice["mid"] == anki.MODEL_IDS["choice"]
    assert choice["fields"][1].count("<li>") == 3 and choice["fields"][2].endswith(". 5")
    assert by_id["vectors-multi"]["mid"] == anki.MODEL_IDS["multi"]
    assert by_id["vectors-tf"]["mid"] == anki.MODEL_IDS["true_false"] and by_id["vectors-tf"]["fields"][1] == "True"
    for basic in ("vectors-numeric", "vectors-text", "vectors-flash", "matrices-half", "matrices-det#1"):
        assert by_id[basic]["mid"] == anki.MODEL_IDS["basic"]
    generated = [n for n in found if "mlpath::generated" in n["tags"]]
    assert len(generated) == anki.GENERATED_INSTANCES
    assert all("mlpath::topic::matrices" in n["tags"] and n["fields"][1] for n in generated)
    assert len({n["fields"][0] for n in generated}) == anki.GENERATED_INSTANCES  # different numbers
    models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
    assert {int(k) for k in models} == set(anki.MODEL_IDS.values())
    decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
    assert decks[str(anki.DECK_ID)]["name"] == anki.DECK_NAME


def test_ids_and_content_are_stable_across_exports(cli, mini, tmp_path):
    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    assert cli("export", "--anki", str(first))[0] == 0
    assert cli("done", "vectors")[0] == 0  # progress does not change the deck
    assert cli("export", "--anki", str(second))[0] == 0
    a = {n["guid"]: n["fields"] for n in notes(open_collection(first, tmp_path / "1"))}
    b = {n["guid"]: n["fields"] for n in notes(open_collection(second, tmp_path / "2"))}
    assert a == b


def test_deck_of_a_topic_or_an_area(cli, mini, tmp_path):
    path = tmp_path / "vectors.apkg"
    code, out, err = cli("export", "--anki", str(path), "vectors", "--json")
    assert code == 0, err
    assert json.loads(out)["notes"] == 6
    found = notes(open_collection(path, tmp_path))
    assert len(found) == 6 and all("mlpath::topic::vectors" in n["tags"] for n in found)
    code, out, err = cli("export", "--anki", str(tmp_path / "ml.apkg"), "ml", "--json")
    assert code == 0 and json.loads(out)["notes"] == 0  # the ml area has no questions in the mini roadmap
    code, out, err = cli("export", "--anki", str(tmp_path / "x.apkg"), "no-such-topic")
    assert code == 2 and "unknown topic or area" in err


def test_html_is_escaped():
    q = {"id": "q", "topic": "t", "kind": "choice", "prompt": "Is <b> & \"x\" < y?", "options": ["<a>", "b & c"],
         "answer": "<a>", "explanation": "line 1\nline 2"}
    [spec] = anki.note_specs(q)
    front, options, answer, explanation, qid = spec["fields"]
    assert front == "Is &lt;b&gt; &amp; &quot;x&quot; &lt; y?"
    assert "<li>&lt;a&gt;</li>" in options and "&lt;a&gt;" in answer
    assert explanation == "line 1<br>line 2"


def test_anki_file_name_and_overwrite(cli, mini, tmp_path):
    code, out, err = cli("export", "--anki", str(tmp_path / "deck.txt"))
    assert code == 2 and ".apkg" in err
    path = tmp_path / "deck.apkg"
    path.write_bytes(b"old")
    code, out, err = cli("export", "--anki", str(path))
    assert code == 2 and "already exists" in err and path.read_bytes() == b"old"
    code, out, err = cli("export", "--anki", str(path), "--force")
    assert code == 0 and zipfile.is_zipfile(path) and "Wrote 10 notes" in out


@pytest.mark.parametrize("command", ["stats", "graph", "export", "import"])
def test_help(cli, command):
    code, out, err = cli(command, "--help")
    assert code == 0 and f"Usage: mlpath {command}" in out and err == ""
