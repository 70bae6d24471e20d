"""Memos: free notes on a comment, a code or the whole project."""

from __future__ import annotations

import uuid

from coder.domain import Memo
from coder.store.db import Db


class Memos:
    """One memo per coder per target; empty text deletes it."""

    def __init__(self, db: Db):
        self.db = db

    def on(self, *, comment_id: int | None = None, code_id: int | None = None) -> list[Memo]:
        """The memos on one comment, on one code, or (neither given) on the project."""
        rows = self.db.execute(
            "SELECT id, text, coder, comment_id, code_id, updated_at, guid FROM memos "
            "WHERE comment_id IS ? AND code_id IS ? ORDER BY id",
            (comment_id, code_id),
        ).fetchall()
        return [Memo(*row) for row in rows]

    def write(
        self, text: str, coder: str, *, comment_id: int | None = None, code_id: int | None = None
    ) -> int | None:
        """Set this coder's memo on the target; empty text deletes it. Returns the memo id."""
        with self.db.transaction():
            found = self.db.scalar(
                "SELECT id FROM memos WHERE comment_id IS ? AND code_id IS ? AND coder = ?",
                (comment_id, code_id, coder),
            )
            if not text.strip():
                if found is not None:
                    self.db.execute("DELETE FROM memos WHERE id = ?", (found,))
                return None
            if found is not None:
                self.db.execute(
                    "UPDATE memos SET text = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
                    " WHERE id = ?",
                    (text, found),
                )
                return int(found)
            cur = self.db.execute(
                "INSERT INTO memos (comment_id, code_id, coder, text, guid) VALUES (?, ?, ?, ?, ?)",
                (comment_id, code_id, coder, text, str(uuid.uuid4())),
            )
            return int(cur.lastrowid or 0)
