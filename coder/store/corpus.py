"""Respondents, questions and comments: writing imports and reading the corpus back."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from coder.domain import Comment, Origin, Question, Respondent


@dataclass
class ChunkRow:
    """One answered question, as the import hands it to the store."""

    comment_source_id: str
    respondent_source_id: str
    question: str
    text: str
    attributes: dict[str, str]
    code_ids: Sequence[int] = ()


@dataclass
class ChunkResult:
    added: int = 0
    already_present: int = 0
    codings: int = 0


class CorpusMixin:
    conn: sqlite3.Connection

    # -- imports ---------------------------------------------------------------------------

    def begin_import(self, source: str) -> int:
        with self.transaction():
            return self.conn.execute("INSERT INTO imports (source) VALUES (?)", (source,)).lastrowid

    def finish_import(self, import_id: int, summary: dict) -> None:
        with self.transaction():
            self.conn.execute(
                "UPDATE imports SET status = 'done', summary = ?, "
                "finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
                (json.dumps(summary), import_id),
            )

    def undo_import(self, import_id: int, created_code_ids: Iterable[int] = ()) -> None:
        """Remove everything an import wrote, leaving the project as it was before it."""
        with self.transaction():
            ids = "SELECT id FROM comments WHERE import_id = ?"
            self.conn.execute(f"DELETE FROM coding_log WHERE comment_id IN ({ids})", (import_id,))
            self.conn.execute(
                "INSERT INTO comments_fts (comments_fts, rowid, text) "
                "SELECT 'delete', id, text FROM comments WHERE import_id = ?",
                (import_id,),
            )
            self.conn.execute("DELETE FROM comments WHERE import_id = ?", (import_id,))
            self.conn.execute("DELETE FROM respondent_attributes WHERE import_id = ?", (import_id,))
            self.conn.execute("DELETE FROM respondents WHERE import_id = ?", (import_id,))
            self.conn.execute(
                "DELETE FROM questions WHERE id NOT IN "
                "(SELECT DISTINCT question_id FROM comments WHERE question_id IS NOT NULL)"
            )
            for code_id in created_code_ids:
                self.conn.execute("DELETE FROM codes WHERE id = ?", (code_id,))
            self.conn.execute("DELETE FROM imports WHERE id = ?", (import_id,))

    def incomplete_imports(self) -> list[tuple[int, str]]:
        return self.conn.execute(
            "SELECT id, source FROM imports WHERE status != 'done' ORDER BY id"
        ).fetchall()

    def question_id(self, name: str) -> int:
        with self.transaction():
            row = self.conn.execute("SELECT id FROM questions WHERE name = ?", (name,)).fetchone()
            if row:
                return row[0]
            position = self.conn.execute("SELECT count(*) FROM questions").fetchone()[0]
            return self.conn.execute(
                "INSERT INTO questions (name, position) VALUES (?, ?)", (name, position)
            ).lastrowid

    def write_chunk(
        self, import_id: int, rows: Sequence[ChunkRow], coder: str | None
    ) -> ChunkResult:
        """Write one chunk of an import in one transaction. Rows already present are skipped."""
        result = ChunkResult()
        conn = self.conn
        questions: dict[str, int] = {}
        with self.transaction():
            # Respondents, then their attributes (kept if already known).
            respondent_ids = {r.respondent_source_id for r in rows}
            conn.executemany(
                "INSERT OR IGNORE INTO respondents (source_id, import_id) VALUES (?, ?)",
                [(rid, import_id) for rid in respondent_ids],
            )
            resp_map = self._respondent_ids(respondent_ids)
            attrs = []
            seen_attr_rows = set()
            for row in rows:
                rid = resp_map[row.respondent_source_id]
                if rid in seen_attr_rows:
                    continue
                seen_attr_rows.add(rid)
                attrs.extend(
                    (rid, name, value, import_id) for name, value in row.attributes.items()
                )
            conn.executemany(
                "INSERT OR IGNORE INTO respondent_attributes (respondent_id, name, value, import_id)"
                " VALUES (?, ?, ?, ?)",
                attrs,
            )
            for row in rows:
                if row.question not in questions:
                    questions[row.question] = self.question_id(row.question)
            last_id = conn.execute("SELECT coalesce(max(id), 0) FROM comments").fetchone()[0]
            conn.executemany(
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
            inserted = conn.execute(
                "INSERT INTO comments_fts (rowid, text) SELECT id, text FROM comments WHERE id > ?",
                (last_id,),
            ).rowcount
            result.added = inserted
            result.already_present = len(rows) - inserted
            coded = [r for r in rows if r.code_ids]
            if coded and coder:
                comment_ids = self._comment_ids_of_import(
                    [r.comment_source_id for r in coded], import_id
                )
                pairs = [
                    (comment_ids[r.comment_source_id], code_id)
                    for r in coded
                    if r.comment_source_id in comment_ids
                    for code_id in dict.fromkeys(r.code_ids)
                ]
                if pairs:
                    batch = conn.execute(
                        "SELECT coalesce(max(batch), 0) + 1 FROM coding_log"
                    ).fetchone()[0]
                    conn.executemany(
                        "INSERT OR IGNORE INTO codings (comment_id, code_id, coder, origin) "
                        "VALUES (?, ?, ?, 'imported')",
                        [(cid, code, coder) for cid, code in pairs],
                    )
                    conn.executemany(
                        "INSERT INTO coding_log (batch, kind, action, comment_id, code_id, coder,"
                        " origin) VALUES (?, 'do', 'add', ?, ?, ?, ?)",
                        [(batch, cid, code, coder, str(Origin.IMPORTED)) for cid, code in pairs],
                    )
                    result.codings = len(pairs)
        return result

    def _respondent_ids(self, source_ids: Iterable[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        source_ids = list(source_ids)
        for i in range(0, len(source_ids), 900):
            part = source_ids[i : i + 900]
            marks = ",".join("?" * len(part))
            out.update(
                self.conn.execute(
                    f"SELECT source_id, id FROM respondents WHERE source_id IN ({marks})", part
                ).fetchall()
            )
        return out

    def _comment_ids_of_import(self, source_ids: list[str], import_id: int) -> dict[str, int]:
        out: dict[str, int] = {}
        for i in range(0, len(source_ids), 900):
            part = source_ids[i : i + 900]
            marks = ",".join("?" * len(part))
            out.update(
                self.conn.execute(
                    f"SELECT source_id, id FROM comments WHERE import_id = ? AND source_id IN ({marks})",
                    [import_id, *part],
                ).fetchall()
            )
        return out

    # -- reading ---------------------------------------------------------------------------

    def questions(self) -> list[Question]:
        return [
            Question(*r)
            for r in self.conn.execute(
                "SELECT id, name, position FROM questions ORDER BY position, id"
            )
        ]

    def respondent(self, respondent_id: int) -> Respondent:
        source = self.conn.execute(
            "SELECT source_id FROM respondents WHERE id = ?", (respondent_id,)
        ).fetchone()
        attrs = dict(
            self.conn.execute(
                "SELECT name, value FROM respondent_attributes WHERE respondent_id = ? ORDER BY name",
                (respondent_id,),
            ).fetchall()
        )
        return Respondent(respondent_id, source[0] if source else "", attrs)

    def attribute_names(self) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT name FROM respondent_attributes ORDER BY name"
            )
        ]

    def comment(self, comment_id: int) -> Comment:
        row = self.conn.execute(
            "SELECT c.id, c.source_id, c.text, c.respondent_id, q.name FROM comments c "
            "LEFT JOIN questions q ON q.id = c.question_id WHERE c.id = ?",
            (comment_id,),
        ).fetchone()
        if row is None:
            raise KeyError(comment_id)
        return Comment(*row)

    def comment_by_source_id(self, source_id: str) -> Comment | None:
        row = self.conn.execute(
            "SELECT id FROM comments WHERE source_id = ?", (source_id,)
        ).fetchone()
        return self.comment(row[0]) if row else None

    def comment_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM comments").fetchone()[0]
