"""A failed, interrupted or killed import takes out exactly its own rows, never anyone else's.

The colleague is simulated by writing through a second connection from the import's
progress callback, which runs between chunks, each chunk already committed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cli_support import run as run_cli

from coder.corpus import ImportOptions, import_file, importer
from coder.errors import CoderError
from coder.store import open_project
from coder.store.imports import Imports

GOOD = [("11", "nurse", "first new answer"), ("12", "nurse", "second new answer")]
GOOD += [("13", "teacher", "third new answer"), ("14", "teacher", "fourth new answer")]
GOOD += [("15", "police", "fifth new answer"), ("16", "police", "sixth new answer")]
BROKEN = '17,police,"never closed\n'


def survey(path: Path, rows=GOOD, tail: str = BROKEN, codes: list[str] | None = None) -> Path:
    header = "id,role,answer" + (",codes" if codes else "")
    lines = [",".join((*r, codes[i]) if codes else r) for i, r in enumerate(rows)]
    path.write_text(header + "\n" + "".join(f"{line}\n" for line in lines) + tail)
    return path


def code_id(store, path: str) -> int:
    return next(c.id for c in store.codes.all() if c.path == path)


def source_ids(project: Path) -> set[str]:
    with sqlite3.connect(project) as conn:
        return {r[0] for r in conn.execute("SELECT source_id FROM comments")}


def do_import(project: Path, path: Path, progress=None, **options) -> object:
    options.setdefault("text", ["answer"])
    options.setdefault("id", "id")
    options.setdefault("attrs", ["role"])
    with open_project(project) as store:
        return import_file(store, path, ImportOptions(**options), progress=progress)


def after_chunk(project: Path, *actions):
    """A progress callback running actions[0] after the first chunk, actions[1] after the
    second, ... each through its own connection, as a colleague at another screen."""
    calls = []

    def progress(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) <= len(actions):
            with open_project(project) as colleague:
                actions[len(calls) - 1](colleague)

    return progress


def test_a_failed_import_keeps_what_colleagues_did_meanwhile(mini_project, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_COMMENTS", 2)
    with open_project(mini_project) as store:
        workload, online = code_id(store, "Workload"), code_id(store, "Online")
        old = store.comments.by_source_id("3:q2").id
        old_log = len(store.codings.history(store.comments.by_source_id("1:q1").id))

    def first(colleague) -> None:  # comments 11 and 12 are in the project now
        colleague.codings.apply(colleague.comments.by_source_id("11").id, workload, "alice")
        colleague.memos.write(
            "ask about this", "bob", comment_id=colleague.comments.by_source_id("12").id
        )
        colleague.codings.apply(old, online, "carol")

    def second(colleague) -> None:  # 13 and 14: alice codes 13 and takes it back
        c13 = colleague.comments.by_source_id("13").id
        colleague.codings.toggle(c13, online, "alice")
        colleague.codings.toggle(c13, online, "alice")

    progress = after_chunk(mini_project, first, second)
    with pytest.raises(CoderError) as failed:
        do_import(mini_project, survey(tmp_path / "s.csv"), progress)
    message = str(failed.value)
    assert "line 8" in message and "cut short" in message
    assert "kept 3 comments that alice coded or bob wrote a memo on while the import ran" in message

    assert {"11", "12", "13"} <= source_ids(mini_project)
    assert not {"14", "15", "16"} & source_ids(mini_project)
    with open_project(mini_project) as store:
        c11, c12, c13 = (store.comments.by_source_id(s) for s in ("11", "12", "13"))
        assert [(k.code_id, k.coder) for k in store.codings.of_comment(c11.id)] == [
            (workload, "alice")
        ]
        assert [m.text for m in store.memos.on(comment_id=c12.id)] == ["ask about this"]
        assert [h.action for h in store.codings.history(c13.id)] == ["add", "remove"]
        assert [(k.code_id, k.coder) for k in store.codings.of_comment(old)] == [(online, "carol")]
        assert len(store.codings.history(store.comments.by_source_id("1:q1").id)) == old_log
        # The kept comments keep their respondents, attributes and question.
        assert store.comments.respondent(c11.respondent_id).attributes == {"role": "nurse"}
        assert c11.question == "answer"
        conn = store.db.conn
        found = conn.execute("SELECT rowid FROM comments_fts WHERE comments_fts MATCH 'new'")
        assert {r[0] for r in found} == {c11.id, c12.id, c13.id}
        assert store.status().incomplete_imports == 1

    # Once the file is mended, running the import again completes it: no warning is left.
    summary = do_import(mini_project, survey(tmp_path / "s.csv", tail=""))
    assert summary.comments_added == 3 and summary.already_present == 3
    assert summary.completed_imports == 1
    with open_project(mini_project) as store:
        assert store.status().incomplete_imports == 0
        assert len(store.codings.of_comment(store.comments.by_source_id("11").id)) == 1


def test_an_interrupted_import_names_what_it_kept(mini_project, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_COMMENTS", 2)

    def code_11(colleague) -> None:
        comment = colleague.comments.by_source_id("11").id
        colleague.codings.apply(comment, code_id(colleague, "Workload"), "alice")

    def interrupt(colleague) -> None:
        raise KeyboardInterrupt

    progress = after_chunk(mini_project, code_11, interrupt)
    with pytest.raises(KeyboardInterrupt) as stopped:
        do_import(mini_project, survey(tmp_path / "s.csv", tail=""), progress)
    assert stopped.value.__notes__ == [
        "kept 1 comment that alice coded while the import ran (run the import again to complete it)"
    ]
    assert source_ids(mini_project) >= {"11"} and not source_ids(mini_project) & {"12", "13"}


def test_the_command_says_what_an_interruption_kept(mini_project, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(importer, "CHUNK_COMMENTS", 2)

    def interrupted(*args, **kwargs) -> None:
        with open_project(mini_project) as colleague:
            comment = colleague.comments.by_source_id("11").id
            colleague.codings.apply(comment, code_id(colleague, "Workload"), "alice")
        raise KeyboardInterrupt

    path = survey(tmp_path / "s.csv", tail="")
    args = ["import", mini_project, path, "--text", "answer", "--id", "id"]
    monkeypatch.setattr("coder.cli.progress.progress_bar", bar_calling(interrupted))
    code, _, err = run_cli(capsys, *args)
    assert code == 130
    assert err.strip() == (
        "Interrupted; kept 1 comment that alice coded while the import ran "
        "(run the import again to complete it)."
    )


def bar_calling(callback):
    """A progress bar for `coder import` that calls back after the first chunk."""
    from contextlib import contextmanager

    @contextmanager
    def bar(label: str, quiet: bool = False):
        yield callback

    return bar


def test_a_failed_import_leaves_older_empty_questions(mini_project, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_COMMENTS", 2)
    with sqlite3.connect(mini_project) as conn:
        conn.execute("INSERT INTO questions (name, position) VALUES ('asked, not answered', 9)")
    with pytest.raises(CoderError, match="cut short"):
        do_import(mini_project, survey(tmp_path / "s.csv"))
    with open_project(mini_project) as store:
        names = [q.name for q in store.comments.questions()]
    assert "asked, not answered" in names and "answer" not in names  # its own one went


def test_a_code_the_import_created_stays_while_someone_uses_it(mini_project, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_COMMENTS", 2)

    def use_budgets(colleague) -> None:
        old = colleague.comments.by_source_id("1:q1").id
        colleague.codings.apply(old, code_id(colleague, "Budgets"), "alice")

    progress = after_chunk(mini_project, use_budgets)
    codes = ["Budgets", "Workload", "Cuts", "", "", ""]
    path = survey(tmp_path / "s.csv", codes=codes)
    with pytest.raises(CoderError) as failed:
        do_import(mini_project, path, progress, codes=["codes"], coder="lead", create_codes=True)
    assert "kept 1 new code in use: Budgets" in str(failed.value)
    with open_project(mini_project) as store:
        paths = [c.path for c in store.codes.all()]
        assert "Budgets" in paths and "Cuts" not in paths
        assert store.codings.coders() == ["alice"]  # the import's own codings are gone
        logged = store.db.column("SELECT DISTINCT coder FROM coding_log")
        assert "lead" not in logged
        assert store.status().incomplete_imports == 1  # the code still names the import


def test_a_killed_import_is_completed_by_running_it_again(
    mini_project, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(importer, "CHUNK_COMMENTS", 2)

    class Killed(BaseException):
        pass

    def kill(done: int, total: int) -> None:
        raise Killed

    # Killed outright: nothing after the kill runs, so nothing is taken out.
    monkeypatch.setattr(Imports, "undo", lambda self, import_id: None)
    with pytest.raises(Killed):
        do_import(mini_project, survey(tmp_path / "s.csv", tail=""), kill)
    monkeypatch.undo()
    monkeypatch.setattr(importer, "CHUNK_COMMENTS", 2)
    assert {"11", "12"} <= source_ids(mini_project)
    code, out, _ = run_cli(capsys, "status", mini_project)
    assert "1 import(s) did not finish" in out

    path = survey(tmp_path / "s.csv", tail="")
    code, out, _ = run_cli(capsys, "import", mini_project, path, "--text", "answer", "--id", "id")
    assert code == 0 and "added 4 comments" in out and "skipped 2 comments already" in out
    assert "completed 1 unfinished import(s) of this file" in out
    code, out, _ = run_cli(capsys, "status", mini_project)
    assert "did not finish" not in out
    with open_project(mini_project) as store:
        assert store.status().incomplete_imports == 0
        rows = store.db.execute("SELECT id, status, completed_by FROM imports ORDER BY id")
        *_, killed, rerun = rows.fetchall()
        assert killed[1:] == ("done", rerun[0]) and rerun[1] == "done"


def test_duplicates_across_chunks_and_on_a_second_run(empty_project, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_COMMENTS", 1)
    rows = [("1", "a", "first"), ("2", "b", "x"), ("1", "c", "again"), ("3", "d", "y")]
    rows += [("2", "e", "and again")]
    path = survey(tmp_path / "s.csv", rows=rows, tail="")
    first = do_import(empty_project, path)
    assert (first.comments_added, first.duplicate_ids, first.already_present) == (3, 2, 0)
    assert first.duplicate_examples == ["1", "2"]
    second = do_import(empty_project, path)
    assert (second.comments_added, second.duplicate_ids, second.already_present) == (0, 2, 3)
    monkeypatch.setattr(importer, "CHUNK_COMMENTS", 100)  # all in one chunk
    third = do_import(empty_project, path)
    assert (third.comments_added, third.duplicate_ids, third.already_present) == (0, 2, 3)
    with open_project(empty_project) as store:
        assert store.comments.by_source_id("1").text == "first"
        assert store.comments.respondent(store.comments.by_source_id("1").respondent_id)
        assert store.comments.respondent(
            store.comments.by_source_id("2").respondent_id
        ).attributes == {"role": "b"}


def test_the_files_links_hold_after_imports(mini_project, tmp_path, monkeypatch):
    """Ids handed out by the import itself point where they should."""
    monkeypatch.setattr(importer, "CHUNK_COMMENTS", 3)
    rows = [(str(i), f"role {i % 4}", f"answer {i}") for i in range(40)]
    codes = ["Workload; Online" if i % 3 else "" for i in range(40)]
    do_import(mini_project, survey(tmp_path / "s.csv", rows=rows, tail="", codes=codes),
              codes=["codes"], coder="lead")  # fmt: skip
    do_import(
        mini_project, survey(tmp_path / "t.csv", rows=rows[20:] + [("99", "x", "y")], tail="")
    )
    with sqlite3.connect(mini_project) as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        joined = conn.execute(
            "SELECT c.source_id, r.source_id, a.value, c.text FROM comments c "
            "JOIN respondents r ON r.id = c.respondent_id "
            "JOIN respondent_attributes a ON a.respondent_id = r.id AND a.name = 'role' "
            "WHERE c.source_id IN ('7', '99')"
        ).fetchall()
        assert sorted(joined) == [("7", "7", "role 3", "answer 7"), ("99", "99", "x", "y")]
        found = conn.execute(
            "SELECT rowid FROM comments_fts WHERE comments_fts MATCH '\"answer 7\"'"
        )
        (rowid,) = found.fetchone()
        assert conn.execute("SELECT source_id FROM comments WHERE id = ?", (rowid,)).fetchone() == (
            "7",
        )
        coded = conn.execute(
            "SELECT count(*) FROM codings k JOIN comments c ON c.id = k.comment_id "
            "WHERE k.coder = 'lead' AND c.source_id = '7'"
        ).fetchone()
        assert coded == (2,)
