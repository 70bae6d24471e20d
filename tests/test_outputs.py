"""Output files: written whole, only ever as regular files, never over a project or a device."""

from __future__ import annotations

import os

import pytest
from cli_support import run

from coder.files import output_target, write_atomically


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda tmp, fifo: fifo, "not a regular file"),
        (lambda tmp, fifo: tmp, "is a directory"),
        (lambda tmp, fifo: "/dev/null", "not a regular file"),
        (lambda tmp, fifo: _link(tmp / "to-pipe.csv", fifo), "not a regular file"),
        (lambda tmp, fifo: _link(tmp / "dangling.csv", tmp / "nowhere" / "x"), "does not exist"),
    ],
)
def test_report_refuses_what_a_file_would_replace(
    capsys, mini_project, tmp_path, fifo, make, message
):
    target = make(tmp_path, fifo)
    code, out, err = run(capsys, "report", mini_project, "--format", "csv", "--out", target)
    assert code in (1, 2) and message in err and err.count("\n") == 1
    if str(target) == "/dev/null":
        assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


def test_a_project_file_is_never_overwritten_by_output(capsys, mini_project, tmp_path):
    before = mini_project.read_bytes()
    code, _, err = run(capsys, "report", mini_project, "--format", "csv", "--out", mini_project)
    assert code == 1 and "coder project file" in err
    code, _, err = run(capsys, "export", mini_project, tmp_path / "x.csv")
    assert code == 0
    assert mini_project.read_bytes() == before


def test_a_link_to_a_file_is_followed_and_stays_a_link(capsys, mini_project, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old", encoding="utf-8")
    link = _link(tmp_path / "link.csv", real)
    code, _, err = run(capsys, "report", mini_project, "--out", link)
    assert code == 0, err
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("code,comments")


def test_dash_is_standard_output_where_the_format_allows(capsys, mini_project, tmp_path):
    code, out, err = run(capsys, "report", mini_project, "--format", "csv", "--out", "-")
    assert code == 0 and out.startswith("code,comments") and not (tmp_path / "-").exists()
    code, out, err = run(capsys, "report", mini_project, "--out", "-")
    assert code == 1 and "--format" in err
    code, out, err = run(capsys, "report", mini_project, "--format", "xlsx", "--out", "-")
    assert code == 1 and "xlsx" in err


def test_suggestions_can_go_to_standard_output_with_the_summary_apart(capsys, demo_project):
    assert run(capsys, "train", demo_project, "--budget", "0", "--features", "tfidf")[0] == 0
    code, out, err = run(capsys, "suggest", demo_project, "--out", "-")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "comment_id,code,probability,text,explanation,model_version,tier,code_precision"
    )
    assert len(lines) > 1 and "scored" in err and "scored" not in out
    code, _, err = run(capsys, "evaluate", demo_project, "--plot", "-")
    assert code == 1 and "needs a file name" in err


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old", encoding="utf-8")

    def broken(target):
        target.write_text("half", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomically(path, broken)
    assert path.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
    assert output_target(path) == path


def _link(link, target):
    link.symlink_to(target)
    return link
