"""The `coder` command as a user runs it: help, exit codes, one-line errors, the demo."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import click
import pytest
from cli_support import all_commands, command_at, help_argv, run


def test_every_command_has_help(capsys):
    commands = list(all_commands())
    for required in ["init", "import", "codebook", "status", "demo"]:
        assert (required,) in commands
    for path in commands:
        code, out, err = run(capsys, *help_argv(path))
        assert code == 0, (path, err)
        assert "Usage:" in out and len(out.splitlines()) > 3
        command = command_at(path)
        described = " ".join((command.help or "").split())
        assert described, f"coder {' '.join(path)} says nothing about what it does"
        assert described[:40] in " ".join(out.split()), path
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"coder {' '.join(path)} {param.opts[0]} has no help"


def test_init_import_status_codebook(capsys, tmp_path, fixtures):
    project = tmp_path / "p.db"
    code, out, _ = run(capsys, "init", project, "--codebook", fixtures / "mini-codebook.yaml")
    assert code == 0 and "5 codes" in out
    code, _, err = run(capsys, "init", project)
    assert code == 1 and "already exists" in err and err.count("\n") == 1
    code, out, err = run(
        capsys,
        "import",
        project,
        fixtures / "mini-survey.csv",
        "--text",
        "q1",
        "--id",
        "id",
        "--attr",
        "role",
        "--codes",
        "q1_codes",
        "--coder",
        "lead",
        "-q",
    )
    assert code == 0, err
    assert "added 4 comments" in out and "skipped 1 empty answers" in out
    assert "imported 5 codings by lead" in out
    code, out, _ = run(capsys, "status", project)
    lines = dict(line.split(None, 1) for line in out.splitlines() if line.split())
    assert lines["comments"].strip() == "4" and lines["coded"].startswith("4")
    assert lines["uncoded"].strip() == "0" and lines["coders"].strip() == "lead"
    code, out, _ = run(capsys, "codebook", project, "show")
    assert "Feelings  [0 direct, 1 with sub-codes]" in out and "  Worry  [1 direct]" in out
    out_file = tmp_path / "cb.json"
    assert run(capsys, "codebook", project, "export", out_file)[0] == 0
    other = tmp_path / "q.db"
    run(capsys, "init", other)
    code, out, _ = run(capsys, "codebook", other, "import", out_file)
    assert code == 0 and "added 5 codes" in out


@pytest.mark.parametrize(
    "argv,message",
    [
        (["status", "{dir}/missing.db"], "no project file"),
        (["status", "{dir}/notes.txt"], "not a coder project file"),
        (["status", "{dir}"], "is a directory"),
        (["import", "{project}", "{dir}/nothing.csv", "--text", "a"], "no file at"),
        (
            ["import", "{project}", "{fixtures}/mini-survey.csv", "--text", "nope"],
            "no column 'nope'",
        ),
        (
            [
                "import",
                "{project}",
                "{fixtures}/mini-survey.csv",
                "--text",
                "q1",
                "--codes",
                "q1_codes",
            ],
            None,
        ),
        (["codebook", "{project}", "import", "{dir}/notes.txt"], ".yaml, .yml or .json"),
        (["codebook", "{project}", "export", "{dir}/cb.docx"], ".yaml, .yml or .json"),
        (["init", "{dir}/nowhere/p.db"], "does not exist"),
        (["status"], "Missing argument"),
        (["import", "{project}", "{fixtures}/mini-survey.csv", "--bogus"], "No such option"),
    ],
)
def test_bad_input_is_one_line_without_traceback(capsys, tmp_path, fixtures, argv, message):
    project = tmp_path / "p.db"
    (tmp_path / "notes.txt").write_text("hello")
    run(capsys, "init", project)
    before = sqlite3.connect(project).execute("SELECT count(*) FROM comments").fetchone()
    argv = [a.format(dir=tmp_path, project=project, fixtures=fixtures) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code != 0
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    if message:
        assert message in err
    else:  # the codes column names codes the empty codebook lacks
        assert "unknown codes" in err and "'Workload'" in err
    assert sqlite3.connect(project).execute("SELECT count(*) FROM comments").fetchone() == before


def test_locked_project_is_a_clear_error(capsys, tmp_path, fixtures, monkeypatch):
    from coder.store import db as core

    monkeypatch.setattr(core, "BUSY_TIMEOUT_MS", 100)
    project = tmp_path / "p.db"
    run(capsys, "init", project)
    holder = sqlite3.connect(project, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, _, err = run(capsys, "import", project, fixtures / "mini-survey.csv", "--text", "q1")
    finally:
        holder.execute("ROLLBACK")
    assert code == 1 and "locked" in err and err.count("\n") == 1


def test_demo_builds_once_and_reopens(capsys, tmp_path):
    folder = tmp_path / "demo"
    code, out, err = run(capsys, "demo", folder, "--no-tui")
    assert code == 0, err
    assert "built" in out and "628 comments" in out and "coded          205" in out
    code, out, _ = run(capsys, "demo", folder, "--no-tui")
    assert "reopening" in out
    code, out, _ = run(capsys, "demo", folder, "--no-tui", "--fresh")
    assert "built" in out


def test_console_entry_point_runs_as_a_program(tmp_path):
    project = tmp_path / "p.db"
    result = subprocess.run(
        [sys.executable, "-m", "coder", "init", str(project)], capture_output=True, text=True
    )
    assert result.returncode == 0 and project.exists()
    result = subprocess.run(
        [sys.executable, "-m", "coder", "status", str(tmp_path / "x.db")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: no project file") and "Traceback" not in result.stderr
