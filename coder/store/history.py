"""Undo and redo across every kind of change: codings, and the codebook's own rows.

A user action is one batch. Its changes to codings are in `coding_log` (the provenance of
each comment); its changes to codes, and to the memos and suggestions that hang on them,
are in `row_log` as before-and-after snapshots of whole rows. `row_log.after_seq` places
each snapshot among the coding changes, so a batch replays (and reverses) in the exact
order it was made. Undo is per person: `actor` is who made the change, which for a merge
of two codes is not the owner of every coding it moves.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coder.domain import Change, Origin
from coder.store.codings import ChangeLog
from coder.store.db import Db

# The rows a codebook change may touch, with the columns a snapshot keeps.
ROW_TABLES: dict[str, tuple[str, ...]] = {
    "codes": (
        "id", "parent_id", "name", "description", "include", "exclude", "examples", "color",
        "position", "created_at", "guid", "codable",
    ),
    "memos": (
        "id", "comment_id", "code_id", "coder", "text", "created_at", "updated_at", "guid",
    ),
    "code_set_members": ("id", "set_id", "code_id"),
    "suggestions": (
        "id", "comment_id", "code_id", "probability", "model_version", "explanation", "status",
        "decided_by", "decided_at",
    ),
    "discovery_themes": ("id", "run_id", "code_id", "nearest_code_id"),
}  # fmt: skip
# Rows a change only links to a code: put back by updating them where they still are (a
# later discovery run replaces the candidate themes, and what it replaced stays gone; its
# themes may reuse the ids, never the run's).
LINK_TABLES = {"discovery_themes": "run_id"}

Row = dict[str, Any]


@dataclass(frozen=True)
class RowChange:
    """One row of the codebook (or a memo or suggestion on a code), before and after."""

    table: str
    row_id: int
    before: Row | None  # None: the row did not exist (it was created)
    after: Row | None  # None: the row was removed

    def inverse(self) -> RowChange:
        return RowChange(self.table, self.row_id, self.after, self.before)


class RowLog:
    """The one writer of `row_log`, and the one place that puts a snapshot back."""

    def __init__(self, db: Db):
        self.db = db

    def snapshot(self, table: str, row_id: int) -> Row | None:
        columns = ROW_TABLES[table]
        found = self.db.execute(
            f"SELECT {', '.join(columns)} FROM {table} WHERE id = ?", (row_id,)
        ).fetchone()
        return dict(zip(columns, found, strict=True)) if found else None

    def append(
        self,
        batch: int,
        change: RowChange,
        actor: str,
        *,
        kind: str = "do",
        target: int | None = None,
    ) -> None:
        self.db.execute(
            "INSERT INTO row_log (batch, kind, target, after_seq, tbl, row_id, before, after, "
            "actor) VALUES (?, ?, ?, (SELECT coalesce(max(seq), 0) FROM coding_log), "
            "?, ?, ?, ?, ?)",
            (
                batch,
                kind,
                target,
                change.table,
                change.row_id,
                None if change.before is None else json.dumps(change.before),
                None if change.after is None else json.dumps(change.after),
                actor,
            ),
        )

    def put(self, change: RowChange) -> None:
        """Make the row what `change.after` says: written whole, or removed."""
        table = change.table
        if change.after is None:
            self.db.execute(f"DELETE FROM {table} WHERE id = ?", (change.row_id,))
            return
        columns = [c for c in ROW_TABLES[table] if c in change.after]
        values = [change.after[c] for c in columns]
        if table in LINK_TABLES:
            owner = LINK_TABLES[table]
            settable = [c for c in columns if c not in ("id", owner)]
            self.db.execute(
                f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in settable)} "
                f"WHERE id = ? AND {owner} = ?",
                [change.after[c] for c in settable] + [change.row_id, change.after[owner]],
            )
            return
        assignments = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "id")
        self.db.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT (id) DO UPDATE SET {assignments}",
            values,
        )


Step = tuple[str, Change | RowChange]  # ("coding", Change) or ("row", RowChange)


class History:
    """Batches of changes over both logs: numbering, the undo and redo stacks, reversing."""

    def __init__(self, db: Db, log: ChangeLog, rows: RowLog):
        self.db = db
        self.log = log
        self.rows = rows

    def next_batch(self) -> int:
        return self.log.next_batch()

    def stacks(self, actor: str) -> tuple[list[int], list[int]]:
        """Replay a person's actions into (undoable batches, redoable batches)."""
        rows = self.db.execute(
            "SELECT batch, min(kind), min(target) FROM ("
            " SELECT batch, kind, target FROM coding_log"
            " WHERE coalesce(actor, coder) = ? AND origin != 'imported'"
            " UNION ALL SELECT batch, kind, target FROM row_log WHERE actor = ?"
            ") GROUP BY batch ORDER BY batch",
            (actor, actor),
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

    def steps(self, batch: int) -> list[Step]:
        """A batch's changes to codings and to rows, in the order they were made."""
        ordered: list[tuple[tuple[int, int, int], Step]] = []
        for seq, action, comment, code, who, origin, start, end in self.db.execute(
            'SELECT seq, action, comment_id, code_id, coder, origin, start, "end" '
            "FROM coding_log WHERE batch = ?",
            (batch,),
        ):
            coding = Change(action, comment, code, who, Origin(origin), start, end)
            ordered.append(((seq, 0, 0), ("coding", coding)))
        for seq, after_seq, table, row_id, before, after in self.db.execute(
            "SELECT seq, after_seq, tbl, row_id, before, after FROM row_log WHERE batch = ?",
            (batch,),
        ):
            row = RowChange(table, row_id, _row(before), _row(after))
            ordered.append(((after_seq, 1, seq), ("row", row)))
        return [step for _, step in sorted(ordered, key=lambda item: item[0])]

    def reverse(
        self, batch: int, kind: str, actor: str, apply: Callable[[Change], bool]
    ) -> list[Change | RowChange]:
        """Undo (or redo) a batch: each step's inverse, last first, logged as a new batch.
        Returns what was done, in that order."""
        new = self.next_batch()
        done: list[Change | RowChange] = []
        for _, change in reversed(self.steps(batch)):
            if isinstance(change, Change):
                inverse = change.inverse()
                if apply(inverse):
                    self.log.append(new, [inverse], kind=kind, target=batch, actor=actor)
                    done.append(inverse)
            else:
                back = change.inverse()
                self.rows.put(back)
                self.rows.append(new, back, actor, kind=kind, target=batch)
                done.append(back)
        return done


def _row(text: str | None) -> Row | None:
    return None if text is None else dict(json.loads(text))
