"""Memos: free notes on a comment, a code or the whole project."""

from __future__ import annotations

import sqlite3

from coder.domain import Memo


class MemosMixin:
    conn: sqlite3.Connection

    def memos(self, *, comment_id: int | None = None, code_id: int | None = None) -> list[Memo]:
        """The memos on one comment, on one code, or (neither given) on the project."""
        rows = self.conn.execute(
            "SELECT id, text, coder, comment_id, code_id, updated_at FROM memos "
            "WHERE comment_id IS ? AND code_id IS ? ORDER BY id",
            (comment_id, code_id),
        ).fetchall()
        return [Memo(*row) for row in rows]

    def write_memo(
        self, text: str, coder: str, *, comment_id: int | None = None, code_id: int | None = None
    ) -> int | None:
        """Set this coder's memo on the target; empty text deletes it. Returns the memo id."""
        with self.transaction():
            row = self.conn.execute(
                "SELECT id FROM memos WHERE comment_id IS ? AND code_id IS ? AND coder = ?",
                (comment_id, code_id, coder),
            ).fetchone()
            if not text.strip():
                if row:
                    self.conn.execute("DELETE FROM memos WHERE id = ?", (row[0],))
                return None
            if row:
                self.conn.execute(
                    "UPDATE memos SET text = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
                    " WHERE id = ?",
                    (text, row[0]),
                )
                return row[0]
            return self.conn.execute(
                "INSERT INTO memos (comment_id, code_id, coder, text) VALUES (?, ?, ?, ?)",
                (comment_id, code_id, coder, text),
            ).lastrowid
