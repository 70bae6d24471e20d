"""A whole project read and written at once, for interchange with other tools (REFI-QDA).

Reading streams the comments in id order, with their codings and memos, so exporting a
large project runs in constant memory. Writing puts another tool's project into this one
inside the caller's transaction, every row carrying the import's id.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from coder.domain import Change, ExchangeData, ExportedComment, Origin
from coder.store.codings import ChangeLog
from coder.store.db import Db

_PAGE = 2000  # comments read at a time


class Exchange:
    def __init__(self, db: Db, log: ChangeLog):
        self.db = db
        self.log = log

    # -- reading, for an export ------------------------------------------------------------

    def comments(self, page: int = _PAGE) -> Iterator[list[ExportedComment]]:
        """Every comment in id order, a page at a time."""
        after = 0
        while True:
            rows = self.db.execute(
                "SELECT id, source_id, guid, text, respondent_id, question_id FROM comments "
                "WHERE id > ? ORDER BY id LIMIT ?",
                (after, page),
            ).fetchall()
            if not rows:
                return
            yield [
                ExportedComment(r[0], str(r[1]), r[2], str(r[3] or ""), r[4], r[5]) for r in rows
            ]
            after = rows[-1][0]

    def codings_between(self, first: int, last: int) -> list[tuple[Any, ...]]:
        """(comment_id, code_id, coder, start, end, created_at) of comments first..last."""
        return self.db.execute(
            'SELECT comment_id, code_id, coder, start, "end", created_at FROM codings '
            'WHERE comment_id BETWEEN ? AND ? ORDER BY comment_id, start, "end", code_id, coder',
            (first, last),
        ).fetchall()

    def memos(self) -> list[tuple[Any, ...]]:
        """(guid, comment_id, code_id, coder, text, created_at) of every memo."""
        return self.db.execute(
            "SELECT guid, comment_id, code_id, coder, text, created_at FROM memos ORDER BY id"
        ).fetchall()

    def ensure_memo_guids(self) -> None:
        """A memo put back by undoing a change made before memos had GUIDs gets one."""
        import uuid

        missing = self.db.column("SELECT id FROM memos WHERE guid IS NULL")
        if missing:
            with self.db.transaction():
                self.db.executemany(
                    "UPDATE memos SET guid = ? WHERE id = ?",
                    [(str(uuid.uuid4()), memo) for memo in missing],
                )

    def questions(self) -> list[tuple[int, str, str | None]]:
        return self.db.execute(
            "SELECT id, name, guid FROM questions ORDER BY position, id"
        ).fetchall()

    def respondents(self) -> list[tuple[int, str, str | None]]:
        return self.db.execute("SELECT id, source_id, guid FROM respondents ORDER BY id").fetchall()

    def attributes(self) -> list[tuple[int, str, str | None]]:
        """(respondent_id, name, value) of every attribute."""
        return self.db.execute(
            "SELECT respondent_id, name, value FROM respondent_attributes "
            "ORDER BY respondent_id, name"
        ).fetchall()

    def attribute_names(self) -> list[str]:
        return self.db.column("SELECT DISTINCT name FROM respondent_attributes ORDER BY name")

    def comments_by(self, column: str) -> Iterator[tuple[int, str, str | None]]:
        """(respondent or question id, source_id, guid) of every comment that has one,
        grouped by it."""
        if column not in {"respondent_id", "question_id"}:
            raise ValueError(column)
        yield from self.db.execute(
            f"SELECT {column}, source_id, guid FROM comments WHERE {column} IS NOT NULL "
            f"ORDER BY {column}, id"
        )

    # -- checking, before an import ---------------------------------------------------------

    def present(self, table: str, column: str, values: Iterable[str]) -> list[str]:
        """Which of these values the project already has in table.column."""
        if (table, column) not in {
            ("comments", "source_id"),
            ("comments", "guid"),
            ("respondents", "source_id"),
            ("respondents", "guid"),
            ("memos", "guid"),
        }:
            raise ValueError(f"{table}.{column}")
        return [
            row[0]
            for row in self.db.select_in(
                f"SELECT {column} FROM {table} WHERE {column} IN ({{marks}})", values
            )
        ]

    # -- writing, for an import --------------------------------------------------------------

    def write(self, import_id: int, data: ExchangeData) -> int:
        """Write another tool's project; call inside a transaction. Returns the codings
        written (a coding the file holds twice is written once)."""
        db = self.db
        question_ids = [self._question(name, guid, import_id) for name, guid in data.questions]
        first = int(db.scalar("SELECT coalesce(max(id), 0) FROM respondents")) + 1
        respondent_ids = range(first, first + len(data.respondents))
        db.insert_rows(
            "INSERT INTO respondents (id, source_id, guid, import_id)",
            4,
            (
                (rid, source, guid, import_id)
                for rid, (source, guid) in zip(respondent_ids, data.respondents, strict=True)
            ),
        )
        db.insert_rows(
            "INSERT INTO respondent_attributes (respondent_id, name, value, import_id)",
            4,
            ((respondent_ids[r], name, value, import_id) for r, name, value in data.attributes),
        )
        first = int(db.scalar("SELECT coalesce(max(id), 0) FROM comments")) + 1
        comment_ids = range(first, first + len(data.comments))
        rows = [
            (
                cid,
                source,
                guid,
                None if r is None else respondent_ids[r],
                None if q is None else question_ids[q],
                text,
                import_id,
            )
            for cid, (source, guid, r, q, text) in zip(comment_ids, data.comments, strict=True)
        ]
        db.insert_rows(
            "INSERT INTO comments (id, source_id, guid, respondent_id, question_id, text, "
            "import_id)",
            7,
            rows,
        )
        db.executemany(
            "INSERT INTO comments_fts (rowid, text) VALUES (?, ?)",
            zip(comment_ids, (c[4] for c in data.comments), strict=True),
        )
        written = db.insert_rows(
            'INSERT OR IGNORE INTO codings (comment_id, code_id, coder, start, "end", origin, '
            "created_at, import_id)",
            8,
            (
                (comment_ids[c], code, coder, start, end, str(Origin.IMPORTED), at, import_id)
                for c, code, coder, start, end, at in data.codings
            ),
        )
        changes = list(
            dict.fromkeys(
                Change("add", comment_ids[c], code, coder, Origin.IMPORTED, start, end)
                for c, code, coder, start, end, _ in data.codings
            )
        )
        if changes:
            self.log.append(self.log.next_batch(), changes, import_id=import_id)
        db.insert_rows(
            "INSERT INTO memos (comment_id, code_id, coder, text, guid, created_at, updated_at, "
            "import_id)",
            8,
            (
                (None if c is None else comment_ids[c], code, coder, text, guid, at, at, import_id)
                for c, code, coder, text, guid, at in data.memos
            ),
        )
        return written

    def _question(self, name: str, guid: str | None, import_id: int) -> int:
        found = self.db.scalar("SELECT id FROM questions WHERE name = ?", (name,))
        if found is not None:
            return int(found)
        cur = self.db.execute(
            "INSERT INTO questions (name, guid, position, import_id) "
            "VALUES (?, ?, (SELECT count(*) FROM questions), ?)",
            (name, guid, import_id),
        )
        return int(cur.lastrowid or 0)
