"""Codings and their append-only change log, from which undo, redo and provenance are read."""

from __future__ import annotations

from collections.abc import Iterable

from coder.domain import Change, Coding, LogEntry, Origin
from coder.errors import CoderError
from coder.store.db import Db


class ChangeLog:
    """The one writer of `coding_log`: every change to the coding, in order, in batches.

    A batch is one user action (a key press, an accepted suggestion, a chunk of an
    import); undo and redo work batch by batch.
    """

    def __init__(self, db: Db):
        self.db = db

    def next_batch(self) -> int:
        return int(self.db.scalar("SELECT coalesce(max(batch), 0) + 1 FROM coding_log"))

    def append(
        self, batch: int, changes: Iterable[Change], *, kind: str = "do", target: int | None = None
    ) -> None:
        """Record changes that took effect (call inside the transaction that made them)."""
        self.db.executemany(
            "INSERT INTO coding_log (batch, kind, target, action, comment_id, code_id,"
            ' coder, start, "end", origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [
                (
                    batch,
                    kind,
                    target,
                    c.action,
                    c.comment_id,
                    c.code_id,
                    c.coder,
                    c.start,
                    c.end,
                    str(c.origin),
                )
                for c in changes
            ],
        )

    def mark(self) -> int:
        """Moves on with every change to any coding (the log's last entry): cheap to ask."""
        return int(self.db.scalar("SELECT coalesce(max(seq), 0) FROM coding_log"))

    def history(self, comment_id: int) -> list[LogEntry]:
        """Every change ever made to a comment's coding, oldest first (provenance)."""
        rows = self.db.execute(
            'SELECT seq, batch, kind, action, comment_id, code_id, coder, origin, start, "end", at '
            "FROM coding_log WHERE comment_id = ? ORDER BY seq",
            (comment_id,),
        ).fetchall()
        return [LogEntry(*row) for row in rows]

    def stacks(self, coder: str) -> tuple[list[int], list[int]]:
        """Replay the coder's log into (undoable batches, redoable batches)."""
        rows = self.db.execute(
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

    def batch(self, batch: int) -> list[Change]:
        """The changes of one batch, last first (the order to reverse them in)."""
        rows = self.db.execute(
            'SELECT action, comment_id, code_id, coder, origin, start, "end" FROM coding_log '
            "WHERE batch = ? ORDER BY seq DESC",
            (batch,),
        ).fetchall()
        return [Change(a, cm, cd, who, Origin(o), s, e) for a, cm, cd, who, o, s, e in rows]


class Codings:
    """Who applied which code to which comment (or segment), changed only through record()."""

    def __init__(self, db: Db, log: ChangeLog):
        self.db = db
        self.log = log

    # -- reading ---------------------------------------------------------------------------

    def of_comment(self, comment_id: int) -> list[Coding]:
        rows = self.db.execute(
            'SELECT id, comment_id, code_id, coder, origin, start, "end", created_at '
            "FROM codings WHERE comment_id = ? ORDER BY id",
            (comment_id,),
        ).fetchall()
        return [Coding(r[0], r[1], r[2], r[3], Origin(r[4]), r[5], r[6], r[7]) for r in rows]

    def coders(self) -> list[str]:
        # From one coder to the next along the index, not through every coding: a handful
        # of lookups instead of a scan of a million rows.
        return self.db.column(
            "WITH RECURSIVE next(coder) AS (SELECT min(coder) FROM codings UNION ALL "
            "SELECT (SELECT min(coder) FROM codings WHERE coder > next.coder) FROM next "
            "WHERE next.coder IS NOT NULL) SELECT coder FROM next WHERE coder IS NOT NULL"
        )

    def history(self, comment_id: int) -> list[LogEntry]:
        return self.log.history(comment_id)

    def mark(self) -> int:
        return self.log.mark()

    def human(self) -> list[tuple[int, int, str]]:
        """(comment_id, code_id, coder) once each: manual, accepted and imported codings,
        of whole comments or of segments."""
        return self.db.execute(
            "SELECT DISTINCT comment_id, code_id, coder FROM codings "
            "ORDER BY comment_id, code_id, coder"
        ).fetchall()

    # -- writing ---------------------------------------------------------------------------

    def apply(
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
        return bool(self.record([Change("add", comment_id, code_id, coder, origin, start, end)]))

    def remove(
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

    def toggle(self, comment_id: int, code_id: int, coder: str) -> bool:
        """Code the whole comment, or uncode it if this coder already had. True if now coded."""
        with self.db.transaction():
            present = self._has(Change("add", comment_id, code_id, coder))
            self.record([Change("remove" if present else "add", comment_id, code_id, coder)])
        return not present

    def record(self, changes: list[Change], *, kind: str = "do", target: int | None = None) -> int:
        """Apply changes as one undoable action; returns how many took effect.

        Changes that would do nothing (adding a coding that exists, removing one that
        does not) are skipped and not logged.
        """
        with self.db.transaction():
            applied = [change for change in changes if self._apply(change)]
            if applied:
                self.log.append(self.log.next_batch(), applied, kind=kind, target=target)
        return len(applied)

    def _has(self, c: Change) -> bool:
        return (
            self.db.scalar(
                "SELECT 1 FROM codings WHERE comment_id = ? AND code_id = ? AND coder = ? "
                'AND start IS ? AND "end" IS ?',
                (c.comment_id, c.code_id, c.coder, c.start, c.end),
            )
            is not None
        )

    def _apply(self, c: Change) -> bool:
        if c.action == "add":
            if c.start is not None or c.end is not None:
                self._check_span(c)
            cur = self.db.execute(
                'INSERT OR IGNORE INTO codings (comment_id, code_id, coder, start, "end", origin) '
                "VALUES (?, ?, ?, ?, ?, ?)",
                (c.comment_id, c.code_id, c.coder, c.start, c.end, str(c.origin)),
            )
            if cur.rowcount and c.origin == Origin.SUGGESTION:
                self._decide(c, "accepted")
            return cur.rowcount > 0
        if c.action == "remove":
            cur = self.db.execute(
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
        length = self.db.scalar("SELECT length(text) FROM comments WHERE id = ?", (c.comment_id,))
        length = length or 0
        if c.start is None or c.end is None or not 0 <= c.start < c.end <= length:
            raise CoderError(
                f"span {c.start}-{c.end} does not fit a comment of {length} characters"
            )

    def _decide(self, change: Change, status: str) -> int:
        """Set the status of the suggestions of this code on this comment."""
        decided_by = None if status == "pending" else change.coder
        cur = self.db.execute(
            "UPDATE suggestions SET status = ?, decided_by = ?, "
            "decided_at = CASE WHEN ? IS NULL THEN NULL "
            "ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END "
            "WHERE comment_id = ? AND code_id = ? AND status != ?",
            (status, decided_by, decided_by, change.comment_id, change.code_id, status),
        )
        return cur.rowcount

    # -- undo and redo ---------------------------------------------------------------------

    def _reverse(self, batch: int, kind: str) -> list[Change]:
        changes = [c.inverse() for c in self.log.batch(batch)]
        self.record(changes, kind=kind, target=batch)
        return changes

    def undo(self, coder: str) -> list[Change]:
        """Reverse the coder's last action (surviving restarts). Returns what was reversed."""
        with self.db.transaction():
            undo, _ = self.log.stacks(coder)
            return self._reverse(undo[-1], "undo") if undo else []

    def redo(self, coder: str) -> list[Change]:
        with self.db.transaction():
            _, redo = self.log.stacks(coder)
            return self._reverse(redo[-1], "redo") if redo else []
