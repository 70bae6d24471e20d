"""Assignments: the comments a coder is asked to code, such as a double-coding sample."""

from __future__ import annotations

from collections.abc import Iterable

from coder.store.db import Db


class Assignments:
    """One row a comment a coder is asked to code; assigning twice changes nothing."""

    def __init__(self, db: Db):
        self.db = db

    def candidates(self, question_id: int | None = None) -> list[tuple[str, str, int]]:
        """(question, comment source id, comment id) of every comment a sample may take,
        within one question when given."""
        where = "WHERE c.question_id = ?" if question_id is not None else ""
        return self.db.execute(
            "SELECT coalesce(q.name, ''), c.source_id, c.id FROM comments c "
            f"LEFT JOIN questions q ON q.id = c.question_id {where}",
            (question_id,) if question_id is not None else (),
        ).fetchall()

    def add(self, coder: str, comment_ids: Iterable[int], seed: int | None = None) -> int:
        """Assign these comments to the coder; how many were not assigned to them before."""
        with self.db.transaction():
            return self.db.insert_rows(
                "INSERT OR IGNORE INTO assignments (comment_id, coder, seed)",
                3,
                ((comment_id, coder, seed) for comment_id in comment_ids),
            )

    def of(self, coder: str) -> list[int]:
        """The ids of the comments assigned to this coder, in document order."""
        return self.db.column(
            "SELECT comment_id FROM assignments WHERE coder = ? ORDER BY comment_id", (coder,)
        )

    def coders(self) -> list[str]:
        return self.db.column("SELECT DISTINCT coder FROM assignments ORDER BY 1")

    def progress(self, coder: str) -> tuple[int, int] | None:
        """(assigned comments this coder has coded, assigned comments), or None when
        nothing is assigned to them."""
        done, total = self.db.execute(
            "SELECT count(k.comment_id), count(*) FROM assignments a "
            "LEFT JOIN (SELECT DISTINCT comment_id FROM codings WHERE coder = :coder) k "
            "ON k.comment_id = a.comment_id WHERE a.coder = :coder",
            {"coder": coder},
        ).fetchone()
        return (int(done), int(total)) if total else None
