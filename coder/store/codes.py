"""Codes: the codebook's tree as stored in the project file."""

from __future__ import annotations

import json
import sqlite3

from coder.domain import PATH_SEPARATOR, Code
from coder.errors import CoderError

_CODE_COLUMNS = "id, name, parent_id, description, include, exclude, examples, color, position"


def _code(row: sqlite3.Row | tuple, path: str) -> Code:
    id_, name, parent_id, description, include, exclude, examples, color, position = row
    return Code(
        id=id_,
        name=name,
        parent_id=parent_id,
        description=description,
        include=include,
        exclude=exclude,
        examples=tuple(json.loads(examples or "[]")),
        color=color,
        position=position,
        path=path,
    )


class CodesMixin:
    conn: sqlite3.Connection

    def codes(self) -> list[Code]:
        """Every code in tree order: each parent followed by its children."""
        rows = self.conn.execute(f"SELECT {_CODE_COLUMNS} FROM codes").fetchall()
        children: dict[int | None, list[tuple]] = {}
        for row in rows:
            children.setdefault(row[2], []).append(row)
        out: list[Code] = []

        def walk(parent: int | None, prefix: str) -> None:
            for row in sorted(children.get(parent, []), key=lambda r: (r[8], r[0])):
                path = f"{prefix}{PATH_SEPARATOR}{row[1]}" if prefix else row[1]
                out.append(_code(row, path))
                walk(row[0], path)

        walk(None, "")
        return out

    def code(self, code_id: int) -> Code:
        for code in self.codes():
            if code.id == code_id:
                return code
        raise CoderError(f"no code with id {code_id}")

    def add_code(
        self,
        name: str,
        *,
        parent_id: int | None = None,
        description: str = "",
        include: str = "",
        exclude: str = "",
        examples: tuple[str, ...] | list[str] = (),
        color: str | None = None,
        position: int | None = None,
    ) -> int:
        with self.transaction():
            if position is None:
                position = self.conn.execute(
                    "SELECT coalesce(max(position) + 1, 0) FROM codes WHERE parent_id IS ?",
                    (parent_id,),
                ).fetchone()[0]
            try:
                cur = self.conn.execute(
                    "INSERT INTO codes (name, parent_id, description, include, exclude, examples,"
                    " color, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        name,
                        parent_id,
                        description,
                        include,
                        exclude,
                        json.dumps(list(examples)),
                        color,
                        position,
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise CoderError(f"a code named {name!r} already exists at that level") from exc
            return cur.lastrowid

    def update_code(self, code_id: int, **fields) -> None:
        allowed = {"name", "description", "include", "exclude", "examples", "color", "position"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}")
        if "examples" in fields:
            fields["examples"] = json.dumps(list(fields["examples"]))
        if not fields:
            return
        assignments = ", ".join(f"{key} = ?" for key in fields)
        with self.transaction():
            self.conn.execute(
                f"UPDATE codes SET {assignments} WHERE id = ?", (*fields.values(), code_id)
            )

    def delete_code(self, code_id: int) -> None:
        with self.transaction():
            self.conn.execute("DELETE FROM codes WHERE id = ?", (code_id,))

    def code_counts(self) -> dict[int, int]:
        """How many comments carry each code (any coder), for the codebook tree."""
        return dict(
            self.conn.execute(
                "SELECT code_id, count(DISTINCT comment_id) FROM codings GROUP BY code_id"
            ).fetchall()
        )
