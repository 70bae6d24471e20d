"""`coder tui`: the coder name remembered per project, the keys file, one-line errors."""

from __future__ import annotations

import pytest

import coder.cli.tui as tui_cli
from coder.cli import main
from coder.domain import CommentFilter
from coder.errors import CoderError
from coder.store import open_project
from coder.tui import keys


@pytest.fixture
def no_coder_env(monkeypatch):
    monkeypatch.delenv("CODER_NAME", raising=False)
    monkeypatch.setattr(tui_cli, "_login", lambda: "jsmith")
    monkeypatch.setattr(tui_cli, "default_coder", lambda: "jsmith")


def test_coder_name_defaults_to_the_login_and_is_remembered_per_project(
    mini_project, empty_project, no_coder_env, monkeypatch
):
    with open_project(mini_project) as store:
        assert tui_cli.resolve_coder(store, None) == "jsmith"
        assert tui_cli.resolve_coder(store, "  Jo Smith ") == "Jo Smith"
    with open_project(mini_project) as store:
        assert tui_cli.resolve_coder(store, None) == "Jo Smith"
    with open_project(empty_project) as other:
        assert tui_cli.resolve_coder(other, None) == "jsmith"
    monkeypatch.setenv("CODER_NAME", "from-env")
    with open_project(mini_project) as store:
        assert tui_cli.resolve_coder(store, None) == "from-env"
        assert tui_cli.resolve_coder(store, "given") == "given"


@pytest.mark.parametrize("bad", ["   ", "a\x1b[2Jb", "x" * 101])
def test_bad_coder_names_are_refused(mini_project, no_coder_env, bad):
    with open_project(mini_project) as store, pytest.raises(CoderError):
        tui_cli.resolve_coder(store, bad)


def test_tui_command_opens_the_app_with_the_resolved_name(
    mini_project, no_coder_env, monkeypatch, capsys
):
    opened = []

    class FakeApp:
        return_code = 0
        unsaved: list[str] = []

        def __init__(self, path, coder, settings, where=None):
            opened.append((path, coder, settings.keymap, where))

        def run(self):
            return None

    monkeypatch.setattr("coder.tui.app.CoderApp", FakeApp)
    monkeypatch.setattr(tui_cli, "check_terminal", lambda: None)
    monkeypatch.setenv("CODER_CONFIG", str(mini_project.parent / "none.toml"))
    main(["tui", str(mini_project), "--coder", "ana"])
    assert opened == [(mini_project, "ana", {}, None)]
    assert "ana's coding is saved" in capsys.readouterr().out
    # a lead settling disagreements codes as `consensus`, on the unsettled ones first
    main(["tui", str(mini_project), "--consensus"])
    assert opened[-1][1] == "consensus"
    assert opened[-1][3] == CommentFilter(disagreement=True, unsettled=True)
    with pytest.raises(SystemExit):
        main(["tui", str(mini_project), "--consensus", "--coder", "ana"])
    assert "leave out --coder" in capsys.readouterr().err
    with open_project(mini_project) as store:  # and `consensus` is not remembered as ana's name
        assert tui_cli.resolve_coder(store, None) == "ana"


@pytest.mark.parametrize(
    "return_code, unsaved, message",
    [
        (0, ["cannot write to p.db: database or disk is full"], "1 change could not be saved"),
        (1, [], "the workbench stopped on an error"),
    ],
)
def test_the_workbench_never_reports_unsaved_work_as_saved(
    mini_project, no_coder_env, monkeypatch, capsys, return_code, unsaved, message
):
    class FailedApp:
        def __init__(self, path, coder, settings, where=None):
            self.return_code, self.unsaved = return_code, unsaved

        def run(self):
            return None

    monkeypatch.setattr("coder.tui.app.CoderApp", FailedApp)
    monkeypatch.setattr(tui_cli, "check_terminal", lambda: None)
    monkeypatch.setenv("CODER_CONFIG", str(mini_project.parent / "none.toml"))
    with pytest.raises(SystemExit) as exit_:
        main(["tui", str(mini_project), "--coder", "ana"])
    out, err = capsys.readouterr()
    assert exit_.value.code == 1 and message in err and err.count("\n") == 1
    assert "saved in" in err and "coding is saved" not in out


def test_without_a_terminal_the_workbench_refuses_at_once(mini_project, no_coder_env, capsys):
    # Under pytest neither standard input nor output is a terminal.
    with pytest.raises(SystemExit) as exit_:
        main(["tui", str(mini_project), "--coder", "ana"])
    assert exit_.value.code == 1 and "needs a terminal" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, message",
    [
        (["tui", "missing.db"], "no project file"),
        (["tui", "{project}", "--coder", " "], "coder name is empty"),
    ],
)
def test_tui_command_errors_are_one_line(
    mini_project, tmp_path, monkeypatch, capsys, args, message
):
    monkeypatch.chdir(tmp_path)
    args = [a.format(project=mini_project) for a in args]
    with pytest.raises(SystemExit) as exit_:
        main(args)
    err = capsys.readouterr().err
    assert exit_.value.code == 1 and err.startswith("error: ") and message in err
    assert err.count("\n") == 1


def write(tmp_path, text: str):
    path = tmp_path / "keys.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_keys_file_remaps_bindings_and_sets_the_theme(tmp_path):
    path = write(
        tmp_path,
        'theme = "light"\n[keys]\n"coding.next_uncoded" = "N"\n"coding.undo" = ["u", "ctrl+z"]\n',
    )
    settings = keys.load_settings(path)
    assert settings.keymap == {"coding.next_uncoded": "N", "coding.undo": "u,ctrl+z"}
    assert settings.theme == "light" and settings.source == path
    assert keys.load_settings(tmp_path / "absent.toml").keymap == {}


@pytest.mark.parametrize(
    "text, message",
    [
        ("[keys\n", "not valid TOML"),
        ('[keys]\n"coding.nope" = "z"\n', "unknown key binding 'coding.nope'"),
        ('[keys]\n"coding.undo" = "n"\n', "given to both"),
        ('[keys]\n"coding.undo" = ""\n', "must be keys like"),
        ('theme = "pink"\n', "theme must be"),
        ("keys = 3\n", "[keys] must be a table"),
    ],
)
def test_a_broken_keys_file_is_a_clear_error(tmp_path, text, message):
    with pytest.raises(CoderError, match=message.replace("[", r"\[")):
        keys.load_settings(write(tmp_path, text))


def test_keys_file_is_found_through_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CODER_CONFIG", str(tmp_path / "mine.toml"))
    assert keys.config_path() == tmp_path / "mine.toml"
    monkeypatch.delenv("CODER_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert keys.config_path() == tmp_path / "coder" / "keys.toml"


def test_every_binding_has_a_unique_id_and_a_place_in_help():
    ids = [b.id for b in keys.ALL]
    assert None not in ids and len(ids) == len(set(ids))
    in_help = {i for _, group in keys.HELP_GROUPS for i in group}
    code_keys = {b.id for b in keys.CODE_KEYS[1:]}  # shown together as "1 … 9"
    assert in_help | code_keys == set(ids)


def test_importing_the_cli_does_not_load_textual():
    import subprocess
    import sys

    code = "import sys, coder.cli; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_workbench_holds_no_sql():
    from pathlib import Path

    import coder.tui

    for path in Path(coder.tui.__file__).parent.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for word in ("import sqlite3", "sqlite_utils", "SELECT ", "INSERT ", "UPDATE ", "DELETE "):
            assert word not in source, f"{path.name} has {word!r}: SQL belongs in coder/store"
