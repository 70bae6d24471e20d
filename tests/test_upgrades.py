"""A project file written by every past coder opens, moves forward, and keeps every row."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from coder.domain import CommentFilter
from coder.store import open_project
from coder.store.schema import SCHEMA_VERSION

FIXTURES = Path(__file__).parent / "fixtures"
PAST = sorted(FIXTURES.glob("schema-*.db"))
TABLES = [
    "project", "codes", "questions", "respondents", "respondent_attributes", "comments",
    "codings", "coding_log", "memos", "model_versions", "suggestions", "priorities",
    "embeddings", "imports",
]  # fmt: skip


def rows(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}
    finally:
        conn.close()


def test_there_is_a_fixture_for_every_past_schema():
    versions = {int(p.stem.split("-")[1]) for p in PAST}
    assert versions == set(range(1, SCHEMA_VERSION + 1)) or versions == set(
        range(1, SCHEMA_VERSION)
    ), "add tests/fixtures/schema-N.db for the schema a new migration leaves behind"


@pytest.mark.parametrize("fixture", PAST, ids=lambda p: p.stem)
def test_a_past_file_migrates_with_nothing_lost(tmp_path, fixture):
    path = tmp_path / fixture.name
    shutil.copy(fixture, path)
    before = rows(path)
    with open_project(path) as store:
        assert store.db.schema_version == SCHEMA_VERSION
        paths = [c.path for c in store.codes.all()]
        assert "Feelings > Worry" in paths
        first = store.codings.of_comment(1)
        assert {(k.coder, k.start) for k in first} == {("alice", None), ("bob", 3)}
        assert store.comments.filtered_ids(CommentFilter(search="caseload"))
        assert [m.text for m in store.memos.on(comment_id=1)] == ["check this one"]
        assert store.codings.redo("bob")  # the undo history came along
        assert store.models.latest() is not None
    after = rows(path)
    for table in TABLES:
        kept = after[table][: len(before[table])]
        assert [r[: len(b)] for r, b in zip(kept, before[table], strict=True)] == before[table], (
            table
        )
