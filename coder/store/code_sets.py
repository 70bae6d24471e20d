"""Code sets: named groups of codes across the tree, as other tools keep them."""

from __future__ import annotations

from collections.abc import Sequence

from coder.domain import CodeSet
from coder.store.db import Db


class CodeSets:
    def __init__(self, db: Db):
        self.db = db

    def all(self) -> list[CodeSet]:
        members: dict[int, list[int]] = {}
        for set_id, code_id in self.db.execute(
            "SELECT set_id, code_id FROM code_set_members ORDER BY id"
        ):
            members.setdefault(set_id, []).append(code_id)
        return [
            CodeSet(id_, guid, name, description, tuple(members.get(id_, ())))
            for id_, guid, name, description in self.db.execute(
                "SELECT id, guid, name, description FROM code_sets ORDER BY position, id"
            )
        ]

    def put(
        self,
        guid: str,
        name: str,
        description: str,
        code_ids: Sequence[int],
        import_id: int | None = None,
    ) -> tuple[int, bool]:
        """Add a set, or (same GUID) give the one there this name, description and these
        codes as well; returns (its id, whether it was new)."""
        with self.db.transaction():
            found = self.db.scalar("SELECT id FROM code_sets WHERE guid = ?", (guid,))
            if found is None:
                set_id = int(
                    self.db.execute(
                        "INSERT INTO code_sets (guid, name, description, position, import_id) "
                        "VALUES (?, ?, ?, (SELECT count(*) FROM code_sets), ?)",
                        (guid, name, description, import_id),
                    ).lastrowid
                    or 0
                )
            else:
                set_id = int(found)
                self.db.execute(
                    "UPDATE code_sets SET name = ?, description = ? WHERE id = ?",
                    (name, description, set_id),
                )
            self.db.executemany(
                "INSERT OR IGNORE INTO code_set_members (set_id, code_id) VALUES (?, ?)",
                [(set_id, code_id) for code_id in dict.fromkeys(code_ids)],
            )
        return set_id, found is None
