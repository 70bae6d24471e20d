"""Imports: writing survey answers in chunks, and taking an import out again."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from coder.domain import Change, ChunkResult, ImportRow, Origin
from coder.store.codings import ChangeLog
from coder.store.db import Db


class Imports:
    """Each import is a row of `imports`; what it wrote carries its id."""

    def __init__(self, db: Db, log: ChangeLog):
        self.db = db
        self.log = log

    def begin(self, source: str) -> int:
        with self.db.transaction():
            cur = self.db.execute("INSERT INTO imports (source) VALUES (?)", (source,))
            return int(cur.lastrowid or 0)

    def finish(self, import_id: int, summary: dict[str, Any]) -> None:
        with self.db.transaction():
            self.db.execute(
                "UPDATE imports SET status = 'done', summary = ?, "
                "finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
                (json.dumps(summary), import_id),
            )

    def undo(self, import_id: int, created_code_ids: Iterable[int] = ()) -> None:
        """Remove everything an import wrote, leaving the project as it was before it."""
        with self.db.transaction():
            ids = "SELECT id FROM comments WHERE import_id = ?"
            self.db.execute(f"DELETE FROM coding_log WHERE comment_id IN ({ids})", (import_id,))
            self.db.execute(
                "INSERT INTO comments_fts (comments_fts, rowid, text) "
                "SELECT 'delete', id, text FROM comments WHERE import_id = ?",
                (import_id,),
            )
            self.db.execute("DELETE FROM comments WHERE import_id = ?", (import_id,))
            self.db.execute("DELETE FROM respondent_attributes WHERE import_id = ?", (import_id,))
            self.db.execute("DELETE FROM respondents WHERE import_id = ?", (import_id,))
            self.db.execute(
                "DELETE FROM questions WHERE id NOT IN "
                "(SELECT DISTINCT question_id FROM comments WHERE question_id IS NOT NULL)"
            )
            for code_id in created_code_ids:
                self.db.execute("DELETE FROM codes WHERE id = ?", (code_id,))
            self.db.execute("DELETE FROM imports WHERE id = ?", (import_id,))

    def incomplete(self) -> list[tuple[int, str]]:
        return self.db.execute(
            "SELECT id, source FROM imports WHERE status != 'done' ORDER BY id"
        ).fetchall()

    def question_id(self, name: str) -> int:
        with self.db.transaction():
            found = self.db.scalar("SELECT id FROM questions WHERE name = ?", (name,))
            if found is not None:
                return int(found)
            position = self.db.scalar("SELECT count(*) FROM questions")
            cur = self.db.execute(
                "INSERT INTO questions (name, position) VALUES (?, ?)", (name, position)
            )
            return int(cur.lastrowid or 0)

    def write_chunk(
        self, import_id: int, rows: Sequence[ImportRow], coder: str | None
    ) -> ChunkResult:
        """Write one chunk of an import in one transaction. Rows already present are skipped."""
        result = ChunkResult()
        db = self.db
        with db.transaction():
            # Respondents, then their attributes (kept if already known).
            respondent_ids = list(dict.fromkeys(r.respondent_source_id for r in rows))
            db.executemany(
                "INSERT OR IGNORE INTO respondents (source_id, import_id) VALUES (?, ?)",
                [(rid, import_id) for rid in respondent_ids],
            )
            resp_map: dict[str, int] = dict(
                db.select_in(
                    "SELECT source_id, id FROM respondents WHERE source_id IN ({marks})",
                    respondent_ids,
                )
            )
            attrs = []
            seen: set[int] = set()
            for row in rows:
                rid = resp_map[row.respondent_source_id]
                if rid in seen:
                    continue
                seen.add(rid)
                attrs.extend(
                    (rid, name, value, import_id) for name, value in row.attributes.items()
                )
            db.executemany(
                "INSERT OR IGNORE INTO respondent_attributes (respondent_id, name, value, import_id)"
                " VALUES (?, ?, ?, ?)",
                attrs,
            )
            questions = {q: self.question_id(q) for q in dict.fromkeys(r.question for r in rows)}
            last_id = db.scalar("SELECT coalesce(max(id), 0) FROM comments")
            db.executemany(
                "INSERT OR IGNORE INTO comments (source_id, respondent_id, question_id, text,"
                " import_id) VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        r.comment_source_id,
                        resp_map[r.respondent_source_id],
                        questions[r.question],
                        r.text,
                        import_id,
                    )
                    for r in rows
                ],
            )
            inserted = db.execute(
                "INSERT INTO comments_fts (rowid, text) SELECT id, text FROM comments WHERE id > ?",
                (last_id,),
            ).rowcount
            result.added = inserted
            result.already_present = len(rows) - inserted
            coded = [r for r in rows if r.code_ids]
            if coded and coder:
                comment_ids: dict[str, int] = dict(
                    db.select_in(
                        "SELECT source_id, id FROM comments WHERE import_id = ? "
                        "AND source_id IN ({marks})",
                        [r.comment_source_id for r in coded],
                        before=[import_id],
                    )
                )
                changes = [
                    Change("add", comment_ids[r.comment_source_id], code_id, coder, Origin.IMPORTED)
                    for r in coded
                    if r.comment_source_id in comment_ids
                    for code_id in dict.fromkeys(r.code_ids)
                ]
                if changes:
                    db.executemany(
                        "INSERT OR IGNORE INTO codings (comment_id, code_id, coder, origin) "
                        "VALUES (?, ?, ?, ?)",
                        [(c.comment_id, c.code_id, c.coder, str(c.origin)) for c in changes],
                    )
                    self.log.append(self.log.next_batch(), changes)
                    result.codings = len(changes)
        return result
