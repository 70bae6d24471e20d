"""Never lose work: what the screen shows as coded survives the terminal being killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

from tui_support import pilot_test

from coder.store import open_project
from coder.tui.app import CoderApp

CHILD = textwrap.dedent(
    """
    import asyncio, json, sys
    from coder.tui.app import CoderApp

    async def main():
        app = CoderApp(sys.argv[1], "kim")
        async with app.run_test(size=(100, 30)) as pilot:
            shown = {}
            for key in ["1", "j", "2", "3", "j", "v", "w", "1", "u", "j", "a", "3"]:
                await pilot.press(key)
                view = app.screen.session.shown
                paths = {c.id: c.path for c in app.screen.session.codes.values()}
                shown[view.comment.source_id] = sorted(
                    [paths[k.code_id], k.start, k.end] for k in view.codings if k.coder == "kim"
                )
            print(json.dumps(shown), flush=True)
            await asyncio.sleep(120)  # killed long before this

    asyncio.run(main())
    """
)


def test_everything_shown_as_coded_is_there_after_a_kill(mini_project):
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(mini_project)], stdout=subprocess.PIPE, text=True
    )
    try:
        shown = json.loads(child.stdout.readline())
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert any(shown.values()), "the child coded nothing"
    with open_project(mini_project) as store:
        paths = {c.id: c.path for c in store.codes.all()}
        for source_id, codings in shown.items():
            comment = store.comments.by_source_id(source_id)
            stored = sorted(
                [paths[k.code_id], k.start, k.end]
                for k in store.codings.of_comment(comment.id)
                if k.coder == "kim"
            )
            assert stored == codings, source_id


@pilot_test
async def test_an_empty_project_answers_every_key_without_failing(empty_project):
    app = CoderApp(empty_project, "kim")
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ["j", "k", "n", "1", "space", "a", "x", "u", "ctrl+r", "m", "v", "G", "g",
                    "J", "right_square_bracket", "c", "escape", "t"]:  # fmt: skip
            await pilot.press(key)
        await app.workers.wait_for_complete()
        await pilot.press("f", "enter", "slash", "x", "enter", "question_mark", "escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.session.shown is None
        assert len(app.screen.session.listing) == 0


@pilot_test
async def test_a_write_that_fails_is_shown_as_an_error_and_the_screen_carries_on(mini_project):
    import sqlite3

    class FullDisk:
        def __init__(self, conn):
            self.conn = conn

        def __getattr__(self, name):
            return getattr(self.conn, name)

        def execute(self, sql, *args):
            if "INTO codings" in sql:
                raise sqlite3.OperationalError("database or disk is full")
            return self.conn.execute(sql, *args)

    app = CoderApp(mini_project, "kim")
    async with app.run_test(size=(100, 30)) as pilot:
        app.store.db.conn = FullDisk(app.store.db.conn)
        await pilot.press("2", "j")
        await pilot.pause()
        assert any("Not saved" in n.message and "full" in n.message for n in app._notifications)
        assert app.unsaved and app.screen.session.shown.comment.source_id == "1:q2"
        assert not any(k.coder == "kim" for k in app.screen.session.shown.codings)
    with open_project(mini_project) as store:
        assert not any(k.coder == "kim" for c in range(1, 9) for k in store.codings.of_comment(c))
