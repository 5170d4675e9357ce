"""The CLI in-process through CliRunner and the real error boundary: output, JSON fields, exit codes."""

import json

import pytest


def test_version(cli):
    code, out, _ = cli("--version")
    assert code == 0 and out.startswith("mlpath ")


def test_no_arguments_shows_help(cli):
    code, out, _ = cli()
    assert code == 0 and "next" in out and "quiz" in out


def commands():
    from mlpath.cli.app import register_all

    app = register_all()
    import typer.main

    group = typer.main.get_command(app)
    out = []
    for name, cmd in group.commands.items():
        out.append([name])
        for sub in getattr(cmd, "commands", {}):
            out.append([name, sub])
    return out


@pytest.mark.parametrize("path", commands(), ids=lambda p: " ".join(p))
def test_every_command_has_help(cli, path):
    code, out, _ = cli(*path, "--help")
    assert code == 0 and "Usage:" in out
    from mlpath.cli.app import register_all

    app = register_all()
    import typer.main

    cmd = typer.main.get_command(app)
    for part in path:
        cmd = cmd.commands[part]
    assert cmd.help, f"{' '.join(path)} has no help text"


def test_next_json_fields(cli, mini):
    code, out, _ = cli("next", "--json")
    data = json.loads(out)
    assert code == 0
    assert [t["id"] for t in data["topics"]] == ["vectors", "derivatives"]
    t = data["topics"][0]
    assert {"id", "title", "area", "status", "reason", "resource"} <= set(t)
    assert t["resource"]["url"] == "https://example.org/vectors"
    assert data["due"] == 0


def test_next_plain_text_in_a_pipe(cli, mini):
    code, out, _ = cli("next", "--limit", "1")
    assert code == 0
    assert "vectors - Vectors" in out and "no prerequisites · unlocks 1 topic" in out
    assert "\x1b[" not in out  # no colour codes in a pipe


def test_start_done_then_next_moves_on(cli, mini):
    assert cli("start", "vectors")[0] == 0
    code, out, _ = cli("next", "--json")
    assert json.loads(out)["topics"][0] == {**json.loads(out)["topics"][0], "id": "vectors", "status": "in_progress"}
    code, out, _ = cli("done", "vectors")
    assert code == 0 and "Now unlocked: matrices" in out
    ids = [t["id"] for t in json.loads(cli("next", "--json")[1])["topics"]]
    assert "matrices" in ids and "vectors" not in ids


def test_done_with_missing_prerequisites_needs_force(cli, mini):
    code, _, err = cli("done", "linear-regression")
    assert code == 2 and "--force" in err and err.count("\n") == 1
    code, out, _ = cli("done", "linear-regression", "--force")
    assert code == 0


def test_skip_counts_as_finished_and_reset_clears(cli, mini):
    cli("skip", "vectors")
    data = json.loads(cli("progress", "--json")[1])
    assert data["skipped"] == 1 and data["total"] == 6
    cli("reset", "vectors")
    data = json.loads(cli("progress", "--json")[1])
    assert data["skipped"] == 0


def test_progress_json_fields(cli, mini):
    cli("done", "vectors")
    data = json.loads(cli("progress", "--json")[1])
    assert {"total", "done", "in_progress", "skipped", "areas", "due", "reviews"} <= set(data)
    maths = next(a for a in data["areas"] if a["id"] == "maths")
    assert {"id", "title", "total", "done"} <= set(maths) and maths["done"] == 1 and maths["total"] == 3
    assert json.loads(cli("progress", "--area", "ml", "--json")[1])["total"] == 3


def test_topics_json_is_the_whole_roadmap(cli, mini):
    data = json.loads(cli("topics", "--json")[1])
    assert len(data) == 6
    for t in data:
        assert {"id", "title", "area", "status", "prerequisites", "aliases", "covers", "resources", "questions"} <= set(t)
        for r in t["resources"]:
            assert {"title", "url", "kind"} <= set(r)
    by = {t["id"]: t for t in data}
    assert by["linear-regression"]["prerequisites"] == ["matrices", "gradient-descent"]
    assert by["vectors"]["questions"] == 6


def test_topics_filters(cli, mini):
    cli("done", "vectors")
    ids = [t["id"] for t in json.loads(cli("topics", "--status", "available", "--json")[1])]
    assert ids == ["matrices", "derivatives"]
    ids = [t["id"] for t in json.loads(cli("topics", "--status", "done", "--json")[1])]
    assert ids == ["vectors"]
    code, _, err = cli("topics", "--status", "finished-ish")
    assert code == 2 and "unknown status" in err


def test_show_json_and_alias(cli, mini):
    data = json.loads(cli("show", "OLS", "--json")[1])
    assert data["id"] == "linear-regression"
    assert data["prerequisites"] == ["matrices", "gradient-descent"] and data["unlocks"] == []
    assert data["resources"][0] == {"title": "LR docs", "url": "https://example.org/lr", "kind": "docs", "free": True}
    area = json.loads(cli("show", "maths", "--json")[1])
    assert area["kind"] == "area" and len(area["topics"]) == 3


def test_unknown_topic_says_did_you_mean(cli, mini):
    code, out, err = cli("show", "vectr")
    assert code == 2 and out == ""
    assert err == "mlpath: error: unknown topic or area 'vectr'; did you mean vectors?\n"


def test_area_where_a_topic_is_needed(cli, mini):
    code, _, err = cli("start", "maths")
    assert code == 2 and "is an area" in err


@pytest.mark.parametrize("args", [["next", "--limit", "0"], ["next", "--limit", "x"], ["next", "--bogus"],
                                  ["nope"], ["next", "--area", "nowhere"], ["resources", "vectors", "--open", "9"],
                                  ["quiz", "vectors", "--new", "-1"], ["show"]])
def test_user_mistakes_exit_2_with_one_line(cli, mini, args):
    code, _, err = cli(*args)
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("mlpath: error:") and "Traceback" not in err


def test_search_typos(cli, mini):
    data = json.loads(cli("search", "lineer", "regresion", "--json")[1])
    assert data[0]["id"] == "linear-regression"
    data = json.loads(cli("search", "chain rule", "--json")[1])
    assert data[0]["id"] == "derivatives"


def test_resources_lists_links(cli, mini):
    code, out, _ = cli("resources", "vectors")
    assert code == 0 and "https://example.org/vbook" in out and "paid" in out


def test_resources_open_uses_the_browser(cli, mini, monkeypatch):
    opened = []
    import webbrowser

    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    code, _, _ = cli("resources", "vectors", "--open", "2")
    assert code == 0 and opened == ["https://example.org/vbook"]


def test_quiz_in_a_pipe(cli, mini):
    code, out, _ = cli("quiz", "vectors", "--new", "2", input="5\nbanana\n")  # "5" is the option text
    assert code == 0
    assert "correct. saved" in out and "not a valid answer ('banana'" in out and "counted as wrong" in out
    assert "Done: 2 answered, 1 right, 1 wrong" in out
    assert json.loads(cli("progress", "--json")[1])["reviews"] == 2


def test_quiz_nothing_to_do_exits_0(cli, mini):
    code, out, _ = cli("quiz", "pca")
    assert code == 0 and "no questions yet" in out
    code, out, _ = cli("review")
    assert code == 0 and "No reviews due" in out


def test_content_check(cli, mini):
    code, out, _ = cli("content", "check", str(mini))
    assert code == 0 and "OK" in out and "6 topics" in out
    (mini / "topics" / "ml.yaml").write_text((mini / "topics" / "ml.yaml").read_text().replace("[derivatives]", "[derivs]"))
    code, _, err = cli("content", "check", str(mini))
    assert code == 2 and "unknown prerequisite 'derivs'" in err and "topics/ml.yaml:" in err


def test_broken_custom_content_is_one_line(cli, mini):
    (mini / "areas.yaml").write_text("areas: [\n")
    code, _, err = cli("next")
    assert code == 2 and "areas.yaml:" in err and "YAML error" in err and err.count("\n") == 1


def test_completion_offers_topic_ids(mini):
    from mlpath.cli.common import complete_topic

    assert complete_topic("ve") == ["vectors"]
    assert "maths" in complete_topic("ma")


def test_every_command_is_registered_by_the_group_start_up_imports_for_it():
    """Start-up registers only the group of the command being run: the table must name every command's group."""
    import typer

    from mlpath.cli import app as cli_app

    names = set(typer.main.get_command(cli_app.register_all()).commands)
    assert names == set(cli_app._GROUP_OF)
    for group, commands in cli_app._GROUPS.items():
        for name in commands:  # registering the group alone gives the command
            fresh = typer.Typer()
            import importlib

            module = importlib.import_module(f"mlpath.cli.{group}")
            if group == "content_cmd":
                fresh.add_typer(module.app, name="content")
            else:
                module.register(fresh)
            fresh.callback()(lambda: None)
            assert name in typer.main.get_command(fresh).commands, (group, name)
