"""The project's own settings and metadata: name, creation time, each coder's place."""

from __future__ import annotations

from coder.store.db import Db


class Meta:
    """Key-value pairs in the `project` table."""

    def __init__(self, db: Db):
        self.db = db

    def get(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM project WHERE key = ?", (key,)).fetchone()
        return default if row is None else row[0]

    def set(self, key: str, value: str | None) -> None:
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO project (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
