"""Killed at any moment, nothing committed is lost: SIGKILL at many points of long work.

Each child prints a line at every step it reaches (a progress callback, a key press) and
is killed outright after the k-th; the project must then open, pass SQLite's integrity
check, hold everything that was reported done, and let the same work run to the end.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from coder.store import open_project


def kill_after(script: str, steps: int, *args: str, gated: bool = False) -> list[str]:
    """Run a child, read `steps` lines from it, then SIGKILL it; the lines it printed.

    A `gated` child waits for a line on its standard input after each line it prints, so
    it is killed exactly where its last line says it was, not a step further on.
    """
    with tempfile.TemporaryFile(mode="w+") as errors:
        child = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(script), *args],
            stdin=subprocess.PIPE if gated else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        seen: list[str] = []
        try:
            assert child.stdout is not None
            while len(seen) < steps:
                line = child.stdout.readline()
                if not line:
                    break  # it finished before the chosen step: the end is a point too
                seen.append(line.strip())
                if gated and len(seen) < steps and child.stdin is not None:
                    child.stdin.write("\n")
                    child.stdin.flush()
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
        errors.seek(0)
        problem = errors.read()
    assert seen or not problem, problem[-3000:]  # it died on its own: say why
    return seen


def healthy(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


TRAIN = """
import sys
from coder.store import open_project
from coder.suggest import train, suggest
with open_project(sys.argv[1]) as store:
    def step(message, fraction):
        print(message, flush=True)
    train(store, progress=step, budget=0, features="tfidf")
    suggest(store, progress=step, chunk_size=40)
    print("done", flush=True)
"""


@pytest.fixture(scope="module")
def trained_once(tmp_path_factory):
    """The demo with one model already trained, so a killed training has one to keep."""
    from coder.demo import build_demo, demo_project_path
    from coder.suggest import suggest, train

    folder = tmp_path_factory.mktemp("crash")
    build_demo(folder)
    path = demo_project_path(folder)
    with open_project(path) as store:
        train(store, budget=0, features="tfidf")
        suggest(store)
    return path


@pytest.mark.parametrize("steps", [1, 6, 15, 30])
def test_training_and_suggesting_killed_anywhere_keep_a_usable_model(tmp_path, trained_once, steps):
    import shutil

    path = tmp_path / "p.db"
    shutil.copy(trained_once, path)
    with open_project(path) as store:
        first = store.models.latest().id
    kill_after(TRAIN, steps, str(path))
    healthy(path)
    with open_project(path) as store:
        latest = store.models.latest()
        assert latest.id in (first, first + 1)
        assert store.models.blob(latest.id), "the newest model version has its arrays"
        pending = store.status().pending_suggestions
    from coder.suggest import suggest

    with open_project(path) as store:  # and the work runs to the end after it
        report = suggest(store)
        assert report.version == latest.id and store.status().pending_suggestions >= 0
    assert pending >= 0


WORKBENCH = """
import asyncio, json, sys
from coder.tui.app import CoderApp

async def main():
    app = CoderApp(sys.argv[1], "kim")
    async with app.run_test(size=(100, 30)) as pilot:
        for key in ["1", "j", "2", "3", "v", "w", "w", "1", "j", "u", "j", "2", "m"]:
            await pilot.press(key)
            shown = app.screen.session.shown
            if shown is None:
                continue
            mine = sorted([k.code_id, k.start] for k in shown.codings if k.coder == "kim")
            print(json.dumps([shown.comment.source_id, mine]), flush=True)
            sys.stdin.readline()  # the next key only when the test says so
        await asyncio.sleep(60)

asyncio.run(main())
"""


@pytest.mark.parametrize("steps", [2, 5, 8, 11])
def test_the_workbench_killed_after_any_key_keeps_what_it_showed(mini_project, steps):
    lines = kill_after(WORKBENCH, steps, str(mini_project), gated=True)
    assert lines
    healthy(mini_project)
    last: dict[str, list] = {}
    for line in lines:
        source_id, mine = json.loads(line)
        last[source_id] = mine
    with open_project(mini_project) as store:
        for source_id, mine in last.items():
            comment = store.comments.by_source_id(source_id)
            stored = sorted(
                [k.code_id, k.start]
                for k in store.codings.of_comment(comment.id)
                if k.coder == "kim"
            )
            assert stored == mine, source_id


IMPORT = """
import sys
import coder.corpus.importer as importer
from coder.corpus import ImportOptions, import_file
from coder.store import open_project
importer.CHUNK_COMMENTS = 150  # many chunks, each committed: many points to be killed at
with open_project(sys.argv[1]) as store:
    def step(done, total):
        print(done, flush=True)
    options = ImportOptions(text=["q1", "q2"], id="id", attrs=["role"], codes=["c1", "c2"],
                            coder="ann")
    import_file(store, sys.argv[2], options, progress=step)
    print("done", flush=True)
"""


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    import csv

    path = tmp_path_factory.mktemp("survey") / "survey.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "role", "q1", "c1", "q2", "c2"])
        for i in range(3000):
            writer.writerow([f"R{i:05d}", "teacher", f"answer {i} about supervision",
                             "Workload" if i % 3 == 0 else "", f"second {i}", ""])  # fmt: skip
    return path


@pytest.mark.parametrize("steps", [1, 2, 3, 5, 8, 12, 16, 21, 26, 31, 37, 44])
def test_an_import_killed_anywhere_keeps_what_it_committed_and_completes_on_a_rerun(
    tmp_path, mini_project, survey, steps
):
    import shutil

    path = tmp_path / "p.db"
    shutil.copy(mini_project, path)
    with open_project(path) as store:
        before = store.status().comments
    kill_after(IMPORT, steps, str(path), str(survey))
    healthy(path)
    with open_project(path) as store:
        middle = store.status()
        assert before <= middle.comments <= before + 6000
        # Every imported coding belongs to a comment the import kept, never half a row.
        for comment in range(before + 1, middle.comments + 1):
            for coding in store.codings.of_comment(comment):
                assert coding.coder == "ann"
    from coder.corpus import ImportOptions, import_file

    with open_project(path) as store:
        options = ImportOptions(text=["q1", "q2"], id="id", attrs=["role"], codes=["c1", "c2"],
                                coder="ann")  # fmt: skip
        import_file(store, survey, options)
        after = store.status()
    assert after.comments == before + 6000 and after.incomplete_imports == 0
    assert after.respondents == 5 + 3000  # the mini project's five, and no phantom ones


def kill_at(seconds: float, *argv: str) -> None:
    """Run `coder ARGV` in a child and SIGKILL it after so many seconds (or let it end)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "coder", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        child.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()


def counts(path: Path) -> tuple[int, int, int]:
    """(comments, codings, memos): what a merge or an import adds."""
    conn = sqlite3.connect(path)
    try:
        return tuple(  # type: ignore[return-value]
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
            for t in ("comments", "codings", "memos")
        )
    finally:
        conn.close()


@pytest.fixture(scope="module")
def exchange_files(tmp_path_factory, demo_template):
    """The demo exported as .qdpx, and a copy of it coded by another coder, for merging."""
    import shutil

    folder = tmp_path_factory.mktemp("exchange")
    qdpx = folder / "demo.qdpx"
    subprocess.run([sys.executable, "-m", "coder", "export", str(demo_template), str(qdpx)],
                   check=True, capture_output=True)  # fmt: skip
    theirs = folder / "theirs.db"
    shutil.copy(demo_template, theirs)
    with open_project(theirs) as store:
        code_id = store.codes.all()[0].id
        for comment in range(1, 400):
            store.codings.apply(comment, code_id, "bob")
        store.memos.write("from bob's copy", "bob", comment_id=1)
    return qdpx, theirs


@pytest.mark.parametrize("seconds", [0.4, 0.9, 1.4, 2.0])
def test_a_merge_or_a_qdpx_import_killed_anywhere_is_all_or_nothing(
    tmp_path, demo_project, exchange_files, seconds
):
    qdpx, theirs = exchange_files
    before = counts(demo_project)
    kill_at(seconds, "merge", str(demo_project), str(theirs))
    healthy(demo_project)
    middle = counts(demo_project)
    assert middle == before or middle[1] == before[1] + 399, (before, middle)
    kill_at(60, "merge", str(demo_project), str(theirs))  # run again, to the end
    assert counts(demo_project) == (before[0], before[1] + 399, before[2] + 1)

    new = tmp_path / "new.db"
    kill_at(seconds, "import", str(new), str(qdpx))
    if new.exists():
        healthy(new)
        assert counts(new) in ((0, 0, 0), before)
    if not new.exists() or counts(new) == (0, 0, 0):
        kill_at(60, "import", str(new), str(qdpx))
    assert counts(new) == before


CREATE = """
import os, signal, sys
import coder.store.schema as schema
from coder.store import create_project
steps = int(sys.argv[2])
original = schema.migrate
def migrate(conn):
    conn.execute("CREATE TABLE half (x)")  # something made, then killed
    if steps == 0:
        os.kill(os.getpid(), signal.SIGKILL)
    original(conn)
    os.kill(os.getpid(), signal.SIGKILL)  # the whole schema made, not yet in place
schema.migrate = migrate
create_project(sys.argv[1])
"""


@pytest.mark.parametrize("steps", [0, 1])
def test_a_project_file_killed_while_being_made_is_not_left_half_made(tmp_path, steps):
    from coder.store import create_project

    new = tmp_path / "new.db"
    child = subprocess.run([sys.executable, "-c", CREATE, str(new), str(steps)], check=False)
    assert child.returncode == -signal.SIGKILL
    assert not new.exists()  # no file that is a project in name only
    with create_project(new) as store:  # and the name can be used at once
        assert store.comments.count() == 0
    healthy(new)
