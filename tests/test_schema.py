"""Migrations keep every row of an older file, and sqlite-utils' tools can search the file."""

from __future__ import annotations

import json
import sqlite3

import pytest
import sqlite_utils
from click.testing import CliRunner
from sqlite_utils.cli import cli as sqlite_utils_cli

from coder.store import open_project
from coder.store.db import APPLICATION_ID, connect
from coder.store.schema import SCHEMA_VERSION, migrate

# A row or two in every table, written with the columns schema 1 has (no later migration
# removes one), so the same rows fit a file of any version.
ROWS = """
INSERT INTO project VALUES ('name', 'old study');
INSERT INTO codes (id, parent_id, name, position) VALUES (1, NULL, 'Feelings', 0), (2, 1, 'Worry', 0);
INSERT INTO questions (id, name, position) VALUES (1, 'q1', 0), (2, 'asked, not answered', 1);
INSERT INTO imports (id, source, status, summary) VALUES (1, 'old.csv', 'done', '{}'),
    (2, 'killed.csv', 'running', NULL);
INSERT INTO respondents (id, source_id, import_id) VALUES (1, 'R1', 1), (2, 'R2', 2);
INSERT INTO respondent_attributes VALUES (1, 'role', 'nurse', 1), (2, 'role', 'teacher', 2);
INSERT INTO comments (id, source_id, respondent_id, question_id, text, import_id) VALUES
    (1, 'R1:q1', 1, 1, 'I worry about café culture', 1), (2, 'R2:q1', 2, 1, 'naïve hope', 2);
INSERT INTO comments_fts (rowid, text) SELECT id, text FROM comments;
INSERT INTO codings (id, comment_id, code_id, coder, start, "end", origin) VALUES
    (1, 1, 2, 'alice', NULL, NULL, 'manual'), (2, 1, 1, 'bob', 2, 7, 'imported');
INSERT INTO coding_log (seq, batch, kind, action, comment_id, code_id, coder, origin) VALUES
    (1, 1, 'do', 'add', 1, 2, 'alice', 'manual'), (2, 2, 'do', 'add', 1, 1, 'bob', 'imported');
INSERT INTO memos (id, comment_id, code_id, coder, text) VALUES (1, 1, NULL, 'alice', 'note'),
    (2, NULL, 2, 'bob', 'on a code'), (3, NULL, NULL, 'bob', 'on the project');
INSERT INTO model_versions (id, training_size, features, model) VALUES (1, 10, 'tfidf', x'00');
INSERT INTO suggestions (id, comment_id, code_id, probability, model_version) VALUES
    (1, 2, 2, 0.9, 1);
INSERT INTO priorities VALUES (2, 1, 0, 0.5);
INSERT INTO embeddings VALUES (1, 'mini', x'0000803f');
"""
TABLES = [
    "project",
    "codes",
    "questions",
    "imports",
    "respondents",
    "respondent_attributes",
    "comments",
    "codings",
    "coding_log",
    "memos",
    "model_versions",
    "suggestions",
    "priorities",
    "embeddings",
]


def contents(conn: sqlite3.Connection, columns: dict[str, list[str]]) -> dict[str, list]:
    """Every row of every table, in the columns the older file had."""
    out = {}
    for table in TABLES:
        names = ", ".join(f'"{c}"' for c in columns[table])
        out[table] = conn.execute(f"SELECT {names} FROM {table} ORDER BY 1").fetchall()
        assert out[table], f"no rows in {table}"
    return out


def searched(conn: sqlite3.Connection, query: str) -> list[int]:
    found = conn.execute("SELECT rowid FROM comments_fts WHERE comments_fts MATCH ?", (query,))
    return sorted(r[0] for r in found)


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_a_file_at_each_older_version_keeps_all_its_rows(tmp_path, version):
    path = tmp_path / f"v{version}.db"
    conn = connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA journal_mode = WAL")
    migrate(conn, target=version)
    conn.executescript(ROWS)
    columns = {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")] for t in TABLES}
    before = contents(conn, columns)
    conn.close()

    with open_project(path) as store:
        assert store.db.schema_version == SCHEMA_VERSION
        conn = store.db.conn
        assert contents(conn, columns) == before
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert searched(conn, "worry") == [1] and searched(conn, "naive") == [2]
        # What older files recorded stands: the killed import still warns, and the new
        # columns are empty for rows written before them.
        assert store.status().incomplete_imports == 1
        assert conn.execute("SELECT count(*) FROM codings WHERE import_id IS NULL").fetchone() == (
            2,
        )
    assert sqlite_utils.Database(path)["comments"].detect_fts() == "comments_fts"


def test_sqlite_utils_search_finds_comments_in_a_project(mini_project):
    result = CliRunner().invoke(
        sqlite_utils_cli, ["search", str(mini_project), "comments", "worry"]
    )
    assert result.exit_code == 0, result.output
    texts = sorted(row["text"] for row in json.loads(result.output))
    assert texts == ["I worry about getting it wrong.", "It keeps me awake, I worry constantly."]
    assert sqlite_utils.Database(mini_project)["comments"].detect_fts() == "comments_fts"
