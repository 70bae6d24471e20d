"""Nothing from a project or input file can steer the terminal: escapes are shown, not obeyed."""

from __future__ import annotations

import sys

import pytest
from cli_support import run

from coder.domain import ImportRow
from coder.store import create_project

# Set the title, write the clipboard (OSC 52), clear the screen, ring the bell, reorder text.
NASTY = "\x1b]0;owned\x07\x1b]52;c;Y3VybCBldmlsLnNoCg==\x07\x1b[2J\x1b[H\u202e\x9b31m\r"
# What the data carries; the table's own colours (ESC [ n m) are not among them.
ESCAPES = ("\x1b]", "\x1b[2J", "\x1b[H", "\x07", "\x9b", "\u202e", "\r")


@pytest.fixture
def hostile(tmp_path):
    """A project a colleague sent: every name and text carries escape sequences."""
    path = tmp_path / "hostile.db"
    with create_project(path, name=f"Study{NASTY}") as store:
        parent = store.codes.add(f"Theme{NASTY}", description=f"About{NASTY}")
        child = store.codes.add(f"Sub{NASTY}", parent_id=parent)
        import_id = store.imports.begin(f"survey{NASTY}.csv")
        rows = [
            ImportRow(
                f"R{i}{NASTY}",
                f"R{i}",
                f"q{NASTY}",
                f"answer {i}{NASTY}",
                {"role": f"r{i % 2}{NASTY}"},
            )
            for i in range(6)
        ]
        store.imports.write_chunk(import_id, rows, None)
        store.imports.finish(import_id, {})
        for comment in range(1, 7):
            store.codings.apply(comment, parent if comment % 2 else child, f"ann{NASTY}")
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["status", "{p}"],
        ["codebook", "{p}", "show"],
        ["report", "{p}"],
        ["report", "{p}", "--by", "role"],
        ["report", "{p}", "--quotes", "2"],
        ["report", "{p}", "--format", "md", "--out", "-"],
        ["report", "{p}", "--by", f"role{NASTY}"],
        ["report", "{p}", "--coder", f"bob{NASTY}"],
        ["status", f"missing{NASTY}.db"],
    ],
)
def test_no_command_lets_project_data_reach_the_terminal(capsys, monkeypatch, hostile, args):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    code, out, err = run(capsys, *[a.format(p=hostile) for a in args])
    printed = out + err
    assert "owned" in printed or code != 0 or "Theme" in printed  # the data is shown
    assert not any(ch in printed for ch in ESCAPES), repr(printed[:300])


def test_error_messages_are_one_line_and_bounded(capsys, hostile):
    code, _, err = run(capsys, "report", hostile, "--by", "x" * 1_000_000)
    assert code == 1 and err.count("\n") == 1 and len(err) < 1200
    assert "more characters" in err


def test_a_piped_csv_keeps_the_data_as_it_is(capsys, hostile):
    code, out, _ = run(capsys, "report", hostile, "--format", "csv", "--out", "-")
    assert code == 0 and "Theme\x1b]0;owned" in out  # data for a pipe is not rewritten
