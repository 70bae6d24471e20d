"""`coder codebook add|rename|move|merge|delete`: the codebook changed from scripts, undoable."""

from __future__ import annotations

import pytest
from cli_support import run

from coder.store import open_project


def paths(project) -> list[str]:
    with open_project(project) as store:
        return [c.path for c in store.codes.all()]


def test_each_verb_changes_the_codebook_and_says_what_it_did(capsys, mini_project):
    code, out, err = run(capsys, "codebook", mini_project, "add", "Sleep", "--parent", "Feelings",
                         "--description", "Lost sleep", "--coder", "lead")  # fmt: skip
    assert code == 0 and out.strip() == "added Feelings > Sleep", err
    code, out, _ = run(capsys, "codebook", mini_project, "rename", "feelings > sleep", "Rest",
                       "--coder", "lead")  # fmt: skip
    assert out.strip() == "renamed Feelings > Sleep to Feelings > Rest"
    code, out, _ = run(capsys, "codebook", mini_project, "move", "Feelings > Rest", "--top",
                       "--coder", "lead")  # fmt: skip
    assert code == 0 and "Rest" in paths(mini_project)
    code, out, _ = run(capsys, "codebook", mini_project, "merge", "Online", "Workload",
                       "--coder", "lead")  # fmt: skip
    assert code == 0 and out.strip().startswith("merged Online into Workload: 1 codings moved")
    assert "Online" not in paths(mini_project)
    with open_project(mini_project) as store:  # each was one undoable action by the lead
        store.codings.undo("lead")
        assert "Online" in [c.path for c in store.codes.all()]


def test_delete_asks_or_needs_yes_and_counts_the_codings(capsys, mini_project):
    code, _, err = run(capsys, "codebook", mini_project, "delete", "Workload")
    assert code == 1 and "1 codings" in err and "--yes" in err
    assert "Workload" in paths(mini_project)
    code, out, _ = run(capsys, "codebook", mini_project, "delete", "Workload", "--yes")
    assert code == 0 and "1 codings" in out and "Workload" not in paths(mini_project)


@pytest.mark.parametrize(
    "args, message",
    [
        (["add", "  "], "needs a name"),
        (["add", "A > B"], "cannot contain '>'"),
        (["add", "Worry", "--parent", "Nope"], "no code named 'Nope'"),
        (["add", "workload"], "already exists"),
        (["add", "X", "--color", "red"], "#rrggbb"),
        (["rename", "Online", "workload"], "already exists"),
        (["move", "Feelings", "--parent", "Feelings > Worry"], "under itself"),
        (["move", "Feelings"], "--parent PATH or --top"),
        (["merge", "Feelings", "Feelings > Worry"], "its own sub-codes"),
        (["merge", "Online", "Online"], "into itself"),
        (["delete", "Worry"], "--yes"),
    ],
)
def test_mistakes_are_one_line_and_change_nothing(capsys, mini_project, args, message):
    code, _, err = run(capsys, "codebook", mini_project, *args)
    assert code in (1, 2) and message in err and err.count("\n") == 1
    assert paths(mini_project) == [
        "Workload",
        "Feelings",
        "Feelings > Worry",
        "Feelings > Anxiety",
        "Online",
    ]
