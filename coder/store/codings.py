"""Codings and their append-only change log, from which undo, redo and provenance are read."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from coder.domain import Coding, Origin
from coder.errors import CoderError

_INVERSE = {"add": "remove", "remove": "add", "reject": "unreject", "unreject": "reject"}


@dataclass(frozen=True)
class Change:
    """One change to the coding: add or remove a coding, or reject/unreject a suggestion."""

    action: str
    comment_id: int
    code_id: int
    coder: str
    origin: Origin = Origin.MANUAL
    start: int | None = None
    end: int | None = None

    def inverse(self) -> Change:
        return Change(
            _INVERSE[self.action],
            self.comment_id,
            self.code_id,
            self.coder,
            self.origin,
            self.start,
            self.end,
        )


@dataclass(frozen=True)
class LogEntry:
    seq: int
    batch: int
    kind: str
    action: str
    comment_id: int
    code_id: int
    coder: str
    origin: str
    start: int | None
    end: int | None
    at: str


class CodingsMixin:
    conn: sqlite3.Connection

    # -- reading ---------------------------------------------------------------------------

    def codings_for(self, comment_id: int) -> list[Coding]:
        rows = self.conn.execute(
            'SELECT id, comment_id, code_id, coder, origin, start, "end", created_at '
            "FROM codings WHERE comment_id = ? ORDER BY id",
            (comment_id,),
        ).fetchall()
        return [Coding(r[0], r[1], r[2], r[3], Origin(r[4]), r[5], r[6], r[7]) for r in rows]

    def coders(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT coder FROM codings ORDER BY 1")]

    def history(self, comment_id: int) -> list[LogEntry]:
        """Every change ever made to a comment's coding, oldest first (provenance)."""
        rows = self.conn.execute(
            'SELECT seq, batch, kind, action, comment_id, code_id, coder, origin, start, "end", at '
            "FROM coding_log WHERE comment_id = ? ORDER BY seq",
            (comment_id,),
        ).fetchall()
        return [LogEntry(*row) for row in rows]

    # -- writing ---------------------------------------------------------------------------

    def apply_code(
        self,
        comment_id: int,
        code_id: int,
        coder: str,
        *,
        origin: Origin = Origin.MANUAL,
        start: int | None = None,
        end: int | None = None,
    ) -> bool:
        """Code a comment (or a segment of it). True if this changed anything."""
        change = Change("add", comment_id, code_id, coder, origin, start, end)
        return bool(self.record([change]))

    def remove_code(
        self,
        comment_id: int,
        code_id: int,
        coder: str,
        *,
        start: int | None = None,
        end: int | None = None,
    ) -> bool:
        change = Change("remove", comment_id, code_id, coder, Origin.MANUAL, start, end)
        return bool(self.record([change]))

    def toggle_code(self, comment_id: int, code_id: int, coder: str) -> bool:
        """Code the whole comment, or uncode it if this coder already had. True if now coded."""
        with self.transaction():
            present = self._has_coding(comment_id, code_id, coder, None, None)
            action = "remove" if present else "add"
            self.record([Change(action, comment_id, code_id, coder)])
        return not present

    def record(self, changes: list[Change], *, kind: str = "do", target: int | None = None) -> int:
        """Apply changes as one undoable action; returns how many took effect.

        Changes that would do nothing (adding a coding that exists, removing one that
        does not) are skipped and not logged.
        """
        applied = 0
        with self.transaction():
            batch = self.conn.execute(
                "SELECT coalesce(max(batch), 0) + 1 FROM coding_log"
            ).fetchone()[0]
            for change in changes:
                if self._apply(change):
                    self.conn.execute(
                        "INSERT INTO coding_log (batch, kind, target, action, comment_id, code_id,"
                        ' coder, start, "end", origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
                        (
                            batch,
                            kind,
                            target,
                            change.action,
                            change.comment_id,
                            change.code_id,
                            change.coder,
                            change.start,
                            change.end,
                            str(change.origin),
                        ),
                    )
                    applied += 1
        return applied

    def _has_coding(self, comment_id, code_id, coder, start, end) -> bool:
        return (
            self.conn.execute(
                "SELECT 1 FROM codings WHERE comment_id = ? AND code_id = ? AND coder = ? "
                'AND start IS ? AND "end" IS ?',
                (comment_id, code_id, coder, start, end),
            ).fetchone()
            is not None
        )

    def _apply(self, change: Change) -> bool:
        c = change
        if c.action == "add":
            if c.start is not None or c.end is not None:
                self._check_span(c)
            cur = self.conn.execute(
                'INSERT OR IGNORE INTO codings (comment_id, code_id, coder, start, "end", origin) '
                "VALUES (?, ?, ?, ?, ?, ?)",
                (c.comment_id, c.code_id, c.coder, c.start, c.end, str(c.origin)),
            )
            if cur.rowcount and c.origin == Origin.SUGGESTION:
                self._decide(c, "accepted")
            return cur.rowcount > 0
        if c.action == "remove":
            cur = self.conn.execute(
                "DELETE FROM codings WHERE comment_id = ? AND code_id = ? AND coder = ? "
                'AND start IS ? AND "end" IS ?',
                (c.comment_id, c.code_id, c.coder, c.start, c.end),
            )
            if cur.rowcount and c.origin == Origin.SUGGESTION:
                self._decide(c, "pending")
            return cur.rowcount > 0
        if c.action == "reject":
            return self._decide(c, "rejected") > 0
        if c.action == "unreject":
            return self._decide(c, "pending") > 0
        raise ValueError(f"unknown action {c.action!r}")

    def _check_span(self, c: Change) -> None:
        row = self.conn.execute(
            "SELECT length(text) FROM comments WHERE id = ?", (c.comment_id,)
        ).fetchone()
        length = row[0] if row else 0
        if c.start is None or c.end is None or not 0 <= c.start < c.end <= length:
            raise CoderError(
                f"span {c.start}-{c.end} does not fit a comment of {length} characters"
            )

    def _decide(self, change: Change, status: str) -> int:
        """Set the status of the suggestions of this code on this comment."""
        decided_by = None if status == "pending" else change.coder
        cur = self.conn.execute(
            "UPDATE suggestions SET status = ?, decided_by = ?, "
            "decided_at = CASE WHEN ? IS NULL THEN NULL "
            "ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END "
            "WHERE comment_id = ? AND code_id = ? AND status != ?",
            (status, decided_by, decided_by, change.comment_id, change.code_id, status),
        )
        return cur.rowcount

    # -- undo and redo ---------------------------------------------------------------------

    def _stacks(self, coder: str) -> tuple[list[int], list[int]]:
        """Replay the coder's log into (undoable batches, redoable batches)."""
        rows = self.conn.execute(
            "SELECT batch, min(kind), min(target) FROM coding_log "
            "WHERE coder = ? AND origin != 'imported' GROUP BY batch ORDER BY batch",
            (coder,),
        ).fetchall()
        undo: list[int] = []
        redo: list[int] = []
        for batch, kind, target in rows:
            if kind == "do":
                undo.append(batch)
                redo.clear()
            elif kind == "undo":
                if undo and undo[-1] == target:
                    undo.pop()
                redo.append(batch)
            elif kind == "redo":
                if redo and redo[-1] == target:
                    redo.pop()
                undo.append(batch)
        return undo, redo

    def _reverse(self, batch: int, kind: str) -> list[Change]:
        rows = self.conn.execute(
            'SELECT action, comment_id, code_id, coder, origin, start, "end" FROM coding_log '
            "WHERE batch = ? ORDER BY seq DESC",
            (batch,),
        ).fetchall()
        changes = [
            Change(a, cm, cd, who, Origin(o), s, e).inverse() for a, cm, cd, who, o, s, e in rows
        ]
        self.record(changes, kind=kind, target=batch)
        return changes

    def undo(self, coder: str) -> list[Change]:
        """Reverse the coder's last action (surviving restarts). Returns what was reversed."""
        with self.transaction():
            undo, _ = self._stacks(coder)
            return self._reverse(undo[-1], "undo") if undo else []

    def redo(self, coder: str) -> list[Change]:
        with self.transaction():
            _, redo = self._stacks(coder)
            return self._reverse(redo[-1], "redo") if redo else []
