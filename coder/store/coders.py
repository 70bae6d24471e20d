"""Coders: the people who code, by name, with the GUIDs other tools gave them.

A coder is a name on codings and memos. Only a coder read from another tool's file has a
row here, keeping that tool's GUID for the user; every other coder's GUID is derived from
the project's and the name when it is needed.
"""

from __future__ import annotations

from collections.abc import Iterable

from coder.store.db import Db


class Coders:
    def __init__(self, db: Db):
        self.db = db

    def names(self) -> list[str]:
        """Everyone who has coded or written a memo, and every coder read from a file."""
        return self.db.column(
            "SELECT coder FROM codings UNION SELECT coder FROM memos "
            "UNION SELECT name FROM coders ORDER BY 1"
        )

    def guids(self) -> dict[str, str]:
        """The GUIDs kept for coders read from another tool's file, by name."""
        return dict(self.db.execute("SELECT name, guid FROM coders").fetchall())

    def keep(self, coders: Iterable[tuple[str, str]], import_id: int | None = None) -> int:
        """Keep (name, GUID) pairs; a name or GUID already kept is left as it is."""
        with self.db.transaction():
            return int(
                self.db.executemany(
                    "INSERT OR IGNORE INTO coders (name, guid, import_id) VALUES (?, ?, ?)",
                    [(name, guid, import_id) for name, guid in coders],
                ).rowcount
            )
