"""Codings and their append-only change log, from which undo, redo and provenance are read."""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from itertools import chain
from typing import TYPE_CHECKING

from coder.domain import Change, Coding, LogEntry, Origin
from coder.errors import CoderError
from coder.store.db import Db

if TYPE_CHECKING:
    from coder.store.history import History, RowChange


class ChangeLog:
    """The one writer of `coding_log`: every change to the coding, in order, in batches.

    A batch is one user action (a key press, an accepted suggestion, a chunk of an
    import); undo and redo work batch by batch.
    """

    def __init__(self, db: Db):
        self.db = db

    def next_batch(self) -> int:
        """The next action's number, shared with the codebook's changes in `row_log`."""
        return int(
            self.db.scalar(
                "SELECT max(coalesce((SELECT max(batch) FROM coding_log), 0), "
                "coalesce((SELECT max(batch) FROM row_log), 0)) + 1"
            )
        )

    def append(
        self,
        batch: int,
        changes: Iterable[Change],
        *,
        kind: str = "do",
        target: int | None = None,
        actor: str | None = None,
        import_id: int | None = None,
    ) -> None:
        """Record changes that took effect (call inside the transaction that made them).

        `actor`: who made them, when that is not each coding's own coder; `import_id`: the
        import that made them, so that taking it out removes its entries.
        """
        self.db.executemany(
            "INSERT INTO coding_log (batch, kind, target, action, comment_id, code_id,"
            ' coder, start, "end", origin, actor, import_id)'
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    actor if actor != c.coder else None,
                    import_id,
                )
                for c in changes
            ],
        )

    def append_added(
        self,
        batch: int,
        added: Iterable[tuple[int, int, str, int | None, int | None, str]],
        *,
        actor: str,
    ) -> int:
        """Record many codings added in bulk, as (comment_id, code_id, coder, start, end,
        origin), several rows a statement: the same entries `append` writes for them, at a
        fraction of its time a row when there are hundreds of thousands."""
        return self.db.insert_rows(
            "INSERT INTO coding_log (batch, kind, action, comment_id, code_id, coder, start,"
            ' "end", origin, actor)',
            10,
            (
                (batch, "do", "add", comment, code, coder, start, end, origin, actor)
                for comment, code, coder, start, end, origin in added
            ),
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


class Codings:
    """Who applied which code to which comment (or segment), changed only through record()."""

    def __init__(self, db: Db, log: ChangeLog, history: History):
        self.db = db
        self.log = log
        self.actions = history  # batches over both logs, for numbering, undo and redo

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

    def most_codes_on_a_comment(self) -> int:
        """The most distinct codes any one comment carries (0 with no codings)."""
        row = self.db.execute(
            "SELECT MAX(n) FROM (SELECT COUNT(DISTINCT code_id) AS n FROM codings "
            "GROUP BY comment_id)"
        ).fetchone()
        return int(row[0] or 0)

    def pairs_by(self, coder: str, question_id: int | None = None) -> array[int]:
        """Every code this coder applied to a comment (or a segment of it), within one
        question when given, as one flat array: comment_id, code_id, comment_id, ...
        (a pair may come twice: a whole coding and a segment). What agreement compares;
        flat integers, because a million of them read this way take half the time of
        a list of pairs."""
        if question_id is None:
            cursor = self.db.execute(
                "SELECT comment_id, code_id FROM codings WHERE coder = ?", (coder,)
            )
        else:
            cursor = self.db.execute(
                "SELECT k.comment_id, k.code_id FROM codings k "
                "JOIN comments c ON c.id = k.comment_id WHERE k.coder = ? AND c.question_id = ?",
                (coder, question_id),
            )
        return array("q", chain.from_iterable(cursor))

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

    def record(
        self, changes: list[Change], *, batch: int | None = None, actor: str | None = None
    ) -> int:
        """Apply changes as one undoable action (or as part of `batch`); returns how many
        took effect.

        Changes that would do nothing (adding a coding that exists, removing one that
        does not) are skipped and not logged.
        """
        with self.db.transaction():
            applied = [change for change in changes if self.apply_change(change)]
            if applied:
                self.log.append(batch or self.actions.next_batch(), applied, actor=actor)
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

    def apply_change(self, c: Change) -> bool:
        """Make one change to the codings, unlogged; True if it changed anything."""
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

    def undo(self, coder: str) -> list[Change | RowChange]:
        """Reverse the coder's last action, to codings or to the codebook (surviving
        restarts). Returns what was reversed, in the order it was."""
        with self.db.transaction():
            undo, _ = self.actions.stacks(coder)
            if not undo:
                return []
            return self.actions.reverse(undo[-1], "undo", coder, self.apply_change)

    def redo(self, coder: str) -> list[Change | RowChange]:
        with self.db.transaction():
            _, redo = self.actions.stacks(coder)
            if not redo:
                return []
            return self.actions.reverse(redo[-1], "redo", coder, self.apply_change)
