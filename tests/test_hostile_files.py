"""A project file from someone else stays harmless: refused with a way out, then repaired."""

from __future__ import annotations

import shutil
import sqlite3
import threading

import pytest
from cli_support import run

from coder.errors import CoderError
from coder.store import open_project
from coder.store.integrity import UnsafeProject


def tamper(path, *statements: str) -> None:
    """Change a project file behind coder's back, as a hostile sender could."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA writable_schema = ON")  # lets the file hold what SQLite would refuse
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def reference_codings(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM codings").fetchone()[0]
    finally:
        conn.close()


TRIGGER = (
    "CREATE TRIGGER wipe AFTER INSERT ON codings BEGIN DELETE FROM codings WHERE id != new.id; END"
)


@pytest.mark.parametrize(
    "statements, named",
    [
        ([TRIGGER], "wipe"),
        (
            ["CREATE TRIGGER boom BEFORE INSERT ON memos BEGIN SELECT RAISE(ABORT, 'x'); END"],
            "boom",
        ),
        (
            [
                "CREATE VIEW spin AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 "
                "FROM r) SELECT n FROM r"
            ],
            "spin",
        ),
        (["DROP VIEW code_paths", "CREATE VIEW code_paths AS SELECT 1 AS code_id"], "code_paths"),
        (["CREATE UNIQUE INDEX one_each ON codings (coder) WHERE coder = 'carol'"], "one_each"),
    ],
)
def test_a_tampered_file_is_refused_then_repaired_keeping_every_coding(
    capsys, demo_project, statements, named, tmp_path
):
    before = reference_codings(demo_project)
    mine = tmp_path / "mine.db"
    shutil.copyfile(demo_project, mine)
    tamper(demo_project, *statements)
    for args in (
        ["status", demo_project],
        ["report", demo_project],
        ["codebook", demo_project, "show"],
        ["merge", mine, demo_project],  # a colleague's copy, to be merged into mine
        ["export", demo_project, tmp_path / "out.qdpx"],
    ):
        code, _, err = run(capsys, *args)
        assert code == 1 and named in err and "coder repair" in err and err.count("\n") == 1
    assert reference_codings(mine) == before and not (tmp_path / "out.qdpx").exists()
    code, out, err = run(capsys, "repair", demo_project)
    assert code == 0, err
    assert named in out and "before-repair" in out
    with open_project(demo_project) as store:  # opens again, and coding works as it should
        comment = store.comments.by_source_id("R005:impact").id
        code_id = store.codes.all()[0].id
        assert store.codings.apply(comment, code_id, "carol")
        assert store.memos.write("fine", "carol", comment_id=comment)
    assert reference_codings(demo_project) == before + 1
    assert run(capsys, "repair", demo_project)[1].splitlines()[1] == "nothing needed repair"


def test_a_trigger_in_an_old_file_never_fires_during_its_upgrade(tmp_path):
    from coder.store.db import APPLICATION_ID, connect
    from coder.store.schema import migrate

    path = tmp_path / "old.db"
    conn = connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    migrate(conn, target=1)
    conn.execute("CREATE TABLE fired (x)")
    conn.execute("CREATE TRIGGER t AFTER INSERT ON codes BEGIN INSERT INTO fired VALUES (1); END")
    conn.close()
    with pytest.raises(UnsafeProject, match="triggers"):
        open_project(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1  # untouched
    conn.close()


def test_damaged_data_is_a_clear_error_and_repair_mends_it(capsys, demo_project):
    with open_project(demo_project) as store:
        codes = store.codes.all()
    a, b = codes[0].id, codes[1].id
    tamper(
        demo_project,
        f"UPDATE codes SET parent_id = {b} WHERE id = {a}",
        f"UPDATE codes SET parent_id = {a} WHERE id = {b}",
        f"UPDATE codes SET color = 'not a colour' WHERE id = {codes[2].id}",
    )
    code, _, err = run(capsys, "codebook", demo_project, "show")
    assert code == 1 and "loop" in err and "coder repair" in err
    code, out, err = run(capsys, "repair", demo_project)
    assert code == 0 and "loop" in out and "colour" in out
    with open_project(demo_project) as store:
        assert len(store.codes.all()) == len(codes)
    tamper(demo_project, f"UPDATE codes SET examples = '{{not json' WHERE id = {a}")
    code, _, err = run(capsys, "codebook", demo_project, "show")
    assert code == 1 and "examples" in err and "coder repair" in err
    assert run(capsys, "repair", demo_project)[0] == 0
    assert run(capsys, "codebook", demo_project, "show")[0] == 0


def test_an_invalid_colour_is_shown_without_one(demo_project):
    with open_project(demo_project) as store:
        first = store.codes.all()[0]
    tamper(demo_project, f"UPDATE codes SET color = 'red;evil' WHERE id = {first.id}")
    with open_project(demo_project) as store:
        assert store.codes.get(first.id).color is None


def test_backup_is_consistent_while_another_coder_writes(capsys, demo_project, tmp_path):
    stop = threading.Event()
    written = []

    def code_away():
        with open_project(demo_project) as store:
            code_id = store.codes.all()[0].id
            comment = 1
            while not stop.is_set() and comment < 600:
                if store.codings.apply(comment, code_id, "busy"):
                    written.append(comment)
                comment += 1

    worker = threading.Thread(target=code_away)
    worker.start()
    try:
        code, out, err = run(capsys, "backup", demo_project, tmp_path / "copy.db")
    finally:
        stop.set()
        worker.join()
    assert code == 0, err
    copy = tmp_path / "copy.db"
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with open_project(copy) as store:
        assert store.status().comments == 628
    assert run(capsys, "backup", demo_project, copy)[0] == 1  # never replaces a file


def test_a_newer_file_is_refused_without_being_touched(tmp_path, demo_project):
    conn = sqlite3.connect(demo_project)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = demo_project.read_bytes()
    with pytest.raises(CoderError, match="newer coder"):
        open_project(demo_project)
    assert demo_project.read_bytes() == before
    assert not demo_project.with_name(demo_project.name + "-wal").exists()


def test_a_redefined_table_is_rebuilt_keeping_its_rows(capsys, demo_project):
    tamper(
        demo_project,
        "UPDATE sqlite_master SET sql = replace(sql, 'text          TEXT NOT NULL', 'text TEXT')"
        " WHERE name = 'comments'",
    )
    tamper(demo_project, "UPDATE comments SET text = NULL WHERE id = 3")
    code, _, err = run(capsys, "status", demo_project)
    assert code == 1 and "comments" in err
    code, out, err = run(capsys, "repair", demo_project)
    assert code == 0 and "rebuilt table comments" in out and "628 rows" in out
    with open_project(demo_project) as store:
        assert store.comments.get(3).text == "" and store.status().comments == 628
        assert store.comments.filtered_ids(
            __import__("coder.domain").domain.CommentFilter(search="supervision")
        )


def test_the_expected_schema_is_what_a_new_project_has(tmp_path):
    """After adding a migration, run scripts/expected-schema to bring this up to date."""
    from coder.store import create_project
    from coder.store.expected_schema import EXPECTED, EXPECTED_VERSION
    from coder.store.integrity import normalise, schema_of
    from coder.store.schema import SCHEMA_VERSION

    with create_project(tmp_path / "fresh.db") as store:
        fresh = schema_of(store.db.conn)
    assert EXPECTED_VERSION == SCHEMA_VERSION
    assert {k: normalise(v) for k, v in fresh.items()} == {
        k: normalise(v) for k, v in EXPECTED.items()
    }


def test_a_damaged_schema_version_is_worked_out_again_by_repair(capsys, demo_project):
    conn = sqlite3.connect(demo_project)
    conn.execute("PRAGMA user_version = -1")
    conn.close()
    code, _, err = run(capsys, "status", demo_project)
    assert code == 1 and "damaged schema version" in err
    code, out, err = run(capsys, "repair", demo_project)
    assert code == 0 and "schema version" in out, err
    assert run(capsys, "status", demo_project)[0] == 0


def test_a_file_with_damaged_pages_is_rebuilt_from_the_rows_it_still_holds(capsys, demo_project):
    before = reference_codings(demo_project)
    tamper(demo_project, "DELETE FROM sqlite_master WHERE type = 'index'")
    code, _, err = run(capsys, "status", demo_project)
    assert code == 1 and err.count("\n") == 1
    code, out, err = run(capsys, "repair", demo_project)
    assert code == 0 and "rebuilt it from" in out, err
    code, out, _ = run(capsys, "status", demo_project)
    assert code == 0 and "628" in out
    assert reference_codings(demo_project) == before
