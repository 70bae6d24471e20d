"""The project's own settings and metadata: name, creation time, each coder's place."""

from __future__ import annotations

import uuid

from coder.store.db import Db


class Meta:
    """Key-value pairs in the `project` table."""

    def __init__(self, db: Db):
        self.db = db

    def get(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM project WHERE key = ?", (key,)).fetchone()
        return default if row is None else row[0]

    def starting(self, prefix: str) -> dict[str, str]:
        """Every key that starts with `prefix` (the prefix taken off) and its value."""
        rows = self.db.execute(
            "SELECT key, value FROM project WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
        ).fetchall()
        return {key[len(prefix) :]: value for key, value in rows}

    def guid(self) -> str:
        """The project's own GUID, made the first time it is asked for."""
        with self.db.transaction():
            found = self.get("guid")
            if found:
                return found
            made = str(uuid.uuid4())
            self.set("guid", made)
            return made

    def set(self, key: str, value: str | None) -> None:
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO project (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
