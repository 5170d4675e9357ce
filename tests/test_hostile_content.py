"""Hostile and unlucky content (issue #13) and `content check` finding everything at once (issue #14, item 3).

Each case starts from a copy of tests/data/mini, breaks something, and checks the exact outcome: exit code 2, one
line per problem naming the file (and line), no knock-on errors, no traceback; and for what must keep working
(long chains, foreign data with fewer fields), that it does.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import MINI


@pytest.fixture
def pack(tmp_path) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(MINI, folder)
    return folder


def _check(cli, folder: Path) -> tuple[int, list[str], str]:
    code, out, err = cli("content", "check", str(folder))
    assert "Traceback" not in err + out and "unexpected error" not in err, err
    lines = err.splitlines()
    if code == 2:
        assert lines[-1] == f"mlpath: error: {folder} is invalid: {len(lines) - 1} problem" + (
            "s" if len(lines) != 2 else "") + " (listed above)", err
        return code, lines[:-1], out
    return code, lines, out


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _topics(folder: Path) -> Path:
    return folder / "topics" / "maths.yaml"


def _questions(folder: Path) -> Path:
    return folder / "questions" / "all.yaml"


# --- everything at once ----------------------------------------------------------------------------------------------

def test_ten_independent_problems_are_reported_in_one_run(pack, cli):
    _replace(_topics(pack), "    hours: 4\n", "    hours: -1\n")                                       # 1
    _replace(_topics(pack), "    summary: Arrows with a length and a direction.\n",
             "    summary: Arrows with a length and a direction.\n    difficulty: 3\n")                  # 2
    _replace(pack / "topics" / "ml.yaml", "prerequisites: [derivatives]",
             "prerequisites: [derivatives, integrals]")                                                  # 3
    _replace(_topics(pack), 'url: "https://example.org/vbook"', 'url: "ftp://example.org/vbook"')       # 4
    _replace(_topics(pack), "kind: book", "kind: pamphlet")                                             # 5
    _replace(_questions(pack), 'answer: "5"\n', 'answer: "6"\n')                                        # 6
    _replace(_questions(pack), "topic: matrices\n    kind: numeric", "topic: quaternions\n    kind: numeric")  # 7
    _replace(_questions(pack), "    tolerance: 0.001\n", "    tolerance: .inf\n")                        # 8
    _replace(_questions(pack), "  - id: vectors-text\n", "  - id: Vectors_Text\n")                      # 9
    _replace(pack / "areas.yaml", "order: 2", "order: two")                                             # 10
    code, problems, _ = _check(cli, pack)
    assert code == 2
    expected = [
        "hours must be more than 0", "unknown field 'difficulty'", "unknown prerequisite 'integrals'",
        "bad URL 'ftp://example.org/vbook'", "resource kind 'pamphlet'", "answer '6' must be exactly one",
        "unknown topic 'quaternions'", "field 'tolerance' must be a finite number",
        "question id 'Vectors_Text' is not kebab-case", "field 'order' must be a whole number",
    ]
    for words in expected:
        assert sum(words in p for p in problems) == 1, (words, problems)
    assert len(problems) == 10, problems


def test_a_topic_with_its_own_error_is_still_a_known_prerequisite(pack, cli):
    # matrices has a bad field; ml topics list it as a prerequisite and questions are for it
    _replace(_topics(pack), "  - id: matrices\n", "  - id: matrices\n    level: hard\n")
    code, problems, _ = _check(cli, pack)
    assert code == 2 and len(problems) == 1 and "unknown field 'level'" in problems[0], problems


def test_a_file_that_does_not_parse_causes_no_knock_on_errors(pack, cli):
    _replace(_topics(pack), "aliases: [vector spaces]", "aliases: [vector spaces")
    code, problems, _ = _check(cli, pack)
    assert code == 2 and len(problems) == 1, problems
    assert problems[0].startswith("topics/maths.yaml:") and "YAML error" in problems[0]
    assert "began on line 7" in problems[0]


def test_missing_areas_file_is_one_problem(pack, cli):
    (pack / "areas.yaml").unlink()
    code, problems, _ = _check(cli, pack)
    assert problems == ["areas.yaml: file is missing"]


def test_every_cycle_is_reported(pack, cli):
    _replace(_topics(pack), "    aliases: [vector spaces]\n", "    prerequisites: [matrices]\n    aliases: [vector spaces]\n")
    _replace(pack / "topics" / "ml.yaml", "prerequisites: [derivatives]", "prerequisites: [derivatives, pca]")
    _replace(pack / "topics" / "ml.yaml", "prerequisites: [matrices]\n", "prerequisites: [matrices, linear-regression]\n")
    code, problems, _ = _check(cli, pack)
    assert problems == [
        "topics/maths.yaml:2: prerequisite cycle: vectors -> matrices -> vectors",
        "topics/ml.yaml:2: prerequisite cycle: gradient-descent -> linear-regression -> pca -> gradient-descent",
    ], problems


def test_an_area_and_a_topic_with_the_same_id(pack, cli):
    _replace(pack / "areas.yaml", "id: ml", "id: vectors")
    code, problems, _ = _check(cli, pack)
    assert any("topic id 'vectors' is also an area id" in p for p in problems), problems


def test_problems_are_one_plain_line_each(pack, cli):
    """No wrapping at 80 columns, no emoji codes (`file:100:` stays as it is), no markup."""
    text = _questions(pack).read_text()
    padding = "".join(f"# line {i}\n" for i in range(98))  # the first question moves from line 2 to 100
    text = text.replace("questions:\n", "questions:\n" + padding, 1)
    text = text.replace("  - id: vectors-choice\n", "  - id: vectors-choice\n    unknown_field_name_that_is_long: [x]\n")
    _questions(pack).write_text(text)
    code, problems, _ = _check(cli, pack)
    assert len(problems) == 1, problems
    assert problems[0].startswith("questions/all.yaml:100: question 'vectors-choice' has unknown field "
                                  "'unknown_field_name_that_is_long' (allowed: "), problems
    assert len(problems[0]) > 120


def test_content_check_never_tells_to_run_itself(pack, cli):
    _replace(_topics(pack), "    hours: 4\n", "    hours: -1\n")
    _replace(_questions(pack), 'answer: "5"\n', 'answer: "6"\n')
    code, out, err = cli("content", "check", str(pack))
    assert code == 2 and "content check" not in err, err


# --- silently wrong content is refused ------------------------------------------------------------------------------

def test_duplicate_key(pack, cli):
    _replace(_topics(pack), "    hours: 4\n", "    hours: 4\n    hours: 5\n")
    code, problems, _ = _check(cli, pack)
    assert problems == ["topics/maths.yaml:7: YAML error: duplicate key 'hours' (first on line 6); keep one of them"]


@pytest.mark.parametrize("old, new, words", [
    ("    hours: 4\n", "    hours: .inf\n", "field 'hours' must be a finite number, not inf"),
    ("    answer: 11\n", "    answer: .nan\n", "field 'answer' must be a finite number, not nan"),
    ("    tolerance: 0.001\n", "    tolerance: -.inf\n", "field 'tolerance' must be a finite number, not -inf"),
    ("    hours: 4\n", "    hours: 1" + "0" * 40 + "\n", "field 'hours' holds a number too large"),
])
def test_non_finite_numbers(pack, cli, old, new, words):
    path = _topics(pack) if "hours" in old else _questions(pack)
    _replace(path, old, new)
    code, problems, _ = _check(cli, pack)
    assert code == 2 and len(problems) == 1 and words in problems[0], problems


def test_question_replacing_a_question_that_still_exists(pack, cli):
    _replace(_questions(pack), "  - id: vectors-multi\n", "  - id: vectors-multi\n    replaces: [vectors-tf]\n")
    code, problems, _ = _check(cli, pack)
    assert len(problems) == 1 and "question 'vectors-multi' replaces 'vectors-tf', which is still a question" \
        in problems[0], problems


def test_two_topics_replacing_one_id(pack, cli):
    _replace(_topics(pack), "  - id: matrices\n", "  - id: matrices\n    replaces: [old-one]\n")
    _replace(_topics(pack), "  - id: derivatives\n", "  - id: derivatives\n    replaces: [old-one]\n")
    code, problems, _ = _check(cli, pack)
    assert len(problems) == 1 and "topic 'derivatives' replaces 'old-one', which topic 'matrices'" in problems[0]


def test_two_questions_replacing_one_id(pack, cli):
    _replace(_questions(pack), "  - id: vectors-multi\n", "  - id: vectors-multi\n    replaces: [gone]\n")
    _replace(_questions(pack), "  - id: vectors-tf\n", "  - id: vectors-tf\n    replaces: [gone]\n")
    code, problems, _ = _check(cli, pack)
    assert len(problems) == 1 and "replaces 'gone', which question 'vectors-multi'" in problems[0], problems


@pytest.mark.parametrize("char", ["\x1b", "\x07", "\r", "\x9b"])
def test_control_characters_are_refused(pack, cli, char):
    escaped = {"\x1b": "\\e", "\x07": "\\a", "\r": "\\r", "\x9b": "\\x9b"}[char]
    _replace(_topics(pack), "    title: Vectors\n", f'    title: "Vec{escaped}]52;c;aGk=\\x07tors"\n')
    code, problems, _ = _check(cli, pack)
    assert code == 2 and any(f"field 'title' contains the control character U+{ord(char):04X}" in p
                             for p in problems), problems


def test_symlinks_and_odd_entries_are_reported(pack, cli):
    topics = pack / "topics"
    (topics / "gone.yaml").symlink_to(topics / "nowhere.yaml")
    (topics / "loop.yaml").symlink_to(topics / "loop.yaml")
    (topics / "sub").mkdir()
    (topics / "notes.txt").write_text("hello\n")
    (topics / "README.md").write_text("ignored\n")
    code, problems, _ = _check(cli, pack)
    assert sorted(problems) == sorted([
        "topics/gone.yaml: a symbolic link to a missing file "
        f"({topics / 'nowhere.yaml'}); remove it or fix the link",
        "topics/loop.yaml: a symbolic link that loops back on itself; remove it",
        "topics/sub: a folder inside topics/ is not read; move its files up into topics/",
        "topics/notes.txt: not a .yaml file, so it is not read (rename it to .yaml or move it out)",
    ]), problems


def test_questions_that_is_a_file(pack, cli):
    shutil.rmtree(pack / "questions")
    (pack / "questions").write_text("questions: []\n")
    code, problems, _ = _check(cli, pack)
    assert problems == ["questions: not a folder (it must be a folder of .yaml files)"]


def test_upper_case_and_yml_files_are_read(pack, cli):
    (_questions(pack)).rename(pack / "questions" / "ALL.YAML")
    (pack / "topics" / "ml.yaml").rename(pack / "topics" / "ml.yml")
    code, lines, out = _check(cli, pack)
    assert code == 0 and "6 topics, 8 questions" in out, (lines, out)


# --- encodings and YAML errors ---------------------------------------------------------------------------------------

def test_utf16_file(pack, cli):
    _topics(pack).write_bytes(_topics(pack).read_text().encode("utf-16"))
    code, problems, _ = _check(cli, pack)
    assert problems == ["topics/maths.yaml: the file is UTF-16 text; save it as UTF-8"]


def test_utf16_areas_file_is_not_called_missing(pack, cli):
    (pack / "areas.yaml").write_bytes((pack / "areas.yaml").read_text().encode("utf-16-le"))
    code, problems, _ = _check(cli, pack)
    assert problems == ["areas.yaml: the file is UTF-16 text; save it as UTF-8"]


def test_bom_at_the_start_is_fine_in_the_middle_is_not(pack, cli):
    _topics(pack).write_bytes(b"\xef\xbb\xbf" + _topics(pack).read_bytes())
    assert _check(cli, pack)[0] == 0
    _replace(_questions(pack), "  - id: vectors-tf\n", "\ufeff  - id: vectors-tf\n")
    code, problems, _ = _check(cli, pack)
    assert problems == ["questions/all.yaml:16: a byte-order mark (U+FEFF) in the middle of the file; delete it"]


def test_not_utf8_names_line_and_byte(pack, cli):
    data = _topics(pack).read_bytes().replace(b"Arrows with", b"Arrows \xe9 with")
    _topics(pack).write_bytes(data)
    code, problems, _ = _check(cli, pack)
    assert problems == ["topics/maths.yaml:5: not UTF-8 text (byte 0xe9 at column 21, offset 79); save the file as "
                        "UTF-8"], problems


def test_two_documents_in_one_file(pack, cli):
    _questions(pack).write_text(_questions(pack).read_text() + "---\nquestions: []\n")
    code, problems, _ = _check(cli, pack)
    assert len(problems) == 1 and "one file holds one YAML document" in problems[0], problems


def test_a_topic_that_is_not_a_mapping_has_a_line(pack, cli):
    _replace(_topics(pack), "  - id: matrices\n", "  - just a string\n  - id: matrices\n")
    code, problems, _ = _check(cli, pack)
    assert problems == ["topics/maths.yaml:12: each topic must be a mapping, not text"], problems


# --- alias bombs ---------------------------------------------------------------------------------------------------

def _bomb(levels: int = 12) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + f"\ntopics: *a{levels - 1}\n"


def test_alias_bomb_is_refused(pack, cli):
    (pack / "topics" / "bomb.yaml").write_text(_bomb())
    code, problems, _ = _check(cli, pack)
    assert problems == ["topics/bomb.yaml: YAML aliases expand to more than 500,000 values; write the values out "
                        "instead of repeating anchors"]


def test_alias_bomb_inside_a_field_is_refused(pack, cli):
    text = _topics(pack).read_text()
    bomb = _bomb(8).replace("topics: *a7\n", "")
    _topics(pack).write_text(text.replace("    covers: [dot product, norm]\n", "    covers: *a7\n", 1)
                             .replace("topics:\n", "anchors:\n" + "".join("  " + ln + "\n" for ln in
                                                                          bomb.splitlines()) + "topics:\n", 1))
    code, problems, _ = _check(cli, pack)
    assert code == 2 and all(len(p) < 600 for p in problems), problems


def test_self_referencing_alias(pack, cli):
    (pack / "topics" / "self.yaml").write_text("topics: &x [*x]\n")
    code, problems, _ = _check(cli, pack)
    assert code == 2 and len(problems) == 1 and problems[0].startswith("topics/self.yaml"), problems


# --- long chains ------------------------------------------------------------------------------------------------------

def _chain(folder: Path, n: int) -> Path:
    (folder / "topics").mkdir(parents=True)
    (folder / "areas.yaml").write_text("areas:\n  - {id: a, title: A, order: 1}\n")
    lines = ["topics:"]
    for i in range(n):
        prereq = f"[t{i - 1}]" if i else "[]"
        lines.append(f"  - {{id: t{i}, title: Topic {i}, area: a, hours: 1, prerequisites: {prereq}, "
                     "resources: [{title: r, url: 'https://example.org/', kind: docs}]}")
    (folder / "topics" / "chain.yaml").write_text("\n".join(lines) + "\n")
    return folder


@pytest.mark.parametrize("n", [1500, pytest.param(10_000, marks=pytest.mark.slow)])
def test_a_long_chain_works(tmp_path, cli, monkeypatch, n):
    folder = _chain(tmp_path / "chain", n)
    assert _check(cli, folder)[0] == 0
    monkeypatch.setenv("MLPATH_CONTENT", str(folder))
    code, out, err = cli("next", "--json")
    assert code == 0, err
    assert '"id": "t0"' in out and '"id": "t1"' not in out
    code, out, err = cli("graph")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == n + 1 and max(map(len, lines)) < 400
    code, out, err = cli("graph", f"t{n - 1}", "--format", "mermaid")
    assert code == 0 and out.count("-->") == n - 1, err


def test_a_long_cycle_is_one_problem(tmp_path, cli):
    folder = _chain(tmp_path / "chain", 3000)
    _replace(folder / "topics" / "chain.yaml", "{id: t0, title: Topic 0, area: a, hours: 1, prerequisites: []",
             "{id: t0, title: Topic 0, area: a, hours: 1, prerequisites: [t2999]")
    code, problems, _ = _check(cli, folder)
    assert len(problems) == 1 and problems[0].startswith("topics/chain.yaml:2: prerequisite cycle: t0 -> t1 -> t2 -> "), problems
    assert len(problems[0]) <= 500


# --- foreign data: fewer required fields --------------------------------------------------------------------------------

def test_free_and_summary_may_be_left_out(pack, cli, monkeypatch):
    _replace(_topics(pack), "    summary: Arrows with a length and a direction.\n", "")
    _replace(_topics(pack), '{title: Vectors course, url: "https://example.org/vectors", kind: course, free: true}',
             '{title: Vectors project, url: "https://example.org/vectors", kind: project}')
    _replace(_topics(pack), 'kind: book, free: false', 'kind: repository, free: false')
    assert _check(cli, pack)[0] == 0
    monkeypatch.setenv("MLPATH_CONTENT", str(pack))
    code, out, err = cli("show", "vectors")
    assert code == 0, err
    assert "(no summary yet)" in out
    assert "1. Vectors project (project, cost not known) https://example.org/vectors" in out
    assert "2. Vectors book (repository, paid)" in out
    code, out, err = cli("show", "vectors", "--json")
    data = json.loads(out)
    assert data["summary"] == "" and [r["free"] for r in data["resources"]] == [None, False]


# --- output safety ---------------------------------------------------------------------------------------------------

def test_control_characters_from_the_database_are_escaped(mini, cli):
    assert cli("next")[0] == 0
    from mlpath import paths

    conn = sqlite3.connect(paths.database_file())
    row = conn.execute("SELECT roadmap FROM content_state").fetchone()[0]
    data = json.loads(row)
    data["topics"][0]["title"] = "Vec\x1b]52;c;aGk=\x07tors\x1b[2J"
    data["topics"][0]["summary"] = "evil\x9b31m summary"
    with conn:
        conn.execute("UPDATE content_state SET roadmap = ?", (json.dumps(data),))
    conn.close()
    for args in (["next"], ["show", data["topics"][0]["id"]], ["topics"], ["graph"], ["search", "vec"]):
        code, out, err = cli(*args)
        assert code == 0, err
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", out + err), (args, out)
    code, out, _ = cli("next", "--json")
    assert "\\u001b" in out and "\x1b" not in out


def test_garbage_content_cache_is_rebuilt(mini, cli):
    assert cli("next")[0] == 0
    from mlpath import paths

    conn = sqlite3.connect(paths.database_file())
    with conn:
        conn.execute("UPDATE content_state SET roadmap = ?", ("{not json",))
    conn.close()
    code, out, err = cli("next")
    assert code == 0 and "vectors" in out, err
    conn = sqlite3.connect(paths.database_file())
    assert json.loads(conn.execute("SELECT roadmap FROM content_state").fetchone()[0])["topics"]
    conn.close()


# --- property: random input never crashes content check ---------------------------------------------------------

_yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                          st.text(max_size=20))
_yaml_values = st.recursive(_yaml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_yaml_values, where=st.sampled_from(["topics/maths.yaml", "questions/all.yaml", "areas.yaml",
                                                  "tracks.yaml"]))
def test_random_yaml_never_crashes(pack, cli, data, where):
    import yaml

    (pack / where).write_text(yaml.safe_dump({where.split("/")[0].removesuffix(".yaml"): data}))
    code, out, err = cli("content", "check", str(pack))
    assert code in (0, 2) and "Traceback" not in err and "unexpected error" not in err, err


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300), text=st.text(max_size=200))
def test_random_bytes_never_crash(pack, cli, raw, text):
    _topics(pack).write_bytes(raw)
    _questions(pack).write_text(text)
    code, out, err = cli("content", "check", str(pack))
    assert code in (0, 2) and "Traceback" not in err and "unexpected error" not in err, err


# --- answers: bounded work and size ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("1e999999999", None), ("-1e999999999", None), ("1e-999999999", 0.0), ("1/1e-999999999", None),
    ("9" * 4301, None), ("2.5e3", 2500.0), ("1e1000", None), ("1e-1000", 0.0), ("3/4", 0.75),
    ("1" * 1001, None),
])
def test_hostile_numbers_are_parsed_quickly(text, expected):
    import time

    from mlpath.core.grading import parse_number

    started = time.perf_counter()
    assert parse_number(text) == expected
    assert time.perf_counter() - started < 0.5


def test_answers_are_capped():
    from mlpath.core.grading import MAX_ANSWER, cap, grade_text, normalise_text

    assert MAX_ANSWER == 1000
    assert cap("x" * 5000) == "x" * 1000
    assert len(normalise_text("word " * 10_000)) < 1000
    assert grade_text("unit vector" + " " * 2000 + "junk", ["unit vector"]) is True  # only the first 1,000 count


def test_a_huge_name_is_not_echoed_whole(mini, cli):
    code, out, err = cli("show", "x" * 100_000)
    assert code == 2 and len(err) < 1200 and err.count("\n") == 1, len(err)


def test_a_tab_is_named(pack, cli):
    _replace(_topics(pack), "  - id: vectors\n", "\t- id: vectors\n")
    code, problems, _ = _check(cli, pack)
    assert len(problems) == 1 and problems[0].startswith("topics/maths.yaml:2: YAML error: ") and \
        "a tab: YAML is indented with spaces only" in problems[0], problems


def test_a_tracks_file_with_another_suffix_is_reported(pack, cli):
    (pack / "tracks.yml").write_text("tracks: []\n")
    code, problems, _ = _check(cli, pack)
    assert problems == ["tracks.yml: the tracks file must be named tracks.yaml"]
