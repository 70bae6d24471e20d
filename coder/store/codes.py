"""Codes: the codebook's tree as stored in the project file."""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from coder.domain import PATH_SEPARATOR, Code
from coder.errors import CoderError
from coder.store.db import Db

_COLUMNS = (
    "id, name, parent_id, description, include, exclude, examples, color, position, codable, guid"
)
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")  # anything else is shown without a colour
_UPDATABLE = {
    "name", "description", "include", "exclude", "examples", "color", "position", "codable",
}  # fmt: skip


def _code(row: Sequence[Any], path: str) -> Code:
    id_, name, parent_id, description, include, exclude, examples, color, position = row[:9]
    codable, guid = row[9:]
    return Code(
        id=id_,
        name=str(name),
        parent_id=parent_id,
        description=str(description or ""),
        include=str(include or ""),
        exclude=str(exclude or ""),
        examples=_examples(examples, path),
        color=color if isinstance(color, str) and _COLOR.match(color) else None,
        position=position if isinstance(position, int) else 0,
        path=path,
        codable=codable != 0,
        guid=guid if isinstance(guid, str) else None,
    )


def _examples(text: object, path: str) -> tuple[str, ...]:
    """A code's examples, stored as a JSON list of strings; anything else is damage."""
    try:
        value = json.loads(str(text)) if text else []
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CoderError(f"the examples of code {path!r} are damaged; run: coder repair PROJECT")
    return tuple(value)


class Codes:
    """The codebook: read as a tree, changed code by code."""

    def __init__(self, db: Db):
        self.db = db

    def all(self) -> list[Code]:
        """Every code in tree order: each parent followed by its children."""
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM codes").fetchall()
        children: dict[int | None, list[tuple[Any, ...]]] = {}
        for row in rows:
            children.setdefault(row[2], []).append(row)
        out: list[Code] = []
        stack: list[tuple[tuple[Any, ...], str]] = [
            (row, row[1]) for row in reversed(_ordered(children.get(None, [])))
        ]
        while stack:  # depth first, without recursion: a deep tree cannot overflow the stack
            row, path = stack.pop()
            out.append(_code(row, path))
            for child in reversed(_ordered(children.get(row[0], []))):
                stack.append((child, f"{path}{PATH_SEPARATOR}{child[1]}"))
        if len(out) < len(rows):  # codes whose parents go round in a loop never reach the top
            reached = {c.id for c in out}
            lost = sorted(str(r[1]) for r in rows if r[0] not in reached)
            raise CoderError(
                f"the codebook is damaged: {', '.join(map(repr, lost[:5]))} "
                "have parents in a loop; run: coder repair PROJECT"
            )
        return out

    def get(self, code_id: int) -> Code:
        """One code with its path, read without loading the whole codebook."""
        row = self.db.execute(f"SELECT {_COLUMNS} FROM codes WHERE id = ?", (code_id,)).fetchone()
        if row is None:
            raise CoderError(f"no code with id {code_id}")
        names = [row[1]]
        parent, seen = row[2], {row[0]}
        while parent is not None and parent not in seen:
            seen.add(parent)
            up = self.db.execute("SELECT name, parent_id FROM codes WHERE id = ?", (parent,))
            found = up.fetchone()
            if found is None:
                break
            names.append(found[0])
            parent = found[1]
        return _code(row, PATH_SEPARATOR.join(reversed(names)))

    def add(
        self,
        name: str,
        *,
        parent_id: int | None = None,
        description: str = "",
        include: str = "",
        exclude: str = "",
        examples: Iterable[str] = (),
        color: str | None = None,
        position: int | None = None,
        import_id: int | None = None,
        codable: bool = True,
        guid: str | None = None,
    ) -> int:
        """Add a code; `import_id` when an import creates it, so that taking the import out
        removes the code too (unless someone has used it since). A new GUID unless given."""
        with self.db.transaction():
            if position is None:
                position = self.db.scalar(
                    "SELECT coalesce(max(position) + 1, 0) FROM codes WHERE parent_id IS ?",
                    (parent_id,),
                )
            try:
                cur = self.db.execute(
                    "INSERT INTO codes (name, parent_id, description, include, exclude, examples,"
                    " color, position, import_id, codable, guid)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        name,
                        parent_id,
                        description,
                        include,
                        exclude,
                        json.dumps(list(examples)),
                        color,
                        position,
                        import_id,
                        int(codable),
                        guid or str(uuid.uuid4()),
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise CoderError(f"a code named {name!r} already exists at that level") from exc
            return int(cur.lastrowid or 0)

    def update(self, code_id: int, **fields: Any) -> None:
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}")
        if "examples" in fields:
            fields["examples"] = json.dumps(list(fields["examples"]))
        if not fields:
            return
        assignments = ", ".join(f"{key} = ?" for key in fields)
        with self.db.transaction():
            self.db.execute(
                f"UPDATE codes SET {assignments} WHERE id = ?", (*fields.values(), code_id)
            )

    def delete(self, code_id: int) -> None:
        with self.db.transaction():
            self.db.execute("DELETE FROM code_set_members WHERE code_id = ?", (code_id,))
            self.db.execute("DELETE FROM codes WHERE id = ?", (code_id,))

    def ensure_guids(self) -> int:
        """Give a GUID to every code without one (a code put back by undoing a change made
        before codes had GUIDs); returns how many were given one."""
        missing = self.db.column("SELECT id FROM codes WHERE guid IS NULL")
        if missing:
            with self.db.transaction():
                self.db.executemany(
                    "UPDATE codes SET guid = ? WHERE id = ? AND guid IS NULL",
                    [(str(uuid.uuid4()), code_id) for code_id in missing],
                )
        return len(missing)

    def stable_ids(self) -> dict[int, str]:
        """Each code's stable id (a GUID, as REFI-QDA exchange gives codes), where the file
        has them: empty when the codes table has no `guid` column, so codes are then
        matched by path alone."""
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(codes)")}
        if "guid" not in columns:
            return {}
        return {
            code_id: str(guid)
            for code_id, guid in self.db.execute("SELECT id, guid FROM codes")
            if guid
        }

    def counts(self) -> dict[int, int]:
        """How many comments carry each code (any coder), for the codebook tree."""
        return dict(
            self.db.execute(
                "SELECT code_id, count(DISTINCT comment_id) FROM codings GROUP BY code_id"
            ).fetchall()
        )

    def counts_rolled_up(self) -> dict[int, int]:
        """How many comments carry each code or any of its sub-codes (any coder): a comment
        counts once, as `coder report` counts a parent."""
        # UNION, not UNION ALL: a damaged file with a loop of parents still finishes.
        return dict(
            self.db.execute(
                "WITH RECURSIVE below(code_id, inner_id) AS ("
                " SELECT id, id FROM codes"
                " UNION SELECT below.code_id, c.id FROM codes c"
                " JOIN below ON c.parent_id = below.inner_id) "
                "SELECT below.code_id, count(DISTINCT k.comment_id) FROM below "
                "JOIN codings k ON k.code_id = below.inner_id GROUP BY below.code_id"
            ).fetchall()
        )

    def counts_of(self, code_ids: Iterable[int]) -> dict[int, int]:
        """How many comments carry each of these codes: cheaper than counting every code."""
        ids = list(dict.fromkeys(code_ids))
        counts = dict.fromkeys(ids, 0)
        counts.update(
            self.db.select_in(
                "SELECT code_id, count(DISTINCT comment_id) FROM codings "
                "WHERE code_id IN ({marks}) GROUP BY code_id",
                ids,
            )
        )
        return counts


def _ordered(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(rows, key=lambda r: (r[8], r[0]))
