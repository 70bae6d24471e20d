"""Changing the codebook while coding: every change one undoable action in the history.

Creating, renaming, recolouring, defining, moving, merging and deleting codes each run in
one transaction as one batch: the rows they touch are snapshotted in `row_log`, the
codings they move or remove go through the change log like any other, so `undo` puts
everything back, codings included, and `redo` does it again.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from coder.domain import Change, Coding, Origin
from coder.errors import CoderError
from coder.store.codes import Codes
from coder.store.codings import Codings
from coder.store.db import Db
from coder.store.history import History, RowChange

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_FIELDS = {"name", "description", "include", "exclude", "examples", "color"}


@dataclass(frozen=True)
class Removed:
    """What deleting or merging a code touched."""

    codes: int = 0
    codings: int = 0
    memos: int = 0
    suggestions: int = 0
    moved_codings: int = 0  # merge: codings that now carry the code merged into


class Codebook:
    """The codebook's verbs for people: each is one undoable action by `actor`."""

    def __init__(self, db: Db, codes: Codes, codings: Codings, history: History):
        self.db = db
        self.codes = codes
        self.codings = codings
        self.history = history

    # -- creating and changing ---------------------------------------------------------------

    def create(
        self,
        name: str,
        actor: str,
        *,
        parent_id: int | None = None,
        description: str = "",
        color: str | None = None,
        apply_to: int | None = None,
        examples: Sequence[str] = (),
    ) -> int:
        """Make a code (under `parent_id`), and code comment `apply_to` with it, in one step."""
        name = _name(name)
        if color is not None and not COLOR.match(color):
            raise CoderError(f"colour {color!r} is not #rrggbb")
        with self.db.transaction():
            batch = self.history.next_batch()
            if parent_id is not None:
                self.codes.get(parent_id)  # a clear error if it is gone
            code_id = self.codes.add(
                name,
                parent_id=parent_id,
                description=description,
                color=color,
                examples=examples,
            )
            self._logged(batch, "codes", code_id, None, actor)
            if apply_to is not None:
                change = Change("add", apply_to, code_id, actor, Origin.MANUAL)
                self.codings.record([change], batch=batch)
        return code_id

    def update(self, code_id: int, actor: str, **fields: Any) -> bool:
        """Rename, recolour or define a code; False if nothing changed."""
        unknown = set(fields) - _FIELDS
        if unknown:
            raise ValueError(f"cannot change {sorted(unknown)}")
        if "name" in fields:
            fields["name"] = _name(fields["name"])
        if fields.get("color") is not None and not COLOR.match(str(fields["color"])):
            raise CoderError(f"colour {fields['color']!r} is not #rrggbb")
        with self.db.transaction():
            before = self.history.rows.snapshot("codes", code_id)
            if before is None:
                raise CoderError(f"no code with id {code_id}")
            if "examples" in fields:
                fields["examples"] = json.dumps(list(fields["examples"]))
            if all(before[k] == v for k, v in fields.items()):
                return False
            try:
                self.codes.update(code_id, **fields)
            except sqlite3.IntegrityError as exc:  # raised inside the transaction's body
                raise CoderError(
                    f"a code named {fields.get('name')!r} already exists at that level"
                ) from exc
            self._logged(self.history.next_batch(), "codes", code_id, before, actor)
        return True

    def move(self, code_id: int, parent_id: int | None, actor: str) -> bool:
        """Put a code (with its sub-codes) under another parent, or at the top."""
        with self.db.transaction():
            before = self.history.rows.snapshot("codes", code_id)
            if before is None:
                raise CoderError(f"no code with id {code_id}")
            if parent_id is not None:
                if parent_id == code_id or parent_id in self._subtree(code_id):
                    raise CoderError("a code cannot move under itself or one of its sub-codes")
                self.codes.get(parent_id)
            if before["parent_id"] == parent_id:
                return False
            position = self.db.scalar(
                "SELECT coalesce(max(position) + 1, 0) FROM codes WHERE parent_id IS ?",
                (parent_id,),
            )
            try:
                self.db.execute(
                    "UPDATE codes SET parent_id = ?, position = ? WHERE id = ?",
                    (parent_id, position, code_id),
                )
            except sqlite3.IntegrityError as exc:
                raise CoderError(
                    f"a code named {before['name']!r} already exists at that level"
                ) from exc
            self._logged(self.history.next_batch(), "codes", code_id, before, actor)
        return True

    # -- merging and deleting ----------------------------------------------------------------

    def merge(self, from_id: int, into_id: int, actor: str) -> Removed:
        """Fold one code into another: its codings, memos and sub-codes go to `into_id`,
        nothing is lost (a coding the coder already has with `into_id` is simply kept once),
        and the emptied code is removed. One undoable action."""
        if from_id == into_id:
            raise CoderError("a code cannot be merged into itself")
        with self.db.transaction():
            self.codes.get(from_id), self.codes.get(into_id)
            if into_id in self._subtree(from_id):
                raise CoderError("a code cannot be merged into one of its own sub-codes")
            batch = self.history.next_batch()
            moved = 0
            for coding in self._codings_of([from_id]):
                change = Change("add", coding.comment_id, into_id, coding.coder, coding.origin,
                                coding.start, coding.end)  # fmt: skip
                moved += self.codings.record([change], batch=batch, actor=actor)
            for child in self.db.column("SELECT id FROM codes WHERE parent_id = ?", (from_id,)):
                before = self.history.rows.snapshot("codes", child)
                self.db.execute("UPDATE codes SET parent_id = ? WHERE id = ?", (into_id, child))
                self._logged(batch, "codes", child, before, actor)
            memos = self._retarget("memos", from_id, into_id, batch, actor)
            self._move_set_members(from_id, into_id, batch, actor)
            self._relink_themes(from_id, into_id, batch, actor)
            removed = self._remove([from_id], batch, actor)
        return Removed(
            codes=1,
            codings=removed.codings,
            memos=memos,
            suggestions=removed.suggestions,
            moved_codings=moved,
        )

    def delete(self, code_id: int, actor: str) -> Removed:
        """Remove a code, its sub-codes and everything on them. One undoable action."""
        with self.db.transaction():
            self.codes.get(code_id)
            batch = self.history.next_batch()
            return self._remove([code_id, *self._subtree(code_id)], batch, actor)

    def impact(self, code_id: int) -> Removed:
        """What deleting a code would remove, to ask before doing it."""
        ids = [code_id, *self._subtree(code_id)]
        marks = ",".join("?" * len(ids))
        count = self.db.scalar
        return Removed(
            codes=len(ids),
            codings=int(count(f"SELECT count(*) FROM codings WHERE code_id IN ({marks})", ids)),
            memos=int(count(f"SELECT count(*) FROM memos WHERE code_id IN ({marks})", ids)),
            suggestions=int(
                count(f"SELECT count(*) FROM suggestions WHERE code_id IN ({marks})", ids)
            ),
        )

    def _remove(self, ids: list[int], batch: int, actor: str) -> Removed:
        """Remove codes (deepest first) with their codings, memos and suggestions, logged."""
        codings = self.codings.record(
            [
                Change("remove", k.comment_id, k.code_id, k.coder, k.origin, k.start, k.end)
                for k in self._codings_of(ids)
            ],
            batch=batch,
            actor=actor,
        )
        memos = suggestions = 0
        for code_id in ids:
            for memo in self.db.column("SELECT id FROM memos WHERE code_id = ?", (code_id,)):
                self._drop(batch, "memos", memo, actor)
                memos += 1
            for row in self.db.column("SELECT id FROM suggestions WHERE code_id = ?", (code_id,)):
                self._drop(batch, "suggestions", row, actor)
                suggestions += 1
            for row in self.db.column(
                "SELECT id FROM code_set_members WHERE code_id = ?", (code_id,)
            ):
                self._drop(batch, "code_set_members", row, actor)
            self._relink_themes(code_id, None, batch, actor)
        for code_id in reversed(ids):  # sub-codes before their parents
            self._drop(batch, "codes", code_id, actor)
        return Removed(codes=len(ids), codings=codings, memos=memos, suggestions=suggestions)

    def _retarget(self, table: str, from_id: int, into_id: int, batch: int, actor: str) -> int:
        rows = self.db.column(f"SELECT id FROM {table} WHERE code_id = ?", (from_id,))
        for row_id in rows:
            before = self.history.rows.snapshot(table, row_id)
            self.db.execute(f"UPDATE {table} SET code_id = ? WHERE id = ?", (into_id, row_id))
            self._logged(batch, table, row_id, before, actor)
        return len(rows)

    def _move_set_members(self, from_id: int, into_id: int, batch: int, actor: str) -> None:
        """A merged code's places in code sets go to the code it is merged into (where that
        is not in the set already; the rest go with the merged code)."""
        rows = self.db.execute(
            "SELECT id FROM code_set_members WHERE code_id = ? AND set_id NOT IN "
            "(SELECT set_id FROM code_set_members WHERE code_id = ?)",
            (from_id, into_id),
        ).fetchall()
        for (row_id,) in rows:
            before = self.history.rows.snapshot("code_set_members", row_id)
            self.db.execute(
                "UPDATE code_set_members SET code_id = ? WHERE id = ?", (into_id, row_id)
            )
            self._logged(batch, "code_set_members", row_id, before, actor)

    def _relink_themes(self, from_id: int, into_id: int | None, batch: int, actor: str) -> None:
        """Candidate themes made into this code, or nearest to it, point to the code it is
        merged into, or to none: logged, so that undoing the change links them back (the
        schema's ON DELETE SET NULL alone would lose the link for good)."""
        rows = self.db.column(
            "SELECT id FROM discovery_themes WHERE code_id = ? OR nearest_code_id = ?",
            (from_id, from_id),
        )
        for row_id in rows:
            before = self.history.rows.snapshot("discovery_themes", row_id)
            for column in ("code_id", "nearest_code_id"):
                self.db.execute(
                    f"UPDATE discovery_themes SET {column} = ? WHERE id = ? AND {column} = ?",
                    (into_id, row_id, from_id),
                )
            self._logged(batch, "discovery_themes", row_id, before, actor)

    # -- the log ---------------------------------------------------------------------------

    def _logged(
        self, batch: int, table: str, row_id: int, before: dict[str, Any] | None, actor: str
    ) -> None:
        after = self.history.rows.snapshot(table, row_id)
        self.history.rows.append(batch, RowChange(table, row_id, before, after), actor)

    def _drop(self, batch: int, table: str, row_id: int, actor: str) -> None:
        before = self.history.rows.snapshot(table, row_id)
        change = RowChange(table, row_id, before, None)
        self.history.rows.put(change)
        self.history.rows.append(batch, change, actor)

    def _subtree(self, code_id: int) -> list[int]:
        """Every code beneath this one, parents before children."""
        return self.db.column(
            "WITH RECURSIVE sub(id, depth) AS (SELECT id, 1 FROM codes WHERE parent_id = ? "
            "UNION SELECT codes.id, sub.depth + 1 FROM codes JOIN sub ON codes.parent_id = sub.id"
            " WHERE sub.depth < 10000) SELECT id FROM sub ORDER BY depth",
            (code_id,),
        )

    def _codings_of(self, code_ids: list[int]) -> list[Coding]:
        return [
            Coding(r[0], r[1], r[2], r[3], Origin(r[4]), r[5], r[6], r[7])
            for r in self.db.select_in(
                'SELECT id, comment_id, code_id, coder, origin, start, "end", created_at '
                "FROM codings WHERE code_id IN ({marks}) ORDER BY id",
                code_ids,
            )
        ]


def _name(name: str) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise CoderError("a code needs a name")
    if ">" in name:
        raise CoderError("a code's name cannot contain '>' (it separates a path's parts)")
    if len(name) > 200:
        raise CoderError("a code's name can be at most 200 characters")
    return name
