"""Reading a copy of a project in bulk, and writing another copy's work into this one.

`coder merge` reads every coding, memo and assignment of the other copies through these
reads, matches their comments and codes to this project's (coder.merge), and writes what
is new here with `add`, all inside one transaction of this project's.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from coder.store.codings import ChangeLog
from coder.store.db import Db

# (comment_id, code_id, coder, start, end, origin, created_at)
CodingRow = tuple[int, int, str, int | None, int | None, str, str]
# (comment_id or None, code_id or None, coder, text, created_at, updated_at)
MemoRow = tuple[int | None, int | None, str, str, str, str]
# (comment_id, coder, seed, assigned_at)
AssignmentRow = tuple[int, str, int | None, str]
# (comment_id, code_id, coder, start, end): a coding, whatever its origin
CodingKey = tuple[int, int, str, int | None, int | None]

MERGE_ACTOR = "(merge)"  # who the change log says made a merge's codings; no coder's name

# The codings whose last change in the log is their removal: someone took them out here.
_REMOVED = """
SELECT l.comment_id, l.code_id, l.coder, l.start, l."end" FROM coding_log l
WHERE l.action = 'remove' AND l.seq = (
    SELECT max(m.seq) FROM coding_log m
    WHERE m.comment_id = l.comment_id AND m.code_id = l.code_id AND m.coder = l.coder
      AND m.start IS l.start AND m."end" IS l."end" AND m.action IN ('add', 'remove'))
  AND NOT EXISTS (
    SELECT 1 FROM codings k WHERE k.comment_id = l.comment_id AND k.code_id = l.code_id
      AND k.coder = l.coder AND k.start IS l.start AND k."end" IS l."end")
"""


class Merging:
    """Bulk reads of a whole project's work, and the one writer of another copy's."""

    def __init__(self, db: Db, log: ChangeLog):
        self.db = db
        self.log = log

    # -- reading -------------------------------------------------------------------------------

    def comments(self) -> list[tuple[int, str, str]]:
        """(id, source_id, text) of every comment."""
        return self.db.execute("SELECT id, source_id, text FROM comments").fetchall()

    def codings(self) -> list[CodingRow]:
        return self.db.execute(
            'SELECT comment_id, code_id, coder, start, "end", origin, created_at FROM codings'
        ).fetchall()

    def coding_keys(self) -> set[CodingKey]:
        return set(self.db.execute('SELECT comment_id, code_id, coder, start, "end" FROM codings'))

    def removed(self) -> set[CodingKey]:
        """Codings that were made and then taken out again, and are absent now."""
        return set(self.db.execute(_REMOVED))

    def memos(self) -> list[MemoRow]:
        return self.db.execute(
            "SELECT comment_id, code_id, coder, text, created_at, updated_at FROM memos"
        ).fetchall()

    def assignments(self) -> list[AssignmentRow]:
        return self.db.execute(
            "SELECT comment_id, coder, seed, assigned_at FROM assignments"
        ).fetchall()

    # -- writing -------------------------------------------------------------------------------

    def add(
        self,
        codings: Sequence[CodingRow],
        memos: Sequence[MemoRow],
        assignments: Sequence[AssignmentRow],
    ) -> int:
        """Write another copy's work, already matched to this project's ids and checked to be
        new here, in the caller's transaction; the codings are logged as one action.
        Returns the assignments that were new."""
        # In the order of the codings' index, so that each index grows at its end.
        codings = sorted(codings, key=lambda row: (row[0], row[1], row[2], row[3] or -1))
        with self.db.transaction():
            self.db.insert_rows(
                'INSERT INTO codings (comment_id, code_id, coder, start, "end", origin, '
                "created_at)",
                7,
                codings,
            )
            if codings:
                self.log.append_added(
                    self.log.next_batch(), (row[:6] for row in codings), actor=MERGE_ACTOR
                )
            self.db.insert_rows(
                "INSERT INTO memos (comment_id, code_id, coder, text, created_at, updated_at)",
                6,
                memos,
            )
            return self.db.insert_rows(
                "INSERT OR IGNORE INTO assignments (comment_id, coder, seed, assigned_at)",
                4,
                assignments,
            )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction for a whole merge, with the settings for large writes."""
        with self.db.bulk_writes(), self.db.transaction():
            yield
